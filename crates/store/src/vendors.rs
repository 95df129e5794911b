//! Storage of the vendor directory and of the cases hand-offs open.
//!
//! A case is not written through this trait: it follows the ticket write whose
//! `vendor_handoff` event opens it and whose `vendor_message` event answers it, in the
//! same transaction (the adapters derive the row from the event), so a hand-off and its
//! case are written together or not at all.

use crate::{Page, PageRequest, StoreResult};
use async_trait::async_trait;
use ferrodesk_domain::{TicketId, Vendor, VendorCase, VendorFields, VendorId};
use jiff::Timestamp;

/// A vendor as one of a ticket's cases names it, for recognising its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendorThread {
    /// The case.
    pub case: VendorCase,
    /// Its vendor.
    pub vendor: Vendor,
}

/// The vendor directory and the cases with vendors.
#[async_trait]
pub trait VendorStore: Send + Sync {
    /// Adds a vendor (active).
    ///
    /// # Errors
    /// `Conflict` (`vendors_name_key`) when the name is taken.
    async fn create_vendor(&self, fields: VendorFields, now: Timestamp) -> StoreResult<Vendor>;

    /// Reads a vendor.
    ///
    /// # Errors
    /// `NotFound`.
    async fn get_vendor(&self, id: VendorId) -> StoreResult<Vendor>;

    /// Replaces a vendor's fields and whether it is active.
    ///
    /// # Errors
    /// `NotFound`; `Conflict` (`vendors_name_key`).
    async fn save_vendor(
        &self,
        id: VendorId,
        fields: VendorFields,
        is_active: bool,
        now: Timestamp,
    ) -> StoreResult<Vendor>;

    /// Vendors by name, then id.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_vendors(&self, page: &PageRequest) -> StoreResult<Page<Vendor>>;

    /// A ticket's cases with vendors, oldest first (a ticket has a handful).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_vendor_cases(&self, ticket: TicketId) -> StoreResult<Vec<VendorCase>>;

    /// The cases an incoming message may answer, with their vendors: those of
    /// `ticket` (the one its thread names) and the one with `reference` (from its
    /// subject). One indexed read, newest case first.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn find_vendor_threads(
        &self,
        ticket: Option<TicketId>,
        reference: Option<String>,
    ) -> StoreResult<Vec<VendorThread>>;
}
