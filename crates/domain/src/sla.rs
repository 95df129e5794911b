//! Service-level policies and the SLA clock of one ticket.
//!
//! This module owns the targets (per priority: first response, update interval,
//! resolution, in business minutes), the warning share, and one pure function,
//! [`SlaPolicy::clock`], that turns a ticket's history into due times, warning
//! instants and breaches at a given `now`. It stores nothing and schedules nothing:
//! callers keep the due times on the ticket and run jobs for warnings and breaches.
//! Rule sources: docs/ARCHITECTURE.md, "SLA policy" ("the clock pauses while pending on the
//! customer or vendor; warnings before breach"); issue 4, "Service levels" (business
//! time only, pause while pending, restart on reopen, warnings at a share of the
//! target) and "Proactive communication" (the update interval).
//!
//! # The model
//!
//! The clock reads two kinds of [`ClockEvent`]: status changes and public replies to
//! the requester. A ticket is created `new` at `created_at`. Three target clocks count
//! business time (see [`crate::calendar`]) while the ticket is unresolved and not
//! pending on the customer or a vendor (`pending_scheduled` keeps counting: the desk
//! chose the date):
//!
//! - **First response** runs from creation until the first public reply. Resolving
//!   also meets it (the resolution notice answers the requester). Met once, it stays
//!   met, also after a reopen.
//! - **Update interval** runs from the last public reply and restarts at each one, so
//!   its due time is when the requester must next hear from the desk. It starts with
//!   the first public reply (before that the first-response target governs; without a
//!   first-response target it starts at creation), restarts on reopen, and is met when
//!   the ticket is resolved.
//! - **Resolution** runs from creation until the ticket is resolved or closed. A
//!   reopen restarts it: a fresh cycle with the full target from the reopen instant.
//!
//! A logged call or visit can be the first response too: the ticket records when it
//! was first answered (`first_response_at`), and that instant, given to the clock as
//! [`ClockEvent::FirstResponse`], counts like a public reply.
//!
//! A policy applies from the instant its terms took effect ([`SlaPolicy::in_force_from`]:
//! when it was created, or its targets, warning share or calendar last changed), never
//! to the time before: a ticket older than that is measured as if it had been opened
//! then, in the state its history had reached (answered, pending, resolved). A desk
//! that sets up its first policy, or tightens one, therefore gets no targets that were
//! already overdue when the policy was saved, and no warnings or breaches dated in the
//! past.
//!
//! A target's due time is the instant its business time reaches the target; its
//! warning instant is when it reaches the policy's share (e.g. 80 %) of the target.
//! A target is breached at `now` when its due time is at or before `now` and it was
//! not met before that. A priority change is handled by computing the clock again
//! with the new priority: targets then apply from creation.

use crate::calendar::{BusinessCalendar, BusinessTimeError};
use crate::priority::Priority;
use crate::string_enum;
use crate::ticket::TicketStatus;
use crate::value::{InvalidValue, NonEmpty};
use jiff::{SignedDuration, Timestamp};
use std::fmt;

string_enum!(
    /// The three promises a service-level policy makes.
    TargetKind {
        /// The first public answer to the requester.
        FirstResponse = "first_response",
        /// How often the requester hears from the desk while the ticket is open.
        Update = "update",
        /// The ticket is resolved.
        Resolution = "resolution",
    }
);

string_enum!(
    /// Where a target's clock stands.
    ClockPhase {
        /// Counting business time.
        Running = "running",
        /// Stopped while the ticket is pending on the customer or a vendor.
        Paused = "paused",
        /// The target's obligation ended (answered, updated or resolved).
        Met = "met",
    }
);

/// A positive amount of business time in whole minutes, at most a year's worth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BusinessMinutes(u32);

impl BusinessMinutes {
    /// The largest target: 365 days of round-the-clock minutes.
    pub const MAX: u32 = 365 * 24 * 60;

    /// Validates a target in minutes.
    ///
    /// # Errors
    /// [`InvalidValue`] unless `1 <= minutes <= BusinessMinutes::MAX`.
    pub fn new(minutes: u32) -> Result<Self, InvalidValue> {
        if minutes == 0 || minutes > Self::MAX {
            return Err(InvalidValue::new(
                "target_minutes",
                format!(
                    "{minutes} is not between 1 and {} business minutes",
                    Self::MAX
                ),
            ));
        }
        Ok(BusinessMinutes(minutes))
    }

    /// The number of minutes.
    pub fn get(self) -> u32 {
        self.0
    }

    /// The target as a duration of business time.
    pub fn duration(self) -> SignedDuration {
        SignedDuration::from_mins(i64::from(self.0))
    }
}

impl fmt::Display for BusinessMinutes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} business minutes", self.0)
    }
}

/// The share of a target after which the desk is warned, as a whole percentage 1-99.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WarningShare(u8);

