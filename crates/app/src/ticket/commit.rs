//! Writing ticket changes: every change a use case drafts (fields, a status move, an
//! escalation, a merge, a reply with changes) passes [`pipeline::change`] with one
//! snapshot of the settings and is written by one store call, so in one transaction
//! with its events, notifications and round robin's pick (docs/ARCHITECTURE.md, "The
//! ticket write").

use super::{Tickets, changed_concurrently, for_actor, idempotency_key_reused, pipeline};
use crate::AppError;
use ferrodesk_domain::{Actor, Event, EventKind, NewEvent, Ticket, TicketId, TicketStatus};
use ferrodesk_store::{
    Conflict, Created, Idempotency, NewLink, StoreError, TicketChange, TicketWrite,
};
use jiff::Timestamp;

/// A change to one ticket as a use case drafted it, before the pipeline routes it.
#[derive(Debug, Clone)]
pub(super) struct Drafted {
    /// The ticket as read (its version guards the write).
    pub(super) before: Ticket,
    /// The ticket with the use case's own changes.
    pub(super) after: Ticket,
    /// The use case's own events.
    pub(super) events: Vec<NewEvent>,
}

impl Drafted {
    /// A drafted change of `before` into `after` with `events`.
    pub(super) fn new(before: Ticket, after: Ticket, events: Vec<NewEvent>) -> Self {
        Drafted {
            before,
            after,
            events,
        }
    }
}

impl Tickets<'_> {
    /// Routes drafted changes through the pipeline with one snapshot of the settings
    /// and writes them with `links` in one transaction. A write refused because the
    /// settings changed meanwhile is routed again (`App::with_settings`); the drafts do
    /// not depend on the settings, so they are routed again as they are.
    ///
    /// # Errors
    /// `Conflict` (`ticket_changed`, `idempotency_key_reused`, `settings_changed`),
    /// `NotFound`, and what the pipeline returns.
    pub(super) async fn commit(
        &self,
        id: TicketId,
        drafts: Vec<Drafted>,
        links: Vec<NewLink>,
        idempotency: Option<Idempotency>,
    ) -> Result<Created<Vec<Event>>, AppError> {
        let (drafts, links, idempotency) = (&drafts, &links, &idempotency);
        self.app
            .with_settings(|settings| async move {
                let mut changes = Vec::with_capacity(drafts.len());
                for draft in drafts.iter().cloned() {
                    let change = pipeline::change(
                        self.app,
                        &settings,
                        draft.before,
                        draft.after,
                        draft.events,
                    )
                    .await?;
                    changes.push(change);
                }
                self.write(
                    id,
                    changes,
                    links.clone(),
                    idempotency.clone(),
                    Some(settings.version),
                )
                .await
            })
            .await
    }

    /// Writes routed changes and links in one transaction.
    ///
    /// # Errors
    /// `Conflict` (`ticket_changed`, `idempotency_key_reused`, `settings_changed`),
    /// `NotFound`.
    pub(super) async fn write(
        &self,
        id: TicketId,
        changes: Vec<TicketChange>,
        links: Vec<NewLink>,
        idempotency: Option<Idempotency>,
        settings_version: Option<i64>,
    ) -> Result<Created<Vec<Event>>, AppError> {
        self.app
            .db()
            .save_tickets(TicketWrite {
                changes,
                links,
                idempotency,
                settings_version,
            })
            .await
            .map_err(|error| match error {
                StoreError::Conflict {
                    kind: Conflict::IdempotencyKeyReused,
                    ..
                } => idempotency_key_reused(),
                other => changed_concurrently(other, id),
            })
    }

    /// [`Tickets::commit`] for a change of one ticket; the ticket as written, for the
    /// actor.
    pub(super) async fn commit_one(
        &self,
        actor: &Actor,
        before: Ticket,
        after: Ticket,
        events: Vec<NewEvent>,
    ) -> Result<Ticket, AppError> {
        let id = before.id;
        self.commit(
            id,
            vec![Drafted::new(before, after, events)],
            Vec::new(),
            None,
        )
        .await?;
        self.reread(actor, id).await
    }

    /// The ticket as written, for the actor.
    pub(super) async fn reread(&self, actor: &Actor, id: TicketId) -> Result<Ticket, AppError> {
        Ok(for_actor(actor, self.read(id).await?))
    }

    /// `ticket` moved to `to`, and the `status_changed` event that says so.
    ///
    /// # Errors
    /// `InvalidTransition` when the status machine refuses the move.
    pub(super) fn moved(
        &self,
        actor: &Actor,
        ticket: &mut Ticket,
        to: TicketStatus,
        now: Timestamp,
    ) -> Result<NewEvent, AppError> {
        let from = ticket.transition(to, now)?;
        Ok(self.event(actor, EventKind::StatusChanged { from, to }, now))
    }
}
