//! One tenant's (or the central) database as queries see it.
//!
//! SQLite: a file with its own pool; queries run on a plain connection.
//! PostgreSQL: one schema in the shared pool; every unit of work runs in a
//! transaction that first sets `search_path` with `set_config(.., true)`,
//! which PostgreSQL resets when the transaction ends, so a pooled
//! connection can never carry one tenant's schema into another's request.

use std::{
    ops::{Deref, DerefMut},
    sync::Arc,
};

use sqlx::{pool::PoolConnection, Any, AnyConnection, AnyPool, Transaction};

/// A PostgreSQL schema name, quoted for use as an identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schema(Arc<str>);

impl Schema {
    /// Schema names come from validated slugs (`[a-z0-9-]`) or constants;
    /// quoting keeps the hyphen legal.
    pub fn new(name: &str) -> Self {
        Self(Arc::from(format!("\"{}\"", name.replace('"', ""))))
    }

    pub fn quoted(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone)]
pub struct Scope {
    pool: AnyPool,
    schema: Option<Schema>,
}

impl Scope {
    pub fn sqlite(pool: AnyPool) -> Self {
        Self { pool, schema: None }
    }

    pub fn postgres(pool: AnyPool, schema: Schema) -> Self {
        Self {
            pool,
            schema: Some(schema),
        }
    }

    /// Whether this is a PostgreSQL schema (else a SQLite file).
    pub fn is_postgres(&self) -> bool {
        self.schema.is_some()
    }

    /// The pool of a SQLite database (for its migrations).
    pub fn sqlite_pool(&self) -> Option<&AnyPool> {
        self.schema.is_none().then_some(&self.pool)
    }

    /// A connection for one unit of work: inside the scoping transaction on
    /// PostgreSQL, a plain pooled connection on SQLite (where a deferred
    /// transaction would only add lock upgrades). Writes must end with
    /// [`Conn::commit`]; dropping it rolls a PostgreSQL transaction back.
    pub async fn conn(&self) -> Result<Conn, sqlx::Error> {
        match &self.schema {
            None => Ok(Conn::Plain(self.pool.acquire().await?)),
            Some(_) => self.begin().await,
        }
    }

    /// A write transaction on every backend, scoped to the schema on
    /// PostgreSQL. SQLite takes the write lock up front (`BEGIN IMMEDIATE`,
    /// waiting out the busy timeout): a deferred transaction that reads and
    /// then writes can fail outright when another writer got in between.
    pub async fn begin(&self) -> Result<Conn, sqlx::Error> {
        let mut tx = match self.schema {
            None => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Some(_) => self.pool.begin().await?,
        };
        if let Some(schema) = &self.schema {
            sqlx::query("SELECT set_config('search_path', $1, true)")
                .bind(schema.quoted())
                .execute(&mut *tx)
                .await?;
        }
        Ok(Conn::Tx(tx))
    }
}

pub enum Conn {
    Plain(PoolConnection<Any>),
    Tx(Transaction<'static, Any>),
}

impl Conn {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Conn::Plain(_) => Ok(()),
            Conn::Tx(tx) => tx.commit().await,
        }
    }
}

impl Deref for Conn {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        match self {
            Conn::Plain(c) => c,
            Conn::Tx(t) => t,
        }
    }
}

impl DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match self {
            Conn::Plain(c) => c,
            Conn::Tx(t) => t,
        }
    }
}

/// Whether an error means "the table is not there" on either backend.
pub fn is_missing_table(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => {
            db.code().as_deref() == Some("42P01") || db.message().contains("no such table")
        }
        _ => false,
    }
}
