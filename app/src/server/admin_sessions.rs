//! Sessions and bridge devices: the admin panel's pages of the whole
//! tenant's, and the pieces the Security page shares (one user's). Every
//! read is bounded: one user's rows by index (`TenantStore::of_user`,
//! `bridge::devices`), the admin's a page of fifty with a total, a revoke
//! by its handle alone.

use std::collections::HashMap;

use tessera_backend::{
    accounts::{audit, users, User, UserId},
    bridge::{self, FamilyId, FamilyState},
    sessions::{totals::Listing, Assurance, Level, Method, SessionSummary, StoredId, TenantStore},
};

use super::{context::TenantContext, guard::require_admin};
use crate::{
    error::ApiError,
    model::admin::{AdminDeviceView, AssuranceView, LevelView, Page, ProofView, SessionView},
};

fn unavailable(e: impl std::fmt::Display) -> ApiError {
    ApiError::Unavailable(format!("sessions are unavailable right now: {e}"))
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

/// The emails of the users these rows name.
async fn emails(
    ctx: &TenantContext,
    users: impl IntoIterator<Item = UserId>,
) -> Result<HashMap<UserId, String>, ApiError> {
    Ok(users::emails(&ctx.tenant.db, users).await?)
}

fn email(emails: &HashMap<UserId, String>, user: UserId) -> String {
    emails
        .get(&user)
        .cloned()
        .unwrap_or_else(|| format!("user {user}"))
}

/// Sessions as the pages show them, this request's marked.
fn views(
    ctx: &TenantContext,
    store: &TenantStore,
    sessions: Vec<SessionSummary>,
    emails: &HashMap<UserId, String>,
) -> Vec<SessionView> {
    // Sessions are named by their stored id: a keyed hash, never the id.
    let current = current(ctx, store);
    sessions
        .into_iter()
        .map(|s| SessionView {
            current: current.as_ref() == Some(&s.stored),
            handle: s.stored.as_str().to_owned(),
            user: email(emails, s.user),
            created_at: s.created_at,
            last_seen: s.seen_at,
            ip: s.ip,
            user_agent: s.user_agent,
            assurance: assurance_view(&s.assurance),
            device: s.family.map(|f| f.as_str().to_owned()),
        })
        .collect()
}

fn assurance_view(assurance: &Assurance) -> AssuranceView {
    AssuranceView {
        level: match assurance.level() {
            Level::OneFactor => LevelView::OneFactor,
            Level::TwoFactors => LevelView::TwoFactors,
        },
        methods: assurance
            .methods()
            .into_iter()
            .map(|method| match method {
                Method::Password => ProofView::Password,
                Method::Totp => ProofView::Totp,
                Method::RecoveryCode => ProofView::RecoveryCode,
                Method::Passkey => ProofView::Passkey,
                Method::BridgeRestore => ProofView::BridgeRestore,
            })
            .collect(),
    }
}

/// One user's sessions, the most recently seen first.
pub(super) async fn sessions_of(
    ctx: &TenantContext,
    user: &User,
) -> Result<Vec<SessionView>, ApiError> {
    let store = store(ctx).await?;
    let mut sessions = store.of_user(user.id).await.map_err(unavailable)?;
    sessions.sort_by_key(|s| std::cmp::Reverse(s.seen_at));
    let emails = HashMap::from([(user.id, user.email.to_string())]);
    Ok(views(ctx, &store, sessions, &emails))
}

/// Page `page` (from 1) of the tenant's sessions, and their total.
pub(super) async fn session_page(
    ctx: &TenantContext,
    page: Option<u32>,
) -> Result<Page<SessionView>, ApiError> {
    let store = store(ctx).await?;
    let (page, offset) = page_at(page);
    let sessions = store
        .page(offset, u64::from(Page::<SessionView>::SIZE))
        .await
        .map_err(unavailable)?;
    let total = ctx
        .platform
        .totals
        .get((ctx.tenant.tenant.id, Listing::Sessions), store.count())
        .await
        .map_err(unavailable)?;
    let emails = emails(ctx, sessions.iter().map(|s| s.user)).await?;
    Ok(Page {
        rows: views(ctx, &store, sessions, &emails),
        total,
        page,
        per_page: Page::<SessionView>::SIZE,
    })
}

/// The page number asked for (1 when none or 0), and the rows before it.
fn page_at(page: Option<u32>) -> (u32, u64) {
    let page = page.unwrap_or(1).max(1);
    (
        page,
        u64::from(page - 1) * u64::from(Page::<SessionView>::SIZE),
    )
}

/// This request's own session, as the store names it.
pub(super) fn current(ctx: &TenantContext, store: &TenantStore) -> Option<StoredId> {
    ctx.session.id().map(|id| store.stored_id(&id))
}

/// The session a client names by its handle, if it is the tenant's (and,
/// with `owner`, that user's): read by its handle alone.
pub(super) async fn find_session(
    store: &TenantStore,
    handle: &str,
    owner: Option<UserId>,
) -> Result<SessionSummary, ApiError> {
    let not_found = || ApiError::NotFound("no such session".into());
    let stored = StoredId::from_stored(handle).ok_or_else(not_found)?;
    store
        .summary(&stored)
        .await
        .map_err(unavailable)?
        .filter(|s| owner.is_none_or(|owner| owner == s.user))
        .ok_or_else(not_found)
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
        &ctx.platform.clock,
        family,
        reason,
        ctx.device().ip.as_deref(),
    )
    .await?;
    Ok(())
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
    for other in store
        .of_user(user)
        .await
        .map_err(unavailable)?
        .into_iter()
        .filter(|s| Some(&s.stored) != this_session.as_ref())
    {
        end(ctx, &store, &other, reason).await?;
    }
    let db = &ctx.tenant.db;
    let this_device = ctx.session.bridge_family().await?;
    let ip = ctx.device().ip;
    for other in bridge::devices(db, &ctx.platform.clock, user)
        .await?
        .into_iter()
        .filter(|d| Some(&d.family) != this_device.as_ref())
    {
        bridge::revoke(
            db,
            ctx.announce(),
            &ctx.platform.clock,
            &other.family,
            reason,
            ip.as_deref(),
        )
        .await?;
    }
    Ok(())
}

