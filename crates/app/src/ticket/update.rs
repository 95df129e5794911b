//! Changing a ticket's fields: the patch is validated into the domain's edit, which
//! decides what moves; the pipeline routes the change.

use super::{MAX_BODY_CHARS, MAX_SUBJECT_CHARS, Tickets, for_actor, pipeline};
use crate::input::{body, optional, required, tags};
use crate::{AppError, OrNotFound as _};
use ferrodesk_domain::{
    Actor, CategoryId, EventKind, FieldInput, GroupId, Impact, NewEvent, Priority, ServiceId,
    Ticket, TicketEdit, TicketId, TicketType, Urgency, UserId,
};
use ferrodesk_store::DeskSettings;
use jiff::Timestamp;
use std::collections::BTreeMap;

/// Changes to a ticket's fields; `None` leaves a field alone, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct TicketPatch {
    /// The version the change was made against; a mismatch is a conflict.
    pub version: Option<i64>,
    /// New subject.
    pub subject: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New type.
    pub ticket_type: Option<TicketType>,
    /// New impact (priority follows unless overridden).
    pub impact: Option<Impact>,
    /// New urgency (priority follows unless overridden).
    pub urgency: Option<Urgency>,
    /// `Some(Some(p))` overrides (with a reason); `Some(None)` returns to the matrix.
    pub priority: Option<Option<Priority>>,
    /// Why the priority is overridden.
    pub priority_reason: Option<String>,
    /// New category.
    pub category_id: Option<Option<CategoryId>>,
    /// New service.
    pub service_id: Option<Option<ServiceId>>,
    /// New location.
    pub location: Option<Option<String>>,
    /// New device.
    pub device: Option<Option<String>>,
    /// New group (the tier follows the group).
    pub group_id: Option<Option<GroupId>>,
    /// New owner.
    pub owner_id: Option<Option<UserId>>,
    /// New assignee.
    pub assignee_id: Option<Option<UserId>>,
    /// New requester (the organization follows).
    pub requester_id: Option<UserId>,
    /// New tags (replace the old ones).
    pub tags: Option<Vec<String>>,
    /// New vendor reference.
    pub external_ref: Option<Option<String>>,
    /// Custom field values to set (an empty input clears one); fields not named stay.
    pub custom_fields: BTreeMap<String, FieldInput>,
}

impl Tickets<'_> {
    /// Changes fields (staff who may work the ticket). Each change is a `field_changed`
    /// event; a priority override carries its reason. Nothing changes, and nothing is
    /// written, when every given value equals the current one.
    ///
    /// # Errors
    /// `NotFound`, `Forbidden`, `Invalid`, `Conflict` (`ticket_changed`).
    pub async fn update(
        &self,
        actor: &Actor,
        id: TicketId,
        patch: TicketPatch,
    ) -> Result<Ticket, AppError> {
        self.app
            .with_settings(|settings| {
                let patch = &patch;
                async move { self.update_routed(actor, id, patch, &settings).await }
            })
            .await
    }

    /// [`Tickets::update`] with one snapshot of the routing settings.
    async fn update_routed(
        &self,
        actor: &Actor,
        id: TicketId,
        patch: &TicketPatch,
        settings: &DeskSettings,
    ) -> Result<Ticket, AppError> {
        let before = self.workable(actor, id).await?;
        self.check_version(&before, patch.version)?;
        let now = self.app.now();
        let mut after = before.clone();
        let mut events = Vec::new();
        self.apply_patch(actor, settings, &mut after, patch, &mut events, now)
            .await?;
        let custom = self
            .app
            .custom_fields()
            .checked_values(
                actor,
                settings,
                (after.ticket_type, after.category_id, Some(id)),
                &patch.custom_fields,
            )
            .await?;
        for kind in custom.changes {
            events.push(self.event(actor, kind, now));
        }
        if events.is_empty() {
            return Ok(for_actor(actor, before));
        }
        if !custom.values.is_empty() {
            after.updated_at = now;
        }
        let mut change = pipeline::change(self.app, settings, before, after, events).await?;
        change.custom_values = custom.values;
        self.write(id, vec![change], Vec::new(), None, Some(settings.version))
            .await?;
        self.reread(actor, id).await
    }

    /// Applies a patch to `ticket` by the domain's rules, with a `field_changed` event
    /// per field that moved.
    ///
    /// # Errors
    /// `Invalid`, `NotFound` (a named category, service, group or person),
    /// `InvalidTransition` (a closed ticket).
    pub(super) async fn apply_patch(
        &self,
        actor: &Actor,
        settings: &DeskSettings,
        ticket: &mut Ticket,
        patch: &TicketPatch,
        events: &mut Vec<NewEvent>,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let edit = self.edit(settings, ticket, patch).await?;
        for change in ticket.apply(edit, now)? {
            events.push(self.event(
                actor,
                EventKind::FieldChanged {
                    field: change.field.to_owned(),
                    old: change.old,
                    new: change.new,
                    reason: change.reason,
                },
                now,
            ));
        }
        Ok(())
    }

    /// Validates a patch into the domain's edit: texts checked, and the category,
    /// service, group, owner, assignee and requester it names looked up.
    async fn edit(
        &self,
        settings: &DeskSettings,
        before: &Ticket,
        patch: &TicketPatch,
    ) -> Result<TicketEdit, AppError> {
        let new_ref = |value: Option<Option<UserId>>, current: Option<UserId>| {
            value.flatten().filter(|v| Some(*v) != current)
        };
        self.check_refs(
            settings,
            patch
                .category_id
                .flatten()
                .filter(|c| Some(*c) != before.category_id),
            patch
                .service_id
                .flatten()
                .filter(|s| Some(*s) != before.service_id),
            new_ref(patch.owner_id, before.owner_id),
            new_ref(patch.assignee_id, before.assignee_id),
        )
        .await?;
        let group = match patch.group_id {
            None => None,
            Some(None) => Some((None, None)),
            Some(Some(id)) => {
                let group = settings
                    .group(id)
                    .ok_or_else(|| AppError::not_found("group", id))?;
                Some((Some(group.id), Some(group.tier)))
            }
        };
        let requester = match patch.requester_id.filter(|r| *r != before.requester_id) {
            None => None,
            Some(id) => {
                let user = self.app.db().get_user(id).await.or_not_found("user", id)?;
                Some((user.id, user.organization_id))
            }
        };
        let texts = |value: &Option<Option<String>>, field: &'static str, max: usize| {
            value
                .as_ref()
                .map(|v| optional(field, v.as_deref(), max))
                .transpose()
        };
        Ok(TicketEdit {
            subject: patch
                .subject
                .as_deref()
                .map(|s| required("subject", s, MAX_SUBJECT_CHARS))
                .transpose()?,
            description: patch
                .description
                .as_deref()
                .map(|d| body("description", d, MAX_BODY_CHARS))
                .transpose()?,
            ticket_type: patch.ticket_type,
            impact: patch.impact,
            urgency: patch.urgency,
            priority: patch.priority,
            priority_reason: optional("priority_reason", patch.priority_reason.as_deref(), 500)?,
            category_id: patch.category_id,
            service_id: patch.service_id,
            location: texts(&patch.location, "location", 200)?,
            device: texts(&patch.device, "device", 200)?,
            group,
            owner_id: patch.owner_id,
            assignee_id: patch.assignee_id,
            requester,
            tags: patch.tags.as_deref().map(tags).transpose()?,
            external_ref: texts(&patch.external_ref, "external_ref", 100)?,
        })
    }
}