impl WarningShare {
    /// Validates a percentage.
    ///
    /// # Errors
    /// [`InvalidValue`] unless `1 <= percent <= 99`.
    pub fn new(percent: u8) -> Result<Self, InvalidValue> {
        if !(1..=99).contains(&percent) {
            return Err(InvalidValue::new(
                "warning_percent",
                format!("{percent} is not between 1 and 99"),
            ));
        }
        Ok(WarningShare(percent))
    }

    /// The percentage.
    pub fn percent(self) -> u8 {
        self.0
    }

    /// This share of `target`, rounded down to the millisecond.
    pub fn of(self, target: SignedDuration) -> SignedDuration {
        let millis = target.as_millis() * i128::from(self.0) / 100;
        SignedDuration::from_millis(i64::try_from(millis).unwrap_or(i64::MAX))
    }
}

/// The targets for one priority; `None` means the policy promises nothing there.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SlaTargets {
    /// Time to the first public reply.
    pub first_response: Option<BusinessMinutes>,
    /// Longest time between public updates while the ticket is open.
    pub update_interval: Option<BusinessMinutes>,
    /// Time to resolution.
    pub resolution: Option<BusinessMinutes>,
}

impl SlaTargets {
    /// The target of one kind.
    pub fn get(&self, kind: TargetKind) -> Option<BusinessMinutes> {
        match kind {
            TargetKind::FirstResponse => self.first_response,
            TargetKind::Update => self.update_interval,
            TargetKind::Resolution => self.resolution,
        }
    }
}

/// Targets for each priority.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PriorityTargets {
    /// Critical.
    pub p1: SlaTargets,
    /// High.
    pub p2: SlaTargets,
    /// Medium.
    pub p3: SlaTargets,
    /// Low.
    pub p4: SlaTargets,
}

impl PriorityTargets {
    /// The targets of `priority`.
    pub fn get(&self, priority: Priority) -> &SlaTargets {
        match priority {
            Priority::P1 => &self.p1,
            Priority::P2 => &self.p2,
            Priority::P3 => &self.p3,
            Priority::P4 => &self.p4,
        }
    }
}

/// A named service-level policy: targets per priority, when to warn, and the business
/// calendar the clock counts in.
#[derive(Debug, Clone, PartialEq)]
pub struct SlaPolicy {
    name: NonEmpty,
    targets: PriorityTargets,
    warning: WarningShare,
    calendar: BusinessCalendar,
    in_force_from: Option<Timestamp>,
}

impl SlaPolicy {
    /// The longest policy name, in characters.
    pub const MAX_NAME_CHARS: usize = 100;

    /// Builds a policy.
    ///
    /// # Errors
    /// [`InvalidValue`] when the name is blank or longer than
    /// [`SlaPolicy::MAX_NAME_CHARS`].
    pub fn new(
        name: &str,
        targets: PriorityTargets,
        warning: WarningShare,
        calendar: BusinessCalendar,
    ) -> Result<Self, InvalidValue> {
        Ok(SlaPolicy {
            name: NonEmpty::parse("name", name, Self::MAX_NAME_CHARS)?,
            targets,
            warning,
            calendar,
            in_force_from: None,
        })
    }

    /// This policy with its terms in force from `at`: the instant it was created, or
    /// its targets, warning share or calendar last changed. Without it the policy
    /// applies to a ticket's whole history.
    #[must_use]
    pub fn in_force_from(mut self, at: Timestamp) -> Self {
        self.in_force_from = Some(at);
        self
    }

    /// When the policy's terms took effect, if known.
    pub fn in_force_since(&self) -> Option<Timestamp> {
        self.in_force_from
    }

    /// Where the clock of a ticket created at `created_at` starts: at creation, or when
    /// the policy's terms took effect if that was later.
    pub fn clock_start(&self, created_at: Timestamp) -> Timestamp {
        self.in_force_from
            .map_or(created_at, |from| from.max(created_at))
    }

    /// The policy's name.
    pub fn name(&self) -> &str {
        self.name.as_str()
    }

    /// The targets for every priority.
    pub fn targets(&self) -> &PriorityTargets {
        &self.targets
    }

    /// When to warn.
    pub fn warning(&self) -> WarningShare {
        self.warning
    }

    /// The calendar the clock counts in.
    pub fn calendar(&self) -> &BusinessCalendar {
        &self.calendar
    }

