use leptos::prelude::*;

use super::{
    app_bar::{AppBar, Section},
    form::{Endpoint, PostForm},
    passkey::PasskeyButton,
};
use crate::{api::auth::this_visitor, browser::PasskeyCeremony};

#[component]
pub fn Login() -> impl IntoView {
    view! {
        {this_visitor().ok().map(|me| view! { <AppBar me here=Section::Account/> })}
        <section class="card">
            <h1>"Sign in"</h1>
            <PostForm endpoint=Endpoint::Login>
                <label>"Email" <input name="email" type="email" required autocomplete="username"/></label>
                <label>"Password" <input name="password" type="password" required autocomplete="current-password"/></label>
                <button type="submit">"Sign in"</button>
            </PostForm>
            <PasskeyButton ceremony=PasskeyCeremony::SignIn label="Sign in with a passkey"/>
            <p>"No account yet? " <a href="/register">"Create one"</a></p>
        </section>
    }
}
