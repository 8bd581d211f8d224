//! Sign-in throttling: per account (failures in a lockout window) and per
//! client address (every attempt, per minute). Used by login, registration,
//! workspace sign-up and the central admin's Basic auth.
//!
//! The account is checked before the password is, so during a lockout even
//! the right password is refused; only failures count against an account,
//! and a success clears them.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use sha2::{Digest, Sha256};

use super::{
    rule::{LimitError, Rule, Throttled},
    Limiter,
};
use crate::{client::ClientKey, settings::SignInPolicy, tenancy::TenantId};

/// Where the account lives. Each realm counts its accounts' failures
/// apart: a failed workspace sign-up naming `admin` as its email never
/// counts against the central admin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInRealm {
    Tenant(TenantId),
    /// Workspace sign-up on the central site.
    SignUp,
    /// The central admin's HTTP Basic sign-in.
    CentralAdmin,
}

impl SignInRealm {
    fn tag(self) -> String {
        match self {
            SignInRealm::Tenant(id) => format!("t{id}"),
            SignInRealm::SignUp => "signup".into(),
            SignInRealm::CentralAdmin => "central-admin".into(),
        }
    }
}

/// What the per-address limit counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressCount {
    /// Every attempt (forms people submit: login, registration, sign-up).
    EveryAttempt,
    /// Failures only: HTTP Basic resends the right credentials with every
    /// request, which is use, not an attempt.
    FailuresOnly,
}

/// An admitted attempt; tell it how it went.
#[derive(Debug)]
pub struct SignInGate<'a> {
    limiter: &'a Limiter,
    account: String,
    rule: Rule,
    /// The address windows (the realm's, then every realm's), when
    /// failures (only) count against them.
    address_on_failure: Vec<(String, Rule)>,
}

impl Limiter {
    /// Counts an attempt by `client` on `account` (an email, normalised
    /// here); refused while the client is over its rate or the account is
    /// locked out.
    pub async fn admit_sign_in(
        &self,
        realm: SignInRealm,
        account: &str,
        client: &ClientKey,
        policy: SignInPolicy,
        count: AddressCount,
    ) -> Result<Result<SignInGate<'_>, Throttled>, LimitError> {
        let realm = realm.tag();
        // The realm's own rate, then every realm's together: one client
        // cannot multiply password hashing by the number of tenants.
        let addresses = [
            (
                format!("signin:addr:{realm}:{client}"),
                Rule::per_minute(policy.address_rate_limit),
            ),
            (format!("signin:addr:all:{client}"), self.signin_per_address),
        ];
        for (address, rule) in &addresses {
            let admitted = match count {
                AddressCount::EveryAttempt => self.hit(address, *rule).await?,
                AddressCount::FailuresOnly => self.check(address, *rule).await?,
            };
            if let Err(throttled) = admitted {
                return Ok(Err(throttled));
            }
        }
        // Hashed: a Redis dump should not list who was being guessed at.
        let normalised = account.trim().to_lowercase();
        let account = format!(
            "signin:acct:{realm}:{}",
            URL_SAFE_NO_PAD.encode(&Sha256::digest(normalised.as_bytes())[..16])
        );
        let rule = Rule {
            limit: policy.max_failures,
            window: policy.lockout,
        };
        if let Err(throttled) = self.check(&account, rule).await? {
            return Ok(Err(throttled));
        }
        let address_on_failure = match count {
            AddressCount::FailuresOnly => addresses.into(),
            AddressCount::EveryAttempt => Vec::new(),
        };
        Ok(Ok(SignInGate {
            limiter: self,
            account,
            rule,
            address_on_failure,
        }))
    }
}

impl SignInGate<'_> {
    /// Counts a failure; `Some` when this one locked the account.
    pub async fn failed(&self) -> Result<Option<Throttled>, LimitError> {
        for (address, rule) in &self.address_on_failure {
            // The verdict shows on the next attempt's admission.
            let _ = self.limiter.hit(address, *rule).await?;
        }
        let _ = self.limiter.hit(&self.account, self.rule).await?;
        Ok(self.limiter.check(&self.account, self.rule).await?.err())
    }

    /// The account's failures are forgotten.
    pub async fn succeeded(&self) -> Result<(), LimitError> {
        self.limiter.clear(&self.account).await
    }
}
