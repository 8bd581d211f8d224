//! TOTP (RFC 6238: SHA-1, six digits, 30-second steps, one step of skew
//! either way), the way authenticator apps expect it.
//!
//! Enrolment is pending until confirmed with a code; only then does the
//! factor count, and the recovery codes are made. A code is accepted once:
//! the step it matched must be later than the last accepted one, checked
//! and recorded in one conditional UPDATE, so a replay from another browser
//! (or a racing one) is refused. The time is the platform clock's.

use rand::RngCore;
use sea_query::{Expr, ExprTrait, Query};
use totp_rs::{Builder, Secret, Totp};

use super::{qr, recovery, sealed, FactorError, RecoveryCodes};
use crate::{
    accounts::UserId,
    clock::Clock,
    db::{schema::TotpFactors as Factors, Scope, Tx},
    keys::{KeyId, KeyRing},
    sessions::Method,
    tenancy::TenantId,
};

/// Whose factor, where: the tenant binds the sealed secret.
#[derive(Debug, Clone, Copy)]
pub struct Owner {
    pub tenant: TenantId,
    pub user: UserId,
}

/// What the person needs to add the factor to an app.
#[derive(Clone)]
pub struct Enrolment {
    /// The secret in base32, for typing into an app by hand.
    pub secret: String,
    pub otpauth_uri: String,
    pub qr_svg: String,
}

impl std::fmt::Debug for Enrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Enrolment(..)")
    }
}

/// Which second factor a code turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presented {
    Totp,
    RecoveryCode,
}

impl From<Presented> for Method {
    fn from(presented: Presented) -> Self {
        match presented {
            Presented::Totp => Method::Totp,
            Presented::RecoveryCode => Method::RecoveryCode,
        }
    }
}

/// How the factor is labelled in the person's app.
#[derive(Debug, Clone, Copy)]
pub struct Label<'a> {
    /// The workspace's name.
    pub issuer: &'a str,
    /// The person's email.
    pub account: &'a str,
}

fn totp(secret: &[u8], label: Option<Label<'_>>) -> Option<Totp> {
    let builder = Builder::new().with_secret(secret.to_vec());
    let builder = match label {
        // ':' separates issuer and account in the URI; apps show either.
        Some(label) => builder
            .with_issuer(Some(label.issuer.replace(':', " ")))
            .with_account_name(label.account.replace(':', " ")),
        None => builder,
    };
    builder.build().ok()
}

/// The factor's stored row: sealed secret, confirmed, last step.
type Row = (String, Option<i64>, Option<i64>);

async fn row(tx: &mut Tx, user: UserId) -> Result<Option<Row>, sqlx::Error> {
    let query = Query::select()
        .columns([Factors::Secret, Factors::ConfirmedAt, Factors::LastStep])
        .from(tx.table(Factors::Table))
        .and_where(Expr::col(Factors::UserId).eq(user.get()))
        .to_owned();
    tx.fetch_optional(&query).await
}

fn open(ring: &KeyRing, owner: Owner, sealed_secret: &str) -> Result<Totp, FactorError> {
    sealed::open(ring, owner.tenant, owner.user, sealed_secret)
        .and_then(|secret| totp(&secret, None))
        .ok_or(FactorError::Unreadable)
}

/// The step a well-formed `code` matches now, if any.
fn matching_step(totp: &Totp, code: &str, clock: &Clock) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let now = u64::try_from(clock.unix()).ok()?;
    totp.check(&code, now)
        .and_then(|step| i64::try_from(step).ok())
}

/// Starts (or restarts) enrolment: a new secret, pending until confirmed.
pub async fn enrol(
    db: &Scope,
    ring: &KeyRing,
    clock: &Clock,
    owner: Owner,
    label: Label<'_>,
) -> Result<Enrolment, FactorError> {
    let mut tx = db.begin().await?;
    if matches!(row(&mut tx, owner.user).await?, Some((_, Some(_), _))) {
        return Err(FactorError::AlreadyEnrolled);
    }
    // 160 bits, the length RFC 4226 recommends for HMAC-SHA-1.
    let mut bytes = vec![0u8; 20];
    rand::thread_rng().fill_bytes(&mut bytes);
    let secret = Secret::from(bytes);
    let enrolment = enrolment_of(secret.as_bytes(), label)?;
    let delete = Query::delete()
        .from_table(tx.table(Factors::Table))
        .and_where(Expr::col(Factors::UserId).eq(owner.user.get()))
        .to_owned();
    tx.execute(&delete).await?;
    let insert = Query::insert()
        .into_table(tx.table(Factors::Table))
        .columns([Factors::UserId, Factors::Secret, Factors::CreatedAt])
        .values_panic([
            owner.user.get().into(),
            sealed::seal(ring, owner.tenant, owner.user, secret.as_bytes()).into(),
            clock.unix().into(),
        ])
        .to_owned();
    tx.execute(&insert).await?;
    tx.commit().await?;
    Ok(enrolment)
}

