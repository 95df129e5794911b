//! Where a ticket's SLA clock starts and what meets it: a recorded first response meets
//! the first-response target.

use super::*;
use jiff::SignedDuration;

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
