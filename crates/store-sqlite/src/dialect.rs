//! What the shared SQL needs from SQLite beyond the dialect macros.

use crate::DbConn;
use crate::sql::tickets::CountDeltas;
use ferrodesk_store::{StoreResult, TicketSort};

/// SQLite has one writer, so counters never contend: every write uses shard 0.
pub(crate) fn counter_shard() -> i64 {
    0
}

/// Ticket ids for the bulk path: the next `count` numbers after the autoincrement
/// sequence. Only the single writer calls this, inside its transaction; inserting the
/// ids moves the sequence past them.
pub(crate) async fn reserve_ticket_ids(
    conn: &mut DbConn,
    count: usize,
) -> Result<Vec<i64>, sqlx::Error> {
    let last: i64 = sqlx::query_scalar(
        "select max(coalesce((select seq from sqlite_sequence where name = 'tickets'), 10000), \
         coalesce((select max(id) from tickets), 10000))",
    )
    .fetch_one(&mut *conn)
    .await?;
    let count = i64::try_from(count).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    Ok((last + 1..=last + count).collect())
}

/// Ids for new events: the next `count` rowids. Only the single writer calls this,
/// inside its transaction, so nothing else takes them before they are inserted.
pub(crate) async fn reserve_event_ids(
    conn: &mut DbConn,
    count: usize,
) -> Result<Vec<i64>, sqlx::Error> {
    let last: i64 = sqlx::query_scalar("select coalesce(max(id), 0) from ticket_events")
        .fetch_one(&mut *conn)
        .await?;
    let count = i64::try_from(count).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    Ok((last + 1..=last + count).collect())
}

/// Page cache of each connection, in KiB.
pub(crate) const CACHE_KIB: i64 = 32_768;
/// Page cache of the writer while it writes a bulk batch, in KiB. A batch inserts
/// thousands of rows into each ticket index at scattered places; with the usual cache
/// the pages it changed spill to the log before the commit and are read back and
/// written again (a bench run that generated 300,000 tickets spent 55 of its 152 s
/// of CPU in system calls, 33 s with this cache, and generated a fifth faster).
const BULK_CACHE_KIB: i64 = 262_144;

/// Widens the writer's page cache for a bulk batch, or narrows it back (SQLite frees
/// the pages beyond the limit).
pub(crate) async fn bulk_cache(conn: &mut DbConn, is_bulk: bool) -> Result<(), sqlx::Error> {
    let kib = if is_bulk { BULK_CACHE_KIB } else { CACHE_KIB };
    sqlx::query(sqlx::AssertSqlSafe(format!("pragma cache_size = -{kib}")))
        .execute(&mut *conn)
        .await
        .map(|_| ())
}

/// Names the index that serves a queue range (`column = value`, or `is_open` for the
/// whole desk, then open or not, in the sort's order). Without statistics SQLite may
/// otherwise pick an index that saves the sort but reads every open ticket of the desk.
pub(crate) fn ticket_index_hint(column: &str, sort: TicketSort) -> &'static str {
    match (column, sort) {
        ("group_id", TicketSort::PriorityDesc) => " indexed by tickets_group_priority",
        ("group_id", TicketSort::CreatedAsc | TicketSort::CreatedDesc) => {
            " indexed by tickets_group_created"
        }
        ("group_id", _) => " indexed by tickets_group_queue",
        ("assignee_id", TicketSort::PriorityDesc) => " indexed by tickets_assignee_priority",
        ("assignee_id", _) => " indexed by tickets_assignee_queue",
        ("owner_id", TicketSort::PriorityDesc) => " indexed by tickets_owner_priority",
        ("owner_id", _) => " indexed by tickets_owner_queue",
        ("requester_id", _) => " indexed by tickets_requester",
        ("organization_id", _) => " indexed by tickets_organization",
        ("is_open", TicketSort::PriorityDesc) => " indexed by tickets_open_priority",
        ("is_open", TicketSort::CreatedAsc | TicketSort::CreatedDesc) => {
            " indexed by tickets_open_created"
        }
        ("is_open", TicketSort::UpdatedAsc | TicketSort::UpdatedDesc) => {
            " indexed by tickets_open_updated"
        }
        _ => "",
    }
}

/// SQLite errors carry no detail beyond their message.
pub(crate) fn error_detail(_error: &dyn sqlx::error::DatabaseError) -> Option<String> {
    None
}

tokio::task_local! {
    /// The queue-count changes of the write the group-commit writer is running.
    pub(crate) static BATCH_COUNTS: std::cell::RefCell<CountDeltas>;
}

/// Inside the writer, keeps a write's count changes for the batch (kept only if the
/// write's savepoint is); elsewhere writes them at once.
pub(crate) async fn apply_counts(conn: &mut DbConn, deltas: CountDeltas) -> StoreResult<()> {
    let mut pending = Some(deltas);
    // Outside the writer there is no batch; the changes are then written below.
    let _ = BATCH_COUNTS.try_with(|batch| {
        if let Some(deltas) = pending.take() {
            batch.borrow_mut().merge(deltas);
        }
    });
    match pending {
        Some(deltas) => deltas.write(conn).await,
        None => Ok(()),
    }
}

/// Appends ` and` the ticket `t` carries `tag` (its tags are a JSON array as text).
pub(crate) fn push_has_tag(query: &mut sqlx::QueryBuilder<crate::Db>, tag: &str) {
    query
        .push(" and exists (select 1 from json_each(t.tags) where json_each.value = ")
        .push_bind(tag.to_owned())
        .push(")");
}
