//! The email channel's storage: mailboxes, the message ids of every ticket's mail
//! thread, participants, the quarantine and the outbox.
//!
//! Filing an inbound message reuses the ticket writes of [`crate::sql::tickets`] inside
//! the same transaction, so the ticket, its events, the message id and the participants
//! are stored together or not at all. The outbox is filled by [`enqueue`], which the
//! ticket writes call for every event they insert.

use crate::sql::convert::{get, get_opt_time, get_time, micros, opt_micros, stored};
use crate::sql::error::{self, Ref};
use crate::sql::tickets;
use crate::{Db, DbConn, DbRow};
use ferrodesk_domain::{CategoryId, EmailAddress, Event, EventId, GroupId, TicketId};
use ferrodesk_store::mail::{
    AfterImport, Filed, Filing, ImapAccount, ImapSecurity, InboundFiling, InboundRecord, Mailbox,
    MailboxId, MailboxWrite, NewQuarantine, OutboxEntry, OutboxId, OutboxItem, QuarantineId,
    QuarantinedMail, RenderedMail, ThreadMessage, announces_mail,
};
use ferrodesk_store::{StoreError, StoreResult, TicketWrite};
use jiff::Timestamp;
use sqlx::QueryBuilder;
use std::collections::{BTreeMap, BTreeSet};

/// The longest mail thread the ticket view reads.
const MAX_THREAD: i64 = 500;

// --- outbox ---------------------------------------------------------------------------

/// Queues a notification for `event` when it announces one ([`announces_mail`]); called
/// by every single ticket write, in its transaction. The bulk path (demo data, bench)
/// does not call it: imported history is never mailed.
pub(crate) async fn enqueue(conn: &mut DbConn, event: &Event) -> StoreResult<()> {
    if !announces_mail(&event.kind, event.visibility) {
        return Ok(());
    }
    sqlx::query(
        "insert into mail_outbox (event_id, ticket_id, state, attempts, next_attempt_at, \
         created_at, updated_at) values ($1, $2, 'pending', 0, $3, $3, $3)",
    )
    .bind(event.id.get())
    .bind(event.ticket_id.get())
    .bind(micros(event.created_at))
    .execute(&mut *conn)
    .await
    .map_err(error::plain)?;
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
        query
            .build()
            .execute(&mut *conn)
            .await
            .map_err(error::plain)?;
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
         returning id, event_id, ticket_id, attempts, message_id, recipients, raw",
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
                .map_err(|e| crate::sql::convert::damaged(e.to_string()))?;
            let recipients = list
                .map(EmailAddress::parse)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| crate::sql::convert::damaged(e.to_string()))?;
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
        event_id: EventId(get(&row, "event_id")?),
        ticket_id: TicketId(get(&row, "ticket_id")?),
        attempts: get(&row, "attempts")?,
        rendered,
    }))
}

async fn outbox_ticket(conn: &mut DbConn, id: OutboxId) -> StoreResult<TicketId> {
    let ticket: Option<i64> = sqlx::query_scalar("select ticket_id from mail_outbox where id = $1")
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(error::plain)?;
    ticket
        .map(TicketId)
        .ok_or_else(|| StoreError::not_found(format!("outbox message {}", id.0)))
}

pub(crate) async fn render_outbox(
    conn: &mut DbConn,
    (id, mail, now): &(OutboxId, RenderedMail, Timestamp),
) -> StoreResult<()> {
    let ticket = outbox_ticket(conn, *id).await?;
    // The sender goes first in the stored list; claim_outbox reads it back that way.
    let mut stored_recipients = vec![mail.sender.clone()];
    stored_recipients.extend(mail.recipients.iter().cloned());
    sqlx::query(
        "update mail_outbox set message_id = $2, recipients = $3, raw = $4, updated_at = $5 \
         where id = $1",
    )
    .bind(id.0)
    .bind(&mail.message_id)
    .bind(recipients_text(&stored_recipients))
    .bind(&mail.raw)
    .bind(micros(*now))
    .execute(&mut *conn)
    .await
    .map_err(error::plain)?;
    sqlx::query(
        "insert into mail_messages (message_id, direction, ticket_id, event_id, mailbox_id, \
         sender, subject, may_auto_reply, created_at, updated_at) \
         select $1, 'out', $2, event_id, null, $3, '', false, $4, $4 from mail_outbox where id = $5",
    )
    .bind(&mail.message_id)
    .bind(ticket.get())
    .bind(recipients_text(&mail.recipients))
    .bind(micros(*now))
    .bind(id.0)
    .execute(&mut *conn)
    .await
    .map_err(error::plain)?;
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
    let done = sqlx::query(sql)
        .bind(id.0)
        .bind(error_text)
        .bind(opt_micros(at))
        .bind(micros(now))
        .execute(&mut *conn)
        .await
        .map_err(error::plain)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::not_found(format!("outbox message {}", id.0)));
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
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select {} from mail_outbox where ticket_id = $1 order by id limit 500",
        crate::sql::mail_outbox::OUTBOX_COLUMNS
    )))
    .bind(ticket.get())
    .fetch_all(&mut *conn)
    .await
    .map_err(error::plain)?;
    rows.iter()
        .map(crate::sql::mail_outbox::outbox_entry)
        .collect()
}

