//! Ticket writes one at a time: create, change, split and append, each with its events,
//! links, queue counts and SLA clock, in the caller's transaction.

use super::batch::{insert_notices, remember_picks};
use super::counts::CountDeltas;
use super::idempotency::{Claim, claim, first_id, remember};
use super::read::{events_by_ids, get_event, get_ticket};
use super::rows::{
    INSERT_TICKET, TicketValues, attachments_json, stored_event, ticket_from_row, ticket_refs,
};
use crate::sql::convert::{get, json, micros};
use crate::sql::error::{self, Ref};
use crate::sql::reports::RollupFacts;
use crate::sql::{clocks, custom_fields, mail_outbox, routing, time_entries, vendors};
use crate::{Db, DbConn};
use ferrodesk_domain::{
    ClockHistory, Event, EventId, EventKind, GroupId, LinkKind, NewEvent, Ticket, TicketId, UserId,
};
use ferrodesk_store::{
    Conflict, Created, EventAppend, NewTicket, Notice, StoreError, StoreResult, TicketChange,
    TicketSplit, TicketWrite,
};
use jiff::Timestamp;
use sqlx::{AssertSqlSafe, QueryBuilder};
use std::sync::Arc;

async fn insert_ticket(conn: &mut DbConn, ticket: &Ticket) -> StoreResult<TicketId> {
    let values = TicketValues::of(ticket)?;
    let query = sqlx::query(AssertSqlSafe(Arc::clone(&INSERT_TICKET)));
    let inserted = bind_ticket_values!(query, bind, values)
        .fetch_one(&mut *conn)
        .await;
    match inserted {
        Ok(row) => Ok(TicketId(get(&row, "id")?)),
        Err(e) => Err(error::write(conn, e, &ticket_refs(ticket)).await),
    }
}

/// Writes `change.after` over the row if it is still as `change.before` was read.
/// Writes a ticket's changed columns (every index over an unchanged column stays as
/// it is) and bumps its version, provided the row is still the one read: same version,
/// status, group and assignee.
async fn update_ticket(conn: &mut DbConn, change: &TicketChange) -> StoreResult<()> {
    let id = change.before.id;
    let before = TicketValues::of(&change.before)?;
    let after = TicketValues::of(&change.after)?;
    let mut query = QueryBuilder::<Db>::new("update tickets set ");
    {
        let mut sets = query.separated(", ");
        sets.push("version = version + 1");
        push_changed_values!(
            sets,
            before,
            after,
            subject,
            subject_search,
            description,
            ticket_type,
            status,
            is_open,
            impact,
            urgency,
            priority,
            priority_rank,
            priority_reason,
            category_id,
            service_id,
            location,
            device,
            requester_id,
            organization_id,
            channel,
            group_id,
            tier,
            owner_id,
            assignee_id,
            tags,
            escalation_level,
            external_ref,
            merged_into,
            created_at,
            updated_at,
            first_response_at,
            resolved_at,
            closed_at,
        );
    }
    query.push(" where id = ").push_bind(id.get());
    query
        .push(" and version = ")
        .push_bind(change.before.version);
    query
        .push(" and status = ")
        .push_bind(change.before.status.as_str());
    query
        .push(concat!(" and group_id ", is_same!(), " "))
        .push_bind(change.before.group_id.map(GroupId::get));
    query
        .push(concat!(" and assignee_id ", is_same!(), " "))
        .push_bind(change.before.assignee_id.map(UserId::get));
    let done = query.build().execute(&mut *conn).await;
    match done {
        Ok(done) if done.rows_affected() == 1 => Ok(()),
        Ok(_) => {
            let exists: i64 = sqlx::query_scalar("select count(*) from tickets where id = $1")
                .bind(id.get())
                .fetch_one(&mut *conn)
                .await
                .map_err(error::plain)?;
            if exists == 0 {
                Err(StoreError::not_found(format!("ticket {id}")))
            } else {
                Err(StoreError::conflict(
                    Conflict::Stale,
                    format!(
                        "ticket {} was changed by someone else; reload and try again",
                        id.display_number()
                    ),
                ))
            }
        }
        Err(e) => Err(error::write(conn, e, &ticket_refs(&change.after)).await),
    }
}