/// What an app needs to add the factor of `secret`.
fn enrolment_of(secret: &[u8], label: Label<'_>) -> Result<Enrolment, FactorError> {
    let totp = totp(secret, Some(label)).ok_or(FactorError::Unreadable)?;
    let otpauth_uri = totp.to_url().map_err(|_| FactorError::Unreadable)?;
    let qr_svg = qr::svg(&otpauth_uri).ok_or(FactorError::Unreadable)?;
    Ok(Enrolment {
        secret: Secret::from(secret.to_vec()).to_base32(),
        otpauth_uri,
        qr_svg,
    })
}

/// Where a person's TOTP stands.
#[derive(Debug)]
pub enum Standing {
    Off,
    /// Set up, waiting for its first code (the set-up page shows it again).
    Unconfirmed(Enrolment),
    On,
}

/// Where `owner`'s TOTP stands; an unconfirmed set-up comes with what the
/// app needs, to show again.
pub async fn standing(
    db: &Scope,
    ring: &KeyRing,
    owner: Owner,
    label: Label<'_>,
) -> Result<Standing, FactorError> {
    let mut tx = db.begin().await?;
    Ok(match row(&mut tx, owner.user).await? {
        None => Standing::Off,
        Some((_, Some(_), _)) => Standing::On,
        Some((sealed_secret, None, _)) => {
            let secret = sealed::open(ring, owner.tenant, owner.user, &sealed_secret)
                .ok_or(FactorError::Unreadable)?;
            Standing::Unconfirmed(enrolment_of(&secret, label)?)
        }
    })
}

/// Confirms a pending enrolment with a code from the app: the factor counts
/// from now on, and here are its recovery codes.
pub async fn confirm(
    db: &Scope,
    ring: &KeyRing,
    clock: &Clock,
    owner: Owner,
    code: &str,
) -> Result<RecoveryCodes, FactorError> {
    let mut tx = db.begin().await?;
    let (sealed_secret, confirmed, _) = row(&mut tx, owner.user)
        .await?
        .ok_or(FactorError::NoEnrolment)?;
    if confirmed.is_some() {
        return Err(FactorError::AlreadyEnrolled);
    }
    let totp = open(ring, owner, &sealed_secret)?;
    let step = matching_step(&totp, code, clock).ok_or(FactorError::WrongCode)?;
    let update = Query::update()
        .table(tx.table(Factors::Table))
        .value(Factors::ConfirmedAt, clock.unix())
        .value(Factors::LastStep, step)
        .and_where(Expr::col(Factors::UserId).eq(owner.user.get()))
        .and_where(Expr::col(Factors::ConfirmedAt).is_null())
        .to_owned();
    if tx.execute(&update).await? != 1 {
        return Err(FactorError::AlreadyEnrolled);
    }
    let codes = RecoveryCodes::generate();
    recovery::replace(&mut tx, owner.user, &codes).await?;
    tx.commit().await?;
    Ok(codes)
}

/// Checks a second factor: a TOTP code (once) or an unused recovery code
/// (used up).
pub async fn verify(
    db: &Scope,
    ring: &KeyRing,
    clock: &Clock,
    owner: Owner,
    code: &str,
) -> Result<Presented, FactorError> {
    let mut tx = db.begin().await?;
    let presented = verify_in(&mut tx, ring, clock, owner, code).await?;
    tx.commit().await?;
    Ok(presented)
}

