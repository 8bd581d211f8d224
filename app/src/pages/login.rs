use leptos::prelude::*;

use super::form::{keep_bridge_token, ApiForm, FormAction, FormError};
use crate::api::auth::Login as LoginFn;

#[component]
pub fn Login() -> impl IntoView {
    let login = FormAction::<LoginFn>::new();
    keep_bridge_token(login);
    view! {
        <section class="card">
            <h1>"Sign in"</h1>
            <ApiForm action=login>
                <label>"Email" <input name="email" type="email" required autocomplete="username"/></label>
                <label>"Password" <input name="password" type="password" required autocomplete="current-password"/></label>
                <FormError action=login/>
                <button type="submit">"Sign in"</button>
            </ApiForm>
            <p>"No account yet? " <a href="/register">"Create one"</a></p>
        </section>
    }
}
