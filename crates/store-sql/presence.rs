//! Who has which ticket open; [`PresenceStore`] for the backend. A report is one
//! upsert (on SQLite it joins the group commit like any write); a page of queue rows
//! reads the reports of all its tickets in one query on the primary key.

use crate::sql::convert::{get, get_time, micros, stored};
use crate::sql::error::Ref;
use crate::sql::fetch;
use crate::{Backend, DbConn};
use async_trait::async_trait;
use ferrodesk_domain::{Activity, Presence, TicketId, UserId};
use ferrodesk_store::{PresenceStore, StoreResult};
use jiff::Timestamp;

async fn save_presence(conn: &mut DbConn, presence: &Presence) -> StoreResult<()> {
    let query = sqlx::query(
        "insert into ticket_presence \
         (ticket_id, user_id, activity, seen_at, created_at, updated_at) \
         values ($1, $2, $3, $4, $4, $4) \
         on conflict (ticket_id, user_id) do update \
         set activity = excluded.activity, seen_at = excluded.seen_at, \
         updated_at = excluded.updated_at",
    )
    .bind(presence.ticket_id.get())
    .bind(presence.user_id.get())
    .bind(presence.activity.as_str())
    .bind(micros(presence.seen_at));
    let refs = [
        Ref::new("ticket_presence_ticket_id_fkey", presence.ticket_id.get()),
        Ref::new("ticket_presence_user_id_fkey", presence.user_id.get()),
    ];
    fetch::write(conn, query, &refs).await.map(|_| ())
}

/// Who left which ticket, and the age before which their other reports are dropped.
struct Leave {
    ticket_id: TicketId,
    user_id: UserId,
    stale_before: Timestamp,
}

async fn remove_presence(conn: &mut DbConn, leave: &Leave) -> StoreResult<()> {
    // One statement: the ticket left, and the person's reports that no longer count
    // (`ticket_presence_user_seen`), so rows of pages closed without a goodbye go too.
    let query = sqlx::query(
        "delete from ticket_presence where user_id = $2 and (ticket_id = $1 or seen_at < $3)",
    )
    .bind(leave.ticket_id.get())
    .bind(leave.user_id.get())
    .bind(micros(leave.stale_before));
    fetch::execute(conn, query).await.map(|_| ())
}

async fn list_presence(
    conn: &mut DbConn,
    tickets: &[TicketId],
    since: Timestamp,
) -> StoreResult<Vec<Presence>> {
    let mut ids: Vec<i64> = tickets.iter().map(|id| id.get()).collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // The id list is bound by `by_ids`, which numbers its own parameters; the time is
    // an integer of ours, written into the statement.
    let head = format!(
        "select ticket_id, user_id, activity, seen_at from ticket_presence \
         where seen_at >= {} and ticket_id in (",
        micros(since)
    );
    fetch::by_ids(conn, &head, &ids, ") order by ticket_id, user_id", |row| {
        Ok(Presence {
            ticket_id: TicketId(get(row, "ticket_id")?),
            user_id: UserId(get(row, "user_id")?),
            activity: stored(Activity::parse(&get::<String>(row, "activity")?))?,
            seen_at: get_time(row, "seen_at")?,
        })
    })
    .await
}

#[async_trait]
impl PresenceStore for Backend {
    async fn save_presence(&self, presence: Presence) -> StoreResult<()> {
        self.write(presence, |c, presence| Box::pin(save_presence(c, presence)))
            .await
    }

    async fn remove_presence(
        &self,
        ticket_id: TicketId,
        user_id: UserId,
        stale_before: Timestamp,
    ) -> StoreResult<()> {
        let leave = Leave {
            ticket_id,
            user_id,
            stale_before,
        };
        self.write(leave, |c, leave| Box::pin(remove_presence(c, leave)))
            .await
    }

    async fn list_presence(
        &self,
        ticket_ids: &[TicketId],
        since: Timestamp,
    ) -> StoreResult<Vec<Presence>> {
        list_presence(&mut *self.reader().await?, ticket_ids, since).await
    }
}
