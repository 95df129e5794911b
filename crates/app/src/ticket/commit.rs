//! Writing a ticket change: one store call, one transaction.

use super::{Tickets, changed_concurrently, for_actor};
use crate::{AppError, OrNotFound as _};
use ferrodesk_domain::{Actor, Ticket, TicketId};
use ferrodesk_store::{NewLink, TicketChange, TicketWrite};

impl Tickets<'_> {
    pub(super) async fn save(
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

    pub(super) async fn reread(&self, actor: &Actor, id: TicketId) -> Result<Ticket, AppError> {
        let ticket = self
            .app
            .db()
            .get_ticket(id)
            .await
            .or_not_found("ticket", id)?;
        Ok(for_actor(actor, ticket))
    }
}
