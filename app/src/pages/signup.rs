use leptos::prelude::*;

use super::form::{ApiForm, FormAction, FormError};
use crate::api::workspaces::CreateWorkspace;

/// "Create your workspace", on the central domain.
#[component]
pub fn Signup() -> impl IntoView {
    let create = FormAction::<CreateWorkspace>::new();
    let created = move || create.value().get().and_then(Result::ok);
    view! {
        <section class="card">
            <h1>"Create your workspace"</h1>
            <Show
                when=move || created().is_none()
                fallback=move || view! {
                    <p>"Your workspace is ready: "
                        <a href={move || created().map(|c| c.login_url)}>"sign in"</a>
                    </p>
                }
            >
                <ApiForm action=create>
                    <label>"Workspace address"
                        <input name="slug" required minlength="3" maxlength="63" pattern="[a-z0-9\\-]+" autocomplete="off"/>
                    </label>
                    <label>"Workspace name" <input name="name" required maxlength="100"/></label>
                    <label>"Your name" <input name="admin_name" required maxlength="100"/></label>
                    <label>"Your email" <input name="admin_email" type="email" required autocomplete="email"/></label>
                    <label>"Password" <input name="admin_password" type="password" required minlength="8" autocomplete="new-password"/></label>
                    <FormError action=create/>
                    <button type="submit">"Create workspace"</button>
                </ApiForm>
            </Show>
        </section>
    }
}
