//! The outbox of mail notifications: filled by [`enqueue`] in the transaction that
//! appends the event it announces (every ticket write calls it), claimed and rendered by
//! the delivery worker; and [`OutboxStore`] for the backend, the outbox across tickets
//! for admins, read through the `mail_outbox_due (state, next_attempt_at, id)` index,
//! never a scan.

use crate::sql::convert;
use crate::sql::convert::{get, get_opt_time, get_time, micros, opt_micros};
use crate::sql::error;
use crate::sql::fetch;
use crate::{Backend, Db, DbConn, DbRow};
use async_trait::async_trait;
use ferrodesk_domain::{EmailAddress, Event, EventId, TicketId, UserId};
use ferrodesk_store::mail::{Outbound, OutboxEntry, OutboxId, OutboxItem, RenderedMail};
use ferrodesk_store::mail_outbox::OutboxStore;
use ferrodesk_store::{NotificationId, StoreResult};
use jiff::Timestamp;
use sqlx::QueryBuilder;

/// Queues a notification for `event` when it announces one (the domain's `EventKind::announces_mail`); called
/// by every single ticket write, in its transaction. The bulk path (demo data, bench)
/// does not call it: imported history is never mailed.
pub(crate) async fn enqueue(conn: &mut DbConn, event: &Event) -> StoreResult<()> {
    if !event.kind.announces_mail(event.visibility) {
        return Ok(());
    }
    let query = sqlx::query(
        "insert into mail_outbox (event_id, ticket_id, state, attempts, next_attempt_at, \
         created_at, updated_at) values ($1, $2, 'pending', 0, $3, $3, $3)",
    )
    .bind(event.id.get())
    .bind(event.ticket_id.get())
    .bind(micros(event.created_at));
    fetch::execute(conn, query).await?;
    Ok(())
}

/// [`enqueue`] for events already known to announce mail, given as (event, ticket,
/// time), in multi-row inserts.
#[allow(
    dead_code,
    reason = "only SQLite's group commit creates tickets together"
)]
pub(crate) async fn enqueue_all(
    conn: &mut DbConn,
    events: &[(EventId, TicketId, Timestamp)],
) -> StoreResult<()> {
    for chunk in events.chunks(1_000) {
        let mut query = QueryBuilder::<Db>::new(
            "insert into mail_outbox (event_id, ticket_id, state, attempts, next_attempt_at, \
             created_at, updated_at) ",
        );
        query.push_values(chunk, |mut row, (event, ticket, at)| {
            row.push_bind(event.get())
                .push_bind(ticket.get())
                .push_bind("pending")
                .push_bind(0_i64)
                .push_bind(micros(*at))
                .push_bind(micros(*at))
                .push_bind(micros(*at));
        });
        fetch::execute(conn, query.build()).await?;
    }
    Ok(())
}

fn recipients_text(recipients: &[EmailAddress]) -> String {
    recipients
        .iter()
        .map(EmailAddress::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) async fn claim_outbox(
    conn: &mut DbConn,
    now: &Timestamp,
    lease_until: &Timestamp,
) -> StoreResult<Option<OutboxItem>> {
    // The outer `next_attempt_at <= $1` is checked again on the row a concurrent claim
    // already moved (PostgreSQL re-reads it after the lock), so one row has one owner.
    let row = sqlx::query(
        "update mail_outbox set next_attempt_at = $2, updated_at = $1 \
         where id = (select id from mail_outbox where state = 'pending' and next_attempt_at <= $1 \
         order by next_attempt_at, id limit 1) and state = 'pending' and next_attempt_at <= $1 \
         returning id, event_id, ticket_id, notification_id, digest_user_id, digest_since, \
         digest_until, attempts, message_id, recipients, raw",
    )
    .bind(micros(*now))
    .bind(micros(*lease_until))
    .fetch_optional(&mut *conn)
    .await
    .map_err(error::plain)?;
    let Some(row) = row else {
        return Ok(None);
    };
    let message_id: Option<String> = get(&row, "message_id")?;
    let recipients: Option<String> = get(&row, "recipients")?;
    let raw: Option<Vec<u8>> = get(&row, "raw")?;
    let rendered = match (message_id, recipients, raw) {
        (Some(message_id), Some(recipients), Some(raw)) => {
            let mut list = recipients.split(", ").filter(|r| !r.is_empty());
            let sender = list
                .next()
                .map(EmailAddress::parse)
                .transpose()
                .map_err(|e| convert::damaged(e.to_string()))?;
            let recipients = list
                .map(EmailAddress::parse)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| convert::damaged(e.to_string()))?;
            sender.map(|sender| RenderedMail {
                message_id,
                recipients,
                sender,
                raw,
            })
        }
        _ => None,
    };
    Ok(Some(OutboxItem {
        id: OutboxId(get(&row, "id")?),
        about: outbound(&row)?,
        attempts: get(&row, "attempts")?,
        rendered,
    }))
}

