//! Replies, notes, calls and walk-ins logged on a ticket.

use super::commit::Drafted;
use super::{
    IdempotencyKey, MAX_BODY_CHARS, TICKET_CHANGED, TicketPatch, Tickets, changed_concurrently,
    idempotency_key_reused, pipeline,
};
use crate::AppError;
use crate::input::{body, optional, required};
use crate::notifications::audience;
use ferrodesk_domain::{
    Actor, CallDirection, Event, EventId, EventKind, GroupId, NewEvent, Priority, Ticket, TicketId,
    TicketStatus, TransitionError, UserId, Visibility,
};
use ferrodesk_store::{Conflict, Created, EventAppend, Idempotency, NewTimeEntry, StoreError};
use jiff::Timestamp;

/// The longest call the desk records (a day).
pub const MAX_CALL_SECONDS: i64 = 86_400;

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

/// An interaction as a timeline event kind and its visibility.
pub(super) fn interaction_kind(
    input: InteractionInput,
) -> Result<(EventKind, Visibility), AppError> {
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
pub(super) fn is_response(actor: &Actor, kind: &EventKind, visibility: Visibility) -> bool {
    actor.is_staff()
        && visibility == Visibility::Public
        && matches!(
            kind,
            EventKind::Reply { .. } | EventKind::Call { .. } | EventKind::WalkIn { .. }
        )
}

/// Changes to a ticket made with an interaction, in its write: "reply and set status"
/// (staff only). Nothing given changes nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InteractionChanges {
    /// Move the ticket to this status (no move when it already has it).
    pub status: Option<TicketStatus>,
    /// `Some(Some(p))` overrides the priority (with a reason); `Some(None)` returns to
    /// the matrix.
    pub priority: Option<Option<Priority>>,
    /// Why the priority is overridden.
    pub priority_reason: Option<String>,
    /// `Some(Some(agent))` assigns, `Some(None)` releases.
    pub assignee_id: Option<Option<UserId>>,
    /// `Some(Some(group))` moves the ticket to a group, `Some(None)` takes it out.
    pub group_id: Option<Option<GroupId>>,
    /// The ticket's new tags (replacing the old ones).
    pub tags: Option<Vec<String>>,
    /// The version the change was made against; a mismatch is a conflict.
    pub version: Option<i64>,
    /// The newest event the writer of a public reply had seen; when someone else has
    /// replied since, the reply is refused ([`AppError::RepliedMeanwhile`]). `None`
    /// sends without looking.
    pub seen_event_id: Option<EventId>,
    /// Minutes the staff member spent, logged as a time entry with the interaction in
    /// its write (1 to [`ferrodesk_domain::MAX_MINUTES_PER_ENTRY`]).
    pub time_spent_minutes: Option<i64>,
}

impl InteractionChanges {
    /// Whether nothing is to change with the interaction.
    pub fn is_empty(&self) -> bool {
        self.status.is_none()
            && self.priority.is_none()
            && self.assignee_id.is_none()
            && self.group_id.is_none()
            && self.tags.is_none()
    }

    /// The field changes as a patch, if any.
    fn patch(&self) -> Option<TicketPatch> {
        let any = self.priority.is_some()
            || self.assignee_id.is_some()
            || self.group_id.is_some()
            || self.tags.is_some();
        any.then(|| TicketPatch {
            priority: self.priority,
            priority_reason: self.priority_reason.clone(),
            assignee_id: self.assignee_id,
            group_id: self.group_id,
            tags: self.tags.clone(),
            ..TicketPatch::default()
        })
    }
}

