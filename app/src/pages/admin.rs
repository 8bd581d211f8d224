use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{
    app_bar::{AppBar, Section},
    form::{Endpoint, ErrorCard, RowAction, SentBackError},
    revocable::{Detail, Revocable, RevocableTable},
    settings_form::SettingsForm,
    step_up::StepUp,
    usage_chart::UsageChart,
};
use crate::{
    api::{admin::admin_panel, auth::this_visitor},
    dates::utc,
    model::{
        accounts::{RoleView, UserView},
        admin::{BridgeHoldersView, Page, PanelView},
    },
};

/// The tenant admin panel: session and bridge settings, users and roles,
/// sessions and devices, bridge usage, failed sign-ins and the audit log.
/// Admins only; everyone else gets a 403 page.
///
/// The page's data is an `AsyncDerived`, not a `Resource`: a resource first
/// polled while any thread of the process generates a route list
/// (leptos_server's process-wide `IS_SUPPRESSING_RESOURCE_LOAD`) waits
/// forever, and pages render on the server only, so a resource's
/// serialisation would bring nothing. It is made outside `Suspense`'s
/// children, which server rendering runs twice: the server function is
/// called once.
#[component]
pub fn Admin() -> impl IntoView {
    let query = use_query_map().read_untracked();
    let saved = query.get("saved").as_deref() == Some("settings");
    let at = |list: &str| query.get(list).and_then(|n| n.parse::<u32>().ok());
    let pages = Pages {
        sessions: at("sessions_page"),
        devices: at("devices_page"),
    };
    let panel = AsyncDerived::new(move || admin_panel(pages.sessions, pages.devices));
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let visitor = this_visitor().ok();
                let me = visitor.as_ref().and_then(|v| v.user.as_ref()).map(|u| u.id);
                let bar = visitor.map(|me| view! { <AppBar me here=Section::Admin/> });
                match panel.await {
                    Err(error) => view! { {bar} <ErrorCard title="Admins only" error/> }.into_any(),
                    Ok(PanelView { step_up, settings, users, audit, usage, usage_by_role, holders, sessions, devices, sign_in_events }) => view! {
                        {bar}
                        <StepUp due=step_up/>
                        <nav class="on-this-page" aria-label="On this page">
                            <a href="#settings">"Settings"</a>
                            <a href="#users">"Users"</a>
                            <a href="#sessions">"Sessions"</a>
                            <a href="#devices">"Devices"</a>
                            <a href="#bridge">"Bridge usage"</a>
                            <a href="#sign-ins">"Failed sign-ins"</a>
                            <a href="#audit">"Audit log"</a>
                        </nav>
                        <section class="card wide" id="settings" aria-labelledby="settings-title">
                            <h1 id="settings-title">"Session settings"</h1>
                            <p>"How sessions behave in this workspace. Changes apply to the next request."</p>
                            {saved.then(|| view! {
                                <p class="notice" role="status" data-testid="saved">"Settings saved."</p>
                            })}
                            <SettingsForm view=settings/>
                        </section>
                        <section class="card wide" id="users" aria-labelledby="users-title">
                            <h2 id="users-title">"Users"</h2>
                            <UsersTable users me/>
                        </section>
                        <section class="card wide" id="sessions" aria-labelledby="sessions-title">
                            <h2 id="sessions-title">"Active sessions"</h2>
                            <RevocableTable testid="sessions" who="User" when="Last seen" field="handle"
                                thing="session" confirm="Revoke this session? That browser is signed out on its next request."
                                endpoint=Endpoint::RevokeSession detail=Detail::SIGNED_IN_WITH
                                rows=sessions.rows.iter().cloned().map(|s| Revocable::new(
                                    if s.current { format!("{} (you)", s.user) } else { s.user },
                                    s.last_seen, s.ip, s.user_agent, s.handle, true,
                                ).with_detail(s.assurance.describe())).collect()/>
                            {pager(&sessions, "sessions", |n| pages.with_sessions(n))}
                        </section>
                        <section class="card wide" id="devices" aria-labelledby="devices-title">
                            <h2 id="devices-title">"Bridge devices"</h2>
                            <RevocableTable testid="devices" who="User" when="Last used" field="device_id"
                                thing="device" confirm="Revoke this device? Its sign-in can no longer be restored and its sessions end."
                                endpoint=Endpoint::AdminRevokeDevice
                                rows=devices.rows.iter().cloned().map(|d| Revocable::new(
                                    d.user, Some(d.last_used_at), d.ip, d.user_agent, d.id, true,
                                )).collect()/>
                            {pager(&devices, "devices", |n| pages.with_devices(n))}
                        </section>
                        <section class="card wide" id="bridge" aria-labelledby="bridge-title">
                            <h2 id="bridge-title">"Session bridge, last 14 days"</h2>
                            <UsageChart usage/>
                            <details data-testid="usage-by-role">
                                <summary>"Split by role"</summary>
                                {usage_by_role.into_iter().map(|c| view! {
                                    <h3>{format!("Cohort: {}", c.cohort)}</h3>
                                    <UsageChart usage=c.usage cohort=c.cohort/>
                                }).collect_view()}
                            </details>
                            <BridgeHolders holders/>
                        </section>
                        <section class="card wide" id="sign-ins" aria-labelledby="sign-ins-title">
                            <h2 id="sign-ins-title">"Failed sign-ins"</h2>
                            {sign_in_events.is_empty().then(|| view! { <p class="empty">"No failed sign-ins."</p> })}
                            <ul class="audit" data-testid="sign-in-events">
                                {sign_in_events.into_iter().map(|e| view! {
                                    <li>
                                        <time>{utc(e.at)}</time>
                                        <span>{format!(" {} — {} from {}", e.kind, e.email, e.ip.unwrap_or_default())}</span>
                                    </li>
                                }).collect_view()}
                            </ul>
                        </section>
                        <section class="card wide" id="audit" aria-labelledby="audit-title">
                            <h2 id="audit-title">"Audit log"</h2>
                            <ul class="audit" data-testid="audit">
                                {audit.into_iter().map(|e| view! {
                                    <li>
                                        <time>{utc(e.at)}</time>
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

/// The pages of the sessions and devices lists this view shows.
#[derive(Debug, Clone, Copy)]
struct Pages {
    sessions: Option<u32>,
    devices: Option<u32>,
}

impl Pages {
    fn href(self) -> String {
        let mut query = Vec::new();
        if let Some(n) = self.sessions {
            query.push(format!("sessions_page={n}"));
        }
        if let Some(n) = self.devices {
            query.push(format!("devices_page={n}"));
        }
        format!("/admin?{}", query.join("&"))
    }

    fn with_sessions(self, n: u32) -> String {
        let href = Pages {
            sessions: Some(n),
            ..self
        }
        .href();
        format!("{href}#sessions")
    }

    fn with_devices(self, n: u32) -> String {
        let href = Pages {
            devices: Some(n),
            ..self
        }
        .href();
        format!("{href}#devices")
    }
}

/// Which rows of how many a list shows, and links to its neighbours.
fn pager<T>(page: &Page<T>, thing: &'static str, link: impl Fn(u32) -> String) -> impl IntoView {
    let first = u64::from(page.page - 1) * u64::from(page.per_page) + 1;
    let last = first + page.rows.len() as u64 - 1;
    let shown = if page.rows.is_empty() {
        format!("No {thing} on this page; {} in all.", page.total)
    } else {
        format!(
            "{first}–{last} of {} {thing}, the most recent first.",
            page.total
        )
    };
    let previous = page
        .previous()
        .map(|n| view! { <a href=link(n) rel="prev">"← Newer"</a> });
    let next = page
        .next()
        .map(|n| view! { <a href=link(n) rel="next">"Older →"</a> });
    view! {
        <nav class="pager" aria-label=format!("Pages of {thing}")>
            <span>{shown}</span>
            {previous}
            {next}
        </nav>
    }
}

#[component]
fn UsersTable(users: Vec<UserView>, me: Option<i64>) -> impl IntoView {
    view! {
        <div class="table-wrap">
        <table class="admin-table" data-testid="users">
            <thead><tr><th scope="col">"Email"</th><th scope="col">"Name"</th><th scope="col">"Role"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
            <tbody>
                {users.into_iter().map(|u| {
                    let (label, target) = match u.role {
                        RoleView::Admin => ("Make member", "member"),
                        RoleView::Member => ("Make admin", "admin"),
                    };
                    let name = format!("{label}: {}", u.email);
                    let sign_out = format!("Sign out everywhere: {}", u.email);
                    // One's own sessions end from the Security page.
                    let others = (Some(u.id) != me).then(|| view! {
                        <RowAction endpoint=Endpoint::SignOutUser label="Sign out everywhere"
                            name=sign_out danger=true
                            confirm="End every session and bridge device of this user? They sign in again on their next visit."
                            fields=vec![("user_id", u.id.to_string())]/>
                    });
                    view! {
                        <tr>
                            <td data-label="Email">{u.email}</td>
                            <td data-label="Name">{u.name}</td>
                            <td data-label="Role">{u.role.label()}</td>
                            <td class="actions">
                                <RowAction endpoint=Endpoint::SetRole label name
                                    fields=vec![("user_id", u.id.to_string()), ("role", target.to_owned())]/>
                                {others}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        </div>
        <SentBackError endpoint=Endpoint::SetRole/>
        <SentBackError endpoint=Endpoint::SignOutUser/>
    }
}

/// Who has the bridge under `bridge.rollout`, with the reason.
#[component]
fn BridgeHolders(holders: BridgeHoldersView) -> impl IntoView {
    let shown = holders.first.len();
    view! {
        <h3>"Who has the session bridge"</h3>
        <p data-testid="bridge-holders-count">
            {format!("{} of {} people ({})", holders.count, holders.users, holders.rollout)}
        </p>
        <div class="table-wrap">
            <table class="admin-table" data-testid="bridge-holders">
                <thead><tr><th scope="col">"User"</th><th scope="col">"Why"</th></tr></thead>
                <tbody>
                    {holders.first.into_iter().map(|h| view! {
                        <tr><td>{format!("{} <{}>", h.name, h.email)}</td><td>{h.reason}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        {(u64::try_from(shown).unwrap_or(0) < holders.count).then(|| view! {
            <p>{format!("The first {shown} by sign-up are shown.")}</p>
        })}
    }
}
