//! Ticket writes in batches: the joined creates and appends of SQLite's group commit
//! and the bulk path, with multi-row inserts and one queue-count change per (group,
//! assignee, status).

use super::counts::{CountDeltas, count_created};
use super::rows::{
    DATA_COLUMNS, TicketValues, attachments_json, stored_event, ticket_from_row, ticket_refs,
};
use super::write::append_event;
use crate::sql::convert::{json, micros};
use crate::sql::error::{self, Ref};
use crate::sql::reports::RollupFacts;
use crate::sql::{clocks, convert, custom_fields, mail_outbox, notifications, routing};
use crate::{Db, DbConn};
use ferrodesk_domain::{Event, EventId, NewEvent, Ticket, TicketId, UserId};
use ferrodesk_store::{
    Created, EventAppend, NewNotification, NewTicket, Notice, RoundRobinPick, StoreError,
    StoreResult,
};
use jiff::Timestamp;
use sqlx::QueryBuilder;
use std::collections::{BTreeMap, BTreeSet};

/// [`append_event`] for many events without idempotency keys, in a few statements for
/// all: one update of their tickets, one insert of the events, one of their mail, and
/// the clocks refreshed together. Events on the same ticket are appended one by one.
pub(crate) async fn append_events(
    conn: &mut DbConn,
    appends: &[&EventAppend],
) -> StoreResult<Vec<Created<Event>>> {
    if appends.iter().any(|a| a.idempotency.is_some()) {
        return Err(error::unavailable(
            "an event with an idempotency key must be appended on its own",
        ));
    }
    let ids: BTreeSet<TicketId> = appends.iter().map(|a| a.ticket_id).collect();
    if ids.len() != appends.len() {
        let mut created = Vec::with_capacity(appends.len());
        for append in appends {
            created.push(append_event(conn, append).await?);
        }
        return Ok(created);
    }
    let mut tickets = BTreeMap::new();
    for chunk in appends.chunks(BULK_TICKET_ROWS) {
        let mut query = QueryBuilder::<Db>::new(
            "update tickets set version = version + 1, updated_at = v.column2, \
             first_response_at = case when v.column3 and first_response_at is null \
             then v.column2 else first_response_at end from (",
        );
        query.push_values(chunk, |mut row, append| {
            row.push_bind(append.ticket_id.get())
                .push_bind(micros(append.event.created_at))
                .push_bind(append.marks_first_response);
        });
        query.push(concat!(
            ") as v where tickets.id = v.column1 returning ",
            ticket_fields!()
        ));
        for row in query
            .build()
            .fetch_all(&mut *conn)
            .await
            .map_err(error::plain)?
        {
            let ticket = ticket_from_row(&row)?;
            tickets.insert(ticket.id, ticket);
        }
    }
    let mut deltas = CountDeltas::default();
    let mut first_responses = false;
    let mut now = Timestamp::UNIX_EPOCH;
    let mut changed = Vec::with_capacity(appends.len());
    for append in appends {
        let ticket = tickets
            .get(&append.ticket_id)
            .ok_or_else(|| StoreError::not_found(format!("ticket {}", append.ticket_id)))?;
        let at = append.event.created_at;
        // The answer that set the first response is the one whose time it now carries.
        if append.marks_first_response && ticket.first_response_at == Some(at) {
            deltas.rollups.first_response(&RollupFacts::of(ticket), at);
            first_responses = true;
        }
        now = now.max(at);
        changed.push(ticket);
    }
    if first_responses {
        deltas.apply(conn, now).await?;
    }
    let events: Vec<(TicketId, &NewEvent)> =
        appends.iter().map(|a| (a.ticket_id, &a.event)).collect();
    let event_ids = insert_new_events(conn, &events).await?;
    clocks::refresh_tickets(conn, &changed, clocks::Refresh::Changed, now).await?;
    let notices: Vec<(TicketId, &Notice)> = appends
        .iter()
        .flat_map(|a| a.notices.iter().map(|n| (a.ticket_id, n)))
        .collect();
    if !notices.is_empty() {
        insert_notices(conn, &notices, now).await?;
    }
    Ok(appends
        .iter()
        .zip(event_ids)
        .map(|(append, id)| {
            Created::New(stored_event(EventId(id), append.ticket_id, &append.event))
        })
        .collect())
}

/// Rows per multi-row insert: well under both backends' bind-parameter limits.
const BULK_TICKET_ROWS: usize = 500;
const BULK_EVENT_ROWS: usize = 1000;