impl Tickets<'_> {
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
        let changes = InteractionChanges::default();
        self.add_interaction_changing(actor, id, input, attachments, changes, idempotency)
            .await
    }

    /// Logs an interaction and changes the ticket with it in one command and one
    /// transaction ("reply and set status"): the status move, priority and assignee
    /// pass the write pipeline like any change, and either all of it is written or
    /// nothing is (see [`Tickets::add_interaction_with`] for the interaction).
    ///
    /// # Errors
    /// As [`Tickets::add_interaction_with`]; `Forbidden` when a customer asks for
    /// changes; what [`Tickets::transition`] and [`Tickets::update`] return for the
    /// changes (`InvalidTransition` for a move the status machine refuses, `Conflict`
    /// `ticket_changed` for a stale `version`); `RepliedMeanwhile` for a public reply
    /// when someone else replied after `changes.seen_event_id`.
    pub async fn add_interaction_changing(
        &self,
        actor: &Actor,
        id: TicketId,
        input: InteractionInput,
        attachments: Vec<ferrodesk_domain::Attachment>,
        changes: InteractionChanges,
        idempotency: Option<IdempotencyKey>,
    ) -> Result<Created<Event>, AppError> {
        let ticket = self.visible(actor, id).await?;
        let written = self
            .interact_changing(actor, ticket, input, attachments, changes, idempotency)
            .await?;
        interaction_of(written)
    }

    /// [`Tickets::add_interaction_changing`] on a ticket already read (and checked
    /// visible), returning every event written: the interaction and the changes.
    pub(crate) async fn interact_changing(
        &self,
        actor: &Actor,
        ticket: Ticket,
        input: InteractionInput,
        attachments: Vec<ferrodesk_domain::Attachment>,
        changes: InteractionChanges,
        idempotency: Option<IdempotencyKey>,
    ) -> Result<Created<Vec<Event>>, AppError> {
        let id = ticket.id;
        if actor.is_staff() {
            if !actor.can_work(&ticket) {
                return Err(AppError::forbidden(format!(
                    "you may not change ticket {}",
                    id.display_number()
                )));
            }
        } else if !matches!(input, InteractionInput::Reply { .. }) {
            return Err(AppError::forbidden("customers may only reply"));
        } else if !changes.is_empty() || changes.time_spent_minutes.is_some() {
            return Err(AppError::forbidden(
                "only staff may change a ticket with a reply",
            ));
        }
        let time_spent = match changes.time_spent_minutes {
            Some(minutes) => Some(
                ferrodesk_domain::check_minutes(minutes)
                    .map_err(|e| AppError::invalid("time_spent_minutes", e.to_string()))?,
            ),
            None => None,
        };
        check_attachment_count(&attachments)?;
        let idempotency = self.idempotency(actor, idempotency)?;
        let (kind, visibility) = interaction_kind(input)?;
        if ticket.status == TicketStatus::Closed {
            return Err(TransitionError::AlreadyClosed.into());
        }
        if let Some(seen) = changes.seen_event_id
            && matches!(kind, EventKind::Reply { .. })
        {
            self.check_replied_meanwhile(actor, &ticket, seen).await?;
        }
        let mut event = NewEvent::new(kind, Some(actor.user_id), self.channel, ticket.updated_at)
            .with_attachments(attachments);
        event.visibility = visibility;
        if !actor.is_staff() {
            return self.customer_reply(actor, ticket, event, idempotency).await;
        }
        if changes.is_empty() && time_spent.is_none() {
            let appended = self.append(actor, ticket, event, idempotency).await?;
            return Ok(match appended {
                Created::New(event) => Created::New(vec![event]),
                Created::Replayed(event) => Created::Replayed(vec![event]),
            });
        }
        self.check_version(&ticket, changes.version)?;
        let (ticket, event, changes, idempotency) = (&ticket, &event, &changes, &idempotency);
        self.app
            .with_settings(|settings| async move {
                let now = self.app.now();
                let mut after = ticket.clone();
                let mut events = vec![stamped(actor, ticket, &mut after, event, now)];
                if let Some(patch) = changes.patch() {
                    self.apply_patch(actor, &settings, &mut after, &patch, &mut events, now)
                        .await?;
                }
                if let Some(to) = changes.status.filter(|to| *to != after.status) {
                    self.move_status(actor, &mut after, to, &mut events, now)
                        .await?;
                }
                let mut change =
                    pipeline::change(self.app, &settings, ticket.clone(), after, events).await?;
                change.time_entry = time_spent.map(|minutes| NewTimeEntry {
                    user_id: actor.user_id,
                    minutes,
                    created_at: now,
                });
                let version = Some(settings.version);
                self.write(id, vec![change], Vec::new(), idempotency.clone(), version)
                    .await
            })
            .await
    }

    /// A staff member's interaction that changes nothing else, appended to the
    /// timeline. The pipeline has nothing to do for it: a routing rule runs only on a
    /// change that makes it match, assignment only when the group changes, the
    /// reassignment rules only when the assignee changes. So it is written as an
    /// append, which SQLite's group commit joins with its neighbours: a reply stays
    /// one statement batch on the hot path.
    async fn append(
        &self,
        actor: &Actor,
        ticket: Ticket,
        mut event: NewEvent,
        idempotency: Option<Idempotency>,
    ) -> Result<Created<Event>, AppError> {
        event.created_at = self.app.now();
        let marks_first_response =
            ticket.first_response_at.is_none() && is_response(actor, &event.kind, event.visibility);
        let notices = audience::notices(
            self.app,
            None,
            Some(&ticket),
            &ticket,
            std::slice::from_ref(&event),
            Some(!actor.is_staff()),
        )
        .await?;
        self.app
            .db()
            .append_event(EventAppend {
                ticket_id: ticket.id,
                event,
                marks_first_response,
                idempotency,
                notices,
            })
            .await
            .map_err(|error| reused_or_changed(error, ticket.id))
    }

    /// A customer's reply, written as a ticket change so that a ticket pending on the
    /// customer goes back to open with it; always this path (also when nothing but the
    /// reply changes), so a retried request replays whatever the status was. A
    /// concurrent change of the ticket is retried on the fresh ticket.
    async fn customer_reply(
        &self,
        actor: &Actor,
        mut ticket: Ticket,
        reply: NewEvent,
        idempotency: Option<Idempotency>,
    ) -> Result<Created<Vec<Event>>, AppError> {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let now = self.app.now();
            let mut after = ticket.clone();
            let mut events = Vec::new();
            if ticket.status == TicketStatus::PendingCustomer {
                events.push(self.moved(actor, &mut after, TicketStatus::Open, now)?);
            }
            events.push(stamped(actor, &ticket, &mut after, &reply, now));
            let draft = Drafted::new(ticket.clone(), after, events);
            match self
                .commit(ticket.id, vec![draft], Vec::new(), idempotency.clone())
                .await
            {
                Err(AppError::Conflict { code, message })
                    if code == TICKET_CHANGED && attempts < 3 && idempotency.is_none() =>
                {
                    tracing::debug!(%message, "customer reply raced a change; retrying");
                    ticket = self.app.db().get_ticket(ticket.id).await?;
                }
                written => return written,
            }
        }
    }
}

