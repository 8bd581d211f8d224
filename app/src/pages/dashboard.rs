use leptos::prelude::*;

use super::{
    app_bar::{AppBar, Section},
    form::ErrorCard,
};
use crate::{api::auth::this_visitor, model::accounts::RoleView};

#[component]
pub fn Dashboard() -> impl IntoView {
    match this_visitor() {
        Ok(me) => view! {
            <AppBar me=me.clone() here=Section::Dashboard/>
            {match (me.tenant, me.user) {
                (Some(tenant), Some(user)) => view! {
                    <section class="card">
                        <h1 data-testid="signed-in">
                            {format!("Signed in to {} as {}", tenant.slug, user.email)}
                        </h1>
                        <p>{format!("{} · {}", user.name, user.role.label())}</p>
                        <p><a href="/security">"Security: your sessions and devices"</a></p>
                        {(user.role == RoleView::Admin).then(|| view! {
                            <p><a href="/admin">"Admin panel: settings, users and sessions"</a></p>
                        })}
                    </section>
                }.into_any(),
                _ => view! {
                    <section class="card">
                        <h1 data-testid="signed-out">"You are not signed in"</h1>
                        <p><a class="button" href="/login">"Sign in"</a></p>
                    </section>
                }.into_any(),
            }}
        }
        .into_any(),
        Err(error) => view! { <ErrorCard title="Dashboard" error/> }.into_any(),
    }
}
