//! Weekly opening hours in a time zone, with holidays: the intervals of each weekday
//! and the open spans between two instants.

use super::MINUTES_PER_DAY;
use crate::value::InvalidValue;
use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::{Offset, TimeZone};
use std::collections::BTreeSet;
use std::fmt;

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
    pub(super) fn civil_bounds(self, date: Date) -> Option<(DateTime, DateTime)> {
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

pub(super) fn minute_of(time: Time) -> u16 {
    // Hours are 0..=23 and minutes 0..=59, so this is at most 1439.
    (time.hour() as u16) * 60 + time.minute() as u16
}

pub(super) fn time_at(minute: u16) -> Option<Time> {
    Time::new((minute / 60) as i8, (minute % 60) as i8, 0, 0).ok()
}

pub(super) fn format_minute(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

pub(super) fn parse_minute(text: &str) -> Option<u16> {
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
    pub(super) fn next_span(
        &self,
        t: Timestamp,
        limit: Timestamp,
    ) -> Option<(Timestamp, Timestamp)> {
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
    pub(super) fn span_in_segment(
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

pub(super) fn day_index(weekday: Weekday) -> usize {
    // 0 for Monday through 6 for Sunday.
    weekday.to_monday_zero_offset().unsigned_abs() as usize
}

pub(super) fn weekday_name(index: usize) -> &'static str {
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
