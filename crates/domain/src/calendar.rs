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
use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::{Offset, TimeZone};
use jiff::{SignedDuration, Timestamp};
use std::collections::BTreeSet;
use std::fmt;

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

/// One opening interval of a day, `[start, end)` in local wall-clock time with minute
/// precision; `end` may be `24:00` (the following midnight).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OpeningInterval {
    start_minute: u16,
    end_minute: u16,
}

impl OpeningInterval {
    /// Builds an interval from minutes after midnight (`end_minute` up to 1440).
    ///
    /// # Errors
    /// [`InvalidValue`] unless `start_minute < end_minute <= 1440`.
    pub fn from_minutes(start_minute: u16, end_minute: u16) -> Result<Self, InvalidValue> {
        if end_minute > MINUTES_PER_DAY {
            return Err(InvalidValue::new(
                "opening_hours",
                format!("{} is past 24:00", format_minute(end_minute)),
            ));
        }
        if start_minute >= end_minute {
            return Err(InvalidValue::new(
                "opening_hours",
                format!(
                    "interval {}-{} must start before it ends",
                    format_minute(start_minute),
                    format_minute(end_minute)
                ),
            ));
        }
        Ok(OpeningInterval {
            start_minute,
            end_minute,
        })
    }

    /// Reads `HH:MM-HH:MM`, e.g. `08:00-12:00` or `22:00-24:00`.
    ///
    /// # Errors
    /// [`InvalidValue`] when the text is not two times of day in order.
    pub fn parse(text: &str) -> Result<Self, InvalidValue> {
        let invalid = || {
            InvalidValue::new(
                "opening_hours",
                format!("'{text}' is not an interval like 08:00-17:00"),
            )
        };
        let (start, end) = text.trim().split_once('-').ok_or_else(invalid)?;
        let start = parse_minute(start).ok_or_else(invalid)?;
        let end = parse_minute(end).ok_or_else(invalid)?;
        OpeningInterval::from_minutes(start, end)
    }

    /// Minutes after midnight at which the interval opens.
    pub fn start_minute(self) -> u16 {
        self.start_minute
    }

    /// Minutes after midnight at which the interval closes (1440 for `24:00`).
    pub fn end_minute(self) -> u16 {
        self.end_minute
    }

    /// Whether a wall-clock time of day lies in `[start, end)`.
    pub fn contains(self, time: Time) -> bool {
        let minute = minute_of(time);
        self.start_minute <= minute && minute < self.end_minute
    }

    /// The local date-times at which this interval opens and closes on `date`.
    fn civil_bounds(self, date: Date) -> Option<(DateTime, DateTime)> {
        let start = date.to_datetime(time_at(self.start_minute)?);
        let end = if self.end_minute == MINUTES_PER_DAY {
            date.tomorrow().ok()?.to_datetime(Time::midnight())
        } else {
            date.to_datetime(time_at(self.end_minute)?)
        };
        Some((start, end))
    }
}

impl fmt::Display for OpeningInterval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}",
            format_minute(self.start_minute),
            format_minute(self.end_minute)
        )
    }
}

fn minute_of(time: Time) -> u16 {
    // Hours are 0..=23 and minutes 0..=59, so this is at most 1439.
    (time.hour() as u16) * 60 + time.minute() as u16
}

fn time_at(minute: u16) -> Option<Time> {
    Time::new((minute / 60) as i8, (minute % 60) as i8, 0, 0).ok()
}

