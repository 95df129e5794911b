//! Tickets and their timelines: open, read, list, change fields, move through the
//! status machine, split, link, merge, and log replies, notes, calls and walk-ins.
//!
//! Access (see `ferrodesk_domain::access`): a ticket the actor may not see is reported
//! as not found; one they see but may not change is forbidden. Customers open tickets
//! for themselves, reply to and reopen their own resolved tickets, and never see
//! internal events or internal fields (tags, vendor reference, escalation level).
//!
//! Every new ticket and every change of fields passes the write pipeline
//! ([`pipeline`]): placement, routing rules, escalation rules and automatic
//! assignment, the same for every channel.

pub(crate) mod pipeline;

use crate::input::{body, optional, required, tags};
use crate::{App, AppError, OrNotFound as _};
use ferrodesk_domain::{
    Actor, CallDirection, CategoryId, Channel, EscalationKind, Event, EventKind, GroupId, Impact,
    LinkKind, NewEvent, Priority, ServiceId, Ticket, TicketEdit, TicketId, TicketStatus,
    TicketType, Tier, TransitionError, Urgency, User, UserId, Visibility, resolve_priority,
};
use ferrodesk_store::{
    Conflict, Created, DeskSettings, EventAppend, EventPage, Idempotency, NewLink, Page,
    QueueCounts, StoreError, TicketChange, TicketLink, TicketQuery, TicketSplit, TicketWrite,
};
use jiff::Timestamp;

/// The longest subject.
pub const MAX_SUBJECT_CHARS: usize = 200;
/// The longest description or message body.
pub const MAX_BODY_CHARS: usize = 50_000;
/// The most parts one split may create.
pub const MAX_SPLIT_PARTS: usize = 20;
/// The longest call the desk records (a day).
pub const MAX_CALL_SECONDS: i64 = 86_400;

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

/// Something said or done with the requester, logged on a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InteractionInput {
    /// A public message.
    Reply {
        /// The message.
        body: String,
    },
    /// An internal note (staff only).
    Note {
        /// The note.
        body: String,
    },
    /// A phone call (staff only).
    Call {
        /// Who called whom.
        direction: CallDirection,
        /// The other party's number.
        number: Option<String>,
        /// Length in seconds.
        duration_seconds: i64,
        /// What was said and done.
        body: String,
        /// Who may see the log entry (public unless given).
        visibility: Option<Visibility>,
    },
    /// A visit at the desk (staff only).
    WalkIn {
        /// Where.
        location: Option<String>,
        /// What was said and done.
        body: String,
        /// Who may see the log entry (public unless given).
        visibility: Option<Visibility>,
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
}

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
}

/// One ticket split off another, routed on its own.
#[derive(Debug, Clone, Default)]
pub struct SplitPartInput {
    /// Subject.
    pub subject: String,
    /// Description (empty unless given).
    pub description: Option<String>,
    /// Type (the original's unless given).
    pub ticket_type: Option<TicketType>,
    /// Impact (the original's unless given).
    pub impact: Option<Impact>,
    /// Urgency (the original's unless given).
    pub urgency: Option<Urgency>,
    /// Category.
    pub category_id: Option<CategoryId>,
    /// Service.
    pub service_id: Option<ServiceId>,
    /// Group (routing rule unless given).
    pub group_id: Option<GroupId>,
    /// Owner.
    pub owner_id: Option<UserId>,
    /// Assignee.
    pub assignee_id: Option<UserId>,
    /// Location (the original's unless given).
    pub location: Option<String>,
    /// Device.
    pub device: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
}

ferrodesk_domain::string_enum!(
    /// How to link a ticket to another, read from the ticket the request is about.
    LinkRequestKind {
        /// This ticket duplicates the other.
        DuplicateOf = "duplicate_of",
        /// Loosely related.
        Related = "related",
        /// This ticket is the other's parent.
        ParentOf = "parent_of",
        /// This ticket is the other's child (stored as the other's `parent_of`).
        ChildOf = "child_of",
        /// This incident is caused by the other (a problem).
        CausedBy = "caused_by",
    }
);

