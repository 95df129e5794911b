//! The clock of one ticket: the events that move it, each target's phase and due
//! times, and the counted periods of a target's current cycle.

use super::policy::{BusinessMinutes, WarningShare};
use crate::calendar::{BusinessCalendar, BusinessTimeError};
use crate::string_enum;
use crate::ticket::TicketStatus;
use jiff::{SignedDuration, Timestamp};

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

/// Whether a status stops the clock: waiting on the customer or a vendor is time the
/// desk cannot act (docs/ARCHITECTURE.md, "SLA policy").
pub(super) fn pauses_clock(status: TicketStatus) -> bool {
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
pub(super) struct Track {
    pub(super) active: bool,
    pub(super) started_at: Timestamp,
    /// Closed periods `[from, to)` in which the clock ran.
    pub(super) periods: Vec<(Timestamp, Timestamp)>,
    pub(super) running_since: Option<Timestamp>,
    pub(super) met_at: Option<Timestamp>,
}

impl Track {
    pub(super) fn started(at: Timestamp) -> Self {
        Track {
            active: true,
            started_at: at,
            periods: Vec::new(),
            running_since: Some(at),
            met_at: None,
        }
    }

    pub(super) fn not_started(at: Timestamp) -> Self {
        Track {
            active: false,
            running_since: None,
            ..Track::started(at)
        }
    }

    /// A new cycle from `at`; whether it runs is settled by the caller right after.
    pub(super) fn restart(&mut self, at: Timestamp) {
        *self = Track {
            running_since: None,
            ..Track::started(at)
        };
    }

    pub(super) fn run(&mut self, at: Timestamp) {
        if self.active && self.met_at.is_none() && self.running_since.is_none() {
            self.running_since = Some(at);
        }
    }

    pub(super) fn stop(&mut self, at: Timestamp) {
        if let Some(since) = self.running_since.take()
            && at > since
        {
            self.periods.push((since, at));
        }
    }

    pub(super) fn meet(&mut self, at: Timestamp) {
        if self.active && self.met_at.is_none() {
            self.stop(at);
            self.met_at = Some(at);
        }
    }

    pub(super) fn measure(
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
    pub(super) fn reaches(
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