/// A change to how the person signs in (a factor, the password): audited,
/// and every other session and device of theirs ends (ASVS 7.4.3): whoever
/// else was signed in as them signed in under the old rules.
pub(super) async fn sign_in_changed(
    ctx: &TenantContext,
    user: &User,
    action: &str,
    detail: &str,
) -> Result<(), ApiError> {
    end_all_of(ctx, user.id, action).await?;
    let db = ctx.tenant.db.clone();
    audit::record(&db, &ctx.platform.clock, user, action, detail).await?;
    Ok(())
}

pub async fn sessions(page: Option<u32>) -> Result<Page<SessionView>, ApiError> {
    let (ctx, _) = require_admin().await?;
    session_page(&ctx, page).await
}

pub async fn revoke_session(target: String) -> Result<Page<SessionView>, ApiError> {
    let (ctx, admin) = require_admin().await?;
    let store = store(&ctx).await?;
    let found = find_session(&store, &target, None).await?;
    end(&ctx, &store, &found, "session revoked by an admin").await?;
    record(
        &ctx,
        &admin,
        "session revoked",
        &format!("a session of user {}", found.user),
    )
    .await?;
    session_page(&ctx, None).await
}

/// Page `page` (from 1) of the tenant's bridge devices, and their total.
pub(super) async fn device_page(
    ctx: &TenantContext,
    page: Option<u32>,
) -> Result<Page<AdminDeviceView>, ApiError> {
    let db = ctx.tenant.db.clone();
    let (page, offset) = page_at(page);
    let devices = bridge::newest_devices(
        &db,
        &ctx.platform.clock,
        offset,
        u64::from(Page::<AdminDeviceView>::SIZE),
    )
    .await?;
    let (counted, clock) = (db.clone(), ctx.platform.clock.clone());
    let total = ctx
        .platform
        .totals
        .get((ctx.tenant.tenant.id, Listing::Devices), async move {
            bridge::count_devices(&counted, &clock).await
        })
        .await?;
    let emails = emails(ctx, devices.iter().map(|d| d.user)).await?;
    Ok(Page {
        rows: devices
            .into_iter()
            .map(|d| AdminDeviceView {
                id: d.family.as_str().to_owned(),
                user: email(&emails, d.user),
                last_used_at: d.last_used_at,
                ip: d.ip,
                user_agent: d.user_agent,
            })
            .collect(),
        total,
        page,
        per_page: Page::<AdminDeviceView>::SIZE,
    })
}

pub async fn devices(page: Option<u32>) -> Result<Page<AdminDeviceView>, ApiError> {
    let (ctx, _) = require_admin().await?;
    device_page(&ctx, page).await
}

pub async fn revoke_device(device_id: String) -> Result<Page<AdminDeviceView>, ApiError> {
    let (ctx, admin) = require_admin().await?;
    let db = ctx.tenant.db.clone();
    let family = FamilyId::from_client(&device_id);
    if bridge::family_state(&db, &family).await? != FamilyState::Live {
        return Err(ApiError::NotFound("no such device".into()));
    }
    bridge::revoke(
        &db,
        ctx.announce(),
        &ctx.platform.clock,
        &family,
        "revoked by an admin",
        ctx.device().ip.as_deref(),
    )
    .await?;
    record(&ctx, &admin, "device revoked", "a bridge device").await?;
    device_page(&ctx, None).await
}

async fn record(
    ctx: &TenantContext,
    admin: &User,
    action: &str,
    detail: &str,
) -> Result<(), ApiError> {
    let db = ctx.tenant.db.clone();
    Ok(audit::record(&db, &ctx.platform.clock, admin, action, detail).await?)
}
