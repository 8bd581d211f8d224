use leptos::prelude::*;

use crate::dates::utc;

use super::{
    form::{ApiForm, ErrorCard, FormAction, FormError},
    revocable::{Revocable, RevocableTable},
    usage_chart::UsageChart,
};
use crate::{
    api::admin::{admin_panel, AdminRevokeDevice, RevokeSession, SaveSettings, SetRole},
    error::ApiError,
    model::{
        accounts::{RoleView, UserView},
        admin::{PanelView, SettingsView},
    },
};

/// The tenant admin panel: session and bridge settings, users and roles,
/// the audit log. Admins only; everyone else gets a 403 page.
#[component]
pub fn Admin() -> impl IntoView {
    let save = FormAction::<SaveSettings>::new();
    let set_role = FormAction::<SetRole>::new();
    let revoke_session = FormAction::<RevokeSession>::new();
    let revoke_device = FormAction::<AdminRevokeDevice>::new();
    // One resource for the whole panel: nested suspense boundaries hydrated
    // unreliably once the lists grew.
    let versions = move || {
        (
            save.version().get(),
            set_role.version().get(),
            revoke_session.version().get(),
            revoke_device.version().get(),
        )
    };
    let panel = Resource::new(versions, |_| admin_panel());
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match panel.await {
                    Err(e) => forbidden(e).into_any(),
                    Ok(PanelView { settings, users, audit, usage, sessions, devices, sign_in_events }) => view! {
                        <section class="card wide">
                            <h1>"Session settings"</h1>
                            <SettingsForm view=settings save/>
                        </section>
                        <section class="card wide">
                            <h2>"Users"</h2>
                            <UsersTable users set_role/>
                        </section>
                        <section class="card wide">
                            <h2>"Active sessions"</h2>
                            <RevocableTable testid="sessions" who="User" when="Last seen" field="handle" action=revoke_session
                                rows=sessions.into_iter().map(|s| Revocable::new(
                                    if s.current { format!("{} (you)", s.user) } else { s.user },
                                    s.last_seen, s.ip, s.user_agent, s.handle, true,
                                )).collect()/>
                        </section>
                        <section class="card wide">
                            <h2>"Bridge devices"</h2>
                            <RevocableTable testid="devices" who="User" when="Last used" field="device_id" action=revoke_device
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
fn UsersTable(users: Vec<UserView>, set_role: FormAction<SetRole>) -> impl IntoView {
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
                                <ApiForm action=set_role>
                                    <input type="hidden" name="user_id" value=u.id.to_string()/>
                                    <input type="hidden" name="role" value=target/>
                                    <button type="submit" class="small">{label}</button>
                                </ApiForm>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <FormError action=set_role/>
    }
}

fn forbidden(error: ApiError) -> impl IntoView {
    view! { <ErrorCard title="Admins only" error/> }
}

/// One input per setting, named `values[<key>]`; a refused save shows its
/// message next to the field it names.
#[component]
fn SettingsForm(view: SettingsView, save: FormAction<SaveSettings>) -> impl IntoView {
    let saved_warning = move || {
        save.value().with(|v| {
            v.as_ref()
                .and_then(|r| r.as_ref().ok())
                .map(|s| s.warning.clone())
        })
    };
    let initial_warning = view.warning.clone();
    let warning =
        Signal::derive(move || saved_warning().unwrap_or_else(|| initial_warning.clone()));
    let error_for = move |key: String| {
        Signal::derive(move || {
            save.value().with(|v| match v {
                Some(Err(e)) if e.message().starts_with(&format!("{key}:")) => {
                    Some(e.message().to_owned())
                }
                _ => None,
            })
        })
    };
    view! {
        <Show when=move || warning.get().is_some()>
            <p class="warning" role="alert" data-testid="crossing-warning">{move || warning.get()}</p>
        </Show>
        <ApiForm action=save>
            {view.fields.into_iter().map(|field| {
                let name = format!("values[{}]", field.key);
                let error = error_for(field.key.clone());
                let locked = field.locked.then_some(" — set by the operator of this installation");
                view! {
                    <label>
                        {field.key.clone()}
                        <small>{format!(" ({}{}){}", field.env, if field.overridden { ", overridden" } else { "" }, locked.unwrap_or_default())}</small>
                        <input name=name value=field.value readonly=field.locked/>
                        <Show when=move || error.get().is_some()>
                            <span class="error field-error" role="alert">{move || error.get()}</span>
                        </Show>
                    </label>
                }
            }).collect_view()}
            <button type="submit">"Save settings"</button>
        </ApiForm>
    }
}
