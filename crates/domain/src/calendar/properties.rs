//! Property tests against a reference that is obviously correct because it is slow:
//! it walks real time one UTC minute at a time and asks the zone for the local time.

use super::hours::*;
use super::*;
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
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
                    let transition = tz.following(base).next().map_or(base, |tr| tr.timestamp());
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
