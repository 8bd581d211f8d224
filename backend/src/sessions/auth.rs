//! The typed view of a tenant session: who is signed in, for which tenant.

use tower_sessions::Session;

use super::{
    assurance::{Assurance, Method},
    principal::{Principal, PrincipalSlot},
    record::{self, Awaits, KeptCodes, PendingSignIn, SessionRecord},
    stores::{StoredId, StoredRecord},
};
use crate::{
    accounts::UserId,
    bridge::{Device, FamilyId},
    clock::Clock,
    keys::KeyId,
    tenancy::TenantId,
};

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
    /// The principal, when the store read it together with the session.
    principal: PrincipalSlot,
    clock: Clock,
}

impl AuthSession {
    pub fn new(
        session: Session,
        tenant: TenantId,
        scope_guard: bool,
        foreign_cookie: bool,
        key: KeyId,
        principal: PrincipalSlot,
        clock: Clock,
    ) -> Self {
        Self {
            session,
            tenant,
            scope_guard,
            foreign_cookie,
            key,
            principal,
            clock,
        }
    }

    pub fn key(&self) -> KeyId {
        self.key
    }

    /// The signed-in session's record. Another tenant's session — by its
    /// cookie's seal, or by the tenant its record was stamped for — is
    /// refused when the scope guard is on, and never modified. Activity
    /// re-saves the record at most once a minute.
    pub async fn record(&self) -> Result<Option<SessionRecord>, SessionError> {
        if self.foreign_cookie {
            return Err(SessionError::ForeignTenant);
        }
        let Some(mut record) = self.session.get::<SessionRecord>(record::KEY).await? else {
            return Ok(None);
        };
        if record.tenant != self.tenant {
            return if self.scope_guard {
                Err(SessionError::ForeignTenant)
            } else {
                Ok(Some(record))
            };
        }
        let now = self.clock.unix();
        if now - record.seen_at >= TOUCH_INTERVAL_SECS {
            record.seen_at = now;
            self.session.insert(record::KEY, &record).await?;
        }
        Ok(Some(record))
    }

    /// The principal the store read with this session, if it could.
    pub fn loaded_principal(&self) -> Option<Principal> {
        self.principal.get().cloned()
    }

    /// Signs a user in under a fresh session id (no fixation), stamped with
    /// the tenant it was made for, the bridge device family (if any) whose
    /// revocation must end it, and how the person proved who they are. A
    /// sign-in that was pending is complete.
    pub async fn log_in(
        &self,
        user: UserId,
        family: Option<&FamilyId>,
        device: &Device,
        assurance: Assurance,
    ) -> Result<(), SessionError> {
        self.session.cycle_id().await?;
        let at = self.clock.unix();
        let record = SessionRecord {
            tenant: self.tenant,
            user,
            family: family.cloned(),
            created_at: at,
            seen_at: at,
            ip: device.ip.clone(),
            user_agent: device.user_agent.clone(),
            assurance,
        };
        self.session.remove_value(record::PENDING_KEY).await?;
        self.session.insert(record::KEY, &record).await?;
        Ok(())
    }

    /// Starts a sign-in that waits for a second factor, under a fresh
    /// session id; whoever was signed in on this session is not any more.
    pub async fn begin_pending(
        &self,
        user: UserId,
        family: Option<&FamilyId>,
        assurance: Assurance,
        awaits: Awaits,
    ) -> Result<PendingSignIn, SessionError> {
        self.session.cycle_id().await?;
        let pending = PendingSignIn {
            tenant: self.tenant,
            user,
            family: family.cloned(),
            assurance,
            started_at: self.clock.unix(),
            awaits,
        };
        self.session.remove_value(record::KEY).await?;
        self.session.insert(record::PENDING_KEY, &pending).await?;
        Ok(pending)
    }

    /// The sign-in waiting for a second factor on this session, if one is
    /// (and is still young enough, and was begun at this tenant).
    pub async fn pending(&self) -> Result<Option<PendingSignIn>, SessionError> {
        if self.foreign_cookie {
            return Ok(None);
        }
        let pending = self
            .session
            .get::<PendingSignIn>(record::PENDING_KEY)
            .await?;
        let now = self.clock.unix();
        Ok(pending.filter(|p| p.tenant == self.tenant && p.is_live(now)))
    }

    /// Adds a proof given now to the signed-in record (a second factor
    /// presented again, the password re-entered), so a privileged action
    /// may follow.
    pub async fn prove(&self, method: Method) -> Result<(), SessionError> {
        if let Some(mut record) = self.record().await? {
            record.assurance = record.assurance.and(method, self.clock.unix());
            self.session.insert(record::KEY, &record).await?;
        }
        Ok(())
    }

    /// Keeps recovery codes just made for the one page that shows them
    /// (a plain form post is redirected, its answer unread).
    pub async fn keep_recovery_codes(&self, codes: &[String]) -> Result<(), SessionError> {
        let kept = KeptCodes {
            codes: codes.to_vec(),
            at: self.clock.unix(),
        };
        Ok(self.session.insert(record::CODES_KEY, kept).await?)
    }

    /// The recovery codes kept for showing, taken out of the session (none
    /// once they have waited `CODES_SECS`).
    pub async fn take_recovery_codes(&self) -> Result<Vec<String>, SessionError> {
        let kept = self.session.remove::<KeptCodes>(record::CODES_KEY).await?;
        let now = self.clock.unix();
        Ok(kept
            .filter(|k| now - k.at < record::CODES_SECS)
            .map(|k| k.codes)
            .unwrap_or_default())
    }

    /// Keeps a passkey ceremony's state (`factors::passkeys::Ceremony`, as
    /// JSON: sessions know nothing of factors) for its second request; a
    /// new ceremony replaces an unfinished one.
    pub async fn keep_ceremony(&self, ceremony: serde_json::Value) -> Result<(), SessionError> {
        Ok(self.session.insert(record::CEREMONY_KEY, ceremony).await?)
    }

    /// The ceremony kept, taken out of the session: it is used once.
    pub async fn take_ceremony(&self) -> Result<Option<serde_json::Value>, SessionError> {
        Ok(self
            .session
            .remove::<serde_json::Value>(record::CEREMONY_KEY)
            .await?)
    }

    /// The bridge device family this session belongs to.
    pub async fn bridge_family(&self) -> Result<Option<FamilyId>, SessionError> {
        Ok(self.record().await?.and_then(|r| r.family))
    }

    /// This session's id, if it has one yet.
    pub fn id(&self) -> Option<tower_sessions::session::Id> {
        self.session.id()
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
    /// The bridge device the session belongs to, which ends with it.
    pub family: Option<FamilyId>,
    pub created_at: Option<i64>,
    pub seen_at: Option<i64>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// How it was signed in.
    pub assurance: Assurance,
}

impl SessionSummary {
    /// A signed-in session of `tenant`, read from a stored record.
    pub fn of(stored: StoredId, record: &StoredRecord, tenant: TenantId) -> Option<Self> {
        let session = SessionRecord::in_data(&record.data).filter(|r| r.tenant == tenant)?;
        Some(Self {
            stored,
            user: session.user,
            family: session.family,
            created_at: Some(session.created_at),
            seen_at: Some(session.seen_at),
            ip: session.ip,
            user_agent: session.user_agent,
            assurance: session.assurance,
        })
    }
}
