//! Moving a ticket through the status machine, and escalating it.

use super::{MAX_BODY_CHARS, Tickets};
use crate::AppError;
use crate::input::{optional, required};
use ferrodesk_domain::{
    Actor, EscalationKind, EventKind, GroupId, NewEvent, Ticket, TicketId, TicketStatus,
    TransitionError,
};
use ferrodesk_store::StoreError;
use jiff::Timestamp;

/// An escalation: where the ticket goes and why.
#[derive(Debug, Clone)]
pub struct EscalateInput {
    /// The group that takes the ticket over.
    pub to_group: GroupId,
    /// Functional, hierarchical or external.
    pub kind: EscalationKind,
    /// Why; required.
    pub reason: String,
    /// The vendor's case number (external escalations).
    pub external_ref: Option<String>,
    /// Hand the ticket over: clear the assignee so the new group picks it up (otherwise
    /// the assignee keeps working it).
    pub release_assignee: bool,
    /// The version you read, to refuse a stale escalation.
    pub version: Option<i64>,
}

impl Tickets<'_> {
    /// Moves a ticket through the status machine. Staff who may work the ticket move it
    /// anywhere the machine allows; customers may only reopen their resolved tickets.
    /// A parent cannot be resolved or closed while a child is open. A `reason` is kept
    /// on the timeline: as an internal note from staff, as a reply from a customer.
    ///
    /// # Errors
    /// `NotFound`, `Forbidden`, `InvalidTransition` (naming the allowed statuses or the
    /// open children), `Conflict` (`ticket_changed`).
    pub async fn transition(
        &self,
        actor: &Actor,
        id: TicketId,
        to: TicketStatus,
        reason: Option<&str>,
        version: Option<i64>,
    ) -> Result<Ticket, AppError> {
        let before = self.visible(actor, id).await?;
        self.check_version(&before, version)?;
        let reason = optional("reason", reason, MAX_BODY_CHARS)?;
        let now = self.app.now();
        let mut after = before.clone();
        let mut events = Vec::new();
        self.move_status(actor, &mut after, to, &mut events, now)
            .await?;
        if let Some(reason) = reason {
            let kind = if actor.is_staff() {
                EventKind::Note { body: reason }
            } else {
                EventKind::Reply { body: reason }
            };
            events.push(self.event(actor, kind, now));
        }
        self.commit_one(actor, before, after, events).await
    }

    /// Moves `ticket` (as the actor sees it) to `to` with a `status_changed` event, if
    /// the actor may: staff who may work the ticket move it anywhere the machine
    /// allows, customers only reopen their resolved tickets, and a parent is neither
    /// resolved nor closed while a child is open (read only for those moves).
    ///
    /// # Errors
    /// `Forbidden`, `InvalidTransition`.
    pub(super) async fn move_status(
        &self,
        actor: &Actor,
        ticket: &mut Ticket,
        to: TicketStatus,
        events: &mut Vec<NewEvent>,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let customers_only_reopen =
            || AppError::forbidden("customers may only reopen their resolved tickets");
        if !actor.is_staff() && to != TicketStatus::Open {
            return Err(customers_only_reopen());
        }
        ticket.status.check_transition(to)?;
        if !actor.is_staff() && ticket.status != TicketStatus::Resolved {
            return Err(customers_only_reopen());
        }
        if actor.is_staff() && !actor.can_work(ticket) {
            return Err(AppError::forbidden(format!(
                "you may not change ticket {}",
                ticket.id.display_number()
            )));
        }
        if matches!(to, TicketStatus::Resolved | TicketStatus::Closed) {
            let children = self.app.db().open_children(ticket.id).await?;
            if !children.is_empty() {
                return Err(TransitionError::OpenChildren { children }.into());
            }
        }
        events.push(self.moved(actor, ticket, to, now)?);
        Ok(())
    }

    /// Escalates a ticket: to another tier's or a specialist group (functional), to a
    /// supervisor's attention (hierarchical), or to an outside vendor (external, with the
    /// vendor's case number; the ticket then waits on the vendor). One write: the group
    /// and tier move, the escalation level goes up, the assignee is released when the
    /// agent hands the ticket over, and an `escalated` event records who, why and where. The owner stays
    /// accountable; when the ticket had none, the escalating agent becomes its owner.
    ///
    /// # Errors
    /// `NotFound` (ticket or group), `Forbidden` (may not work the ticket), `Invalid`
    /// (no reason, same group, unknown group), `InvalidTransition` (resolved or closed
    /// tickets), `Conflict` (`ticket_changed`).
    pub async fn escalate(
        &self,
        actor: &Actor,
        id: TicketId,
        input: EscalateInput,
    ) -> Result<Ticket, AppError> {
        let before = self.workable(actor, id).await?;
        self.check_version(&before, input.version)?;
        if !before.status.is_open() {
            return Err(AppError::invalid(
                "status",
                format!(
                    "ticket {} is {}; only open tickets can be escalated (reopen it first)",
                    id.display_number(),
                    before.status
                ),
            ));
        }
        let reason = required("reason", &input.reason, MAX_BODY_CHARS)?;
        let external_ref = optional("external_ref", input.external_ref.as_deref(), 200)?;
        let group = match self.app.db().get_group(input.to_group).await {
            Ok(group) => group,
            Err(StoreError::NotFound { .. }) => {
                return Err(AppError::invalid(
                    "to_group_id",
                    format!("group {} does not exist", input.to_group),
                ));
            }
            Err(other) => return Err(other.into()),
        };
        if before.group_id == Some(group.id) && input.kind != EscalationKind::External {
            return Err(AppError::invalid(
                "to_group_id",
                format!("the ticket is already in {}", group.name),
            ));
        }
        let now = self.app.now();
        let mut after = before.clone();
        after.group_id = Some(group.id);
        after.tier = group.tier;
        after.escalation_level += 1;
        after.updated_at = now;
        after.owner_id = before.owner_id.or(Some(actor.user_id));
        if input.release_assignee {
            after.assignee_id = None;
        }
        let mut events = vec![self.event(
            actor,
            EventKind::Escalated {
                kind: input.kind,
                from_group: before.group_id,
                to_group: Some(group.id),
                from_tier: before.tier.get(),
                to_tier: group.tier.get(),
                reason,
                external_ref: external_ref.clone(),
            },
            now,
        )];
        if input.kind == EscalationKind::External {
            after.external_ref = external_ref;
            if before.status != TicketStatus::PendingVendor {
                events.push(self.moved(actor, &mut after, TicketStatus::PendingVendor, now)?);
            }
        }
        if after.assignee_id != before.assignee_id {
            events.push(self.event(
                actor,
                EventKind::FieldChanged {
                    field: "assignee_id".into(),
                    old: before.assignee_id.map(|a| a.to_string()),
                    new: None,
                    reason: Some("handed over with the escalation".into()),
                },
                now,
            ));
        }
        self.commit_one(actor, before, after, events).await
    }
}
