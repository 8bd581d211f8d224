//! The tenant admin panel's server side. Every function starts with
//! `require_admin`, so a non-admin gets 403 from each endpoint, not only
//! from the page.

use std::collections::BTreeMap;

use tessera_backend::{
    accounts::{audit, sign_in_events, users, Role, UserId},
    bridge::{
        self,
        rollout::{self, Whose},
    },
    factors,
    settings::{Fence, Key, TenantSettings, CROSSING_WARNING},
    tenancy::directory::Editor,
};

use super::{
    admin_sessions,
    auth::user_view,
    context::TenantContext,
    guard::{require_admin, require_privileged_admin},
    setting_fields,
};
use crate::{
    dates,
    error::ApiError,
    model::{
        accounts::{RoleView, SecondFactorDue, UserView},
        admin::{
            AuditEntryView, BridgeHoldersView, HolderView, PanelView, SettingsView,
            SignInEventView, UsageCohort, UsageDay,
        },
    },
};

fn view_of(
    effective: &TenantSettings,
    defaults: &TenantSettings,
    overridden: impl Fn(Key) -> bool,
    fence: &Fence,
) -> SettingsView {
    SettingsView {
        fields: Key::ALL
            .iter()
            .copied()
            .map(|key| {
                setting_fields::field(
                    key,
                    effective,
                    defaults,
                    overridden(key),
                    !fence.editable(key),
                )
            })
            .collect(),
        warning: effective
            .lets_sessions_cross_tenants()
            .then(|| CROSSING_WARNING.to_owned()),
    }
}

/// Everything at once, behind one admin check; the sessions and devices
/// lists at the pages asked for.
pub async fn panel(
    sessions_page: Option<u32>,
    devices_page: Option<u32>,
) -> Result<PanelView, ApiError> {
    let (ctx, admin) = require_admin().await?;
    Ok(PanelView {
        step_up: {
            let enrolled = factors::enrolled(&ctx.tenant.db, admin.id).await?;
            SecondFactorDue::of(enrolled.totp, enrolled.passkeys)
        },
        settings: settings_view(&ctx).await?,
        users: users_view(&ctx).await?,
        audit: audit_view(&ctx).await?,
        usage: usage_view(&ctx, None).await?,
        usage_by_role: vec![
            UsageCohort {
                cohort: "admins".into(),
                usage: usage_view(&ctx, Some(Role::Admin)).await?,
            },
            UsageCohort {
                cohort: "members".into(),
                usage: usage_view(&ctx, Some(Role::Member)).await?,
            },
        ],
        holders: holders_view(&ctx).await?,
        sessions: admin_sessions::session_page(&ctx, sessions_page).await?,
        devices: admin_sessions::device_page(&ctx, devices_page).await?,
        sign_in_events: sign_in_events_view(&ctx).await?,
    })
}

async fn sign_in_events_view(ctx: &TenantContext) -> Result<Vec<SignInEventView>, ApiError> {
    let db = ctx.tenant.db.clone();
    Ok(sign_in_events::recent(&db, 50)
        .await?
        .into_iter()
        .map(|e| SignInEventView {
            at: e.at,
            kind: e.kind,
            email: e.email,
            ip: e.ip,
        })
        .collect())
}

async fn settings_view(ctx: &TenantContext) -> Result<SettingsView, ApiError> {
    let (effective, overrides) = ctx
        .platform
        .directory
        .settings(&ctx.tenant.tenant.slug)
        .await?;
    Ok(view_of(
        &effective,
        ctx.platform.directory.defaults(),
        |k| overrides.get(k).is_some(),
        ctx.platform.directory.fence(),
    ))
}

pub async fn settings() -> Result<SettingsView, ApiError> {
    let (ctx, _) = require_admin().await?;
    settings_view(&ctx).await
}

pub async fn save_settings(
    mut values: BTreeMap<String, String>,
    switches: BTreeMap<String, String>,
    reset: BTreeMap<String, String>,
) -> Result<SettingsView, ApiError> {
    let (ctx, admin) = require_privileged_admin().await?;
    let directory = &ctx.platform.directory;
    let defaults = directory.defaults();
    for name in switches.into_keys() {
        values.entry(name).or_insert_with(|| "false".to_owned());
    }
    for name in reset.into_keys() {
        values.insert(name, String::new());
    }
    let mut changes = Vec::new();
    for (name, value) in values {
        let key = Key::from_name(&name)
            .ok_or_else(|| ApiError::BadRequest(format!("{name}: unknown setting")))?;
        // The default's own value means "no override".
        let value = if value.trim() == defaults.get(key) {
            String::new()
        } else {
            value
        };
        changes.push((key, value));
    }
    let change = ctx
        .platform
        .save_settings(&ctx.tenant.tenant.slug, &changes, Editor::TenantAdmin)
        .await?;
    let db = directory.db(&ctx.tenant.tenant).await?;
    for (key, old, new) in change.differences() {
        audit::record(
            &db,
            &ctx.platform.clock,
            &admin,
            "setting changed",
            &format!("{key}: {old} → {new}"),
        )
        .await?;
    }
    crate::error::navigation::after_success("/admin?saved=settings");
    settings_view(&ctx).await
}