/// A client's retry key and the fingerprint of its request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    /// The `Idempotency-Key` header.
    pub key: String,
    /// SHA-256 of the canonical request ([`crate::secret::fingerprint`]).
    pub fingerprint: String,
}

/// The ticket service; get one from [`App::tickets`].
#[derive(Debug, Clone, Copy)]
pub struct Tickets<'a> {
    app: &'a App,
    channel: Channel,
}

/// Hides what only staff may see from a ticket shown to a customer.
pub fn for_actor(actor: &Actor, mut ticket: Ticket) -> Ticket {
    if !actor.is_staff() {
        ticket.tags.clear();
        ticket.external_ref = None;
        ticket.escalation_level = 0;
    }
    ticket
}

/// A write refused because its idempotency key was used for another request.
fn idempotency_key_reused() -> AppError {
    AppError::conflict(
        "idempotency_key_reused",
        "this Idempotency-Key was already used with a different request; use a new key for a new request",
    )
}

fn changed_concurrently(error: StoreError, id: TicketId) -> AppError {
    match error {
        StoreError::Conflict {
            kind: Conflict::Stale,
            ..
        } => AppError::conflict(
            "ticket_changed",
            format!(
                "ticket {} changed while this request was made; reload it and try again",
                id.display_number()
            ),
        ),
        StoreError::NotFound { .. } => AppError::not_found("ticket", id),
        other => other.into(),
    }
}

/// An interaction as a timeline event kind and its visibility.
fn interaction_kind(input: InteractionInput) -> Result<(EventKind, Visibility), AppError> {
    let kind = match input {
        InteractionInput::Reply { body: text } => {
            return Ok((
                EventKind::Reply {
                    body: required("body", &text, MAX_BODY_CHARS)?,
                },
                Visibility::Public,
            ));
        }
        InteractionInput::Note { body: text } => {
            return Ok((
                EventKind::Note {
                    body: required("body", &text, MAX_BODY_CHARS)?,
                },
                Visibility::Internal,
            ));
        }
        InteractionInput::Call {
            direction,
            number,
            duration_seconds,
            body: text,
            visibility,
        } => {
            if !(0..=MAX_CALL_SECONDS).contains(&duration_seconds) {
                return Err(AppError::invalid(
                    "duration_seconds",
                    format!("must be between 0 and {MAX_CALL_SECONDS}"),
                ));
            }
            (
                EventKind::Call {
                    direction,
                    number: optional("number", number.as_deref(), 50)?,
                    duration_seconds,
                    body: body("body", &text, MAX_BODY_CHARS)?,
                },
                visibility,
            )
        }
        InteractionInput::WalkIn {
            location,
            body: text,
            visibility,
        } => (
            EventKind::WalkIn {
                location: optional("location", location.as_deref(), 200)?,
                body: body("body", &text, MAX_BODY_CHARS)?,
            },
            visibility,
        ),
    };
    let visibility = kind.1.unwrap_or_else(|| kind.0.default_visibility());
    Ok((kind.0, visibility))
}

