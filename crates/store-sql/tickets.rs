//! Tickets, their timeline, links, queue counts and idempotent retries.
//!
//! Every write here runs inside the caller's transaction (a savepoint of the SQLite
//! group commit, or a PostgreSQL transaction), so an error anywhere leaves nothing
//! behind. A change is guarded by the version it was read at; queue counts change in
//! the same transaction as the tickets they count.

use crate::sql::convert::{
    contains_pattern, from_json, get, get_opt_time, get_time, json, micros, opt_micros, stored,
};
use crate::sql::error::{self, Ref};
use crate::sql::reports::{RollupFacts, Rollups};
use crate::sql::{rules, sla};
use crate::{Db, DbConn, DbRow};
use ferrodesk_domain::{
    CategoryId, Channel, Event, EventId, EventKind, GroupId, Impact, LinkKind, NewEvent,
    OrganizationId, Priority, ServiceId, Ticket, TicketId, TicketScope, TicketStatus, TicketType,
    Tier, Urgency, UserId, Visibility,
};
use ferrodesk_store::{
    Conflict, Created, Cursor, EventAppend, EventPage, Idempotency, MAX_PAGE_SIZE, NewNotification,
    NewTicket, Notice, Page, QueueCounts, RoundRobinPick, StoreError, StoreResult, TicketChange,
    TicketFilter, TicketLink, TicketQuery, TicketSort, TicketSplit, TicketWrite,
};
use jiff::Timestamp;
use sqlx::{AssertSqlSafe, QueryBuilder};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, LazyLock};

// --- rows ----------------------------------------------------------------------------

/// The stored columns a ticket's fields are written to, in bind order.
const DATA_COLUMNS: [&str; 31] = [
    "subject",
    "subject_search",
    "description",
    "ticket_type",
    "status",
    "is_open",
    "impact",
    "urgency",
    "priority",
    "priority_rank",
    "priority_reason",
    "category_id",
    "service_id",
    "location",
    "device",
    "requester_id",
    "organization_id",
    "channel",
    "group_id",
    "tier",
    "owner_id",
    "assignee_id",
    "tags",
    "escalation_level",
    "external_ref",
    "merged_into",
    "created_at",
    "updated_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
];

/// A ticket's fields as bound to [`DATA_COLUMNS`].
struct TicketValues {
    subject: String,
    subject_search: String,
    description: String,
    ticket_type: &'static str,
    status: &'static str,
    is_open: bool,
    impact: &'static str,
    urgency: &'static str,
    priority: &'static str,
    priority_rank: i64,
    priority_reason: Option<String>,
    category_id: Option<i64>,
    service_id: Option<i64>,
    location: Option<String>,
    device: Option<String>,
    requester_id: i64,
    organization_id: Option<i64>,
    channel: &'static str,
    group_id: Option<i64>,
    tier: i64,
    owner_id: Option<i64>,
    assignee_id: Option<i64>,
    tags: String,
    escalation_level: i64,
    external_ref: Option<String>,
    merged_into: Option<i64>,
    created_at: i64,
    updated_at: i64,
    first_response_at: Option<i64>,
    resolved_at: Option<i64>,
    closed_at: Option<i64>,
}

impl TicketValues {
    fn of(t: &Ticket) -> StoreResult<TicketValues> {
        Ok(TicketValues {
            subject: t.subject.clone(),
            subject_search: t.subject.to_lowercase(),
            description: t.description.clone(),
            ticket_type: t.ticket_type.as_str(),
            status: t.status.as_str(),
            is_open: t.status.is_open(),
            impact: t.impact.as_str(),
            urgency: t.urgency.as_str(),
            priority: t.priority.as_str(),
            priority_rank: t.priority.rank(),
            priority_reason: t.priority_reason.clone(),
            category_id: t.category_id.map(CategoryId::get),
            service_id: t.service_id.map(ServiceId::get),
            location: t.location.clone(),
            device: t.device.clone(),
            requester_id: t.requester_id.get(),
            organization_id: t.organization_id.map(OrganizationId::get),
            channel: t.channel.as_str(),
            group_id: t.group_id.map(GroupId::get),
            tier: t.tier.get(),
            owner_id: t.owner_id.map(UserId::get),
            assignee_id: t.assignee_id.map(UserId::get),
            tags: json(&t.tags)?,
            escalation_level: t.escalation_level,
            external_ref: t.external_ref.clone(),
            merged_into: t.merged_into.map(TicketId::get),
            created_at: micros(t.created_at),
            updated_at: micros(t.updated_at),
            first_response_at: opt_micros(t.first_response_at),
            resolved_at: opt_micros(t.resolved_at),
            closed_at: opt_micros(t.closed_at),
        })
    }
}

/// Binds every [`TicketValues`] field in [`DATA_COLUMNS`] order, with `$method` being
/// `bind` (a query) or `push_bind` (a multi-row insert).
macro_rules! bind_ticket_values {
    ($target:expr, $method:ident, $v:expr) => {{
        let v = $v;
        $target
            .$method(v.subject)
            .$method(v.subject_search)
            .$method(v.description)
            .$method(v.ticket_type)
            .$method(v.status)
            .$method(v.is_open)
            .$method(v.impact)
            .$method(v.urgency)
            .$method(v.priority)
            .$method(v.priority_rank)
            .$method(v.priority_reason)
            .$method(v.category_id)
            .$method(v.service_id)
            .$method(v.location)
            .$method(v.device)
            .$method(v.requester_id)
            .$method(v.organization_id)
            .$method(v.channel)
            .$method(v.group_id)
            .$method(v.tier)
            .$method(v.owner_id)
            .$method(v.assignee_id)
            .$method(v.tags)
            .$method(v.escalation_level)
            .$method(v.external_ref)
            .$method(v.merged_into)
            .$method(v.created_at)
            .$method(v.updated_at)
            .$method(v.first_response_at)
            .$method(v.resolved_at)
            .$method(v.closed_at)
    }};
}

static INSERT_TICKET: LazyLock<Arc<str>> = LazyLock::new(|| {
    let placeholders: Vec<String> = (1..=DATA_COLUMNS.len()).map(|i| format!("${i}")).collect();
    format!(
        "insert into tickets (version, {}) values (1, {}) returning id",
        DATA_COLUMNS.join(", "),
        placeholders.join(", ")
    )
    .into()
});

/// Adds `column = value` to `sets` for every field that differs between two
/// [`TicketValues`] (fields are named as their columns).
macro_rules! push_changed_values {
    ($sets:expr, $before:expr, $after:expr, $($field:ident),+ $(,)?) => {
        $(
            if $before.$field != $after.$field {
                $sets.push(concat!(stringify!($field), " = "));
                $sets.push_bind_unseparated($after.$field);
            }
        )+
    };
}

macro_rules! ticket_fields {
    () => {
        concat!(
            "id, version, subject, description, ticket_type, status, impact, urgency, ",
            "priority, priority_reason, category_id, service_id, location, device, ",
            "requester_id, organization_id, channel, group_id, tier, owner_id, assignee_id, ",
            "tags, escalation_level, external_ref, merged_into, created_at, updated_at, ",
            "first_response_at, resolved_at, closed_at"
        )
    };
}

macro_rules! ticket_select {
    () => {
        concat!("select ", ticket_fields!(), " from tickets t")
    };
}

