//! Queue counts: changes collected per transaction and applied in key order, and the
//! live counts read back from the counter rows.

use super::rows::text_enum;
use crate::sql::convert::{get, micros};
use crate::sql::error;
use crate::sql::fetch;
use crate::sql::reports::Rollups;
use crate::{Db, DbConn};
use ferrodesk_domain::{GroupId, Ticket, TicketStatus, UserId};
use ferrodesk_store::{QueueCounts, StoreResult};
use jiff::Timestamp;
use sqlx::QueryBuilder;
use std::collections::BTreeMap;

/// Changes to the queue counts of one transaction, keyed by (group or 0, assignee or 0,
/// status), with the latest change time. Applied in key order, so concurrent PostgreSQL
/// transactions lock counter rows in the same order.
#[derive(Debug, Default)]
pub(crate) struct CountDeltas {
    changes: BTreeMap<(i64, i64, &'static str), i64>,
    now: Option<Timestamp>,
    /// The report rollups, which change with the counts.
    pub(crate) rollups: Rollups,
}

impl CountDeltas {
    /// Counts `ticket` `delta` times (+1 as it is now, -1 as it was).
    pub(crate) fn add(&mut self, ticket: &Ticket, delta: i64) {
        let key = (
            ticket.group_id.map_or(0, GroupId::get),
            ticket.assignee_id.map_or(0, UserId::get),
            ticket.status.as_str(),
        );
        *self.changes.entry(key).or_insert(0) += delta;
    }

    /// Adds another set of changes to these.
    #[allow(
        dead_code,
        reason = "only SQLite's group commit sums changes across writes"
    )]
    pub(crate) fn merge(&mut self, other: CountDeltas) {
        for (key, delta) in other.changes {
            *self.changes.entry(key).or_insert(0) += delta;
        }
        self.now = self.now.max(other.now);
        self.rollups.merge(other.rollups);
    }

    /// Hands the changes, made at `now`, to the backend: written now in the current
    /// transaction, or (SQLite's group commit) added to the batch's changes and written
    /// once before its commit.
    pub(crate) async fn apply(mut self, conn: &mut DbConn, now: Timestamp) -> StoreResult<()> {
        self.now = self.now.max(Some(now));
        crate::dialect::apply_counts(conn, self).await
    }

    /// Writes the non-zero changes.
    pub(crate) async fn write(self, conn: &mut DbConn) -> StoreResult<()> {
        let shard = crate::dialect::counter_shard();
        let now = self.now.unwrap_or(Timestamp::UNIX_EPOCH);
        self.rollups.write(conn, now).await?;
        let changes: Vec<_> = self.changes.into_iter().filter(|(_, d)| *d != 0).collect();
        // Few rows per write (a group, assignee and status before and after), and one
        // statement for all of them.
        for chunk in changes.chunks(1_000) {
            let mut query = QueryBuilder::<Db>::new(
                "insert into queue_counts (group_id, assignee_id, status, shard, ticket_count, \
                 created_at, updated_at) ",
            );
            query.push_values(chunk, |mut row, ((group, assignee, status), delta)| {
                row.push_bind(*group)
                    .push_bind(*assignee)
                    .push_bind(*status)
                    .push_bind(shard)
                    .push_bind(*delta)
                    .push_bind(micros(now))
                    .push_bind(micros(now));
            });
            query.push(
                " on conflict (group_id, assignee_id, status, shard) do update set \
                 ticket_count = queue_counts.ticket_count + excluded.ticket_count, \
                 updated_at = excluded.updated_at",
            );
            fetch::execute(conn, query.build()).await?;
        }
        Ok(())
    }
}

/// The live queue counts, assembled from the counter rows.
pub(crate) async fn queue_counts(conn: &mut DbConn) -> StoreResult<QueueCounts> {
    let rows = sqlx::query(
        "select group_id, assignee_id, status, cast(sum(ticket_count) as bigint) as total \
         from queue_counts group by group_id, assignee_id, status",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(error::plain)?;
    let mut counts = QueueCounts::default();
    for row in &rows {
        let total: i64 = get(row, "total")?;
        if total == 0 {
            continue;
        }
        let group: i64 = get(row, "group_id")?;
        let assignee: i64 = get(row, "assignee_id")?;
        let status = text_enum(row, "status", TicketStatus::parse)?;
        let group = (group != 0).then_some(GroupId(group));
        *counts.by_status.entry(status).or_insert(0) += total;
        if status.is_open() {
            *counts.open_by_group.entry(group).or_insert(0) += total;
            if assignee == 0 {
                *counts.unassigned_by_group.entry(group).or_insert(0) += total;
            } else {
                *counts.open_by_assignee.entry(UserId(assignee)).or_insert(0) += total;
            }
        }
    }
    counts.by_status.retain(|_, n| *n != 0);
    counts.open_by_group.retain(|_, n| *n != 0);
    counts.unassigned_by_group.retain(|_, n| *n != 0);
    counts.open_by_assignee.retain(|_, n| *n != 0);
    Ok(counts)
}

/// Counts new tickets in the queue counts and report rollups; the latest change time
/// among them, at which the counts change.
pub(crate) async fn count_created<'t>(
    conn: &mut DbConn,
    tickets: impl Iterator<Item = &'t Ticket>,
) -> StoreResult<Timestamp> {
    let mut deltas = CountDeltas::default();
    let mut now = Timestamp::UNIX_EPOCH;
    for ticket in tickets {
        deltas.add(ticket, 1);
        deltas.rollups.created(ticket);
        now = now.max(ticket.updated_at);
    }
    deltas.apply(conn, now).await?;
    Ok(now)
}
