//! Where a ticket's SLA clock starts: a recorded first response meets the first-response
//! target, and a policy applies from the instant its terms took effect.

use super::*;
use crate::calendar::BusinessCalendar;
use crate::priority::Priority;
use crate::ticket::TicketStatus;
use jiff::{SignedDuration, Timestamp};

fn minutes(n: u32) -> Option<BusinessMinutes> {
    Some(BusinessMinutes::new(n).unwrap())
}

/// Round the clock: first response 30 min, update 60 min, resolution 240 min (every
/// priority), warnings at 80 %.
fn policy() -> SlaPolicy {
    let all = SlaTargets {
        first_response: minutes(30),
        update_interval: minutes(60),
        resolution: minutes(240),
    };
    let targets = PriorityTargets {
        p1: all,
        p2: all,
        p3: all,
        p4: all,
    };
    SlaPolicy::new(
        "Standard",
        targets,
        WarningShare::new(80).unwrap(),
        BusinessCalendar::always_open(),
    )
    .unwrap()
}

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn mins(n: i64) -> SignedDuration {
    SignedDuration::from_mins(n)
}

#[test]
fn a_first_response_logged_at_creation_meets_the_target_and_starts_the_update_interval() {
    let created = at("2026-03-02T09:00:00Z");
    let clock = policy()
        .clock(
            Priority::P2,
            created,
            &[ClockEvent::FirstResponse { at: created }],
            created + mins(90),
        )
        .unwrap();
    let first = clock.first_response.unwrap();
    assert_eq!(first.phase, ClockPhase::Met);
    assert_eq!(first.met_at, Some(created));
    assert!(!first.is_warned() && !first.is_breached());
    let update = clock.next_update.unwrap();
    assert_eq!(update.started_at, created);
    assert_eq!(update.due_at, Some(created + mins(60)));
}

#[test]
fn a_ticket_older_than_the_policy_is_measured_from_when_the_policy_took_effect() {
    let created = at("2026-02-01T09:00:00Z");
    let in_force = at("2026-03-02T09:00:00Z");
    let policy = policy().in_force_from(in_force);
    assert_eq!(policy.in_force_since(), Some(in_force));
    assert_eq!(policy.clock_start(created), in_force);

    let clock = policy.clock(Priority::P1, created, &[], in_force).unwrap();
    assert!(!clock.is_breached());
    assert!(clock.targets().all(|t| !t.is_warned()));
    let first = clock.first_response.unwrap();
    assert_eq!(first.started_at, in_force);
    assert_eq!(first.elapsed, SignedDuration::ZERO);
    assert_eq!(first.due_at, Some(in_force + mins(30)));
    assert_eq!(clock.resolution.unwrap().due_at, Some(in_force + mins(240)));
    assert_eq!(clock.next_deadline(), Some(in_force + mins(24)));

    // Once the policy's time runs out, the old ticket is late like any other.
    let later = policy
        .clock(Priority::P1, created, &[], in_force + mins(30))
        .unwrap();
    assert!(later.first_response.unwrap().is_breached());
}

#[test]
fn history_before_the_policy_sets_the_state_the_clock_starts_in() {
    let created = at("2026-02-01T09:00:00Z");
    let in_force = at("2026-03-02T09:00:00Z");
    let policy = policy().in_force_from(in_force);
    let answered_then_pending = [
        ClockEvent::PublicReply {
            at: created + mins(5),
        },
        ClockEvent::Status {
            at: created + mins(10),
            status: TicketStatus::PendingCustomer,
        },
    ];
    let clock = policy
        .clock(
            Priority::P1,
            created,
            &answered_then_pending,
            in_force + mins(600),
        )
        .unwrap();
    let first = clock.first_response.unwrap();
    assert_eq!(first.phase, ClockPhase::Met);
    assert!(!first.is_breached());
    let resolution = clock.resolution.unwrap();
    assert_eq!(resolution.phase, ClockPhase::Paused);
    assert_eq!(resolution.elapsed, SignedDuration::ZERO);
    assert!(!clock.is_breached());
}

#[test]
fn a_ticket_created_after_the_policy_is_measured_from_its_creation() {
    let in_force = at("2026-03-02T09:00:00Z");
    let created = in_force + mins(5);
    let with = policy()
        .in_force_from(in_force)
        .clock(Priority::P1, created, &[], created + mins(45))
        .unwrap();
    let without = policy()
        .clock(Priority::P1, created, &[], created + mins(45))
        .unwrap();
    assert_eq!(with, without);
    assert!(with.first_response.unwrap().is_breached());
}