/// Writes a batch of tickets with their events in the caller's transaction, with
/// multi-row inserts and one queue-count change per (group, assignee, status).
pub(crate) async fn bulk_create_tickets(
    conn: &mut DbConn,
    tickets: &[(Ticket, Vec<NewEvent>)],
) -> StoreResult<Vec<TicketId>> {
    if tickets.is_empty() {
        return Ok(Vec::new());
    }
    crate::dialect::bulk_cache(conn, true)
        .await
        .map_err(error::plain)?;
    let written = write_bulk(conn, tickets).await;
    // Narrowed again whether or not the batch was written; a failed batch reports its
    // own error first.
    let narrowed = crate::dialect::bulk_cache(conn, false).await;
    let ids = written?;
    narrowed.map_err(error::plain)?;
    Ok(ids)
}

async fn write_bulk(
    conn: &mut DbConn,
    tickets: &[(Ticket, Vec<NewEvent>)],
) -> StoreResult<Vec<TicketId>> {
    let news = tickets
        .iter()
        .map(|(ticket, events)| (ticket, events.as_slice()));
    // A history being loaded announces nothing.
    let written = write_new_tickets(conn, news, false).await?;
    Ok(written.into_iter().map(|(ticket, _)| ticket.id).collect())
}

/// Numbers new tickets, inserts them and their events with multi-row inserts, counts
/// them and starts their clocks; the tickets as written. With `queues_mail`, the
/// events that announce mail queue it.
async fn write_new_tickets<'e>(
    conn: &mut DbConn,
    news: impl ExactSizeIterator<Item = (&'e Ticket, &'e [NewEvent])>,
    queues_mail: bool,
) -> StoreResult<Vec<(Ticket, &'e [NewEvent])>> {
    let ids = crate::dialect::reserve_ticket_ids(conn, news.len())
        .await
        .map_err(error::plain)?;
    if ids.len() != news.len() {
        return Err(convert::damaged("ticket id sequence"));
    }
    let written: Vec<(Ticket, &[NewEvent])> = news
        .zip(&ids)
        .map(|((ticket, events), id)| {
            let mut ticket = ticket.clone();
            ticket.id = TicketId(*id);
            ticket.version = 1;
            (ticket, events)
        })
        .collect();
    insert_ticket_rows(conn, written.iter().map(|(ticket, _)| ticket)).await?;
    let events: Vec<(TicketId, &NewEvent)> = written
        .iter()
        .flat_map(|(ticket, events)| events.iter().map(|event| (ticket.id, event)))
        .collect();
    if queues_mail {
        insert_new_events(conn, &events).await?;
    } else {
        insert_event_rows(conn, &events, None).await?;
    }
    let now = count_created(conn, written.iter().map(|(ticket, _)| ticket)).await?;
    clocks::refresh_new_tickets(conn, &written, now).await?;
    Ok(written)
}

/// Creates tickets with their events as [`create_ticket`] does each of them, in a few
/// multi-row writes: SQLite's group commit joins the creates of a batch into one call.
/// The tickets carry no idempotency key and no links (those are created one by one).
#[allow(
    dead_code,
    reason = "only SQLite's group commit joins creates; PostgreSQL creates each in its own transaction"
)]
pub(crate) async fn create_tickets(
    conn: &mut DbConn,
    news: &[&NewTicket],
) -> StoreResult<Vec<Created<Ticket>>> {
    if news
        .iter()
        .any(|new| new.idempotency.is_some() || !new.links.is_empty())
    {
        return Err(error::unavailable(
            "a ticket with an idempotency key or links must be created on its own",
        ));
    }
    routing::check_settings(conn, news.iter().map(|new| new.settings_version)).await?;
    let tickets = news.iter().map(|new| (&new.ticket, new.events.as_slice()));
    let written = write_new_tickets(conn, tickets, true).await?;
    for ((ticket, _), new) in written.iter().zip(news) {
        custom_fields::write_values(conn, ticket.id, &new.custom_values).await?;
    }
    let notices: Vec<(TicketId, &Notice)> = written
        .iter()
        .zip(news)
        .flat_map(|((ticket, _), new)| new.notices.iter().map(|n| (ticket.id, n)))
        .collect();
    if let Some(now) = news.iter().map(|new| new.ticket.created_at).max() {
        insert_notices(conn, &notices, now).await?;
        let picks: Vec<_> = news.iter().map(|new| new.round_robin).collect();
        remember_picks(conn, &picks, now).await?;
    }
    Ok(written
        .into_iter()
        .map(|(ticket, _)| Created::New(ticket))
        .collect())
}

/// Remembers round robin's picks of a write in its transaction, in order: a group's
/// last pick is the one kept.
pub(crate) async fn remember_picks(
    conn: &mut DbConn,
    picks: &[Option<RoundRobinPick>],
    now: Timestamp,
) -> StoreResult<()> {
    for pick in picks.iter().flatten() {
        routing::set_round_robin_last(conn, pick.group_id, pick.user_id, now).await?;
    }
    Ok(())
}

