//! Sign-in throttling as the endpoints use it: admit an attempt or answer
//! 429, and record what happened.

use tessera_backend::{
    accounts::sign_in_events::{self, SignInEventKind},
    client::Client,
    clock::Clock,
    db::Scope,
    limits::{AddressCount, LimitError, SignInGate, SignInRealm, Throttled},
    settings::SignInPolicy,
    Platform,
};

use crate::error::{ApiError, RetryLater};

pub fn throttled(t: Throttled) -> ApiError {
    let seconds = t.seconds();
    let wait = if seconds < 120 {
        format!("{seconds} seconds")
    } else {
        format!("{} minutes", seconds.div_ceil(60))
    };
    ApiError::TooManyRequests(RetryLater::new(
        format!("too many attempts; try again in {wait}"),
        seconds,
    ))
}

pub fn limiter_down(e: LimitError) -> ApiError {
    tracing::error!(error = %e, "the rate limiter is unavailable");
    ApiError::Unavailable("signing in is unavailable right now; please try again shortly".into())
}

/// Admits one sign-in attempt on `account` by `client`, or refuses it (429).
pub async fn admit<'a>(
    platform: &'a Platform,
    realm: SignInRealm,
    account: &str,
    client: &Client,
    policy: SignInPolicy,
    count: AddressCount,
) -> Result<SignInGate<'a>, ApiError> {
    match platform
        .limiter
        .admit_sign_in(realm, account, &client.limit_key(), policy, count)
        .await
    {
        Ok(Ok(gate)) => Ok(gate),
        Ok(Err(t)) => {
            tracing::warn!(client = %client.ip, "sign-in throttled");
            Err(throttled(t))
        }
        Err(e) => Err(limiter_down(e)),
    }
}

/// Counts a failed attempt; at a tenant, also records it for the admin
/// panel, as `kind` (and the lockout, if this failure caused one).
pub async fn failed(
    gate: &SignInGate<'_>,
    clock: &Clock,
    events: Option<(&Scope, SignInEventKind)>,
    email: &str,
    client: &Client,
) -> Result<(), ApiError> {
    let locked = gate.failed().await.map_err(limiter_down)?;
    tracing::warn!(client = %client.ip, locked = locked.is_some(), "failed sign-in");
    if let Some((db, kind)) = events {
        let ip = client.ip.to_string();
        sign_in_events::record(db, clock, kind, email, Some(&ip)).await?;
        if locked.is_some() {
            sign_in_events::record(db, clock, SignInEventKind::Locked, email, Some(&ip)).await?;
        }
    }
    Ok(())
}
