//! The vendor directory: the outside suppliers and carriers tickets are handed off to,
//! with their contact address and their promise of a response time.
//!
//! Access: staff read the directory (they pick a vendor when handing a ticket off);
//! admins add, change and deactivate vendors. Customers never see it. A deactivated
//! vendor keeps its cases but takes no new hand-off. The hand-off itself is a ticket
//! write (`Tickets::hand_off`, `ticket/handoff.rs`).

use crate::directory::{require_admin, require_staff};
use crate::{App, AppError, OrNotFound as _};
use ferrodesk_domain::{Actor, TicketId, Vendor, VendorCase, VendorFields, VendorId};
use ferrodesk_store::{Conflict, MAX_PAGE_SIZE, Page, PageRequest, StoreError};

/// A vendor to add.
#[derive(Debug, Clone, Default)]
pub struct VendorInput {
    /// Unique name.
    pub name: String,
    /// Contact address the hand-offs are mailed to.
    pub email: String,
    /// The contract or customer number the vendor knows the desk by.
    pub contract_ref: Option<String>,
    /// The vendor's promise: an answer within this many hours.
    pub response_hours: i64,
    /// Notes for staff.
    pub notes: Option<String>,
}

/// Changes to a vendor; absent fields stay. A blank contract reference or notes clears
/// them.
#[derive(Debug, Clone, Default)]
pub struct VendorPatch {
    /// New name.
    pub name: Option<String>,
    /// New contact address.
    pub email: Option<String>,
    /// New contract reference.
    pub contract_ref: Option<String>,
    /// New promise in hours.
    pub response_hours: Option<i64>,
    /// New notes.
    pub notes: Option<String>,
    /// Active or deactivated.
    pub is_active: Option<bool>,
}

/// The vendor service; get one from [`App::vendors`].
#[derive(Debug, Clone, Copy)]
pub struct Vendors<'a> {
    app: &'a App,
}

/// A store conflict on the vendor's name as the caller's `name_taken`.
fn name_taken(error: StoreError, name: &str) -> AppError {
    match error.conflict_kind() {
        Some(Conflict::Unique("vendors_name_key")) => AppError::conflict(
            "name_taken",
            format!("a vendor named '{name}' already exists"),
        ),
        _ => error.into(),
    }
}

impl<'a> Vendors<'a> {
    pub(crate) fn new(app: &'a App) -> Self {
        Vendors { app }
    }

    /// Adds a vendor (admins).
    ///
    /// # Errors
    /// `Forbidden`, `Invalid` (the field named), `Conflict` (`name_taken`).
    pub async fn create(&self, actor: &Actor, input: VendorInput) -> Result<Vendor, AppError> {
        require_admin(actor, "add vendors")?;
        let fields = VendorFields::parse(
            &input.name,
            &input.email,
            input.contract_ref.as_deref(),
            input.response_hours,
            input.notes.as_deref(),
        )?;
        let name = fields.name.clone();
        self.app
            .db()
            .create_vendor(fields, self.app.now())
            .await
            .map_err(|e| name_taken(e, &name))
    }

    /// Reads a vendor (staff).
    ///
    /// # Errors
    /// `Forbidden` (customers), `NotFound`.
    pub async fn get(&self, actor: &Actor, id: VendorId) -> Result<Vendor, AppError> {
        require_staff(actor, "see vendors")?;
        self.app
            .db()
            .get_vendor(id)
            .await
            .or_not_found("vendor", id)
    }

    /// Lists vendors by name (staff).
    ///
    /// # Errors
    /// `Forbidden` (customers).
    pub async fn list(&self, actor: &Actor, page: &PageRequest) -> Result<Page<Vendor>, AppError> {
        require_staff(actor, "see vendors")?;
        Ok(self.app.db().list_vendors(page).await?)
    }

    /// Every vendor by name (staff): the admin list and the hand-off picker.
    ///
    /// # Errors
    /// `Forbidden` (customers).
    pub async fn all(&self, actor: &Actor) -> Result<Vec<Vendor>, AppError> {
        let mut page = PageRequest::first(MAX_PAGE_SIZE);
        let mut vendors = Vec::new();
        loop {
            let found = self.list(actor, &page).await?;
            vendors.extend(found.items);
            match found.next_cursor {
                Some(cursor) => page.cursor = Some(cursor),
                None => return Ok(vendors),
            }
        }
    }

    /// Changes a vendor, or deactivates it (admins).
    ///
    /// # Errors
    /// `Forbidden`, `NotFound`, `Invalid`, `Conflict` (`name_taken`).
    pub async fn update(
        &self,
        actor: &Actor,
        id: VendorId,
        patch: VendorPatch,
    ) -> Result<Vendor, AppError> {
        require_admin(actor, "change vendors")?;
        let current = self.get(actor, id).await?;
        let fields = VendorFields::parse(
            patch.name.as_deref().unwrap_or(&current.name),
            patch.email.as_deref().unwrap_or(current.email.as_str()),
            patch
                .contract_ref
                .as_deref()
                .or(current.contract_ref.as_deref()),
            patch.response_hours.unwrap_or(current.response_hours),
            patch.notes.as_deref().or(current.notes.as_deref()),
        )?;
        let name = fields.name.clone();
        let is_active = patch.is_active.unwrap_or(current.is_active);
        self.app
            .db()
            .save_vendor(id, fields, is_active, self.app.now())
            .await
            .map_err(|e| match e {
                StoreError::NotFound { .. } => AppError::not_found("vendor", id),
                other => name_taken(other, &name),
            })
    }

    /// A ticket's cases with vendors, oldest first (staff who may see the ticket).
    ///
    /// # Errors
    /// `NotFound` (also for a ticket the actor may not see, and for customers).
    pub async fn cases(
        &self,
        actor: &Actor,
        ticket: TicketId,
    ) -> Result<Vec<VendorCase>, AppError> {
        if !actor.is_staff() {
            return Err(AppError::not_found("ticket", ticket));
        }
        self.app.tickets().visible(actor, ticket).await?;
        Ok(self.app.db().list_vendor_cases(ticket).await?)
    }
}