pub(crate) async fn insert_event(
    conn: &mut DbConn,
    ticket: TicketId,
    event: &NewEvent,
) -> StoreResult<Event> {
    let inserted = sqlx::query(
        "insert into ticket_events (ticket_id, kind, data, actor_id, channel, visibility, \
         created_at, updated_at, attachments) values ($1, $2, $3, $4, $5, $6, $7, $7, $8) \
         returning id",
    )
    .bind(ticket.get())
    .bind(event.kind.name())
    .bind(json(&event.kind)?)
    .bind(event.actor_id.map(UserId::get))
    .bind(event.channel.as_str())
    .bind(event.visibility.as_str())
    .bind(micros(event.created_at))
    .bind(attachments_json(event)?)
    .fetch_one(&mut *conn)
    .await;
    match inserted {
        Ok(row) => {
            let event = stored_event(EventId(get(&row, "id")?), ticket, event);
            mail_outbox::enqueue(conn, &event).await?;
            vendors::follow_event(conn, &event).await?;
            Ok(event)
        }
        Err(e) => {
            let refs: Vec<Ref> = [
                Some(Ref::new("ticket_events_ticket_id_fkey", ticket.get())),
                Ref::opt(
                    "ticket_events_actor_id_fkey",
                    event.actor_id.map(UserId::get),
                ),
            ]
            .into_iter()
            .flatten()
            .collect();
            Err(error::write(conn, e, &refs).await)
        }
    }
}

async fn insert_link(
    conn: &mut DbConn,
    source: TicketId,
    kind: LinkKind,
    target: TicketId,
    actor: Option<UserId>,
    now: Timestamp,
) -> StoreResult<()> {
    let result = sqlx::query(
        "insert into ticket_links (source_id, kind, target_id, actor_id, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $5)",
    )
    .bind(source.get())
    .bind(kind.as_str())
    .bind(target.get())
    .bind(actor.map(UserId::get))
    .bind(micros(now))
    .execute(&mut *conn)
    .await;
    match result {
        Ok(_) => Ok(()),
        Err(e) => {
            let refs: Vec<Ref> = [
                Some(Ref::new("ticket_links_source_id_fkey", source.get())),
                Some(Ref::new("ticket_links_target_id_fkey", target.get())),
                Ref::opt("ticket_links_actor_id_fkey", actor.map(UserId::get)),
            ]
            .into_iter()
            .flatten()
            .collect();
            Err(error::write(conn, e, &refs).await)
        }
    }
}

/// Creates a ticket with its events and links (or replays an earlier create).
pub(crate) async fn create_ticket(
    conn: &mut DbConn,
    new: &NewTicket,
) -> StoreResult<Created<Ticket>> {
    let now = new.ticket.created_at;
    if let Claim::Replay(ids) = claim(conn, new.idempotency.as_ref(), "create_ticket", now).await? {
        let ticket = get_ticket(conn, TicketId(first_id(&ids)?)).await?;
        return Ok(Created::Replayed(ticket));
    }
    routing::check_settings(conn, [new.settings_version]).await?;
    let mut ticket = new.ticket.clone();
    ticket.version = 1;
    ticket.id = insert_ticket(conn, &ticket).await?;
    for event in &new.events {
        insert_event(conn, ticket.id, event).await?;
    }
    custom_fields::write_values(conn, ticket.id, &new.custom_values).await?;
    let creator = new.events.first().and_then(|e| e.actor_id);
    for (kind, target) in &new.links {
        insert_link(conn, ticket.id, *kind, *target, creator, now).await?;
    }
    let mut deltas = CountDeltas::default();
    deltas.add(&ticket, 1);
    deltas.rollups.created(&ticket);
    deltas.apply(conn, now).await?;
    let moves_clock = new
        .events
        .iter()
        .any(|e| ClockHistory::is_read_by_clock(&e.kind, e.visibility));
    let write = if moves_clock {
        clocks::Refresh::New
    } else {
        clocks::Refresh::Opened
    };
    clocks::refresh_tickets(conn, &[&ticket], write, now).await?;
    let notices: Vec<(TicketId, &Notice)> = new.notices.iter().map(|n| (ticket.id, n)).collect();
    insert_notices(conn, &notices, now).await?;
    remember_picks(conn, &[new.round_robin], now).await?;
    remember(conn, new.idempotency.as_ref(), &[ticket.id.get()]).await?;
    Ok(Created::New(ticket))
}

