//! Opening a ticket: the channel's draft is validated, its first events built, and
//! the pipeline places, routes and assigns it before the store writes it.

use super::interactions::{
    InteractionInput, check_attachment_count, interaction_kind, is_response,
};
use super::{
    IdempotencyKey, MAX_BODY_CHARS, MAX_SUBJECT_CHARS, Tickets, for_actor, idempotency_key_reused,
    pipeline,
};
use crate::input::{body, optional, required, tags};
use crate::{AppError, OrNotFound as _};
use ferrodesk_domain::{
    Actor, CategoryId, Channel, EventKind, FieldInput, GroupId, Impact, NewEvent, Priority,
    ServiceId, Ticket, TicketId, TicketStatus, TicketType, Tier, Urgency, UserId, resolve_priority,
};
use ferrodesk_store::{Conflict, Created, StoreError};
use std::collections::BTreeMap;

/// Who the ticket is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequesterRef {
    /// An existing person.
    Id(UserId),
    /// A person by email, created as a customer if unknown.
    Email {
        /// Their address.
        email: String,
        /// Their name, for a new customer.
        name: Option<String>,
    },
}

/// A ticket to open.
#[derive(Debug, Clone, Default)]
pub struct NewTicketInput {
    /// One line saying what is wrong.
    pub subject: String,
    /// The requester's description.
    pub description: String,
    /// Kind of request (incident unless given).
    pub ticket_type: Option<TicketType>,
    /// How widely it reaches (individual unless given).
    pub impact: Option<Impact>,
    /// How soon it hurts (medium unless given).
    pub urgency: Option<Urgency>,
    /// A priority other than the matrix's (staff; needs `priority_reason`).
    pub priority: Option<Priority>,
    /// Why the priority was overridden.
    pub priority_reason: Option<String>,
    /// Category.
    pub category_id: Option<CategoryId>,
    /// Product or service.
    pub service_id: Option<ServiceId>,
    /// Where the problem is.
    pub location: Option<String>,
    /// The device concerned.
    pub device: Option<String>,
    /// Who asked (staff; customers always ask for themselves).
    pub requester: Option<RequesterRef>,
    /// How it came in (the service's channel unless given; phone or walk-in when an
    /// interaction of that kind is logged with it).
    pub channel: Option<Channel>,
    /// The group (staff; see the routing rule in the module docs).
    pub group_id: Option<GroupId>,
    /// Who is accountable (staff).
    pub owner_id: Option<UserId>,
    /// Who works on it (staff).
    pub assignee_id: Option<UserId>,
    /// Labels (staff).
    pub tags: Vec<String>,
    /// A vendor's case number (staff).
    pub external_ref: Option<String>,
    /// A call, visit, reply or note logged with the new ticket (staff).
    pub interaction: Option<InteractionInput>,
    /// Files that come with the request (stored with [`crate::Attachments::store`] or
    /// claimed from uploads); the `created` event carries them.
    pub attachments: Vec<ferrodesk_domain::Attachment>,
    /// Custom field values by key (customers: only fields visible to them).
    pub custom_fields: BTreeMap<String, FieldInput>,
}

/// The priority for impact × urgency, unless overridden with a reason (the domain's
/// rule, with the reason's text checked first).
fn priority_for(
    impact: Impact,
    urgency: Urgency,
    requested: Option<Priority>,
    reason: Option<&str>,
) -> Result<(Priority, Option<String>), AppError> {
    let reason = optional("priority_reason", reason, 500)?;
    Ok(resolve_priority(impact, urgency, requested, reason)?)
}

