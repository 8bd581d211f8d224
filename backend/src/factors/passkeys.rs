//! Passkeys (WebAuthn, with webauthn-rs): register several per person, name
//! and remove them; sign in with one alone (a discoverable credential:
//! possession and a verified user, two factors in one), or present one as
//! the second factor.
//!
//! The relying party ID is the workspace's own host, stored with each
//! credential and checked on every use: acme's passkey is never offered
//! (browsers scope credentials by it) nor accepted at globex (its row is
//! not in globex's database, and its signature covers acme's ID).
//! A ceremony's state (the challenge) stays on the server, in the session,
//! between its two requests: `Ceremony`, single-use and short-lived.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::RngCore;
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::{Deserialize, Serialize};
use webauthn_rs::prelude::{
    CreationChallengeResponse, DiscoverableAuthentication, Passkey, PasskeyAuthentication,
    PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse, Url, Uuid, Webauthn, WebauthnBuilder,
};
use webauthn_rs_proto::ResidentKeyRequirement;

use crate::{
    accounts::{User, UserId},
    clock::Clock,
    db::{
        schema::{PasskeyHandles, Passkeys},
        Scope,
    },
};

/// How long a ceremony may take between its two requests.
pub const CEREMONY_SECS: i64 = 5 * 60;

/// The longest name a passkey may be given.
const MAX_NAME: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum PasskeyError {
    /// Deliberately one message for a bad signature, an unknown or foreign
    /// credential, a replayed challenge and a clone.
    #[error("that passkey could not be verified")]
    NotVerified,
    #[error("no passkey ceremony is under way (or it took too long); start again")]
    NoCeremony,
    #[error("this passkey is registered already")]
    AlreadyRegistered,
    #[error("no such passkey")]
    NoSuchPasskey,
    #[error("please name the passkey (at most 64 characters)")]
    Name,
    #[error("passkeys cannot be used at this address")]
    Configuration,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// Who passkeys are made for here: the workspace's host, as the browser
/// reached it.
#[derive(Debug, Clone)]
pub struct RelyingParty {
    /// The host without its port: the relying party ID.
    pub id: String,
    pub origin: Url,
    /// The workspace's name, which the browser shows.
    pub name: String,
}

impl RelyingParty {
    /// From the request's `Host` (as the front door accepted it: this
    /// workspace's own) and scheme.
    pub fn of_request(host: &str, https: bool, name: &str) -> Result<Self, PasskeyError> {
        let scheme = if https { "https" } else { "http" };
        let origin =
            Url::parse(&format!("{scheme}://{host}")).map_err(|_| PasskeyError::Configuration)?;
        let id = origin
            .host_str()
            .ok_or(PasskeyError::Configuration)?
            .to_owned();
        Ok(Self {
            id,
            origin,
            name: name.to_owned(),
        })
    }

    fn webauthn(&self) -> Result<Webauthn, PasskeyError> {
        WebauthnBuilder::new(&self.id, &self.origin)
            .and_then(|builder| builder.rp_name(&self.name).build())
            .map_err(|_| PasskeyError::Configuration)
    }
}

/// A ceremony's first half, kept in the session for its second.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ceremony {
    pub started_at: i64,
    pub rp_id: String,
    pub kind: CeremonyKind,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum CeremonyKind {
    Register {
        user: UserId,
        name: String,
        state: PasskeyRegistration,
    },
    /// A sign-in with a passkey alone: whoever it names.
    SignIn { state: DiscoverableAuthentication },
    /// A passkey of this person, as the second factor.
    Confirm {
        user: UserId,
        state: PasskeyAuthentication,
    },
}

impl Ceremony {
    fn is_live(&self, now: i64) -> bool {
        now - self.started_at < CEREMONY_SECS
    }
}

/// A passkey as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeyInfo {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

fn credential_id(passkey: &Passkey) -> String {
    URL_SAFE_NO_PAD.encode::<&[u8]>(passkey.cred_id().as_ref())
}

/// The person's WebAuthn user handle, made on their first passkey.
async fn handle(db: &Scope, user: UserId) -> Result<Uuid, PasskeyError> {
    let query = Query::select()
        .column(PasskeyHandles::Handle)
        .from(db.table(PasskeyHandles::Table))
        .and_where(Expr::col(PasskeyHandles::UserId).eq(user.get()))
        .to_owned();
    if let Some((handle,)) = db.fetch_optional::<(String,)>(&query).await? {
        return Uuid::parse_str(&handle).map_err(|_| PasskeyError::NotVerified);
    }
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    let handle = uuid_v4(bytes);
    let insert = Query::insert()
        .into_table(db.table(PasskeyHandles::Table))
        .columns([PasskeyHandles::UserId, PasskeyHandles::Handle])
        .values_panic([user.get().into(), handle.to_string().into()])
        .to_owned();
    db.execute(&insert).await?;
    Ok(handle)
}

/// A version-4 UUID of random bytes.
fn uuid_v4(mut bytes: [u8; 16]) -> Uuid {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    Uuid::from_bytes(bytes)
}

/// Whose handle this is, if anyone's.
async fn owner_of_handle(db: &Scope, handle: Uuid) -> Result<Option<UserId>, sqlx::Error> {
    let query = Query::select()
        .column(PasskeyHandles::UserId)
        .from(db.table(PasskeyHandles::Table))
        .and_where(Expr::col(PasskeyHandles::Handle).eq(handle.to_string()))
        .to_owned();
    Ok(db
        .fetch_optional::<(i64,)>(&query)
        .await?
        .map(|(user,)| UserId::new(user)))
}

/// The person's passkeys made for `rp_id`, as webauthn-rs reads them.
async fn credentials(db: &Scope, user: UserId, rp_id: &str) -> Result<Vec<Passkey>, sqlx::Error> {
    let query = Query::select()
        .column(Passkeys::Credential)
        .from(db.table(Passkeys::Table))
        .and_where(Expr::col(Passkeys::UserId).eq(user.get()))
        .and_where(Expr::col(Passkeys::RpId).eq(rp_id))
        .to_owned();
    let rows: Vec<(String,)> = db.fetch_all(&query).await?;
    Ok(rows
        .into_iter()
        .filter_map(|(json,)| serde_json::from_str(&json).ok())
        .collect())
}

/// The person's passkeys, the newest first.
pub async fn list(db: &Scope, user: UserId) -> Result<Vec<PasskeyInfo>, sqlx::Error> {
    let query = Query::select()
        .columns([
            Passkeys::Id,
            Passkeys::Name,
            Passkeys::CreatedAt,
            Passkeys::LastUsedAt,
        ])
        .from(db.table(Passkeys::Table))
        .and_where(Expr::col(Passkeys::UserId).eq(user.get()))
        .order_by(Passkeys::CreatedAt, Order::Desc)
        .to_owned();
    let rows: Vec<(String, String, i64, Option<i64>)> = db.fetch_all(&query).await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, created_at, last_used_at)| PasskeyInfo {
            id,
            name,
            created_at,
            last_used_at,
        })
        .collect())
}