/// What a row is for, from its `event_id`, `ticket_id`, `notification_id`,
/// `digest_user_id`, `digest_since` and `digest_until` (the table's check constraint
/// keeps exactly one purpose).
fn outbound(row: &DbRow) -> StoreResult<Outbound> {
    let ticket: Option<i64> = get(row, "ticket_id")?;
    let event: Option<i64> = get(row, "event_id")?;
    let notification: Option<i64> = get(row, "notification_id")?;
    let digest: Option<i64> = get(row, "digest_user_id")?;
    match (event, notification, digest, ticket) {
        (Some(event), None, None, Some(ticket)) => Ok(Outbound::Event {
            event_id: EventId(event),
            ticket_id: TicketId(ticket),
        }),
        (None, Some(notification), None, _) => Ok(Outbound::Notification {
            notification_id: NotificationId(notification),
            ticket_id: ticket.map(TicketId),
        }),
        (None, None, Some(user), _) => Ok(Outbound::Digest {
            user_id: UserId(user),
            since: get_opt_time(row, "digest_since")?,
            until: get_time(row, "digest_until")?,
        }),
        _ => Err(convert::damaged("an outbox row with no single purpose")),
    }
}

pub(crate) async fn render_outbox(
    conn: &mut DbConn,
    (id, mail, now): &(OutboxId, RenderedMail, Timestamp),
) -> StoreResult<()> {
    // The sender goes first in the stored list; claim_outbox reads it back that way.
    let mut stored_recipients = vec![mail.sender.clone()];
    stored_recipients.extend(mail.recipients.iter().cloned());
    let query = sqlx::query(
        "update mail_outbox set message_id = $2, recipients = $3, raw = $4, updated_at = $5 \
         where id = $1",
    )
    .bind(id.0)
    .bind(&mail.message_id)
    .bind(recipients_text(&stored_recipients))
    .bind(&mail.raw)
    .bind(micros(*now));
    if fetch::execute(conn, query).await? == 0 {
        return Err(fetch::not_found("outbox message", id.0));
    }
    // Only mail to the requester joins the ticket's thread: staff mail is not part of
    // the conversation with the customer.
    let query = sqlx::query(
        "insert into mail_messages (message_id, direction, ticket_id, event_id, mailbox_id, \
         sender, subject, may_auto_reply, created_at, updated_at) \
         select $1, 'out', ticket_id, event_id, null, $2, '', false, $3, $3 from mail_outbox \
         where id = $4 and event_id is not null",
    )
    .bind(&mail.message_id)
    .bind(recipients_text(&mail.recipients))
    .bind(micros(*now))
    .bind(id.0);
    fetch::execute(conn, query).await?;
    Ok(())
}

async fn set_outbox_state(
    conn: &mut DbConn,
    id: OutboxId,
    sql: &'static str,
    error_text: Option<&str>,
    at: Option<Timestamp>,
    now: Timestamp,
) -> StoreResult<()> {
    let query = sqlx::query(sql)
        .bind(id.0)
        .bind(error_text)
        .bind(opt_micros(at))
        .bind(micros(now));
    if fetch::execute(conn, query).await? == 0 {
        return Err(fetch::not_found("outbox message", id.0));
    }
    Ok(())
}