impl Tickets<'_> {
    /// Opens a ticket. With an idempotency key already used for the same request, the
    /// first ticket comes back as [`Created::Replayed`] and nothing is written.
    ///
    /// # Errors
    /// `Invalid`; `Forbidden` when a customer sets staff-only fields; `NotFound` for an
    /// unknown category, service, group or person; `Conflict`
    /// (`idempotency_key_reused`) when the key was used for another request.
    pub async fn create(
        &self,
        actor: &Actor,
        input: NewTicketInput,
        idempotency: Option<IdempotencyKey>,
    ) -> Result<Created<Ticket>, AppError> {
        if !actor.is_staff() {
            check_customer_create(actor, &input)?;
        }
        let idempotency = self.idempotency(actor, idempotency)?;
        let subject = required("subject", &input.subject, MAX_SUBJECT_CHARS)?;
        let description = body("description", &input.description, MAX_BODY_CHARS)?;
        // The actor was read with this request: opening a ticket for oneself needs no
        // second read of the person.
        let (requester_id, organization_id) = match input.requester {
            None => (actor.user_id, actor.organization_id),
            Some(RequesterRef::Id(id)) => {
                let user = self.app.db().get_user(id).await.or_not_found("user", id)?;
                (user.id, user.organization_id)
            }
            Some(RequesterRef::Email { email, name }) => {
                let user = self
                    .app
                    .directory()
                    .find_or_create_customer(actor, &email, name.as_deref())
                    .await?;
                (user.id, user.organization_id)
            }
        };
        let impact = input.impact.unwrap_or(Impact::Individual);
        let urgency = input.urgency.unwrap_or(Urgency::Medium);
        let (priority, priority_reason) = priority_for(
            impact,
            urgency,
            input.priority,
            input.priority_reason.as_deref(),
        )?;
        let interaction = input.interaction.map(interaction_kind).transpose()?;
        let channel = input.channel.unwrap_or(match &interaction {
            Some((EventKind::Call { .. }, _)) => Channel::Phone,
            Some((EventKind::WalkIn { .. }, _)) => Channel::WalkIn,
            _ => self.channel,
        });

        let now = self.app.now();
        let derived = Priority::from_matrix(impact, urgency);
        check_attachment_count(&input.attachments)?;
        let mut events = vec![
            NewEvent::new(
                EventKind::Created {
                    subject: subject.clone(),
                },
                Some(actor.user_id),
                channel,
                now,
            )
            .with_attachments(input.attachments),
        ];
        if priority_reason.is_some() {
            events.push(NewEvent::new(
                EventKind::FieldChanged {
                    field: "priority".into(),
                    old: Some(derived.to_string()),
                    new: Some(priority.to_string()),
                    reason: priority_reason.clone(),
                },
                Some(actor.user_id),
                channel,
                now,
            ));
        }
        let ticket_type = input.ticket_type.unwrap_or(TicketType::Incident);
        let mut first_response_at = None;
        if let Some((kind, visibility)) = interaction {
            if is_response(actor, &kind, visibility) {
                first_response_at = Some(now);
            }
            let mut event = NewEvent::new(kind, Some(actor.user_id), channel, now);
            event.visibility = visibility;
            events.push(event);
        }
        // Placed and routed by the pipeline, with the settings the write names.
        let unrouted = Ticket {
            id: TicketId(0),
            version: 0,
            subject,
            description,
            ticket_type,
            status: TicketStatus::New,
            impact,
            urgency,
            priority,
            priority_reason,
            category_id: input.category_id,
            service_id: input.service_id,
            location: optional("location", input.location.as_deref(), 200)?,
            device: optional("device", input.device.as_deref(), 200)?,
            requester_id,
            organization_id,
            channel,
            group_id: None,
            tier: Tier::FIRST,
            owner_id: input.owner_id,
            assignee_id: input.assignee_id,
            tags: tags(&input.tags)?,
            escalation_level: 0,
            external_ref: optional("external_ref", input.external_ref.as_deref(), 100)?,
            merged_into: None,
            created_at: now,
            updated_at: now,
            first_response_at,
            resolved_at: None,
            closed_at: None,
        };
        let draft = pipeline::Draft {
            ticket: unrouted,
            events,
            links: Vec::new(),
            idempotency,
            group_id: input.group_id,
            custom_values: Vec::new(),
        };
        let (category_id, service_id) = (input.category_id, input.service_id);
        let (owner_id, assignee_id) = (input.owner_id, input.assignee_id);
        let custom_input = &input.custom_fields;
        let draft = &draft;
        let created = self
            .app
            .with_settings(|settings| async move {
                self.check_refs(&settings, category_id, service_id, owner_id, assignee_id)
                    .await?;
                let custom = self
                    .app
                    .custom_fields()
                    .checked_values(
                        actor,
                        &settings,
                        (ticket_type, category_id, None),
                        custom_input,
                    )
                    .await?;
                let mut draft = draft.clone();
                draft.custom_values = custom.values;
                let new = pipeline::open(self.app, &settings, draft).await?;
                self.app
                    .db()
                    .create_ticket(new)
                    .await
                    .map_err(|error| match error {
                        StoreError::Conflict {
                            kind: Conflict::IdempotencyKeyReused,
                            ..
                        } => idempotency_key_reused(),
                        other => other.into(),
                    })
            })
            .await?;
        Ok(match created {
            Created::New(ticket) => Created::New(for_actor(actor, ticket)),
            Created::Replayed(ticket) => Created::Replayed(for_actor(actor, ticket)),
        })
    }
}

/// What a customer may not set when opening a ticket.
fn check_customer_create(actor: &Actor, input: &NewTicketInput) -> Result<(), AppError> {
    let staff_only = [
        ("priority", input.priority.is_some()),
        ("priority_reason", input.priority_reason.is_some()),
        ("group_id", input.group_id.is_some()),
        ("owner_id", input.owner_id.is_some()),
        ("assignee_id", input.assignee_id.is_some()),
        ("tags", !input.tags.is_empty()),
        ("external_ref", input.external_ref.is_some()),
        ("interaction", input.interaction.is_some()),
        (
            "requester",
            input
                .requester
                .as_ref()
                .is_some_and(|r| *r != RequesterRef::Id(actor.user_id)),
        ),
        (
            "channel",
            input
                .channel
                .is_some_and(|c| matches!(c, Channel::Phone | Channel::WalkIn | Channel::Agent)),
        ),
    ];
    match staff_only.iter().find(|(_, is_set)| *is_set) {
        Some((field, _)) => Err(AppError::forbidden(format!("only staff may set {field}"))),
        None => Ok(()),
    }
}
