//! The session bridge's step-up, in place: when a restore must wait for
//! the person's second factor (`bridge.step_up`), the bridge client opens
//! this dialog over the page they were on, rather than taking them away.
//! It is server HTML on every workspace page a visitor sees signed out
//! (a restore can only happen then), closed until needed; its forms are the
//! same as `/two-step`'s, and finishing goes back to this page.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use super::{
    code_form::CodeForm,
    form::{Endpoint, PostForm},
    passkey::PasskeyButton,
};
use crate::{
    api::auth::this_visitor,
    browser::PasskeyCeremony,
    model::accounts::{FactorMethod, TWO_STEP_PAGE},
};

#[component]
pub fn RestorePrompt() -> impl IntoView {
    let me = this_visitor().ok()?;
    if me.authenticated
        || me.tenant.is_none()
        || use_location().pathname.get_untracked() == TWO_STEP_PAGE
    {
        return None;
    }
    // A sign-in waiting here already: what it waits for. Before a restore
    // nobody knows yet; the client hides what the person lacks.
    let (code, passkey) = match &me.second_factor {
        Some(due) if due.enrol => return None,
        Some(due) => (
            due.offers(FactorMethod::Totp),
            due.offers(FactorMethod::Passkey),
        ),
        None => (true, true),
    };
    Some(view! {
        <dialog id="restore-step-up" class="card prompt" aria-labelledby="restore-step-up-title">
            <h2 id="restore-step-up-title">"Confirm it is you"</h2>
            <p>"To finish signing in here, confirm it is you."</p>
            <div data-method="totp" hidden=!code>
                <CodeForm label="A code from your authenticator app, or a recovery code"
                    testid="restore-code" submit="Continue"/>
            </div>
            <div data-method="passkey" hidden=!passkey>
                <PasskeyButton ceremony=PasskeyCeremony::SignIn label="Use a passkey"/>
            </div>
            <PostForm endpoint=Endpoint::Logout>
                <button type="submit" class="quiet">"Cancel and sign out"</button>
            </PostForm>
        </dialog>
    })
}