/// The ticket columns, for a select whose `from` follows.
macro_rules! ticket_columns {
    () => {
        concat!(
            "select t.id, t.version, t.subject, t.description, t.ticket_type, t.status, t.impact, ",
            "t.urgency, t.priority, t.priority_reason, t.category_id, t.service_id, t.location, ",
            "t.device, t.requester_id, t.organization_id, t.channel, t.group_id, t.tier, ",
            "t.owner_id, t.assignee_id, t.tags, t.escalation_level, t.external_ref, ",
            "t.merged_into, t.created_at, t.updated_at, t.first_response_at, t.resolved_at, ",
            "t.closed_at"
        )
    };
}

fn text_enum<T>(
    row: &DbRow,
    name: &str,
    parse: fn(&str) -> Result<T, ferrodesk_domain::InvalidValue>,
) -> StoreResult<T> {
    let text: String = get(row, name)?;
    stored(parse(&text))
}

fn ticket_from_row(row: &DbRow) -> StoreResult<Ticket> {
    let tags: String = get(row, "tags")?;
    Ok(Ticket {
        id: TicketId(get(row, "id")?),
        version: get(row, "version")?,
        subject: get(row, "subject")?,
        description: get(row, "description")?,
        ticket_type: text_enum(row, "ticket_type", TicketType::parse)?,
        status: text_enum(row, "status", TicketStatus::parse)?,
        impact: text_enum(row, "impact", Impact::parse)?,
        urgency: text_enum(row, "urgency", Urgency::parse)?,
        priority: text_enum(row, "priority", Priority::parse)?,
        priority_reason: get(row, "priority_reason")?,
        category_id: get::<Option<i64>>(row, "category_id")?.map(CategoryId),
        service_id: get::<Option<i64>>(row, "service_id")?.map(ServiceId),
        location: get(row, "location")?,
        device: get(row, "device")?,
        requester_id: UserId(get(row, "requester_id")?),
        organization_id: get::<Option<i64>>(row, "organization_id")?.map(OrganizationId),
        channel: text_enum(row, "channel", Channel::parse)?,
        group_id: get::<Option<i64>>(row, "group_id")?.map(GroupId),
        tier: stored(Tier::new(get(row, "tier")?))?,
        owner_id: get::<Option<i64>>(row, "owner_id")?.map(UserId),
        assignee_id: get::<Option<i64>>(row, "assignee_id")?.map(UserId),
        tags: from_json(&tags)?,
        escalation_level: get(row, "escalation_level")?,
        external_ref: get(row, "external_ref")?,
        merged_into: get::<Option<i64>>(row, "merged_into")?.map(TicketId),
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
        first_response_at: get_opt_time(row, "first_response_at")?,
        resolved_at: get_opt_time(row, "resolved_at")?,
        closed_at: get_opt_time(row, "closed_at")?,
    })
}

/// The rows a ticket refers to, for naming a missing one.
fn ticket_refs(t: &Ticket) -> Vec<Ref> {
    [
        Some(Ref::new("tickets_requester_id_fkey", t.requester_id.get())),
        Ref::opt("tickets_group_id_fkey", t.group_id.map(GroupId::get)),
        Ref::opt(
            "tickets_organization_id_fkey",
            t.organization_id.map(OrganizationId::get),
        ),
        Ref::opt(
            "tickets_category_id_fkey",
            t.category_id.map(CategoryId::get),
        ),
        Ref::opt("tickets_service_id_fkey", t.service_id.map(ServiceId::get)),
        Ref::opt("tickets_owner_id_fkey", t.owner_id.map(UserId::get)),
        Ref::opt("tickets_assignee_id_fkey", t.assignee_id.map(UserId::get)),
        Ref::opt("tickets_merged_into_fkey", t.merged_into.map(TicketId::get)),
    ]
    .into_iter()
    .flatten()
    .collect()
}

pub(crate) const EVENT_COLUMNS_SELECT: &str = "select id, ticket_id, kind, data, actor_id, channel, visibility, created_at, attachments from ticket_events";

pub(crate) fn event_from_row(row: &DbRow) -> StoreResult<Event> {
    let data: String = get(row, "data")?;
    Ok(Event {
        id: EventId(get(row, "id")?),
        ticket_id: TicketId(get(row, "ticket_id")?),
        kind: from_json::<EventKind>(&data)?,
        actor_id: get::<Option<i64>>(row, "actor_id")?.map(UserId),
        channel: text_enum(row, "channel", Channel::parse)?,
        visibility: text_enum(row, "visibility", Visibility::parse)?,
        created_at: get_time(row, "created_at")?,
        attachments: match get::<Option<String>>(row, "attachments")? {
            Some(text) => from_json(&text)?,
            None => Vec::new(),
        },
    })
}

/// The stored form of an event's attachments: JSON, or null when there are none.
fn attachments_json(event: &NewEvent) -> StoreResult<Option<String>> {
    if event.attachments.is_empty() {
        Ok(None)
    } else {
        json(&event.attachments).map(Some)
    }
}

// --- queue counts --------------------------------------------------------------------------

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
            query
                .build()
                .execute(&mut *conn)
                .await
                .map_err(error::plain)?;
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

// --- idempotency ------------------------------------------------------------------------------

/// What an idempotency key says about a request.
enum Claim {
    /// First use (or no key): do the work.
    Fresh,
    /// Seen with the same request: these are the ids it produced.
    Replay(Vec<i64>),
}

/// Claims `key` for this request. On PostgreSQL a concurrent first use of the key waits
/// here until that request commits or rolls back.
async fn claim(
    conn: &mut DbConn,
    key: Option<&Idempotency>,
    operation: &str,
    now: Timestamp,
) -> StoreResult<Claim> {
    let Some(key) = key else {
        return Ok(Claim::Fresh);
    };
    let inserted = sqlx::query(
        "insert into idempotency_keys (actor_id, idempotency_key, fingerprint, operation, result, \
         created_at, updated_at) values ($1, $2, $3, $4, '[]', $5, $5) \
         on conflict (actor_id, idempotency_key) do nothing",
    )
    .bind(key.actor_id.get())
    .bind(&key.key)
    .bind(&key.fingerprint)
    .bind(operation)
    .bind(micros(now))
    .execute(&mut *conn)
    .await
    .map_err(error::plain)?;
    if inserted.rows_affected() == 1 {
        return Ok(Claim::Fresh);
    }
    let row = sqlx::query(
        "select fingerprint, operation, result from idempotency_keys \
         where actor_id = $1 and idempotency_key = $2",
    )
    .bind(key.actor_id.get())
    .bind(&key.key)
    .fetch_one(&mut *conn)
    .await
    .map_err(error::plain)?;
    let fingerprint: String = get(&row, "fingerprint")?;
    let stored_operation: String = get(&row, "operation")?;
    if fingerprint != key.fingerprint || stored_operation != operation {
        return Err(StoreError::conflict(
            Conflict::IdempotencyKeyReused,
            "idempotency key was already used for a different request",
        ));
    }
    let result: String = get(&row, "result")?;
    Ok(Claim::Replay(from_json(&result)?))
}

/// Records what the request produced under its key.
async fn remember(conn: &mut DbConn, key: Option<&Idempotency>, ids: &[i64]) -> StoreResult<()> {
    let Some(key) = key else {
        return Ok(());
    };
    sqlx::query(
        "update idempotency_keys set result = $3 where actor_id = $1 and idempotency_key = $2",
    )
    .bind(key.actor_id.get())
    .bind(&key.key)
    .bind(json(&ids)?)
    .execute(&mut *conn)
    .await
    .map_err(error::plain)?;
    Ok(())
}

