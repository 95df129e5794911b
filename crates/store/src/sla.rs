//! Storage for service levels and what runs on them (issue 4): business calendars,
//! SLA policies and their assignments, each ticket's stored SLA clock, the jobs table,
//! routing and escalation rules, automation settings, agents' availability and
//! notifications.
//!
//! The stored SLA clock of a ticket is kept by the adapters themselves: every ticket
//! write ([`Store::create_ticket`](crate::Store::create_ticket), `save_tickets`,
//! `append_event`, `split_ticket`, the bulk path) recomputes it in the same
//! transaction and schedules the ticket's next SLA deadline and automation step as due
//! jobs, so no timer ever scans tickets.

use crate::{PageRequest, StoreResult, TicketChange};
use async_trait::async_trait;
use ferrodesk_domain::{
    BusinessCalendar, CategoryId, ClockPhase, EscalationRule, GroupId, NewEvent, OrganizationId,
    PriorityTargets, RuleActions, RuleConditions, ServiceId, SlaClock, TargetKind, Ticket,
    TicketId, TicketScope, UserId, WarningShare,
};
use jiff::Timestamp;

macro_rules! row_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub i64);

        impl $name {
            /// The raw database value.
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

row_id!(
    /// A stored business calendar.
    CalendarId
);
row_id!(
    /// A stored SLA policy.
    PolicyId
);
row_id!(
    /// A routing or escalation rule.
    RuleId
);
row_id!(
    /// A due job.
    JobId
);
row_id!(
    /// An in-app notification.
    NotificationId
);

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
        self.marks
            .iter()
            .any(|(m, at)| m == mark && *at == cycle_start)
    }
}

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// Look at a ticket's SLA clock: record warnings and breaches, run escalation rules
    /// and proactive communication.
    Sla,
    /// Run a ticket's time-based automation (pending reminder, auto-resolve, close).
    Automation,
}

impl JobKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Sla => "sla",
            JobKind::Automation => "automation",
        }
    }

    /// Reads the stored name.
    pub fn parse(text: &str) -> Option<JobKind> {
        match text {
            "sla" => Some(JobKind::Sla),
            "automation" => Some(JobKind::Automation),
            _ => None,
        }
    }
}

/// A claimed job: the claimer holds it until `lease_until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// Id.
    pub id: JobId,
    /// What to do.
    pub kind: JobKind,
    /// The ticket it is about.
    pub ticket_id: Option<TicketId>,
    /// When it was due.
    pub due_at: Timestamp,
    /// Proof of the claim; finishing needs it.
    pub lease_token: String,
    /// How often it was claimed (1 on the first claim).
    pub attempts: i64,
}

/// A notification to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    /// To whom.
    pub user_id: UserId,
    /// About which ticket.
    pub ticket_id: Option<TicketId>,
    /// What.
    pub message: String,
}

/// What a finished job wrote, all in one transaction with the job's removal.
#[derive(Debug, Clone)]
pub struct JobFinish {
    /// The job.
    pub job_id: JobId,
    /// Its lease; if another claimer took the job since, nothing is written.
    pub lease_token: String,
    /// The ticket it was about.
    pub ticket_id: Option<TicketId>,
    /// Marks to record: (mark, cycle start). If one exists already, nothing is
    /// written (someone else did this work).
    pub marks: Vec<(String, Timestamp)>,
    /// A change of the ticket (escalation, auto-resolve), guarded by its version.
    pub change: Option<TicketChange>,
    /// Events to append when there is no change (with a change, its own events).
    pub events: Vec<NewEvent>,
    /// Notifications to staff.
    pub notifications: Vec<NewNotification>,
    /// When.
    pub now: Timestamp,
}

/// A routing rule as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutingRule {
    /// Id.
    pub id: RuleId,
    /// Name; unique.
    pub name: String,
    /// Evaluation order (lower first).
    pub position: i64,
    /// Whether it is evaluated.
    pub is_enabled: bool,
    /// When it applies.
    pub conditions: RuleConditions,
    /// What it does.
    pub actions: RuleActions,
}

