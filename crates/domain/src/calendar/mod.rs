//! Business calendars and business-time math: when the desk is open, how much open
//! time lies between two instants, and when a given amount of open time has passed.
//!
//! This module owns the calendar rules behind the SLA clock (docs/ARCHITECTURE.md, "SLA
//! policy": "a business calendar (weekly hours in a time zone, holidays, or 24/7)";
//! issue 4, "Service levels"). It does no IO and never reads the clock: callers pass
//! every instant in. Time zone rules come from the IANA time zone database through
//! jiff: the system copy (`/usr/share/zoneinfo`) when there is one, otherwise the copy
//! bundled into the binary (jiff's `tzdb-bundle-always` feature).
//!
//! # What "open" means
//!
//! One rule defines everything else: **an instant is open when the calendar's local
//! wall-clock reading at that instant (date and time of day, as the zone's rules say)
//! lies inside one of the opening intervals listed for that weekday, and that date is
//! not a holiday.** Business time is real elapsed time (UTC instants) spent open; it
//! is never a difference of wall-clock readings. So across daylight-saving changes:
//!
//! - **Spring forward (gap).** Wall-clock times inside the gap never appear, so they
//!   are never open. On the night Oslo jumps from 02:00 to 03:00, an interval
//!   01:00-03:00 holds one real hour; an interval that starts inside the gap
//!   (02:30-04:00) opens at the instant of the jump (03:00 local) and holds one hour;
//!   an interval wholly inside the gap holds nothing.
//! - **Fall back (overlap).** Wall-clock times that occur twice are open both times.
//!   On the night Oslo falls back from 03:00 to 02:00, an interval 01:00-03:00 holds
//!   three real hours.
//! - **Midnight.** An interval may end at `24:00` (the next midnight). Overnight
//!   shifts are written as two intervals, e.g. Monday 22:00-24:00 and Tuesday
//!   00:00-06:00; a holiday closes its own date only.
//!
//! Opening hours have minute precision; instants keep jiff's nanosecond precision.
//!
//! # Bounds
//!
//! Every search for open time stops after [`SEARCH_HORIZON_DAYS`] days of real time.
//! A calendar that is open for a moment a year still terminates: a due time that lies
//! beyond the horizon is reported as [`BusinessTimeError::BeyondHorizon`] instead of
//! being saturated to some made-up instant. [`BusinessCalendar::business_time_between`]
//! needs no horizon: its work is bounded by its `to` argument (one step per open
//! interval in the range).

use crate::value::InvalidValue;
use jiff::civil::{Date, Weekday};
use jiff::{SignedDuration, Timestamp};

mod hours;

pub use hours::{OpeningInterval, WeeklyHours};

#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;

/// How far ahead (in days of real time) a search for open time looks before giving up.
///
/// Ten years: far beyond any service-level target, small enough that even a calendar
/// open for one hour a year is searched in well under a second.
pub const SEARCH_HORIZON_DAYS: i64 = 3660;

const MINUTES_PER_DAY: u16 = 24 * 60;

/// Business-time arithmetic that has no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BusinessTimeError {
    /// Durations of business time are never negative.
    #[error("business time must not be negative (got {duration})")]
    NegativeDuration {
        /// The duration asked for.
        duration: SignedDuration,
    },
    /// The calendar does not hold the requested open time within
    /// [`SEARCH_HORIZON_DAYS`] days of `start` (or the result would leave jiff's range).
    #[error(
        "the calendar has no {duration} of open time within {SEARCH_HORIZON_DAYS} days after {start}"
    )]
    BeyondHorizon {
        /// Where counting began.
        start: Timestamp,
        /// The open time asked for.
        duration: SignedDuration,
    },
}

/// When a desk (or one of its services) counts time toward service-level targets.
#[derive(Debug, Clone, PartialEq)]
pub enum BusinessCalendar {
    /// Open around the clock: business time is wall-clock time. No holidays apply.
    AlwaysOpen,
    /// Open during weekly hours in a time zone, closed on holidays (boxed: the hours
    /// are large next to the 24/7 case).
    Weekly(Box<WeeklyHours>),
}

