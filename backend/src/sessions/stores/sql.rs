//! A tower-sessions store over one database's `sessions` table: a tenant's
//! own database (SQLite file or PostgreSQL schema), or the central one.
//!
//! Rows carry the signed-in user and bridge family beside the data, so in a
//! tenant's own database a read joins them: session, user and family in one
//! query (`get_with_principal`).

use std::time::Duration;

use sea_query::{
    Alias, ColumnDef, CommonTableExpression, Expr, ExprTrait, Index, IntoIden, OnConflict, Query,
    Table, WithQuery,
};
use sea_query_sqlx::SqlxBinder;
use time::OffsetDateTime;
use tower_sessions::session_store;

use super::stored::{StoredId, StoredRecord};
use crate::{
    bus::{self, Change},
    clock::Clock,
    db::{schema::Sessions, scope::is_missing_table, Scope},
    sessions::{
        principal::{join_principal, PrincipalRow},
        SessionRecord,
    },
};

const PRUNE_ODDS: u32 = 64;

/// What to do when the table is missing (a tenant database from before the
/// sessions migration, or one whose table was dropped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingTable {
    Create,
    Fail,
}

#[derive(Debug, Clone)]
pub struct SqlSessionStore {
    db: Scope,
    missing_table: MissingTable,
    /// The sessions live beside the tenant's users and bridge families (an
    /// isolated tenant database), so a read can join them.
    joins_principal: bool,
    clock: Clock,
}

fn backend(e: sqlx::Error) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

fn encode_data(record: &StoredRecord) -> session_store::Result<String> {
    serde_json::to_string(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))
}

fn row_record(data: &str, expiry: i64) -> Option<StoredRecord> {
    Some(StoredRecord {
        data: serde_json::from_str(data).ok()?,
        expiry_date: OffsetDateTime::from_unix_timestamp(expiry).ok()?,
    })
}

/// The signed-in user and bridge family a record names, as their columns.
fn owner_columns(record: &StoredRecord) -> (Option<i64>, Option<String>) {
    let signed_in = SessionRecord::in_data(&record.data);
    let user = signed_in.as_ref().map(|r| r.user.get());
    let family = signed_in
        .and_then(|r| r.family)
        .map(|f| f.as_str().to_owned());
    (user, family)
}

fn unreadable() -> session_store::Error {
    session_store::Error::Decode("an unreadable session row".into())
}

impl SqlSessionStore {
    pub fn new(
        db: Scope,
        missing_table: MissingTable,
        joins_principal: bool,
        clock: Clock,
    ) -> Self {
        Self {
            db,
            missing_table,
            joins_principal,
            clock,
        }
    }

    fn now(&self) -> i64 {
        self.clock.unix()
    }

    pub fn joins_principal(&self) -> bool {
        self.joins_principal
    }

    /// Runs `op`; if it failed only because the table is missing and we may
    /// create it, creates the table and runs `op` once more.
    async fn with_table<T, F, Fut>(&self, op: F) -> session_store::Result<T>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<T, sqlx::Error>>,
    {
        match op().await {
            Err(e) if is_missing_table(&e) => match self.missing_table {
                MissingTable::Create => {
                    self.create_table().await;
                    op().await.map_err(backend)
                }
                MissingTable::Fail => Err(session_store::Error::Backend(
                    "this tenant's database has no sessions table and auto_create_session_table is off; \
                     run `tessera tenant migrate`"
                        .into(),
                )),
            },
            other => other.map_err(backend),
        }
    }

    /// Creates the table (as the migrations do); a concurrent creator
    /// winning the race is fine.
    async fn create_table(&self) {
        let table = Table::create()
            .table(self.db.table(Sessions::Table))
            .if_not_exists()
            .col(ColumnDef::new(Sessions::Id).text().primary_key())
            .col(ColumnDef::new(Sessions::Data).text().not_null())
            .col(
                ColumnDef::new(Sessions::ExpiryDate)
                    .big_integer()
                    .not_null(),
            )
            .col(ColumnDef::new(Sessions::UserId).big_integer())
            .col(ColumnDef::new(Sessions::FamilyId).text())
            .to_owned();
        let index = Index::create()
            .name("sessions_expiry")
            .table(self.db.table(Sessions::Table))
            .col(Sessions::ExpiryDate)
            .if_not_exists()
            .to_owned();
        let by_user = Index::create()
            .name("sessions_user")
            .table(self.db.table(Sessions::Table))
            .col(Sessions::UserId)
            .col(Sessions::ExpiryDate)
            .if_not_exists()
            .to_owned();
        let created = async {
            self.db.execute_schema(&table).await?;
            self.db.execute_schema(&index).await?;
            self.db.execute_schema(&by_user).await
        }
        .await;
        match created {
            Ok(()) => tracing::info!("created missing sessions table"),
            Err(e) => {
                tracing::warn!(error = %e, "creating the sessions table failed (maybe created concurrently)")
            }
        }
    }

