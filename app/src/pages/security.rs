use leptos::prelude::*;

use super::{
    app_bar::{AppBar, Section},
    form::{Endpoint, ErrorCard, PostForm},
    revocable::{Revocable, RevocableTable},
};
use crate::{
    api::{account::my_security, auth::this_visitor},
    model::account::SecurityView,
};

/// A signed-in user's own sessions and bridge devices: this browser's
/// marked, any other revocable, or all of them at once.
/// Its data is an `AsyncDerived`, not a `Resource` (see `Admin`).
#[component]
pub fn Security() -> impl IntoView {
    let security = AsyncDerived::new(my_security);
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let bar = this_visitor().ok().map(|me| view! { <AppBar me here=Section::Security/> });
                match security.await {
                    Err(error) => view! { {bar} <ErrorCard title="Security" error/> }.into_any(),
                    Ok(SecurityView { sessions, devices }) => view! {
                        {bar}
                        <section class="card wide">
                            <h1>"Security"</h1>
                            <p>"Where you are signed in. Revoke anything you do not recognise; this browser is marked and ends when you sign out."</p>
                            <PostForm endpoint=Endpoint::SignOutOthers confirm=Some("Sign out every other browser and device?".into())>
                                <button type="submit">"Sign out everywhere else"</button>
                            </PostForm>
                        </section>
                        <section class="card wide">
                            <h2>"Your sessions"</h2>
                            <RevocableTable testid="my-sessions" who="Session" when="Last seen" field="handle" endpoint=Endpoint::RevokeMySession
                                thing="session" confirm="Revoke this session? That browser is signed out on its next request."
                                rows=sessions.into_iter().map(|s| Revocable::new(
                                    this_or_other(s.current), s.last_seen, s.ip, s.user_agent, s.handle, !s.current,
                                )).collect()/>
                        </section>
                        <section class="card wide">
                            <h2>"Your bridge devices"</h2>
                            <p>"Browsers that can restore your sign-in after a restart of the service."</p>
                            <RevocableTable testid="my-devices" who="Device" when="Last used" field="device_id" endpoint=Endpoint::RevokeMyDevice
                                thing="device" confirm="Revoke this device? Its sign-in can no longer be restored and its sessions end."
                                rows=devices.into_iter().map(|d| Revocable::new(
                                    this_or_other(d.current), Some(d.last_used_at), d.ip, d.user_agent, d.id, !d.current,
                                )).collect()/>
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
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