fn first_id(ids: &[i64]) -> StoreResult<i64> {
    ids.first()
        .copied()
        .ok_or_else(|| crate::sql::convert::damaged("idempotency key without a result"))
}

// --- single writes ----------------------------------------------------------------------------

async fn insert_ticket(conn: &mut DbConn, ticket: &Ticket) -> StoreResult<TicketId> {
    let values = TicketValues::of(ticket)?;
    let query = sqlx::query(AssertSqlSafe(Arc::clone(&INSERT_TICKET)));
    let inserted = bind_ticket_values!(query, bind, values)
        .fetch_one(&mut *conn)
        .await;
    match inserted {
        Ok(row) => Ok(TicketId(get(&row, "id")?)),
        Err(e) => Err(error::write(conn, e, &ticket_refs(ticket)).await),
    }
}

/// Writes `change.after` over the row if it is still as `change.before` was read.
/// Writes a ticket's changed columns (every index over an unchanged column stays as
/// it is) and bumps its version, provided the row is still the one read: same version,
/// status, group and assignee.
async fn update_ticket(conn: &mut DbConn, change: &TicketChange) -> StoreResult<()> {
    let id = change.before.id;
    let before = TicketValues::of(&change.before)?;
    let after = TicketValues::of(&change.after)?;
    let mut query = QueryBuilder::<Db>::new("update tickets set ");
    {
        let mut sets = query.separated(", ");
        sets.push("version = version + 1");
        push_changed_values!(
            sets,
            before,
            after,
            subject,
            subject_search,
            description,
            ticket_type,
            status,
            is_open,
            impact,
            urgency,
            priority,
            priority_rank,
            priority_reason,
            category_id,
            service_id,
            location,
            device,
            requester_id,
            organization_id,
            channel,
            group_id,
            tier,
            owner_id,
            assignee_id,
            tags,
            escalation_level,
            external_ref,
            merged_into,
            created_at,
            updated_at,
            first_response_at,
            resolved_at,
            closed_at,
        );
    }
    query.push(" where id = ").push_bind(id.get());
    query
        .push(" and version = ")
        .push_bind(change.before.version);
    query
        .push(" and status = ")
        .push_bind(change.before.status.as_str());
    query
        .push(concat!(" and group_id ", is_same!(), " "))
        .push_bind(change.before.group_id.map(GroupId::get));
    query
        .push(concat!(" and assignee_id ", is_same!(), " "))
        .push_bind(change.before.assignee_id.map(UserId::get));
    let done = query.build().execute(&mut *conn).await;
    match done {
        Ok(done) if done.rows_affected() == 1 => Ok(()),
        Ok(_) => {
            let exists: i64 = sqlx::query_scalar("select count(*) from tickets where id = $1")
                .bind(id.get())
                .fetch_one(&mut *conn)
                .await
                .map_err(error::plain)?;
            if exists == 0 {
                Err(StoreError::not_found(format!("ticket {id}")))
            } else {
                Err(StoreError::conflict(
                    Conflict::Stale,
                    format!(
                        "ticket {} was changed by someone else; reload and try again",
                        id.display_number()
                    ),
                ))
            }
        }
        Err(e) => Err(error::write(conn, e, &ticket_refs(&change.after)).await),
    }
}

pub(crate) async fn insert_event(
    conn: &mut DbConn,
    ticket: TicketId,
    event: &NewEvent,
) -> StoreResult<Event> {
    let inserted = sqlx::query(
        "insert into ticket_events (ticket_id, kind, data, actor_id, channel, visibility, \
         created_at, updated_at, attachments) values ($1, $2, $3, $4, $5, $6, $7, $7, $8) \
         returning id",
    )
    .bind(ticket.get())
    .bind(event.kind.name())
    .bind(json(&event.kind)?)
    .bind(event.actor_id.map(UserId::get))
    .bind(event.channel.as_str())
    .bind(event.visibility.as_str())
    .bind(micros(event.created_at))
    .bind(attachments_json(event)?)
    .fetch_one(&mut *conn)
    .await;
    match inserted {
        Ok(row) => {
            let event = stored_event(EventId(get(&row, "id")?), ticket, event);
            crate::sql::mail::enqueue(conn, &event).await?;
            Ok(event)
        }
        Err(e) => {
            let refs: Vec<Ref> = [
                Some(Ref::new("ticket_events_ticket_id_fkey", ticket.get())),
                Ref::opt(
                    "ticket_events_actor_id_fkey",
                    event.actor_id.map(UserId::get),
                ),
            ]
            .into_iter()
            .flatten()
            .collect();
            Err(error::write(conn, e, &refs).await)
        }
    }
}

async fn insert_link(
    conn: &mut DbConn,
    source: TicketId,
    kind: LinkKind,
    target: TicketId,
    actor: Option<UserId>,
    now: Timestamp,
) -> StoreResult<()> {
    let result = sqlx::query(
        "insert into ticket_links (source_id, kind, target_id, actor_id, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $5)",
    )
    .bind(source.get())
    .bind(kind.as_str())
    .bind(target.get())
    .bind(actor.map(UserId::get))
    .bind(micros(now))
    .execute(&mut *conn)
    .await;
    match result {
        Ok(_) => Ok(()),
        Err(e) => {
            let refs: Vec<Ref> = [
                Some(Ref::new("ticket_links_source_id_fkey", source.get())),
                Some(Ref::new("ticket_links_target_id_fkey", target.get())),
                Ref::opt("ticket_links_actor_id_fkey", actor.map(UserId::get)),
            ]
            .into_iter()
            .flatten()
            .collect();
            Err(error::write(conn, e, &refs).await)
        }
    }
}

// --- ticket writes ------------------------------------------------------------------------------

/// Creates a ticket with its events and links (or replays an earlier create).
pub(crate) async fn create_ticket(
    conn: &mut DbConn,
    new: &NewTicket,
) -> StoreResult<Created<Ticket>> {
    let now = new.ticket.created_at;
    if let Claim::Replay(ids) = claim(conn, new.idempotency.as_ref(), "create_ticket", now).await? {
        let ticket = get_ticket(conn, TicketId(first_id(&ids)?)).await?;
        return Ok(Created::Replayed(ticket));
    }
    rules::check_settings(conn, [new.settings_version]).await?;
    let mut ticket = new.ticket.clone();
    ticket.version = 1;
    ticket.id = insert_ticket(conn, &ticket).await?;
    for event in &new.events {
        insert_event(conn, ticket.id, event).await?;
    }
    let creator = new.events.first().and_then(|e| e.actor_id);
    for (kind, target) in &new.links {
        insert_link(conn, ticket.id, *kind, *target, creator, now).await?;
    }
    let mut deltas = CountDeltas::default();
    deltas.add(&ticket, 1);
    deltas.rollups.created(&ticket);
    deltas.apply(conn, now).await?;
    let moves_clock = new.events.iter().any(|e| {
        matches!(e.kind, EventKind::StatusChanged { .. })
            || (matches!(e.kind, EventKind::Reply { .. }) && e.visibility == Visibility::Public)
    });
    let write = if moves_clock {
        sla::Refresh::New
    } else {
        sla::Refresh::Opened
    };
    sla::refresh_ticket(conn, &ticket, write, now).await?;
    let notices: Vec<(TicketId, &Notice)> = new.notices.iter().map(|n| (ticket.id, n)).collect();
    insert_notices(conn, &notices, now).await?;
    remember_picks(conn, &[new.round_robin], now).await?;
    remember(conn, new.idempotency.as_ref(), &[ticket.id.get()]).await?;
    Ok(Created::New(ticket))
}

