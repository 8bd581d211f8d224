use leptos::prelude::*;

use super::form::{Endpoint, PostForm};

#[component]
pub fn Register() -> impl IntoView {
    view! {
        <section class="card">
            <h1>"Create an account"</h1>
            <PostForm endpoint=Endpoint::Register>
                <label>"Name" <input name="name" required maxlength="100" autocomplete="name"/></label>
                <label>"Email" <input name="email" type="email" required autocomplete="username"/></label>
                <label>"Password" <input name="password" type="password" required minlength="8" autocomplete="new-password"/></label>
                <button type="submit">"Create account"</button>
            </PostForm>
            <p>"Already registered? " <a href="/login">"Sign in"</a></p>
        </section>
    }
}