/// Inserts the in-app notifications that ticket writes cause, in their transaction.
pub(crate) async fn insert_notices(
    conn: &mut DbConn,
    notices: &[(TicketId, &Notice)],
    now: Timestamp,
) -> StoreResult<()> {
    let notes: Vec<NewNotification> = notices
        .iter()
        .map(|(ticket, notice)| NewNotification {
            user_id: notice.user_id,
            ticket_id: Some(*ticket),
            kind: notice.kind,
            message: notice.message.clone(),
            mail: notice.mail,
        })
        .collect();
    notifications::notify(conn, &notes, now).await
}

/// Inserts events of tickets written in this transaction with multi-row inserts, and
/// queues the mail they announce; their new ids, in order.
async fn insert_new_events(
    conn: &mut DbConn,
    events: &[(TicketId, &NewEvent)],
) -> StoreResult<Vec<i64>> {
    let ids = crate::dialect::reserve_event_ids(conn, events.len())
        .await
        .map_err(error::plain)?;
    if ids.len() != events.len() {
        return Err(convert::damaged("event id sequence"));
    }
    insert_event_rows(conn, events, Some(&ids)).await?;
    let announced: Vec<(EventId, TicketId, Timestamp)> = events
        .iter()
        .zip(&ids)
        .filter(|((_, event), _)| event.kind.announces_mail(event.visibility))
        .map(|((ticket, event), id)| (EventId(*id), *ticket, event.created_at))
        .collect();
    mail_outbox::enqueue_all(conn, &announced).await?;
    Ok(ids)
}

/// Inserts new tickets, which carry their ids, with multi-row inserts.
async fn insert_ticket_rows<'t>(
    conn: &mut DbConn,
    tickets: impl Iterator<Item = &'t Ticket>,
) -> StoreResult<()> {
    let tickets: Vec<&Ticket> = tickets.collect();
    for chunk in tickets.chunks(BULK_TICKET_ROWS) {
        let mut rows = Vec::with_capacity(chunk.len());
        for ticket in chunk {
            rows.push((ticket.id.get(), TicketValues::of(ticket)?));
        }
        let mut query = QueryBuilder::<Db>::new(format!(
            "insert into tickets (id, version, {}) ",
            DATA_COLUMNS.join(", ")
        ));
        query.push_values(rows, |mut row, (id, values)| {
            row.push_bind(id).push_bind(1_i64);
            bind_ticket_values!(row, push_bind, values);
        });
        if let Err(e) = query.build().execute(&mut *conn).await {
            let refs: BTreeSet<Ref> = chunk.iter().flat_map(|t| ticket_refs(t)).collect();
            let refs: Vec<Ref> = refs.into_iter().collect();
            return Err(error::write(conn, e, &refs).await);
        }
    }
    Ok(())
}

/// Inserts events with multi-row inserts, with the ids given (one per event) or new
/// ones.
async fn insert_event_rows(
    conn: &mut DbConn,
    events: &[(TicketId, &NewEvent)],
    ids: Option<&[i64]>,
) -> StoreResult<()> {
    for (chunk_index, chunk) in events.chunks(BULK_EVENT_ROWS).enumerate() {
        let chunk_ids = ids.map(|ids| &ids[chunk_index * BULK_EVENT_ROWS..][..chunk.len()]);
        let mut rows = Vec::with_capacity(chunk.len());
        for (index, (ticket, event)) in chunk.iter().enumerate() {
            let id = chunk_ids.map(|ids| ids[index]);
            rows.push((
                id,
                *ticket,
                *event,
                json(&event.kind)?,
                attachments_json(event)?,
            ));
        }
        let mut query = QueryBuilder::<Db>::new(if ids.is_some() {
            "insert into ticket_events (id, ticket_id, kind, data, actor_id, channel, \
             visibility, created_at, updated_at, attachments) "
        } else {
            "insert into ticket_events (ticket_id, kind, data, actor_id, channel, visibility, \
             created_at, updated_at, attachments) "
        });
        query.push_values(rows, |mut row, (id, ticket, event, data, attachments)| {
            if let Some(id) = id {
                row.push_bind(id);
            }
            row.push_bind(ticket.get())
                .push_bind(event.kind.name())
                .push_bind(data)
                .push_bind(event.actor_id.map(UserId::get))
                .push_bind(event.channel.as_str())
                .push_bind(event.visibility.as_str())
                .push_bind(micros(event.created_at))
                .push_bind(micros(event.created_at))
                .push_bind(attachments);
        });
        if let Err(e) = query.build().execute(&mut *conn).await {
            let refs: BTreeSet<Ref> = chunk
                .iter()
                .filter_map(|(_, e)| {
                    Ref::opt("ticket_events_actor_id_fkey", e.actor_id.map(UserId::get))
                })
                .collect();
            let refs: Vec<Ref> = refs.into_iter().collect();
            return Err(error::write(conn, e, &refs).await);
        }
    }
    Ok(())
}
