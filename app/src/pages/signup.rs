use leptos::prelude::*;

use super::form::{Endpoint, PostForm};

/// "Create your workspace", on the central domain. Success goes on to the
/// new workspace's sign-in page.
#[component]
pub fn Signup() -> impl IntoView {
    view! {
        <section class="card">
            <h1>"Create your workspace"</h1>
            <PostForm endpoint=Endpoint::CreateWorkspace>
                <label>"Workspace address"
                    <input name="slug" required minlength="3" maxlength="63" pattern="[a-z0-9\\-]+" autocomplete="off"/>
                </label>
                <label>"Workspace name" <input name="name" required maxlength="100"/></label>
                <label>"Your name" <input name="admin_name" required maxlength="100"/></label>
                <label>"Your email" <input name="admin_email" type="email" required autocomplete="email"/></label>
                <label>"Password" <input name="admin_password" type="password" required minlength="8" autocomplete="new-password"/></label>
                <button type="submit">"Create workspace"</button>
            </PostForm>
        </section>
    }
}
