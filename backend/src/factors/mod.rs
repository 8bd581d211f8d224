//! Second factors of a tenant's people: TOTP (RFC 6238) with recovery
//! codes, and passkeys. One domain operation per change, called by every front end.
//!
//! A factor never counts at another tenant: its secret is sealed with the
//! tenant and the user as associated data (`sealed`), and it lives in the
//! tenant's own database.

pub mod passkeys;
mod policy;
mod qr;
pub mod recovery;
pub mod sealed;
pub mod totp;

pub use policy::{enrolled, required, Enrolled};
pub use recovery::RecoveryCodes;
pub use totp::{Enrolment, Presented};

#[derive(Debug, thiserror::Error)]
pub enum FactorError {
    /// Deliberately the same for a wrong code, a used one and a replay.
    #[error("that code is not right")]
    WrongCode,
    #[error("two-step sign-in is already on; turn it off first")]
    AlreadyEnrolled,
    #[error("two-step sign-in is not on")]
    NotEnrolled,
    #[error("no set-up is under way; start again")]
    NoEnrolment,
    /// The secret was sealed with a key since retired without re-sealing.
    #[error("the second factor cannot be read; an operator must reset it")]
    Unreadable,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}
