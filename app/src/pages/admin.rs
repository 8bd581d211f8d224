use leptos::prelude::*;

use crate::dates::utc;

use super::{
    form::{sent_back, Endpoint, ErrorCard, PostForm, SentBackError},
    revocable::{Revocable, RevocableTable},
    settings_form::SettingsForm,
    usage_chart::UsageChart,
};
use crate::{
    api::admin::admin_panel,
    error::ApiError,
    model::{
        accounts::{RoleView, UserView},
        admin::PanelView,
    },
};

/// The tenant admin panel: session and bridge settings, users and roles,
/// the audit log. Admins only; everyone else gets a 403 page.
#[component]
pub fn Admin() -> impl IntoView {
    let panel = Resource::new(|| (), |_| admin_panel());
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match panel.await {
                    Err(e) => forbidden(e).into_any(),
                    Ok(PanelView { settings, users, audit, usage, sessions, devices, sign_in_events }) => view! {
                        <section class="card wide">
                            <h1>"Session settings"</h1>
                            <SettingsForm view=settings sent_back=sent_back(Endpoint::SaveSettings)/>
                        </section>
                        <section class="card wide">
                            <h2>"Users"</h2>
                            <UsersTable users/>
                        </section>
                        <section class="card wide">
                            <h2>"Active sessions"</h2>
                            <RevocableTable testid="sessions" who="User" when="Last seen" field="handle" endpoint=Endpoint::RevokeSession
                                rows=sessions.into_iter().map(|s| Revocable::new(
                                    if s.current { format!("{} (you)", s.user) } else { s.user },
                                    s.last_seen, s.ip, s.user_agent, s.handle, true,
                                )).collect()/>
                        </section>
                        <section class="card wide">
                            <h2>"Bridge devices"</h2>
                            <RevocableTable testid="devices" who="User" when="Last used" field="device_id" endpoint=Endpoint::AdminRevokeDevice
                                rows=devices.into_iter().map(|d| Revocable::new(
                                    d.user, Some(d.last_used_at), d.ip, d.user_agent, d.id, true,
                                )).collect()/>
                        </section>
                        <section class="card wide">
                            <h2>"Session bridge, last 14 days"</h2>
                            <UsageChart usage/>
                        </section>
                        <section class="card wide">
                            <h2>"Failed sign-ins"</h2>
                            {sign_in_events.is_empty().then(|| view! { <p>"No failed sign-ins."</p> })}
                            <ul class="audit" data-testid="sign-in-events">
                                {sign_in_events.into_iter().map(|e| view! {
                                    <li>
                                        <code>{utc(e.at)}</code>
                                        <span>{format!(" {} — {} from {}", e.kind, e.email, e.ip.unwrap_or_default())}</span>
                                    </li>
                                }).collect_view()}
                            </ul>
                        </section>
                        <section class="card wide">
                            <h2>"Audit log"</h2>
                            <ul class="audit" data-testid="audit">
                                {audit.into_iter().map(|e| view! {
                                    <li>
                                        <code>{utc(e.at)}</code>
                                        <span>{format!(" {}: {} — {}", e.actor, e.action, e.detail)}</span>
                                    </li>
                                }).collect_view()}
                            </ul>
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn UsersTable(users: Vec<UserView>) -> impl IntoView {
    view! {
        <table class="admin-table" data-testid="users">
            // Explicit thead/tbody: a browser adds tbody itself, and
            // hydration must find the DOM it rendered.
            <thead><tr><th>"Email"</th><th>"Name"</th><th>"Role"</th><th></th></tr></thead>
            <tbody>
                {users.into_iter().map(|u| {
                    let (label, target) = match u.role {
                        RoleView::Admin => ("Make member", "member"),
                        RoleView::Member => ("Make admin", "admin"),
                    };
                    view! {
                        <tr>
                            <td>{u.email}</td>
                            <td>{u.name}</td>
                            <td>{u.role.label()}</td>
                            <td>
                                <PostForm endpoint=Endpoint::SetRole quiet=true>
                                    <input type="hidden" name="user_id" value=u.id.to_string()/>
                                    <input type="hidden" name="role" value=target/>
                                    <button type="submit" class="small">{label}</button>
                                </PostForm>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <SentBackError endpoint=Endpoint::SetRole/>
    }
}

fn forbidden(error: ApiError) -> impl IntoView {
    view! { <ErrorCard title="Admins only" error/> }
}
