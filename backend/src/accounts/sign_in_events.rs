//! Failed sign-ins and lockouts at one tenant, for its admins. What the
//! person typed as their email is kept (bounded); their password never is.

use sea_query::{Expr, ExprTrait, Order, Query};

use crate::{
    clock::Clock,
    db::{schema::SignInEvents, Scope},
};

/// Events older than this go, now and then, with a new one.
const KEEP_DAYS: i64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInEventKind {
    /// A wrong password, or an unknown email.
    Failed,
    /// That failure locked the account for the rest of its window.
    Locked,
    /// A wrong second-factor code (TOTP or recovery code).
    WrongCode,
}

impl SignInEventKind {
    fn as_str(self) -> &'static str {
        match self {
            SignInEventKind::Failed => "failed",
            SignInEventKind::Locked => "locked",
            SignInEventKind::WrongCode => "wrong_code",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SignInEvent {
    pub at: i64,
    pub kind: String,
    pub email: String,
    pub ip: Option<String>,
}

pub async fn record(
    db: &Scope,
    clock: &Clock,
    kind: SignInEventKind,
    email: &str,
    ip: Option<&str>,
) -> Result<(), sqlx::Error> {
    let now = clock.unix();
    let email: String = email
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(254)
        .collect();
    let insert = Query::insert()
        .into_table(db.table(SignInEvents::Table))
        .columns([
            SignInEvents::At,
            SignInEvents::Kind,
            SignInEvents::Email,
            SignInEvents::Ip,
        ])
        .values_panic([
            now.into(),
            kind.as_str().into(),
            email.into(),
            ip.map(str::to_owned).into(),
        ])
        .to_owned();
    db.execute(&insert).await?;
    if rand::Rng::gen_ratio(&mut rand::thread_rng(), 1, 64) {
        let prune = Query::delete()
            .from_table(db.table(SignInEvents::Table))
            .and_where(Expr::col(SignInEvents::At).lt(now - KEEP_DAYS * 86_400))
            .to_owned();
        db.execute(&prune).await?;
    }
    Ok(())
}

/// The newest first.
pub async fn recent(db: &Scope, limit: u64) -> Result<Vec<SignInEvent>, sqlx::Error> {
    let query = Query::select()
        .columns([
            SignInEvents::At,
            SignInEvents::Kind,
            SignInEvents::Email,
            SignInEvents::Ip,
        ])
        .from(db.table(SignInEvents::Table))
        .order_by(SignInEvents::Id, Order::Desc)
        .limit(limit)
        .to_owned();
    db.fetch_all(&query).await
}
