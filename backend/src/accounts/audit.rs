//! The tenant's audit log: who changed what, when, old → new.

use sea_query::{Order, Query};

use super::users::User;
use crate::{
    clock::Clock,
    db::{schema::AuditLog, Scope},
};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditEntry {
    pub at: i64,
    pub actor_email: String,
    pub action: String,
    pub detail: String,
}

pub async fn record(
    db: &Scope,
    clock: &Clock,
    actor: &User,
    action: &str,
    detail: &str,
) -> Result<(), sqlx::Error> {
    let now = clock.unix();
    let insert = Query::insert()
        .into_table(db.table(AuditLog::Table))
        .columns([
            AuditLog::At,
            AuditLog::ActorId,
            AuditLog::ActorEmail,
            AuditLog::Action,
            AuditLog::Detail,
        ])
        .values_panic([
            now.into(),
            actor.id.get().into(),
            actor.email.as_str().into(),
            action.into(),
            detail.into(),
        ])
        .to_owned();
    db.execute(&insert).await.map(drop)
}

/// The newest entries first.
pub async fn recent(db: &Scope, limit: u64) -> Result<Vec<AuditEntry>, sqlx::Error> {
    let query = Query::select()
        .columns([
            AuditLog::At,
            AuditLog::ActorEmail,
            AuditLog::Action,
            AuditLog::Detail,
        ])
        .from(db.table(AuditLog::Table))
        .order_by(AuditLog::Id, Order::Desc)
        .limit(limit)
        .to_owned();
    db.fetch_all(&query).await
}
