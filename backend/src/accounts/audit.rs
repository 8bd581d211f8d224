//! The tenant's audit log: who changed what, when, old → new.

use sqlx::Row;

use super::users::User;
use crate::db::Scope;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: i64,
    pub actor_email: String,
    pub action: String,
    pub detail: String,
}

pub async fn record(
    db: &Scope,
    actor: &User,
    action: &str,
    detail: &str,
) -> Result<(), sqlx::Error> {
    let mut conn = db.conn().await?;
    sqlx::query("INSERT INTO audit_log (at, actor_id, actor_email, action, detail) VALUES ($1, $2, $3, $4, $5)")
        .bind(time::OffsetDateTime::now_utc().unix_timestamp())
        .bind(actor.id.get())
        .bind(actor.email.as_str())
        .bind(action)
        .bind(detail)
        .execute(&mut *conn)
        .await?;
    conn.commit().await
}

/// The newest entries first.
pub async fn recent(db: &Scope, limit: i64) -> Result<Vec<AuditEntry>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT at, actor_email, action, detail FROM audit_log ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(&mut *db.conn().await?)
    .await?;
    rows.into_iter()
        .map(|row| {
            Ok(AuditEntry {
                at: row.try_get("at")?,
                actor_email: row.try_get("actor_email")?,
                action: row.try_get("action")?,
                detail: row.try_get("detail")?,
            })
        })
        .collect()
}