pub(crate) async fn outbox_sent(
    conn: &mut DbConn,
    (id, now): &(OutboxId, Timestamp),
) -> StoreResult<()> {
    set_outbox_state(
        conn,
        *id,
        "update mail_outbox set state = 'sent', attempts = attempts + 1, last_error = $2, \
         sent_at = $4, next_attempt_at = coalesce($3, next_attempt_at), updated_at = $4 where id = $1",
        None,
        None,
        *now,
    )
    .await
}

pub(crate) async fn outbox_skipped(
    conn: &mut DbConn,
    (id, reason, now): &(OutboxId, String, Timestamp),
) -> StoreResult<()> {
    set_outbox_state(
        conn,
        *id,
        "update mail_outbox set state = 'skipped', last_error = $2, \
         next_attempt_at = coalesce($3, next_attempt_at), updated_at = $4 where id = $1",
        Some(reason),
        None,
        *now,
    )
    .await
}

pub(crate) async fn outbox_failed(
    conn: &mut DbConn,
    (id, reason, retry_at, now): &(OutboxId, String, Option<Timestamp>, Timestamp),
) -> StoreResult<()> {
    set_outbox_state(
        conn,
        *id,
        "update mail_outbox set state = case when $3 is null then 'failed' else 'pending' end, \
         attempts = attempts + 1, last_error = $2, \
         next_attempt_at = coalesce($3, next_attempt_at), updated_at = $4 where id = $1",
        Some(reason),
        *retry_at,
        *now,
    )
    .await
}

pub(crate) async fn list_outbox(
    conn: &mut DbConn,
    ticket: TicketId,
) -> StoreResult<Vec<OutboxEntry>> {
    let query = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{OUTBOX_SELECT} where o.ticket_id = $1 and o.event_id is not null \
         order by o.id limit 500"
    )))
    .bind(ticket.get());
    fetch::all(conn, query, outbox_entry).await
}

/// The outbox rows with what [`outbox_entry`] reads: the row, its ticket's subject and
/// the kind of the event or notification it mails (`o` is the outbox row).
pub(crate) const OUTBOX_SELECT: &str = "select o.id, o.event_id, o.ticket_id, \
    o.notification_id, o.digest_user_id, o.digest_since, o.digest_until, o.state, o.attempts, \
    o.next_attempt_at, o.message_id, o.recipients, o.last_error, o.sent_at, \
    t.subject as ticket_subject, coalesce(e.kind, n.kind) as topic \
    from mail_outbox o left join tickets t on t.id = o.ticket_id \
    left join ticket_events e on e.id = o.event_id \
    left join notifications n on n.id = o.notification_id";

/// An outbox row as admins see it.
pub(crate) fn outbox_entry(row: &DbRow) -> StoreResult<OutboxEntry> {
    Ok(OutboxEntry {
        id: OutboxId(get(row, "id")?),
        about: outbound(row)?,
        state: get(row, "state")?,
        attempts: get(row, "attempts")?,
        next_attempt_at: get_time(row, "next_attempt_at")?,
        message_id: get(row, "message_id")?,
        recipients: get(row, "recipients")?,
        last_error: get(row, "last_error")?,
        sent_at: get_opt_time(row, "sent_at")?,
        ticket_subject: get(row, "ticket_subject")?,
        topic: get(row, "topic")?,
    })
}

async fn list_in_state(
    conn: &mut DbConn,
    state: &str,
    limit: i64,
) -> StoreResult<Vec<OutboxEntry>> {
    let query = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{OUTBOX_SELECT} where o.state = $1 \
         order by o.next_attempt_at desc, o.id desc limit $2"
    )))
    .bind(state)
    .bind(limit.clamp(1, 1000));
    fetch::all(conn, query, outbox_entry).await
}

async fn requeue(conn: &mut DbConn, (id, now): &(OutboxId, Timestamp)) -> StoreResult<()> {
    let query = sqlx::query(
        "update mail_outbox set state = 'pending', attempts = 0, next_attempt_at = $2, \
         updated_at = $2 where id = $1 and state = 'failed'",
    )
    .bind(id.0)
    .bind(micros(*now));
    if fetch::execute(conn, query).await? == 0 {
        return Err(fetch::not_found("failed outbox message", id.0));
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
