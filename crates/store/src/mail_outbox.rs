//! The outbox across all tickets, for admins: which messages wait or failed for good,
//! and putting a failed one back in the queue once the cause is fixed (a mail server
//! that refused a relay, a wrong password). Part of [`crate::Store`].

use async_trait::async_trait;
use jiff::Timestamp;

use crate::StoreResult;
use crate::mail::{OutboxEntry, OutboxId};

/// The states an outbox row can be in.
pub const OUTBOX_STATES: [&str; 4] = ["pending", "sent", "skipped", "failed"];

/// Storage of the outbox's admin view; part of [`crate::Store`].
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Outbox rows in `state` (one of [`OUTBOX_STATES`]), the latest next attempt
    /// first, at most `limit` (read through the `mail_outbox_due` index).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_outbox_in_state(&self, state: &str, limit: i64) -> StoreResult<Vec<OutboxEntry>>;
    /// Puts a `failed` row back in the queue, due at `now`, with its attempts
    /// counted from zero again; its rendered bytes and Message-ID stay, so the same
    /// message goes out.
    ///
    /// # Errors
    /// `NotFound` when there is no failed row with this id.
    async fn requeue_outbox(&self, id: OutboxId, now: Timestamp) -> StoreResult<()>;
}
