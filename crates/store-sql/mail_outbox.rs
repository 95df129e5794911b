//! [`OutboxStore`] for the backend: the outbox across tickets for admins, read through
//! the `mail_outbox_due (state, next_attempt_at, id)` index, never a scan.

use crate::sql::convert::{get, get_opt_time, get_time, micros};
use crate::sql::error;
use crate::{Backend, DbConn, DbRow};
use async_trait::async_trait;
use ferrodesk_domain::{EventId, TicketId};
use ferrodesk_store::mail::{OutboxEntry, OutboxId};
use ferrodesk_store::mail_outbox::OutboxStore;
use ferrodesk_store::{StoreError, StoreResult};
use jiff::Timestamp;

/// The columns [`outbox_entry`] reads.
pub(crate) const OUTBOX_COLUMNS: &str = "id, event_id, ticket_id, state, attempts, \
    next_attempt_at, message_id, recipients, last_error, sent_at";

/// An outbox row as admins see it.
pub(crate) fn outbox_entry(row: &DbRow) -> StoreResult<OutboxEntry> {
    Ok(OutboxEntry {
        id: OutboxId(get(row, "id")?),
        event_id: EventId(get(row, "event_id")?),
        ticket_id: TicketId(get(row, "ticket_id")?),
        state: get(row, "state")?,
        attempts: get(row, "attempts")?,
        next_attempt_at: get_time(row, "next_attempt_at")?,
        message_id: get(row, "message_id")?,
        recipients: get(row, "recipients")?,
        last_error: get(row, "last_error")?,
        sent_at: get_opt_time(row, "sent_at")?,
    })
}

async fn list_in_state(
    conn: &mut DbConn,
    state: &str,
    limit: i64,
) -> StoreResult<Vec<OutboxEntry>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select {OUTBOX_COLUMNS} from mail_outbox where state = $1 \
         order by next_attempt_at desc, id desc limit $2"
    )))
    .bind(state)
    .bind(limit.clamp(1, 1000))
    .fetch_all(&mut *conn)
    .await
    .map_err(error::plain)?;
    rows.iter().map(outbox_entry).collect()
}

async fn requeue(conn: &mut DbConn, (id, now): &(OutboxId, Timestamp)) -> StoreResult<()> {
    let done = sqlx::query(
        "update mail_outbox set state = 'pending', attempts = 0, next_attempt_at = $2, \
         updated_at = $2 where id = $1 and state = 'failed'",
    )
    .bind(id.0)
    .bind(micros(*now))
    .execute(&mut *conn)
    .await
    .map_err(error::plain)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::not_found(format!(
            "failed outbox message {}",
            id.0
        )));
    }
    Ok(())
}

#[async_trait]
impl OutboxStore for Backend {
    async fn list_outbox_in_state(&self, state: &str, limit: i64) -> StoreResult<Vec<OutboxEntry>> {
        list_in_state(&mut *self.reader().await?, state, limit).await
    }

    async fn requeue_outbox(&self, id: OutboxId, now: Timestamp) -> StoreResult<()> {
        self.write((id, now), |c, input| Box::pin(requeue(c, input)))
            .await
    }
}
