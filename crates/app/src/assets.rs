//! Assets: the computers, printers, phones and licenses the desk supports, and their
//! links to tickets.
//!
//! Access: staff (agents, supervisors, admins) record, change, retire and link assets;
//! a customer sees only the assets assigned to them (anyone else's reads as not
//! found), and changes none. Linking an asset to a ticket needs the right to work the
//! ticket, and is recorded on its timeline (internal).

use crate::directory::require_staff;
use crate::input::{optional, required};
use crate::{App, AppError, OrNotFound as _};
use ferrodesk_domain::{
    Actor, Asset, AssetId, AssetType, Channel, EventKind, NewEvent, TicketId, UserId,
};
use ferrodesk_store::{
    AssetFields, AssetFilter, AssetLinkChange, Missing, Page, PageRequest, StoreError,
};
use jiff::civil::Date;

/// The longest inventory tag.
pub const MAX_TAG_CHARS: usize = 64;
/// The longest free-text field of an asset.
const MAX_TEXT_CHARS: usize = 200;

/// An asset to record: the store's editable fields, checked and trimmed here.
pub type AssetInput = AssetFields;

/// Changes to an asset: `None` leaves a field alone, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct AssetPatch {
    /// New tag.
    pub tag: Option<String>,
    /// New serial.
    pub serial: Option<Option<String>>,
    /// New kind.
    pub asset_type: Option<AssetType>,
    /// New maker.
    pub manufacturer: Option<Option<String>>,
    /// New model.
    pub model: Option<Option<String>>,
    /// New location.
    pub location: Option<Option<String>>,
    /// New holder.
    pub assigned_to: Option<Option<UserId>>,
    /// New purchase date.
    pub purchase_date: Option<Option<Date>>,
    /// New warranty end.
    pub warranty_end: Option<Option<Date>>,
    /// New contract.
    pub contract: Option<Option<String>>,
}

impl AssetPatch {
    fn apply(self, asset: &Asset) -> AssetInput {
        AssetInput {
            tag: self.tag.unwrap_or_else(|| asset.tag.clone()),
            serial: self.serial.unwrap_or_else(|| asset.serial.clone()),
            asset_type: self.asset_type.unwrap_or(asset.asset_type),
            manufacturer: self
                .manufacturer
                .unwrap_or_else(|| asset.manufacturer.clone()),
            model: self.model.unwrap_or_else(|| asset.model.clone()),
            location: self.location.unwrap_or_else(|| asset.location.clone()),
            assigned_to: self.assigned_to.unwrap_or(asset.assigned_to),
            purchase_date: self.purchase_date.unwrap_or(asset.purchase_date),
            warranty_end: self.warranty_end.unwrap_or(asset.warranty_end),
            contract: self.contract.unwrap_or_else(|| asset.contract.clone()),
        }
    }
}

/// Checks and trims the fields.
fn fields(input: AssetInput) -> Result<AssetFields, AppError> {
    if let (Some(bought), Some(ends)) = (input.purchase_date, input.warranty_end)
        && ends < bought
    {
        return Err(AppError::invalid(
            "warranty_end",
            "the warranty cannot end before the purchase date",
        ));
    }
    let text = |field, value: Option<String>| optional(field, value.as_deref(), MAX_TEXT_CHARS);
    Ok(AssetFields {
        tag: required("tag", &input.tag, MAX_TAG_CHARS)?,
        serial: text("serial", input.serial)?,
        asset_type: input.asset_type,
        manufacturer: text("manufacturer", input.manufacturer)?,
        model: text("model", input.model)?,
        location: text("location", input.location)?,
        assigned_to: input.assigned_to,
        purchase_date: input.purchase_date,
        warranty_end: input.warranty_end,
        contract: text("contract", input.contract)?,
    })
}

/// Maps the store's answers to a write of `fields`.
fn write_error(error: StoreError, fields: &AssetFields) -> AppError {
    match error {
        StoreError::Conflict { .. } => AppError::conflict(
            "asset_tag_taken",
            format!("another asset has the tag '{}'", fields.tag),
        ),
        StoreError::NotFound { .. } => AppError::invalid(
            "assigned_to",
            format!(
                "no person {} exists",
                fields.assigned_to.map_or(0, UserId::get)
            ),
        ),
        other => other.into(),
    }
}

/// The asset service; get one from [`App::assets`].
#[derive(Debug, Clone, Copy)]
pub struct Assets<'a> {
    app: &'a App,
}

impl<'a> Assets<'a> {
    pub(crate) fn new(app: &'a App) -> Self {
        Assets { app }
    }

    /// Records an asset (staff).
    ///
    /// # Errors
    /// `Forbidden` for customers, `Invalid`, `Conflict` (`asset_tag_taken`).
    pub async fn create(&self, actor: &Actor, input: AssetInput) -> Result<Asset, AppError> {
        require_staff(actor, "record assets")?;
        let fields = fields(input)?;
        self.app
            .db()
            .create_asset(fields.clone(), self.app.now())
            .await
            .map_err(|e| write_error(e, &fields))
    }