/// `event` at `now`, with the ticket's change time and first response (a staff
/// member's first public reply, call or visit) moved on `after`.
fn stamped(
    actor: &Actor,
    before: &Ticket,
    after: &mut Ticket,
    event: &NewEvent,
    now: Timestamp,
) -> NewEvent {
    let mut event = event.clone();
    event.created_at = now;
    after.updated_at = now;
    if before.first_response_at.is_none() && is_response(actor, &event.kind, event.visibility) {
        after.first_response_at = Some(now);
    }
    event
}

/// The interaction among the events a change wrote (or replayed).
fn interaction_of(written: Created<Vec<Event>>) -> Result<Created<Event>, AppError> {
    let pick = |events: Vec<Event>| {
        events
            .into_iter()
            .find(|e| e.kind.is_interaction())
            .ok_or_else(|| AppError::from(StoreError::not_found("interaction event")))
    };
    Ok(match written {
        Created::New(events) => Created::New(pick(events)?),
        Created::Replayed(events) => Created::Replayed(pick(events)?),
    })
}

/// A store error of an append as the caller's error.
fn reused_or_changed(error: StoreError, id: TicketId) -> AppError {
    match error {
        StoreError::Conflict {
            kind: Conflict::IdempotencyKeyReused,
            ..
        } => idempotency_key_reused(),
        other => changed_concurrently(other, id),
    }
}

/// Refuses more files on one event than [`crate::attachments::MAX_ATTACHMENTS_PER_EVENT`].
pub(super) fn check_attachment_count(
    attachments: &[ferrodesk_domain::Attachment],
) -> Result<(), AppError> {
    let max = crate::attachments::MAX_ATTACHMENTS_PER_EVENT;
    if attachments.len() > max {
        return Err(AppError::invalid(
            "attachments",
            format!("at most {max} files per message"),
        ));
    }
    Ok(())
}
