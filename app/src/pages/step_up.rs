//! Asking for a fresh proof in place: a privileged action (settings,
//! roles, factors, the password) answered `step_up_required`. Hidden until
//! a form is refused so (the form's island shows it; without JavaScript the
//! refused post comes back with `?error=step_up_required`); once confirmed,
//! the person does it again.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::form::{Endpoint, PostForm};
use crate::{browser::AfterPost, error::sent_back::SentBack};

/// `has_factor`: a code is asked for; else the password.
#[component]
pub fn StepUp(has_factor: bool) -> impl IntoView {
    let refused = use_query_map()
        .read_untracked()
        .get("error")
        .is_some_and(|code| code == SentBack::StepUpRequired.code());
    let form = if has_factor {
        view! {
            <PostForm endpoint=Endpoint::SecondFactor after=AfterPost::SteppedUp>
                <label>"A code from your authenticator app, or a recovery code, to confirm it is you"
                    <input name="code" required autocomplete="one-time-code" autocapitalize="off"
                        spellcheck="false" data-testid="step-up-code"/>
                </label>
                <button type="submit">"Confirm"</button>
            </PostForm>
        }
        .into_any()
    } else {
        view! {
            <PostForm endpoint=Endpoint::ConfirmPassword after=AfterPost::SteppedUp>
                <label>"Your password, to confirm it is you"
                    <input name="password" type="password" required autocomplete="current-password"
                        data-testid="step-up-password"/>
                </label>
                <button type="submit">"Confirm"</button>
            </PostForm>
        }
        .into_any()
    };
    view! {
        <section class="card wide" id="step-up" hidden=!refused aria-labelledby="step-up-title">
            <h2 id="step-up-title">"Confirm it is you"</h2>
            <p>"This change needs a recent confirmation."</p>
            {form}
            <p class="notice" role="status" hidden data-stepped-up>"Confirmed. Now make the change again."</p>
        </section>
    }
}
