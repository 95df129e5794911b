//! Examples of business-time math across zones, holidays and clock changes.

use super::hours::*;
use super::*;
use jiff::civil::date;
use jiff::civil::{Date, DateTime, Weekday};
use jiff::tz::TimeZoneDatabase;
use jiff::{SignedDuration, Timestamp};

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

fn calendar(zone: &str, days: &[Weekday], hours: &[&str], holidays: &[Date]) -> BusinessCalendar {
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
