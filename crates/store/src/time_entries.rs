//! Storage of time spent on tickets (time entries).

use crate::StoreResult;
use async_trait::async_trait;
use ferrodesk_domain::{EventId, GroupId, TicketId, UserId};
use jiff::Timestamp;

/// The most entries a ticket lists.
pub const MAX_TIME_ENTRIES_LISTED: i64 = 500;

/// Minutes logged by a person: with a reply or note (in the ticket change's
/// transaction, [`crate::TicketChange::time_entry`]) or on their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewTimeEntry {
    /// Who spent the time.
    pub user_id: UserId,
    /// How long, 1 to 1440 (checked by the caller).
    pub minutes: i32,
    /// When it was logged.
    pub created_at: Timestamp,
}

/// A stored time entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeEntry {
    /// Its id.
    pub id: i64,
    /// The ticket.
    pub ticket_id: TicketId,
    /// Who spent the time.
    pub user_id: UserId,
    /// How long.
    pub minutes: i32,
    /// The reply or note it was logged with.
    pub event_id: Option<EventId>,
    /// When it was logged.
    pub created_at: Timestamp,
}

/// Time logged in a period by one agent or on one group's tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeTotal<K> {
    /// The agent or the group (`None`: tickets in no group).
    pub key: K,
    /// Minutes in all.
    pub minutes: i64,
    /// How many entries.
    pub entries: i64,
}

/// Time entries.
#[async_trait]
pub trait TimeStore: Send + Sync {
    /// Logs time on a ticket on its own (not with a message).
    ///
    /// # Errors
    /// `NotFound` for an unknown ticket or user.
    async fn add_time_entry(
        &self,
        ticket_id: TicketId,
        entry: NewTimeEntry,
    ) -> StoreResult<TimeEntry>;

    /// A ticket's entries, oldest first (at most [`MAX_TIME_ENTRIES_LISTED`]).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_time_entries(&self, ticket_id: TicketId) -> StoreResult<Vec<TimeEntry>>;

    /// The minutes logged on a ticket in all.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn ticket_time_total(&self, ticket_id: TicketId) -> StoreResult<i64>;

    /// Minutes logged in `[from, to)` per agent, most first.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn time_by_agent(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<TimeTotal<UserId>>>;

    /// Minutes logged in `[from, to)` per group the tickets are in now, most first.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn time_by_group(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<TimeTotal<Option<GroupId>>>>;
}
