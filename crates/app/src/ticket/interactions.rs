//! Replies, notes, calls and walk-ins logged on a ticket.

use super::{
    IdempotencyKey, MAX_BODY_CHARS, Tickets, changed_concurrently, idempotency_key_reused,
};
use crate::AppError;
use crate::input::{body, optional, required};
use ferrodesk_domain::{
    Actor, CallDirection, Event, EventKind, Ticket, TicketId, TicketStatus, TransitionError,
    Visibility,
};
use ferrodesk_store::{
    Conflict, Created, EventAppend, Idempotency, StoreError, TicketChange, TicketWrite,
};

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