    /// The SLA clock of a ticket of `priority` created at `created_at`, as it stands at
    /// `now` (see the module docs for the model).
    ///
    /// `events` may come in any order (they are sorted by instant, keeping the given
    /// order for equal instants); events after `now` are ignored and events before
    /// the clock's start ([`SlaPolicy::clock_start`]: creation, or when the policy's
    /// terms took effect) count as happening at it.
    ///
    /// # Errors
    /// [`BusinessTimeError::BeyondHorizon`] when a due or warning instant lies beyond
    /// the calendar's search horizon.
    pub fn clock(
        &self,
        priority: Priority,
        created_at: Timestamp,
        events: &[ClockEvent],
        now: Timestamp,
    ) -> Result<SlaClock, BusinessTimeError> {
        let targets = self.targets.get(priority);
        let created_at = self.clock_start(created_at);
        let mut history: Vec<&ClockEvent> = events.iter().filter(|e| e.at() <= now).collect();
        history.sort_by_key(|e| e.at());

        let mut status = TicketStatus::New;
        let mut first_response = Track::started(created_at);
        let mut update = if targets.first_response.is_none() {
            Track::started(created_at)
        } else {
            Track::not_started(created_at)
        };
        let mut resolution = Track::started(created_at);

        for event in history {
            let at = event.at().max(created_at);
            match *event {
                ClockEvent::Status { status: next, .. } => {
                    if status.is_open() && !next.is_open() {
                        first_response.meet(at);
                        update.meet(at);
                        resolution.meet(at);
                    } else if !status.is_open() && next.is_open() {
                        update.restart(at);
                        resolution.restart(at);
                    }
                    status = next;
                }
                ClockEvent::PublicReply { .. } | ClockEvent::FirstResponse { .. } => {
                    if status.is_open() {
                        first_response.meet(at);
                        update.restart(at);
                    }
                }
            }
            let counting = status.is_open() && !pauses_clock(status);
            for track in [&mut first_response, &mut update, &mut resolution] {
                if counting {
                    track.run(at);
                } else {
                    track.stop(at);
                }
            }
        }

        let measure =
            |kind: TargetKind, track: &Track| -> Result<Option<TargetClock>, BusinessTimeError> {
                match (targets.get(kind), track.active) {
                    (Some(target), true) => track
                        .measure(kind, target, self.warning, &self.calendar, now)
                        .map(Some),
                    _ => Ok(None),
                }
            };
        Ok(SlaClock {
            as_of: now,
            first_response: measure(TargetKind::FirstResponse, &first_response)?,
            next_update: measure(TargetKind::Update, &update)?,
            resolution: measure(TargetKind::Resolution, &resolution)?,
        })
    }
}

/// Whether a status stops the clock: waiting on the customer or a vendor is time the
/// desk cannot act (docs/ARCHITECTURE.md, "SLA policy").
fn pauses_clock(status: TicketStatus) -> bool {
    matches!(
        status,
        TicketStatus::PendingCustomer | TicketStatus::PendingVendor
    )
}

/// Something in a ticket's history that moves its SLA clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockEvent {
    /// The ticket moved to `status`.
    Status {
        /// When.
        at: Timestamp,
        /// The new status.
        status: TicketStatus,
    },
    /// The desk sent the requester a public reply or progress note.
    PublicReply {
        /// When.
        at: Timestamp,
    },
    /// The ticket's recorded first response (its `first_response_at`): whatever
    /// answered the requester first, a public reply or a call or visit staff logged
    /// publicly. It counts as a public reply: it meets the first-response target and
    /// starts the update interval.
    FirstResponse {
        /// When.
        at: Timestamp,
    },
}

impl ClockEvent {
    /// When the event happened.
    pub fn at(&self) -> Timestamp {
        match *self {
            ClockEvent::Status { at, .. }
            | ClockEvent::PublicReply { at }
            | ClockEvent::FirstResponse { at } => at,
        }
    }
}

/// A ticket's SLA clock at one instant; a target is `None` when the policy sets none
/// for the ticket's priority, or (next update) before its clock has started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaClock {
    /// The instant the clock was read at (`now`).
    pub as_of: Timestamp,
    /// Time to the first public reply.
    pub first_response: Option<TargetClock>,
    /// Time to the next public update.
    pub next_update: Option<TargetClock>,
    /// Time to resolution (the current cycle, since creation or the last reopen).
    pub resolution: Option<TargetClock>,
}

impl SlaClock {
    /// The targets that apply, in the order first response, next update, resolution.
    pub fn targets(&self) -> impl Iterator<Item = &TargetClock> {
        [&self.first_response, &self.next_update, &self.resolution]
            .into_iter()
            .flatten()
    }

    /// Whether any target is breached.
    pub fn is_breached(&self) -> bool {
        self.targets().any(TargetClock::is_breached)
    }

    /// The earliest warning or due instant after `as_of` of a running target: when a
    /// timer should next look at this ticket. `None` when nothing is running.
    pub fn next_deadline(&self) -> Option<Timestamp> {
        self.targets()
            .filter(|t| t.phase == ClockPhase::Running)
            .flat_map(|t| [t.warn_at, t.due_at])
            .flatten()
            .filter(|at| *at > self.as_of)
            .min()
    }
}