async fn verify_in(
    tx: &mut Tx,
    ring: &KeyRing,
    clock: &Clock,
    owner: Owner,
    code: &str,
) -> Result<Presented, FactorError> {
    let Some((sealed_secret, Some(_), _)) = row(tx, owner.user).await? else {
        return Err(FactorError::NotEnrolled);
    };
    // A secret sealed with a retired key cannot be read; recovery codes
    // still work then.
    let totp = open(ring, owner, &sealed_secret);
    if let Some(step) = totp
        .as_ref()
        .ok()
        .and_then(|totp| matching_step(totp, code, clock))
    {
        // Accepted only if later than the last accepted step: a code, or
        // an earlier one, is never accepted twice.
        let update = Query::update()
            .table(tx.table(Factors::Table))
            .value(Factors::LastStep, step)
            .and_where(Expr::col(Factors::UserId).eq(owner.user.get()))
            .and_where(
                Expr::col(Factors::LastStep)
                    .is_null()
                    .or(Expr::col(Factors::LastStep).lt(step)),
            )
            .to_owned();
        return match tx.execute(&update).await? {
            1 => Ok(Presented::Totp),
            _ => Err(FactorError::WrongCode),
        };
    }
    if recovery::consume(tx, owner.user, code, clock.unix()).await? {
        return Ok(Presented::RecoveryCode);
    }
    Err(totp.err().unwrap_or(FactorError::WrongCode))
}

/// Turns the factor off (with a code), its recovery codes with it.
pub async fn disable(
    db: &Scope,
    ring: &KeyRing,
    clock: &Clock,
    owner: Owner,
    code: &str,
) -> Result<Presented, FactorError> {
    let mut tx = db.begin().await?;
    let presented = verify_in(&mut tx, ring, clock, owner, code).await?;
    let delete = Query::delete()
        .from_table(tx.table(Factors::Table))
        .and_where(Expr::col(Factors::UserId).eq(owner.user.get()))
        .to_owned();
    tx.execute(&delete).await?;
    recovery::remove(&mut tx, owner.user).await?;
    tx.commit().await?;
    Ok(presented)
}

/// A new set of recovery codes (with a code); the old set dies.
pub async fn regenerate_codes(
    db: &Scope,
    ring: &KeyRing,
    clock: &Clock,
    owner: Owner,
    code: &str,
) -> Result<(Presented, RecoveryCodes), FactorError> {
    let mut tx = db.begin().await?;
    let presented = verify_in(&mut tx, ring, clock, owner, code).await?;
    let codes = RecoveryCodes::generate();
    recovery::replace(&mut tx, owner.user, &codes).await?;
    tx.commit().await?;
    Ok((presented, codes))
}

/// Whether the user has a confirmed factor.
pub async fn is_enrolled(db: &Scope, user: UserId) -> Result<bool, sqlx::Error> {
    let query = Query::select()
        .expr(Expr::col(Factors::UserId))
        .from(db.table(Factors::Table))
        .and_where(Expr::col(Factors::UserId).eq(user.get()))
        .and_where(Expr::col(Factors::ConfirmedAt).is_not_null())
        .to_owned();
    Ok(db.fetch_optional::<(i64,)>(&query).await?.is_some())
}

/// Seals every secret sealed with `retired` again with the ring's primary
/// key, before `retired` leaves the ring (`Platform::retire_key`): a secret
/// left sealed with it would open nowhere.
pub async fn reseal_away_from(
    db: &Scope,
    ring: &KeyRing,
    tenant: TenantId,
    retired: KeyId,
) -> Result<Resealed, FactorError> {
    let prefix = format!("{retired}.");
    let query = Query::select()
        .columns([Factors::UserId, Factors::Secret])
        .from(db.table(Factors::Table))
        .and_where(Expr::col(Factors::Secret).like(format!("{prefix}%")))
        .to_owned();
    let rows: Vec<(i64, String)> = db.fetch_all(&query).await?;
    let mut resealed = Resealed::default();
    for (user, sealed_secret) in rows {
        let user = UserId::new(user);
        let Some(secret) = sealed::open(ring, tenant, user, &sealed_secret) else {
            resealed.unreadable += 1;
            continue;
        };
        // Only if unchanged meanwhile (a new set-up seals with the primary).
        let update = Query::update()
            .table(db.table(Factors::Table))
            .values([(
                Factors::Secret,
                sealed::seal(ring, tenant, user, &secret).into(),
            )])
            .and_where(Expr::col(Factors::UserId).eq(user.get()))
            .and_where(Expr::col(Factors::Secret).eq(sealed_secret.as_str()))
            .to_owned();
        resealed.moved += db.execute(&update).await?;
    }
    Ok(resealed)
}

/// What `reseal_away_from` did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Resealed {
    pub moved: u64,
    /// Sealed with the key, yet opening with it failed (damaged): left as
    /// they were; their owners use a recovery code and set TOTP up again.
    pub unreadable: u64,
}

impl std::ops::AddAssign for Resealed {
    fn add_assign(&mut self, other: Self) {
        self.moved += other.moved;
        self.unreadable += other.unreadable;
    }
}
