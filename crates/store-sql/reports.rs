//! Report rollups: per UTC day and group, how many tickets were created, first
//! answered, resolved and reopened, with the summed times to first response and to
//! resolution; once in total and once per agent, channel, priority and category (one
//! row per breakdown value, not per combination of all of them).
//!
//! They change in the same transaction as the ticket writes they count (beside the queue
//! counts), all of a write's (or batch's) rows in one statement, so a 30-day dashboard
//! reads each breakdown's rows for 30 days whatever the desk's size, and never scans
//! tickets.

use crate::sql::convert::{get, micros};
use crate::sql::fetch;
use crate::{Backend, DbConn};
use async_trait::async_trait;
use ferrodesk_domain::{CategoryId, Channel, GroupId, Priority, Ticket, TicketStatus, UserId};
use ferrodesk_store::{ReportDay, ReportDimension, ReportQuery, ReportStore, StoreResult};
use jiff::Timestamp;
use sqlx::QueryBuilder;
use std::collections::BTreeMap;

/// Microseconds in a day: a rollup day is `micros / MICROS_PER_DAY` (UTC days since
/// the epoch).
pub(crate) const MICROS_PER_DAY: i64 = 86_400_000_000;

/// The UTC day a time falls on.
pub(crate) fn day_of(time: Timestamp) -> i64 {
    micros(time).div_euclid(MICROS_PER_DAY)
}

/// The ticket facts one change is counted under.
#[derive(Debug, Clone, Copy)]
struct RollupKey {
    day: i64,
    group: i64,
    agent: i64,
    channel: &'static str,
    priority: i64,
    category: i64,
}

/// One rollup row: a breakdown, a day, a group and the breakdown's value.
type RowKey = (&'static str, i64, i64, String);

impl RollupKey {
    /// The rows a change under this key adds to: the total and each breakdown.
    fn rows(&self) -> [RowKey; 5] {
        [
            (TOTAL, self.day, self.group, "0".to_owned()),
            (AGENT, self.day, self.group, self.agent.to_string()),
            (CHANNEL, self.day, self.group, self.channel.to_owned()),
            (PRIORITY, self.day, self.group, self.priority.to_string()),
            (CATEGORY, self.day, self.group, self.category.to_string()),
        ]
    }
}

const TOTAL: &str = "total";
const AGENT: &str = "agent";
const CHANNEL: &str = "channel";
const PRIORITY: &str = "priority";
const CATEGORY: &str = "category";

/// Rollup rows per statement: 12 binds each, well under both backends' limits.
const ROWS_PER_STATEMENT: usize = 1_000;

/// What one write adds to a rollup row.
#[derive(Debug, Default, Clone, Copy)]
struct RollupDelta {
    created: i64,
    first_responses: i64,
    first_response_seconds: i64,
    resolved: i64,
    resolution_seconds: i64,
    reopened: i64,
}

impl RollupDelta {
    fn add(&mut self, other: RollupDelta) {
        self.created += other.created;
        self.first_responses += other.first_responses;
        self.first_response_seconds += other.first_response_seconds;
        self.resolved += other.resolved;
        self.resolution_seconds += other.resolution_seconds;
        self.reopened += other.reopened;
    }

    fn is_zero(&self) -> bool {
        self.created == 0 && self.first_responses == 0 && self.resolved == 0 && self.reopened == 0
    }
}

/// The ticket facts a rollup row is keyed by.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RollupFacts {
    pub(crate) group: Option<GroupId>,
    pub(crate) agent: Option<UserId>,
    pub(crate) channel: Channel,
    pub(crate) priority: Priority,
    pub(crate) category: Option<CategoryId>,
    pub(crate) created_at: Timestamp,
}

impl RollupFacts {
    pub(crate) fn of(ticket: &Ticket) -> RollupFacts {
        RollupFacts {
            group: ticket.group_id,
            agent: ticket.assignee_id,
            channel: ticket.channel,
            priority: ticket.priority,
            category: ticket.category_id,
            created_at: ticket.created_at,
        }
    }

