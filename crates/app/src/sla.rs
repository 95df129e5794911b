//! Service levels as use cases with permission checks: business calendars and SLA
//! policies (admins write, staff read), tickets' stored SLA clocks and the "breaching
//! soon" queue (staff).
//!
//! [`ServiceLevels`] is also the service for what runs on service levels; its use
//! cases live with their concept: routing rules, agents' availability and groups'
//! assignment modes in `routing`, escalation rules and automation settings in
//! `automation`, in-app notifications in `notifications`.

use crate::OrNotFound;
use crate::directory::{require_admin, require_staff};
use crate::input::required;
use crate::{App, AppError};
use ferrodesk_domain::schedule::calendar_from_text;
use ferrodesk_domain::{
    Actor, BusinessMinutes, CategoryId, GroupId, OrganizationId, PriorityTargets, ServiceId,
    SlaTargets, Ticket, TicketId, TicketScope, WarningShare,
};
use ferrodesk_store::{
    CalendarId, CalendarInput, Conflict, PolicyId, PolicyInput, StoreError, StoredCalendar,
    StoredPolicy, TicketSla,
};
use jiff::SignedDuration;

/// Open tickets whose due times are recomputed per write after a policy change.
const REFRESH_BATCH: i64 = 500;

/// The longest name of a calendar, policy or rule.
pub const MAX_NAME_CHARS: usize = 100;

/// A calendar as given by an admin, in its text form.
#[derive(Debug, Clone, Default)]
pub struct CalendarSpec {
    /// Name.
    pub name: String,
    /// 24/7: hours and holidays are ignored.
    pub always_open: bool,
    /// IANA time zone (`Europe/Oslo`).
    pub time_zone: String,
    /// Opening intervals, one per entry: `monday 08:00-16:00`.
    pub hours: Vec<String>,
    /// Holidays: `2026-12-25`.
    pub holidays: Vec<String>,
}

/// One priority's targets in minutes (`None`: no promise).
#[derive(Debug, Clone, Copy, Default)]
pub struct TargetSpec {
    /// First response.
    pub first_response_minutes: Option<i64>,
    /// Update interval.
    pub update_interval_minutes: Option<i64>,
    /// Resolution.
    pub resolution_minutes: Option<i64>,
}

/// A policy as given by an admin.
#[derive(Debug, Clone, Default)]
pub struct PolicySpec {
    /// Name.
    pub name: String,
    /// Calendar.
    pub calendar_id: i64,
    /// Targets for P1..P4.
    pub targets: [TargetSpec; 4],
    /// Warning share in percent (1-99).
    pub warning_percent: i64,
    /// Post progress notes when the update interval passes.
    pub sends_progress_notes: bool,
    /// The default policy.
    pub is_default: bool,
    /// Organizations whose contract this is.
    pub organization_ids: Vec<i64>,
    /// Services.
    pub service_ids: Vec<i64>,
    /// Categories.
    pub category_ids: Vec<i64>,
}

fn minutes(field: &str, value: Option<i64>) -> Result<Option<BusinessMinutes>, AppError> {
    value
        .map(|m| {
            u32::try_from(m)
                .ok()
                .and_then(|m| BusinessMinutes::new(m).ok())
                .ok_or_else(|| {
                    AppError::invalid(
                        field,
                        format!("{m} is not between 1 and {} minutes", BusinessMinutes::MAX),
                    )
                })
        })
        .transpose()
}

fn targets_of(spec: &[TargetSpec; 4]) -> Result<PriorityTargets, AppError> {
    let one = |index: usize| -> Result<SlaTargets, AppError> {
        let t = spec[index];
        let p = index + 1;
        Ok(SlaTargets {
            first_response: minutes(
                &format!("p{p}.first_response_minutes"),
                t.first_response_minutes,
            )?,
            update_interval: minutes(
                &format!("p{p}.update_interval_minutes"),
                t.update_interval_minutes,
            )?,
            resolution: minutes(&format!("p{p}.resolution_minutes"), t.resolution_minutes)?,
        })
    };
    Ok(PriorityTargets {
        p1: one(0)?,
        p2: one(1)?,
        p3: one(2)?,
        p4: one(3)?,
    })
}

