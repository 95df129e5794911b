//! Storage the desk's self-service features need beyond [`DeskStore`](crate::DeskStore):
//! retiring an asset, the tickets a person watches (their "watching" queue), and ending
//! a person's other sessions when they change their password.

use crate::StoreResult;
use async_trait::async_trait;
use ferrodesk_domain::{AssetId, TicketId, UserId};

/// Asset retirement, watched-ticket lookups and session clean-up.
#[async_trait]
pub trait DeskExtraStore: Send + Sync {
    /// Deletes an asset and its links to tickets. Timeline events that named it keep
    /// its label, so the record of what happened stays.
    ///
    /// # Errors
    /// `NotFound` for an unknown asset.
    async fn delete_asset(&self, id: AssetId) -> StoreResult<()>;

    /// The tickets a person watches, most recently watched first, at most `limit`.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn watched_tickets(&self, user_id: UserId, limit: i64) -> StoreResult<Vec<TicketId>>;

    /// Ends every session of a person except the one whose hash is `keep`; returns how
    /// many ended.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn end_other_sessions(&self, user_id: UserId, keep: Option<String>) -> StoreResult<u64>;
}
