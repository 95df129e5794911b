//! Storage of the asset inventory and the links between assets and tickets. Linking
//! or unlinking appends its timeline event in the same transaction.

use crate::{Page, PageRequest, StoreResult};
use async_trait::async_trait;
use ferrodesk_domain::{Asset, AssetId, AssetType, Event, NewEvent, TicketId, UserId};
use jiff::Timestamp;
use jiff::civil::Date;

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

/// Assets, their links to tickets and the search index's asset feed.
#[async_trait]
pub trait AssetStore: Send + Sync {
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

    /// Deletes an asset and its links to tickets. Timeline events that named it keep
    /// its label, so the record of what happened stays.
    ///
    /// # Errors
    /// `NotFound` for an unknown asset.
    async fn delete_asset(&self, id: AssetId) -> StoreResult<()>;

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