// --- inbound --------------------------------------------------------------------------

pub(crate) async fn find_inbound(
    conn: &mut DbConn,
    message_id: &str,
) -> StoreResult<Option<TicketId>> {
    let ticket: Option<i64> = sqlx::query_scalar(
        "select ticket_id from mail_messages where message_id = $1 and direction = 'in'",
    )
    .bind(message_id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(error::plain)?;
    Ok(ticket.map(TicketId))
}

pub(crate) async fn find_thread(
    conn: &mut DbConn,
    message_ids: &[String],
) -> StoreResult<Option<TicketId>> {
    // Most specific first: the caller orders the ids (In-Reply-To, then References
    // newest first), so the first id found wins.
    for id in message_ids.iter().take(50) {
        let ticket: Option<i64> = sqlx::query_scalar(
            "select ticket_id from mail_messages where message_id = $1 order by id limit 1",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(error::plain)?;
        if let Some(ticket) = ticket {
            return Ok(Some(TicketId(ticket)));
        }
    }
    Ok(None)
}

pub(crate) async fn is_participant(
    conn: &mut DbConn,
    ticket: TicketId,
    email: &EmailAddress,
) -> StoreResult<bool> {
    let found: i64 = sqlx::query_scalar(
        "select count(*) from mail_participants where ticket_id = $1 and email = $2",
    )
    .bind(ticket.get())
    .bind(email.as_str())
    .fetch_one(&mut *conn)
    .await
    .map_err(error::plain)?;
    Ok(found > 0)
}

pub(crate) async fn count_inbound_since(
    conn: &mut DbConn,
    sender: &EmailAddress,
    since: Timestamp,
    cap: i64,
) -> StoreResult<i64> {
    sqlx::query_scalar(
        "select count(*) from (select 1 from mail_messages where sender = $1 \
         and created_at >= $2 and direction = 'in' limit $3) as recent",
    )
    .bind(sender.as_str())
    .bind(micros(since))
    .bind(cap.max(0))
    .fetch_one(&mut *conn)
    .await
    .map_err(error::plain)
}

macro_rules! thread_select {
    () => {
        "select message_id, direction, event_id, sender, subject, html_body, \
         full_text, may_auto_reply, created_at from mail_messages"
    };
}

fn thread_message(row: &DbRow) -> StoreResult<ThreadMessage> {
    let direction: String = get(row, "direction")?;
    Ok(ThreadMessage {
        message_id: get(row, "message_id")?,
        is_inbound: direction == "in",
        event_id: get::<Option<i64>>(row, "event_id")?.map(EventId),
        sender: get(row, "sender")?,
        subject: get(row, "subject")?,
        html_body: get(row, "html_body")?,
        full_text: get(row, "full_text")?,
        may_auto_reply: get(row, "may_auto_reply")?,
        created_at: get_time(row, "created_at")?,
    })
}

pub(crate) async fn list_thread(
    conn: &mut DbConn,
    ticket: TicketId,
) -> StoreResult<Vec<ThreadMessage>> {
    let rows = sqlx::query(concat!(
        thread_select!(),
        " where ticket_id = $1 order by id desc limit $2"
    ))
    .bind(ticket.get())
    .bind(MAX_THREAD)
    .fetch_all(&mut *conn)
    .await
    .map_err(error::plain)?;
    let mut messages = rows
        .iter()
        .map(thread_message)
        .collect::<StoreResult<Vec<_>>>()?;
    messages.reverse();
    Ok(messages)
}

pub(crate) async fn inbound_for_event(
    conn: &mut DbConn,
    event: EventId,
) -> StoreResult<Option<ThreadMessage>> {
    let row = sqlx::query(concat!(
        thread_select!(),
        " where event_id = $1 and direction = 'in' order by id limit 1"
    ))
    .bind(event.get())
    .fetch_optional(&mut *conn)
    .await
    .map_err(error::plain)?;
    row.as_ref().map(thread_message).transpose()
}

/// Adds the addresses of each filed message to its ticket's thread (one insert).
async fn add_participants(
    conn: &mut DbConn,
    filed: &[(&InboundRecord, TicketId, Option<EventId>)],
) -> StoreResult<()> {
    let participants: Vec<(TicketId, &EmailAddress, Timestamp)> = filed
        .iter()
        .flat_map(|(record, ticket, _)| {
            record
                .participants
                .iter()
                .map(move |email| (*ticket, email, record.now))
        })
        .collect();
    if participants.is_empty() {
        return Ok(());
    }
    let mut insert = QueryBuilder::<Db>::new(
        "insert into mail_participants (ticket_id, email, created_at, updated_at) ",
    );
    insert.push_values(&participants, |mut row, (ticket, email, now)| {
        row.push_bind(ticket.get())
            .push_bind(email.as_str())
            .push_bind(micros(*now))
            .push_bind(micros(*now));
    });
    insert.push(" on conflict (ticket_id, email) do nothing");
    insert
        .build()
        .execute(&mut *conn)
        .await
        .map_err(error::plain)?;
    Ok(())
}

/// Stores filed messages, each on its ticket and event (one insert).
async fn insert_records(
    conn: &mut DbConn,
    filed: &[(&InboundRecord, TicketId, Option<EventId>)],
) -> StoreResult<()> {
    let mut insert = QueryBuilder::<Db>::new(
        "insert into mail_messages (message_id, direction, ticket_id, event_id, mailbox_id, \
         sender, subject, html_body, full_text, may_auto_reply, created_at, updated_at) ",
    );
    insert.push_values(filed, |mut row, (record, ticket, event)| {
        row.push_bind(record.message_id.as_str())
            .push_bind("in")
            .push_bind(ticket.get())
            .push_bind(event.map(EventId::get))
            .push_bind(record.mailbox_id.map(|m| m.0))
            .push_bind(record.sender.as_str())
            .push_bind(record.subject.as_str())
            .push_bind(record.html_body.as_deref())
            .push_bind(record.full_text.as_str())
            .push_bind(record.may_auto_reply)
            .push_bind(micros(record.now))
            .push_bind(micros(record.now));
    });
    if let Err(e) = insert.build().execute(&mut *conn).await {
        return Err(error::write(conn, e, &[]).await);
    }
    Ok(())
}

/// The id of each new ticket's last event (its `created` event, as the intake writes
/// new tickets), by ticket id.
async fn last_events(
    conn: &mut DbConn,
    tickets: &[TicketId],
) -> StoreResult<BTreeMap<TicketId, EventId>> {
    let mut last = BTreeMap::new();
    if tickets.is_empty() {
        return Ok(last);
    }
    let mut query = QueryBuilder::<Db>::new(
        "select ticket_id, max(id) as id from ticket_events where ticket_id in (",
    );
    {
        let mut list = query.separated(", ");
        for id in tickets {
            list.push_bind(id.get());
        }
    }
    query.push(") group by ticket_id");
    for row in query
        .build()
        .fetch_all(&mut *conn)
        .await
        .map_err(error::plain)?
    {
        last.insert(TicketId(get(&row, "ticket_id")?), EventId(get(&row, "id")?));
    }
    Ok(last)
}

pub(crate) async fn file_inbound(conn: &mut DbConn, filing: &InboundFiling) -> StoreResult<Filed> {
    let record = &filing.record;
    if let Some(ticket) = find_inbound(conn, &record.message_id).await? {
        return Ok(Filed::Duplicate(ticket));
    }
    let (ticket, event) = match &filing.filing {
        Filing::NewTicket(new) => {
            let created = tickets::create_ticket(conn, new).await?.into_inner();
            let last = last_events(conn, &[created.id]).await?;
            (created.id, last.get(&created.id).copied())
        }
        Filing::Change(change) => {
            let events = tickets::save_tickets(
                conn,
                &TicketWrite {
                    changes: vec![change.as_ref().clone()],
                    links: vec![],
                    idempotency: None,
                    settings_version: None,
                },
            )
            .await?
            .into_inner();
            (change.before.id, events.first().map(|e| e.id))
        }
    };
    let filed = [(record, ticket, event)];
    insert_records(conn, &filed).await?;
    add_participants(conn, &filed).await?;
    if let Some(id) = filing.retry_of {
        sqlx::query("delete from mail_quarantine where id = $1")
            .bind(id.0)
            .execute(&mut *conn)
            .await
            .map_err(error::plain)?;
    }
    Ok(Filed::Stored(ticket))
}

/// Files inbound messages as [`file_inbound`] files each of them, in a few multi-row
/// writes: SQLite's group commit joins the filings of a batch into one call. New
/// tickets are created together ([`tickets::create_tickets`]), changes are saved in
/// one write, and the mail records and participants are inserted together. Only plain
/// filings are joined: a retried quarantine, a follow-up (it links tickets), a message
/// already stored, two filings of one message or two changes to one ticket make the
/// joined write fail, and the writer then files each message on its own.
#[allow(
    dead_code,
    reason = "only SQLite's group commit joins filings; PostgreSQL files each in its own transaction"
)]
pub(crate) async fn file_inbound_all(
    conn: &mut DbConn,
    filings: &[&InboundFiling],
) -> StoreResult<Vec<Filed>> {
    let not_joined = || error::unavailable("these filings are written one by one");
    let mut message_ids = BTreeSet::new();
    let mut changed = BTreeSet::new();
    let mut news = Vec::new();
    let mut changes = Vec::new();
    for filing in filings {
        let plain = filing.retry_of.is_none()
            && message_ids.insert(filing.record.message_id.as_str())
            && match &filing.filing {
                Filing::NewTicket(new) => new.links.is_empty() && new.idempotency.is_none(),
                Filing::Change(change) => changed.insert(change.before.id),
            };
        if !plain {
            return Err(not_joined());
        }
        match &filing.filing {
            Filing::NewTicket(new) => news.push(new.as_ref()),
            Filing::Change(change) => changes.push(change.as_ref().clone()),
        }
    }
    let mut stored = QueryBuilder::<Db>::new("select 1 from mail_messages where message_id in (");
    {
        let mut list = stored.separated(", ");
        for id in &message_ids {
            list.push_bind(*id);
        }
    }
    stored.push(") limit 1");
    let any_stored = stored
        .build()
        .fetch_optional(&mut *conn)
        .await
        .map_err(error::plain)?;
    if any_stored.is_some() {
        return Err(not_joined());
    }

    // The new tickets, and the id of each one's last event (its `created` event).
    let created: Vec<TicketId> = tickets::create_tickets(conn, &news)
        .await?
        .into_iter()
        .map(|created| created.into_inner().id)
        .collect();
    let last_events = last_events(conn, &created).await?;
    // The changes in one write; its events come back change by change.
    let event_counts: Vec<usize> = changes.iter().map(|c| c.events.len()).collect();
    let events = if changes.is_empty() {
        Vec::new()
    } else {
        tickets::save_tickets(
            conn,
            &TicketWrite {
                changes,
                links: vec![],
                idempotency: None,
                settings_version: None,
            },
        )
        .await?
        .into_inner()
    };

    // Each filing's message, ticket and event, in order.
    let (mut created, mut counts) = (created.into_iter(), event_counts.into_iter());
    let mut offset = 0;
    let mut filed = Vec::with_capacity(filings.len());
    for filing in filings {
        let (ticket, event) = match &filing.filing {
            Filing::NewTicket(_) => {
                let ticket = created.next().ok_or_else(not_joined)?;
                (ticket, last_events.get(&ticket).copied())
            }
            Filing::Change(change) => {
                let first = events.get(offset).map(|e| e.id);
                offset += counts.next().ok_or_else(not_joined)?;
                (change.before.id, first)
            }
        };
        filed.push((&filing.record, ticket, event));
    }
    insert_records(conn, &filed).await?;
    add_participants(conn, &filed).await?;
    Ok(filed
        .into_iter()
        .map(|(_, ticket, _)| Filed::Stored(ticket))
        .collect())
}