/// A routing rule to create or the full new state of one (`id` ignored on create).
pub type RoutingRuleInput = RoutingRule;

/// An escalation rule as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEscalationRule {
    /// Id.
    pub id: RuleId,
    /// Name; unique.
    pub name: String,
    /// Whether it is evaluated.
    pub is_enabled: bool,
    /// The rule.
    pub rule: EscalationRule,
}

/// Desk-wide time-based automations; `None` turns a step off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AutomationSettings {
    /// Minutes pending on the customer before the requester is reminded.
    pub pending_reminder_minutes: Option<i64>,
    /// Minutes pending on the customer before the ticket is resolved with a notice.
    pub pending_resolve_minutes: Option<i64>,
    /// Minutes resolved before the ticket is closed.
    pub resolved_close_minutes: Option<i64>,
}

/// How a group hands out new tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignmentMode {
    /// Agents take tickets themselves.
    Manual,
    /// In turn, skipping agents who are away, full or lack the skill.
    RoundRobin,
    /// To the available agent with the fewest open tickets.
    LeastLoaded,
}

impl AssignmentMode {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            AssignmentMode::Manual => "manual",
            AssignmentMode::RoundRobin => "round_robin",
            AssignmentMode::LeastLoaded => "least_loaded",
        }
    }

    /// Reads the stored name.
    pub fn parse(text: &str) -> Option<AssignmentMode> {
        match text {
            "manual" => Some(AssignmentMode::Manual),
            "round_robin" => Some(AssignmentMode::RoundRobin),
            "least_loaded" => Some(AssignmentMode::LeastLoaded),
            _ => None,
        }
    }
}

/// An agent's availability, load limit and skills.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AgentSettings {
    /// Away: gets no new tickets.
    pub is_away: bool,
    /// Most open tickets assigned at once (`None`: no limit).
    pub load_limit: Option<i64>,
    /// Categories the agent handles (empty: any).
    pub category_skills: Vec<CategoryId>,
    /// Services the agent handles (empty: any).
    pub service_skills: Vec<ServiceId>,
}

/// A candidate for automatic assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentLoad {
    /// The agent.
    pub user_id: UserId,
    /// Their settings.
    pub settings: AgentSettings,
    /// Open tickets assigned to them.
    pub open_tickets: i64,
}

/// An in-app notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// Id.
    pub id: NotificationId,
    /// About which ticket.
    pub ticket_id: Option<TicketId>,
    /// What.
    pub message: String,
    /// When it was read.
    pub read_at: Option<Timestamp>,
    /// When.
    pub created_at: Timestamp,
}

