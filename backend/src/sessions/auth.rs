//! The typed view of a tenant session: who is signed in, for which tenant.

use tower_sessions::Session;

use super::stores::{StoredId, StoredRecord};
use crate::{
    accounts::UserId,
    bridge::{Device, FamilyId},
    keys::KeyId,
    tenancy::TenantId,
};

const TENANT_KEY: &str = "tenant_id";
const USER_KEY: &str = "user_id";
const SEEN_KEY: &str = "seen_at";
const FAMILY_KEY: &str = "bridge_family";
const CREATED_KEY: &str = "created_at";
const IP_KEY: &str = "ip";
const AGENT_KEY: &str = "user_agent";

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
    /// The request presented another tenant's session cookie (scope guard on).
    foreign_cookie: bool,
    /// The key this session's cookie is sealed with and its id hashed with.
    key: KeyId,
}

impl AuthSession {
    pub fn new(
        session: Session,
        tenant: TenantId,
        scope_guard: bool,
        foreign_cookie: bool,
        key: KeyId,
    ) -> Self {
        Self {
            session,
            tenant,
            scope_guard,
            foreign_cookie,
            key,
        }
    }

    pub fn key(&self) -> KeyId {
        self.key
    }

    /// The signed-in user. Another tenant's session — by its cookie's seal,
    /// or by the tenant its record was stamped for — is refused when the
    /// scope guard is on, and never modified.
    pub async fn user_id(&self) -> Result<Option<UserId>, SessionError> {
        if self.foreign_cookie {
            return Err(SessionError::ForeignTenant);
        }
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
    pub async fn log_in(
        &self,
        user: UserId,
        family: Option<&FamilyId>,
        device: &Device,
    ) -> Result<(), SessionError> {
        self.session.cycle_id().await?;
        self.session.insert(TENANT_KEY, self.tenant).await?;
        self.session.insert(USER_KEY, user).await?;
        self.session
            .insert(
                CREATED_KEY,
                time::OffsetDateTime::now_utc().unix_timestamp(),
            )
            .await?;
        self.session.insert(IP_KEY, &device.ip).await?;
        self.session.insert(AGENT_KEY, &device.user_agent).await?;
        if let Some(family) = family {
            self.session.insert(FAMILY_KEY, family).await?;
        }
        self.touch().await
    }

    /// This session's id, if it has one yet.
    pub fn id(&self) -> Option<tower_sessions::session::Id> {
        self.session.id()
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

/// What the admin panel shows of a stored session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSummary {
    pub stored: StoredId,
    pub user: UserId,
    pub created_at: Option<i64>,
    pub seen_at: Option<i64>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl SessionSummary {
    /// A signed-in session of `tenant`, read from a stored record.
    pub fn of(stored: StoredId, record: &StoredRecord, tenant: TenantId) -> Option<Self> {
        let get = |key: &str| record.data.get(key).cloned();
        let stamped: TenantId = serde_json::from_value(get(TENANT_KEY)?).ok()?;
        if stamped != tenant {
            return None;
        }
        let text = |key: &str| get(key).and_then(|v| v.as_str().map(str::to_owned));
        let number = |key: &str| get(key).and_then(|v| v.as_i64());
        Some(Self {
            stored,
            user: serde_json::from_value(get(USER_KEY)?).ok()?,
            created_at: number(CREATED_KEY),
            seen_at: number(SEEN_KEY),
            ip: text(IP_KEY),
            user_agent: text(AGENT_KEY),
        })
    }
}
