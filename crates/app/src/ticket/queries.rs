//! Reading tickets: one ticket, a page of them, the queue counts, a timeline; and the
//! access checks every use case starts with.

use super::{Tickets, for_actor};
use crate::{AppError, OrNotFound as _};
use ferrodesk_domain::{Actor, Event, Ticket, TicketId};
use ferrodesk_store::{EventPage, Page, QueueCounts, TicketFilter, TicketQuery};

impl Tickets<'_> {
    /// A ticket the actor may see, unredacted, for internal use.
    pub(crate) async fn visible(&self, actor: &Actor, id: TicketId) -> Result<Ticket, AppError> {
        let ticket = self.read(id).await?;
        if actor.can_view(&ticket) {
            Ok(ticket)
        } else {
            Err(AppError::not_found("ticket", id))
        }
    }

    /// A ticket as stored, whoever asks.
    pub(super) async fn read(&self, id: TicketId) -> Result<Ticket, AppError> {
        self.app
            .db()
            .get_ticket(id)
            .await
            .or_not_found("ticket", id)
    }

    /// A ticket the actor may change.
    pub(crate) async fn workable(&self, actor: &Actor, id: TicketId) -> Result<Ticket, AppError> {
        let ticket = self.visible(actor, id).await?;
        if actor.can_work(&ticket) {
            Ok(ticket)
        } else {
            Err(AppError::forbidden(format!(
                "you may not change ticket {}",
                id.display_number()
            )))
        }
    }

    /// Reads a ticket the actor may see.
    ///
    /// # Errors
    /// `NotFound`, also for a ticket the actor may not see.
    pub async fn get(&self, actor: &Actor, id: TicketId) -> Result<Ticket, AppError> {
        Ok(for_actor(actor, self.visible(actor, id).await?))
    }

    /// A page of the tickets the actor may see, filtered and sorted.
    ///
    /// # Errors
    /// `Unavailable`.
    pub async fn list(&self, actor: &Actor, query: &TicketQuery) -> Result<Page<Ticket>, AppError> {
        let page = self
            .app
            .db()
            .list_tickets(&actor.ticket_scope(), query)
            .await?;
        Ok(Page {
            items: page
                .items
                .into_iter()
                .map(|t| for_actor(actor, t))
                .collect(),
            next_cursor: page.next_cursor,
        })
    }

    /// How many tickets the actor may see match `filter`, counted no further than `cap`
    /// (a saved filter's count in the sidebar: "500+").
    ///
    /// # Errors
    /// `Unavailable`.
    pub async fn count_capped(
        &self,
        actor: &Actor,
        filter: &TicketFilter,
        cap: i64,
    ) -> Result<i64, AppError> {
        Ok(self
            .app
            .db()
            .count_tickets_capped(&actor.ticket_scope(), filter, cap)
            .await?)
    }

    /// Live queue counts (staff).
    ///
    /// # Errors
    /// `Forbidden` for customers.
    pub async fn counts(&self, actor: &Actor) -> Result<QueueCounts, AppError> {
        if !actor.is_staff() {
            return Err(AppError::forbidden("only staff may read queue counts"));
        }
        Ok(self.app.db().queue_counts().await?)
    }

    /// The part of a ticket's timeline the actor may see: customers never get internal
    /// events.
    ///
    /// # Errors
    /// `NotFound`.
    pub async fn events(
        &self,
        actor: &Actor,
        id: TicketId,
        page: &EventPage,
    ) -> Result<Vec<Event>, AppError> {
        self.visible(actor, id).await?;
        let events = self
            .app
            .db()
            .list_events(id, actor.is_staff(), page)
            .await?;
        Ok(events
            .into_iter()
            .filter(|e| actor.can_see_event(e))
            .collect())
    }
}