/// Applies changes to tickets, with their events and links, all or nothing.
pub(crate) async fn save_tickets(
    conn: &mut DbConn,
    write: &TicketWrite,
) -> StoreResult<Created<Vec<Event>>> {
    let now = write
        .changes
        .iter()
        .map(|c| c.after.updated_at)
        .chain(write.links.iter().map(|l| l.now))
        .max()
        .unwrap_or_else(Timestamp::now);
    if let Claim::Replay(ids) = claim(conn, write.idempotency.as_ref(), "save_tickets", now).await?
    {
        return Ok(Created::Replayed(events_by_ids(conn, &ids).await?));
    }
    rules::check_settings(conn, [write.settings_version]).await?;
    let mut deltas = CountDeltas::default();
    // Rows are changed in id order so concurrent writers lock them in the same order.
    let mut ordered: Vec<&TicketChange> = write.changes.iter().collect();
    ordered.sort_by_key(|c| c.before.id);
    for change in ordered {
        update_ticket(conn, change).await?;
        deltas.add(&change.before, -1);
        deltas.add(&change.after, 1);
        deltas.rollups.changed(&change.before, &change.after);
    }
    let mut events = Vec::new();
    for change in &write.changes {
        for event in &change.events {
            events.push(insert_event(conn, change.before.id, event).await?);
        }
    }
    for link in &write.links {
        insert_link(
            conn,
            link.source,
            link.kind,
            link.target,
            link.actor_id,
            link.now,
        )
        .await?;
    }
    deltas.apply(conn, now).await?;
    for change in &write.changes {
        sla::refresh_ticket(conn, &change.after, sla::Refresh::Changed, now).await?;
    }
    let notices: Vec<(TicketId, &Notice)> = write
        .changes
        .iter()
        .flat_map(|c| c.notices.iter().map(|n| (c.before.id, n)))
        .collect();
    insert_notices(conn, &notices, now).await?;
    let picks: Vec<_> = write.changes.iter().map(|c| c.round_robin).collect();
    remember_picks(conn, &picks, now).await?;
    let ids: Vec<i64> = events.iter().map(|e| e.id.get()).collect();
    remember(conn, write.idempotency.as_ref(), &ids).await?;
    Ok(Created::New(events))
}

/// Splits parts off a ticket: the original's change, the new tickets with their events,
/// a `split_from` link from each part and a `split_into` event on the original per part.
pub(crate) async fn split_ticket(
    conn: &mut DbConn,
    split: &TicketSplit,
) -> StoreResult<Vec<Ticket>> {
    let original = &split.original;
    let original_id = original.before.id;
    rules::check_settings(conn, split.parts.iter().map(|p| p.settings_version)).await?;
    update_ticket(conn, original).await?;
    let mut deltas = CountDeltas::default();
    deltas.add(&original.before, -1);
    deltas.add(&original.after, 1);
    deltas.rollups.changed(&original.before, &original.after);
    for event in &original.events {
        insert_event(conn, original_id, event).await?;
    }
    let mut parts = Vec::with_capacity(split.parts.len());
    let mut notices: Vec<(TicketId, &Notice)> =
        original.notices.iter().map(|n| (original_id, n)).collect();
    for part in &split.parts {
        let mut ticket = part.ticket.clone();
        ticket.version = 1;
        ticket.id = insert_ticket(conn, &ticket).await?;
        notices.extend(part.notices.iter().map(|n| (ticket.id, n)));
        for event in &part.events {
            insert_event(conn, ticket.id, event).await?;
        }
        insert_link(
            conn,
            ticket.id,
            LinkKind::SplitFrom,
            original_id,
            split.actor_id,
            split.now,
        )
        .await?;
        deltas.add(&ticket, 1);
        deltas.rollups.created(&ticket);
        parts.push(ticket);
    }
    for part in &parts {
        let event = NewEvent::new(
            EventKind::SplitInto { other: part.id },
            split.actor_id,
            split.channel,
            split.now,
        );
        insert_event(conn, original_id, &event).await?;
    }
    deltas.apply(conn, split.now).await?;
    sla::refresh_ticket(conn, &original.after, sla::Refresh::Changed, split.now).await?;
    for part in &parts {
        sla::refresh_ticket(conn, part, sla::Refresh::New, split.now).await?;
    }
    insert_notices(conn, &notices, split.now).await?;
    let picks: Vec<_> = std::iter::once(original.round_robin)
        .chain(split.parts.iter().map(|p| p.round_robin))
        .collect();
    remember_picks(conn, &picks, split.now).await?;
    Ok(parts)
}

/// Appends one event, bumping the ticket's version and change time.
pub(crate) async fn append_event(
    conn: &mut DbConn,
    append: &EventAppend,
) -> StoreResult<Created<Event>> {
    let now = append.event.created_at;
    if let Claim::Replay(ids) =
        claim(conn, append.idempotency.as_ref(), "append_event", now).await?
    {
        return Ok(Created::Replayed(
            get_event(conn, EventId(first_id(&ids)?)).await?,
        ));
    }
    let row = sqlx::query(concat!(
        "update tickets set version = version + 1, updated_at = $2, \
             first_response_at = case when $3 and first_response_at is null then $2 \
             else first_response_at end where id = $1 returning ",
        ticket_fields!()
    ))
    .bind(append.ticket_id.get())
    .bind(micros(now))
    .bind(append.marks_first_response)
    .fetch_optional(&mut *conn)
    .await
    .map_err(error::plain)?
    .ok_or_else(|| StoreError::not_found(format!("ticket {}", append.ticket_id)))?;
    let ticket = ticket_from_row(&row)?;
    // The answer that set the first response is the one whose time it now carries.
    if append.marks_first_response && ticket.first_response_at == Some(now) {
        let mut deltas = CountDeltas::default();
        deltas
            .rollups
            .first_response(&RollupFacts::of(&ticket), now);
        deltas.apply(conn, now).await?;
    }
    let event = insert_event(conn, append.ticket_id, &append.event).await?;
    sla::refresh_ticket(conn, &ticket, sla::Refresh::Changed, now).await?;
    remember(conn, append.idempotency.as_ref(), &[event.id.get()]).await?;
    Ok(Created::New(event))
}

