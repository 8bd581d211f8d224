use leptos::prelude::*;

use super::{
    app_bar::{AppBar, Section},
    form::{Endpoint, PostForm},
};
use crate::api::auth::this_visitor;

#[component]
pub fn Register() -> impl IntoView {
    view! {
        {this_visitor().ok().map(|me| view! { <AppBar me here=Section::Account/> })}
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
