//! Users of one tenant, in that tenant's database.

use sea_query::{Expr, ExprTrait, Order, Query};

use crate::{
    bus::{self, Announce, Change},
    clock::Clock,
    db::{schema::Users, Scope, Tx},
};

use super::{
    email::{Email, EmailError},
    password::{self, HashError, Hasher, Password, PasswordError},
    user_id::UserId,
};

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

    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "admin" => Some(Role::Admin),
            "member" => Some(Role::Member),
            _ => None,
        }
    }

    fn parse(s: &str) -> Result<Self, sqlx::Error> {
        Self::from_name(s).ok_or_else(|| sqlx::Error::Decode(format!("unknown role {s:?}").into()))
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

/// A `users` row as queries read it (without the password hash).
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct UserRow {
    pub(crate) id: i64,
    pub(crate) email: String,
    pub(crate) name: String,
    pub(crate) role: String,
}

const USER_COLUMNS: [Users; 4] = [Users::Id, Users::Email, Users::Name, Users::Role];

impl TryFrom<UserRow> for User {
    type Error = sqlx::Error;

    fn try_from(row: UserRow) -> Result<Self, Self::Error> {
        Ok(User {
            id: UserId::new(row.id),
            email: Email::parse(&row.email).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            name: row.name,
            role: Role::parse(&row.role)?,
        })
    }
}

pub async fn register(
    db: &Scope,
    clock: &Clock,
    hasher: &Hasher,
    email: &str,
    password: String,
    name: &str,
    role: NewRole,
) -> Result<User, AccountError> {
    let email = Email::parse(email)?;
    let name = validate_name(name)?;
    let hash = hasher.hash(Password::new(password)?).await?;
    let now = clock.unix();
    // The role is decided inside the INSERT, with role changes serialised,
    // so two first registrations racing cannot both become admin.
    let mut tx = db.begin().await?;
    serialise_role_changes(&mut tx).await?;
    let first = Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(tx.table(Users::Table))
            .to_owned(),
    )
    .not();
    let decided_role = match role {
        NewRole::Admin => Expr::val(Role::Admin.as_str()),
        NewRole::FirstUserIsAdmin => Expr::case(first, Role::Admin.as_str())
            .finally(Role::Member.as_str())
            .into(),
    };
    let insert = Query::insert()
        .into_table(tx.table(Users::Table))
        .columns([
            Users::Email,
            Users::Name,
            Users::PasswordHash,
            Users::Role,
            Users::CreatedAt,
        ])
        .values_panic([
            email.as_str().into(),
            name.into(),
            hash.into(),
            decided_role,
            now.into(),
        ])
        .returning(Query::returning().columns(USER_COLUMNS))
        .to_owned();
    let row = tx
        .fetch_one::<UserRow>(&insert)
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(db) if db.is_unique_violation() => AccountError::EmailTaken,
            other => AccountError::Database(other),
        })?;
    tx.commit().await?;
    Ok(User::try_from(row)?)
}