/// [`append_event`] for many events without idempotency keys, in a few statements for
/// all: one update of their tickets, one insert of the events, one of their mail, and
/// the clocks refreshed together. Events on the same ticket are appended one by one.
pub(crate) async fn append_events(
    conn: &mut DbConn,
    appends: &[&EventAppend],
) -> StoreResult<Vec<Created<Event>>> {
    if appends.iter().any(|a| a.idempotency.is_some()) {
        return Err(error::unavailable(
            "an event with an idempotency key must be appended on its own",
        ));
    }
    let ids: BTreeSet<TicketId> = appends.iter().map(|a| a.ticket_id).collect();
    if ids.len() != appends.len() {
        let mut created = Vec::with_capacity(appends.len());
        for append in appends {
            created.push(append_event(conn, append).await?);
        }
        return Ok(created);
    }
    let mut tickets = BTreeMap::new();
    for chunk in appends.chunks(BULK_TICKET_ROWS) {
        let mut query = QueryBuilder::<Db>::new(
            "update tickets set version = version + 1, updated_at = v.column2, \
             first_response_at = case when v.column3 and first_response_at is null \
             then v.column2 else first_response_at end from (",
        );
        query.push_values(chunk, |mut row, append| {
            row.push_bind(append.ticket_id.get())
                .push_bind(micros(append.event.created_at))
                .push_bind(append.marks_first_response);
        });
        query.push(concat!(
            ") as v where tickets.id = v.column1 returning ",
            ticket_fields!()
        ));
        for row in query
            .build()
            .fetch_all(&mut *conn)
            .await
            .map_err(error::plain)?
        {
            let ticket = ticket_from_row(&row)?;
            tickets.insert(ticket.id, ticket);
        }
    }
    let mut deltas = CountDeltas::default();
    let mut first_responses = false;
    let mut now = Timestamp::UNIX_EPOCH;
    let mut changed = Vec::with_capacity(appends.len());
    for append in appends {
        let ticket = tickets
            .get(&append.ticket_id)
            .ok_or_else(|| StoreError::not_found(format!("ticket {}", append.ticket_id)))?;
        let at = append.event.created_at;
        // The answer that set the first response is the one whose time it now carries.
        if append.marks_first_response && ticket.first_response_at == Some(at) {
            deltas.rollups.first_response(&RollupFacts::of(ticket), at);
            first_responses = true;
        }
        now = now.max(at);
        changed.push(ticket);
    }
    if first_responses {
        deltas.apply(conn, now).await?;
    }
    let events: Vec<(TicketId, &NewEvent)> =
        appends.iter().map(|a| (a.ticket_id, &a.event)).collect();
    let event_ids = insert_new_events(conn, &events).await?;
    sla::refresh_changed_tickets(conn, &changed, now).await?;
    Ok(appends
        .iter()
        .zip(event_ids)
        .map(|(append, id)| {
            Created::New(stored_event(EventId(id), append.ticket_id, &append.event))
        })
        .collect())
}

/// `event` as stored on `ticket` with `id`.
fn stored_event(id: EventId, ticket: TicketId, event: &NewEvent) -> Event {
    Event {
        id,
        ticket_id: ticket,
        kind: event.kind.clone(),
        actor_id: event.actor_id,
        channel: event.channel,
        visibility: event.visibility,
        created_at: event.created_at,
        attachments: event.attachments.clone(),
    }
}

/// Rows per multi-row insert: well under both backends' bind-parameter limits.
const BULK_TICKET_ROWS: usize = 500;
const BULK_EVENT_ROWS: usize = 1000;

/// Writes a batch of tickets with their events in the caller's transaction, with
/// multi-row inserts and one queue-count change per (group, assignee, status).
pub(crate) async fn bulk_create_tickets(
    conn: &mut DbConn,
    tickets: &[(Ticket, Vec<NewEvent>)],
) -> StoreResult<Vec<TicketId>> {
    if tickets.is_empty() {
        return Ok(Vec::new());
    }
    crate::dialect::bulk_cache(conn, true)
        .await
        .map_err(error::plain)?;
    let written = write_bulk(conn, tickets).await;
    // Narrowed again whether or not the batch was written; a failed batch reports its
    // own error first.
    let narrowed = crate::dialect::bulk_cache(conn, false).await;
    let ids = written?;
    narrowed.map_err(error::plain)?;
    Ok(ids)
}

async fn write_bulk(
    conn: &mut DbConn,
    tickets: &[(Ticket, Vec<NewEvent>)],
) -> StoreResult<Vec<TicketId>> {
    let news = tickets
        .iter()
        .map(|(ticket, events)| (ticket, events.as_slice()));
    // A history being loaded announces nothing.
    let written = write_new_tickets(conn, news, false).await?;
    Ok(written.into_iter().map(|(ticket, _)| ticket.id).collect())
}

/// Numbers new tickets, inserts them and their events with multi-row inserts, counts
/// them and starts their clocks; the tickets as written. With `queues_mail`, the
/// events that announce mail queue it.
async fn write_new_tickets<'e>(
    conn: &mut DbConn,
    news: impl ExactSizeIterator<Item = (&'e Ticket, &'e [NewEvent])>,
    queues_mail: bool,
) -> StoreResult<Vec<(Ticket, &'e [NewEvent])>> {
    let ids = crate::dialect::reserve_ticket_ids(conn, news.len())
        .await
        .map_err(error::plain)?;
    if ids.len() != news.len() {
        return Err(crate::sql::convert::damaged("ticket id sequence"));
    }
    let written: Vec<(Ticket, &[NewEvent])> = news
        .zip(&ids)
        .map(|((ticket, events), id)| {
            let mut ticket = ticket.clone();
            ticket.id = TicketId(*id);
            ticket.version = 1;
            (ticket, events)
        })
        .collect();
    insert_ticket_rows(conn, written.iter().map(|(ticket, _)| ticket)).await?;
    let events: Vec<(TicketId, &NewEvent)> = written
        .iter()
        .flat_map(|(ticket, events)| events.iter().map(|event| (ticket.id, event)))
        .collect();
    if queues_mail {
        insert_new_events(conn, &events).await?;
    } else {
        insert_event_rows(conn, &events, None).await?;
    }
    let now = count_created(conn, written.iter().map(|(ticket, _)| ticket)).await?;
    sla::refresh_new_tickets(conn, &written, now).await?;
    Ok(written)
}

/// Creates tickets with their events as [`create_ticket`] does each of them, in a few
/// multi-row writes: SQLite's group commit joins the creates of a batch into one call.
/// The tickets carry no idempotency key and no links (those are created one by one).
#[allow(
    dead_code,
    reason = "only SQLite's group commit joins creates; PostgreSQL creates each in its own transaction"
)]
pub(crate) async fn create_tickets(
    conn: &mut DbConn,
    news: &[&NewTicket],
) -> StoreResult<Vec<Created<Ticket>>> {
    if news
        .iter()
        .any(|new| new.idempotency.is_some() || !new.links.is_empty())
    {
        return Err(error::unavailable(
            "a ticket with an idempotency key or links must be created on its own",
        ));
    }
    rules::check_settings(conn, news.iter().map(|new| new.settings_version)).await?;
    let tickets = news.iter().map(|new| (&new.ticket, new.events.as_slice()));
    let written = write_new_tickets(conn, tickets, true).await?;
    let notices: Vec<(TicketId, &Notice)> = written
        .iter()
        .zip(news)
        .flat_map(|((ticket, _), new)| new.notices.iter().map(|n| (ticket.id, n)))
        .collect();
    if let Some(now) = news.iter().map(|new| new.ticket.created_at).max() {
        insert_notices(conn, &notices, now).await?;
        let picks: Vec<_> = news.iter().map(|new| new.round_robin).collect();
        remember_picks(conn, &picks, now).await?;
    }
    Ok(written
        .into_iter()
        .map(|(ticket, _)| Created::New(ticket))
        .collect())
}