/// Whether the person has a passkey (of any relying party: a second
/// factor is a second factor, even where it cannot be used).
pub async fn has_any(db: &Scope, user: UserId) -> Result<bool, sqlx::Error> {
    let query = Query::select()
        .expr(Expr::val(1))
        .from(db.table(Passkeys::Table))
        .and_where(Expr::col(Passkeys::UserId).eq(user.get()))
        .limit(1)
        .to_owned();
    Ok(db.fetch_optional::<(i32,)>(&query).await?.is_some())
}

fn valid_name(name: &str) -> Result<String, PasskeyError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        return Err(PasskeyError::Name);
    }
    Ok(name.to_owned())
}

/// Starts registering a passkey for `user`, named `name`: the options for
/// the browser, and the ceremony to keep. Asks for a discoverable
/// credential, so it can sign in alone.
pub async fn start_registration(
    db: &Scope,
    rp: &RelyingParty,
    clock: &Clock,
    user: &User,
    name: &str,
) -> Result<(CreationChallengeResponse, Ceremony), PasskeyError> {
    let name = valid_name(name)?;
    let webauthn = rp.webauthn()?;
    let handle = handle(db, user.id).await?;
    let existing = credentials(db, user.id, &rp.id).await?;
    let exclude = existing.iter().map(|p| p.cred_id().clone()).collect();
    let (mut options, state) = webauthn
        .start_passkey_registration(handle, user.email.as_str(), &user.name, Some(exclude))
        .map_err(|_| PasskeyError::Configuration)?;
    if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
        selection.resident_key = Some(ResidentKeyRequirement::Required);
        selection.require_resident_key = true;
    }
    let ceremony = Ceremony {
        started_at: clock.unix(),
        rp_id: rp.id.clone(),
        kind: CeremonyKind::Register {
            user: user.id,
            name,
            state,
        },
    };
    Ok((options, ceremony))
}

