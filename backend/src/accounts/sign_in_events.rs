//! Failed sign-ins and lockouts at one tenant, for its admins. What the
//! person typed as their email is kept (bounded); their password never is.

use sqlx::Row;

use crate::db::Scope;

/// Events older than this go, now and then, with a new one.
const KEEP_DAYS: i64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInEventKind {
    /// A wrong password, or an unknown email.
    Failed,
    /// That failure locked the account for the rest of its window.
    Locked,
}

impl SignInEventKind {
    fn as_str(self) -> &'static str {
        match self {
            SignInEventKind::Failed => "failed",
            SignInEventKind::Locked => "locked",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInEvent {
    pub at: i64,
    pub kind: String,
    pub email: String,
    pub ip: Option<String>,
}

pub async fn record(
    db: &Scope,
    kind: SignInEventKind,
    email: &str,
    ip: Option<&str>,
) -> Result<(), sqlx::Error> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let email: String = email
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(254)
        .collect();
    let mut conn = db.conn().await?;
    sqlx::query("INSERT INTO sign_in_events (at, kind, email, ip) VALUES ($1, $2, $3, $4)")
        .bind(now)
        .bind(kind.as_str())
        .bind(email)
        .bind(ip)
        .execute(&mut *conn)
        .await?;
    if rand::Rng::gen_ratio(&mut rand::thread_rng(), 1, 64) {
        sqlx::query("DELETE FROM sign_in_events WHERE at < $1")
            .bind(now - KEEP_DAYS * 86_400)
            .execute(&mut *conn)
            .await?;
    }
    conn.commit().await
}

/// The newest first.
pub async fn recent(db: &Scope, limit: i64) -> Result<Vec<SignInEvent>, sqlx::Error> {
    let rows =
        sqlx::query("SELECT at, kind, email, ip FROM sign_in_events ORDER BY id DESC LIMIT $1")
            .bind(limit)
            .fetch_all(&mut *db.conn().await?)
            .await?;
    rows.into_iter()
        .map(|row| {
            Ok(SignInEvent {
                at: row.try_get("at")?,
                kind: row.try_get("kind")?,
                email: row.try_get("email")?,
                ip: row.try_get("ip")?,
            })
        })
        .collect()
}
