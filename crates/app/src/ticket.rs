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

mod bulk;
mod commit;
mod create;
mod export;
mod handoff;
mod interactions;
mod links;
mod meanwhile;
mod mentions;
pub(crate) mod pipeline;
mod queries;
mod status;
mod update;

pub use bulk::{BulkAction, BulkItem, BulkOutcome, BulkReport, BulkSelection, MAX_BULK_TICKETS};
pub use create::{NewTicketInput, RequesterRef};
pub use export::{MAX_EXPORT_ROWS, TicketExport};
pub use handoff::HandoffInput;
pub use interactions::{InteractionChanges, InteractionInput, MAX_CALL_SECONDS};
pub use links::{LinkRequestKind, MAX_SPLIT_PARTS, SplitPartInput};
pub use mentions::{MAX_MENTION_MATCHES, Mentionable};
pub use status::EscalateInput;
pub use update::TicketPatch;

use crate::{App, AppError, OrNotFound as _};
use ferrodesk_domain::{
    Actor, CategoryId, Channel, EventKind, NewEvent, ServiceId, Ticket, TicketId, User, UserId,
};
use ferrodesk_store::{Conflict, DeskSettings, Idempotency, StoreError};
use jiff::Timestamp;

/// The longest subject.
pub const MAX_SUBJECT_CHARS: usize = 200;
/// The longest description or message body.
pub const MAX_BODY_CHARS: usize = 50_000;

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

/// The code of a write refused because the ticket changed since it was read.
const TICKET_CHANGED: &str = "ticket_changed";

/// A store error of a ticket write as the caller's error: a stale ticket is
/// `ticket_changed`, a missing one not found.
fn changed_concurrently(error: StoreError, id: TicketId) -> AppError {
    match error {
        StoreError::Conflict {
            kind: Conflict::Stale,
            ..
        } => AppError::conflict(
            TICKET_CHANGED,
            format!(
                "ticket {} changed while this request was made; reload it and try again",
                id.display_number()
            ),
        ),
        StoreError::NotFound { .. } => AppError::not_found("ticket", id),
        other => other.into(),
    }
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

    /// Refuses a change made against a version other than the ticket's.
    fn check_version(&self, ticket: &Ticket, version: Option<i64>) -> Result<(), AppError> {
        if version.is_some_and(|v| v != ticket.version) {
            return Err(changed_concurrently(
                StoreError::conflict(Conflict::Stale, "version"),
                ticket.id,
            ));
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
}