// --- quarantine -----------------------------------------------------------------------

macro_rules! quarantine_select {
    () => {
        "select id, mailbox_id, code, reason, sender, subject, message_id, \
         cast(length(raw) as bigint) as size, created_at from mail_quarantine"
    };
}

fn quarantined(row: &DbRow) -> StoreResult<QuarantinedMail> {
    Ok(QuarantinedMail {
        id: QuarantineId(get(row, "id")?),
        mailbox_id: get::<Option<i64>>(row, "mailbox_id")?.map(MailboxId),
        code: get(row, "code")?,
        reason: get(row, "reason")?,
        sender: get(row, "sender")?,
        subject: get(row, "subject")?,
        message_id: get(row, "message_id")?,
        size: get::<Option<i64>>(row, "size")?.unwrap_or_default(),
        created_at: get_time(row, "created_at")?,
    })
}

pub(crate) async fn quarantine(
    conn: &mut DbConn,
    mail: &NewQuarantine,
) -> StoreResult<QuarantinedMail> {
    let id: i64 = sqlx::query_scalar(
        "insert into mail_quarantine (mailbox_id, code, reason, sender, subject, message_id, raw, \
         created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $8) returning id",
    )
    .bind(mail.mailbox_id.map(|m| m.0))
    .bind(&mail.code)
    .bind(&mail.reason)
    .bind(&mail.sender)
    .bind(&mail.subject)
    .bind(&mail.message_id)
    .bind(&mail.raw)
    .bind(micros(mail.now))
    .fetch_one(&mut *conn)
    .await
    .map_err(error::plain)?;
    Ok(QuarantinedMail {
        id: QuarantineId(id),
        mailbox_id: mail.mailbox_id,
        code: mail.code.clone(),
        reason: mail.reason.clone(),
        sender: mail.sender.clone(),
        subject: mail.subject.clone(),
        message_id: mail.message_id.clone(),
        size: i64::try_from(mail.raw.len()).unwrap_or(i64::MAX),
        created_at: mail.now,
    })
}

