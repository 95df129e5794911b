//! Storage for what hangs off tickets besides their timeline: uploaded files waiting to
//! be cited, watchers, assets and their links to tickets, satisfaction ratings, agents'
//! saved queue filters, category renames and deletes, and secrets the desk keeps for
//! itself.
//!
//! Every write that changes what a ticket shows (a watcher added, an asset linked, a
//! rating given) appends its timeline event in the same transaction, so the timeline
//! stays the record (docs/ARCHITECTURE.md, principle 3).

use crate::{Page, PageRequest, StoreResult};
use async_trait::async_trait;
use ferrodesk_domain::{
    Asset, AssetId, AssetType, Attachment, Category, CategoryId, Event, GroupId, NewEvent,
    TicketId, UserId,
};
use jiff::Timestamp;
use jiff::civil::Date;

/// A file uploaded through the API, waiting to be cited by a ticket or reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// Id, cited as `attachments: [id]`.
    pub id: i64,
    /// Who uploaded it; only they may cite it.
    pub uploader_id: UserId,
    /// The stored file.
    pub attachment: Attachment,
    /// When.
    pub created_at: Timestamp,
}

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

/// The editable fields of an asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetFields {
    /// Inventory tag (unique).
    pub tag: String,
    /// Serial number.
    pub serial: Option<String>,
    /// Kind.
    pub asset_type: AssetType,
    /// Maker.
    pub manufacturer: Option<String>,
    /// Model number.
    pub model: Option<String>,
    /// Where it is.
    pub location: Option<String>,
    /// Who has it.
    pub assigned_to: Option<UserId>,
    /// Bought on.
    pub purchase_date: Option<Date>,
    /// Warranty until.
    pub warranty_end: Option<Date>,
    /// License key, contract or lease.
    pub contract: Option<String>,
}

/// Which assets to list; every set field narrows the list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssetFilter {
    /// Assigned to this person.
    pub assigned_to: Option<UserId>,
    /// Of this kind.
    pub asset_type: Option<AssetType>,
    /// Whose tag starts with this text (case-insensitive).
    pub tag: Option<String>,
}

/// An asset linked to or unlinked from a ticket, with the event that records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetLinkChange {
    /// The ticket.
    pub ticket_id: TicketId,
    /// The asset.
    pub asset_id: AssetId,
    /// The timeline event.
    pub event: NewEvent,
}

/// A satisfaction rating to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRating {
    /// The ticket.
    pub ticket_id: TicketId,
    /// The resolution rated (the ticket's `resolved_at`).
    pub resolved_at: Timestamp,
    /// Who rated (the requester).
    pub requester_id: UserId,
    /// 1 to 5.
    pub score: i64,
    /// What they said.
    pub comment: Option<String>,
    /// The ticket's group when rated.
    pub group_id: Option<GroupId>,
    /// The agent who worked it (assignee, else owner) when rated.
    pub agent_id: Option<UserId>,
    /// The timeline event.
    pub event: NewEvent,
}

/// A stored rating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rating {
    /// Id.
    pub id: i64,
    /// The ticket.
    pub ticket_id: TicketId,
    /// The resolution rated.
    pub resolved_at: Timestamp,
    /// Who rated.
    pub requester_id: UserId,
    /// 1 to 5.
    pub score: i64,
    /// What they said.
    pub comment: Option<String>,
    /// Group when rated.
    pub group_id: Option<GroupId>,
    /// Agent when rated.
    pub agent_id: Option<UserId>,
    /// When.
    pub created_at: Timestamp,
}

/// How to group ratings in a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RatingGrouping {
    /// One row for the whole period.
    Desk,
    /// One row per group.
    Group,
    /// One row per agent.
    Agent,
}

/// One row of a ratings report.
#[derive(Debug, Clone, PartialEq)]
pub struct RatingSummary {
    /// The group or agent id (`None` for the desk row, or ratings without one).
    pub key: Option<i64>,
    /// How many ratings.
    pub count: i64,
    /// Their average score.
    pub average: f64,
}

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

/// Storage for attachments' uploads, watchers, assets, ratings, saved filters,
/// category changes and desk secrets.
#[async_trait]
pub trait DeskStore: Send + Sync {
    /// Records an upload.
    ///
    /// # Errors
    /// `NotFound` for an unknown uploader.
    async fn create_upload(
        &self,
        uploader_id: UserId,
        attachment: Attachment,
        now: Timestamp,
    ) -> StoreResult<Upload>;
    /// The uploads with these ids that exist, in id order.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn get_uploads(&self, ids: &[i64]) -> StoreResult<Vec<Upload>>;

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

    /// Creates an asset.
    ///
    /// # Errors
    /// `Conflict` when the tag is taken; `NotFound` for an unknown person.
    async fn create_asset(&self, fields: AssetFields, now: Timestamp) -> StoreResult<Asset>;
    /// Reads an asset.
    ///
    /// # Errors
    /// `NotFound`.
    async fn get_asset(&self, id: AssetId) -> StoreResult<Asset>;
    /// Replaces an asset's fields.
    ///
    /// # Errors
    /// `NotFound`, `Conflict` when the new tag is taken.
    async fn update_asset(
        &self,
        id: AssetId,
        fields: AssetFields,
        now: Timestamp,
    ) -> StoreResult<Asset>;
    /// A page of assets, filtered, by id.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_assets(
        &self,
        filter: &AssetFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<Asset>>;
    /// Links an asset to a ticket and appends the event; `None` when already linked.
    ///
    /// # Errors
    /// `NotFound` for an unknown ticket or asset.
    async fn link_asset(&self, change: AssetLinkChange) -> StoreResult<Option<Event>>;
    /// Unlinks an asset and appends the event; `None` when it was not linked.
    ///
    /// # Errors
    /// `NotFound` for an unknown ticket.
    async fn unlink_asset(&self, change: AssetLinkChange) -> StoreResult<Option<Event>>;
    /// The assets linked to a ticket, by tag.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn ticket_assets(&self, ticket_id: TicketId) -> StoreResult<Vec<Asset>>;

    /// Records a rating and appends its event.
    ///
    /// # Errors
    /// `Conflict` when this resolution of the ticket was already rated; `NotFound`.
    async fn create_rating(&self, rating: NewRating) -> StoreResult<Rating>;
    /// The rating of one resolution of a ticket, if given.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn find_rating(
        &self,
        ticket_id: TicketId,
        resolved_at: Timestamp,
    ) -> StoreResult<Option<Rating>>;
    /// Count and average score of the ratings given in `[from, to)`, grouped.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn rating_summary(
        &self,
        from: Timestamp,
        to: Timestamp,
        grouping: RatingGrouping,
    ) -> StoreResult<Vec<RatingSummary>>;

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

    /// Renames a category.
    ///
    /// # Errors
    /// `NotFound`; `Conflict` when a sibling has the name.
    async fn rename_category(
        &self,
        id: CategoryId,
        name: String,
        now: Timestamp,
    ) -> StoreResult<Category>;
    /// Deletes a category no ticket uses and that has no children.
    ///
    /// # Errors
    /// `NotFound`; `Conflict` naming why it is still in use.
    async fn delete_category(&self, id: CategoryId) -> StoreResult<()>;

    /// The secret stored under `name`, storing `candidate` first if there is none yet
    /// (every node then uses the first one stored).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn desk_secret(
        &self,
        name: &str,
        candidate: String,
        now: Timestamp,
    ) -> StoreResult<String>;
}