/// Applies changes to tickets, with their events and links, all or nothing.
pub(crate) async fn save_tickets(
    conn: &mut DbConn,
    write: &TicketWrite,
) -> StoreResult<Created<Vec<Event>>> {
    let now = write
        .changes
        .iter()
        .map(|c| c.after.updated_at)
        .chain(write.links.iter().map(|l| l.now))
        .max()
        .unwrap_or_else(Timestamp::now);
    if let Claim::Replay(ids) = claim(conn, write.idempotency.as_ref(), "save_tickets", now).await?
    {
        return Ok(Created::Replayed(events_by_ids(conn, &ids).await?));
    }
    routing::check_settings(conn, [write.settings_version]).await?;
    let mut deltas = CountDeltas::default();
    // Rows are changed in id order so concurrent writers lock them in the same order.
    let mut ordered: Vec<&TicketChange> = write.changes.iter().collect();
    ordered.sort_by_key(|c| c.before.id);
    for change in ordered {
        update_ticket(conn, change).await?;
        custom_fields::write_values(conn, change.before.id, &change.custom_values).await?;
        deltas.add(&change.before, -1);
        deltas.add(&change.after, 1);
        deltas.rollups.changed(&change.before, &change.after);
    }
    let mut events = Vec::new();
    for change in &write.changes {
        let first = events.len();
        for event in &change.events {
            events.push(insert_event(conn, change.before.id, event).await?);
        }
        if let Some(entry) = &change.time_entry {
            // Logged with the change's reply or note.
            let with = events[first..].iter().find(|e| e.kind.is_interaction());
            let event_id = with.map(|e| e.id);
            time_entries::insert_time_entry(conn, change.before.id, entry, event_id).await?;
        }
    }
    for link in &write.links {
        insert_link(
            conn,
            link.source,
            link.kind,
            link.target,
            link.actor_id,
            link.now,
        )
        .await?;
    }
    deltas.apply(conn, now).await?;
    // A write changes each ticket once: a second change of one would fail its version.
    let changed: Vec<&Ticket> = write.changes.iter().map(|c| &c.after).collect();
    clocks::refresh_tickets(conn, &changed, clocks::Refresh::Changed, now).await?;
    let notices: Vec<(TicketId, &Notice)> = write
        .changes
        .iter()
        .flat_map(|c| c.notices.iter().map(|n| (c.before.id, n)))
        .collect();
    insert_notices(conn, &notices, now).await?;
    let picks: Vec<_> = write.changes.iter().map(|c| c.round_robin).collect();
    remember_picks(conn, &picks, now).await?;
    let ids: Vec<i64> = events.iter().map(|e| e.id.get()).collect();
    remember(conn, write.idempotency.as_ref(), &ids).await?;
    Ok(Created::New(events))
}