/// Maps a store conflict on a name to a clear 409.
pub(crate) fn name_taken(kind: &'static str, name: &str) -> impl FnOnce(StoreError) -> AppError {
    move |error| match error {
        StoreError::Conflict { .. } => AppError::conflict(
            "name_taken",
            format!("a {kind} named '{name}' already exists"),
        ),
        other => other.into(),
    }
}

/// The service-level service; get one from [`App::service_levels`].
#[derive(Debug, Clone, Copy)]
pub struct ServiceLevels<'a> {
    pub(crate) app: &'a App,
}

impl<'a> ServiceLevels<'a> {
    pub(crate) fn new(app: &'a App) -> Self {
        ServiceLevels { app }
    }

    // --- calendars -------------------------------------------------------------------

    fn calendar_input(&self, spec: &CalendarSpec) -> Result<CalendarInput, AppError> {
        let name = required("name", &spec.name, MAX_NAME_CHARS)?;
        let calendar = calendar_from_text(
            spec.always_open,
            spec.time_zone.trim(),
            &spec.hours,
            &spec.holidays,
        )?;
        Ok(CalendarInput {
            name,
            calendar,
            now: self.app.now(),
        })
    }

    /// Every calendar (staff).
    ///
    /// # Errors
    /// `Forbidden` for customers.
    pub async fn calendars(&self, actor: &Actor) -> Result<Vec<StoredCalendar>, AppError> {
        require_staff(actor, "read calendars")?;
        Ok(self.app.db().list_calendars().await?)
    }

    /// One calendar (staff).
    ///
    /// # Errors
    /// `Forbidden`, `NotFound`.
    pub async fn calendar(&self, actor: &Actor, id: i64) -> Result<StoredCalendar, AppError> {
        require_staff(actor, "read calendars")?;
        self.app
            .db()
            .get_calendar(CalendarId(id))
            .await
            .or_not_found("calendar", id)
    }

    /// Creates a calendar (admins).
    ///
    /// # Errors
    /// `Forbidden`, `Invalid` (name, zone, hours, holidays), `Conflict` (`name_taken`).
    pub async fn create_calendar(
        &self,
        actor: &Actor,
        spec: &CalendarSpec,
    ) -> Result<StoredCalendar, AppError> {
        require_admin(actor, "manage calendars")?;
        let input = self.calendar_input(spec)?;
        let name = input.name.clone();
        self.app
            .db()
            .create_calendar(input)
            .await
            .map_err(name_taken("calendar", &name))
    }

    /// Replaces a calendar (admins). Open tickets get new due times in the background.
    ///
    /// # Errors
    /// As for [`ServiceLevels::create_calendar`], and `NotFound`.
    pub async fn update_calendar(
        &self,
        actor: &Actor,
        id: i64,
        spec: &CalendarSpec,
    ) -> Result<StoredCalendar, AppError> {
        require_admin(actor, "manage calendars")?;
        let input = self.calendar_input(spec)?;
        let name = input.name.clone();
        let updated = match self.app.db().update_calendar(CalendarId(id), input).await {
            Err(StoreError::NotFound { .. }) => Err(AppError::not_found("calendar", id)),
            other => other.map_err(name_taken("calendar", &name)),
        }?;
        self.refresh_open_tickets_later();
        Ok(updated)
    }

    /// Deletes a calendar no policy uses (admins).
    ///
    /// # Errors
    /// `Forbidden`, `NotFound`, `Conflict` (`calendar_in_use`).
    pub async fn delete_calendar(&self, actor: &Actor, id: i64) -> Result<(), AppError> {
        require_admin(actor, "manage calendars")?;
        match self.app.db().delete_calendar(CalendarId(id)).await {
            Ok(()) => Ok(()),
            Err(StoreError::NotFound { .. }) => Err(AppError::not_found("calendar", id)),
            Err(StoreError::Conflict {
                kind: Conflict::State,
                what,
            }) => Err(AppError::conflict("calendar_in_use", what)),
            Err(other) => Err(other.into()),
        }
    }

    // --- policies ----------------------------------------------------------------------