/// Remembers round robin's picks of a write in its transaction, in order: a group's
/// last pick is the one kept.
async fn remember_picks(
    conn: &mut DbConn,
    picks: &[Option<RoundRobinPick>],
    now: Timestamp,
) -> StoreResult<()> {
    for pick in picks.iter().flatten() {
        rules::set_round_robin_last(conn, pick.group_id, pick.user_id, now).await?;
    }
    Ok(())
}

/// Inserts the in-app notifications that ticket writes cause, in their transaction.
async fn insert_notices(
    conn: &mut DbConn,
    notices: &[(TicketId, &Notice)],
    now: Timestamp,
) -> StoreResult<()> {
    let notes: Vec<NewNotification> = notices
        .iter()
        .map(|(ticket, notice)| NewNotification {
            user_id: notice.user_id,
            ticket_id: Some(*ticket),
            message: notice.message.clone(),
        })
        .collect();
    sla::notify(conn, &notes, now).await
}

/// Inserts events of tickets written in this transaction with multi-row inserts, and
/// queues the mail they announce; their new ids, in order.
async fn insert_new_events(
    conn: &mut DbConn,
    events: &[(TicketId, &NewEvent)],
) -> StoreResult<Vec<i64>> {
    let ids = crate::dialect::reserve_event_ids(conn, events.len())
        .await
        .map_err(error::plain)?;
    if ids.len() != events.len() {
        return Err(crate::sql::convert::damaged("event id sequence"));
    }
    insert_event_rows(conn, events, Some(&ids)).await?;
    let announced: Vec<(EventId, TicketId, Timestamp)> = events
        .iter()
        .zip(&ids)
        .filter(|((_, event), _)| {
            ferrodesk_store::mail::announces_mail(&event.kind, event.visibility)
        })
        .map(|((ticket, event), id)| (EventId(*id), *ticket, event.created_at))
        .collect();
    crate::sql::mail::enqueue_all(conn, &announced).await?;
    Ok(ids)
}

/// Inserts new tickets, which carry their ids, with multi-row inserts.
async fn insert_ticket_rows<'t>(
    conn: &mut DbConn,
    tickets: impl Iterator<Item = &'t Ticket>,
) -> StoreResult<()> {
    let tickets: Vec<&Ticket> = tickets.collect();
    for chunk in tickets.chunks(BULK_TICKET_ROWS) {
        let mut rows = Vec::with_capacity(chunk.len());
        for ticket in chunk {
            rows.push((ticket.id.get(), TicketValues::of(ticket)?));
        }
        let mut query = QueryBuilder::<Db>::new(format!(
            "insert into tickets (id, version, {}) ",
            DATA_COLUMNS.join(", ")
        ));
        query.push_values(rows, |mut row, (id, values)| {
            row.push_bind(id).push_bind(1_i64);
            bind_ticket_values!(row, push_bind, values);
        });
        if let Err(e) = query.build().execute(&mut *conn).await {
            let refs: BTreeSet<Ref> = chunk.iter().flat_map(|t| ticket_refs(t)).collect();
            let refs: Vec<Ref> = refs.into_iter().collect();
            return Err(error::write(conn, e, &refs).await);
        }
    }
    Ok(())
}

/// Inserts events with multi-row inserts, with the ids given (one per event) or new
/// ones.
async fn insert_event_rows(
    conn: &mut DbConn,
    events: &[(TicketId, &NewEvent)],
    ids: Option<&[i64]>,
) -> StoreResult<()> {
    for (chunk_index, chunk) in events.chunks(BULK_EVENT_ROWS).enumerate() {
        let chunk_ids = ids.map(|ids| &ids[chunk_index * BULK_EVENT_ROWS..][..chunk.len()]);
        let mut rows = Vec::with_capacity(chunk.len());
        for (index, (ticket, event)) in chunk.iter().enumerate() {
            let id = chunk_ids.map(|ids| ids[index]);
            rows.push((
                id,
                *ticket,
                *event,
                json(&event.kind)?,
                attachments_json(event)?,
            ));
        }
        let mut query = QueryBuilder::<Db>::new(if ids.is_some() {
            "insert into ticket_events (id, ticket_id, kind, data, actor_id, channel, \
             visibility, created_at, updated_at, attachments) "
        } else {
            "insert into ticket_events (ticket_id, kind, data, actor_id, channel, visibility, \
             created_at, updated_at, attachments) "
        });
        query.push_values(rows, |mut row, (id, ticket, event, data, attachments)| {
            if let Some(id) = id {
                row.push_bind(id);
            }
            row.push_bind(ticket.get())
                .push_bind(event.kind.name())
                .push_bind(data)
                .push_bind(event.actor_id.map(UserId::get))
                .push_bind(event.channel.as_str())
                .push_bind(event.visibility.as_str())
                .push_bind(micros(event.created_at))
                .push_bind(micros(event.created_at))
                .push_bind(attachments);
        });
        if let Err(e) = query.build().execute(&mut *conn).await {
            let refs: BTreeSet<Ref> = chunk
                .iter()
                .filter_map(|(_, e)| {
                    Ref::opt("ticket_events_actor_id_fkey", e.actor_id.map(UserId::get))
                })
                .collect();
            let refs: Vec<Ref> = refs.into_iter().collect();
            return Err(error::write(conn, e, &refs).await);
        }
    }
    Ok(())
}

/// Counts new tickets in the queue counts and report rollups; the latest change time
/// among them, at which the counts change.
async fn count_created<'t>(
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

// --- reads ----------------------------------------------------------------------------------------

/// Reads a ticket.
pub(crate) async fn get_ticket(conn: &mut DbConn, id: TicketId) -> StoreResult<Ticket> {
    let row = sqlx::query(concat!(ticket_select!(), " where t.id = $1"))
        .bind(id.get())
        .fetch_optional(&mut *conn)
        .await
        .map_err(error::plain)?;
    match row {
        Some(row) => ticket_from_row(&row),
        None => Err(StoreError::not_found(format!("ticket {id}"))),
    }
}

/// Reads the tickets that exist among `ids`, in id order.
pub(crate) async fn get_tickets(conn: &mut DbConn, ids: &[TicketId]) -> StoreResult<Vec<Ticket>> {
    let mut ids: Vec<i64> = ids.iter().map(|id| id.get()).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut tickets = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let mut query = QueryBuilder::<Db>::new(concat!(ticket_select!(), " where t.id in ("));
        let mut list = query.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        query.push(") order by t.id");
        let rows = query
            .build()
            .fetch_all(&mut *conn)
            .await
            .map_err(error::plain)?;
        for row in &rows {
            tickets.push(ticket_from_row(row)?);
        }
    }
    Ok(tickets)
}

/// The cursor key of the priority order packs (rank, created_at): rank × 2⁶⁰ plus the
/// creation time in microseconds, which jiff bounds to ±3.8 × 10¹⁷ (< 2⁵⁹).
const PRIORITY_KEY_FACTOR: i64 = 1 << 60;

fn priority_key(rank: i64, created_micros: i64) -> i64 {
    rank.saturating_mul(PRIORITY_KEY_FACTOR)
        .saturating_add(created_micros)
}

fn unpack_priority_key(key: i64) -> (i64, i64) {
    let rank = key
        .saturating_add(PRIORITY_KEY_FACTOR / 2)
        .div_euclid(PRIORITY_KEY_FACTOR);
    (rank, key - rank * PRIORITY_KEY_FACTOR)
}