/// Finishes a registration with the browser's answer: the passkey is kept.
pub async fn finish_registration(
    db: &Scope,
    rp: &RelyingParty,
    clock: &Clock,
    ceremony: Ceremony,
    response: &RegisterPublicKeyCredential,
) -> Result<(UserId, PasskeyInfo), PasskeyError> {
    let now = clock.unix();
    if !ceremony.is_live(now) || ceremony.rp_id != rp.id {
        return Err(PasskeyError::NoCeremony);
    }
    let CeremonyKind::Register { user, name, state } = ceremony.kind else {
        return Err(PasskeyError::NoCeremony);
    };
    let passkey = rp
        .webauthn()?
        .finish_passkey_registration(response, &state)
        .map_err(|_| PasskeyError::NotVerified)?;
    let id = credential_id(&passkey);
    let credential = serde_json::to_string(&passkey).map_err(|_| PasskeyError::NotVerified)?;
    let insert = Query::insert()
        .into_table(db.table(Passkeys::Table))
        .columns([
            Passkeys::Id,
            Passkeys::UserId,
            Passkeys::Name,
            Passkeys::RpId,
            Passkeys::Credential,
            Passkeys::CreatedAt,
        ])
        .values_panic([
            id.clone().into(),
            user.get().into(),
            name.clone().into(),
            rp.id.clone().into(),
            credential.into(),
            now.into(),
        ])
        .to_owned();
    match db.execute(&insert).await {
        Ok(_) => Ok((
            user,
            PasskeyInfo {
                id,
                name,
                created_at: now,
                last_used_at: None,
            },
        )),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            Err(PasskeyError::AlreadyRegistered)
        }
        Err(e) => Err(e.into()),
    }
}

/// Starts a sign-in with a passkey alone (the browser offers this
/// workspace's discoverable credentials).
pub fn start_sign_in(
    rp: &RelyingParty,
    clock: &Clock,
) -> Result<(RequestChallengeResponse, Ceremony), PasskeyError> {
    let (mut options, state) = rp
        .webauthn()?
        .start_discoverable_authentication()
        .map_err(|_| PasskeyError::Configuration)?;
    // A sign-in the person asked for with a button, not autofill.
    options.mediation = None;
    let ceremony = Ceremony {
        started_at: clock.unix(),
        rp_id: rp.id.clone(),
        kind: CeremonyKind::SignIn { state },
    };
    Ok((options, ceremony))
}

/// Starts presenting one of `user`'s passkeys as their second factor; none
/// made for this workspace's host is `NoSuchPasskey`.
pub async fn start_confirmation(
    db: &Scope,
    rp: &RelyingParty,
    clock: &Clock,
    user: UserId,
) -> Result<(RequestChallengeResponse, Ceremony), PasskeyError> {
    let passkeys = credentials(db, user, &rp.id).await?;
    if passkeys.is_empty() {
        return Err(PasskeyError::NoSuchPasskey);
    }
    let (options, state) = rp
        .webauthn()?
        .start_passkey_authentication(&passkeys)
        .map_err(|_| PasskeyError::Configuration)?;
    let ceremony = Ceremony {
        started_at: clock.unix(),
        rp_id: rp.id.clone(),
        kind: CeremonyKind::Confirm { user, state },
    };
    Ok((options, ceremony))
}