    async fn policy_input(&self, spec: &PolicySpec) -> Result<PolicyInput, AppError> {
        let db = self.app.db();
        let name = required("name", &spec.name, MAX_NAME_CHARS)?;
        let warning = u8::try_from(spec.warning_percent)
            .ok()
            .and_then(|p| WarningShare::new(p).ok())
            .ok_or_else(|| {
                AppError::invalid(
                    "warning_percent",
                    format!("{} is not between 1 and 99", spec.warning_percent),
                )
            })?;
        let targets = targets_of(&spec.targets)?;
        let refused = |field: &str, what: &str, id: i64| {
            AppError::invalid(field, format!("{what} {id} does not exist"))
        };
        if db.get_calendar(CalendarId(spec.calendar_id)).await.is_err() {
            return Err(refused("calendar_id", "calendar", spec.calendar_id));
        }
        for id in &spec.organization_ids {
            if db.get_organization(OrganizationId(*id)).await.is_err() {
                return Err(refused("organization_ids", "organization", *id));
            }
        }
        for id in &spec.service_ids {
            if db.get_service(ServiceId(*id)).await.is_err() {
                return Err(refused("service_ids", "service", *id));
            }
        }
        for id in &spec.category_ids {
            if db.get_category(CategoryId(*id)).await.is_err() {
                return Err(refused("category_ids", "category", *id));
            }
        }
        Ok(PolicyInput {
            name,
            calendar_id: CalendarId(spec.calendar_id),
            targets,
            warning,
            sends_progress_notes: spec.sends_progress_notes,
            is_default: spec.is_default,
            organization_ids: spec
                .organization_ids
                .iter()
                .copied()
                .map(OrganizationId)
                .collect(),
            service_ids: spec.service_ids.iter().copied().map(ServiceId).collect(),
            category_ids: spec.category_ids.iter().copied().map(CategoryId).collect(),
            now: self.app.now(),
        })
    }

    /// Every policy (staff).
    ///
    /// # Errors
    /// `Forbidden` for customers.
    pub async fn policies(&self, actor: &Actor) -> Result<Vec<StoredPolicy>, AppError> {
        require_staff(actor, "read SLA policies")?;
        Ok(self.app.db().list_policies().await?)
    }

    /// One policy (staff).
    ///
    /// # Errors
    /// `Forbidden`, `NotFound`.
    pub async fn policy(&self, actor: &Actor, id: i64) -> Result<StoredPolicy, AppError> {
        require_staff(actor, "read SLA policies")?;
        self.app
            .db()
            .get_policy(PolicyId(id))
            .await
            .or_not_found("SLA policy", id)
    }

    /// Creates a policy (admins).
    ///
    /// # Errors
    /// `Forbidden`, `Invalid` (name, targets, warning share, unknown calendar,
    /// organization, service or category), `Conflict` (`name_taken`).
    pub async fn create_policy(
        &self,
        actor: &Actor,
        spec: &PolicySpec,
    ) -> Result<StoredPolicy, AppError> {
        require_admin(actor, "manage SLA policies")?;
        let input = self.policy_input(spec).await?;
        let name = input.name.clone();
        let created = self
            .app
            .db()
            .create_policy(input)
            .await
            .map_err(name_taken("SLA policy", &name))?;
        self.refresh_open_tickets_later();
        Ok(created)
    }

    /// Replaces a policy (admins).
    ///
    /// # Errors
    /// As for [`ServiceLevels::create_policy`], and `NotFound`.
    pub async fn update_policy(
        &self,
        actor: &Actor,
        id: i64,
        spec: &PolicySpec,
    ) -> Result<StoredPolicy, AppError> {
        require_admin(actor, "manage SLA policies")?;
        let input = self.policy_input(spec).await?;
        let name = input.name.clone();
        let updated = match self.app.db().update_policy(PolicyId(id), input).await {
            Err(StoreError::NotFound { .. }) => Err(AppError::not_found("SLA policy", id)),
            other => other.map_err(name_taken("SLA policy", &name)),
        }?;
        self.refresh_open_tickets_later();
        Ok(updated)
    }

