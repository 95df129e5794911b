//! The email channel's inbound side: the message ids of every ticket's mail thread,
//! participants, and filing; [`MailStore`] for the backend (its mailbox and quarantine
//! statements are in [`mailboxes`](crate::sql::mailboxes), the outbox's in
//! [`mail_outbox`](crate::sql::mail_outbox)).
//!
//! Filing an inbound message reuses the ticket writes of [`crate::sql::tickets`] inside
//! the same transaction, so the ticket, its events, the message id and the participants
//! are stored together or not at all.

use crate::sql::convert::{get, get_time, micros};
use crate::sql::error;
use crate::sql::fetch;
use crate::sql::{mail_outbox, mailboxes, routing, tickets};
use crate::{Backend, Db, DbConn, DbRow, Op};
use async_trait::async_trait;
use ferrodesk_domain::{EmailAddress, EventId, TicketId};
use ferrodesk_store::mail::{
    Filed, Filing, InboundFiling, InboundRecord, MailStore, Mailbox, MailboxId, MailboxWrite,
    NewQuarantine, OutboxEntry, OutboxId, OutboxItem, QuarantineId, QuarantinedMail, RenderedMail,
    ThreadMessage,
};
use ferrodesk_store::{StoreResult, TicketWrite};
use jiff::Timestamp;
use sqlx::QueryBuilder;
use std::collections::{BTreeMap, BTreeSet};

/// The longest mail thread the ticket view reads.
const MAX_THREAD: i64 = 500;

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
    let query = sqlx::query(concat!(
        thread_select!(),
        " where event_id = $1 and direction = 'in' order by id limit 1"
    ))
    .bind(event.get());
    fetch::optional(conn, query, thread_message).await
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
    fetch::execute(conn, insert.build()).await?;
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
    fetch::push_list(&mut query, tickets.iter().map(|id| id.get()));
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
                    settings_version: filing.settings_version,
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
        let query = sqlx::query("delete from mail_quarantine where id = $1").bind(id.0);
        fetch::execute(conn, query).await?;
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
    fetch::push_list(&mut stored, message_ids.iter().copied());
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
    let routed_with = filings.iter().filter_map(|filing| match filing.filing {
        Filing::Change(_) => Some(filing.settings_version),
        Filing::NewTicket(_) => None,
    });
    routing::check_settings(conn, routed_with).await?;
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

#[async_trait]
impl MailStore for Backend {
    async fn file_inbound(&self, filing: InboundFiling) -> StoreResult<Filed> {
        let op: Op<InboundFiling, Filed> = |c, filing| Box::pin(file_inbound(c, filing));
        // A retried quarantine and a follow-up (it links two tickets) are filed alone.
        let alone = filing.retry_of.is_some()
            || matches!(&filing.filing, Filing::NewTicket(new) if !new.links.is_empty());
        if alone {
            return self.write(filing, op).await;
        }
        self.write_joinable(filing, op, |c, filings| {
            Box::pin(file_inbound_all(c, filings))
        })
        .await
    }

    async fn find_inbound(&self, message_id: &str) -> StoreResult<Option<TicketId>> {
        find_inbound(&mut *self.reader().await?, message_id).await
    }

    async fn find_thread(&self, message_ids: &[String]) -> StoreResult<Option<TicketId>> {
        find_thread(&mut *self.reader().await?, message_ids).await
    }

    async fn is_participant(&self, ticket: TicketId, email: &EmailAddress) -> StoreResult<bool> {
        is_participant(&mut *self.reader().await?, ticket, email).await
    }

    async fn count_inbound_since(
        &self,
        sender: &EmailAddress,
        since: Timestamp,
        cap: i64,
    ) -> StoreResult<i64> {
        count_inbound_since(&mut *self.reader().await?, sender, since, cap).await
    }

    async fn list_thread(&self, ticket: TicketId) -> StoreResult<Vec<ThreadMessage>> {
        list_thread(&mut *self.reader().await?, ticket).await
    }

