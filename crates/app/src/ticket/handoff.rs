//! Handing a ticket off to an outside vendor: one ticket write through the pipeline
//! that moves the ticket to `pending_vendor` (its SLA clock pauses), records the
//! hand-off on the timeline (internal) and, in the same transaction, opens the vendor
//! case and queues the mail to the vendor (see `mail/vendor.rs`).

use super::{MAX_BODY_CHARS, Tickets};
use crate::AppError;
use crate::input::required;
use ferrodesk_domain::vendor::{VendorReference, due_at};
use ferrodesk_domain::{Actor, EventKind, Ticket, TicketId, TicketStatus, VendorId};
use ferrodesk_store::StoreError;

/// A hand-off: to which vendor, and what to ask it.
#[derive(Debug, Clone)]
pub struct HandoffInput {
    /// An active vendor.
    pub vendor_id: VendorId,
    /// The message mailed to the vendor.
    pub message: String,
    /// The version you read, to refuse a stale hand-off.
    pub version: Option<i64>,
}

impl Tickets<'_> {
    /// Hands a ticket off to a vendor: staff who may work the ticket, an open ticket,
    /// an active vendor. The ticket waits on the vendor (a ticket already waiting on a
    /// vendor may be handed to another one), the `vendor_handoff` event carries the
    /// reference (`V-10042-1`) and the due time by the vendor's promise, and the mail
    /// to the vendor is queued with it.
    ///
    /// # Errors
    /// `NotFound` (ticket, also one the actor may not see), `Forbidden` (may not work
    /// the ticket), `Invalid` (`vendor_id`: unknown or deactivated; `message`: blank or
    /// too long), `InvalidTransition` (resolved or closed tickets), `Conflict`
    /// (`ticket_changed`; `conflict` when another hand-off of the ticket took the
    /// same reference at the same moment).
    pub async fn hand_off(
        &self,
        actor: &Actor,
        id: TicketId,
        input: HandoffInput,
    ) -> Result<Ticket, AppError> {
        let before = self.workable(actor, id).await?;
        self.check_version(&before, input.version)?;
        let message = required("message", &input.message, MAX_BODY_CHARS)?;
        let vendor = match self.app.db().get_vendor(input.vendor_id).await {
            Ok(vendor) if vendor.is_active => vendor,
            Ok(vendor) => {
                return Err(AppError::invalid(
                    "vendor_id",
                    format!("{} is deactivated and takes no hand-offs", vendor.name),
                ));
            }
            Err(StoreError::NotFound { .. }) => {
                return Err(AppError::invalid(
                    "vendor_id",
                    format!("vendor {} does not exist", input.vendor_id),
                ));
            }
            Err(other) => return Err(other.into()),
        };
        let earlier = self.app.db().list_vendor_cases(id).await?;
        let reference = VendorReference::next(id, earlier.len());
        let now = self.app.now();
        let mut after = before.clone();
        after.updated_at = now;
        let mut events = Vec::with_capacity(2);
        if before.status != TicketStatus::PendingVendor {
            events.push(self.moved(actor, &mut after, TicketStatus::PendingVendor, now)?);
        }
        events.push(self.event(
            actor,
            EventKind::VendorHandoff {
                vendor_id: vendor.id,
                vendor_name: vendor.name.clone(),
                reference: reference.to_string(),
                message,
                due_at: due_at(now, vendor.response_hours),
            },
            now,
        ));
        self.commit_one(actor, before, after, events).await
    }
}