async fn users_view(ctx: &TenantContext) -> Result<Vec<UserView>, ApiError> {
    let db = ctx.tenant.db.clone();
    Ok(users::list(&db).await?.iter().map(user_view).collect())
}

pub async fn users() -> Result<Vec<UserView>, ApiError> {
    let (ctx, _) = require_admin().await?;
    users_view(&ctx).await
}

pub async fn set_role(user_id: i64, role: RoleView) -> Result<Vec<UserView>, ApiError> {
    let (ctx, admin) = require_privileged_admin().await?;
    let db = ctx.tenant.db.clone();
    let role = match role {
        RoleView::Admin => Role::Admin,
        RoleView::Member => Role::Member,
    };
    let changed = users::set_role(&db, ctx.announce(), UserId::new(user_id), role).await?;
    // Under a rollout by role, a new role may take the bridge away.
    let policy = ctx.tenant.settings.bridge.rollout;
    let whose = Whose::User(changed.id);
    rollout::revoke_departed(&db, ctx.announce(), &ctx.platform.clock, policy, whose).await?;
    audit::record(
        &db,
        &ctx.platform.clock,
        &admin,
        "role changed",
        &format!("{}: → {}", changed.email, role.as_str()),
    )
    .await?;
    users_view(&ctx).await
}

pub async fn sign_out_user(user_id: i64) -> Result<Vec<UserView>, ApiError> {
    let (ctx, admin) = require_admin().await?;
    let db = ctx.tenant.db.clone();
    let Some(user) = users::find(&db, UserId::new(user_id)).await? else {
        return Err(ApiError::NotFound("no such user".into()));
    };
    if user.id == admin.id {
        return Err(ApiError::Conflict(
            "to end your own other sessions, use \"Sign out everywhere else\" on your Security page"
                .into(),
        ));
    }
    admin_sessions::end_all_of(&ctx, user.id, "signed out by an admin").await?;
    audit::record(
        &db,
        &ctx.platform.clock,
        &admin,
        "user signed out everywhere",
        &user.email.to_string(),
    )
    .await?;
    users_view(&ctx).await
}

pub async fn audit() -> Result<Vec<AuditEntryView>, ApiError> {
    let (ctx, _) = require_admin().await?;
    audit_view(&ctx).await
}

async fn audit_view(ctx: &TenantContext) -> Result<Vec<AuditEntryView>, ApiError> {
    let db = ctx.tenant.db.clone();
    Ok(audit::recent(&db, 100)
        .await?
        .into_iter()
        .map(|e| AuditEntryView {
            at: e.at,
            actor: e.actor_email,
            action: e.action,
            detail: e.detail,
        })
        .collect())
}

pub async fn bridge_usage(cohort: Option<String>) -> Result<Vec<UsageDay>, ApiError> {
    let (ctx, _) = require_admin().await?;
    let role = match cohort.as_deref() {
        None | Some("" | "everyone") => None,
        Some("admins") => Some(Role::Admin),
        Some("members") => Some(Role::Member),
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "cohort: expected admins or members, got {other:?}"
            )))
        }
    };
    usage_view(&ctx, role).await
}

/// Who has the bridge under the rollout: how many, and the first fifty.
async fn holders_view(ctx: &TenantContext) -> Result<BridgeHoldersView, ApiError> {
    let rollout = ctx.tenant.settings.bridge.rollout;
    let tenant = ctx.tenant.tenant.id;
    let holders = rollout::holders(&ctx.tenant.db, rollout, tenant, 50).await?;
    Ok(BridgeHoldersView {
        rollout: ctx.tenant.settings.get(Key::BridgeRollout),
        count: holders.count,
        users: holders.users,
        first: holders
            .first
            .into_iter()
            .map(|(user, admission)| HolderView {
                email: user.email.to_string(),
                name: user.name,
                reason: admission.describe(),
            })
            .collect(),
    })
}

async fn usage_view(ctx: &TenantContext, cohort: Option<Role>) -> Result<Vec<UsageDay>, ApiError> {
    let db = ctx.tenant.db.clone();
    Ok(bridge::usage(&db, &ctx.platform.clock, 14, cohort)
        .await?
        .into_iter()
        .map(|d| UsageDay {
            date: dates::date(d.day * 86_400),
            restores: d.restores,
            refreshes: d.refreshes,
            failures: d.failures,
            revocations: d.revocations,
        })
        .collect())
}
