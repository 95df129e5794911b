//! Storage for service levels (issue 4): business calendars, SLA policies and their
//! assignments, and each ticket's stored SLA clock.
//!
//! The stored SLA clock of a ticket is kept by the adapters themselves: every ticket
//! write ([`TicketStore::create_ticket`](crate::TicketStore::create_ticket),
//! `save_tickets`, `append_event`, `split_ticket`, the bulk path) recomputes it in the
//! same transaction and schedules the ticket's next SLA deadline and automation step as
//! due jobs ([`JobStore`](crate::JobStore)), so no timer ever scans tickets. Which
//! events move the clock and when a job is due are domain rules
//! (`ferrodesk_domain::sla`, `ferrodesk_domain::automation`); the adapters only read
//! and write the rows.

use crate::{CalendarId, PolicyId, StoreResult};
use async_trait::async_trait;
use ferrodesk_domain::{
    BusinessCalendar, CategoryId, ClockPhase, OrganizationId, PriorityTargets, ServiceId, SlaClock,
    TargetKind, Ticket, TicketId, TicketScope, WarningShare,
};
use jiff::Timestamp;

/// A named business calendar.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCalendar {
    /// Id.
    pub id: CalendarId,
    /// Name; unique.
    pub name: String,
    /// The hours.
    pub calendar: BusinessCalendar,
    /// When it was created.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

/// A calendar to create, or the full new state of one.
#[derive(Debug, Clone, PartialEq)]
pub struct CalendarInput {
    /// Name.
    pub name: String,
    /// The hours.
    pub calendar: BusinessCalendar,
    /// When.
    pub now: Timestamp,
}

/// A stored SLA policy with where it applies.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPolicy {
    /// Id.
    pub id: PolicyId,
    /// Name; unique.
    pub name: String,
    /// The calendar its clocks count in.
    pub calendar_id: CalendarId,
    /// Targets per priority.
    pub targets: PriorityTargets,
    /// When to warn.
    pub warning: WarningShare,
    /// Whether the desk posts a public progress note when the update interval passes.
    pub sends_progress_notes: bool,
    /// Whether this policy covers tickets no assignment covers (at most one).
    pub is_default: bool,
    /// Organizations whose contract this is.
    pub organization_ids: Vec<OrganizationId>,
    /// Services it covers.
    pub service_ids: Vec<ServiceId>,
    /// Categories it covers.
    pub category_ids: Vec<CategoryId>,
    /// When it was created.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

/// A policy to create, or the full new state of one. Setting `is_default` takes the
/// default from whichever policy had it; listing an organization, service or category
/// moves it from the policy that covered it.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyInput {
    /// Name.
    pub name: String,
    /// Calendar.
    pub calendar_id: CalendarId,
    /// Targets.
    pub targets: PriorityTargets,
    /// Warning share.
    pub warning: WarningShare,
    /// Progress notes by policy.
    pub sends_progress_notes: bool,
    /// Default policy.
    pub is_default: bool,
    /// Organizations.
    pub organization_ids: Vec<OrganizationId>,
    /// Services.
    pub service_ids: Vec<ServiceId>,
    /// Categories.
    pub category_ids: Vec<CategoryId>,
    /// When.
    pub now: Timestamp,
}

/// One target of a ticket's stored SLA clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredTarget {
    /// Which target.
    pub kind: TargetKind,
    /// Running, paused or met.
    pub phase: ClockPhase,
    /// When the current cycle started.
    pub started_at: Timestamp,
    /// When the warning share is reached (`None` while paused).
    pub warn_at: Option<Timestamp>,
    /// When it is due (`None` while paused).
    pub due_at: Option<Timestamp>,
}

impl StoredTarget {
    /// How the target stands at `now`.
    pub fn state_at(&self, now: Timestamp) -> SlaState {
        match self.phase {
            ClockPhase::Met => SlaState::Met,
            ClockPhase::Paused => SlaState::Paused,
            ClockPhase::Running => {
                if self.due_at.is_some_and(|d| d <= now) {
                    SlaState::Breached
                } else if self.warn_at.is_some_and(|w| w <= now) {
                    SlaState::Warning
                } else {
                    SlaState::Ok
                }
            }
        }
    }
}

/// How a target stands at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SlaState {
    /// Done (answered, updated or resolved).
    Met,
    /// Stopped while pending on the customer or a vendor.
    Paused,
    /// Running, before the warning share.
    Ok,
    /// Running, past the warning share.
    Warning,
    /// Running, past due.
    Breached,
}

impl SlaState {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            SlaState::Met => "met",
            SlaState::Paused => "paused",
            SlaState::Ok => "ok",
            SlaState::Warning => "warning",
            SlaState::Breached => "breached",
        }
    }
}