/// One target's clock at `as_of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TargetClock {
    /// Which target.
    pub kind: TargetKind,
    /// The target.
    pub target: BusinessMinutes,
    /// Running, paused or met.
    pub phase: ClockPhase,
    /// Where the current cycle began (creation, last public reply or reopen).
    pub started_at: Timestamp,
    /// Business time counted in this cycle up to `as_of`, or until met.
    pub elapsed: SignedDuration,
    /// When the warning share of the target is (or was) reached. `None` when it was
    /// not reached and the clock is not running, since the instant depends on when
    /// the clock resumes.
    pub warn_at: Option<Timestamp>,
    /// When the target is (or was) reached: the due time. `None` under the same rule
    /// as `warn_at`.
    pub due_at: Option<Timestamp>,
    /// When the target was met, if it was.
    pub met_at: Option<Timestamp>,
    /// The instant the clock was read at.
    pub as_of: Timestamp,
}

impl TargetClock {
    /// Business time left before the due time; negative once overdue.
    pub fn remaining(&self) -> SignedDuration {
        self.target.duration() - self.elapsed
    }

    /// Whether the due time passed (at or before `as_of`) without the target met first.
    pub fn is_breached(&self) -> bool {
        self.has_passed(self.due_at)
    }

    /// Whether the warning instant passed without the target met first.
    pub fn is_warned(&self) -> bool {
        self.has_passed(self.warn_at)
    }

    fn has_passed(&self, instant: Option<Timestamp>) -> bool {
        instant.is_some_and(|at| at <= self.as_of && self.met_at.is_none_or(|met| met > at))
    }
}

/// The counted periods of one target clock's current cycle.
#[derive(Debug)]
struct Track {
    active: bool,
    started_at: Timestamp,
    /// Closed periods `[from, to)` in which the clock ran.
    periods: Vec<(Timestamp, Timestamp)>,
    running_since: Option<Timestamp>,
    met_at: Option<Timestamp>,
}

impl Track {
    fn started(at: Timestamp) -> Self {
        Track {
            active: true,
            started_at: at,
            periods: Vec::new(),
            running_since: Some(at),
            met_at: None,
        }
    }

    fn not_started(at: Timestamp) -> Self {
        Track {
            active: false,
            running_since: None,
            ..Track::started(at)
        }
    }

    /// A new cycle from `at`; whether it runs is settled by the caller right after.
    fn restart(&mut self, at: Timestamp) {
        *self = Track {
            running_since: None,
            ..Track::started(at)
        };
    }

    fn run(&mut self, at: Timestamp) {
        if self.active && self.met_at.is_none() && self.running_since.is_none() {
            self.running_since = Some(at);
        }
    }

    fn stop(&mut self, at: Timestamp) {
        if let Some(since) = self.running_since.take()
            && at > since
        {
            self.periods.push((since, at));
        }
    }

    fn meet(&mut self, at: Timestamp) {
        if self.active && self.met_at.is_none() {
            self.stop(at);
            self.met_at = Some(at);
        }
    }

    fn measure(
        &self,
        kind: TargetKind,
        target: BusinessMinutes,
        warning: WarningShare,
        calendar: &BusinessCalendar,
        now: Timestamp,
    ) -> Result<TargetClock, BusinessTimeError> {
        let mut elapsed: SignedDuration = self
            .periods
            .iter()
            .map(|(from, to)| calendar.business_time_between(*from, *to))
            .sum();
        if let Some(since) = self.running_since {
            elapsed += calendar.business_time_between(since, now);
        }
        let phase = match (self.met_at, self.running_since) {
            (Some(_), _) => ClockPhase::Met,
            (None, Some(_)) => ClockPhase::Running,
            (None, None) => ClockPhase::Paused,
        };
        Ok(TargetClock {
            kind,
            target,
            phase,
            started_at: self.started_at,
            elapsed,
            warn_at: self.reaches(calendar, warning.of(target.duration()))?,
            due_at: self.reaches(calendar, target.duration())?,
            met_at: self.met_at,
            as_of: now,
        })
    }