    async fn inbound_for_event(&self, event: EventId) -> StoreResult<Option<ThreadMessage>> {
        inbound_for_event(&mut *self.reader().await?, event).await
    }

    async fn quarantine(&self, new: NewQuarantine) -> StoreResult<QuarantinedMail> {
        self.write(new, |c, new| Box::pin(mailboxes::quarantine(c, new)))
            .await
    }

    async fn list_quarantine(&self, limit: i64) -> StoreResult<Vec<QuarantinedMail>> {
        mailboxes::list_quarantine(&mut *self.reader().await?, limit).await
    }

    async fn get_quarantined(&self, id: QuarantineId) -> StoreResult<(QuarantinedMail, Vec<u8>)> {
        mailboxes::get_quarantined(&mut *self.reader().await?, id).await
    }

    async fn delete_quarantined(&self, id: QuarantineId) -> StoreResult<()> {
        self.write(id, |c, id| Box::pin(mailboxes::delete_quarantined(c, id)))
            .await
    }

    async fn create_mailbox(&self, mailbox: MailboxWrite) -> StoreResult<Mailbox> {
        self.write(mailbox, |c, mailbox| {
            Box::pin(mailboxes::create_mailbox(c, mailbox))
        })
        .await
    }

    async fn update_mailbox(&self, id: MailboxId, mailbox: MailboxWrite) -> StoreResult<Mailbox> {
        self.write((id, mailbox), |c, input| {
            Box::pin(mailboxes::update_mailbox(c, input))
        })
        .await
    }

    async fn get_mailbox(&self, id: MailboxId) -> StoreResult<Mailbox> {
        mailboxes::get_mailbox(&mut *self.reader().await?, id).await
    }

    async fn list_mailboxes(&self) -> StoreResult<Vec<Mailbox>> {
        mailboxes::list_mailboxes(&mut *self.reader().await?).await
    }

    async fn delete_mailbox(&self, id: MailboxId) -> StoreResult<()> {
        self.write(id, |c, id| Box::pin(mailboxes::delete_mailbox(c, id)))
            .await
    }

    async fn record_mailbox_progress(
        &self,
        id: MailboxId,
        uid_validity: u32,
        last_uid: u32,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.write((id, uid_validity, last_uid, now), |c, input| {
            Box::pin(mailboxes::record_mailbox_progress(c, input))
        })
        .await
    }

    async fn record_mailbox_failure(
        &self,
        id: MailboxId,
        error: &str,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.write((id, error.to_owned(), now), |c, input| {
            Box::pin(mailboxes::record_mailbox_failure(c, input))
        })
        .await
    }

    async fn claim_outbox(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> StoreResult<Option<OutboxItem>> {
        self.write((now, lease_until), |c, (now, lease)| {
            Box::pin(mail_outbox::claim_outbox(c, now, lease))
        })
        .await
    }

    async fn render_outbox(
        &self,
        id: OutboxId,
        rendered: RenderedMail,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.write((id, rendered, now), |c, input| {
            Box::pin(mail_outbox::render_outbox(c, input))
        })
        .await
    }

    async fn outbox_sent(&self, id: OutboxId, now: Timestamp) -> StoreResult<()> {
        self.write((id, now), |c, input| {
            Box::pin(mail_outbox::outbox_sent(c, input))
        })
        .await
    }

    async fn outbox_skipped(&self, id: OutboxId, reason: &str, now: Timestamp) -> StoreResult<()> {
        self.write((id, reason.to_owned(), now), |c, input| {
            Box::pin(mail_outbox::outbox_skipped(c, input))
        })
        .await
    }

    async fn outbox_failed(
        &self,
        id: OutboxId,
        error: &str,
        retry_at: Option<Timestamp>,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.write((id, error.to_owned(), retry_at, now), |c, input| {
            Box::pin(mail_outbox::outbox_failed(c, input))
        })
        .await
    }

    async fn list_outbox(&self, ticket: TicketId) -> StoreResult<Vec<OutboxEntry>> {
        mail_outbox::list_outbox(&mut *self.reader().await?, ticket).await
    }
}
