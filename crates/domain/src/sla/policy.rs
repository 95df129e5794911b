//! Policies: business-minute targets per priority, the warning share, and
//! [`SlaPolicy::clock`], which turns a ticket's history into its clock.

use super::clock::{ClockEvent, SlaClock, TargetClock, TargetKind, Track, pauses_clock};
use crate::calendar::{BusinessCalendar, BusinessTimeError};
use crate::priority::Priority;
use crate::ticket::TicketStatus;
use crate::value::{InvalidValue, NonEmpty};
use jiff::{SignedDuration, Timestamp};
use std::fmt;

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
