//! Time tracking: minutes staff spent on a ticket, logged with a reply or note (in its
//! write, through [`crate::InteractionChanges::time_spent_minutes`]) or on their own;
//! a ticket's entries and total, and the totals per agent and per group for a period.

use crate::reports::ReportRequest;
use crate::{App, AppError, Reports};
use ferrodesk_domain::{Actor, GroupId, Role, TicketId, UserId, check_minutes};
use ferrodesk_store::{NewTimeEntry, TimeEntry, TimeTotal};
use jiff::civil::Date;

/// Time entries and their totals.
pub struct TimeEntries<'a> {
    app: &'a App,
}

/// A ticket's time: its entries, oldest first, and their sum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketTime {
    /// The entries.
    pub entries: Vec<TimeEntry>,
    /// Minutes in all.
    pub total_minutes: i64,
}

/// Time logged in a period, per agent and per group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeReport {
    /// First day, inclusive.
    pub from: Date,
    /// Last day, inclusive.
    pub to: Date,
    /// Per agent, most first (an agent sees only their own).
    pub by_agent: Vec<TimeTotal<UserId>>,
    /// Per group the tickets are in now, most first (an agent sees only their groups).
    pub by_group: Vec<TimeTotal<Option<GroupId>>>,
}

impl<'a> TimeEntries<'a> {
    pub(crate) fn new(app: &'a App) -> Self {
        TimeEntries { app }
    }

    /// A ticket's entries and total. Staff only; a ticket the actor may not see is
    /// not found.
    ///
    /// # Errors
    /// `Forbidden` for customers, `NotFound`.
    pub async fn for_ticket(&self, actor: &Actor, id: TicketId) -> Result<TicketTime, AppError> {
        require_staff(actor)?;
        let ticket = self.app.tickets().visible(actor, id).await?;
        let db = self.app.db();
        let entries = db.list_time_entries(ticket.id).await?;
        let total_minutes = db.ticket_time_total(ticket.id).await?;
        Ok(TicketTime {
            entries,
            total_minutes,
        })
    }

    /// The minutes logged on a ticket in all (0 for none), for the ticket page.
    ///
    /// # Errors
    /// As [`TimeEntries::for_ticket`].
    pub async fn total(&self, actor: &Actor, id: TicketId) -> Result<i64, AppError> {
        require_staff(actor)?;
        let ticket = self.app.tickets().visible(actor, id).await?;
        Ok(self.app.db().ticket_time_total(ticket.id).await?)
    }

    /// Logs time on a ticket without a message. The actor must be able to work it.
    ///
    /// # Errors
    /// `Forbidden`, `NotFound`, `Invalid` (`minutes` outside 1..=1440).
    pub async fn add(
        &self,
        actor: &Actor,
        id: TicketId,
        minutes: i64,
    ) -> Result<TimeEntry, AppError> {
        require_staff(actor)?;
        let ticket = self.app.tickets().workable(actor, id).await?;
        let minutes =
            check_minutes(minutes).map_err(|e| AppError::invalid("minutes", e.to_string()))?;
        let entry = NewTimeEntry {
            user_id: actor.user_id,
            minutes,
            created_at: self.app.now(),
        };
        Ok(self.app.db().add_time_entry(ticket.id, entry).await?)
    }

    /// The minutes logged in a period per agent and per group. Supervisors and admins
    /// see everyone; an agent sees their own total and their groups'.
    ///
    /// # Errors
    /// `Forbidden` for customers, `Invalid` for a bad period.
    pub async fn report(
        &self,
        actor: &Actor,
        request: &ReportRequest,
    ) -> Result<TimeReport, AppError> {
        require_staff(actor)?;
        let (from, to) = Reports::new(self.app).period(request)?;
        let start = day_start(from)?;
        let end = day_start(
            to.tomorrow()
                .map_err(|e| AppError::invalid("to", e.to_string()))?,
        )?;
        let db = self.app.db();
        let mut by_agent = db.time_by_agent(start, end).await?;
        let mut by_group = db.time_by_group(start, end).await?;
        if actor.role == Role::Agent {
            by_agent.retain(|t| t.key == actor.user_id);
            by_group.retain(|t| t.key.is_some_and(|g| actor.group_ids.contains(&g)));
        }
        if let Some(group) = request.group {
            by_group.retain(|t| t.key == Some(group));
        }
        Ok(TimeReport {
            from,
            to,
            by_agent,
            by_group,
        })
    }
}

fn require_staff(actor: &Actor) -> Result<(), AppError> {
    if actor.is_staff() {
        Ok(())
    } else {
        Err(AppError::forbidden("time tracking is for staff"))
    }
}

fn day_start(date: Date) -> Result<jiff::Timestamp, AppError> {
    Ok(date
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map_err(|e| AppError::invalid("from", e.to_string()))?
        .timestamp())
}