pub(crate) async fn list_quarantine(
    conn: &mut DbConn,
    limit: i64,
) -> StoreResult<Vec<QuarantinedMail>> {
    let rows = sqlx::query(concat!(
        quarantine_select!(),
        " order by created_at desc, id desc limit $1"
    ))
    .bind(limit.clamp(1, 1000))
    .fetch_all(&mut *conn)
    .await
    .map_err(error::plain)?;
    rows.iter().map(quarantined).collect()
}

pub(crate) async fn get_quarantined(
    conn: &mut DbConn,
    id: QuarantineId,
) -> StoreResult<(QuarantinedMail, Vec<u8>)> {
    let row = sqlx::query(concat!(quarantine_select!(), " where id = $1"))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(error::plain)?
        .ok_or_else(|| StoreError::not_found(format!("quarantined message {}", id.0)))?;
    let raw: Vec<u8> = sqlx::query_scalar("select raw from mail_quarantine where id = $1")
        .bind(id.0)
        .fetch_one(&mut *conn)
        .await
        .map_err(error::plain)?;
    Ok((quarantined(&row)?, raw))
}

pub(crate) async fn delete_quarantined(conn: &mut DbConn, id: &QuarantineId) -> StoreResult<()> {
    let done = sqlx::query("delete from mail_quarantine where id = $1")
        .bind(id.0)
        .execute(&mut *conn)
        .await
        .map_err(error::plain)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::not_found(format!(
            "quarantined message {}",
            id.0
        )));
    }
    Ok(())
}

