use leptos::prelude::*;

use super::form::{keep_bridge_token, ApiForm, FormAction, FormError};
use crate::api::auth::Register as RegisterFn;

#[component]
pub fn Register() -> impl IntoView {
    let register = FormAction::<RegisterFn>::new();
    keep_bridge_token(register);
    view! {
        <section class="card">
            <h1>"Create an account"</h1>
            <ApiForm action=register>
                <label>"Name" <input name="name" required maxlength="100" autocomplete="name"/></label>
                <label>"Email" <input name="email" type="email" required autocomplete="username"/></label>
                <label>"Password" <input name="password" type="password" required minlength="8" autocomplete="new-password"/></label>
                <FormError action=register/>
                <button type="submit">"Create account"</button>
            </ApiForm>
            <p>"Already registered? " <a href="/login">"Sign in"</a></p>
        </section>
    }
}
