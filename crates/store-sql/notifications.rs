//! In-app notifications; [`NotificationStore`] for the backend.

use crate::sql::convert::{get, get_opt_time, get_time, micros, stored};
use crate::sql::fetch;
use crate::sql::notification_preferences as preferences;
use crate::{Backend, DbConn, DbRow};
use async_trait::async_trait;
use ferrodesk_domain::notify::Preferences;
use ferrodesk_domain::{NotificationKind, TicketId, UserId};
use ferrodesk_store::{
    NewNotification, Notification, NotificationId, NotificationStore, PageRequest, StoreResult,
};
use jiff::Timestamp;
use sqlx::QueryBuilder;

/// Rows per multi-row insert: well under both backends' bind-parameter limits.
const ROWS_PER_INSERT: usize = 500;

/// Writes notifications, many rows to a statement, and queues in the outbox those
/// to be mailed at once (`mail`), in the caller's transaction.
pub(crate) async fn notify(
    conn: &mut DbConn,
    notes: &[ferrodesk_store::NewNotification],
    now: Timestamp,
) -> StoreResult<()> {
    for chunk in notes.chunks(ROWS_PER_INSERT) {
        let mut query = QueryBuilder::<crate::Db>::new(
            "insert into notifications (user_id, ticket_id, kind, message, created_at, updated_at) ",
        );
        query.push_values(chunk, |mut row, note| {
            row.push_bind(note.user_id.get())
                .push_bind(note.ticket_id.map(TicketId::get))
                .push_bind(note.kind.as_str())
                .push_bind(note.message.clone())
                .push_bind(micros(now))
                .push_bind(micros(now));
        });
        if !chunk.iter().any(|note| note.mail) {
            fetch::execute(conn, query.build()).await?;
            continue;
        }
        query.push(" returning id, user_id, ticket_id");
        let written = fetch::all(conn, query.build(), |row| {
            Ok((
                get::<i64>(row, "id")?,
                get::<i64>(row, "user_id")?,
                get::<Option<i64>>(row, "ticket_id")?,
            ))
        })
        .await?;
        let mailed = mailed_ids(chunk, &written);
        enqueue_mail(conn, &mailed, now).await?;
    }
    Ok(())
}

/// The ids of the notes to mail, among the rows written for them. Rows are matched by
/// person and ticket, not by position: neither backend promises the order of
/// `returning` rows.
fn mailed_ids(
    notes: &[ferrodesk_store::NewNotification],
    written: &[(i64, i64, Option<i64>)],
) -> Vec<(i64, Option<i64>)> {
    let mut taken = vec![false; written.len()];
    let mut mailed = Vec::new();
    for note in notes {
        let key = (note.user_id.get(), note.ticket_id.map(TicketId::get));
        let Some(at) = written
            .iter()
            .enumerate()
            .position(|(i, (_, user, ticket))| !taken[i] && (*user, *ticket) == key)
        else {
            continue;
        };
        taken[at] = true;
        if note.mail {
            mailed.push((written[at].0, key.1));
        }
    }
    mailed
}

/// Queues one outbox row per (notification, ticket).
async fn enqueue_mail(
    conn: &mut DbConn,
    mailed: &[(i64, Option<i64>)],
    now: Timestamp,
) -> StoreResult<()> {
    if mailed.is_empty() {
        return Ok(());
    }
    let mut query = QueryBuilder::<crate::Db>::new(
        "insert into mail_outbox (notification_id, ticket_id, state, attempts, next_attempt_at, \
         created_at, updated_at) ",
    );
    query.push_values(mailed, |mut row, (id, ticket)| {
        row.push_bind(*id)
            .push_bind(*ticket)
            .push_bind("pending")
            .push_bind(0_i64)
            .push_bind(micros(now))
            .push_bind(micros(now))
            .push_bind(micros(now));
    });
    fetch::execute(conn, query.build()).await?;
    Ok(())
}

/// Any notification by id.
pub(crate) async fn get_notification(
    conn: &mut DbConn,
    id: NotificationId,
) -> StoreResult<Notification> {
    let query = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS} from notifications where id = $1"
    )))
    .bind(id.get());
    fetch::one(conn, query, notification_from_row, "notification", id.get()).await
}

/// A person's unread notifications made in `[since, until)`, oldest first.
pub(crate) async fn list_unread_between(
    conn: &mut DbConn,
    user: UserId,
    since: Option<Timestamp>,
    until: Timestamp,
    limit: i64,
) -> StoreResult<Vec<Notification>> {
    // Through the partial unread index by person; `created_at` narrows what it finds.
    let query = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS} from notifications where user_id = $1 and read_at is null \
         and created_at >= $2 and created_at < $3 order by id limit $4"
    )))
    .bind(user.get())
    .bind(since.map_or(i64::MIN, micros))
    .bind(micros(until))
    .bind(limit.clamp(1, ferrodesk_store::MAX_PAGE_SIZE));
    fetch::all(conn, query, notification_from_row).await
}

/// The columns [`notification_from_row`] reads.
const COLUMNS: &str = "id, user_id, ticket_id, kind, message, read_at, created_at";

