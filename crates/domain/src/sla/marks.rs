//! Marks: what a ticket's jobs already did in a clock cycle (a warning, a breach, an
//! automation step), recorded as (mark, cycle start) so that no step runs twice, and
//! when the ticket's next SLA job is due given what is already marked.

use super::clock::{ClockPhase, SlaClock, TargetKind};
use jiff::Timestamp;

/// A recorded mark: its name and the start of the cycle it belongs to.
pub type Mark = (String, Timestamp);

/// The mark recording a warning (`breached = false`) or breach of a target's cycle.
pub fn sla_mark(breached: bool, kind: TargetKind) -> String {
    format!(
        "{}:{}",
        if breached { "breach" } else { "warning" },
        kind.as_str()
    )
}

/// Whether `mark` was recorded for the cycle that started at `cycle_start`.
pub fn has_mark(marks: &[Mark], mark: &str, cycle_start: Timestamp) -> bool {
    marks.iter().any(|(m, at)| m == mark && *at == cycle_start)
}

/// The earliest warning or due instant of a running target not yet marked: when the
/// ticket's SLA job must run (possibly already past); `None` when nothing is left to do.
pub fn next_sla_job(clock: &SlaClock, marks: &[Mark]) -> Option<Timestamp> {
    clock
        .targets()
        .filter(|t| t.phase == ClockPhase::Running)
        .flat_map(|t| {
            [(false, t.warn_at), (true, t.due_at)]
                .into_iter()
                .filter_map(move |(breached, at)| {
                    let at = at?;
                    (!has_mark(marks, &sla_mark(breached, t.kind), t.started_at)).then_some(at)
                })
        })
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::BusinessMinutes;
    use jiff::SignedDuration;
    use proptest::prelude::*;

    fn at(minutes: i64) -> Timestamp {
        Timestamp::UNIX_EPOCH + SignedDuration::from_mins(minutes)
    }

    fn target(kind: TargetKind, phase: ClockPhase, start: i64, warn: i64, due: i64) -> TargetClock {
        TargetClock {
            kind,
            target: BusinessMinutes::new(60).unwrap(),
            phase,
            started_at: at(start),
            elapsed: SignedDuration::ZERO,
            warn_at: Some(at(warn)),
            due_at: Some(at(due)),
            met_at: None,
            as_of: at(0),
        }
    }

    fn clock(first: TargetClock, resolution: TargetClock) -> SlaClock {
        SlaClock {
            as_of: at(0),
            first_response: Some(first),
            next_update: None,
            resolution: Some(resolution),
        }
    }

    use super::super::clock::TargetClock;

    #[test]
    fn marks_name_the_step_and_the_target() {
        assert_eq!(
            sla_mark(false, TargetKind::FirstResponse),
            "warning:first_response"
        );
        assert_eq!(sla_mark(true, TargetKind::Resolution), "breach:resolution");
    }

    #[test]
    fn a_mark_counts_only_for_its_own_cycle() {
        let marks = vec![("warning:update".to_string(), at(10))];
        assert!(has_mark(&marks, "warning:update", at(10)));
        assert!(!has_mark(&marks, "warning:update", at(20)));
        assert!(!has_mark(&marks, "breach:update", at(10)));
    }

    #[test]
    fn the_next_job_is_the_earliest_unmarked_warning_or_due_time_of_a_running_target() {
        let running = clock(
            target(TargetKind::FirstResponse, ClockPhase::Running, 0, 48, 60),
            target(TargetKind::Resolution, ClockPhase::Running, 0, 400, 500),
        );
        assert_eq!(next_sla_job(&running, &[]), Some(at(48)));
        let warned = vec![(sla_mark(false, TargetKind::FirstResponse), at(0))];
        assert_eq!(next_sla_job(&running, &warned), Some(at(60)));
        let paused = clock(
            target(TargetKind::FirstResponse, ClockPhase::Met, 0, 48, 60),
            target(TargetKind::Resolution, ClockPhase::Paused, 0, 400, 500),
        );
        assert_eq!(next_sla_job(&paused, &[]), None);
    }

    fn phase() -> impl Strategy<Value = ClockPhase> {
        prop_oneof![
            Just(ClockPhase::Running),
            Just(ClockPhase::Paused),
            Just(ClockPhase::Met)
        ]
    }

    proptest! {
        /// Whatever is marked, the next job is never a marked step, never earlier than
        /// an unmarked step of a running target, and none is left once all are marked.
        #[test]
        fn the_next_job_skips_exactly_the_marked_steps(
            phases in (phase(), phase()),
            times in (0i64..1000, 0i64..1000, 0i64..1000, 0i64..1000),
            marked in proptest::collection::vec(any::<bool>(), 4),
        ) {
            let first = target(TargetKind::FirstResponse, phases.0, 0, times.0, times.1);
            let resolution = target(TargetKind::Resolution, phases.1, 5, times.2, times.3);
            let clock = clock(first, resolution);
            let steps = [
                (false, TargetKind::FirstResponse, 0, times.0, phases.0),
                (true, TargetKind::FirstResponse, 0, times.1, phases.0),
                (false, TargetKind::Resolution, 5, times.2, phases.1),
                (true, TargetKind::Resolution, 5, times.3, phases.1),
            ];
            let marks: Vec<Mark> = steps
                .iter()
                .zip(&marked)
                .filter(|(_, m)| **m)
                .map(|((breached, kind, start, _, _), _)| (sla_mark(*breached, *kind), at(*start)))
                .collect();
            let expected = steps
                .iter()
                .zip(&marked)
                .filter(|((_, _, _, _, phase), m)| !**m && *phase == ClockPhase::Running)
                .map(|((_, _, _, time, _), _)| at(*time))
                .min();
            prop_assert_eq!(next_sla_job(&clock, &marks), expected);
            let all: Vec<Mark> = steps
                .iter()
                .map(|(breached, kind, start, _, _)| (sla_mark(*breached, *kind), at(*start)))
                .collect();
            prop_assert_eq!(next_sla_job(&clock, &all), None);
        }
    }
}