impl BusinessCalendar {
    /// A 24/7 calendar.
    pub fn always_open() -> Self {
        BusinessCalendar::AlwaysOpen
    }

    /// Weekly hours in `zone`; see [`WeeklyHours::new`].
    ///
    /// # Errors
    /// [`InvalidValue`] as for [`WeeklyHours::new`].
    pub fn weekly(
        zone: &str,
        intervals: impl IntoIterator<Item = (Weekday, OpeningInterval)>,
        holidays: impl IntoIterator<Item = Date>,
    ) -> Result<Self, InvalidValue> {
        WeeklyHours::new(zone, intervals, holidays)
            .map(|hours| BusinessCalendar::Weekly(Box::new(hours)))
    }

    /// Whether this is a 24/7 calendar.
    pub fn is_always_open(&self) -> bool {
        matches!(self, BusinessCalendar::AlwaysOpen)
    }

    /// Whether the desk is open at `t`.
    pub fn is_open(&self, t: Timestamp) -> bool {
        match self {
            BusinessCalendar::AlwaysOpen => true,
            BusinessCalendar::Weekly(hours) => hours.is_open(t),
        }
    }

    /// `t` when open at `t`, otherwise the instant the desk next opens.
    ///
    /// # Errors
    /// [`BusinessTimeError::BeyondHorizon`] when the desk does not open within
    /// [`SEARCH_HORIZON_DAYS`] days.
    pub fn next_open(&self, t: Timestamp) -> Result<Timestamp, BusinessTimeError> {
        self.add_business_time(t, SignedDuration::ZERO)
    }

    /// The instant at which `duration` of open time has elapsed since `start` (the due
    /// time of a target). Outside hours, counting begins at the next opening; a zero
    /// duration gives [`BusinessCalendar::next_open`]. A target that runs out exactly
    /// at closing time is due at closing time, not at the next opening.
    ///
    /// # Errors
    /// [`BusinessTimeError::NegativeDuration`] for a negative `duration`;
    /// [`BusinessTimeError::BeyondHorizon`] when the calendar does not hold that much
    /// open time within [`SEARCH_HORIZON_DAYS`] days of `start`.
    pub fn add_business_time(
        &self,
        start: Timestamp,
        duration: SignedDuration,
    ) -> Result<Timestamp, BusinessTimeError> {
        if duration.is_negative() {
            return Err(BusinessTimeError::NegativeDuration { duration });
        }
        let beyond = || BusinessTimeError::BeyondHorizon { start, duration };
        let hours = match self {
            BusinessCalendar::AlwaysOpen => {
                return start.checked_add(duration).map_err(|_| beyond());
            }
            BusinessCalendar::Weekly(hours) => hours,
        };
        let limit = start
            .checked_add(SignedDuration::from_hours(24 * SEARCH_HORIZON_DAYS))
            .unwrap_or(Timestamp::MAX);
        let mut remaining = duration;
        let mut t = start;
        // Each round consumes one open span that ends after `t` and moves `t` to its
        // end, so the loop runs at most once per open span before `limit`.
        loop {
            let (open, close) = hours.next_span(t, limit).ok_or_else(beyond)?;
            let length = close.duration_since(open);
            if remaining <= length {
                return open.checked_add(remaining).map_err(|_| beyond());
            }
            remaining -= length;
            t = close;
        }
    }

    /// The open time in `[from, to)`; zero when `to` is not after `from`.
    pub fn business_time_between(&self, from: Timestamp, to: Timestamp) -> SignedDuration {
        if to <= from {
            return SignedDuration::ZERO;
        }
        let hours = match self {
            BusinessCalendar::AlwaysOpen => return to.duration_since(from),
            BusinessCalendar::Weekly(hours) => hours,
        };
        let mut total = SignedDuration::ZERO;
        let mut t = from;
        // One round per open span in the range; each round moves `t` forward.
        while let Some((open, close)) = hours.next_span(t, to) {
            total += close.duration_since(open);
            t = close;
        }
        total
    }
}
