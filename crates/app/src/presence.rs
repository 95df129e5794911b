//! Working on the same ticket: staff who may see a ticket report what they are doing
//! on it ("viewing", "replying") and read who else is there, on the ticket page and in
//! the queue rows.
//!
//! Reports live in the database ([`ferrodesk_store::PresenceStore`]), not in a
//! server's memory, so agents on different nodes see each other. A report counts
//! while it is younger than [`ferrodesk_domain::PRESENCE_TIMEOUT`]; names come from the
//! settings snapshot's staff, so reading presence for a page of tickets is one query.
//! Customers are refused: presence is a staff tool, and a customer never learns which
//! agent has their ticket open.

use crate::directory::staff_actor;
use crate::{App, AppError};
use ferrodesk_domain::presence::{alive_since, others};
use ferrodesk_domain::{Activity, Actor, Presence, Ticket, TicketId, UserId};
use ferrodesk_store::DeskSettings;
use jiff::Timestamp;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The most tickets [`Presences::on_tickets`] looks at: more than a queue page.
pub const MAX_TICKETS: usize = 200;

/// Someone else on a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentStaff {
    /// Who.
    pub user_id: UserId,
    /// Their name.
    pub name: String,
    /// What they are doing.
    pub activity: Activity,
    /// When they last reported it.
    pub seen_at: Timestamp,
}

/// The presence service; get one from [`App::presence`].
#[derive(Debug, Clone, Copy)]
pub struct Presences<'a> {
    app: &'a App,
}

impl<'a> Presences<'a> {
    pub(crate) fn new(app: &'a App) -> Self {
        Presences { app }
    }

    /// Records that the actor is `activity` on the ticket, and returns the others who
    /// are there now (never the actor).
    ///
    /// # Errors
    /// `Forbidden` for customers; `NotFound`, also for a ticket the actor may not see.
    pub async fn report(
        &self,
        actor: &Actor,
        id: TicketId,
        activity: Activity,
    ) -> Result<Vec<PresentStaff>, AppError> {
        let ticket = self.visible(actor, id).await?;
        let now = self.app.now();
        self.app
            .db()
            .save_presence(Presence {
                ticket_id: ticket.id,
                user_id: actor.user_id,
                activity,
                seen_at: now,
            })
            .await?;
        self.others_on(actor, &ticket, now).await
    }

    /// The others on a ticket now (never the actor).
    ///
    /// # Errors
    /// As [`Presences::report`].
    pub async fn others(&self, actor: &Actor, id: TicketId) -> Result<Vec<PresentStaff>, AppError> {
        let ticket = self.visible(actor, id).await?;
        self.others_on(actor, &ticket, self.app.now()).await
    }

    /// Records that the actor left the ticket (closed the page); leaving a ticket they
    /// were not on changes nothing.
    ///
    /// # Errors
    /// As [`Presences::report`].
    pub async fn leave(&self, actor: &Actor, id: TicketId) -> Result<(), AppError> {
        let ticket = self.visible(actor, id).await?;
        let now = self.app.now();
        self.app
            .db()
            .remove_presence(ticket.id, actor.user_id, alive_since(now))
            .await?;
        Ok(())
    }

    /// The others on each of these tickets (a page of queue rows the actor listed), by
    /// ticket: one read of the reports for the whole page. Tickets nobody else is on,
    /// and tickets the actor may not see, are left out; customers see nobody. At most
    /// [`MAX_TICKETS`] tickets are looked at.
    ///
    /// # Errors
    /// `Unavailable`.
    pub async fn on_tickets(
        &self,
        actor: &Actor,
        tickets: &[Ticket],
    ) -> Result<BTreeMap<TicketId, Vec<PresentStaff>>, AppError> {
        let visible: Vec<&Ticket> = tickets
            .iter()
            .filter(|t| actor.can_view(t))
            .take(MAX_TICKETS)
            .collect();
        if !actor.is_staff() || visible.is_empty() {
            return Ok(BTreeMap::new());
        }
        let now = self.app.now();
        let ids: Vec<TicketId> = visible.iter().map(|t| t.id).collect();
        let reports = self.app.db().list_presence(&ids, alive_since(now)).await?;
        if reports.iter().all(|p| p.user_id == actor.user_id) {
            return Ok(BTreeMap::new());
        }
        let settings = self.staff_knowing(&reports).await?;
        let mut found = BTreeMap::new();
        for ticket in visible {
            let on_ticket: Vec<Presence> = reports
                .iter()
                .filter(|p| p.ticket_id == ticket.id)
                .cloned()
                .collect();
            let present = named(&settings, ticket, &others(&on_ticket, actor.user_id, now));
            if !present.is_empty() {
                found.insert(ticket.id, present);
            }
        }
        Ok(found)
    }

    /// As [`Presences::on_tickets`] for tickets named by id (a page asking again for
    /// its rows): the tickets are read once, to check that the actor may see them.
    ///
    /// # Errors
    /// `Unavailable`.
    pub async fn on_ticket_ids(
        &self,
        actor: &Actor,
        ids: &[TicketId],
    ) -> Result<BTreeMap<TicketId, Vec<PresentStaff>>, AppError> {
        if !actor.is_staff() || ids.is_empty() {
            return Ok(BTreeMap::new());
        }
        let ids = &ids[..ids.len().min(MAX_TICKETS)];
        let tickets = self.app.db().get_tickets(ids).await?;
        self.on_tickets(actor, &tickets).await
    }

    /// The ticket, for staff who may see it.
    async fn visible(&self, actor: &Actor, id: TicketId) -> Result<Ticket, AppError> {
        if !actor.is_staff() {
            return Err(AppError::forbidden(
                "only staff see who is working on a ticket",
            ));
        }
        self.app.tickets().visible(actor, id).await
    }

    async fn others_on(
        &self,
        actor: &Actor,
        ticket: &Ticket,
        now: Timestamp,
    ) -> Result<Vec<PresentStaff>, AppError> {
        let reports = self
            .app
            .db()
            .list_presence(&[ticket.id], alive_since(now))
            .await?;
        let alive = others(&reports, actor.user_id, now);
        if alive.is_empty() {
            return Ok(Vec::new());
        }
        let settings = self.staff_knowing(&alive).await?;
        Ok(named(&settings, ticket, &alive))
    }

    /// The settings snapshot, read again once when it lacks someone who reported (a
    /// member of staff added since it was read, maybe on another node).
    async fn staff_knowing(&self, reports: &[Presence]) -> Result<Arc<DeskSettings>, AppError> {
        let ids: Vec<UserId> = reports.iter().map(|p| p.user_id).collect();
        self.app.settings_knowing(&ids).await
    }
}

/// The reports as named staff who may still see the ticket (one who left its group
/// since their last report is not shown); someone unknown to the snapshot, or no longer
/// active, is left out.
fn named(settings: &DeskSettings, ticket: &Ticket, reports: &[Presence]) -> Vec<PresentStaff> {
    reports
        .iter()
        .filter_map(|p| {
            let user = settings.staff.iter().find(|u| u.id == p.user_id)?;
            (user.is_active && staff_actor(user).can_view(ticket)).then(|| PresentStaff {
                user_id: p.user_id,
                name: user.name.clone(),
                activity: p.activity,
                seen_at: p.seen_at,
            })
        })
        .collect()
}