fn format_minute(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

fn parse_minute(text: &str) -> Option<u16> {
    let (hours, minutes) = text.trim().split_once(':')?;
    if hours.is_empty() || hours.len() > 2 || minutes.len() != 2 {
        return None;
    }
    if !hours
        .bytes()
        .chain(minutes.bytes())
        .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let hours: u16 = hours.parse().ok()?;
    let minutes: u16 = minutes.parse().ok()?;
    if minutes > 59 || hours > 24 || (hours == 24 && minutes != 0) {
        return None;
    }
    Some(hours * 60 + minutes)
}

/// Weekly opening hours in a named IANA time zone, minus holidays.
///
/// Built only through [`WeeklyHours::new`], so every value is valid: each weekday's
/// intervals are sorted and do not overlap (they may touch), the zone exists, and the
/// week has at least one opening interval.
#[derive(Debug, Clone, PartialEq)]
pub struct WeeklyHours {
    zone_name: String,
    zone: TimeZone,
    /// Indexed by `Weekday::to_monday_zero_offset`.
    week: [Vec<OpeningInterval>; 7],
    holidays: BTreeSet<Date>,
}

impl WeeklyHours {
    /// Validates weekly hours in `zone` (an IANA name such as `Europe/Oslo`).
    ///
    /// `intervals` may list several intervals per weekday in any order; `holidays` are
    /// local dates on which the desk is closed all day.
    ///
    /// # Errors
    /// [`InvalidValue`] when the zone is unknown, two intervals of one weekday overlap,
    /// or no weekday has an interval.
    pub fn new(
        zone: &str,
        intervals: impl IntoIterator<Item = (Weekday, OpeningInterval)>,
        holidays: impl IntoIterator<Item = Date>,
    ) -> Result<Self, InvalidValue> {
        let zone_name = zone.trim();
        let time_zone = TimeZone::get(zone_name).map_err(|_| {
            InvalidValue::new(
                "time_zone",
                format!("'{zone_name}' is not a time zone name such as Europe/Oslo"),
            )
        })?;
        let mut week: [Vec<OpeningInterval>; 7] = Default::default();
        for (weekday, interval) in intervals {
            week[day_index(weekday)].push(interval);
        }
        for (index, day) in week.iter_mut().enumerate() {
            day.sort();
            if let Some(pair) = day
                .windows(2)
                .find(|pair| pair[0].end_minute > pair[1].start_minute)
            {
                return Err(InvalidValue::new(
                    "opening_hours",
                    format!(
                        "on {} the intervals {} and {} overlap",
                        weekday_name(index),
                        pair[0],
                        pair[1]
                    ),
                ));
            }
        }
        if week.iter().all(Vec::is_empty) {
            return Err(InvalidValue::new(
                "opening_hours",
                "the week has no opening hours; use a 24/7 calendar for round-the-clock service",
            ));
        }
        Ok(WeeklyHours {
            zone_name: time_zone.iana_name().unwrap_or(zone_name).to_owned(),
            zone: time_zone,
            week,
            holidays: holidays.into_iter().collect(),
        })
    }

    /// The IANA name of the calendar's time zone.
    pub fn zone_name(&self) -> &str {
        &self.zone_name
    }

    /// The calendar's time zone.
    pub fn time_zone(&self) -> &TimeZone {
        &self.zone
    }

    /// The opening intervals of `weekday`, sorted.
    pub fn intervals(&self, weekday: Weekday) -> &[OpeningInterval] {
        &self.week[day_index(weekday)]
    }

    /// The holidays, in date order.
    pub fn holidays(&self) -> impl Iterator<Item = Date> + '_ {
        self.holidays.iter().copied()
    }

    /// Whether `t` is open (see the module docs for the rule).
    pub fn is_open(&self, t: Timestamp) -> bool {
        let local = self.zone.to_datetime(t);
        !self.holidays.contains(&local.date())
            && self
                .intervals(local.weekday())
                .iter()
                .any(|interval| interval.contains(local.time()))
    }

    /// The first open span `[a, b)` that ends after `t`, clipped to `[t, limit)`.
    ///
    /// Walks real time one zone-offset segment at a time: between two transitions the
    /// offset is fixed, so local time is `instant + offset`, strictly increasing, and
    /// each opening interval maps back to exactly one real span. Every loop advances
    /// toward `limit`, so this terminates.
    fn next_span(&self, t: Timestamp, limit: Timestamp) -> Option<(Timestamp, Timestamp)> {
        let mut from = t;
        while from < limit {
            let offset = self.zone.to_offset(from);
            let segment_end = self
                .zone
                .following(from)
                .next()
                .map_or(limit, |transition| transition.timestamp().min(limit));
            if let Some(span) = self.span_in_segment(from, segment_end, offset) {
                return Some(span);
            }
            from = segment_end;
        }
        None
    }

    /// The first open span within `[from, until)`, where `offset` holds throughout.
    fn span_in_segment(
        &self,
        from: Timestamp,
        until: Timestamp,
        offset: Offset,
    ) -> Option<(Timestamp, Timestamp)> {
        let mut date = offset.to_datetime(from).date();
        loop {
            // Instants within a day of jiff's range ends cannot be converted; they are
            // treated as closed.
            let day_start = offset
                .to_timestamp(date.to_datetime(Time::midnight()))
                .ok()?;
            if day_start >= until {
                return None;
            }
            if !self.holidays.contains(&date) {
                for interval in self.intervals(date.weekday()) {
                    let (start, end) = interval.civil_bounds(date)?;
                    let start = offset.to_timestamp(start).ok()?.max(from);
                    let end = offset.to_timestamp(end).ok()?.min(until);
                    if start < end {
                        return Some((start, end));
                    }
                }
            }
            date = date.tomorrow().ok()?;
        }
    }
}

