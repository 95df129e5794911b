//! Time spent on tickets; [`TimeStore`] for the backend. An entry logged with a reply or
//! note is written by the ticket change's transaction ([`insert_time_entry`], called
//! from `tickets/write.rs`).

use crate::sql::convert::{get, get_time, micros};
use crate::sql::error::Ref;
use crate::sql::fetch;
use crate::{Backend, DbConn, DbRow};
use async_trait::async_trait;
use ferrodesk_domain::{EventId, GroupId, TicketId, UserId};
use ferrodesk_store::{
    MAX_TIME_ENTRIES_LISTED, NewTimeEntry, StoreResult, TimeEntry, TimeStore, TimeTotal,
};
use jiff::Timestamp;

fn entry_from_row(row: &DbRow) -> StoreResult<TimeEntry> {
    Ok(TimeEntry {
        id: get(row, "id")?,
        ticket_id: TicketId(get(row, "ticket_id")?),
        user_id: UserId(get(row, "user_id")?),
        minutes: get(row, "minutes")?,
        event_id: get::<Option<i64>>(row, "event_id")?.map(EventId),
        created_at: get_time(row, "created_at")?,
    })
}

/// Writes one entry in the caller's transaction.
pub(crate) async fn insert_time_entry(
    conn: &mut DbConn,
    ticket_id: TicketId,
    entry: &NewTimeEntry,
    event_id: Option<EventId>,
) -> StoreResult<TimeEntry> {
    let query = sqlx::query_scalar(
        "insert into time_entries (ticket_id, user_id, minutes, event_id, created_at) \
         values ($1, $2, $3, $4, $5) returning id",
    )
    .bind(ticket_id.get())
    .bind(entry.user_id.get())
    .bind(entry.minutes)
    .bind(event_id.map(|e| e.get()))
    .bind(micros(entry.created_at));
    let refs = [
        Ref::new("time_entries_ticket_id_fkey", ticket_id.get()),
        Ref::new("time_entries_user_id_fkey", entry.user_id.get()),
    ];
    let id = fetch::insert(conn, query, &refs).await?;
    Ok(TimeEntry {
        id,
        ticket_id,
        user_id: entry.user_id,
        minutes: entry.minutes,
        event_id,
        created_at: entry.created_at,
    })
}

async fn add_time_entry(
    conn: &mut DbConn,
    (ticket_id, entry): &(TicketId, NewTimeEntry),
) -> StoreResult<TimeEntry> {
    insert_time_entry(conn, *ticket_id, entry, None).await
}

async fn list_time_entries(conn: &mut DbConn, ticket_id: TicketId) -> StoreResult<Vec<TimeEntry>> {
    let query = sqlx::query(
        "select id, ticket_id, user_id, minutes, event_id, created_at from time_entries \
         where ticket_id = $1 order by id limit $2",
    )
    .bind(ticket_id.get())
    .bind(MAX_TIME_ENTRIES_LISTED);
    fetch::all(conn, query, entry_from_row).await
}

async fn ticket_time_total(conn: &mut DbConn, ticket_id: TicketId) -> StoreResult<i64> {
    let total: Option<i64> = sqlx::query_scalar(
        "select cast(coalesce(sum(minutes), 0) as bigint) from time_entries where ticket_id = $1",
    )
    .bind(ticket_id.get())
    .fetch_optional(&mut *conn)
    .await
    .map_err(crate::sql::error::plain)?;
    Ok(total.unwrap_or(0))
}

fn total_from_row<K>(
    key: impl Fn(Option<i64>) -> K,
) -> impl Fn(&DbRow) -> StoreResult<TimeTotal<K>> {
    move |row| {
        Ok(TimeTotal {
            key: key(get::<Option<i64>>(row, "key")?),
            minutes: get(row, "minutes")?,
            entries: get(row, "entries")?,
        })
    }
}

async fn time_by_agent(
    conn: &mut DbConn,
    (from, to): (Timestamp, Timestamp),
) -> StoreResult<Vec<TimeTotal<UserId>>> {
    let query = sqlx::query(
        "select user_id as key, cast(sum(minutes) as bigint) as minutes, count(*) as entries \
         from time_entries where created_at >= $1 and created_at < $2 \
         group by user_id order by minutes desc, user_id",
    )
    .bind(micros(from))
    .bind(micros(to));
    fetch::all(conn, query, total_from_row(|k| UserId(k.unwrap_or(0)))).await
}

async fn time_by_group(
    conn: &mut DbConn,
    (from, to): (Timestamp, Timestamp),
) -> StoreResult<Vec<TimeTotal<Option<GroupId>>>> {
    let query = sqlx::query(
        "select t.group_id as key, cast(sum(e.minutes) as bigint) as minutes, \
         count(*) as entries from time_entries e join tickets t on t.id = e.ticket_id \
         where e.created_at >= $1 and e.created_at < $2 \
         group by t.group_id order by minutes desc, t.group_id",
    )
    .bind(micros(from))
    .bind(micros(to));
    fetch::all(conn, query, total_from_row(|k| k.map(GroupId))).await
}

#[async_trait]
impl TimeStore for Backend {
    async fn add_time_entry(
        &self,
        ticket_id: TicketId,
        entry: NewTimeEntry,
    ) -> StoreResult<TimeEntry> {
        self.write((ticket_id, entry), |c, input| {
            Box::pin(add_time_entry(c, input))
        })
        .await
    }

    async fn list_time_entries(&self, ticket_id: TicketId) -> StoreResult<Vec<TimeEntry>> {
        list_time_entries(&mut *self.reader().await?, ticket_id).await
    }

    async fn ticket_time_total(&self, ticket_id: TicketId) -> StoreResult<i64> {
        ticket_time_total(&mut *self.reader().await?, ticket_id).await
    }

    async fn time_by_agent(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<TimeTotal<UserId>>> {
        time_by_agent(&mut *self.reader().await?, (from, to)).await
    }

    async fn time_by_group(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<TimeTotal<Option<GroupId>>>> {
        time_by_group(&mut *self.reader().await?, (from, to)).await
    }
}
