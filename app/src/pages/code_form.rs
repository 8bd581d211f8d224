//! The form that takes a one-time code (an authenticator app's, or a
//! recovery code) for `/api/auth/second-factor`: on the two-step page, in
//! a restore's step-up dialog and in a privileged action's step-up card,
//! each with its own words.

use leptos::prelude::*;

use super::form::{Endpoint, PostForm};
use crate::browser::AfterPost;

#[component]
pub fn CodeForm(
    /// What the field asks for.
    label: &'static str,
    testid: &'static str,
    /// The button's words.
    submit: &'static str,
    /// What a success does instead of the endpoint's own.
    #[prop(optional)]
    after: Option<AfterPost>,
) -> impl IntoView {
    let endpoint = Endpoint::SecondFactor;
    let after = after.unwrap_or(endpoint.after());
    view! {
        <PostForm endpoint after>
            <label>{label}
                <input name="code" required autocomplete="one-time-code" autocapitalize="off"
                    spellcheck="false" data-testid=testid/>
            </label>
            <button type="submit">{submit}</button>
        </PostForm>
    }
}