fn day_index(weekday: Weekday) -> usize {
    // 0 for Monday through 6 for Sunday.
    weekday.to_monday_zero_offset().unsigned_abs() as usize
}

fn weekday_name(index: usize) -> &'static str {
    [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
    .get(index)
    .copied()
    .unwrap_or("?")
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

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use jiff::tz::TimeZoneDatabase;

    const WORKDAYS: [Weekday; 5] = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
    ];
    const ALL_DAYS: [Weekday; 7] = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ];

    fn interval(text: &str) -> OpeningInterval {
        OpeningInterval::parse(text).unwrap()
    }

    fn calendar(
        zone: &str,
        days: &[Weekday],
        hours: &[&str],
        holidays: &[Date],
    ) -> BusinessCalendar {
        let intervals = days
            .iter()
            .flat_map(|day| hours.iter().map(move |h| (*day, interval(h))));
        BusinessCalendar::weekly(zone, intervals, holidays.iter().copied()).unwrap()
    }

    fn office(zone: &str) -> BusinessCalendar {
        calendar(zone, &WORKDAYS, &["08:00-17:00"], &[])
    }

    fn at(zone: &str, dt: DateTime) -> Timestamp {
        // `compatible` is fine for test inputs: none of them lies in a gap or overlap
        // unless the test says so and uses explicit offsets instead.
        dt.in_tz(zone).unwrap().timestamp()
    }

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn hours(n: i64) -> SignedDuration {
        SignedDuration::from_hours(n)
    }

    fn mins(n: i64) -> SignedDuration {
        SignedDuration::from_mins(n)
    }

    #[test]
    fn friday_evening_p1_with_weekday_office_hours_in_oslo_is_due_monday_morning() {
        let cal = office("Europe/Oslo");
        let friday_evening = at("Europe/Oslo", date(2025, 1, 17).at(18, 30, 0, 0));
        let due = cal.add_business_time(friday_evening, hours(4)).unwrap();
        assert_eq!(due, at("Europe/Oslo", date(2025, 1, 20).at(12, 0, 0, 0)));
    }

    #[test]
    fn holidays_are_skipped() {
        let christmas = [date(2025, 12, 24), date(2025, 12, 25), date(2025, 12, 26)];
        let cal = calendar("Europe/Oslo", &WORKDAYS, &["08:00-17:00"], &christmas);
        let start = at("Europe/Oslo", date(2025, 12, 23).at(16, 0, 0, 0));
        let due = cal.add_business_time(start, hours(2)).unwrap();
        assert_eq!(due, at("Europe/Oslo", date(2025, 12, 29).at(9, 0, 0, 0)));
        assert!(!cal.is_open(at("Europe/Oslo", date(2025, 12, 24).at(10, 0, 0, 0))));
    }

    #[test]
    fn lunch_break_between_two_intervals_is_not_counted() {
        let cal = calendar(
            "Europe/Budapest",
            &WORKDAYS,
            &["13:00-17:00", "08:00-12:00"],
            &[],
        );
        let start = at("Europe/Budapest", date(2025, 6, 2).at(11, 0, 0, 0));
        let due = cal.add_business_time(start, hours(2)).unwrap();
        assert_eq!(due, at("Europe/Budapest", date(2025, 6, 2).at(14, 0, 0, 0)));
    }

    #[test]
    fn a_target_that_runs_out_at_closing_time_is_due_at_closing_time() {
        let cal = office("Europe/Oslo");
        let start = at("Europe/Oslo", date(2025, 6, 2).at(8, 0, 0, 0));
        let due = cal.add_business_time(start, hours(9)).unwrap();
        assert_eq!(due, at("Europe/Oslo", date(2025, 6, 2).at(17, 0, 0, 0)));
    }

    #[test]
    fn a_zero_duration_waits_for_the_next_opening() {
        let cal = office("America/Sao_Paulo");
        let saturday = at("America/Sao_Paulo", date(2025, 6, 7).at(10, 0, 0, 0));
        let monday = at("America/Sao_Paulo", date(2025, 6, 9).at(8, 0, 0, 0));
        assert_eq!(
            cal.add_business_time(saturday, SignedDuration::ZERO)
                .unwrap(),
            monday
        );
        assert_eq!(cal.next_open(saturday).unwrap(), monday);
        assert_eq!(cal.next_open(monday).unwrap(), monday);
    }

    #[test]
    fn seconds_carry_over_to_the_next_opening() {
        let cal = office("Europe/Oslo");
        let start = at("Europe/Oslo", date(2025, 6, 2).at(16, 59, 30, 0));
        let due = cal.add_business_time(start, mins(1)).unwrap();
        assert_eq!(due, at("Europe/Oslo", date(2025, 6, 3).at(8, 0, 30, 0)));
    }

    #[test]
    fn spring_forward_night_in_oslo_loses_the_hour_in_the_gap() {
        // 2025-03-30: 02:00 CET becomes 03:00 CEST (01:00Z).
        let cal = calendar("Europe/Oslo", &[Weekday::Sunday], &["01:00-03:00"], &[]);
        let open = ts("2025-03-30T00:00:00Z");
        assert_eq!(cal.next_open(ts("2025-03-29T12:00:00Z")).unwrap(), open);
        assert_eq!(
            cal.business_time_between(open, ts("2025-03-30T12:00:00Z")),
            hours(1)
        );
        assert_eq!(
            cal.add_business_time(open, hours(1)).unwrap(),
            ts("2025-03-30T01:00:00Z")
        );
        // The next hour of work waits a week.
        assert_eq!(
            cal.add_business_time(open, mins(90)).unwrap(),
            ts("2025-04-05T23:30:00Z")
        );
    }

    #[test]
    fn an_interval_that_starts_inside_the_gap_opens_when_the_clock_jumps() {
        let cal = calendar("Europe/Oslo", &[Weekday::Sunday], &["02:30-04:00"], &[]);
        let jump = ts("2025-03-30T01:00:00Z"); // 03:00 CEST
        assert_eq!(cal.next_open(ts("2025-03-30T00:00:00Z")).unwrap(), jump);
        assert_eq!(
            cal.business_time_between(ts("2025-03-29T00:00:00Z"), ts("2025-03-31T00:00:00Z")),
            hours(1)
        );
        let inside = calendar("Europe/Oslo", &[Weekday::Sunday], &["02:15-02:45"], &[]);
        assert_eq!(
            inside.business_time_between(ts("2025-03-29T00:00:00Z"), ts("2025-03-31T00:00:00Z")),
            SignedDuration::ZERO
        );
    }

    #[test]
    fn fall_back_night_in_oslo_counts_the_repeated_hour_twice() {
        // 2025-10-26: 03:00 CEST becomes 02:00 CET (01:00Z).
        let cal = calendar("Europe/Oslo", &[Weekday::Sunday], &["01:00-03:00"], &[]);
        let open = ts("2025-10-25T23:00:00Z"); // 01:00 CEST
        assert_eq!(cal.next_open(ts("2025-10-25T12:00:00Z")).unwrap(), open);
        assert_eq!(
            cal.business_time_between(open, ts("2025-10-26T12:00:00Z")),
            hours(3)
        );
        // 02:30 CET, the second time the clock reads 02:30.
        assert_eq!(
            cal.add_business_time(open, mins(150)).unwrap(),
            ts("2025-10-26T01:30:00Z")
        );
        assert!(cal.is_open(ts("2025-10-26T00:30:00Z")));
        assert!(cal.is_open(ts("2025-10-26T01:30:00Z")));
        assert!(!cal.is_open(ts("2025-10-26T02:00:00Z")));
    }

    #[test]
    fn dst_days_in_new_york_are_23_and_25_hours_long_on_a_round_the_clock_sunday() {
        let cal = calendar(
            "America/New_York",
            &[Weekday::Sunday],
            &["00:00-24:00"],
            &[],
        );
        let spring = cal.business_time_between(
            at("America/New_York", date(2025, 3, 8).at(12, 0, 0, 0)),
            at("America/New_York", date(2025, 3, 10).at(12, 0, 0, 0)),
        );
        assert_eq!(spring, hours(23));
        let autumn = cal.business_time_between(
            at("America/New_York", date(2025, 11, 1).at(12, 0, 0, 0)),
            at("America/New_York", date(2025, 11, 3).at(12, 0, 0, 0)),
        );
        assert_eq!(autumn, hours(25));
        // Twelve hours from Sunday midnight end at 13:00 EDT: the day lost an hour.
        let sunday = at("America/New_York", date(2025, 3, 9).at(0, 0, 0, 0));
        assert_eq!(
            cal.add_business_time(sunday, hours(12)).unwrap(),
            at("America/New_York", date(2025, 3, 9).at(13, 0, 0, 0))
        );
    }

    #[test]
    fn office_hours_across_dst_weekends_in_new_york_keep_their_local_times() {
        let cal = office("America/New_York");
        let friday = at("America/New_York", date(2025, 3, 7).at(16, 0, 0, 0));
        assert_eq!(
            cal.add_business_time(friday, hours(2)).unwrap(),
            at("America/New_York", date(2025, 3, 10).at(9, 0, 0, 0))
        );
        let friday = at("America/New_York", date(2025, 10, 31).at(16, 0, 0, 0));
        assert_eq!(
            cal.add_business_time(friday, hours(2)).unwrap(),
            at("America/New_York", date(2025, 11, 3).at(9, 0, 0, 0))
        );
    }

    #[test]
    fn sao_paulo_midnight_that_never_happened_opens_at_one_oclock() {
        // 2018-11-04: 00:00 -03 became 01:00 -02 (03:00Z).
        let cal = calendar(
            "America/Sao_Paulo",
            &[Weekday::Sunday],
            &["00:00-08:00"],
            &[],
        );
        let saturday_night = ts("2018-11-04T02:30:00Z"); // 23:30 -03 on Saturday
        assert_eq!(
            cal.next_open(saturday_night).unwrap(),
            ts("2018-11-04T03:00:00Z")
        );
        assert_eq!(
            cal.business_time_between(saturday_night, ts("2018-11-05T00:00:00Z")),
            hours(7)
        );
    }

    #[test]
    fn sao_paulo_saturday_evening_repeated_at_fall_back_is_counted_twice() {
        // 2019-02-17: 00:00 -02 became Saturday 23:00 -03 (02:00Z).
        let cal = calendar(
            "America/Sao_Paulo",
            &[Weekday::Saturday],
            &["22:00-24:00"],
            &[],
        );
        assert_eq!(
            cal.business_time_between(ts("2019-02-16T12:00:00Z"), ts("2019-02-17T12:00:00Z")),
            hours(3)
        );
    }

    #[test]
    fn round_the_clock_calendar_is_wall_clock_time() {
        let cal = BusinessCalendar::always_open();
        let start = ts("2025-03-30T00:30:00Z");
        assert_eq!(
            cal.add_business_time(start, hours(5)).unwrap(),
            ts("2025-03-30T05:30:00Z")
        );
        assert_eq!(
            cal.business_time_between(start, ts("2025-03-31T00:30:00Z")),
            hours(24)
        );
        assert_eq!(
            cal.business_time_between(ts("2025-03-31T00:30:00Z"), start),
            SignedDuration::ZERO
        );
        assert!(cal.is_open(start));
        assert_eq!(cal.next_open(start).unwrap(), start);
    }

    #[test]
    fn negative_business_time_is_refused() {
        let err = office("Europe/Oslo")
            .add_business_time(ts("2025-01-01T00:00:00Z"), hours(-1))
            .unwrap_err();
        assert!(matches!(err, BusinessTimeError::NegativeDuration { .. }));
    }

    #[test]
    fn a_calendar_open_one_hour_a_year_stops_at_the_horizon() {
        // Open on Mondays 09-10, but every Monday for twelve years is a holiday save one.
        let first = date(2025, 1, 6);
        let mondays: Vec<Date> = (0..12 * 53)
            .filter_map(|week| first.checked_add(jiff::Span::new().weeks(week)).ok())
            .filter(|d| *d != date(2026, 1, 5))
            .collect();
        let cal = calendar(
            "Europe/Oslo",
            &[Weekday::Monday],
            &["09:00-10:00"],
            &mondays,
        );
        let start = at("Europe/Oslo", date(2025, 1, 1).at(0, 0, 0, 0));
        assert_eq!(
            cal.add_business_time(start, hours(1)).unwrap(),
            at("Europe/Oslo", date(2026, 1, 5).at(10, 0, 0, 0))
        );
        let err = cal.add_business_time(start, mins(61)).unwrap_err();
        assert!(
            matches!(err, BusinessTimeError::BeyondHorizon { .. }),
            "{err}"
        );
        assert_eq!(
            cal.business_time_between(start, at("Europe/Oslo", date(2037, 1, 1).at(0, 0, 0, 0))),
            hours(1)
        );
    }

    #[test]
    fn opening_intervals_parse_and_print_with_midnight_as_24_00() {
        let late = interval("22:00-24:00");
        assert_eq!((late.start_minute(), late.end_minute()), (1320, 1440));
        assert_eq!(late.to_string(), "22:00-24:00");
        assert_eq!(interval(" 8:00 - 12:30 ").to_string(), "08:00-12:30");
        for bad in [
            "",
            "08:00",
            "17:00-08:00",
            "08:00-08:00",
            "08:00-24:30",
            "25:00-26:00",
            "8-17",
            "08:60-09:00",
            "+8:00-09:00",
        ] {
            assert!(OpeningInterval::parse(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn overlapping_intervals_unknown_zones_and_empty_weeks_are_rejected() {
        let overlap = BusinessCalendar::weekly(
            "Europe/Oslo",
            [
                (Weekday::Monday, interval("08:00-12:00")),
                (Weekday::Monday, interval("11:00-13:00")),
            ],
            [],
        )
        .unwrap_err();
        assert!(overlap.message.contains("monday"), "{}", overlap.message);
        let zone = BusinessCalendar::weekly(
            "Mars/Olympus_Mons",
            [(Weekday::Monday, interval("08:00-12:00"))],
            [],
        )
        .unwrap_err();
        assert_eq!(zone.field, "time_zone");
        assert!(BusinessCalendar::weekly("Europe/Oslo", [], []).is_err());
        let touching = BusinessCalendar::weekly(
            "Europe/Oslo",
            [
                (Weekday::Monday, interval("12:00-17:00")),
                (Weekday::Monday, interval("08:00-12:00")),
            ],
            [],
        )
        .unwrap();
        let BusinessCalendar::Weekly(hours) = touching else {
            panic!("weekly")
        };
        assert_eq!(hours.intervals(Weekday::Monday)[0], interval("08:00-12:00"));
    }

    #[test]
    fn the_desk_zones_resolve_from_the_bundled_database_without_zoneinfo() {
        let bundled = TimeZoneDatabase::bundled();
        for zone in [
            "Europe/Oslo",
            "America/Sao_Paulo",
            "Europe/Budapest",
            "America/New_York",
            "Europe/Warsaw",
        ] {
            assert!(
                bundled.get(zone).is_ok(),
                "{zone} is missing from the bundle"
            );
            assert!(office(zone).is_open(at(zone, date(2025, 6, 2).at(9, 0, 0, 0))));
        }
    }

    #[test]
    fn every_weekday_round_the_clock_matches_always_open() {
        let cal = calendar("Europe/Oslo", &ALL_DAYS, &["00:00-24:00"], &[]);
        let start = ts("2025-10-20T10:17:03Z");
        let end = ts("2025-11-02T03:00:00Z");
        assert_eq!(
            cal.business_time_between(start, end),
            end.duration_since(start)
        );
        assert_eq!(
            cal.add_business_time(start, hours(100)).unwrap(),
            start + hours(100)
        );
    }
}

/// Property tests against a reference that is obviously correct because it is slow:
/// it walks real time one UTC minute at a time and asks the zone for the local time.
#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    /// Zones with every kind of change: one-hour DST (Oslo, New York, Budapest), DST at
    /// midnight (São Paulo until 2019), half-hour DST (Lord Howe), DST at 02:45 with a
    /// +12:45 offset (Chatham), a skipped date (Apia, 2011-12-30), two-hour DST (Troll),
    /// a half-hour offset without DST (Kolkata), and none at all (UTC).
    const ZONES: &[&str] = &[
        "Europe/Oslo",
        "America/New_York",
        "America/Sao_Paulo",
        "Europe/Budapest",
        "Australia/Lord_Howe",
        "Pacific/Chatham",
        "Pacific/Apia",
        "Antarctica/Troll",
        "Asia/Kolkata",
        "UTC",
    ];

    const MINUTE: SignedDuration = SignedDuration::from_mins(1);
    const MAX_REFERENCE_STEPS: usize = 200_000;

    #[derive(Debug, Clone)]
    struct Case {
        zone: &'static str,
        week: Vec<Vec<(u16, u16)>>,
        holiday_offsets: Vec<i64>,
        start: Timestamp,
    }

    impl Case {
        fn open_minutes_per_week(&self) -> i64 {
            self.week
                .iter()
                .flatten()
                .map(|(start, end)| i64::from(end - start))
                .sum()
        }

        fn holidays(&self) -> Vec<Date> {
            let zone = TimeZone::get(self.zone).unwrap();
            let first = zone.to_datetime(self.start).date();
            self.holiday_offsets
                .iter()
                .map(|days| first.checked_add(jiff::Span::new().days(*days)).unwrap())
                .collect()
        }

        fn calendar(&self) -> BusinessCalendar {
            let intervals = self.week.iter().enumerate().flat_map(|(day, list)| {
                list.iter().map(move |(start, end)| {
                    (
                        Weekday::from_monday_zero_offset(day as i8).unwrap(),
                        OpeningInterval::from_minutes(*start, *end).unwrap(),
                    )
                })
            });
            BusinessCalendar::weekly(self.zone, intervals, self.holidays()).unwrap()
        }

        fn reference(&self) -> Reference {
            Reference {
                zone: TimeZone::get(self.zone).unwrap(),
                week: self.week.clone(),
                holidays: self.holidays().into_iter().collect(),
            }
        }
    }

    struct Reference {
        zone: TimeZone,
        week: Vec<Vec<(u16, u16)>>,
        holidays: HashSet<Date>,
    }

    impl Reference {
        /// Open when the local wall clock reads a time inside an interval of that day.
        fn is_open(&self, t: Timestamp) -> bool {
            let local = self.zone.to_datetime(t);
            let minute = local.hour() as u16 * 60 + local.minute() as u16;
            !self.holidays.contains(&local.date())
                && self.week[local.weekday().to_monday_zero_offset() as usize]
                    .iter()
                    .any(|(start, end)| *start <= minute && minute < *end)
        }

        /// Counts open minutes from a minute-aligned `start`; zero minutes is the first
        /// open minute, otherwise the end of the last minute counted.
        fn add(&self, start: Timestamp, minutes: i64) -> Timestamp {
            let mut t = start;
            let mut counted = 0;
            for _ in 0..MAX_REFERENCE_STEPS {
                if self.is_open(t) {
                    if minutes == 0 {
                        return t;
                    }
                    counted += 1;
                    if counted == minutes {
                        return t + MINUTE;
                    }
                }
                t += MINUTE;
            }
            panic!("reference ran out of steps; bound the generated durations");
        }

        fn between(&self, from: Timestamp, to: Timestamp) -> SignedDuration {
            let mut t = from;
            let mut open = 0;
            while t < to {
                if self.is_open(t) {
                    open += 1;
                }
                t += MINUTE;
            }
            SignedDuration::from_mins(open)
        }
    }

    /// One day's intervals on a quarter-hour grid, so they often begin or end inside a
    /// DST gap or overlap.
    fn day() -> impl Strategy<Value = Vec<(u16, u16)>> {
        prop::collection::btree_set(0u16..=96, 0..=6).prop_map(|points| {
            let points: Vec<u16> = points.into_iter().map(|p| p * 15).collect();
            points
                .chunks_exact(2)
                .map(|pair| (pair[0], pair[1]))
                .collect()
        })
    }

    /// A calendar and a minute-aligned start, half the time within three days of one
    /// of the zone's transitions.
    fn case() -> impl Strategy<Value = Case> {
        let first = Timestamp::from_second(1_293_840_000).unwrap().as_second() / 60; // 2011-01-01
        let last = Timestamp::from_second(1_798_761_600).unwrap().as_second() / 60; // 2027-01-01
        (
            prop::sample::select(ZONES),
            prop::collection::vec(day(), 7),
            prop::collection::vec(-1i64..21, 0..=3),
            first..last,
            any::<bool>(),
            -3 * 1440i64..3 * 1440,
        )
            .prop_map(
                |(zone, week, holiday_offsets, base, near_transition, shift)| {
                    let base = Timestamp::from_second(base * 60).unwrap();
                    let start = if near_transition {
                        // Some zone files carry a no-op entry at 2038-01-19T03:14:07Z (the end
                        // of 32-bit time); round down so the reference's minute steps stay
                        // aligned with the opening hours.
                        let tz = TimeZone::get(zone).unwrap();
                        let transition =
                            tz.following(base).next().map_or(base, |tr| tr.timestamp());
                        let second = transition.as_second();
                        Timestamp::from_second(second - second.rem_euclid(60)).unwrap()
                            + SignedDuration::from_mins(shift)
                    } else {
                        base
                    };
                    Case {
                        zone,
                        week,
                        holiday_offsets,
                        start,
                    }
                },
            )
            .prop_filter("the week needs an hour of opening", |case| {
                case.open_minutes_per_week() >= 60
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]

        #[test]
        fn add_business_time_agrees_with_minute_by_minute_reference(case in case(), raw in 0i64..100_000) {
            let minutes = raw % (2 * case.open_minutes_per_week() + 1);
            let due = case.calendar().add_business_time(case.start, SignedDuration::from_mins(minutes)).unwrap();
            prop_assert_eq!(due, case.reference().add(case.start, minutes));
        }

        #[test]
        fn business_time_between_agrees_with_minute_by_minute_reference(case in case(), length in 0i64..15_000) {
            let to = case.start + SignedDuration::from_mins(length);
            prop_assert_eq!(
                case.calendar().business_time_between(case.start, to),
                case.reference().between(case.start, to)
            );
        }

        #[test]
        fn is_open_and_next_open_agree_with_reference(case in case(), probe in 0i64..20_160) {
            let t = case.start + SignedDuration::from_mins(probe);
            let calendar = case.calendar();
            let reference = case.reference();
            prop_assert_eq!(calendar.is_open(t), reference.is_open(t));
            prop_assert_eq!(calendar.next_open(t).unwrap(), reference.add(t, 0));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(192))]

        #[test]
        fn business_time_between_start_and_due_is_the_duration(case in case(), jitter in 0i64..86_400_000, raw in 0i64..1_000_000) {
            // Any start to the millisecond, any duration to the second.
            let start = case.start + SignedDuration::from_millis(jitter);
            let duration = SignedDuration::from_secs(raw % (2 * 60 * case.open_minutes_per_week() + 1));
            let calendar = case.calendar();
            let due = calendar.add_business_time(start, duration).unwrap();
            prop_assert!(due >= start);
            prop_assert_eq!(calendar.business_time_between(start, due), duration);
        }

        #[test]
        fn later_starts_and_longer_durations_never_give_earlier_due_times(
            case in case(), shift in 0i64..20_000, a in 0i64..100_000, b in 0i64..100_000,
        ) {
            let limit = 2 * case.open_minutes_per_week() + 1;
            let (short, long) = (a.min(b) % limit, a.max(b) % limit);
            let (short, long) = (short.min(long), short.max(long));
            let calendar = case.calendar();
            let add = |start: Timestamp, minutes: i64| {
                calendar.add_business_time(start, SignedDuration::from_mins(minutes)).unwrap()
            };
            prop_assert!(add(case.start, short) <= add(case.start, long));
            let later = case.start + SignedDuration::from_mins(shift);
            prop_assert!(add(case.start, short) <= add(later, short));
        }

        #[test]
        fn adding_in_two_steps_across_dst_equals_adding_once(case in case(), a in 0i64..100_000, b in 1i64..100_000) {
            let limit = case.open_minutes_per_week() + 1;
            let (first, second) = (SignedDuration::from_mins(a % limit), SignedDuration::from_mins(1 + b % limit));
            let calendar = case.calendar();
            let halfway = calendar.add_business_time(case.start, first).unwrap();
            prop_assert_eq!(
                calendar.add_business_time(halfway, second).unwrap(),
                calendar.add_business_time(case.start, first + second).unwrap()
            );
        }

        #[test]
        fn always_open_calendar_is_wall_clock_time(start in -2_000_000_000i64..4_000_000_000, secs in 0i64..100_000_000) {
            let start = Timestamp::from_second(start).unwrap();
            let duration = SignedDuration::from_secs(secs);
            let calendar = BusinessCalendar::always_open();
            prop_assert_eq!(calendar.add_business_time(start, duration).unwrap(), start + duration);
            prop_assert_eq!(calendar.business_time_between(start, start + duration), duration);
        }
    }
}
