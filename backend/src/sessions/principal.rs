//! The principal: what a signed-in request needs to authorise, read in one
//! query — with the session itself where the sessions live in the tenant's
//! database (session ⋈ user ⋈ bridge family), else by the record's ids.

use std::sync::{Arc, OnceLock};

use sea_query::{Expr, ExprTrait, IntoIden, JoinType, Query, SelectStatement};

use super::record::SessionRecord;
use crate::{
    accounts::{users::UserRow, User},
    bridge::{FamilyId, FamilyState},
    db::{
        schema::{BridgeFamilies, Users},
        Scope,
    },
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The signed-in user, if the account still exists.
    pub user: Option<User>,
    /// Where the session's bridge device stands; None when it has none
    /// (signed in while the bridge was off for its person). A revoked (or
    /// gone) device ends the session; a withdrawn one does not.
    pub family: Option<FamilyState>,
}

/// Filled by the session store when it reads the principal together with
/// the session; shared by the store and the request's `AuthSession`.
pub type PrincipalSlot = Arc<OnceLock<Principal>>;

/// The principal's columns, as the joined reads return them (each side of
/// the joins may be missing).
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct PrincipalRow {
    user_id: Option<i64>,
    user_email: Option<String>,
    user_name: Option<String>,
    user_role: Option<String>,
    family_id: Option<String>,
    family_revoked_at: Option<i64>,
    family_revoked_reason: Option<String>,
}

impl PrincipalRow {
    /// The principal, for a session whose record names `wanted` as its family.
    pub(crate) fn into_principal(
        self,
        wanted: Option<&FamilyId>,
    ) -> Result<Principal, sqlx::Error> {
        let reason = self.family_revoked_reason.as_deref();
        let family = wanted.map(|_| match self.family_id {
            Some(_) => FamilyState::of(self.family_revoked_at, reason),
            None => FamilyState::Revoked,
        });
        let user = match (
            self.user_id,
            self.user_email,
            self.user_name,
            self.user_role,
        ) {
            (Some(id), Some(email), Some(name), Some(role)) => Some(User::try_from(UserRow {
                id,
                email,
                name,
                role,
            })?),
            _ => None,
        };
        Ok(Principal { user, family })
    }
}

/// Adds the principal's columns to `query`, joining the user `user_id` and
/// the family `family_id` name (columns of the query's own table, or values).
pub(crate) fn join_principal(
    query: &mut SelectStatement,
    db: &Scope,
    user_id: Expr,
    family_id: Expr,
) {
    let (users, families) = (Users::Table.into_iden(), BridgeFamilies::Table.into_iden());
    for (column, alias) in [
        (Users::Id, "user_id"),
        (Users::Email, "user_email"),
        (Users::Name, "user_name"),
        (Users::Role, "user_role"),
    ] {
        query.expr_as(Expr::col((users.clone(), column)), alias);
    }
    query
        .expr_as(
            Expr::col((families.clone(), BridgeFamilies::Id)),
            "family_id",
        )
        .expr_as(
            Expr::col((families.clone(), BridgeFamilies::RevokedAt)),
            "family_revoked_at",
        )
        .expr_as(
            Expr::col((families.clone(), BridgeFamilies::RevokedReason)),
            "family_revoked_reason",
        )
        .join(
            JoinType::LeftJoin,
            db.table(Users::Table),
            Expr::col((users, Users::Id)).eq(user_id),
        )
        .join(
            JoinType::LeftJoin,
            db.table(BridgeFamilies::Table),
            Expr::col((families, BridgeFamilies::Id)).eq(family_id),
        );
}

/// The principal of a session record read from a store that could not join
/// it (Redis, files, memory, the shared table): one query in the tenant's database.
pub async fn read(db: &Scope, record: &SessionRecord) -> Result<Principal, sqlx::Error> {
    // A one-row anchor, so that the user and the family are each optional.
    let mut query = Query::select()
        .from_subquery(Query::select().expr(Expr::val(1)).to_owned(), "anchor")
        .to_owned();
    let family = record.family.as_ref().map(|f| f.as_str().to_owned());
    join_principal(
        &mut query,
        db,
        Expr::val(record.user.get()),
        Expr::val(family),
    );
    let row: PrincipalRow = db.fetch_one(&query).await?;
    row.into_principal(record.family.as_ref())
}
