//! Who follows a ticket; [`WatcherStore`] for the backend. Adding or removing a
//! watcher appends its event through [`tickets::append`](crate::sql::tickets::append)
//! in the same transaction, which also bumps the ticket's version, so a concurrent edit
//! of the ticket notices.

use crate::sql::convert::{get, get_time, micros};
use crate::sql::error;
use crate::sql::fetch;
use crate::sql::tickets::append;
use crate::{Backend, DbConn};
use async_trait::async_trait;
use ferrodesk_domain::{Event, TicketId, UserId};
use ferrodesk_store::{StoreResult, Watcher, WatcherChange, WatcherStore};

async fn add_watcher(conn: &mut DbConn, change: &WatcherChange) -> StoreResult<Option<Event>> {
    let query = sqlx::query(
        "insert into ticket_watchers (ticket_id, user_id, added_by, created_at, updated_at) \
         values ($1, $2, $3, $4, $4) on conflict do nothing",
    )
    .bind(change.ticket_id.get())
    .bind(change.user_id.get())
    .bind(change.event.actor_id.map(UserId::get))
    .bind(micros(change.event.created_at));
    if fetch::execute(conn, query).await? == 0 {
        return Ok(None);
    }
    append(conn, change.ticket_id, &change.event)
        .await
        .map(Some)
}

async fn remove_watcher(conn: &mut DbConn, change: &WatcherChange) -> StoreResult<Option<Event>> {
    let query = sqlx::query("delete from ticket_watchers where ticket_id = $1 and user_id = $2")
        .bind(change.ticket_id.get())
        .bind(change.user_id.get());
    if fetch::execute(conn, query).await? == 0 {
        return Ok(None);
    }
    append(conn, change.ticket_id, &change.event)
        .await
        .map(Some)
}

async fn list_watchers(conn: &mut DbConn, ticket: TicketId) -> StoreResult<Vec<Watcher>> {
    let query = sqlx::query(
        "select ticket_id, user_id, added_by, created_at from ticket_watchers \
         where ticket_id = $1 order by created_at, user_id",
    )
    .bind(ticket.get());
    fetch::all(conn, query, |row| {
        Ok(Watcher {
            ticket_id: TicketId(get(row, "ticket_id")?),
            user_id: UserId(get(row, "user_id")?),
            added_by: get::<Option<i64>>(row, "added_by")?.map(UserId),
            created_at: get_time(row, "created_at")?,
        })
    })
    .await
}

async fn watched_tickets(
    conn: &mut DbConn,
    user: UserId,
    limit: i64,
) -> StoreResult<Vec<TicketId>> {
    // `ticket_watchers_user (user_id, ticket_id)` serves this; a person watches tens.
    let ids: Vec<i64> = sqlx::query_scalar(
        "select ticket_id from ticket_watchers where user_id = $1 \
         order by created_at desc, ticket_id desc limit $2",
    )
    .bind(user.get())
    .bind(limit.clamp(1, 1000))
    .fetch_all(&mut *conn)
    .await
    .map_err(error::plain)?;
    Ok(ids.into_iter().map(TicketId).collect())
}

#[async_trait]
impl WatcherStore for Backend {
    async fn add_watcher(&self, change: WatcherChange) -> StoreResult<Option<Event>> {
        self.write(change, |c, change| Box::pin(add_watcher(c, change)))
            .await
    }

    async fn remove_watcher(&self, change: WatcherChange) -> StoreResult<Option<Event>> {
        self.write(change, |c, change| Box::pin(remove_watcher(c, change)))
            .await
    }

    async fn list_watchers(&self, ticket_id: TicketId) -> StoreResult<Vec<Watcher>> {
        list_watchers(&mut *self.reader().await?, ticket_id).await
    }

    async fn watched_tickets(&self, user_id: UserId, limit: i64) -> StoreResult<Vec<TicketId>> {
        watched_tickets(&mut *self.reader().await?, user_id, limit).await
    }
}
