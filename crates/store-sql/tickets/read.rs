//! Reading tickets, their timeline and links.

use super::rows::{EVENT_COLUMNS_SELECT, event_from_row, text_enum, ticket_from_row};
use crate::DbConn;
use crate::sql::convert::{get, get_time};
use crate::sql::error;
use crate::sql::fetch;
use ferrodesk_domain::{Event, EventId, LinkKind, Ticket, TicketId, TicketStatus};
use ferrodesk_store::{EventPage, StoreResult, TicketLink};

/// Reads a ticket.
pub(crate) async fn get_ticket(conn: &mut DbConn, id: TicketId) -> StoreResult<Ticket> {
    let query = sqlx::query(concat!(ticket_select!(), " where t.id = $1")).bind(id.get());
    fetch::one(conn, query, ticket_from_row, "ticket", id).await
}

/// Reads the tickets that exist among `ids`, in id order.
pub(crate) async fn get_tickets(conn: &mut DbConn, ids: &[TicketId]) -> StoreResult<Vec<Ticket>> {
    let mut ids: Vec<i64> = ids.iter().map(|id| id.get()).collect();
    ids.sort_unstable();
    ids.dedup();
    fetch::by_ids(
        conn,
        concat!(ticket_select!(), " where t.id in ("),
        &ids,
        ") order by t.id",
        ticket_from_row,
    )
    .await
}

/// A ticket's timeline after `page.after`, in order.
pub(crate) async fn list_events(
    conn: &mut DbConn,
    ticket: TicketId,
    include_internal: bool,
    page: &EventPage,
) -> StoreResult<Vec<Event>> {
    let limit = page.limit.clamp(1, 1000);
    let after = page.after.map_or(0, EventId::get);
    let query = if include_internal {
        sqlx::query(
            "select id, ticket_id, kind, data, actor_id, channel, visibility, created_at, attachments \
             from ticket_events where ticket_id = $1 and id > $2 order by id limit $3",
        )
    } else {
        sqlx::query(
            "select id, ticket_id, kind, data, actor_id, channel, visibility, created_at, attachments \
             from ticket_events where ticket_id = $1 and id > $2 and visibility = 'public' \
             order by id limit $3",
        )
    };
    let rows = query
        .bind(ticket.get())
        .bind(after)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await
        .map_err(error::plain)?;
    rows.iter().map(event_from_row).collect()
}

/// Reads one event.
pub(crate) async fn get_event(conn: &mut DbConn, id: EventId) -> StoreResult<Event> {
    let query = sqlx::query(
        "select id, ticket_id, kind, data, actor_id, channel, visibility, created_at, attachments \
         from ticket_events where id = $1",
    )
    .bind(id.get());
    fetch::one(conn, query, event_from_row, "event", id).await
}

pub(crate) async fn events_by_ids(conn: &mut DbConn, ids: &[i64]) -> StoreResult<Vec<Event>> {
    let head = format!("{EVENT_COLUMNS_SELECT} where id in (");
    fetch::by_ids(conn, &head, ids, ") order by id", event_from_row).await
}

/// Every link touching `ticket`, from its side, oldest first.
pub(crate) async fn list_links(
    conn: &mut DbConn,
    ticket: TicketId,
) -> StoreResult<Vec<TicketLink>> {
    let rows = sqlx::query(
        "select l.kind as kind, l.created_at as created_at, true as is_source, o.id as other_id, \
         o.subject as other_subject, o.status as other_status \
         from ticket_links l join tickets o on o.id = l.target_id where l.source_id = $1 \
         union all \
         select l.kind as kind, l.created_at as created_at, false as is_source, o.id as other_id, \
         o.subject as other_subject, o.status as other_status \
         from ticket_links l join tickets o on o.id = l.source_id where l.target_id = $1 \
         order by created_at, other_id",
    )
    .bind(ticket.get())
    .fetch_all(&mut *conn)
    .await
    .map_err(error::plain)?;
    let mut links = Vec::with_capacity(rows.len());
    for row in &rows {
        links.push(TicketLink {
            ticket_id: ticket,
            other: TicketId(get(row, "other_id")?),
            kind: text_enum(row, "kind", LinkKind::parse)?,
            is_source: get(row, "is_source")?,
            other_subject: get(row, "other_subject")?,
            other_status: text_enum(row, "other_status", TicketStatus::parse)?,
            created_at: get_time(row, "created_at")?,
        });
    }
    Ok(links)
}

/// Children (`parent_of` targets) of `ticket` not yet resolved or closed.
pub(crate) async fn open_children(
    conn: &mut DbConn,
    ticket: TicketId,
) -> StoreResult<Vec<TicketId>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "select l.target_id from ticket_links l join tickets c on c.id = l.target_id \
         where l.source_id = $1 and l.kind = 'parent_of' and c.is_open = true order by l.target_id",
    )
    .bind(ticket.get())
    .fetch_all(&mut *conn)
    .await
    .map_err(error::plain)?;
    Ok(ids.into_iter().map(TicketId).collect())
}