/// Splits parts off a ticket: the original's change, the new tickets with their events,
/// a `split_from` link from each part and a `split_into` event on the original per part.
pub(crate) async fn split_ticket(
    conn: &mut DbConn,
    split: &TicketSplit,
) -> StoreResult<Vec<Ticket>> {
    let original = &split.original;
    let original_id = original.before.id;
    routing::check_settings(conn, split.parts.iter().map(|p| p.settings_version)).await?;
    update_ticket(conn, original).await?;
    let mut deltas = CountDeltas::default();
    deltas.add(&original.before, -1);
    deltas.add(&original.after, 1);
    deltas.rollups.changed(&original.before, &original.after);
    for event in &original.events {
        insert_event(conn, original_id, event).await?;
    }
    let mut parts = Vec::with_capacity(split.parts.len());
    let mut notices: Vec<(TicketId, &Notice)> =
        original.notices.iter().map(|n| (original_id, n)).collect();
    for part in &split.parts {
        let mut ticket = part.ticket.clone();
        ticket.version = 1;
        ticket.id = insert_ticket(conn, &ticket).await?;
        notices.extend(part.notices.iter().map(|n| (ticket.id, n)));
        custom_fields::write_values(conn, ticket.id, &part.custom_values).await?;
        for event in &part.events {
            insert_event(conn, ticket.id, event).await?;
        }
        insert_link(
            conn,
            ticket.id,
            LinkKind::SplitFrom,
            original_id,
            split.actor_id,
            split.now,
        )
        .await?;
        deltas.add(&ticket, 1);
        deltas.rollups.created(&ticket);
        parts.push(ticket);
    }
    for part in &parts {
        let event = NewEvent::new(
            EventKind::SplitInto { other: part.id },
            split.actor_id,
            split.channel,
            split.now,
        );
        insert_event(conn, original_id, &event).await?;
    }
    deltas.apply(conn, split.now).await?;
    clocks::refresh_tickets(
        conn,
        &[&original.after],
        clocks::Refresh::Changed,
        split.now,
    )
    .await?;
    let new: Vec<&Ticket> = parts.iter().collect();
    clocks::refresh_tickets(conn, &new, clocks::Refresh::New, split.now).await?;
    insert_notices(conn, &notices, split.now).await?;
    let picks: Vec<_> = std::iter::once(original.round_robin)
        .chain(split.parts.iter().map(|p| p.round_robin))
        .collect();
    remember_picks(conn, &picks, split.now).await?;
    Ok(parts)
}

/// Appends one event, bumping the ticket's version and change time.
pub(crate) async fn append_event(
    conn: &mut DbConn,
    append: &EventAppend,
) -> StoreResult<Created<Event>> {
    let now = append.event.created_at;
    if let Claim::Replay(ids) =
        claim(conn, append.idempotency.as_ref(), "append_event", now).await?
    {
        return Ok(Created::Replayed(
            get_event(conn, EventId(first_id(&ids)?)).await?,
        ));
    }
    let row = sqlx::query(concat!(
        "update tickets set version = version + 1, updated_at = $2, \
             first_response_at = case when $3 and first_response_at is null then $2 \
             else first_response_at end where id = $1 returning ",
        ticket_fields!()
    ))
    .bind(append.ticket_id.get())
    .bind(micros(now))
    .bind(append.marks_first_response)
    .fetch_optional(&mut *conn)
    .await
    .map_err(error::plain)?
    .ok_or_else(|| StoreError::not_found(format!("ticket {}", append.ticket_id)))?;
    let ticket = ticket_from_row(&row)?;
    // The answer that set the first response is the one whose time it now carries.
    if append.marks_first_response && ticket.first_response_at == Some(now) {
        let mut deltas = CountDeltas::default();
        deltas
            .rollups
            .first_response(&RollupFacts::of(&ticket), now);
        deltas.apply(conn, now).await?;
    }
    let event = insert_event(conn, append.ticket_id, &append.event).await?;
    clocks::refresh_tickets(conn, &[&ticket], clocks::Refresh::Changed, now).await?;
    let notices: Vec<(TicketId, &Notice)> = append.notices.iter().map(|n| (ticket.id, n)).collect();
    insert_notices(conn, &notices, now).await?;
    remember(conn, append.idempotency.as_ref(), &[event.id.get()]).await?;
    Ok(Created::New(event))
}

pub(crate) async fn append(
    conn: &mut DbConn,
    ticket_id: TicketId,
    event: &ferrodesk_domain::NewEvent,
) -> StoreResult<Event> {
    let append = EventAppend {
        ticket_id,
        event: event.clone(),
        marks_first_response: false,
        idempotency: None,
        notices: Vec::new(),
    };
    match append_event(conn, &append).await? {
        Created::New(event) | Created::Replayed(event) => Ok(event),
    }
}