fn cursor_of(sort: TicketSort, ticket: &Ticket) -> Cursor {
    let id = ticket.id.get();
    let key = match sort {
        TicketSort::UpdatedDesc | TicketSort::UpdatedAsc => micros(ticket.updated_at),
        TicketSort::CreatedDesc | TicketSort::CreatedAsc => micros(ticket.created_at),
        TicketSort::PriorityDesc => priority_key(ticket.priority.rank(), micros(ticket.created_at)),
        TicketSort::IdDesc => id,
    };
    Cursor { key, id }
}

/// One way a ticket can be in scope: a column equal to a value, or every ticket.
type Branch = Option<(&'static str, i64)>;

/// The scope as a union of branches, each served by one index read in sort order. A
/// branch the filter contradicts (another group, or an assignee when asking for
/// unassigned tickets) is left out.
fn scope_branches(scope: &TicketScope, filter: &TicketFilter) -> Vec<Branch> {
    let branches: Vec<(&'static str, i64)> = match scope {
        // A filter on a queue column is read as that queue, through its index.
        TicketScope::All => {
            let queue = [
                ("group_id", filter.group_id.map(GroupId::get)),
                ("assignee_id", filter.assignee_id.map(UserId::get)),
                ("owner_id", filter.owner_id.map(UserId::get)),
                ("requester_id", filter.requester_id.map(UserId::get)),
                (
                    "organization_id",
                    filter.organization_id.map(OrganizationId::get),
                ),
            ]
            .into_iter()
            .find_map(|(column, value)| value.map(|v| (column, v)));
            return vec![queue];
        }
        TicketScope::Agent { user_id, group_ids } => {
            let mut groups: Vec<i64> = group_ids.iter().map(|g| g.get()).collect();
            groups.sort_unstable();
            groups.dedup();
            [("assignee_id", user_id.get()), ("owner_id", user_id.get())]
                .into_iter()
                .chain(groups.into_iter().map(|g| ("group_id", g)))
                .collect()
        }
        TicketScope::Customer {
            user_id,
            shared_organization,
        } => [("requester_id", user_id.get())]
            .into_iter()
            .chain(shared_organization.map(|o| ("organization_id", o.get())))
            .collect(),
    };
    let fixed = |column: &str| -> Option<i64> {
        match column {
            "group_id" => filter.group_id.map(GroupId::get),
            "assignee_id" => filter.assignee_id.map(UserId::get),
            "owner_id" => filter.owner_id.map(UserId::get),
            "requester_id" => filter.requester_id.map(UserId::get),
            "organization_id" => filter.organization_id.map(OrganizationId::get),
            _ => None,
        }
    };
    branches
        .into_iter()
        .filter(|(column, value)| fixed(column).is_none_or(|f| f == *value))
        .filter(|(column, _)| !(filter.unassigned && *column == "assignee_id"))
        .map(Some)
        .collect()
}

/// Appends ` and ...` for every filter and the cursor.
fn push_conditions(query: &mut QueryBuilder<Db>, request: &TicketQuery) {
    let filter = &request.filter;
    if !filter.statuses.is_empty() {
        query.push(" and t.status in (");
        let mut list = query.separated(", ");
        for status in &filter.statuses {
            list.push_bind(status.as_str());
        }
        query.push(")");
        // Lets the queue indexes, which lead with is_open, serve a status filter.
        if filter.statuses.iter().all(|s| s.is_open()) {
            query.push(" and t.is_open = true");
        } else if filter.statuses.iter().all(|s| !s.is_open()) {
            query.push(" and t.is_open = false");
        }
    }
    if filter.open_only {
        query.push(" and t.is_open = true");
    }
    if !filter.priorities.is_empty() {
        query.push(" and t.priority_rank in (");
        let mut list = query.separated(", ");
        for priority in &filter.priorities {
            list.push_bind(priority.rank());
        }
        query.push(")");
    }
    if let Some(group) = filter.group_id {
        query.push(" and t.group_id = ").push_bind(group.get());
    }
    if let Some(assignee) = filter.assignee_id {
        query
            .push(" and t.assignee_id = ")
            .push_bind(assignee.get());
    }
    if filter.unassigned {
        query.push(" and t.assignee_id is null");
    }
    if let Some(owner) = filter.owner_id {
        query.push(" and t.owner_id = ").push_bind(owner.get());
    }
    if let Some(requester) = filter.requester_id {
        query
            .push(" and t.requester_id = ")
            .push_bind(requester.get());
    }
    if let Some(org) = filter.organization_id {
        query.push(" and t.organization_id = ").push_bind(org.get());
    }
    if let Some(category) = filter.category_id {
        query
            .push(" and t.category_id = ")
            .push_bind(category.get());
    }
    if let Some(service) = filter.service_id {
        query.push(" and t.service_id = ").push_bind(service.get());
    }
    if let Some(channel) = filter.channel {
        query.push(" and t.channel = ").push_bind(channel.as_str());
    }
    if let Some(text) = filter.subject_contains.as_deref().filter(|t| !t.is_empty()) {
        query
            .push(" and t.subject_search like ")
            .push_bind(contains_pattern(text))
            .push(" escape '\\'");
    }
    let Some(cursor) = &request.page.cursor else {
        return;
    };
    let (columns, after) = match request.sort {
        TicketSort::UpdatedDesc => ("(t.updated_at, t.id) < (", false),
        TicketSort::UpdatedAsc => ("(t.updated_at, t.id) > (", false),
        TicketSort::CreatedDesc => ("(t.created_at, t.id) < (", false),
        TicketSort::CreatedAsc => ("(t.created_at, t.id) > (", false),
        TicketSort::PriorityDesc => ("(t.priority_rank, t.created_at, t.id) > (", true),
        TicketSort::IdDesc => {
            query.push(" and t.id < ").push_bind(cursor.id);
            return;
        }
    };
    query.push(" and ").push(columns);
    if after {
        let (rank, created) = unpack_priority_key(cursor.key);
        query.push_bind(rank).push(", ").push_bind(created);
    } else {
        query.push_bind(cursor.key);
    }
    query.push(", ").push_bind(cursor.id).push(")");
}

fn order_by(sort: TicketSort) -> &'static str {
    match sort {
        TicketSort::UpdatedDesc => " order by t.updated_at desc, t.id desc",
        TicketSort::UpdatedAsc => " order by t.updated_at, t.id",
        TicketSort::CreatedDesc => " order by t.created_at desc, t.id desc",
        TicketSort::CreatedAsc => " order by t.created_at, t.id",
        TicketSort::PriorityDesc => " order by t.priority_rank, t.created_at, t.id",
        TicketSort::IdDesc => " order by t.id desc",
    }
}

/// The sort key columns a branch of a union reads besides the id (`, t.a, t.b`), and
/// the order of the merged branches by them.
fn sort_keys(sort: TicketSort) -> (&'static str, &'static str) {
    match sort {
        TicketSort::UpdatedDesc => (", t.updated_at", " order by updated_at desc, id desc"),
        TicketSort::UpdatedAsc => (", t.updated_at", " order by updated_at, id"),
        TicketSort::CreatedDesc => (", t.created_at", " order by created_at desc, id desc"),
        TicketSort::CreatedAsc => (", t.created_at", " order by created_at, id"),
        TicketSort::PriorityDesc => (
            ", t.priority_rank, t.created_at",
            " order by priority_rank, created_at, id",
        ),
        TicketSort::IdDesc => ("", " order by id desc"),
    }
}