/// Whether a staff member's event counts as the first response to the requester.
fn is_response(actor: &Actor, kind: &EventKind, visibility: Visibility) -> bool {
    actor.is_staff()
        && visibility == Visibility::Public
        && matches!(
            kind,
            EventKind::Reply { .. } | EventKind::Call { .. } | EventKind::WalkIn { .. }
        )
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

impl<'a> Tickets<'a> {
    pub(crate) fn new(app: &'a App) -> Self {
        Tickets {
            app,
            channel: Channel::Api,
        }
    }

    /// The same service recording `channel` on the events it writes (the API records
    /// `api`; the agent workspace and the portal use their own).
    pub fn via(self, channel: Channel) -> Self {
        Tickets { channel, ..self }
    }

    fn event(&self, actor: &Actor, kind: EventKind, now: Timestamp) -> NewEvent {
        NewEvent::new(kind, Some(actor.user_id), self.channel, now)
    }

    /// A ticket the actor may see, unredacted, for internal use.
    pub(crate) async fn visible(&self, actor: &Actor, id: TicketId) -> Result<Ticket, AppError> {
        let ticket = self
            .app
            .db()
            .get_ticket(id)
            .await
            .or_not_found("ticket", id)?;
        if actor.can_view(&ticket) {
            Ok(ticket)
        } else {
            Err(AppError::not_found("ticket", id))
        }
    }

    /// A ticket the actor may change.
    pub(crate) async fn workable(&self, actor: &Actor, id: TicketId) -> Result<Ticket, AppError> {
        let ticket = self.visible(actor, id).await?;
        if actor.can_work(&ticket) {
            Ok(ticket)
        } else {
            Err(AppError::forbidden(format!(
                "you may not change ticket {}",
                id.display_number()
            )))
        }
    }

    async fn staff_member(&self, field: &'static str, id: UserId) -> Result<User, AppError> {
        let user = self.app.db().get_user(id).await.or_not_found("user", id)?;
        if !user.role.is_staff() || !user.is_active {
            return Err(AppError::invalid(
                field,
                format!("user {id} is not an active member of staff"),
            ));
        }
        Ok(user)
    }

    /// Checks that the named category, service and staff members exist.
    async fn check_refs(
        &self,
        settings: &DeskSettings,
        category_id: Option<CategoryId>,
        service_id: Option<ServiceId>,
        owner_id: Option<UserId>,
        assignee_id: Option<UserId>,
    ) -> Result<(), AppError> {
        if let Some(id) = category_id
            && settings.category(id).is_none()
        {
            return Err(AppError::not_found("category", id));
        }
        if let Some(id) = service_id
            && settings.service(id).is_none()
        {
            return Err(AppError::not_found("service", id));
        }
        if let Some(id) = owner_id {
            self.staff_member("owner_id", id).await?;
        }
        if let Some(id) = assignee_id {
            self.staff_member("assignee_id", id).await?;
        }
        Ok(())
    }

    fn idempotency(
        &self,
        actor: &Actor,
        key: Option<IdempotencyKey>,
    ) -> Result<Option<Idempotency>, AppError> {
        key.map(|key| {
            let well_formed = !key.key.is_empty()
                && key.key.len() <= 255
                && key.key.chars().all(|c| c.is_ascii_graphic());
            if well_formed {
                Ok(Idempotency {
                    actor_id: actor.user_id,
                    key: key.key,
                    fingerprint: key.fingerprint,
                })
            } else {
                Err(AppError::invalid(
                    "idempotency_key",
                    "must be 1 to 255 visible ASCII characters",
                ))
            }
        })
        .transpose()
    }

    // --- open and read --------------------------------------------------------------

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
            ticket_type: input.ticket_type.unwrap_or(TicketType::Incident),
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
        };
        let (category_id, service_id) = (input.category_id, input.service_id);
        let (owner_id, assignee_id) = (input.owner_id, input.assignee_id);
        let draft = &draft;
        let created = self
            .app
            .with_settings(|settings| async move {
                self.check_refs(&settings, category_id, service_id, owner_id, assignee_id)
                    .await?;
                let new = pipeline::open(self.app, &settings, draft.clone()).await?;
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

    /// Reads a ticket the actor may see.
    ///
    /// # Errors
    /// `NotFound`, also for a ticket the actor may not see.
    pub async fn get(&self, actor: &Actor, id: TicketId) -> Result<Ticket, AppError> {
        Ok(for_actor(actor, self.visible(actor, id).await?))
    }

    /// A page of the tickets the actor may see, filtered and sorted.
    ///
    /// # Errors
    /// `Unavailable`.
    pub async fn list(&self, actor: &Actor, query: &TicketQuery) -> Result<Page<Ticket>, AppError> {
        let page = self
            .app
            .db()
            .list_tickets(&actor.ticket_scope(), query)
            .await?;
        Ok(Page {
            items: page
                .items
                .into_iter()
                .map(|t| for_actor(actor, t))
                .collect(),
            next_cursor: page.next_cursor,
        })
    }

    /// Live queue counts (staff).
    ///
    /// # Errors
    /// `Forbidden` for customers.
    pub async fn counts(&self, actor: &Actor) -> Result<QueueCounts, AppError> {
        if !actor.is_staff() {
            return Err(AppError::forbidden("only staff may read queue counts"));
        }
        Ok(self.app.db().queue_counts().await?)
    }

    // --- change --------------------------------------------------------------------

    async fn save(
        &self,
        id: TicketId,
        changes: Vec<TicketChange>,
        links: Vec<NewLink>,
        settings_version: Option<i64>,
    ) -> Result<(), AppError> {
        self.app
            .db()
            .save_tickets(TicketWrite {
                changes,
                links,
                idempotency: None,
                settings_version,
            })
            .await
            .map_err(|e| changed_concurrently(e, id))?;
        Ok(())
    }

    async fn reread(&self, actor: &Actor, id: TicketId) -> Result<Ticket, AppError> {
        let ticket = self
            .app
            .db()
            .get_ticket(id)
            .await
            .or_not_found("ticket", id)?;
        Ok(for_actor(actor, ticket))
    }

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
        if patch.version.is_some_and(|v| v != before.version) {
            return Err(changed_concurrently(
                StoreError::conflict(Conflict::Stale, "version"),
                id,
            ));
        }
        let edit = self.edit(settings, &before, patch).await?;
        let now = self.app.now();
        let mut after = before.clone();
        let changes = after.apply(edit, now)?;
        if changes.is_empty() {
            return Ok(for_actor(actor, before));
        }
        let events: Vec<NewEvent> = changes
            .into_iter()
            .map(|change| {
                self.event(
                    actor,
                    EventKind::FieldChanged {
                        field: change.field.to_owned(),
                        old: change.old,
                        new: change.new,
                        reason: change.reason,
                    },
                    now,
                )
            })
            .collect();
        let change = pipeline::change(self.app, settings, before, after, events).await?;
        self.save(id, vec![change], Vec::new(), Some(settings.version))
            .await?;
        self.reread(actor, id).await
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
        if !actor.is_staff() && to != TicketStatus::Open {
            return Err(AppError::forbidden(
                "customers may only reopen their resolved tickets",
            ));
        }
        if version.is_some_and(|v| v != before.version) {
            return Err(changed_concurrently(
                StoreError::conflict(Conflict::Stale, "version"),
                id,
            ));
        }
        before.status.check_transition(to)?;
        if !actor.is_staff() && before.status != TicketStatus::Resolved {
            return Err(AppError::forbidden(
                "customers may only reopen their resolved tickets",
            ));
        }
        if actor.is_staff() && !actor.can_work(&before) {
            return Err(AppError::forbidden(format!(
                "you may not change ticket {}",
                id.display_number()
            )));
        }
        if matches!(to, TicketStatus::Resolved | TicketStatus::Closed) {
            let children = self.app.db().open_children(id).await?;
            if !children.is_empty() {
                return Err(TransitionError::OpenChildren { children }.into());
            }
        }
        let reason = optional("reason", reason, MAX_BODY_CHARS)?;
        let now = self.app.now();
        let mut after = before.clone();
        let from = after.transition(to, now)?;
        let mut events = vec![self.event(actor, EventKind::StatusChanged { from, to }, now)];
        if let Some(reason) = reason {
            let kind = if actor.is_staff() {
                EventKind::Note { body: reason }
            } else {
                EventKind::Reply { body: reason }
            };
            events.push(self.event(actor, kind, now));
        }
        self.save(
            id,
            vec![TicketChange::new(before, after, events)],
            Vec::new(),
            None,
        )
        .await?;
        self.reread(actor, id).await
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
        if input.version.is_some_and(|v| v != before.version) {
            return Err(changed_concurrently(
                StoreError::conflict(Conflict::Stale, "version"),
                id,
            ));
        }
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
                let from = after.transition(TicketStatus::PendingVendor, now)?;
                events.push(self.event(
                    actor,
                    EventKind::StatusChanged {
                        from,
                        to: TicketStatus::PendingVendor,
                    },
                    now,
                ));
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
        self.save(
            id,
            vec![TicketChange::new(before, after, events)],
            Vec::new(),
            None,
        )
        .await?;
        self.reread(actor, id).await
    }

    // --- split, link, merge -----------------------------------------------------------

    /// Splits a contact with several problems into several tickets. Each part keeps the
    /// requester and channel, is linked `split_from` the original, and is routed on its
    /// own (its own group, category and priority).
    ///
    /// # Errors
    /// `NotFound`, `Forbidden`, `Invalid` (no parts, too many), `InvalidTransition`
    /// for a closed original, `Conflict` (`ticket_changed`).
    pub async fn split(
        &self,
        actor: &Actor,
        id: TicketId,
        parts: Vec<SplitPartInput>,
    ) -> Result<Vec<Ticket>, AppError> {
        let original = self.workable(actor, id).await?;
        if original.status == TicketStatus::Closed {
            return Err(TransitionError::AlreadyClosed.into());
        }
        if parts.is_empty() || parts.len() > MAX_SPLIT_PARTS {
            return Err(AppError::invalid(
                "parts",
                format!("give between 1 and {MAX_SPLIT_PARTS} parts"),
            ));
        }
        let now = self.app.now();
        // The split's write does not name a settings version: route with fresh ones.
        let settings = self.app.db().desk_settings().await?;
        let mut new_tickets = Vec::with_capacity(parts.len());
        for part in parts {
            let subject = required("subject", &part.subject, MAX_SUBJECT_CHARS)?;
            let impact = part.impact.unwrap_or(original.impact);
            let urgency = part.urgency.unwrap_or(original.urgency);
            self.check_refs(
                &settings,
                part.category_id,
                part.service_id,
                part.owner_id,
                part.assignee_id,
            )
            .await?;
            let (group_id, tier) = pipeline::place(&settings, part.group_id, part.service_id)?;
            let ticket = Ticket {
                id: TicketId(0),
                version: 0,
                subject: subject.clone(),
                description: body(
                    "description",
                    part.description.as_deref().unwrap_or(""),
                    MAX_BODY_CHARS,
                )?,
                ticket_type: part.ticket_type.unwrap_or(original.ticket_type),
                status: TicketStatus::New,
                impact,
                urgency,
                priority: Priority::from_matrix(impact, urgency),
                priority_reason: None,
                category_id: part.category_id,
                service_id: part.service_id,
                location: optional("location", part.location.as_deref(), 200)?
                    .or_else(|| original.location.clone()),
                device: optional("device", part.device.as_deref(), 200)?,
                requester_id: original.requester_id,
                organization_id: original.organization_id,
                channel: original.channel,
                group_id,
                tier,
                owner_id: part.owner_id,
                assignee_id: part.assignee_id,
                tags: tags(&part.tags)?,
                escalation_level: 0,
                external_ref: None,
                merged_into: None,
                created_at: now,
                updated_at: now,
                first_response_at: None,
                resolved_at: None,
                closed_at: None,
            };
            let events = vec![
                self.event(actor, EventKind::Created { subject }, now),
                self.event(
                    actor,
                    EventKind::Linked {
                        link: LinkKind::SplitFrom,
                        other: id,
                    },
                    now,
                ),
            ];
            new_tickets.push((ticket, events));
        }
        let mut after = original.clone();
        after.updated_at = now;
        let created = self
            .app
            .db()
            .split_ticket(TicketSplit {
                original: TicketChange::new(original, after, Vec::new()),
                parts: new_tickets,
                actor_id: Some(actor.user_id),
                channel: self.channel,
                now,
            })
            .await
            .map_err(|e| changed_concurrently(e, id))?;
        Ok(created.into_iter().map(|t| for_actor(actor, t)).collect())
    }

    /// Links a ticket to another; both must be visible to and workable by the actor.
    /// Returns the ticket's links afterwards.
    ///
    /// # Errors
    /// `NotFound`, `Forbidden`, `Invalid` (a ticket linked to itself), `Conflict`
    /// (`already_linked`).
    pub async fn link(
        &self,
        actor: &Actor,
        id: TicketId,
        kind: LinkRequestKind,
        other: TicketId,
    ) -> Result<Vec<TicketLink>, AppError> {
        if id == other {
            return Err(AppError::invalid(
                "ticket_id",
                "a ticket cannot be linked to itself",
            ));
        }
        let this = self.workable(actor, id).await?;
        let that = self.workable(actor, other).await?;
        let (source, link, target) = match kind {
            LinkRequestKind::DuplicateOf => (this, LinkKind::DuplicateOf, that),
            LinkRequestKind::Related => (this, LinkKind::Related, that),
            LinkRequestKind::ParentOf => (this, LinkKind::ParentOf, that),
            LinkRequestKind::ChildOf => (that, LinkKind::ParentOf, this),
            LinkRequestKind::CausedBy => (this, LinkKind::CausedBy, that),
        };
        let existing = self.app.db().list_links(source.id).await?;
        if existing.iter().any(|l| l.other == target.id) {
            return Err(AppError::conflict(
                "already_linked",
                format!(
                    "tickets {} and {} are already linked",
                    source.id.display_number(),
                    target.id.display_number()
                ),
            ));
        }
        let now = self.app.now();
        let mut after = source.clone();
        after.updated_at = now;
        let events = vec![self.event(
            actor,
            EventKind::Linked {
                link,
                other: target.id,
            },
            now,
        )];
        let new_link = NewLink {
            source: source.id,
            kind: link,
            target: target.id,
            actor_id: Some(actor.user_id),
            now,
        };
        self.save(
            source.id,
            vec![TicketChange::new(source, after, events)],
            vec![new_link],
            None,
        )
        .await?;
        self.links(actor, id).await
    }

    /// The links of a ticket, leaving out tickets the actor may not see.
    ///
    /// # Errors
    /// `NotFound`.
    pub async fn links(&self, actor: &Actor, id: TicketId) -> Result<Vec<TicketLink>, AppError> {
        self.visible(actor, id).await?;
        let links = self.app.db().list_links(id).await?;
        let others: Vec<TicketId> = links.iter().map(|l| l.other).collect();
        let visible: Vec<TicketId> = self
            .app
            .db()
            .get_tickets(&others)
            .await?
            .into_iter()
            .filter(|t| actor.can_view(t))
            .map(|t| t.id)
            .collect();
        Ok(links
            .into_iter()
            .filter(|l| visible.contains(&l.other))
            .collect())
    }

    /// Merges a duplicate into another ticket: the source is closed with a
    /// `merged_into` event and linked `duplicate_of` the target, which gets a
    /// `merged_from` event. Both timelines stay. Returns the target.
    ///
    /// # Errors
    /// `NotFound`, `Forbidden`, `Invalid` (merging into itself), `InvalidTransition`
    /// (a closed source, open children), `Conflict` (`ticket_closed` target,
    /// `ticket_changed`).
    pub async fn merge(
        &self,
        actor: &Actor,
        id: TicketId,
        into: TicketId,
    ) -> Result<Ticket, AppError> {
        if id == into {
            return Err(AppError::invalid(
                "into",
                "a ticket cannot be merged into itself",
            ));
        }
        let source = self.workable(actor, id).await?;
        let target = self.workable(actor, into).await?;
        if source.status == TicketStatus::Closed {
            return Err(TransitionError::AlreadyClosed.into());
        }
        if target.status == TicketStatus::Closed {
            return Err(AppError::conflict(
                "ticket_closed",
                format!("cannot merge into {}: it is closed", into.display_number()),
            ));
        }
        let children = self.app.db().open_children(id).await?;
        if !children.is_empty() {
            return Err(TransitionError::OpenChildren { children }.into());
        }
        let now = self.app.now();
        let mut source_after = source.clone();
        source_after.status = TicketStatus::Closed;
        source_after.closed_at = Some(now);
        source_after.merged_into = Some(into);
        source_after.updated_at = now;
        let source_events = vec![
            self.event(
                actor,
                EventKind::StatusChanged {
                    from: source.status,
                    to: TicketStatus::Closed,
                },
                now,
            ),
            self.event(actor, EventKind::MergedInto { other: into }, now),
        ];
        let mut target_after = target.clone();
        target_after.updated_at = now;
        let target_events = vec![self.event(actor, EventKind::MergedFrom { other: id }, now)];
        let already_linked = self
            .app
            .db()
            .list_links(id)
            .await?
            .iter()
            .any(|l| l.other == into && l.kind == LinkKind::DuplicateOf && l.is_source);
        let links = if already_linked {
            Vec::new()
        } else {
            vec![NewLink {
                source: id,
                kind: LinkKind::DuplicateOf,
                target: into,
                actor_id: Some(actor.user_id),
                now,
            }]
        };
        self.save(
            id,
            vec![
                TicketChange::new(source, source_after, source_events),
                TicketChange::new(target, target_after, target_events),
            ],
            links,
            None,
        )
        .await?;
        self.reread(actor, into).await
    }

    // --- timeline -------------------------------------------------------------------

    /// Logs a reply, note, call or walk-in on a ticket. Customers may only reply (to
    /// tickets they see); staff must be able to work the ticket. A staff member's first
    /// public reply, call or visit sets the ticket's first response time.
    ///
    /// # Errors
    /// `NotFound`, `Forbidden`, `Invalid`, `InvalidTransition` on a closed ticket,
    /// `Conflict` (`idempotency_key_reused`).
    pub async fn add_interaction(
        &self,
        actor: &Actor,
        id: TicketId,
        input: InteractionInput,
        idempotency: Option<IdempotencyKey>,
    ) -> Result<Created<Event>, AppError> {
        self.add_interaction_with(actor, id, input, Vec::new(), idempotency)
            .await
    }

    /// Logs a reply, note, call or visit carrying files (see
    /// [`Tickets::add_interaction`]). A requester's reply to a ticket pending on them
    /// moves it back to open in the same write, recorded as a status change.
    ///
    /// # Errors
    /// As [`Tickets::add_interaction`]; `Invalid` for too many files.
    pub async fn add_interaction_with(
        &self,
        actor: &Actor,
        id: TicketId,
        input: InteractionInput,
        attachments: Vec<ferrodesk_domain::Attachment>,
        idempotency: Option<IdempotencyKey>,
    ) -> Result<Created<Event>, AppError> {
        let ticket = self.visible(actor, id).await?;
        if actor.is_staff() {
            if !actor.can_work(&ticket) {
                return Err(AppError::forbidden(format!(
                    "you may not change ticket {}",
                    id.display_number()
                )));
            }
        } else if !matches!(input, InteractionInput::Reply { .. }) {
            return Err(AppError::forbidden("customers may only reply"));
        }
        check_attachment_count(&attachments)?;
        let idempotency = self.idempotency(actor, idempotency)?;
        let (kind, visibility) = interaction_kind(input)?;
        if ticket.status == TicketStatus::Closed {
            return Err(TransitionError::AlreadyClosed.into());
        }
        let reused = |error: StoreError| match error {
            StoreError::Conflict {
                kind: Conflict::IdempotencyKeyReused,
                ..
            } => idempotency_key_reused(),
            other => changed_concurrently(other, id),
        };
        if !actor.is_staff() {
            return self
                .customer_reply(actor, ticket, kind, attachments, idempotency)
                .await
                .map_err(reused);
        }
        let marks_first_response =
            ticket.first_response_at.is_none() && is_response(actor, &kind, visibility);
        let mut event = self
            .event(actor, kind, self.app.now())
            .with_attachments(attachments);
        event.visibility = visibility;
        self.app
            .db()
            .append_event(EventAppend {
                ticket_id: id,
                event,
                marks_first_response,
                idempotency,
            })
            .await
            .map_err(reused)
    }

    /// A customer's reply, written as a ticket change so that a ticket pending on the
    /// customer goes back to open with it; always this path (also when nothing but the
    /// reply changes), so a retried request replays whatever the status was. A
    /// concurrent change of the ticket is retried on the fresh ticket.
    async fn customer_reply(
        &self,
        actor: &Actor,
        mut ticket: Ticket,
        kind: EventKind,
        attachments: Vec<ferrodesk_domain::Attachment>,
        idempotency: Option<Idempotency>,
    ) -> Result<Created<Event>, StoreError> {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let now = self.app.now();
            let mut after = ticket.clone();
            let mut events = Vec::new();
            if ticket.status == TicketStatus::PendingCustomer {
                let from = after
                    .transition(TicketStatus::Open, now)
                    .map_err(|e| StoreError::conflict(Conflict::State, e.to_string()))?;
                events.push(self.event(
                    actor,
                    EventKind::StatusChanged {
                        from,
                        to: TicketStatus::Open,
                    },
                    now,
                ));
            }
            after.updated_at = now;
            let mut reply = self
                .event(actor, kind.clone(), now)
                .with_attachments(attachments.clone());
            reply.visibility = Visibility::Public;
            events.push(reply);
            let written = self
                .app
                .db()
                .save_tickets(TicketWrite {
                    changes: vec![TicketChange::new(ticket.clone(), after, events)],
                    links: Vec::new(),
                    idempotency: idempotency.clone(),
                    settings_version: None,
                })
                .await;
            let pick = |events: Vec<Event>| {
                events
                    .into_iter()
                    .rev()
                    .find(|e| e.kind.is_interaction())
                    .ok_or_else(|| StoreError::not_found("reply event"))
            };
            match written {
                Ok(Created::New(events)) => return pick(events).map(Created::New),
                Ok(Created::Replayed(events)) => return pick(events).map(Created::Replayed),
                Err(StoreError::Conflict {
                    kind: Conflict::Stale,
                    what,
                }) if attempts < 3 && idempotency.is_none() => {
                    tracing::debug!(%what, "customer reply raced a change; retrying");
                    ticket = self.app.db().get_ticket(ticket.id).await?;
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// The part of a ticket's timeline the actor may see: customers never get internal
    /// events.
    ///
    /// # Errors
    /// `NotFound`.
    pub async fn events(
        &self,
        actor: &Actor,
        id: TicketId,
        page: &EventPage,
    ) -> Result<Vec<Event>, AppError> {
        self.visible(actor, id).await?;
        let events = self
            .app
            .db()
            .list_events(id, actor.is_staff(), page)
            .await?;
        Ok(events
            .into_iter()
            .filter(|e| actor.can_see_event(e))
            .collect())
    }
}

/// Refuses more files on one event than [`crate::attachments::MAX_ATTACHMENTS_PER_EVENT`].
fn check_attachment_count(attachments: &[ferrodesk_domain::Attachment]) -> Result<(), AppError> {
    let max = crate::attachments::MAX_ATTACHMENTS_PER_EVENT;
    if attachments.len() > max {
        return Err(AppError::invalid(
            "attachments",
            format!("at most {max} files per message"),
        ));
    }
    Ok(())
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
