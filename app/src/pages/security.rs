use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{
    app_bar::{AppBar, Section},
    form::{Endpoint, ErrorCard, PostForm, RowAction, SentBackError},
    passkey::PasskeyRegister,
    revocable::{Detail, Revocable, RevocableTable},
    step_up::StepUp,
    totp_setup::TotpSetup,
};
use crate::{
    api::{account::my_security, auth::this_visitor},
    dates::utc,
    model::{
        account::{PasskeyView, SecurityView, TotpStatus, TwoStepView},
        accounts::SecondFactorDue,
        admin::SessionView,
        bridge::DeviceView,
    },
};

/// A signed-in user's own sessions and bridge devices (this browser's
/// marked, any other revocable, or all of them at once), their second
/// factor and their password. Its data is an `AsyncDerived`, not a
/// `Resource` (see `Admin`).
#[component]
pub fn Security() -> impl IntoView {
    let security = AsyncDerived::new(my_security);
    let saved = use_query_map().read_untracked().get("saved").as_deref() == Some("password");
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let bar = this_visitor().ok().map(|me| view! { <AppBar me here=Section::Security/> });
                match security.await {
                    Err(error) => view! { {bar} <ErrorCard title="Security" error/> }.into_any(),
                    Ok(SecurityView { sessions, devices, two_step, passkeys }) => {
                        let brought_back: Vec<String> = devices.iter().map(|d| brought_back(d, &sessions)).collect();
                        view! {
                        {bar}
                        <section class="card wide">
                            <h1>"Security"</h1>
                            <p>"Where you are signed in. Revoke anything you do not recognise; this browser is marked and ends when you sign out."</p>
                            {saved.then(|| view! {
                                <p class="notice" role="status" data-testid="saved">"Password changed. Every other session and device was signed out."</p>
                            })}
                            <PostForm endpoint=Endpoint::SignOutOthers confirm=Some("Sign out every other browser and device?".into())>
                                <button type="submit">"Sign out everywhere else"</button>
                            </PostForm>
                        </section>
                        <StepUp due=SecondFactorDue::of(two_step.totp == TotpStatus::On, !passkeys.is_empty())/>
                        <TwoStepCard two_step/>
                        <PasskeysCard passkeys/>
                        <PasswordCard/>
                        <section class="card wide">
                            <h2>"Your sessions"</h2>
                            <RevocableTable testid="my-sessions" who="Session" when="Last seen" field="handle" endpoint=Endpoint::RevokeMySession detail=Detail::SIGNED_IN_WITH
                                thing="session" confirm="Revoke this session? That browser is signed out on its next request."
                                rows=sessions.into_iter().map(|s| Revocable::new(
                                    this_or_other(s.current), s.last_seen, s.ip, s.user_agent, s.handle, !s.current,
                                ).with_detail(s.assurance.describe())).collect()/>
                        </section>
                        <section class="card wide">
                            <h2>"Your bridge devices"</h2>
                            <p>"Browsers that can restore your sign-in after a restart of the service."</p>
                            <RevocableTable testid="my-devices" who="Device" when="Last used" field="device_id" endpoint=Endpoint::RevokeMyDevice
                                thing="device" confirm="Revoke this device? Its sign-in can no longer be restored and its sessions end."
                                detail=Detail::BROUGHT_BACK
                                rows=devices.into_iter().zip(brought_back).map(|(d, back)| Revocable::new(
                                    this_or_other(d.current), Some(d.last_used_at), d.ip, d.user_agent, d.id, !d.current,
                                ).with_detail(back)).collect()/>
                        </section>
                    }.into_any()},
                }
            })}
        </Suspense>
    }
}

/// The sessions a device brought back, as its row names them.
fn brought_back(device: &DeviceView, sessions: &[SessionView]) -> String {
    let named: Vec<String> = sessions
        .iter()
        .filter(|s| device.restored_sessions.contains(&s.handle))
        .map(|s| match (s.current, s.last_seen) {
            (true, _) => "this browser's".to_owned(),
            (false, Some(seen)) => format!("one last seen {}", utc(seen)),
            (false, None) => "one".to_owned(),
        })
        .collect();
    if named.is_empty() {
        "none".to_owned()
    } else {
        named.join("; ")
    }
}

