//! Storage of who has which ticket open ([`Presence`]): one row per ticket and person,
//! overwritten by every report. Kept in the database, not in a server's memory, so
//! every node of a PostgreSQL desk sees the agents working on the others
//! (docs/ARCHITECTURE.md, principle 2). Whether a report still counts is the domain's
//! rule ([`ferrodesk_domain::presence`]); the store only filters by the time it is given.

use crate::StoreResult;
use async_trait::async_trait;
use ferrodesk_domain::{Presence, TicketId, UserId};
use jiff::Timestamp;

/// Who has which ticket open.
#[async_trait]
pub trait PresenceStore: Send + Sync {
    /// Records a person's activity on a ticket: one upsert, replacing their last report
    /// on it.
    ///
    /// # Errors
    /// `NotFound` for an unknown ticket or person.
    async fn save_presence(&self, presence: Presence) -> StoreResult<()>;

    /// Forgets a person on a ticket (they left it), and their reports on other tickets
    /// older than `stale_before`, which no longer count. Nothing to forget is not an
    /// error.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn remove_presence(
        &self,
        ticket_id: TicketId,
        user_id: UserId,
        stale_before: Timestamp,
    ) -> StoreResult<()>;

    /// The reports on these tickets made at or after `since`, by ticket and person: one
    /// query for a whole page of tickets.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_presence(
        &self,
        ticket_ids: &[TicketId],
        since: Timestamp,
    ) -> StoreResult<Vec<Presence>>;
}
