//! Watchers: people who follow a ticket besides its requester, owner and assignee.
//!
//! Access: anyone who may see a ticket may watch it themselves and stop watching it
//! (staff of its groups, and a requester's colleagues when their organization shares
//! tickets). Adding or removing someone else needs the right to work the ticket, and
//! the person added must be able to see it. Every change is a public timeline event.

use crate::{App, AppError, OrNotFound as _};
use ferrodesk_domain::{Actor, Channel, EventKind, NewEvent, Ticket, TicketId, UserId};
use ferrodesk_store::{Watcher, WatcherChange};

/// The most tickets the "watching" list shows.
pub const MAX_WATCHED: i64 = 200;

/// The watcher service; get one from [`App::watchers`].
#[derive(Debug, Clone, Copy)]
pub struct Watchers<'a> {
    app: &'a App,
}

impl<'a> Watchers<'a> {
    pub(crate) fn new(app: &'a App) -> Self {
        Watchers { app }
    }

    /// The watchers of a ticket the actor may see, in the order they were added.
    ///
    /// # Errors
    /// `NotFound`, also for a ticket the actor may not see.
    pub async fn list(&self, actor: &Actor, ticket: TicketId) -> Result<Vec<Watcher>, AppError> {
        self.app.tickets().visible(actor, ticket).await?;
        Ok(self.app.db().list_watchers(ticket).await?)
    }

    /// Whether the actor watches the ticket.
    ///
    /// # Errors
    /// As [`Watchers::list`].
    pub async fn is_watching(&self, actor: &Actor, ticket: TicketId) -> Result<bool, AppError> {
        Ok(self
            .list(actor, ticket)
            .await?
            .iter()
            .any(|w| w.user_id == actor.user_id))
    }

    /// Adds `person` (the actor when `None`) to the ticket's watchers; adding someone
    /// who already watches changes nothing. Returns the watchers afterwards.
    ///
    /// # Errors
    /// `NotFound` (ticket, person), `Forbidden` (adding someone else without the right
    /// to work the ticket), `Invalid` (`user_id`: the person cannot see the ticket).
    pub async fn add(
        &self,
        actor: &Actor,
        ticket: TicketId,
        person: Option<UserId>,
        channel: Channel,
    ) -> Result<Vec<Watcher>, AppError> {
        let (ticket, person) = self.target(actor, ticket, person, "add").await?;
        let target = self
            .app
            .db()
            .actor_for_user(person)
            .await
            .or_not_found("user", person)?;
        if !target.can_view(&ticket) {
            return Err(AppError::invalid(
                "user_id",
                format!(
                    "person {person} cannot see ticket {}",
                    ticket.id.display_number()
                ),
            ));
        }
        let change = self.change(actor, ticket.id, person, channel, true);
        self.app
            .db()
            .add_watcher(change)
            .await
            .or_not_found("user", person)?;
        self.list(actor, ticket.id).await
    }

    /// Removes `person` (the actor when `None`) from the ticket's watchers; removing
    /// someone who does not watch changes nothing. Returns the watchers afterwards.
    ///
    /// # Errors
    /// `NotFound` (ticket), `Forbidden` (removing someone else without the right to
    /// work the ticket).
    pub async fn remove(
        &self,
        actor: &Actor,
        ticket: TicketId,
        person: Option<UserId>,
        channel: Channel,
    ) -> Result<Vec<Watcher>, AppError> {
        let (ticket, person) = self.target(actor, ticket, person, "remove").await?;
        let change = self.change(actor, ticket.id, person, channel, false);
        self.app
            .db()
            .remove_watcher(change)
            .await
            .or_not_found("ticket", ticket.id)?;
        self.list(actor, ticket.id).await
    }

    /// The tickets the actor watches and may still see, most recently watched first.
    ///
    /// # Errors
    /// `Unavailable`.
    pub async fn watching(&self, actor: &Actor) -> Result<Vec<Ticket>, AppError> {
        let db = self.app.db();
        let ids = db.watched_tickets(actor.user_id, MAX_WATCHED).await?;
        let mut tickets = db.get_tickets(&ids).await?;
        tickets.retain(|t| actor.can_view(t));
        tickets.sort_by_key(|t| ids.iter().position(|id| *id == t.id));
        Ok(tickets
            .into_iter()
            .map(|t| crate::ticket::for_actor(actor, t))
            .collect())
    }

    /// The ticket and the person a change is about, checked.
    async fn target(
        &self,
        actor: &Actor,
        ticket: TicketId,
        person: Option<UserId>,
        verb: &str,
    ) -> Result<(Ticket, UserId), AppError> {
        let tickets = self.app.tickets();
        let ticket = tickets.visible(actor, ticket).await?;
        let person = person.unwrap_or(actor.user_id);
        if person != actor.user_id && !actor.can_work(&ticket) {
            return Err(AppError::forbidden(format!(
                "only staff who work ticket {} may {verb} other watchers",
                ticket.id.display_number()
            )));
        }
        Ok((ticket, person))
    }

    fn change(
        &self,
        actor: &Actor,
        ticket: TicketId,
        person: UserId,
        channel: Channel,
        is_add: bool,
    ) -> WatcherChange {
        let kind = if is_add {
            EventKind::WatcherAdded { user_id: person }
        } else {
            EventKind::WatcherRemoved { user_id: person }
        };
        WatcherChange {
            ticket_id: ticket,
            user_id: person,
            event: NewEvent::new(kind, Some(actor.user_id), channel, self.app.now()),
        }
    }
}