/// Finishes a sign-in or a confirmation with the browser's answer: whose
/// passkey it was. Its counter and last use are stored.
pub async fn finish_authentication(
    db: &Scope,
    rp: &RelyingParty,
    clock: &Clock,
    ceremony: Ceremony,
    response: &PublicKeyCredential,
) -> Result<UserId, PasskeyError> {
    let now = clock.unix();
    if !ceremony.is_live(now) || ceremony.rp_id != rp.id {
        return Err(PasskeyError::NoCeremony);
    }
    let webauthn = rp.webauthn()?;
    let id = URL_SAFE_NO_PAD.encode(response.get_credential_id());
    let (user, mut passkey, result) = match ceremony.kind {
        CeremonyKind::SignIn { state } => {
            let (handle, _) = webauthn
                .identify_discoverable_authentication(response)
                .map_err(|_| PasskeyError::NotVerified)?;
            let user = owner_of_handle(db, handle)
                .await?
                .ok_or(PasskeyError::NotVerified)?;
            let passkey = stored(db, user, &rp.id, &id).await?;
            let result = webauthn
                .finish_discoverable_authentication_v2(response, state, &passkey)
                .map_err(|_| PasskeyError::NotVerified)?;
            (user, passkey, result)
        }
        CeremonyKind::Confirm { user, state } => {
            let result = webauthn
                .finish_passkey_authentication(response, &state)
                .map_err(|_| PasskeyError::NotVerified)?;
            (user, stored(db, user, &rp.id, &id).await?, result)
        }
        CeremonyKind::Register { .. } => return Err(PasskeyError::NoCeremony),
    };
    // webauthn-rs refused a counter that did not move forward (a cloned
    // authenticator); the new counter is kept for the next check.
    if result.needs_update() {
        passkey.update_credential(&result);
    }
    let credential = serde_json::to_string(&passkey).map_err(|_| PasskeyError::NotVerified)?;
    let update = Query::update()
        .table(db.table(Passkeys::Table))
        .values([
            (Passkeys::Credential, credential.into()),
            (Passkeys::LastUsedAt, now.into()),
        ])
        .and_where(Expr::col(Passkeys::Id).eq(id.as_str()))
        .to_owned();
    db.execute(&update).await?;
    Ok(user)
}

/// A stored passkey of `user` made for `rp_id`.
async fn stored(db: &Scope, user: UserId, rp_id: &str, id: &str) -> Result<Passkey, PasskeyError> {
    let query = Query::select()
        .column(Passkeys::Credential)
        .from(db.table(Passkeys::Table))
        .and_where(Expr::col(Passkeys::Id).eq(id))
        .and_where(Expr::col(Passkeys::UserId).eq(user.get()))
        .and_where(Expr::col(Passkeys::RpId).eq(rp_id))
        .to_owned();
    let (json,) = db
        .fetch_optional::<(String,)>(&query)
        .await?
        .ok_or(PasskeyError::NotVerified)?;
    serde_json::from_str(&json).map_err(|_| PasskeyError::NotVerified)
}

/// Removes one of the person's passkeys.
pub async fn remove(db: &Scope, user: UserId, id: &str) -> Result<(), PasskeyError> {
    let delete = Query::delete()
        .from_table(db.table(Passkeys::Table))
        .and_where(Expr::col(Passkeys::Id).eq(id))
        .and_where(Expr::col(Passkeys::UserId).eq(user.get()))
        .to_owned();
    match db.execute(&delete).await? {
        0 => Err(PasskeyError::NoSuchPasskey),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_relying_party_is_the_host_without_its_port() {
        let rp = RelyingParty::of_request("acme.localhost:3000", false, "Acme").expect("rp");
        assert_eq!(rp.id, "acme.localhost");
        assert_eq!(rp.origin.as_str(), "http://acme.localhost:3000/");
        let rp = RelyingParty::of_request("acme.example.com", true, "Acme").expect("rp");
        assert_eq!(rp.origin.as_str(), "https://acme.example.com/");
    }

    #[test]
    fn names_are_short_plain_text() {
        assert_eq!(valid_name("  Laptop ").expect("valid"), "Laptop");
        assert!(valid_name("").is_err());
        assert!(valid_name(&"x".repeat(65)).is_err());
        assert!(valid_name("a\u{7}b").is_err());
    }

    #[test]
    fn handles_are_version_4_uuids() {
        let handle = uuid_v4([0xff; 16]);
        assert_eq!(handle.get_version_num(), 4);
    }
}