/// Appends `from tickets t where <branch>` with the backend's index hint for it.
fn push_branch(query: &mut QueryBuilder<Db>, branch: Branch, sort: TicketSort) {
    query.push(" from tickets t");
    match branch {
        Some((column, value)) => {
            // `column` is one of the fixed names in `scope_branches`, never input.
            query
                .push(crate::dialect::ticket_index_hint(column, sort))
                .push(" where t.")
                .push(column)
                .push(" = ")
                .push_bind(value);
        }
        None => {
            query.push(" where true");
        }
    }
}

/// A page of the tickets `scope` allows, filtered and sorted, read with keyset pagination.
///
/// A scope that is a union (an agent's groups, assignments and ownerships; a customer's
/// own and their organization's tickets) is read as one ordered, limited index range
/// per branch, and only those few rows are merged: the page never sorts the whole
/// scope, however many tickets it holds.
pub(crate) async fn list_tickets(
    conn: &mut DbConn,
    scope: &TicketScope,
    request: &TicketQuery,
) -> StoreResult<Page<Ticket>> {
    let limit = request.page.limit.clamp(1, MAX_PAGE_SIZE);
    let sort = request.sort;
    let branches = scope_branches(scope, &request.filter);
    let mut query = QueryBuilder::<Db>::new(ticket_columns!());
    match branches.as_slice() {
        [] => {
            return Ok(Page {
                items: Vec::new(),
                next_cursor: None,
            });
        }
        [branch] => {
            push_branch(&mut query, *branch, sort);
            push_conditions(&mut query, request);
        }
        many => {
            // Each branch reads its ids with their sort keys from its index; the
            // merged page of ids is cut before any whole row is read.
            let (keys, merged_order) = sort_keys(sort);
            query.push(" from tickets t where t.id in (select id from (");
            for (index, branch) in many.iter().enumerate() {
                if index > 0 {
                    query.push(" union ");
                }
                query.push(format_args!("select * from (select t.id{keys}"));
                push_branch(&mut query, *branch, sort);
                push_conditions(&mut query, request);
                query
                    .push(order_by(sort))
                    .push(" limit ")
                    .push_bind(limit + 1);
                query.push(format_args!(") as branch{index}"));
            }
            query
                .push(") as merged")
                .push(merged_order)
                .push(" limit ")
                .push_bind(limit + 1)
                .push(")");
        }
    }
    query.push(order_by(sort));
    query.push(" limit ").push_bind(limit + 1);
    let rows = query
        .build()
        .fetch_all(&mut *conn)
        .await
        .map_err(error::plain)?;
    let mut items = rows
        .iter()
        .map(ticket_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|t| cursor_of(sort, t))
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

/// A ticket's timeline after `page.after`, in order.
pub(crate) async fn list_events(
    conn: &mut DbConn,
    ticket: TicketId,
    include_internal: bool,
    page: &EventPage,
) -> StoreResult<Vec<Event>> {
    let limit = page.limit.clamp(1, 1000);
    let after = page.after.map_or(0, EventId::get);
    let query = if include_internal {
        sqlx::query(
            "select id, ticket_id, kind, data, actor_id, channel, visibility, created_at, attachments \
             from ticket_events where ticket_id = $1 and id > $2 order by id limit $3",
        )
    } else {
        sqlx::query(
            "select id, ticket_id, kind, data, actor_id, channel, visibility, created_at, attachments \
             from ticket_events where ticket_id = $1 and id > $2 and visibility = 'public' \
             order by id limit $3",
        )
    };
    let rows = query
        .bind(ticket.get())
        .bind(after)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await
        .map_err(error::plain)?;
    rows.iter().map(event_from_row).collect()
}

/// Reads one event.
pub(crate) async fn get_event(conn: &mut DbConn, id: EventId) -> StoreResult<Event> {
    let row = sqlx::query(
        "select id, ticket_id, kind, data, actor_id, channel, visibility, created_at, attachments \
         from ticket_events where id = $1",
    )
    .bind(id.get())
    .fetch_optional(&mut *conn)
    .await
    .map_err(error::plain)?;
    match row {
        Some(row) => event_from_row(&row),
        None => Err(StoreError::not_found(format!("event {id}"))),
    }
}

async fn events_by_ids(conn: &mut DbConn, ids: &[i64]) -> StoreResult<Vec<Event>> {
    let mut events = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let mut query = QueryBuilder::<Db>::new(EVENT_COLUMNS_SELECT);
        query.push(" where id in (");
        let mut list = query.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        query.push(") order by id");
        let rows = query
            .build()
            .fetch_all(&mut *conn)
            .await
            .map_err(error::plain)?;
        for row in &rows {
            events.push(event_from_row(row)?);
        }
    }
    Ok(events)
}

/// Every link touching `ticket`, from its side, oldest first.
pub(crate) async fn list_links(
    conn: &mut DbConn,
    ticket: TicketId,
) -> StoreResult<Vec<TicketLink>> {
    let rows = sqlx::query(
        "select l.kind as kind, l.created_at as created_at, true as is_source, o.id as other_id, \
         o.subject as other_subject, o.status as other_status \
         from ticket_links l join tickets o on o.id = l.target_id where l.source_id = $1 \
         union all \
         select l.kind as kind, l.created_at as created_at, false as is_source, o.id as other_id, \
         o.subject as other_subject, o.status as other_status \
         from ticket_links l join tickets o on o.id = l.source_id where l.target_id = $1 \
         order by created_at, other_id",
    )
    .bind(ticket.get())
    .fetch_all(&mut *conn)
    .await
    .map_err(error::plain)?;
    let mut links = Vec::with_capacity(rows.len());
    for row in &rows {
        links.push(TicketLink {
            ticket_id: ticket,
            other: TicketId(get(row, "other_id")?),
            kind: text_enum(row, "kind", LinkKind::parse)?,
            is_source: get(row, "is_source")?,
            other_subject: get(row, "other_subject")?,
            other_status: text_enum(row, "other_status", TicketStatus::parse)?,
            created_at: get_time(row, "created_at")?,
        });
    }
    Ok(links)
}

/// Children (`parent_of` targets) of `ticket` not yet resolved or closed.
pub(crate) async fn open_children(
    conn: &mut DbConn,
    ticket: TicketId,
) -> StoreResult<Vec<TicketId>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "select l.target_id from ticket_links l join tickets c on c.id = l.target_id \
         where l.source_id = $1 and l.kind = 'parent_of' and c.is_open = true order by l.target_id",
    )
    .bind(ticket.get())
    .fetch_all(&mut *conn)
    .await
    .map_err(error::plain)?;
    Ok(ids.into_iter().map(TicketId).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priority_keys_round_trip_over_the_whole_time_range() {
        for rank in 1..=4 {
            for created in [
                micros(Timestamp::MIN),
                -1,
                0,
                1_700_000_000_000_000,
                micros(Timestamp::MAX),
            ] {
                assert_eq!(
                    unpack_priority_key(priority_key(rank, created)),
                    (rank, created)
                );
            }
        }
    }

    #[test]
    fn priority_keys_sort_by_rank_then_time() {
        let early_p1 = priority_key(1, micros(Timestamp::MAX));
        let late_p2 = priority_key(2, micros(Timestamp::MIN));
        assert!(early_p1 < late_p2);
    }
}
