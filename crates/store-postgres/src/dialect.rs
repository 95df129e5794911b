//! What the shared SQL needs from PostgreSQL beyond the dialect macros.

use crate::DbConn;
use crate::sql::tickets::CountDeltas;
use ferrodesk_store::{StoreResult, TicketSort};
use std::sync::atomic::{AtomicU64, Ordering};

/// Counter rows per (group, assignee, status). Every ticket write in a queue changes
/// the same counter; spreading those changes over a few rows keeps concurrent
/// transactions (on one node or several) from queueing behind one row lock.
const COUNTER_SHARDS: u64 = 8;

static NEXT_SHARD: AtomicU64 = AtomicU64::new(0);

/// The shard this transaction's counter changes go to. Any shard is correct (the counts
/// are sums over shards); taking them in turn spreads the load.
pub(crate) fn counter_shard() -> i64 {
    let shard = NEXT_SHARD.fetch_add(1, Ordering::Relaxed) % COUNTER_SHARDS;
    // Below COUNTER_SHARDS, so it fits.
    i64::try_from(shard).unwrap_or(0)
}

/// Writes the counter changes in the current transaction.
pub(crate) async fn apply_counts(conn: &mut DbConn, deltas: CountDeltas) -> StoreResult<()> {
    deltas.write(conn).await
}

/// Ticket ids for the bulk path, drawn from the identity sequence (so they never clash
/// with ids handed out concurrently, on this node or another).
pub(crate) async fn reserve_ticket_ids(
    conn: &mut DbConn,
    count: usize,
) -> Result<Vec<i64>, sqlx::Error> {
    let count = i64::try_from(count).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    let mut ids: Vec<i64> = sqlx::query_scalar(
        "select nextval(pg_get_serial_sequence('tickets', 'id')) from generate_series(1, $1)",
    )
    .bind(count)
    .fetch_all(&mut *conn)
    .await?;
    ids.sort_unstable();
    Ok(ids)
}

/// Ids for new events, drawn from the identity sequence.
#[allow(
    dead_code,
    reason = "only SQLite's group commit creates tickets together"
)]
pub(crate) async fn reserve_event_ids(
    conn: &mut DbConn,
    count: usize,
) -> Result<Vec<i64>, sqlx::Error> {
    let count = i64::try_from(count).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    let mut ids: Vec<i64> = sqlx::query_scalar(
        "select nextval(pg_get_serial_sequence('ticket_events', 'id')) \
         from generate_series(1, $1)",
    )
    .bind(count)
    .fetch_all(&mut *conn)
    .await?;
    ids.sort_unstable();
    Ok(ids)
}

/// Nothing: PostgreSQL's shared buffers are sized by the server's configuration.
pub(crate) async fn bulk_cache(_conn: &mut DbConn, _is_bulk: bool) -> Result<(), sqlx::Error> {
    Ok(())
}

/// No hints: PostgreSQL plans from its own statistics.
pub(crate) fn ticket_index_hint(_column: &str, _sort: TicketSort) -> &'static str {
    ""
}

/// The detail of a PostgreSQL error (`Key (group_id)=(7) is not present ...`).
pub(crate) fn error_detail(error: &dyn sqlx::error::DatabaseError) -> Option<String> {
    error
        .try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
        .and_then(|e| e.detail())
        .map(str::to_owned)
}

/// Appends ` and` the ticket `t` carries `tag` (its tags are a JSON array as text).
pub(crate) fn push_has_tag(query: &mut sqlx::QueryBuilder<crate::Db>, tag: &str) {
    query
        .push(" and (t.tags::jsonb) ? ")
        .push_bind(tag.to_owned());
}