    fn key(&self, at: Timestamp, with_agent: bool) -> RollupKey {
        RollupKey {
            day: day_of(at),
            group: self.group.map_or(0, GroupId::get),
            agent: if with_agent {
                self.agent.map_or(0, UserId::get)
            } else {
                0
            },
            channel: self.channel.as_str(),
            priority: self.priority.rank(),
            category: self.category.map_or(0, CategoryId::get),
        }
    }
}

fn seconds_between(from: Timestamp, to: Timestamp) -> i64 {
    (micros(to) - micros(from)).max(0) / 1_000_000
}

/// The rollup changes of one transaction (or, on SQLite, of one group-commit batch).
#[derive(Debug, Default)]
pub(crate) struct Rollups {
    changes: BTreeMap<RowKey, RollupDelta>,
}

impl Rollups {
    fn bump(&mut self, key: RollupKey, delta: RollupDelta) {
        for row in key.rows() {
            self.changes.entry(row).or_default().add(delta);
        }
    }

    /// Counts a new ticket, with its first response and resolution when it was written
    /// with them (bulk imports of history, agent-logged calls answered on the spot).
    pub(crate) fn created(&mut self, ticket: &Ticket) {
        let facts = RollupFacts::of(ticket);
        self.bump(
            facts.key(ticket.created_at, false),
            RollupDelta {
                created: 1,
                ..RollupDelta::default()
            },
        );
        if let Some(at) = ticket.first_response_at {
            self.first_response(&facts, at);
        }
        if let Some(at) = ticket.resolved_at {
            self.resolved(&facts, at);
        }
    }

    /// Counts what a change did: a first response, a resolution, a reopening.
    pub(crate) fn changed(&mut self, before: &Ticket, after: &Ticket) {
        let facts = RollupFacts::of(after);
        if before.first_response_at.is_none()
            && let Some(at) = after.first_response_at
        {
            self.first_response(&facts, at);
        }
        if before.resolved_at.is_none()
            && let Some(at) = after.resolved_at
        {
            self.resolved(&facts, at);
        }
        if before.status == TicketStatus::Resolved && after.status.is_open() {
            self.bump(
                facts.key(after.updated_at, true),
                RollupDelta {
                    reopened: 1,
                    ..RollupDelta::default()
                },
            );
        }
    }

    /// Counts a first response at `at`.
    pub(crate) fn first_response(&mut self, facts: &RollupFacts, at: Timestamp) {
        self.bump(
            facts.key(at, true),
            RollupDelta {
                first_responses: 1,
                first_response_seconds: seconds_between(facts.created_at, at),
                ..RollupDelta::default()
            },
        );
    }

    fn resolved(&mut self, facts: &RollupFacts, at: Timestamp) {
        self.bump(
            facts.key(at, true),
            RollupDelta {
                resolved: 1,
                resolution_seconds: seconds_between(facts.created_at, at),
                ..RollupDelta::default()
            },
        );
    }

    /// Adds another set of changes to these.
    pub(crate) fn merge(&mut self, other: Rollups) {
        for (row, delta) in other.changes {
            self.changes.entry(row).or_default().add(delta);
        }
    }