    async fn execute(&self, statement: &impl SqlxBinder) -> session_store::Result<u64> {
        self.with_table(|| self.db.execute(statement)).await
    }

    /// Live sessions, as a query narrows them.
    fn live(&self) -> sea_query::SelectStatement {
        Query::select()
            .columns([Sessions::Id, Sessions::Data, Sessions::ExpiryDate])
            .from(self.db.table(Sessions::Table))
            .and_where(Expr::col(Sessions::ExpiryDate).gt(self.now()))
            .to_owned()
    }

    async fn records(
        &self,
        query: &sea_query::SelectStatement,
    ) -> session_store::Result<Vec<(StoredId, StoredRecord)>> {
        let rows: Vec<(String, String, i64)> = self.with_table(|| self.db.fetch_all(query)).await?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, data, expiry)| {
                Some((StoredId::from_stored(&id)?, row_record(&data, expiry)?))
            })
            .collect())
    }

    pub async fn list(&self) -> session_store::Result<Vec<(StoredId, StoredRecord)>> {
        self.records(&self.live()).await
    }

    /// One user's live sessions, by the `sessions_user` index. (In the
    /// shared table the same id is a user of every tenant; the caller keeps
    /// its tenant's.)
    pub async fn of_user(&self, user: i64) -> session_store::Result<Vec<(StoredId, StoredRecord)>> {
        let query = self
            .live()
            .and_where(Expr::col(Sessions::UserId).eq(user))
            .to_owned();
        self.records(&query).await
    }

    /// Live sessions, the most recently active first (the idle expiry moves
    /// with activity), `limit` from `offset`, by the expiry index.
    pub async fn newest(
        &self,
        offset: u64,
        limit: u64,
    ) -> session_store::Result<Vec<(StoredId, StoredRecord)>> {
        let query = self
            .live()
            .order_by(Sessions::ExpiryDate, sea_query::Order::Desc)
            .order_by(Sessions::Id, sea_query::Order::Asc)
            .limit(limit)
            .offset(offset)
            .to_owned();
        self.records(&query).await
    }

    /// How many live sessions the table holds.
    pub async fn count(&self) -> session_store::Result<u64> {
        let query = self
            .live()
            .clear_selects()
            .expr(Expr::col(Sessions::Id).count())
            .to_owned();
        let (n,): (i64,) = self.with_table(|| self.db.fetch_one(&query)).await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Laravel's session lottery: one new session in PRUNE_ODDS also deletes
    /// the expired ones, so the table stays bounded without a sweeper per tenant.
    async fn prune_expired_sometimes(&self) {
        if !rand::Rng::gen_ratio(&mut rand::thread_rng(), 1, PRUNE_ODDS) {
            return;
        }
        let prune = Query::delete()
            .from_table(self.db.table(Sessions::Table))
            .and_where(Expr::col(Sessions::ExpiryDate).lte(self.now()))
            .to_owned();
        if let Err(e) = self.execute(&prune).await {
            tracing::warn!(error = %e, "pruning expired sessions failed");
        }
    }

    /// Stores a new session; false when the id is taken.
    pub async fn insert(
        &self,
        id: &StoredId,
        record: &StoredRecord,
    ) -> session_store::Result<bool> {
        // The user and family are copied out beside the data, for joins.
        let (user, family) = owner_columns(record);
        let insert = Query::insert()
            .into_table(self.db.table(Sessions::Table))
            .columns([
                Sessions::Id,
                Sessions::Data,
                Sessions::ExpiryDate,
                Sessions::UserId,
                Sessions::FamilyId,
            ])
            .values_panic([
                id.as_str().into(),
                encode_data(record)?.into(),
                record.expiry_date.unix_timestamp().into(),
                user.into(),
                family.into(),
            ])
            .on_conflict(OnConflict::column(Sessions::Id).do_nothing().to_owned())
            .to_owned();
        let inserted = self.execute(&insert).await? == 1;
        if inserted {
            self.prune_expired_sometimes().await;
        }
        Ok(inserted)
    }

    /// Rewrites a session that still exists (never an upsert: a request
    /// that read a session before it was revoked must not write it back);
    /// false when it is gone.
    pub async fn update(
        &self,
        id: &StoredId,
        record: &StoredRecord,
    ) -> session_store::Result<bool> {
        let (user, family) = owner_columns(record);
        let update = Query::update()
            .table(self.db.table(Sessions::Table))
            .values([
                (Sessions::Data, encode_data(record)?.into()),
                (
                    Sessions::ExpiryDate,
                    record.expiry_date.unix_timestamp().into(),
                ),
                (Sessions::UserId, user.into()),
                (Sessions::FamilyId, family.into()),
            ])
            .and_where(Expr::col(Sessions::Id).eq(id.as_str()))
            .to_owned();
        Ok(self.execute(&update).await? == 1)
    }

    pub async fn get(&self, id: &StoredId) -> session_store::Result<Option<StoredRecord>> {
        let query = Query::select()
            .columns([Sessions::Data, Sessions::ExpiryDate])
            .from(self.db.table(Sessions::Table))
            .and_where(Expr::col(Sessions::Id).eq(id.as_str()))
            .and_where(Expr::col(Sessions::ExpiryDate).gt(self.now()))
            .to_owned();
        let row: Option<(String, i64)> = self.with_table(|| self.db.fetch_optional(&query)).await?;
        row.map(|(data, expiry)| row_record(&data, expiry).ok_or_else(unreadable))
            .transpose()
    }

    /// The session with its principal (user ⋈ bridge family), in one query.
    pub(crate) async fn get_with_principal(
        &self,
        id: &StoredId,
    ) -> session_store::Result<Option<(StoredRecord, PrincipalRow)>> {
        #[derive(sqlx::FromRow)]
        struct Joined {
            data: String,
            expiry_date: i64,
            #[sqlx(flatten)]
            principal: PrincipalRow,
        }
        let sessions = Sessions::Table.into_iden();
        let mut query = Query::select()
            .expr_as(Expr::col((sessions.clone(), Sessions::Data)), "data")
            .expr_as(
                Expr::col((sessions.clone(), Sessions::ExpiryDate)),
                "expiry_date",
            )
            .from(self.db.table(Sessions::Table))
            .and_where(Expr::col((sessions.clone(), Sessions::Id)).eq(id.as_str()))
            .and_where(Expr::col((sessions.clone(), Sessions::ExpiryDate)).gt(self.now()))
            .to_owned();
        let (user, family) = (
            Expr::col((sessions.clone(), Sessions::UserId)),
            Expr::col((sessions, Sessions::FamilyId)),
        );
        join_principal(&mut query, &self.db, user, family);
        let row: Option<Joined> = self.with_table(|| self.db.fetch_optional(&query)).await?;
        row.map(|row| {
            Ok((
                row_record(&row.data, row.expiry_date).ok_or_else(unreadable)?,
                row.principal,
            ))
        })
        .transpose()
    }

    /// Removes a session and, in the same transaction, tells the other
    /// processes (PostgreSQL only delivers the notice if the delete commits):
    /// one statement, a data-modifying CTE, so one round trip rather than
    /// four. SQLite has no other process to tell.
    pub async fn remove_announcing(
        &self,
        id: &StoredId,
        change: &Change,
    ) -> session_store::Result<()> {
        let delete = Query::delete()
            .from_table(self.db.table(Sessions::Table))
            .and_where(Expr::col(Sessions::Id).eq(id.as_str()))
            .to_owned();
        if !self.db.is_postgres() {
            return self.execute(&delete).await.map(drop);
        }
        let announced = WithQuery::new()
            .cte(
                CommonTableExpression::new()
                    .query(delete)
                    .table_name(Alias::new("gone"))
                    .to_owned(),
            )
            .query(bus::notify(change.clone()))
            .to_owned();
        self.execute(&announced).await.map(drop)
    }

    pub async fn remove(&self, id: &StoredId) -> session_store::Result<()> {
        let delete = Query::delete()
            .from_table(self.db.table(Sessions::Table))
            .and_where(Expr::col(Sessions::Id).eq(id.as_str()))
            .to_owned();
        self.execute(&delete).await.map(drop)
    }
}

/// How long an idle session lives, as tower-sessions wants it.
pub fn idle_expiry(lifetime: Duration) -> tower_sessions::Expiry {
    tower_sessions::Expiry::OnInactivity(time::Duration::seconds(
        i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX),
    ))
}
