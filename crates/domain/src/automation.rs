//! Time-based automations (issue 4, "Automations"): a ticket pending on the customer
//! is reminded and then resolved, a resolved ticket is closed, each after the desk's
//! configured minutes in that status. This module decides when a ticket's next step is
//! due; the store keeps one job at that instant and the job runner does the step.

use crate::sla::{Mark, has_mark};
use crate::ticket::TicketStatus;
use jiff::{SignedDuration, Timestamp};

/// The mark of the reminder sent to a requester the desk waits on.
pub const PENDING_REMINDER: &str = "pending_reminder";
/// The mark of the automatic resolve of a ticket left pending on the customer.
pub const PENDING_RESOLVE: &str = "pending_resolve";
/// The mark of the automatic close of a resolved ticket.
pub const RESOLVED_CLOSE: &str = "resolved_close";

/// Desk-wide time-based automations; `None` turns a step off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AutomationSettings {
    /// Minutes pending on the customer before the requester is reminded.
    pub pending_reminder_minutes: Option<i64>,
    /// Minutes pending on the customer before the ticket is resolved with a notice.
    pub pending_resolve_minutes: Option<i64>,
    /// Minutes resolved before the ticket is closed.
    pub resolved_close_minutes: Option<i64>,
}

/// Whether a ticket in `status` may wait for a time-based step: only one pending on
/// the customer or resolved does, so only those need the settings.
pub fn waits_for_automation(status: TicketStatus) -> bool {
    matches!(
        status,
        TicketStatus::PendingCustomer | TicketStatus::Resolved
    )
}

/// When the next step of a ticket in `status` since `since` is due, given the steps
/// already marked for that stretch: the reminder (when configured) before the resolve,
/// the close of a resolved ticket; `None` when no step is left or configured.
pub fn automation_due(
    settings: &AutomationSettings,
    status: TicketStatus,
    since: Timestamp,
    marks: &[Mark],
) -> Option<Timestamp> {
    let after = |minutes: Option<i64>| {
        minutes.and_then(|m| since.checked_add(SignedDuration::from_mins(m)).ok())
    };
    match status {
        TicketStatus::PendingCustomer => {
            if settings.pending_reminder_minutes.is_some()
                && !has_mark(marks, PENDING_REMINDER, since)
            {
                after(settings.pending_reminder_minutes)
            } else if !has_mark(marks, PENDING_RESOLVE, since) {
                after(settings.pending_resolve_minutes)
            } else {
                None
            }
        }
        TicketStatus::Resolved if !has_mark(marks, RESOLVED_CLOSE, since) => {
            after(settings.resolved_close_minutes)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(minutes: i64) -> Timestamp {
        Timestamp::UNIX_EPOCH + SignedDuration::from_mins(minutes)
    }

    const SETTINGS: AutomationSettings = AutomationSettings {
        pending_reminder_minutes: Some(60),
        pending_resolve_minutes: Some(240),
        resolved_close_minutes: Some(1440),
    };

    fn mark(name: &str, since: Timestamp) -> Mark {
        (name.to_string(), since)
    }

    #[test]
    fn a_pending_ticket_is_reminded_then_resolved() {
        let since = at(100);
        let pending = TicketStatus::PendingCustomer;
        assert_eq!(
            automation_due(&SETTINGS, pending, since, &[]),
            Some(at(160))
        );
        let reminded = [mark(PENDING_REMINDER, since)];
        assert_eq!(
            automation_due(&SETTINGS, pending, since, &reminded),
            Some(at(340))
        );
        let done = [mark(PENDING_REMINDER, since), mark(PENDING_RESOLVE, since)];
        assert_eq!(automation_due(&SETTINGS, pending, since, &done), None);
    }

    #[test]
    fn without_a_reminder_the_resolve_comes_first() {
        let settings = AutomationSettings {
            pending_reminder_minutes: None,
            ..SETTINGS
        };
        let due = automation_due(&settings, TicketStatus::PendingCustomer, at(0), &[]);
        assert_eq!(due, Some(at(240)));
    }

    #[test]
    fn a_mark_of_an_earlier_stretch_does_not_count() {
        let old = [mark(RESOLVED_CLOSE, at(0))];
        let due = automation_due(&SETTINGS, TicketStatus::Resolved, at(500), &old);
        assert_eq!(due, Some(at(500 + 1440)));
    }

    #[test]
    fn only_pending_and_resolved_tickets_wait_for_a_step() {
        for status in [
            TicketStatus::New,
            TicketStatus::Open,
            TicketStatus::PendingVendor,
            TicketStatus::Closed,
        ] {
            assert!(!waits_for_automation(status));
            assert_eq!(automation_due(&SETTINGS, status, at(0), &[]), None);
        }
        assert!(waits_for_automation(TicketStatus::PendingCustomer));
        assert!(waits_for_automation(TicketStatus::Resolved));
    }

    fn minutes() -> impl Strategy<Value = Option<i64>> {
        proptest::option::of(0i64..100_000)
    }

    proptest! {
        /// A step is due only for a status that waits for one, never before the
        /// stretch began, and never again once its mark is recorded.
        #[test]
        fn a_step_is_due_after_the_stretch_began_and_only_once(
            reminder in minutes(),
            resolve in minutes(),
            close in minutes(),
            pending in any::<bool>(),
            reminded in any::<bool>(),
            since in 0i64..1_000_000,
        ) {
            let settings = AutomationSettings {
                pending_reminder_minutes: reminder,
                pending_resolve_minutes: resolve,
                resolved_close_minutes: close,
            };
            let since = at(since);
            let status = if pending { TicketStatus::PendingCustomer } else { TicketStatus::Resolved };
            let mut marks = Vec::new();
            if reminded {
                marks.push(mark(PENDING_REMINDER, since));
            }
            let due = automation_due(&settings, status, since, &marks);
            prop_assert!(due.is_none_or(|due| due >= since));
            let all = [
                mark(PENDING_REMINDER, since),
                mark(PENDING_RESOLVE, since),
                mark(RESOLVED_CLOSE, since),
            ];
            prop_assert_eq!(automation_due(&settings, status, since, &all), None);
        }
    }
}