// --- mailboxes ------------------------------------------------------------------------

fn mailbox(row: &DbRow) -> StoreResult<Mailbox> {
    let address: String = get(row, "address")?;
    let host: Option<String> = get(row, "imap_host")?;
    let imap = match host {
        Some(host) => {
            let security: String = get(row, "imap_security")?;
            let after: String = get(row, "after_import")?;
            let port: Option<i64> = get(row, "imap_port")?;
            Some(ImapAccount {
                host,
                port: u16::try_from(port.unwrap_or(993))
                    .map_err(|e| crate::sql::convert::damaged(e.to_string()))?,
                security: ImapSecurity::parse(&security).ok_or_else(|| {
                    crate::sql::convert::damaged(format!("imap security {security}"))
                })?,
                user: get::<Option<String>>(row, "imap_user")?.unwrap_or_default(),
                password: get::<Option<String>>(row, "imap_password")?.unwrap_or_default(),
                folder: get(row, "imap_folder")?,
                after_import: AfterImport::parse(&after)
                    .ok_or_else(|| crate::sql::convert::damaged(format!("after import {after}")))?,
                move_to: get(row, "move_to")?,
            })
        }
        None => None,
    };
    let policy: String = get(row, "unknown_senders")?;
    Ok(Mailbox {
        id: MailboxId(get(row, "id")?),
        name: get(row, "name")?,
        address: stored(EmailAddress::parse(&address))?,
        is_default: get(row, "is_default")?,
        group_id: get::<Option<i64>>(row, "group_id")?.map(GroupId),
        category_id: get::<Option<i64>>(row, "category_id")?.map(CategoryId),
        allows_unknown_senders: policy == "allow",
        imap,
        is_enabled: get(row, "is_enabled")?,
        uid_validity: get::<Option<i64>>(row, "uid_validity")?.and_then(|v| u32::try_from(v).ok()),
        last_uid: u32::try_from(get::<i64>(row, "last_uid")?).unwrap_or_default(),
        failure_count: get(row, "failure_count")?,
        last_error: get(row, "last_error")?,
        last_error_at: get_opt_time(row, "last_error_at")?,
        last_success_at: get_opt_time(row, "last_success_at")?,
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
    })
}