    /// Reads an asset: staff any, a customer only their own.
    ///
    /// # Errors
    /// `NotFound`, also for someone else's asset asked by a customer.
    pub async fn get(&self, actor: &Actor, id: AssetId) -> Result<Asset, AppError> {
        let asset = self
            .app
            .db()
            .get_asset(id)
            .await
            .or_not_found("asset", id)?;
        if actor.is_staff() || asset.assigned_to == Some(actor.user_id) {
            Ok(asset)
        } else {
            Err(AppError::not_found("asset", id))
        }
    }

    /// A page of assets, filtered; a customer's list is always their own assets.
    ///
    /// # Errors
    /// `Unavailable`.
    pub async fn list(
        &self,
        actor: &Actor,
        mut filter: AssetFilter,
        page: &PageRequest,
    ) -> Result<Page<Asset>, AppError> {
        if !actor.is_staff() {
            filter.assigned_to = Some(actor.user_id);
        }
        Ok(self.app.db().list_assets(&filter, page).await?)
    }

    /// Changes an asset (staff).
    ///
    /// # Errors
    /// `Forbidden` for customers, `NotFound`, `Invalid`, `Conflict` (`asset_tag_taken`).
    pub async fn update(
        &self,
        actor: &Actor,
        id: AssetId,
        patch: AssetPatch,
    ) -> Result<Asset, AppError> {
        let before = self.get(actor, id).await?;
        require_staff(actor, "change assets")?;
        let fields = fields(patch.apply(&before))?;
        self.app
            .db()
            .update_asset(id, fields.clone(), self.app.now())
            .await
            .map_err(|e| match e {
                StoreError::NotFound {
                    missing: Missing::Addressed,
                    ..
                } => AppError::not_found("asset", id),
                other => write_error(other, &fields),
            })
    }

    /// Retires an asset (staff): it and its ticket links go; the timelines keep the
    /// events that named it.
    ///
    /// # Errors
    /// `Forbidden` for customers, `NotFound`.
    pub async fn delete(&self, actor: &Actor, id: AssetId) -> Result<(), AppError> {
        self.get(actor, id).await?;
        require_staff(actor, "retire assets")?;
        self.app
            .db()
            .delete_asset(id)
            .await
            .or_not_found("asset", id)
    }

    /// The assets linked to a ticket the actor may see (a customer sees only their
    /// own among them).
    ///
    /// # Errors
    /// `NotFound` for a ticket the actor may not see.
    pub async fn of_ticket(&self, actor: &Actor, ticket: TicketId) -> Result<Vec<Asset>, AppError> {
        self.app.tickets().visible(actor, ticket).await?;
        let mut assets = self.app.db().ticket_assets(ticket).await?;
        if !actor.is_staff() {
            assets.retain(|a| a.assigned_to == Some(actor.user_id));
        }
        Ok(assets)
    }

    /// Links an asset to a ticket the actor may work, recording it on the timeline.
    /// Returns the ticket's assets afterwards; linking twice changes nothing.
    ///
    /// # Errors
    /// `NotFound` (ticket or asset), `Forbidden`.
    pub async fn link(
        &self,
        actor: &Actor,
        ticket: TicketId,
        asset: AssetId,
        channel: Channel,
    ) -> Result<Vec<Asset>, AppError> {
        self.change_link(actor, ticket, asset, channel, true).await
    }

    /// Unlinks an asset from a ticket the actor may work; unlinking one that is not
    /// linked changes nothing.
    ///
    /// # Errors
    /// `NotFound` (ticket or asset), `Forbidden`.
    pub async fn unlink(
        &self,
        actor: &Actor,
        ticket: TicketId,
        asset: AssetId,
        channel: Channel,
    ) -> Result<Vec<Asset>, AppError> {
        self.change_link(actor, ticket, asset, channel, false).await
    }

    async fn change_link(
        &self,
        actor: &Actor,
        ticket: TicketId,
        asset_id: AssetId,
        channel: Channel,
        is_link: bool,
    ) -> Result<Vec<Asset>, AppError> {
        self.app.tickets().workable(actor, ticket).await?;
        let asset = self.get(actor, asset_id).await?;
        let label = asset.label();
        let kind = if is_link {
            EventKind::AssetLinked { asset_id, label }
        } else {
            EventKind::AssetUnlinked { asset_id, label }
        };
        let change = AssetLinkChange {
            ticket_id: ticket,
            asset_id,
            event: NewEvent::new(kind, Some(actor.user_id), channel, self.app.now()),
        };
        let db = self.app.db();
        let written = if is_link {
            db.link_asset(change).await
        } else {
            db.unlink_asset(change).await
        };
        written.map_err(|e| match e {
            StoreError::NotFound {
                missing: Missing::Addressed,
                ..
            } => AppError::not_found("asset", asset_id),
            other => AppError::from(other),
        })?;
        self.of_ticket(actor, ticket).await
    }
}