    /// Deletes a policy (admins).
    ///
    /// # Errors
    /// `Forbidden`, `NotFound`.
    pub async fn delete_policy(&self, actor: &Actor, id: i64) -> Result<(), AppError> {
        require_admin(actor, "manage SLA policies")?;
        self.app
            .db()
            .delete_policy(PolicyId(id))
            .await
            .or_not_found("SLA policy", id)?;
        self.refresh_open_tickets_later();
        Ok(())
    }

    /// Recomputes the due times of every open ticket at the current time, in batches
    /// of [`REFRESH_BATCH`] (after a calendar or policy changed).
    ///
    /// # Errors
    /// `Unavailable`; the batches before the failure stay done.
    pub async fn refresh_open_tickets(&self) -> Result<(), AppError> {
        let mut after = None;
        loop {
            after = self
                .app
                .db()
                .refresh_open_ticket_slas(after, REFRESH_BATCH, self.app.now())
                .await?;
            if after.is_none() {
                return Ok(());
            }
        }
    }

    /// Starts [`ServiceLevels::refresh_open_tickets`] in the background: an admin's
    /// save returns at once, and open tickets get their new due times moments later
    /// (a ticket that changes meanwhile gets them with its own write).
    fn refresh_open_tickets_later(&self) {
        if tokio::runtime::Handle::try_current().is_err() {
            return;
        }
        let app = self.app.clone();
        tokio::spawn(async move {
            if let Err(error) = app.service_levels().refresh_open_tickets().await {
                tracing::warn!(%error, "open tickets' due times could not be recomputed");
            }
        });
    }

    // --- tickets -----------------------------------------------------------------------

    /// The stored SLA clocks of tickets the actor already read (staff; customers get
    /// none, the targets are the desk's internal promise).
    ///
    /// # Errors
    /// `Unavailable`.
    pub async fn ticket_slas(
        &self,
        actor: &Actor,
        tickets: &[TicketId],
    ) -> Result<Vec<TicketSla>, AppError> {
        if !actor.is_staff() {
            return Ok(Vec::new());
        }
        Ok(self.app.db().ticket_slas(tickets).await?)
    }

    /// The "breaching soon" queue: open tickets the agent may see whose earliest running
    /// due time is within `within` from now (overdue ones first), soonest first.
    ///
    /// # Errors
    /// `Forbidden` for customers.
    pub async fn breaching(
        &self,
        actor: &Actor,
        within: SignedDuration,
        limit: i64,
    ) -> Result<Vec<Ticket>, AppError> {
        require_staff(actor, "read the breaching-soon queue")?;
        let before = self
            .app
            .now()
            .checked_add(within)
            .map_err(|_| AppError::invalid("within_minutes", "too far ahead"))?;
        Ok(self
            .app
            .db()
            .list_breaching(&actor.ticket_scope(), before, limit)
            .await?)
    }

    /// The "breaching soon" queue of one group: like [`ServiceLevels::breaching`], only
    /// that group's tickets, read from the due-time index for that group (an agent's
    /// other groups, or a supervisor's whole desk, do not use up the page).
    ///
    /// # Errors
    /// `Forbidden` for customers; `NotFound` for a group an agent is not in.
    pub async fn breaching_in_group(
        &self,
        actor: &Actor,
        group: GroupId,
        within: SignedDuration,
        limit: i64,
    ) -> Result<Vec<Ticket>, AppError> {
        require_staff(actor, "read the breaching-soon queue")?;
        if actor.ticket_scope() != TicketScope::All && !actor.group_ids.contains(&group) {
            return Err(AppError::not_found("group", group));
        }
        let before = self
            .app
            .now()
            .checked_add(within)
            .map_err(|_| AppError::invalid("within_minutes", "too far ahead"))?;
        // The group scope also lets in the viewer's own tickets of other groups; they
        // are few, and dropped here.
        let scope = TicketScope::Agent {
            user_id: actor.user_id,
            group_ids: vec![group],
        };
        let mut tickets = self.app.db().list_breaching(&scope, before, limit).await?;
        tickets.retain(|t| t.group_id == Some(group));
        Ok(tickets)
    }
}
