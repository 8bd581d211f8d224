use leptos::prelude::*;

use super::{
    app_bar::{AppBar, Section},
    form::{Endpoint, ErrorCard, PostForm},
};
use crate::api::auth::this_visitor;

/// The central landing page, or a tenant's front door.
#[component]
pub fn Home() -> impl IntoView {
    match this_visitor() {
        Ok(me) => match me.tenant.clone() {
            None => view! { <Landing/> }.into_any(),
            Some(tenant) => view! {
                <AppBar me=me.clone() here=Section::Home/>
                <section class="card">
                    <h1>{format!("Welcome to {}", tenant.name)}</h1>
                    {if me.authenticated {
                        view! { <p><a href="/dashboard">"Go to your dashboard"</a></p> }.into_any()
                    } else {
                        view! {
                            <p>
                                <a class="button" href="/login">"Sign in"</a>
                                " or "
                                <a href="/register">"create an account"</a>
                            </p>
                        }.into_any()
                    }}
                </section>
            }
            .into_any(),
        },
        Err(error) => view! { <ErrorCard title="Tessera" error/> }.into_any(),
    }
}

/// The central landing page: find your workspace's sign-in, or create one.
#[component]
fn Landing() -> impl IntoView {
    view! {
        <section class="hero">
            <h1>"Tessera"</h1>
            <p>"Workspaces for your team, each on its own address, with sessions that never leak between them."</p>
        </section>
        <div class="choices">
            <section class="card">
                <h2>"Sign in to your workspace"</h2>
                <PostForm endpoint=Endpoint::FindWorkspace>
                    <label>"Workspace"
                        <input name="workspace" required maxlength="253" autocomplete="organization" placeholder="acme"/>
                    </label>
                    <button type="submit">"Continue"</button>
                </PostForm>
            </section>
            <section class="card">
                <h2>"New here?"</h2>
                <p>"Your team gets its own address, its own accounts and its own sessions."</p>
                <a class="button" href="/signup">"Create your workspace"</a>
            </section>
        </div>
    }
}
