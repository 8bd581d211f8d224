//! Users of one tenant, in that tenant's database.

use std::fmt;

use sqlx::{any::AnyRow, Row};

use crate::db::Scope;

use super::{
    email::{Email, EmailError},
    password::{self, HashError, Hasher, Password, PasswordError},
};

/// A user's id within its tenant. The same number exists at other tenants,
/// so it is never enough on its own to identify anyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct UserId(i64);

impl UserId {
    pub const fn new(raw: i64) -> Self {
        Self(raw)
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Admin,
    Member,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Member => "member",
        }
    }

    fn parse(s: &str) -> Result<Self, sqlx::Error> {
        match s {
            "admin" => Ok(Role::Admin),
            "member" => Ok(Role::Member),
            other => Err(sqlx::Error::Decode(
                format!("unknown role {other:?}").into(),
            )),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub name: String,
    pub role: Role,
}

/// Which role a new account gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewRole {
    /// Admin if it is the tenant's first user, member otherwise.
    FirstUserIsAdmin,
    Admin,
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Email(#[from] EmailError),
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error("please enter your name (at most 100 characters)")]
    Name,
    #[error("an account with this email already exists")]
    EmailTaken,
    /// Deliberately silent about which of email and password was wrong.
    #[error("invalid email or password")]
    WrongCredentials,
    #[error("a workspace keeps at least one admin")]
    LastAdmin,
    #[error("there is no such user")]
    NoSuchUser,
    #[error(transparent)]
    Hash(#[from] HashError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

fn validate_name(input: &str) -> Result<String, AccountError> {
    let name = input.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(AccountError::Name);
    }
    Ok(name.to_owned())
}

fn user_from_row(row: &AnyRow) -> Result<User, sqlx::Error> {
    let email: String = row.try_get("email")?;
    Ok(User {
        id: UserId(row.try_get("id")?),
        email: Email::parse(&email).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        name: row.try_get("name")?,
        role: Role::parse(row.try_get("role")?)?,
    })
}

pub async fn register(
    db: &Scope,
    hasher: &Hasher,
    email: &str,
    password: String,
    name: &str,
    role: NewRole,
) -> Result<User, AccountError> {
    let email = Email::parse(email)?;
    let name = validate_name(name)?;
    let hash = hasher.hash(Password::new(password)?).await?;
    let force_admin = role == NewRole::Admin;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    // The role is decided inside the INSERT, with role changes serialised,
    // so two first registrations racing cannot both become admin.
    let mut conn = db.begin().await?;
    serialise_role_changes(db, &mut conn).await?;
    let row = sqlx::query(
        "INSERT INTO users (email, name, password_hash, role, created_at) \
         VALUES ($1, $2, $3, \
                 CASE WHEN $4 OR NOT EXISTS (SELECT 1 FROM users) THEN 'admin' ELSE 'member' END, \
                 $5) \
         RETURNING id, email, name, role",
    )
    .bind(email.as_str())
    .bind(&name)
    .bind(&hash)
    .bind(force_admin)
    .bind(now)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| match e {
        sqlx::Error::Database(db) if db.is_unique_violation() => AccountError::EmailTaken,
        other => AccountError::Database(other),
    })?;
    conn.commit().await?;
    Ok(user_from_row(&row)?)
}

/// Makes this transaction the only one deciding roles until it ends.
///
/// A PostgreSQL statement sees the table as it was when it began (READ
/// COMMITTED): two first registrations could each find no user, and two
/// admins demoting each other could each find the other still an admin.
/// SHARE ROW EXCLUSIVE conflicts with itself and with every write, not with
/// reads, so the second waits and then sees the first's result. SQLite
/// serialises writers already (`Scope::begin` takes the write lock).
async fn serialise_role_changes(
    db: &Scope,
    conn: &mut sqlx::AnyConnection,
) -> Result<(), sqlx::Error> {
    if db.is_postgres() {
        sqlx::query("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE")
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Email and password to a user, or `WrongCredentials` for any mismatch.
pub async fn authenticate(
    db: &Scope,
    hasher: &Hasher,
    email: &str,
    password: String,
) -> Result<User, AccountError> {
    if password.len() > password::MAX_LEN * 4 {
        return Err(AccountError::WrongCredentials);
    }
    let row = match Email::parse(email) {
        Ok(email) => {
            sqlx::query("SELECT id, email, name, role, password_hash FROM users WHERE email = $1")
                .bind(email.as_str())
                .fetch_optional(&mut *db.conn().await?)
                .await?
        }
        Err(_) => None,
    };
    let stored = row
        .as_ref()
        .map(|r| r.try_get::<String, _>("password_hash"))
        .transpose()?;
    if !hasher.verify(password, stored).await? {
        return Err(AccountError::WrongCredentials);
    }
    match row {
        Some(row) => Ok(user_from_row(&row)?),
        None => Err(AccountError::WrongCredentials),
    }
}

pub async fn find(db: &Scope, id: UserId) -> Result<Option<User>, sqlx::Error> {
    sqlx::query("SELECT id, email, name, role FROM users WHERE id = $1")
        .bind(id.0)
        .fetch_optional(&mut *db.conn().await?)
        .await?
        .as_ref()
        .map(user_from_row)
        .transpose()
}

/// Every user of the tenant, by id.
pub async fn list(db: &Scope) -> Result<Vec<User>, sqlx::Error> {
    sqlx::query("SELECT id, email, name, role FROM users ORDER BY id")
        .fetch_all(&mut *db.conn().await?)
        .await?
        .iter()
        .map(user_from_row)
        .collect()
}

/// Promotes or demotes a user; the last admin cannot be demoted (checked in
/// the same statement, with role changes serialised, so two admins demoting
/// each other cannot both win).
pub async fn set_role(db: &Scope, id: UserId, role: Role) -> Result<User, AccountError> {
    let mut conn = db.begin().await?;
    serialise_role_changes(db, &mut conn).await?;
    let changed = sqlx::query(
        "UPDATE users SET role = $1 WHERE id = $2 \
         AND ($1 = 'admin' OR EXISTS (SELECT 1 FROM users WHERE role = 'admin' AND id <> $2)) \
         RETURNING id, email, name, role",
    )
    .bind(role.as_str())
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = changed else {
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&mut *conn)
            .await?;
        return Err(if exists.is_some() {
            AccountError::LastAdmin
        } else {
            AccountError::NoSuchUser
        });
    };
    let user = user_from_row(&row)?;
    conn.commit().await?;
    Ok(user)
}