/// A user's notifications, newest first.
pub(crate) async fn list_notifications(
    conn: &mut DbConn,
    user: UserId,
    page: &PageRequest,
) -> StoreResult<Vec<Notification>> {
    let mut query = QueryBuilder::<crate::Db>::new(
        "select id, user_id, ticket_id, kind, message, read_at, created_at from notifications \
         where user_id = ",
    );
    query.push_bind(user.get());
    if let Some(cursor) = &page.cursor {
        query.push(" and id < ");
        query.push_bind(cursor.id);
    }
    query.push(" order by id desc limit ");
    query.push_bind(page.limit.clamp(1, ferrodesk_store::MAX_PAGE_SIZE));
    fetch::all(conn, query.build(), notification_from_row).await
}

fn notification_from_row(row: &DbRow) -> StoreResult<Notification> {
    let ticket: Option<i64> = get(row, "ticket_id")?;
    Ok(Notification {
        id: NotificationId(get(row, "id")?),
        user_id: UserId(get(row, "user_id")?),
        ticket_id: ticket.map(TicketId),
        kind: stored(NotificationKind::parse(&get::<String>(row, "kind")?))?,
        message: get(row, "message")?,
        read_at: get_opt_time(row, "read_at")?,
        created_at: get_time(row, "created_at")?,
    })
}

/// One of a user's notifications.
pub(crate) async fn find_notification(
    conn: &mut DbConn,
    user: UserId,
    id: NotificationId,
) -> StoreResult<Option<Notification>> {
    let query = sqlx::query(
        "select id, user_id, ticket_id, kind, message, read_at, created_at from notifications \
         where user_id = $1 and id = $2",
    )
    .bind(user.get())
    .bind(id.get());
    fetch::optional(conn, query, notification_from_row).await
}

/// How many of a user's notifications are unread.
pub(crate) async fn count_unread(conn: &mut DbConn, user: UserId) -> StoreResult<i64> {
    let query = sqlx::query(
        "select count(*) as unread from notifications where user_id = $1 and read_at is null",
    )
    .bind(user.get());
    fetch::one(conn, query, |row| get(row, "unread"), "user", user).await
}

/// Marks notifications read.
pub(crate) async fn mark_notifications_read(
    conn: &mut DbConn,
    user: UserId,
    ids: &[NotificationId],
    now: Timestamp,
) -> StoreResult<u64> {
    let mut query = QueryBuilder::<crate::Db>::new("update notifications set read_at = ");
    query.push_bind(micros(now));
    query.push(", updated_at = ");
    query.push_bind(micros(now));
    query.push(" where read_at is null and user_id = ");
    query.push_bind(user.get());
    if !ids.is_empty() {
        query.push(" and id in (");
        fetch::push_list(&mut query, ids.iter().map(|id| id.get()));
        query.push(")");
    }
    fetch::execute(conn, query.build()).await
}

#[async_trait]
impl NotificationStore for Backend {
    async fn notify(&self, notes: Vec<NewNotification>, now: Timestamp) -> StoreResult<()> {
        self.write((notes, now), |c, (notes, now)| {
            Box::pin(notify(c, notes, *now))
        })
        .await
    }

    async fn list_notifications(
        &self,
        user_id: UserId,
        page: &PageRequest,
    ) -> StoreResult<Vec<Notification>> {
        list_notifications(&mut *self.reader().await?, user_id, page).await
    }

    async fn find_notification(
        &self,
        user_id: UserId,
        id: NotificationId,
    ) -> StoreResult<Option<Notification>> {
        find_notification(&mut *self.reader().await?, user_id, id).await
    }

    async fn count_unread_notifications(&self, user_id: UserId) -> StoreResult<i64> {
        count_unread(&mut *self.reader().await?, user_id).await
    }

    async fn mark_notifications_read(
        &self,
        user_id: UserId,
        ids: &[NotificationId],
        now: Timestamp,
    ) -> StoreResult<u64> {
        let ids = ids.to_vec();
        self.write((user_id, ids, now), |c, (user_id, ids, now)| {
            Box::pin(mark_notifications_read(c, *user_id, ids, *now))
        })
        .await
    }

    async fn get_notification(&self, id: NotificationId) -> StoreResult<Notification> {
        get_notification(&mut *self.reader().await?, id).await
    }

    async fn list_unread_between(
        &self,
        user_id: UserId,
        since: Option<Timestamp>,
        until: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<Notification>> {
        list_unread_between(&mut *self.reader().await?, user_id, since, until, limit).await
    }

    async fn find_notification_preferences(
        &self,
        user_id: UserId,
    ) -> StoreResult<Option<Preferences>> {
        preferences::find_preferences(&mut *self.reader().await?, user_id).await
    }

    async fn set_notification_preferences(
        &self,
        user_id: UserId,
        preferences: Preferences,
        first_due: Option<Timestamp>,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.write((user_id, preferences, first_due, now), |c, input| {
            Box::pin(preferences::set_preferences(c, input))
        })
        .await
    }

    async fn queue_digests(&self, now: Timestamp) -> StoreResult<u64> {
        // Looked at first through a reader: every node asks often, and a digest is
        // rarely due, so most calls write nothing.
        if !preferences::any_digest_due(&mut *self.reader().await?, now).await? {
            return Ok(0);
        }
        self.write(now, |c, now| Box::pin(preferences::queue_digests(c, now)))
            .await
    }
}
