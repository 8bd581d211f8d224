//! Sessions and bridge devices: the admin panel's view of the whole
//! tenant's, and the pieces the Security page shares (one user's).

use std::collections::HashMap;

use tessera_backend::{
    accounts::{audit, users, User, UserId},
    bridge::{self, FamilyId},
    sessions::{SessionSummary, StoredId, TenantStore},
};

use super::{admin::require_admin, auth::bridge_error, context::TenantContext};
use crate::{
    error::ApiError,
    model::admin::{AdminDeviceView, SessionView},
};

async fn emails(ctx: &TenantContext) -> Result<HashMap<UserId, String>, ApiError> {
    let db = ctx.tenant.db.clone();
    Ok(users::list(&db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.email.to_string()))
        .collect())
}

pub(super) async fn store(ctx: &TenantContext) -> Result<TenantStore, ApiError> {
    let ring = ctx.platform.keys.ring().await;
    ctx.platform
        .session_store(&ctx.tenant, &ring, ctx.session.key())
        .map_err(|e| {
            tracing::error!(error = %e, "session store unavailable");
            ApiError::Unavailable("sessions are unavailable right now".into())
        })
}

pub(super) async fn summaries(
    ctx: &TenantContext,
    store: &TenantStore,
) -> Result<Vec<SessionSummary>, ApiError> {
    let records = store
        .list()
        .await
        .map_err(|e| ApiError::Unavailable(format!("sessions are unavailable right now: {e}")))?;
    Ok(records
        .into_iter()
        .filter_map(|(stored, record)| SessionSummary::of(stored, &record, ctx.tenant.tenant.id))
        .collect())
}

/// The tenant's sessions, or one user's (`owner`).
pub(super) async fn session_views(
    ctx: &TenantContext,
    owner: Option<UserId>,
) -> Result<Vec<SessionView>, ApiError> {
    let emails = emails(ctx).await?;
    let store = store(ctx).await?;
    // Sessions are named by their stored id: a keyed hash, never the id.
    let current = current(ctx, &store);
    let mut views: Vec<SessionView> = summaries(ctx, &store)
        .await?
        .into_iter()
        .filter(|s| owner.is_none_or(|owner| owner == s.user))
        .map(|s| SessionView {
            current: current.as_ref() == Some(&s.stored),
            handle: s.stored.as_str().to_owned(),
            user: emails
                .get(&s.user)
                .cloned()
                .unwrap_or_else(|| format!("user {}", s.user)),
            created_at: s.created_at,
            last_seen: s.seen_at,
            ip: s.ip,
            user_agent: s.user_agent,
        })
        .collect();
    views.sort_by_key(|v| std::cmp::Reverse(v.last_seen));
    Ok(views)
}

/// This request's own session, as the store names it.
pub(super) fn current(ctx: &TenantContext, store: &TenantStore) -> Option<StoredId> {
    ctx.session.id().map(|id| store.stored_id(&id))
}

/// The session a client names by its handle, if it is the tenant's (and,
/// with `owner`, that user's).
pub(super) async fn find_session(
    ctx: &TenantContext,
    store: &TenantStore,
    handle: &str,
    owner: Option<UserId>,
) -> Result<SessionSummary, ApiError> {
    let wanted = StoredId::from_stored(handle);
    summaries(ctx, store)
        .await?
        .into_iter()
        .find(|s| wanted.as_ref() == Some(&s.stored) && owner.is_none_or(|owner| owner == s.user))
        .ok_or_else(|| ApiError::NotFound("no such session".into()))
}

