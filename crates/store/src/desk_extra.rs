//! Storage the desk's self-service features need beyond [`DeskStore`](crate::DeskStore):
//! retiring an asset, the tickets a person watches (their "watching" queue), saved
//! queue filters shared with a group, and ending a person's other sessions when they
//! change their password.

use crate::{SavedFilter, StoreResult};
use async_trait::async_trait;
use ferrodesk_domain::{Asset, AssetId, GroupId, TicketId, UserId};
use jiff::Timestamp;

/// A saved queue filter and the group it is shared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedFilter {
    /// The filter.
    pub filter: SavedFilter,
    /// The group whose members see it; `None` keeps it private to its owner.
    pub group_id: Option<GroupId>,
}

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

    /// Saves a named queue filter, private (`group_id` `None`) or shared with a group.
    ///
    /// # Errors
    /// `Conflict` when the person has a filter of that name; `NotFound` for an unknown
    /// person or group.
    async fn create_filter(
        &self,
        user_id: UserId,
        name: String,
        query: String,
        group_id: Option<GroupId>,
        now: Timestamp,
    ) -> StoreResult<SharedFilter>;

    /// The filters a person sees: their own and those shared with any of `group_ids`,
    /// by name.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_filters(
        &self,
        user_id: UserId,
        group_ids: &[GroupId],
    ) -> StoreResult<Vec<SharedFilter>>;

    /// Assets created or changed after `after` (a change time and id), in that order, at
    /// most `limit` (the search index's asset feed).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn assets_changed_after(
        &self,
        after: Option<(Timestamp, AssetId)>,
        limit: i64,
    ) -> StoreResult<Vec<Asset>>;
}
