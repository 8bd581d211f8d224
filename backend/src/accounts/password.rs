//! Password hashing with argon2id, always off the async runtime and
//! bounded: each hash takes a core and ~19 MiB for ~20 ms, so at most one
//! per core runs at once, a short queue waits, and anything beyond is turned
//! away (`HashError::Busy`, a 503) instead of piling up in memory.

use std::sync::{
    atomic::{AtomicUsize, Ordering},
    LazyLock,
};

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
    /// Every hashing slot is busy and the queue is full.
    #[error("too many sign-ins at once")]
    Busy,
}

/// Hashes waiting per core before new ones are refused (~20 ms each, so a
/// full queue clears in well under a second).
const WAITING_PER_CORE: usize = 16;

/// Runs password hashing for the process: one hash per core at a time, a
/// bounded queue behind them. The cores are the process's, so one `Hasher`
/// is made at start and shared by every tenant.
#[derive(Debug)]
pub struct Hasher {
    running: tokio::sync::Semaphore,
    waiting: AtomicUsize,
    max_waiting: usize,
}

impl Default for Hasher {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self::new(cores, cores * WAITING_PER_CORE)
    }
}

/// Leaves the queue however the wait ends (a cancelled request included).
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Hasher {
    pub fn new(slots: usize, max_waiting: usize) -> Self {
        Self {
            running: tokio::sync::Semaphore::new(slots.max(1)),
            waiting: AtomicUsize::new(0),
            max_waiting,
        }
    }

    /// Runs one hashing job on the blocking pool once a slot is free.
    async fn in_slot<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> Result<T, HashError> + Send + 'static,
    ) -> Result<T, HashError> {
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return Err(HashError::Busy);
        }
        let waiting = Waiting(&self.waiting);
        let _slot = self.running.acquire().await.map_err(|_| HashError::Busy)?;
        drop(waiting);
        tokio::task::spawn_blocking(job).await?
    }

    pub async fn hash(&self, password: Password) -> Result<String, HashError> {
        self.in_slot(move || {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default()
                .hash_password(password.0.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| HashError::Hash(e.to_string()))
        })
        .await
    }

    /// Checks a candidate against a stored hash. With no stored hash (unknown
    /// user) the dummy hash is checked anyway, so timing does not reveal
    /// whether the account exists.
    pub async fn verify(
        &self,
        candidate: String,
        stored: Option<String>,
    ) -> Result<bool, HashError> {
        self.in_slot(move || {
            let known = stored.is_some();
            let hash = stored.unwrap_or_else(|| DUMMY_HASH.clone());
            let parsed = PasswordHash::new(&hash).map_err(|e| HashError::Hash(e.to_string()))?;
            Ok(Argon2::default()
                .verify_password(candidate.as_bytes(), &parsed)
                .is_ok()
                && known)
        })
        .await
    }
}

impl Password {
    pub fn new(input: String) -> Result<Self, PasswordError> {
        match input.chars().count() {
            n if n < MIN_LEN => Err(PasswordError::TooShort),
            n if n > MAX_LEN => Err(PasswordError::TooLong),
            _ => Ok(Self(input)),
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_and_verifies() {
        let hasher = Hasher::default();
        let hash = hasher
            .hash(Password::new("correct horse".into()).expect("long enough"))
            .await
            .expect("hashes");
        assert!(hash.starts_with("$argon2id$"));
        assert!(hasher
            .verify("correct horse".into(), Some(hash.clone()))
            .await
            .expect("verifies"));
        assert!(!hasher
            .verify("wrong horse".into(), Some(hash))
            .await
            .expect("verifies"));
        assert!(!hasher
            .verify("tessera-dummy-password".into(), None)
            .await
            .expect("verifies"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_flood_is_turned_away_not_queued_without_bound() {
        let hasher = std::sync::Arc::new(Hasher::new(2, 8));
        let jobs: Vec<_> = (0..100)
            .map(|_| {
                let hasher = std::sync::Arc::clone(&hasher);
                tokio::spawn(async move { hasher.verify("guess".into(), None).await })
            })
            .collect();
        let mut busy = 0;
        for job in jobs {
            if matches!(job.await.expect("joined"), Err(HashError::Busy)) {
                busy += 1;
            }
        }
        assert!(
            busy >= 80,
            "at most 2 running and 8 waiting of 100 at once; {busy} refused"
        );
        assert!(busy < 100, "the ones that fit are served");
        assert_eq!(
            hasher.waiting.load(Ordering::Acquire),
            0,
            "nobody is left counted as waiting"
        );
    }

    #[test]
    fn length_policy() {
        assert_eq!(
            Password::new("short".into()).err(),
            Some(PasswordError::TooShort)
        );
        assert_eq!(
            Password::new("x".repeat(MAX_LEN + 1)).err(),
            Some(PasswordError::TooLong)
        );
    }
}