    /// The instant the cycle's business time reaches `threshold`: within a closed
    /// period, or (while running) from the open period on, possibly in the future.
    fn reaches(
        &self,
        calendar: &BusinessCalendar,
        threshold: SignedDuration,
    ) -> Result<Option<Timestamp>, BusinessTimeError> {
        let mut counted = SignedDuration::ZERO;
        for (from, to) in &self.periods {
            let here = calendar.business_time_between(*from, *to);
            if counted + here >= threshold {
                return calendar
                    .add_business_time(*from, threshold - counted)
                    .map(Some);
            }
            counted += here;
        }
        match self.running_since {
            Some(since) => calendar
                .add_business_time(since, threshold - counted)
                .map(Some),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::OpeningInterval;
    use jiff::civil::{Weekday, date};

    const OSLO: &str = "Europe/Oslo";

    fn minutes(n: u32) -> Option<BusinessMinutes> {
        Some(BusinessMinutes::new(n).unwrap())
    }

    fn office_hours() -> BusinessCalendar {
        let days = [
            Weekday::Monday,
            Weekday::Tuesday,
            Weekday::Wednesday,
            Weekday::Thursday,
            Weekday::Friday,
        ];
        let open = OpeningInterval::parse("08:00-17:00").unwrap();
        BusinessCalendar::weekly(OSLO, days.map(|d| (d, open)), []).unwrap()
    }

    fn policy(calendar: BusinessCalendar) -> SlaPolicy {
        let p1 = SlaTargets {
            first_response: minutes(30),
            update_interval: minutes(60),
            resolution: minutes(240),
        };
        let p4 = SlaTargets {
            first_response: None,
            update_interval: minutes(60 * 24),
            resolution: None,
        };
        let targets = PriorityTargets {
            p1,
            p4,
            ..PriorityTargets::default()
        };
        SlaPolicy::new(
            "Standard",
            targets,
            WarningShare::new(80).unwrap(),
            calendar,
        )
        .unwrap()
    }

    fn oslo(y: i16, m: i8, d: i8, h: i8, min: i8) -> Timestamp {
        date(y, m, d)
            .at(h, min, 0, 0)
            .in_tz(OSLO)
            .unwrap()
            .timestamp()
    }

    fn status(at: Timestamp, status: TicketStatus) -> ClockEvent {
        ClockEvent::Status { at, status }
    }

    fn reply(at: Timestamp) -> ClockEvent {
        ClockEvent::PublicReply { at }
    }

    #[test]
    fn friday_evening_p1_ticket_in_oslo_is_due_monday_morning() {
        let created = oslo(2025, 1, 17, 18, 30);
        let clock = policy(office_hours())
            .clock(Priority::P1, created, &[], oslo(2025, 1, 18, 12, 0))
            .unwrap();
        let first = clock.first_response.unwrap();
        assert_eq!(first.due_at, Some(oslo(2025, 1, 20, 8, 30)));
        assert_eq!(first.warn_at, Some(oslo(2025, 1, 20, 8, 24)));
        assert_eq!(first.phase, ClockPhase::Running);
        assert_eq!(first.elapsed, SignedDuration::ZERO);
        let resolution = clock.resolution.unwrap();
        assert_eq!(resolution.due_at, Some(oslo(2025, 1, 20, 12, 0)));
        assert_eq!(resolution.warn_at, Some(oslo(2025, 1, 20, 11, 12)));
        assert!(
            clock.next_update.is_none(),
            "no update is owed before the first response"
        );
        assert!(!clock.is_breached());
        assert_eq!(clock.next_deadline(), Some(oslo(2025, 1, 20, 8, 24)));
    }

    #[test]
    fn pending_on_customer_stops_the_clock_until_the_customer_answers() {
        let created = oslo(2025, 6, 2, 8, 0);
        let events = [
            reply(oslo(2025, 6, 2, 8, 10)),
            status(oslo(2025, 6, 2, 9, 0), TicketStatus::PendingCustomer),
            status(oslo(2025, 6, 3, 9, 0), TicketStatus::Open),
        ];
        let policy = policy(office_hours());

        let paused = policy
            .clock(Priority::P1, created, &events[..2], oslo(2025, 6, 2, 15, 0))
            .unwrap();
        let resolution = paused.resolution.unwrap();
        assert_eq!(resolution.phase, ClockPhase::Paused);
        assert_eq!(resolution.elapsed, SignedDuration::from_hours(1));
        assert_eq!(resolution.due_at, None);
        assert_eq!(resolution.remaining(), SignedDuration::from_hours(3));
        assert_eq!(paused.next_deadline(), None);
        assert!(!paused.is_breached());

        let resumed = policy
            .clock(Priority::P1, created, &events, oslo(2025, 6, 3, 10, 0))
            .unwrap();
        let resolution = resumed.resolution.unwrap();
        assert_eq!(resolution.phase, ClockPhase::Running);
        assert_eq!(resolution.elapsed, SignedDuration::from_hours(2));
        assert_eq!(resolution.due_at, Some(oslo(2025, 6, 3, 12, 0)));
        let first = resumed.first_response.unwrap();
        assert_eq!(
            (first.phase, first.met_at),
            (ClockPhase::Met, Some(oslo(2025, 6, 2, 8, 10)))
        );
        assert_eq!(first.due_at, None);
    }

    #[test]
    fn pending_on_a_vendor_pauses_but_a_scheduled_visit_keeps_counting() {
        let created = oslo(2025, 6, 2, 8, 0);
        let now = oslo(2025, 6, 2, 12, 0);
        let policy = policy(office_hours());
        let vendor = policy
            .clock(
                Priority::P1,
                created,
                &[status(oslo(2025, 6, 2, 9, 0), TicketStatus::PendingVendor)],
                now,
            )
            .unwrap();
        assert_eq!(
            vendor.resolution.unwrap().elapsed,
            SignedDuration::from_hours(1)
        );
        let scheduled = policy
            .clock(
                Priority::P1,
                created,
                &[status(
                    oslo(2025, 6, 2, 9, 0),
                    TicketStatus::PendingScheduled,
                )],
                now,
            )
            .unwrap();
        assert_eq!(
            scheduled.resolution.unwrap().elapsed,
            SignedDuration::from_hours(4)
        );
    }

    #[test]
    fn an_unanswered_ticket_is_breached_once_its_first_response_is_due() {
        let created = oslo(2025, 6, 2, 8, 0);
        let policy = policy(office_hours());
        let at_due = policy
            .clock(Priority::P1, created, &[], oslo(2025, 6, 2, 8, 30))
            .unwrap();
        let first = at_due.first_response.unwrap();
        assert!(first.is_breached());
        assert!(first.is_warned());
        assert_eq!(first.remaining(), SignedDuration::ZERO);
        let before = policy
            .clock(Priority::P1, created, &[], oslo(2025, 6, 2, 8, 29))
            .unwrap();
        assert!(!before.is_breached());
        assert!(before.first_response.unwrap().is_warned());
    }

    #[test]
    fn a_late_first_response_is_met_but_stays_breached_and_an_on_time_one_is_not() {
        let created = oslo(2025, 6, 2, 8, 0);
        let policy = policy(office_hours());
        let late = policy
            .clock(
                Priority::P1,
                created,
                &[reply(oslo(2025, 6, 2, 8, 45))],
                oslo(2025, 6, 2, 9, 0),
            )
            .unwrap()
            .first_response
            .unwrap();
        assert_eq!(late.phase, ClockPhase::Met);
        assert_eq!(late.due_at, Some(oslo(2025, 6, 2, 8, 30)));
        assert!(late.is_breached());
        let on_time = policy
            .clock(
                Priority::P1,
                created,
                &[reply(oslo(2025, 6, 2, 8, 30))],
                oslo(2025, 6, 2, 9, 0),
            )
            .unwrap()
            .first_response
            .unwrap();
        assert!(!on_time.is_breached());
    }

    #[test]
    fn a_reply_after_closing_time_is_late_only_if_the_target_ran_out_before_closing() {
        let reply_in_the_evening = [reply(oslo(2025, 6, 2, 18, 0))];
        let policy = policy(office_hours());
        let first_of = |created| {
            policy
                .clock(
                    Priority::P1,
                    created,
                    &reply_in_the_evening,
                    oslo(2025, 6, 3, 9, 0),
                )
                .unwrap()
                .first_response
                .unwrap()
        };
        let half_used = first_of(oslo(2025, 6, 2, 16, 45));
        assert_eq!(half_used.elapsed, SignedDuration::from_mins(15));
        assert!(
            !half_used.is_breached(),
            "only 15 of 30 business minutes had passed"
        );
        let used_up = first_of(oslo(2025, 6, 2, 16, 30));
        assert_eq!(used_up.due_at, Some(oslo(2025, 6, 2, 17, 0)));
        assert!(used_up.is_breached());
    }

    #[test]
    fn each_public_reply_restarts_the_update_interval() {
        let created = oslo(2025, 6, 2, 8, 0);
        let events = [
            reply(oslo(2025, 6, 2, 8, 10)),
            reply(oslo(2025, 6, 2, 10, 0)),
        ];
        let clock = policy(office_hours())
            .clock(Priority::P1, created, &events, oslo(2025, 6, 2, 10, 30))
            .unwrap();
        let update = clock.next_update.unwrap();
        assert_eq!(update.started_at, oslo(2025, 6, 2, 10, 0));
        assert_eq!(update.due_at, Some(oslo(2025, 6, 2, 11, 0)));
        assert_eq!(update.warn_at, Some(oslo(2025, 6, 2, 10, 48)));
        assert_eq!(clock.next_deadline(), Some(oslo(2025, 6, 2, 10, 48)));
    }

    #[test]
    fn without_a_first_response_target_the_update_interval_runs_from_creation() {
        let created = oslo(2025, 6, 2, 8, 0);
        let clock = policy(office_hours())
            .clock(Priority::P4, created, &[], oslo(2025, 6, 2, 9, 0))
            .unwrap();
        assert!(clock.first_response.is_none());
        assert!(clock.resolution.is_none());
        let update = clock.next_update.unwrap();
        assert_eq!(update.due_at, Some(oslo(2025, 6, 4, 14, 0)));
    }

    #[test]
    fn resolving_meets_every_target_and_reopening_restarts_the_resolution_clock() {
        let created = oslo(2025, 6, 2, 8, 0);
        let resolved = oslo(2025, 6, 2, 10, 0);
        let reopened = oslo(2025, 6, 3, 9, 0);
        let mut events = vec![status(resolved, TicketStatus::Resolved)];
        let policy = policy(office_hours());

        let done = policy
            .clock(Priority::P1, created, &events, oslo(2025, 6, 2, 16, 0))
            .unwrap();
        assert!(done.targets().all(|t| t.phase == ClockPhase::Met));
        assert_eq!(done.first_response.unwrap().met_at, Some(resolved));
        assert_eq!(
            done.resolution.unwrap().elapsed,
            SignedDuration::from_hours(2)
        );
        assert_eq!(done.next_deadline(), None);

        events.push(status(reopened, TicketStatus::Open));
        let again = policy
            .clock(Priority::P1, created, &events, oslo(2025, 6, 3, 10, 0))
            .unwrap();
        let resolution = again.resolution.unwrap();
        assert_eq!(resolution.started_at, reopened);
        assert_eq!(resolution.phase, ClockPhase::Running);
        assert_eq!(resolution.elapsed, SignedDuration::from_hours(1));
        assert_eq!(resolution.due_at, Some(oslo(2025, 6, 3, 13, 0)));
        assert_eq!(again.first_response.unwrap().phase, ClockPhase::Met);
        assert_eq!(
            again.next_update.unwrap().due_at,
            Some(oslo(2025, 6, 3, 10, 0))
        );
        assert!(
            again.is_breached(),
            "the update owed since the reopen is due now"
        );
    }

    #[test]
    fn round_the_clock_policy_counts_wall_clock_time() {
        let created: Timestamp = "2025-03-29T22:00:00Z".parse().unwrap();
        let clock = policy(BusinessCalendar::always_open())
            .clock(Priority::P1, created, &[], created)
            .unwrap();
        let resolution = clock.resolution.unwrap();
        assert_eq!(
            resolution.due_at,
            Some("2025-03-30T02:00:00Z".parse().unwrap())
        );
        assert_eq!(
            resolution.warn_at,
            Some("2025-03-30T01:12:00Z".parse().unwrap())
        );
    }

    #[test]
    fn events_after_now_are_ignored_and_events_out_of_order_are_sorted() {
        let created = oslo(2025, 6, 2, 8, 0);
        let now = oslo(2025, 6, 2, 12, 0);
        let policy = policy(office_hours());
        let shuffled = [
            status(oslo(2025, 6, 2, 11, 0), TicketStatus::Open),
            status(oslo(2025, 6, 2, 13, 0), TicketStatus::Resolved),
            status(oslo(2025, 6, 2, 9, 0), TicketStatus::PendingCustomer),
        ];
        let resolution = policy
            .clock(Priority::P1, created, &shuffled, now)
            .unwrap()
            .resolution
            .unwrap();
        assert_eq!(resolution.phase, ClockPhase::Running);
        assert_eq!(resolution.elapsed, SignedDuration::from_hours(2));
        assert_eq!(resolution.due_at, Some(oslo(2025, 6, 2, 14, 0)));
    }

    #[test]
    fn a_ticket_created_on_hold_does_not_count_until_it_is_opened() {
        let created = oslo(2025, 6, 2, 8, 0);
        let events = [
            status(created, TicketStatus::PendingVendor),
            status(oslo(2025, 6, 2, 14, 0), TicketStatus::Open),
        ];
        let resolution = policy(office_hours())
            .clock(Priority::P1, created, &events, oslo(2025, 6, 2, 15, 0))
            .unwrap()
            .resolution
            .unwrap();
        assert_eq!(resolution.elapsed, SignedDuration::from_hours(1));
        assert_eq!(resolution.due_at, Some(oslo(2025, 6, 3, 9, 0)));
    }

    #[test]
    fn invalid_targets_shares_and_names_are_rejected() {
        assert!(BusinessMinutes::new(0).is_err());
        assert!(BusinessMinutes::new(BusinessMinutes::MAX + 1).is_err());
        assert!(WarningShare::new(0).is_err());
        assert!(WarningShare::new(100).is_err());
        let err = SlaPolicy::new(
            "  ",
            PriorityTargets::default(),
            WarningShare::new(80).unwrap(),
            BusinessCalendar::always_open(),
        )
        .unwrap_err();
        assert_eq!(err.field, "name");
    }

    #[test]
    fn warning_share_is_taken_to_the_millisecond() {
        let share = WarningShare::new(33).unwrap();
        assert_eq!(
            share.of(SignedDuration::from_mins(1)),
            SignedDuration::from_millis(19_800)
        );
    }
}

#[cfg(test)]
#[path = "sla_start_tests.rs"]
mod start_tests;

/// Properties of the clock over random histories.
#[cfg(test)]
mod properties {
    use super::*;
    use crate::calendar::OpeningInterval;
    use jiff::civil::Weekday;
    use proptest::prelude::*;

    fn calendar(zone: &'static str) -> BusinessCalendar {
        let days = [
            Weekday::Monday,
            Weekday::Tuesday,
            Weekday::Wednesday,
            Weekday::Thursday,
            Weekday::Friday,
        ];
        let intervals = days.into_iter().flat_map(|d| {
            ["08:00-12:00", "13:00-17:00"].map(|h| (d, OpeningInterval::parse(h).unwrap()))
        });
        BusinessCalendar::weekly(zone, intervals, []).unwrap()
    }

    fn policy(zone: &'static str, resolution: u32) -> SlaPolicy {
        let targets = SlaTargets {
            first_response: None,
            update_interval: None,
            resolution: Some(BusinessMinutes::new(resolution).unwrap()),
        };
        let all = PriorityTargets {
            p1: targets,
            p2: targets,
            p3: targets,
            p4: targets,
        };
        SlaPolicy::new("p", all, WarningShare::new(75).unwrap(), calendar(zone)).unwrap()
    }

    /// Alternating pause/resume instants as minute offsets from creation.
    fn pauses() -> impl Strategy<Value = Vec<i64>> {
        prop::collection::btree_set(0i64..30_000, 0..8).prop_map(|s| s.into_iter().collect())
    }

    fn history(created: Timestamp, offsets: &[i64]) -> Vec<ClockEvent> {
        offsets
            .iter()
            .enumerate()
            .map(|(i, minutes)| ClockEvent::Status {
                at: created + SignedDuration::from_mins(*minutes),
                status: if i % 2 == 0 {
                    TicketStatus::PendingCustomer
                } else {
                    TicketStatus::Open
                },
            })
            .collect()
    }

    fn zone() -> impl Strategy<Value = &'static str> {
        prop::sample::select(&["Europe/Oslo", "America/New_York", "America/Sao_Paulo"][..])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn elapsed_business_time_is_the_open_time_outside_pauses(
            zone in zone(), start in 1_700_000_000i64..1_800_000_000, offsets in pauses(), now in 0i64..40_000, target in 1u32..5_000,
        ) {
            let created = Timestamp::from_second(start).unwrap();
            let now = created + SignedDuration::from_mins(now);
            let policy = policy(zone, target);
            let resolution = policy.clock(Priority::P2, created, &history(created, &offsets), now).unwrap().resolution.unwrap();
            // Count the running periods independently of the clock's own bookkeeping.
            let mut bounds: Vec<Timestamp> = vec![created];
            bounds.extend(offsets.iter().map(|m| created + SignedDuration::from_mins(*m)));
            bounds.push(Timestamp::MAX);
            let expected: SignedDuration = bounds
                .chunks(2)
                .map(|pair| {
                    let from = pair[0].min(now);
                    let to = pair.get(1).copied().unwrap_or(Timestamp::MAX).min(now);
                    policy.calendar().business_time_between(from, to)
                })
                .sum();
            prop_assert_eq!(resolution.elapsed, expected);
            if let Some(due) = resolution.due_at {
                prop_assert_eq!(resolution.is_breached(), due <= now);
            }
        }

        #[test]
        fn pausing_never_brings_a_due_time_earlier(
            zone in zone(), start in 1_700_000_000i64..1_800_000_000, offsets in pauses(), extra in 0i64..30_000, length in 1i64..5_000, target in 1u32..5_000,
        ) {
            let created = Timestamp::from_second(start).unwrap();
            let policy = policy(zone, target);
            // Resume at the end so both clocks run at `now`, then add one more pause.
            let mut offsets = offsets;
            if offsets.len() % 2 == 1 { offsets.pop(); }
            let last = offsets.last().copied().unwrap_or(0);
            let mut longer = offsets.clone();
            longer.extend([last + extra, last + extra + length]);
            let now = created + SignedDuration::from_mins(last + extra + length);
            let base = policy.clock(Priority::P3, created, &history(created, &offsets), now).unwrap();
            let paused = policy.clock(Priority::P3, created, &history(created, &longer), now).unwrap();
            let (base, paused) = (base.resolution.unwrap(), paused.resolution.unwrap());
            prop_assert!(paused.elapsed <= base.elapsed);
            prop_assert!(paused.due_at.unwrap() >= base.due_at.unwrap());
            prop_assert!(paused.warn_at.unwrap() >= base.warn_at.unwrap());
        }
    }
}