/// Makes this transaction the only one deciding roles until it ends.
///
/// A PostgreSQL statement sees the table as it was when it began (READ
/// COMMITTED): two first registrations could each find no user, and two
/// admins demoting each other could each find the other still an admin.
/// SHARE ROW EXCLUSIVE conflicts with itself and with every write, not with
/// reads, so the second waits and then sees the first's result. SQLite
/// serialises writers already (`Scope::begin` takes the write lock).
async fn serialise_role_changes(tx: &mut Tx) -> Result<(), sqlx::Error> {
    if let Tx::Postgres(_, schema) = tx {
        // sea-query has no LOCK statement; the schema name comes from a validated slug.
        let lock = format!(
            "LOCK TABLE {}.\"users\" IN SHARE ROW EXCLUSIVE MODE",
            schema.quoted()
        );
        tx.execute_raw(&lock).await?;
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
    #[derive(sqlx::FromRow)]
    struct WithHash {
        #[sqlx(flatten)]
        user: UserRow,
        password_hash: String,
    }
    let row = match Email::parse(email) {
        Ok(email) => {
            let query = Query::select()
                .columns(USER_COLUMNS)
                .column(Users::PasswordHash)
                .from(db.table(Users::Table))
                .and_where(Expr::col(Users::Email).eq(email.as_str()))
                .to_owned();
            db.fetch_optional::<WithHash>(&query).await?
        }
        Err(_) => None,
    };
    let stored = row.as_ref().map(|r| r.password_hash.clone());
    if !hasher.verify(password, stored).await? {
        return Err(AccountError::WrongCredentials);
    }
    match row {
        Some(row) => Ok(User::try_from(row.user)?),
        None => Err(AccountError::WrongCredentials),
    }
}

/// Replaces a user's password (its rules as at registration).
pub async fn set_password(
    db: &Scope,
    hasher: &Hasher,
    id: UserId,
    password: String,
) -> Result<(), AccountError> {
    let hash = hasher.hash(Password::new(password)?).await?;
    let update = Query::update()
        .table(db.table(Users::Table))
        .values([(Users::PasswordHash, hash.into())])
        .and_where(Expr::col(Users::Id).eq(id.get()))
        .to_owned();
    match db.execute(&update).await? {
        0 => Err(AccountError::NoSuchUser),
        _ => Ok(()),
    }
}

pub async fn find(db: &Scope, id: UserId) -> Result<Option<User>, sqlx::Error> {
    let query = Query::select()
        .columns(USER_COLUMNS)
        .from(db.table(Users::Table))
        .and_where(Expr::col(Users::Id).eq(id.get()))
        .to_owned();
    db.fetch_optional::<UserRow>(&query)
        .await?
        .map(User::try_from)
        .transpose()
}

/// The emails of these users (those that still exist), for a page that
/// names a few of them.
pub async fn emails(
    db: &Scope,
    ids: impl IntoIterator<Item = UserId>,
) -> Result<std::collections::HashMap<UserId, String>, sqlx::Error> {
    let mut ids: Vec<i64> = ids.into_iter().map(UserId::get).collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    let query = Query::select()
        .columns([Users::Id, Users::Email])
        .from(db.table(Users::Table))
        .and_where(Expr::col(Users::Id).is_in(ids))
        .to_owned();
    let rows: Vec<(i64, String)> = db.fetch_all(&query).await?;
    Ok(rows
        .into_iter()
        .map(|(id, email)| (UserId::new(id), email))
        .collect())
}

/// Every user of the tenant, by id.
pub async fn list(db: &Scope) -> Result<Vec<User>, sqlx::Error> {
    let query = Query::select()
        .columns(USER_COLUMNS)
        .from(db.table(Users::Table))
        .order_by(Users::Id, Order::Asc)
        .to_owned();
    db.fetch_all::<UserRow>(&query)
        .await?
        .into_iter()
        .map(User::try_from)
        .collect()
}

/// Promotes or demotes a user; the last admin cannot be demoted (checked in
/// the same statement, with role changes serialised, so two admins demoting
/// each other cannot both win).
pub async fn set_role(
    db: &Scope,
    announce: Announce<'_>,
    id: UserId,
    role: Role,
) -> Result<User, AccountError> {
    let mut tx = db.begin().await?;
    serialise_role_changes(&mut tx).await?;
    let another_admin = Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(tx.table(Users::Table))
            .and_where(Expr::col(Users::Role).eq(Role::Admin.as_str()))
            .and_where(Expr::col(Users::Id).ne(id.get()))
            .to_owned(),
    );
    let allowed = if role == Role::Admin {
        Expr::val(true)
    } else {
        another_admin
    };
    let update = Query::update()
        .table(tx.table(Users::Table))
        .value(Users::Role, role.as_str())
        .and_where(Expr::col(Users::Id).eq(id.get()))
        .and_where(allowed)
        .returning(Query::returning().columns(USER_COLUMNS))
        .to_owned();
    let Some(row) = tx.fetch_optional::<UserRow>(&update).await? else {
        let exists = Query::select()
            .column(Users::Id)
            .from(tx.table(Users::Table))
            .and_where(Expr::col(Users::Id).eq(id.get()))
            .to_owned();
        let found: Option<(i64,)> = tx.fetch_optional(&exists).await?;
        return Err(if found.is_some() {
            AccountError::LastAdmin
        } else {
            AccountError::NoSuchUser
        });
    };
    let user = User::try_from(row)?;
    // Every process's cached principals of this user carry the old role.
    let change = Change::User(announce.tenant, id);
    bus::notify_in(&mut tx, &change).await?;
    tx.commit().await?;
    announce.cache.changed(change).await;
    Ok(user)
}
