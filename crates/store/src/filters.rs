//! Storage of agents' saved queue filters, private or shared with a group, and the
//! queue columns each person chose.

use crate::StoreResult;
use async_trait::async_trait;
use ferrodesk_domain::{GroupId, UserId};
use jiff::Timestamp;

/// An agent's named queue filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedFilter {
    /// Id.
    pub id: i64,
    /// Whose it is.
    pub user_id: UserId,
    /// The name shown in the sidebar (unique per person).
    pub name: String,
    /// The queue's query string (filters and sort).
    pub query: String,
    /// When it was saved.
    pub created_at: Timestamp,
}

/// A saved queue filter and the group it is shared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedFilter {
    /// The filter.
    pub filter: SavedFilter,
    /// The group whose members see it; `None` keeps it private to its owner.
    pub group_id: Option<GroupId>,
}

/// Saved queue filters.
#[async_trait]
pub trait FilterStore: Send + Sync {
    /// Saves a named queue filter for a person.
    ///
    /// # Errors
    /// `Conflict` when they have one of that name.
    async fn create_saved_filter(
        &self,
        user_id: UserId,
        name: String,
        query: String,
        now: Timestamp,
    ) -> StoreResult<SavedFilter>;

    /// A person's saved filters by name.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_saved_filters(&self, user_id: UserId) -> StoreResult<Vec<SavedFilter>>;

    /// Deletes one of a person's saved filters.
    ///
    /// # Errors
    /// `NotFound` when they have no filter with this id.
    async fn delete_saved_filter(&self, user_id: UserId, id: i64) -> StoreResult<()>;

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

    /// The queue columns a person chose, as [`QueueColumns::to_text`] wrote them;
    /// `None` until they choose.
    ///
    /// [`QueueColumns::to_text`]: ferrodesk_domain::QueueColumns::to_text
    ///
    /// # Errors
    /// `Unavailable`.
    async fn find_queue_columns(&self, user_id: UserId) -> StoreResult<Option<String>>;

    /// Saves a person's queue columns (replacing their earlier choice).
    ///
    /// # Errors
    /// `NotFound` for an unknown person.
    async fn save_queue_columns(
        &self,
        user_id: UserId,
        columns: String,
        now: Timestamp,
    ) -> StoreResult<()>;
}
