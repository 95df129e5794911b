//! Examples of the clock, one story each.

use super::*;
use crate::calendar::BusinessCalendar;
use crate::calendar::OpeningInterval;
use crate::priority::Priority;
use crate::ticket::TicketStatus;
use jiff::civil::{Weekday, date};
use jiff::{SignedDuration, Timestamp};

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
