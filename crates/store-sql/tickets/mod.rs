//! Tickets, their timeline, links, queue counts and idempotent retries.
//!
//! Every write here runs inside the caller's transaction (a savepoint of the SQLite
//! group commit, or a PostgreSQL transaction), so an error anywhere leaves nothing
//! behind. A change is guarded by the version it was read at; queue counts change in
//! the same transaction as the tickets they count.
//!
//! [`TicketStore`] for the backend is here; the statements are in the submodules.

use crate::{Backend, Op};
use async_trait::async_trait;
use ferrodesk_domain::{Event, EventId, NewEvent, Ticket, TicketId, TicketScope};
use ferrodesk_store::{
    Created, EventAppend, EventPage, NewTicket, Page, QueueCounts, StoreResult, TicketFilter,
    TicketLink, TicketQuery, TicketSplit, TicketStore, TicketWrite,
};

#[macro_use]
mod rows;
mod batch;
mod counts;
mod idempotency;
mod plan;
mod query;
mod read;
mod write;

#[cfg(test)]
#[allow(unused_imports, reason = "only the SQLite writer's tests join appends")]
pub(crate) use batch::append_events;
pub(crate) use batch::create_tickets;
pub(crate) use counts::{CountDeltas, queue_counts};
pub(crate) use read::{get_event, get_ticket, get_tickets};
pub(crate) use rows::{EVENT_COLUMNS_SELECT, event_from_row};
pub(crate) use write::{append, append_event, create_ticket, save_tickets};

/// Most tickets per bulk transaction: large enough for multi-row inserts to pay off and
/// for each index page a batch changes to take many of its rows (the generator's calls
/// of 5,000 tickets, written in one transaction instead of three of at most 2,000,
/// generated a 300,000-ticket desk a fifth faster), small enough that other writers get
/// their turn between batches (a batch takes a few seconds).
const BULK_BATCH: usize = 10_000;

#[async_trait]
impl TicketStore for Backend {
    async fn create_ticket(&self, ticket: NewTicket) -> StoreResult<Created<Ticket>> {
        let op: Op<NewTicket, Created<Ticket>> =
            |c, ticket| Box::pin(write::create_ticket(c, ticket));
        // A create with an idempotency key or links is checked and written on its own.
        if ticket.idempotency.is_some() || !ticket.links.is_empty() {
            return self.write(ticket, op).await;
        }
        self.write_joinable(ticket, op, |c, tickets| {
            Box::pin(batch::create_tickets(c, tickets))
        })
        .await
    }

    async fn get_ticket(&self, id: TicketId) -> StoreResult<Ticket> {
        read::get_ticket(&mut *self.reader().await?, id).await
    }

    async fn get_tickets(&self, ids: &[TicketId]) -> StoreResult<Vec<Ticket>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        read::get_tickets(&mut *self.reader().await?, ids).await
    }

    async fn save_tickets(&self, write: TicketWrite) -> StoreResult<Created<Vec<Event>>> {
        self.write(write, |c, write| Box::pin(write::save_tickets(c, write)))
            .await
    }

    async fn split_ticket(&self, split: TicketSplit) -> StoreResult<Vec<Ticket>> {
        self.write(split, |c, split| Box::pin(write::split_ticket(c, split)))
            .await
    }

    async fn list_tickets(
        &self,
        scope: &TicketScope,
        query: &TicketQuery,
    ) -> StoreResult<Page<Ticket>> {
        query::list_tickets(&mut *self.reader().await?, scope, query).await
    }

    async fn count_tickets_capped(
        &self,
        scope: &TicketScope,
        filter: &TicketFilter,
        cap: i64,
    ) -> StoreResult<i64> {
        query::count_tickets_capped(&mut *self.reader().await?, scope, filter, cap).await
    }

    async fn queue_counts(&self) -> StoreResult<QueueCounts> {
        counts::queue_counts(&mut *self.reader().await?).await
    }

    async fn list_events(
        &self,
        ticket_id: TicketId,
        include_internal: bool,
        page: &EventPage,
    ) -> StoreResult<Vec<Event>> {
        read::list_events(
            &mut *self.reader().await?,
            ticket_id,
            include_internal,
            page,
        )
        .await
    }

    async fn get_event(&self, id: EventId) -> StoreResult<Event> {
        read::get_event(&mut *self.reader().await?, id).await
    }

    async fn list_links(&self, ticket_id: TicketId) -> StoreResult<Vec<TicketLink>> {
        read::list_links(&mut *self.reader().await?, ticket_id).await
    }

    async fn open_children(&self, ticket_id: TicketId) -> StoreResult<Vec<TicketId>> {
        read::open_children(&mut *self.reader().await?, ticket_id).await
    }

    async fn append_event(&self, append: EventAppend) -> StoreResult<Created<Event>> {
        let op: Op<EventAppend, Created<Event>> =
            |c, append| Box::pin(write::append_event(c, append));
        // An append with an idempotency key is checked and written on its own.
        if append.idempotency.is_some() {
            return self.write(append, op).await;
        }
        self.write_joinable(append, op, |c, appends| {
            Box::pin(batch::append_events(c, appends))
        })
        .await
    }

    async fn bulk_create_tickets(
        &self,
        tickets: Vec<(Ticket, Vec<NewEvent>)>,
    ) -> StoreResult<Vec<TicketId>> {
        // One transaction per batch; batches already written stay written if a later
        // one fails (the bulk path trades atomicity for speed, see the trait).
        let mut ids = Vec::with_capacity(tickets.len());
        let mut rest = tickets;
        while !rest.is_empty() {
            let tail = rest.split_off(rest.len().min(BULK_BATCH));
            let batch = std::mem::replace(&mut rest, tail);
            let written = self
                .write(batch, |c, batch| {
                    Box::pin(batch::bulk_create_tickets(c, batch))
                })
                .await?;
            ids.extend(written);
        }
        Ok(ids)
    }
}
