use leptos::prelude::*;

use super::{
    form::{ApiForm, ErrorCard, FormAction, FormError},
    revocable::{Revocable, RevocableTable},
};
use crate::{
    api::account::{my_security, RevokeMyDevice, RevokeMySession, SignOutOthers},
    model::account::SecurityView,
};

/// A signed-in user's own sessions and bridge devices: this browser's
/// marked, any other revocable, or all of them at once.
#[component]
pub fn Security() -> impl IntoView {
    let revoke_session = FormAction::<RevokeMySession>::new();
    let revoke_device = FormAction::<RevokeMyDevice>::new();
    let others = FormAction::<SignOutOthers>::new();
    let versions = move || {
        (
            revoke_session.version().get(),
            revoke_device.version().get(),
            others.version().get(),
        )
    };
    let security = Resource::new(versions, |_| my_security());
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match security.await {
                    Err(error) => view! { <ErrorCard title="Security" error/> }.into_any(),
                    Ok(SecurityView { sessions, devices }) => view! {
                        <section class="card wide">
                            <h1>"Security"</h1>
                            <p>"Where you are signed in. Revoke anything you do not recognise; this browser is marked and ends when you sign out."</p>
                            <ApiForm action=others>
                                <button type="submit">"Sign out everywhere else"</button>
                            </ApiForm>
                            <FormError action=others/>
                            <p><a href="/dashboard">"Back to the dashboard"</a></p>
                        </section>
                        <section class="card wide">
                            <h2>"Your sessions"</h2>
                            <RevocableTable testid="my-sessions" who="Session" when="Last seen" field="handle" action=revoke_session
                                rows=sessions.into_iter().map(|s| Revocable::new(
                                    this_or_other(s.current), s.last_seen, s.ip, s.user_agent, s.handle, !s.current,
                                )).collect()/>
                        </section>
                        <section class="card wide">
                            <h2>"Your bridge devices"</h2>
                            <p>"Browsers that can restore your sign-in after a restart of the service."</p>
                            <RevocableTable testid="my-devices" who="Device" when="Last used" field="device_id" action=revoke_device
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
