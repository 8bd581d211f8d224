//! The typed view of a tenant session: who is signed in, for which tenant.

use tower_sessions::Session;

use crate::{accounts::UserId, bridge::FamilyId, tenancy::TenantId};

const TENANT_KEY: &str = "tenant_id";
const USER_KEY: &str = "user_id";
const SEEN_KEY: &str = "seen_at";
const FAMILY_KEY: &str = "bridge_family";

/// How often activity re-saves a session, pushing its idle expiry forward
/// (and recording when it was last seen) without a write on every request.
const TOUCH_INTERVAL_SECS: i64 = 60;

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("this session belongs to another workspace")]
    ForeignTenant,
    #[error("session store error: {0}")]
    Store(#[from] tower_sessions::session::Error),
}

/// A tenant's session as the session layer built it for this request.
#[derive(Debug, Clone)]
pub struct AuthSession {
    session: Session,
    tenant: TenantId,
    scope_guard: bool,
}

impl AuthSession {
    pub fn new(session: Session, tenant: TenantId, scope_guard: bool) -> Self {
        Self { session, tenant, scope_guard }
    }

    /// The signed-in user. A session stamped for another tenant is refused
    /// when the scope guard is on, and never modified.
    pub async fn user_id(&self) -> Result<Option<UserId>, SessionError> {
        let stamped: Option<TenantId> = self.session.get(TENANT_KEY).await?;
        if self.scope_guard && stamped.is_some_and(|t| t != self.tenant) {
            return Err(SessionError::ForeignTenant);
        }
        let user: Option<UserId> = self.session.get(USER_KEY).await?;
        if user.is_some() {
            self.touch().await?;
        }
        Ok(user)
    }

    async fn touch(&self) -> Result<(), SessionError> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let seen: Option<i64> = self.session.get(SEEN_KEY).await?;
        if seen.is_none_or(|seen| now - seen >= TOUCH_INTERVAL_SECS) {
            self.session.insert(SEEN_KEY, now).await?;
        }
        Ok(())
    }

    /// Signs a user in under a fresh session id (no fixation), stamped with
    /// the tenant it was made for and the bridge device family (if any) whose
    /// revocation must end it.
    pub async fn log_in(&self, user: UserId, family: Option<&FamilyId>) -> Result<(), SessionError> {
        self.session.cycle_id().await?;
        self.session.insert(TENANT_KEY, self.tenant).await?;
        self.session.insert(USER_KEY, user).await?;
        if let Some(family) = family {
            self.session.insert(FAMILY_KEY, family).await?;
        }
        self.touch().await
    }

    /// The bridge device family this session belongs to.
    pub async fn bridge_family(&self) -> Result<Option<FamilyId>, SessionError> {
        Ok(self.session.get(FAMILY_KEY).await?)
    }

    /// Ends the session: the record is deleted and the cookie expired; the
    /// next request starts under a new id.
    pub async fn log_out(&self) -> Result<(), SessionError> {
        Ok(self.session.flush().await?)
    }
}
