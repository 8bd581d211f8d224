//! New recovery codes, shown once (`/security/recovery-codes`): the page
//! reads them out of the session, so a reload shows them no more.

use leptos::prelude::*;

use super::{
    app_bar::{AppBar, Section},
    form::ErrorCard,
};
use crate::api::{account::fresh_recovery_codes, auth::this_visitor};

#[component]
pub fn RecoveryCodes() -> impl IntoView {
    let codes = AsyncDerived::new(fresh_recovery_codes);
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let bar = this_visitor().ok().map(|me| view! { <AppBar me here=Section::Security/> });
                match codes.await {
                    Err(error) => view! { {bar} <ErrorCard title="Recovery codes" error/> }.into_any(),
                    Ok(codes) if codes.is_empty() => view! {
                        {bar}
                        <section class="card">
                            <h1>"Recovery codes"</h1>
                            <p>"Recovery codes are shown once, when they are made. To get a new set (the old one then stops working), go to the Security page."</p>
                            <p><a class="button" href="/security">"Security"</a></p>
                        </section>
                    }.into_any(),
                    Ok(codes) => view! {
                        {bar}
                        <section class="card">
                            <h1>"Your recovery codes"</h1>
                            <p>"Each of these signs you in once if you lose your phone. Keep them somewhere safe: this page shows them this once."</p>
                            <ul class="codes" data-testid="recovery-codes">
                                {codes.into_iter().map(|code| view! { <li><code>{code}</code></li> }).collect_view()}
                            </ul>
                            <p><a class="button" href="/dashboard">"I have kept them"</a></p>
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