    /// Writes the non-zero changes, in key order (so concurrent PostgreSQL transactions
    /// lock rollup rows in the same order), in as few statements as the bind limits
    /// allow.
    pub(crate) async fn write(self, conn: &mut DbConn, now: Timestamp) -> StoreResult<()> {
        let rows: Vec<(RowKey, RollupDelta)> = self
            .changes
            .into_iter()
            .filter(|(_, delta)| !delta.is_zero())
            .collect();
        // One shard per transaction, as for the queue counts: concurrent transactions
        // on PostgreSQL then rarely wait for the same rows.
        let shard = crate::dialect::counter_shard();
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let mut query = QueryBuilder::<crate::Db>::new(
                "insert into report_rollups (dimension, day, group_id, dimension_value, shard, \
                 created, first_responses, first_response_seconds, resolved, \
                 resolution_seconds, reopened, created_at, updated_at) ",
            );
            query.push_values(chunk, |mut row, ((dimension, day, group, value), delta)| {
                row.push_bind(*dimension)
                    .push_bind(*day)
                    .push_bind(*group)
                    .push_bind(value.as_str())
                    .push_bind(shard)
                    .push_bind(delta.created)
                    .push_bind(delta.first_responses)
                    .push_bind(delta.first_response_seconds)
                    .push_bind(delta.resolved)
                    .push_bind(delta.resolution_seconds)
                    .push_bind(delta.reopened)
                    .push_bind(micros(now))
                    .push_bind(micros(now));
            });
            query.push(
                " on conflict (dimension, day, group_id, dimension_value, shard) \
                 do update set created = report_rollups.created + excluded.created, \
                 first_responses = report_rollups.first_responses + excluded.first_responses, \
                 first_response_seconds = report_rollups.first_response_seconds \
                 + excluded.first_response_seconds, \
                 resolved = report_rollups.resolved + excluded.resolved, \
                 resolution_seconds = report_rollups.resolution_seconds \
                 + excluded.resolution_seconds, \
                 reopened = report_rollups.reopened + excluded.reopened, \
                 updated_at = excluded.updated_at",
            );
            fetch::execute(conn, query.build()).await?;
        }
        Ok(())
    }
}

/// The rollup sums per day (and per the asked dimension) within the query's days.
pub(crate) async fn report_days(
    conn: &mut DbConn,
    query: &ReportQuery,
) -> StoreResult<Vec<ReportDay>> {
    let dimension = match query.by {
        ReportDimension::None => TOTAL,
        ReportDimension::Group => TOTAL,
        ReportDimension::Agent => AGENT,
        ReportDimension::Channel => CHANNEL,
        ReportDimension::Priority => PRIORITY,
        ReportDimension::Category => CATEGORY,
    };
    // Per group is the total's rows keyed by their group.
    let value = match query.by {
        ReportDimension::Group => "cast(group_id as text)",
        _ => "dimension_value",
    };
    let mut sql = QueryBuilder::<crate::Db>::new(format!(
        "select day, {value} as dimension, \
         cast(sum(created) as bigint) as created, \
         cast(sum(first_responses) as bigint) as first_responses, \
         cast(sum(first_response_seconds) as bigint) as first_response_seconds, \
         cast(sum(resolved) as bigint) as resolved, \
         cast(sum(resolution_seconds) as bigint) as resolution_seconds, \
         cast(sum(reopened) as bigint) as reopened \
         from report_rollups where dimension = "
    ));
    sql.push_bind(dimension);
    sql.push(" and day >= ").push_bind(query.first_day);
    sql.push(" and day <= ").push_bind(query.last_day);
    if let Some(groups) = &query.groups {
        if groups.is_empty() {
            return Ok(Vec::new());
        }
        sql.push(" and group_id in (");
        fetch::push_list(&mut sql, groups.iter().map(|group| group.get()));
        sql.push(")");
    }
    sql.push(format!(" group by day, {value} order by day, {value}"));
    fetch::all(conn, sql.build(), |row| {
        Ok(ReportDay {
            day: get(row, "day")?,
            dimension: get(row, "dimension")?,
            created: get(row, "created")?,
            first_responses: get(row, "first_responses")?,
            first_response_seconds: get(row, "first_response_seconds")?,
            resolved: get(row, "resolved")?,
            resolution_seconds: get(row, "resolution_seconds")?,
            reopened: get(row, "reopened")?,
        })
    })
    .await
}

#[async_trait]
impl ReportStore for Backend {
    async fn report_days(
        &self,
        query: &ferrodesk_store::ReportQuery,
    ) -> StoreResult<Vec<ferrodesk_store::ReportDay>> {
        report_days(&mut *self.reader().await?, query).await
    }
}
