//! The bar across the top of a tenant's pages: the workspace, where to go,
//! who is signed in, and the way out.

use leptos::prelude::*;

use super::form::{Endpoint, PostForm};
use crate::model::accounts::{MeResponse, RoleView};

/// Where in the app a page is, so its link is marked current.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Home,
    /// Signing in or registering: no link of the bar's.
    Account,
    Dashboard,
    Security,
    Admin,
}

/// Nothing on the central site, which belongs to no workspace.
#[component]
pub fn AppBar(me: MeResponse, here: Section) -> impl IntoView {
    let link = move |section: Section, href: &'static str, label: &'static str| {
        view! {
            <a href=href aria-current=(here == section).then_some("page")>{label}</a>
        }
    };
    let signed_in = me.user.map(|user| {
        view! {
            <nav aria-label="Workspace">
                {link(Section::Dashboard, "/dashboard", "Dashboard")}
                {link(Section::Security, "/security", "Security")}
                {(user.role == RoleView::Admin).then(|| link(Section::Admin, "/admin", "Admin"))}
            </nav>
            <div class="who">
                <span data-testid="bar-user" title=user.email.clone()>{user.name}</span>
                <PostForm endpoint=Endpoint::Logout>
                    <button type="submit" class="small quiet">"Sign out"</button>
                </PostForm>
            </div>
        }
    });
    me.tenant.map(|tenant| {
        view! {
            <header class="app-bar">
                <a class="workspace" href="/" data-testid="bar-workspace"
                    aria-current=(here == Section::Home).then_some("page")>{tenant.name}</a>
                {signed_in}
            </header>
        }
    })
}
