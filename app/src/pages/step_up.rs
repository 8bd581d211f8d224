//! Asking for a fresh proof in place: a privileged action (settings,
//! roles, factors, the password) answered `step_up_required`. Hidden until
//! a form is refused so (the form's island shows it; without JavaScript the
//! refused post comes back with `?error=step_up_required`); once confirmed,
//! the person does it again.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{
    code_form::CodeForm,
    form::{Endpoint, PostForm},
    passkey::PasskeyButton,
};
use crate::{
    browser::{AfterPost, PasskeyCeremony},
    error::sent_back::SentBack,
    model::accounts::{FactorMethod, SecondFactorDue},
};

/// `due`: the person's second factors (none: their password is asked).
#[component]
pub fn StepUp(due: SecondFactorDue) -> impl IntoView {
    let refused = use_query_map()
        .read_untracked()
        .get("error")
        .is_some_and(|code| code == SentBack::StepUpRequired.code());
    let code = due.offers(FactorMethod::Totp).then(|| {
        view! {
            <CodeForm label="A code from your authenticator app, or a recovery code, to confirm it is you"
                testid="step-up-code" submit="Confirm" after=AfterPost::SteppedUp/>
        }
    });
    let passkey = due
        .offers(FactorMethod::Passkey)
        .then(|| view! { <PasskeyButton ceremony=PasskeyCeremony::StepUp label="Confirm with a passkey"/> });
    let password = due.methods.is_empty().then(|| {
        view! {
            <PostForm endpoint=Endpoint::ConfirmPassword after=AfterPost::SteppedUp>
                <label>"Your password, to confirm it is you"
                    <input name="password" type="password" required autocomplete="current-password"
                        data-testid="step-up-password"/>
                </label>
                <button type="submit">"Confirm"</button>
            </PostForm>
        }
    });
    view! {
        <section class="card wide" id="step-up" hidden=!refused aria-labelledby="step-up-title">
            <h2 id="step-up-title">"Confirm it is you"</h2>
            <p>"This change needs a recent confirmation."</p>
            {code}
            {passkey}
            {password}
            <p class="notice" role="status" hidden data-stepped-up>"Confirmed. Now make the change again."</p>
        </section>
    }
}
