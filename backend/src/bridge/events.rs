//! What happened to the bridge, for the admin panel: an event per issue,
//! restore, refresh, failure and revocation, and the daily chart read
//! from them.

use sea_query::{Cond, Expr, ExprTrait, InsertStatement, Query, TableRef};

use super::family::FamilyId;
use crate::{
    accounts::{Role, UserId},
    clock::Clock,
    db::{
        schema::{BridgeEvents, BridgeFamilies, Users},
        Scope, Tx,
    },
};

/// An event's kind, stored by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Issued,
    Restored,
    Refreshed,
    /// A rotated-out token within its grace window (or a rotation raced).
    GraceReuse,
    /// A rotated-out token after its grace window: the family was revoked.
    TheftDetected,
    Revoked,
    /// A restore refused before any family was found.
    Failed,
    /// A good token whose restore waits for the person's second factor.
    StepUpAsked,
    /// A wrong code presented for a restore waiting for its second factor.
    StepUpFailed,
}

impl EventKind {
    const NAMES: [(EventKind, &'static str); 9] = [
        (EventKind::Issued, "issued"),
        (EventKind::Restored, "restored"),
        (EventKind::Refreshed, "refreshed"),
        (EventKind::GraceReuse, "grace_reuse"),
        (EventKind::TheftDetected, "theft_detected"),
        (EventKind::Revoked, "revoked"),
        (EventKind::Failed, "failed"),
        (EventKind::StepUpAsked, "step_up_asked"),
        (EventKind::StepUpFailed, "step_up_failed"),
    ];

    pub fn name(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(kind, _)| *kind == self)
            .map_or("", |(_, name)| name)
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::NAMES
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(kind, _)| *kind)
    }
}

/// An event, as the operation that caused it records it.
pub struct Event<'a> {
    pub kind: EventKind,
    pub family: Option<&'a FamilyId>,
    pub user: Option<UserId>,
    pub ip: Option<&'a str>,
    pub at: i64,
}

/// Appends an event inside the operation's transaction.
pub(super) async fn append(tx: &mut Tx, event: Event<'_>) -> Result<(), sqlx::Error> {
    let insert = insert(tx.table(BridgeEvents::Table), event);
    tx.execute(&insert).await.map(drop)
}

fn insert(table: TableRef, event: Event<'_>) -> InsertStatement {
    Query::insert()
        .into_table(table)
        .columns([
            BridgeEvents::At,
            BridgeEvents::Kind,
            BridgeEvents::FamilyId,
            BridgeEvents::UserId,
            BridgeEvents::Ip,
        ])
        .values_panic([
            event.at.into(),
            event.kind.name().into(),
            event.family.map(|f| f.as_str().to_owned()).into(),
            event.user.map(UserId::get).into(),
            event.ip.map(str::to_owned).into(),
        ])
        .to_owned()
}

/// Records an event outside any other operation.
pub async fn record(db: &Scope, event: Event<'_>) -> Result<(), sqlx::Error> {
    db.execute(&insert(db.table(BridgeEvents::Table), event))
        .await
        .map(drop)
}

/// Records a failed restore (no family to tie it to).
pub async fn record_failure(
    db: &Scope,
    clock: &Clock,
    ip: Option<&str>,
) -> Result<(), sqlx::Error> {
    let event = Event {
        kind: EventKind::Failed,
        family: None,
        user: None,
        ip,
        at: clock.unix(),
    };
    record(db, event).await
}

/// Bridge activity of one day (UTC), for the admin panel's chart.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayUsage {
    /// Days since 1970-01-01.
    pub day: i64,
    pub restores: u64,
    pub refreshes: u64,
    pub failures: u64,
    pub revocations: u64,
}

impl DayUsage {
    fn count(&mut self, kind: EventKind, n: u64) {
        match kind {
            EventKind::Restored => self.restores += n,
            EventKind::Refreshed | EventKind::GraceReuse => self.refreshes += n,
            EventKind::Failed | EventKind::StepUpFailed => self.failures += n,
            EventKind::TheftDetected => {
                self.failures += n;
                self.revocations += n;
            }
            EventKind::Revoked => self.revocations += n,
            EventKind::Issued | EventKind::StepUpAsked => {}
        }
    }
}

/// The last `days` days of events up to today, oldest first, every day
/// present: everyone's, or one role's (`cohort`: the events of their
/// devices, and of them).
pub async fn usage(
    db: &Scope,
    clock: &Clock,
    days: i64,
    cohort: Option<Role>,
) -> Result<Vec<DayUsage>, sqlx::Error> {
    let today = clock.unix() / 86_400;
    let first = today - days + 1;
    // A constant, rendered inline: a bound divisor would differ between the
    // SELECT and the GROUP BY ($1 vs $2), which PostgreSQL refuses.
    let day = Expr::col(BridgeEvents::At).div(Expr::Constant(86_400i64.into()));
    let mut query = Query::select()
        .expr_as(day.clone(), "day")
        .column(BridgeEvents::Kind)
        .expr_as(Expr::col(BridgeEvents::Id).count(), "n")
        .from(db.table(BridgeEvents::Table))
        .and_where(Expr::col(BridgeEvents::At).gte(first * 86_400))
        .add_group_by([day, Expr::col(BridgeEvents::Kind)])
        .to_owned();
    if let Some(role) = cohort {
        let of_role = Query::select()
            .column(Users::Id)
            .from(db.table(Users::Table))
            .and_where(Expr::col(Users::Role).eq(role.as_str()))
            .to_owned();
        // A revocation names the device, not its person.
        let their_devices = Query::select()
            .column(BridgeFamilies::Id)
            .from(db.table(BridgeFamilies::Table))
            .and_where(Expr::col(BridgeFamilies::UserId).in_subquery(of_role.clone()))
            .to_owned();
        query.cond_where(
            Cond::any()
                .add(Expr::col(BridgeEvents::UserId).in_subquery(of_role))
                .add(Expr::col(BridgeEvents::FamilyId).in_subquery(their_devices)),
        );
    }
    let rows: Vec<(i64, String, i64)> = db.fetch_all(&query).await?;
    let mut usage: Vec<DayUsage> = (first..=today)
        .map(|day| DayUsage {
            day,
            ..DayUsage::default()
        })
        .collect();
    for (day, kind, n) in rows {
        let slot = usize::try_from(day - first)
            .ok()
            .and_then(|i| usage.get_mut(i));
        if let (Some(slot), Some(kind)) = (slot, EventKind::from_name(&kind)) {
            slot.count(kind, u64::try_from(n).unwrap_or(0));
        }
    }
    Ok(usage)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_own_stored_name() {
        for (kind, name) in EventKind::NAMES {
            assert_eq!(EventKind::from_name(name), Some(kind));
            assert_eq!(kind.name(), name);
        }
        assert_eq!(EventKind::from_name("exploded"), None);
    }

    #[test]
    fn the_chart_counts_theft_as_a_failure_and_a_revocation() {
        let mut day = DayUsage::default();
        day.count(EventKind::TheftDetected, 2);
        day.count(EventKind::GraceReuse, 1);
        day.count(EventKind::Issued, 5);
        assert_eq!(
            day,
            DayUsage {
                failures: 2,
                revocations: 2,
                refreshes: 1,
                ..DayUsage::default()
            }
        );
    }
}
