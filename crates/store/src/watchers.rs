//! Storage of who follows a ticket. Adding or removing a watcher appends its timeline
//! event in the same transaction, so the timeline stays the record
//! (docs/ARCHITECTURE.md, principle 3).

use crate::StoreResult;
use async_trait::async_trait;
use ferrodesk_domain::{Event, NewEvent, TicketId, UserId};
use jiff::Timestamp;

/// Someone following a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watcher {
    /// The ticket.
    pub ticket_id: TicketId,
    /// The watcher.
    pub user_id: UserId,
    /// Who added them.
    pub added_by: Option<UserId>,
    /// When.
    pub created_at: Timestamp,
}

/// A watcher added to or removed from a ticket, with the event that records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatcherChange {
    /// The ticket.
    pub ticket_id: TicketId,
    /// The person.
    pub user_id: UserId,
    /// The timeline event (its actor is who made the change).
    pub event: NewEvent,
}

/// Watchers of tickets and the tickets a person watches.
#[async_trait]
pub trait WatcherStore: Send + Sync {
    /// Adds a watcher and appends the event, or does nothing (`None`) when they already
    /// watch the ticket.
    ///
    /// # Errors
    /// `NotFound` for an unknown ticket or person.
    async fn add_watcher(&self, change: WatcherChange) -> StoreResult<Option<Event>>;

    /// Removes a watcher and appends the event, or does nothing (`None`) when they did
    /// not watch the ticket.
    ///
    /// # Errors
    /// `NotFound` for an unknown ticket.
    async fn remove_watcher(&self, change: WatcherChange) -> StoreResult<Option<Event>>;

    /// A ticket's watchers, in the order they were added.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_watchers(&self, ticket_id: TicketId) -> StoreResult<Vec<Watcher>>;

    /// The tickets a person watches, most recently watched first, at most `limit`.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn watched_tickets(&self, user_id: UserId, limit: i64) -> StoreResult<Vec<TicketId>>;
}