/// A ticket's SLA clock as stored at its last change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketSla {
    /// The ticket.
    pub ticket_id: TicketId,
    /// The policy that covers it, if any.
    pub policy_id: Option<PolicyId>,
    /// Time to the first public reply.
    pub first_response: Option<StoredTarget>,
    /// Time to the next public update.
    pub next_update: Option<StoredTarget>,
    /// Time to resolution.
    pub resolution: Option<StoredTarget>,
    /// The earliest due time of a running target.
    pub next_due_at: Option<Timestamp>,
}

impl TicketSla {
    /// The targets that apply.
    pub fn targets(&self) -> impl Iterator<Item = &StoredTarget> {
        [&self.first_response, &self.next_update, &self.resolution]
            .into_iter()
            .flatten()
    }

    /// The target that matters most at `now`: the worst state, then the earliest due.
    pub fn most_urgent(&self, now: Timestamp) -> Option<&StoredTarget> {
        self.targets().max_by(|a, b| {
            a.state_at(now)
                .cmp(&b.state_at(now))
                .then(b.due_at.cmp(&a.due_at))
        })
    }
}

/// Everything a job needs to decide about one ticket, read at one instant.
#[derive(Debug, Clone)]
pub struct TicketSlaNow {
    /// The ticket.
    pub ticket: Ticket,
    /// Its policy.
    pub policy: Option<StoredPolicy>,
    /// Its clock at the instant asked for (`None` without a policy).
    pub clock: Option<SlaClock>,
    /// Marks already recorded: (mark, cycle start).
    pub marks: Vec<(String, Timestamp)>,
    /// When the ticket entered its current status.
    pub status_since: Timestamp,
}

impl TicketSlaNow {
    /// Whether `mark` was recorded for the cycle that started at `cycle_start`.
    pub fn has_mark(&self, mark: &str, cycle_start: Timestamp) -> bool {
        ferrodesk_domain::sla::has_mark(&self.marks, mark, cycle_start)
    }
}

/// Calendars, policies and the stored SLA clocks (see the module docs).
#[async_trait]
pub trait SlaStore: Send + Sync {
    /// Creates a calendar.
    ///
    /// # Errors
    /// `Conflict` when the name is taken.
    async fn create_calendar(&self, input: CalendarInput) -> StoreResult<StoredCalendar>;

    /// Replaces a calendar.
    ///
    /// # Errors
    /// `NotFound`, `Conflict`.
    async fn update_calendar(
        &self,
        id: CalendarId,
        input: CalendarInput,
    ) -> StoreResult<StoredCalendar>;

    /// Reads a calendar.
    ///
    /// # Errors
    /// `NotFound`.
    async fn get_calendar(&self, id: CalendarId) -> StoreResult<StoredCalendar>;

    /// Every calendar, by name.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_calendars(&self) -> StoreResult<Vec<StoredCalendar>>;

    /// Deletes a calendar no policy uses.
    ///
    /// # Errors
    /// `NotFound`; `Conflict` when a policy uses it.
    async fn delete_calendar(&self, id: CalendarId) -> StoreResult<()>;

    /// Creates a policy.
    ///
    /// # Errors
    /// `Conflict` when the name is taken; `NotFound` for an unknown calendar.
    async fn create_policy(&self, input: PolicyInput) -> StoreResult<StoredPolicy>;

    /// Replaces a policy.
    ///
    /// # Errors
    /// `NotFound`, `Conflict`.
    async fn update_policy(&self, id: PolicyId, input: PolicyInput) -> StoreResult<StoredPolicy>;

    /// Reads a policy.
    ///
    /// # Errors
    /// `NotFound`.
    async fn get_policy(&self, id: PolicyId) -> StoreResult<StoredPolicy>;

    /// Every policy, by name.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_policies(&self) -> StoreResult<Vec<StoredPolicy>>;

    /// Deletes a policy and its assignments. Tickets it covered keep their stored due
    /// times until their next change.
    ///
    /// # Errors
    /// `NotFound`.
    async fn delete_policy(&self, id: PolicyId) -> StoreResult<()>;

    /// The stored SLA clocks of these tickets (tickets without one are left out).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn ticket_slas(&self, ids: &[TicketId]) -> StoreResult<Vec<TicketSla>>;

    /// Open tickets the scope allows whose earliest running due time is before
    /// `before`, soonest first: the "breaching soon" queue, read from an index.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_breaching(
        &self,
        scope: &TicketScope,
        before: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<Ticket>>;

    /// A ticket's policy, clock at `now`, recorded marks and status time.
    ///
    /// # Errors
    /// `NotFound`.
    async fn ticket_sla_now(&self, id: TicketId, now: Timestamp) -> StoreResult<TicketSlaNow>;

    /// Recomputes the stored clocks and jobs of up to `limit` open tickets with ids
    /// above `after`, in id order, at `now` (after a calendar or policy changed), and
    /// returns the last id done; `None` when there were none left.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn refresh_open_ticket_slas(
        &self,
        after: Option<TicketId>,
        limit: i64,
        now: Timestamp,
    ) -> StoreResult<Option<TicketId>>;
}