pub(crate) async fn get_mailbox(conn: &mut DbConn, id: MailboxId) -> StoreResult<Mailbox> {
    let row = sqlx::query("select * from mailboxes where id = $1")
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(error::plain)?
        .ok_or_else(|| StoreError::not_found(format!("mailbox {}", id.0)))?;
    mailbox(&row)
}

pub(crate) async fn list_mailboxes(conn: &mut DbConn) -> StoreResult<Vec<Mailbox>> {
    let rows = sqlx::query("select * from mailboxes order by name, id limit 1000")
        .fetch_all(&mut *conn)
        .await
        .map_err(error::plain)?;
    rows.iter().map(mailbox).collect()
}

fn mailbox_refs(write: &MailboxWrite) -> Vec<Ref> {
    [
        Ref::opt("mailboxes_group_id_fkey", write.group_id.map(GroupId::get)),
        Ref::opt(
            "mailboxes_category_id_fkey",
            write.category_id.map(CategoryId::get),
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

async fn clear_default(conn: &mut DbConn, write: &MailboxWrite, keep: i64) -> StoreResult<()> {
    if write.is_default {
        sqlx::query("update mailboxes set is_default = false, updated_at = $2 where id <> $1 and is_default")
            .bind(keep)
            .bind(micros(write.now))
            .execute(&mut *conn)
            .await
            .map_err(error::plain)?;
    }
    Ok(())
}

pub(crate) async fn create_mailbox(
    conn: &mut DbConn,
    write: &MailboxWrite,
) -> StoreResult<Mailbox> {
    let imap = write.imap.as_ref();
    let inserted = sqlx::query_scalar::<_, i64>(
        "insert into mailboxes (name, address, is_default, group_id, category_id, unknown_senders, \
         imap_host, imap_port, imap_security, imap_user, imap_password, imap_folder, after_import, \
         move_to, is_enabled, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) returning id",
    )
    .bind(&write.name)
    .bind(write.address.as_str())
    .bind(write.is_default)
    .bind(write.group_id.map(GroupId::get))
    .bind(write.category_id.map(CategoryId::get))
    .bind(if write.allows_unknown_senders { "allow" } else { "hold" })
    .bind(imap.map(|i| i.host.clone()))
    .bind(imap.map(|i| i64::from(i.port)))
    .bind(imap.map_or("tls", |i| i.security.as_str()))
    .bind(imap.map(|i| i.user.clone()))
    .bind(imap.map(|i| i.password.clone()))
    .bind(imap.map_or_else(|| "INBOX".to_owned(), |i| i.folder.clone()))
    .bind(imap.map_or("flag", |i| i.after_import.as_str()))
    .bind(imap.and_then(|i| i.move_to.clone()))
    .bind(write.is_enabled)
    .bind(micros(write.now))
    .fetch_one(&mut *conn)
    .await;
    let id = match inserted {
        Ok(id) => id,
        Err(e) => return Err(error::write(conn, e, &mailbox_refs(write)).await),
    };
    clear_default(conn, write, id).await?;
    get_mailbox(conn, MailboxId(id)).await
}

pub(crate) async fn update_mailbox(
    conn: &mut DbConn,
    (id, write): &(MailboxId, MailboxWrite),
) -> StoreResult<Mailbox> {
    let imap = write.imap.as_ref();
    // An empty password keeps the stored one: the API never shows it, so a form that
    // leaves it blank means "unchanged".
    let password = imap.map(|i| i.password.clone()).filter(|p| !p.is_empty());
    let done = sqlx::query(
        "update mailboxes set name = $2, address = $3, is_default = $4, group_id = $5, \
         category_id = $6, unknown_senders = $7, imap_host = $8, imap_port = $9, imap_security = $10, \
         imap_user = $11, imap_password = case when $8 is null then null else coalesce($12, imap_password) end, \
         imap_folder = $13, after_import = $14, move_to = $15, is_enabled = $16, updated_at = $17, \
         failure_count = 0, last_error = null where id = $1",
    )
    .bind(id.0)
    .bind(&write.name)
    .bind(write.address.as_str())
    .bind(write.is_default)
    .bind(write.group_id.map(GroupId::get))
    .bind(write.category_id.map(CategoryId::get))
    .bind(if write.allows_unknown_senders { "allow" } else { "hold" })
    .bind(imap.map(|i| i.host.clone()))
    .bind(imap.map(|i| i64::from(i.port)))
    .bind(imap.map_or("tls", |i| i.security.as_str()))
    .bind(imap.map(|i| i.user.clone()))
    .bind(password)
    .bind(imap.map_or_else(|| "INBOX".to_owned(), |i| i.folder.clone()))
    .bind(imap.map_or("flag", |i| i.after_import.as_str()))
    .bind(imap.and_then(|i| i.move_to.clone()))
    .bind(write.is_enabled)
    .bind(micros(write.now))
    .execute(&mut *conn)
    .await;
    match done {
        Ok(done) if done.rows_affected() == 0 => {
            return Err(StoreError::not_found(format!("mailbox {}", id.0)));
        }
        Ok(_) => {}
        Err(e) => return Err(error::write(conn, e, &mailbox_refs(write)).await),
    }
    clear_default(conn, write, id.0).await?;
    get_mailbox(conn, *id).await
}

pub(crate) async fn delete_mailbox(conn: &mut DbConn, id: &MailboxId) -> StoreResult<()> {
    let done = sqlx::query("delete from mailboxes where id = $1")
        .bind(id.0)
        .execute(&mut *conn)
        .await
        .map_err(error::plain)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::not_found(format!("mailbox {}", id.0)));
    }
    Ok(())
}

pub(crate) async fn record_mailbox_progress(
    conn: &mut DbConn,
    (id, uid_validity, last_uid, now): &(MailboxId, u32, u32, Timestamp),
) -> StoreResult<()> {
    let done = sqlx::query(
        "update mailboxes set uid_validity = $2, last_uid = $3, failure_count = 0, \
         last_success_at = $4, updated_at = $4 where id = $1",
    )
    .bind(id.0)
    .bind(i64::from(*uid_validity))
    .bind(i64::from(*last_uid))
    .bind(micros(*now))
    .execute(&mut *conn)
    .await
    .map_err(error::plain)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::not_found(format!("mailbox {}", id.0)));
    }
    Ok(())
}

pub(crate) async fn record_mailbox_failure(
    conn: &mut DbConn,
    (id, message, now): &(MailboxId, String, Timestamp),
) -> StoreResult<()> {
    let done = sqlx::query(
        "update mailboxes set failure_count = failure_count + 1, last_error = $2, \
         last_error_at = $3, updated_at = $3 where id = $1",
    )
    .bind(id.0)
    .bind(message)
    .bind(micros(*now))
    .execute(&mut *conn)
    .await
    .map_err(error::plain)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::not_found(format!("mailbox {}", id.0)));
    }
    Ok(())
}