/// Ends a session and the bridge device it belongs to, so that no token
/// brings back a session someone revoked. This request's own device is
/// left alone (it is the browser asking; signing out ends it).
pub(super) async fn end(
    ctx: &TenantContext,
    store: &TenantStore,
    session: &SessionSummary,
    reason: &str,
) -> Result<(), ApiError> {
    store
        .remove(&session.stored)
        .await
        .map_err(|e| ApiError::Unavailable(e.to_string()))?;
    let Some(family) = &session.family else {
        return Ok(());
    };
    if ctx.session.bridge_family().await?.as_ref() == Some(family) {
        return Ok(());
    }
    bridge::revoke(
        &ctx.tenant.db,
        ctx.announce(),
        family,
        reason,
        ctx.device().ip.as_deref(),
    )
    .await
    .map_err(bridge_error)
}

/// Every session and bridge device of `user` but this request's own: the
/// Security page's "sign out everywhere else" and the admin's "sign out".
pub(super) async fn end_all_of(
    ctx: &TenantContext,
    user: UserId,
    reason: &str,
) -> Result<(), ApiError> {
    let store = store(ctx).await?;
    let this_session = current(ctx, &store);
    for other in summaries(ctx, &store)
        .await?
        .into_iter()
        .filter(|s| s.user == user && Some(&s.stored) != this_session.as_ref())
    {
        end(ctx, &store, &other, reason).await?;
    }
    let db = &ctx.tenant.db;
    let this_device = ctx.session.bridge_family().await?;
    let ip = ctx.device().ip;
    for other in bridge::devices(db, Some(user))
        .await?
        .into_iter()
        .filter(|d| Some(&d.family) != this_device.as_ref())
    {
        bridge::revoke(db, ctx.announce(), &other.family, reason, ip.as_deref())
            .await
            .map_err(bridge_error)?;
    }
    Ok(())
}

pub async fn sessions() -> Result<Vec<SessionView>, ApiError> {
    let (ctx, _) = require_admin().await?;
    session_views(&ctx, None).await
}

pub async fn revoke_session(target: String) -> Result<Vec<SessionView>, ApiError> {
    let (ctx, admin) = require_admin().await?;
    let store = store(&ctx).await?;
    let found = find_session(&ctx, &store, &target, None).await?;
    end(&ctx, &store, &found, "session revoked by an admin").await?;
    record(
        &ctx,
        &admin,
        "session revoked",
        &format!("a session of user {}", found.user),
    )
    .await?;
    session_views(&ctx, None).await
}

pub(super) async fn device_views(ctx: &TenantContext) -> Result<Vec<AdminDeviceView>, ApiError> {
    let emails = emails(ctx).await?;
    let db = ctx.tenant.db.clone();
    Ok(bridge::devices(&db, None)
        .await?
        .into_iter()
        .map(|d| AdminDeviceView {
            id: d.family.as_str().to_owned(),
            user: emails
                .get(&d.user)
                .cloned()
                .unwrap_or_else(|| format!("user {}", d.user)),
            last_used_at: d.last_used_at,
            ip: d.ip,
            user_agent: d.user_agent,
        })
        .collect())
}

pub async fn devices() -> Result<Vec<AdminDeviceView>, ApiError> {
    let (ctx, _) = require_admin().await?;
    device_views(&ctx).await
}

pub async fn revoke_device(device_id: String) -> Result<Vec<AdminDeviceView>, ApiError> {
    let (ctx, admin) = require_admin().await?;
    let db = ctx.tenant.db.clone();
    let family = FamilyId::from_client(&device_id);
    if !bridge::family_is_live(&db, &family).await? {
        return Err(ApiError::NotFound("no such device".into()));
    }
    bridge::revoke(
        &db,
        ctx.announce(),
        &family,
        "revoked by an admin",
        ctx.device().ip.as_deref(),
    )
    .await
    .map_err(bridge_error)?;
    record(&ctx, &admin, "device revoked", "a bridge device").await?;
    device_views(&ctx).await
}

async fn record(
    ctx: &TenantContext,
    admin: &User,
    action: &str,
    detail: &str,
) -> Result<(), ApiError> {
    let db = ctx.tenant.db.clone();
    Ok(audit::record(&db, admin, action, detail).await?)
}
