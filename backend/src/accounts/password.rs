//! Password hashing with argon2id, always off the async runtime.

use std::sync::LazyLock;

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};

pub const MIN_LEN: usize = 8;
/// Bounds the work one request can make the hasher do.
pub const MAX_LEN: usize = 1024;

/// A password that passed the length policy. Never printed.
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(..)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("the password must be at least {MIN_LEN} characters long")]
    TooShort,
    #[error("the password can be at most {MAX_LEN} characters long")]
    TooLong,
}

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("password hashing task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
}

impl Password {
    pub fn new(input: String) -> Result<Self, PasswordError> {
        match input.chars().count() {
            n if n < MIN_LEN => Err(PasswordError::TooShort),
            n if n > MAX_LEN => Err(PasswordError::TooLong),
            _ => Ok(Self(input)),
        }
    }

    pub async fn hash(self) -> Result<String, HashError> {
        tokio::task::spawn_blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default()
                .hash_password(self.0.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| HashError::Hash(e.to_string()))
        })
        .await?
    }
}

/// Hashed once per process with the real parameters, so checking it costs
/// what checking a real hash costs.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(b"tessera-dummy-password", &salt)
        .map(|h| h.to_string())
        .unwrap_or_default()
});

/// Checks a candidate against a stored hash. With no stored hash (unknown
/// user) the dummy hash is checked anyway, so timing does not reveal whether
/// the account exists.
pub async fn verify(candidate: String, stored: Option<String>) -> Result<bool, HashError> {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let hash = stored.unwrap_or_else(|| DUMMY_HASH.clone());
        let parsed = PasswordHash::new(&hash).map_err(|e| HashError::Hash(e.to_string()))?;
        Ok(Argon2::default().verify_password(candidate.as_bytes(), &parsed).is_ok() && known)
    })
    .await?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_and_verifies() {
        let hash = Password::new("correct horse".into()).expect("long enough").hash().await.expect("hashes");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify("correct horse".into(), Some(hash.clone())).await.expect("verifies"));
        assert!(!verify("wrong horse".into(), Some(hash)).await.expect("verifies"));
        assert!(!verify("tessera-dummy-password".into(), None).await.expect("verifies"));
    }

    #[test]
    fn length_policy() {
        assert_eq!(Password::new("short".into()).err(), Some(PasswordError::TooShort));
        assert_eq!(Password::new("x".repeat(MAX_LEN + 1)).err(), Some(PasswordError::TooLong));
    }
}