/// Two-step sign-in: set it up, or (on) turn it off or renew the recovery
/// codes, each with a code. Any change signs out every other session.
#[component]
fn TwoStepCard(two_step: TwoStepView) -> impl IntoView {
    let on = two_step.totp == TotpStatus::On;
    view! {
        <section class="card wide" aria-labelledby="two-step-title">
            <h2 id="two-step-title">"Two-step sign-in"</h2>
            {if on {
                view! {
                    <p data-testid="two-step-status">"On: signing in asks for a code from your authenticator app (or a recovery code)."</p>
                    <PostForm endpoint=Endpoint::RecoveryCodes>
                        <label>"A code from your app"
                            <input name="code" required autocomplete="one-time-code" autocapitalize="off" spellcheck="false"/>
                        </label>
                        <button type="submit">"Make new recovery codes"</button>
                    </PostForm>
                    <PostForm endpoint=Endpoint::TotpDisable
                        confirm=Some("Turn two-step sign-in off? Every other session and device is signed out.".into())>
                        <label>"A code from your app, or a recovery code"
                            <input name="code" required autocomplete="one-time-code" autocapitalize="off" spellcheck="false"/>
                        </label>
                        <button type="submit" class="danger">"Turn two-step sign-in off"</button>
                    </PostForm>
                }
                .into_any()
            } else {
                view! {
                    <p data-testid="two-step-status">"Off: a password alone signs you in. A code from an authenticator app as well keeps out whoever learns your password."</p>
                    <TotpSetup two_step/>
                }
                .into_any()
            }}
        </section>
    }
}

/// One's passkeys: each named, with when it was last used, and removable;
/// a new one added here (it can sign in alone, and is a second factor).
#[component]
fn PasskeysCard(passkeys: Vec<PasskeyView>) -> impl IntoView {
    let list = if passkeys.is_empty() {
        view! { <p class="empty" data-testid="passkeys">"No passkeys yet."</p> }.into_any()
    } else {
        view! {
            <ul class="passkeys" data-testid="passkeys">
                {passkeys.into_iter().map(|p| {
                    let used = p.last_used_at.map_or_else(|| "never used".to_owned(), |at| format!("last used {}", utc(at)));
                    let name = format!("Remove passkey {}", p.name);
                    view! {
                        <li>
                            <span>{p.name}</span>
                            <span class="muted">{format!(" — added {}, {used}", utc(p.created_at))}</span>
                            <RowAction endpoint=Endpoint::PasskeyRemove fields=vec![("id", p.id)] label="Remove"
                                name confirm="Remove this passkey? Every other session and device is signed out." danger=true/>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <SentBackError endpoint=Endpoint::PasskeyRemove/>
        }
        .into_any()
    };
    view! {
        <section class="card wide" aria-labelledby="passkeys-title">
            <h2 id="passkeys-title">"Passkeys"</h2>
            <p>"A passkey signs you in on its own (your device and its screen lock), or confirms it is you after your password."</p>
            {list}
            <PasskeyRegister/>
        </section>
    }
}

/// Changing the password, with the current one; every other session ends.
#[component]
fn PasswordCard() -> impl IntoView {
    view! {
        <section class="card wide" aria-labelledby="password-title">
            <h2 id="password-title">"Password"</h2>
            <PostForm endpoint=Endpoint::ChangePassword
                confirm=Some("Change your password? Every other session and device is signed out.".into())>
                <label>"Current password"
                    <input name="current_password" type="password" required autocomplete="current-password"/>
                </label>
                <label>"New password (at least 8 characters)"
                    <input name="new_password" type="password" required minlength="8" autocomplete="new-password"/>
                </label>
                <button type="submit">"Change password"</button>
            </PostForm>
        </section>
    }
}

fn this_or_other(current: bool) -> String {
    if current {
        "This browser"
    } else {
        "Another browser"
    }
    .to_owned()
}
