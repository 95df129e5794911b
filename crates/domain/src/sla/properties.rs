//! Properties of the clock over random histories.

use super::*;
use crate::calendar::BusinessCalendar;
use crate::calendar::OpeningInterval;
use crate::priority::Priority;
use crate::ticket::TicketStatus;
use jiff::civil::Weekday;
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

fn calendar(zone: &'static str) -> BusinessCalendar {
    let days = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
    ];
    let intervals = days.into_iter().flat_map(|d| {
        ["08:00-12:00", "13:00-17:00"].map(|h| (d, OpeningInterval::parse(h).unwrap()))
    });
    BusinessCalendar::weekly(zone, intervals, []).unwrap()
}

fn policy(zone: &'static str, resolution: u32) -> SlaPolicy {
    let targets = SlaTargets {
        first_response: None,
        update_interval: None,
        resolution: Some(BusinessMinutes::new(resolution).unwrap()),
    };
    let all = PriorityTargets {
        p1: targets,
        p2: targets,
        p3: targets,
        p4: targets,
    };
    SlaPolicy::new("p", all, WarningShare::new(75).unwrap(), calendar(zone)).unwrap()
}

/// Alternating pause/resume instants as minute offsets from creation.
fn pauses() -> impl Strategy<Value = Vec<i64>> {
    prop::collection::btree_set(0i64..30_000, 0..8).prop_map(|s| s.into_iter().collect())
}

fn history(created: Timestamp, offsets: &[i64]) -> Vec<ClockEvent> {
    offsets
        .iter()
        .enumerate()
        .map(|(i, minutes)| ClockEvent::Status {
            at: created + SignedDuration::from_mins(*minutes),
            status: if i % 2 == 0 {
                TicketStatus::PendingCustomer
            } else {
                TicketStatus::Open
            },
        })
        .collect()
}

fn zone() -> impl Strategy<Value = &'static str> {
    prop::sample::select(&["Europe/Oslo", "America/New_York", "America/Sao_Paulo"][..])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn elapsed_business_time_is_the_open_time_outside_pauses(
        zone in zone(), start in 1_700_000_000i64..1_800_000_000, offsets in pauses(), now in 0i64..40_000, target in 1u32..5_000,
    ) {
        let created = Timestamp::from_second(start).unwrap();
        let now = created + SignedDuration::from_mins(now);
        let policy = policy(zone, target);
        let resolution = policy.clock(Priority::P2, created, &history(created, &offsets), now).unwrap().resolution.unwrap();
        // Count the running periods independently of the clock's own bookkeeping.
        let mut bounds: Vec<Timestamp> = vec![created];
        bounds.extend(offsets.iter().map(|m| created + SignedDuration::from_mins(*m)));
        bounds.push(Timestamp::MAX);
        let expected: SignedDuration = bounds
            .chunks(2)
            .map(|pair| {
                let from = pair[0].min(now);
                let to = pair.get(1).copied().unwrap_or(Timestamp::MAX).min(now);
                policy.calendar().business_time_between(from, to)
            })
            .sum();
        prop_assert_eq!(resolution.elapsed, expected);
        if let Some(due) = resolution.due_at {
            prop_assert_eq!(resolution.is_breached(), due <= now);
        }
    }

    #[test]
    fn pausing_never_brings_a_due_time_earlier(
        zone in zone(), start in 1_700_000_000i64..1_800_000_000, offsets in pauses(), extra in 0i64..30_000, length in 1i64..5_000, target in 1u32..5_000,
    ) {
        let created = Timestamp::from_second(start).unwrap();
        let policy = policy(zone, target);
        // Resume at the end so both clocks run at `now`, then add one more pause.
        let mut offsets = offsets;
        if offsets.len() % 2 == 1 { offsets.pop(); }
        let last = offsets.last().copied().unwrap_or(0);
        let mut longer = offsets.clone();
        longer.extend([last + extra, last + extra + length]);
        let now = created + SignedDuration::from_mins(last + extra + length);
        let base = policy.clock(Priority::P3, created, &history(created, &offsets), now).unwrap();
        let paused = policy.clock(Priority::P3, created, &history(created, &longer), now).unwrap();
        let (base, paused) = (base.resolution.unwrap(), paused.resolution.unwrap());
        prop_assert!(paused.elapsed <= base.elapsed);
        prop_assert!(paused.due_at.unwrap() >= base.due_at.unwrap());
        prop_assert!(paused.warn_at.unwrap() >= base.warn_at.unwrap());
    }
}