/// Service levels, jobs, rules and notifications (see the module docs).
#[async_trait]
pub trait SlaStore: Send + Sync + 'static {
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

    /// Claims up to `limit` jobs due at `now` that nobody holds (or whose holder's
    /// lease ran out), holding them until `now + lease_seconds`. On PostgreSQL
    /// concurrent claimers skip each other's rows (`for update skip locked`).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn claim_jobs(
        &self,
        now: Timestamp,
        lease_seconds: i64,
        limit: i64,
    ) -> StoreResult<Vec<Job>>;
    /// Finishes a claimed job: removes it and writes what it did, atomically.
    ///
    /// # Errors
    /// `Conflict` when the lease was lost, a mark exists already or the ticket
    /// changed since it was read; nothing is written then.
    async fn finish_job(&self, finish: JobFinish) -> StoreResult<()>;
    /// Gives a claimed job back to run again at `at`.
    ///
    /// # Errors
    /// `Conflict` when the lease was lost.
    async fn retry_job(&self, id: JobId, lease_token: &str, at: Timestamp) -> StoreResult<()>;
    /// The earliest due time of any job, so a runner knows how long it may sleep.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn next_job_due(&self) -> StoreResult<Option<Timestamp>>;

    /// Every routing rule, by position.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_routing_rules(&self) -> StoreResult<Vec<RoutingRule>>;
    /// The desk's routing settings (groups, routing rules, assignment modes,
    /// categories, services) with the version a routed write names.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn desk_settings(&self) -> StoreResult<crate::DeskSettings>;
    /// Creates a routing rule.
    ///
    /// # Errors
    /// `Conflict` when the name is taken.
    async fn create_routing_rule(
        &self,
        rule: RoutingRuleInput,
        now: Timestamp,
    ) -> StoreResult<RoutingRule>;
    /// Replaces a routing rule.
    ///
    /// # Errors
    /// `NotFound`, `Conflict`.
    async fn update_routing_rule(
        &self,
        rule: RoutingRuleInput,
        now: Timestamp,
    ) -> StoreResult<RoutingRule>;
    /// Deletes a routing rule.
    ///
    /// # Errors
    /// `NotFound`.
    async fn delete_routing_rule(&self, id: RuleId) -> StoreResult<()>;

    /// Every escalation rule, by name.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_escalation_rules(&self) -> StoreResult<Vec<StoredEscalationRule>>;
    /// Creates an escalation rule.
    ///
    /// # Errors
    /// `Conflict` when the name is taken.
    async fn create_escalation_rule(
        &self,
        rule: StoredEscalationRule,
        now: Timestamp,
    ) -> StoreResult<StoredEscalationRule>;
    /// Replaces an escalation rule.
    ///
    /// # Errors
    /// `NotFound`, `Conflict`.
    async fn update_escalation_rule(
        &self,
        rule: StoredEscalationRule,
        now: Timestamp,
    ) -> StoreResult<StoredEscalationRule>;
    /// Deletes an escalation rule.
    ///
    /// # Errors
    /// `NotFound`.
    async fn delete_escalation_rule(&self, id: RuleId) -> StoreResult<()>;

    /// The desk's automation settings.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn automation_settings(&self) -> StoreResult<AutomationSettings>;
    /// Replaces the automation settings.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn set_automation_settings(
        &self,
        settings: AutomationSettings,
        now: Timestamp,
    ) -> StoreResult<()>;

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

    /// An agent's settings (defaults when never set).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn agent_settings(&self, user_id: UserId) -> StoreResult<AgentSettings>;
    /// Replaces an agent's settings.
    ///
    /// # Errors
    /// `NotFound` for an unknown user.
    async fn set_agent_settings(
        &self,
        user_id: UserId,
        settings: AgentSettings,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// A group's assignment mode (manual when never set).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn assignment_mode(&self, group_id: GroupId) -> StoreResult<AssignmentMode>;
    /// Sets a group's assignment mode.
    ///
    /// # Errors
    /// `NotFound` for an unknown group.
    async fn set_assignment_mode(
        &self,
        group_id: GroupId,
        mode: AssignmentMode,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// The group's agents with their settings and open assigned tickets (read from the
    /// queue counts, not by counting tickets), by user id, and the agent round robin
    /// picked last.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn group_agents(
        &self,
        group_id: GroupId,
    ) -> StoreResult<(Vec<AgentLoad>, Option<UserId>)>;
    /// Remembers the agent round robin picked last.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn set_round_robin_last(
        &self,
        group_id: GroupId,
        user_id: UserId,
        now: Timestamp,
    ) -> StoreResult<()>;

    /// Writes notifications.
    ///
    /// # Errors
    /// `NotFound` for an unknown user.
    async fn notify(&self, notes: Vec<NewNotification>, now: Timestamp) -> StoreResult<()>;
    /// A user's notifications, newest first.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_notifications(
        &self,
        user_id: UserId,
        page: &PageRequest,
    ) -> StoreResult<Vec<Notification>>;
    /// Marks a user's notifications read (all of them when `ids` is empty).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn mark_notifications_read(
        &self,
        user_id: UserId,
        ids: &[NotificationId],
        now: Timestamp,
    ) -> StoreResult<u64>;
}
