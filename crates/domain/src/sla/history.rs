//! Which parts of a ticket's history move its SLA clock: status changes, and public
//! replies by the desk (a customer's own reply answers nobody). The store reads the
//! rows, these functions decide what the clock sees.

use super::clock::ClockEvent;
use crate::event::{EventKind, NewEvent, Visibility};
use crate::id::UserId;
use crate::ticket::{Ticket, TicketStatus};
use jiff::Timestamp;

/// One event of a ticket's history the clock may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockHistory {
    /// The ticket moved to `to`.
    Status {
        /// When.
        at: Timestamp,
        /// The new status.
        to: TicketStatus,
    },
    /// A public reply.
    Reply {
        /// When.
        at: Timestamp,
        /// Whether the requester's side wrote it (it then moves no clock).
        by_customer: bool,
    },
}

impl ClockHistory {
    /// Whether an event of `kind` and `visibility` is a public reply: the replies the
    /// clock reads (a store keeps only these and status changes when it reads history).
    pub fn is_public_reply(kind: &EventKind, visibility: Visibility) -> bool {
        matches!(kind, EventKind::Reply { .. }) && visibility == Visibility::Public
    }

    /// Whether the clock reads an event of `kind` and `visibility` at all: a status
    /// change or a public reply.
    pub fn is_read_by_clock(kind: &EventKind, visibility: Visibility) -> bool {
        matches!(kind, EventKind::StatusChanged { .. })
            || ClockHistory::is_public_reply(kind, visibility)
    }

    /// What the clock reads of an event being written, if anything; `is_customer`
    /// tells whether its author is a customer.
    pub fn of_event(event: &NewEvent, is_customer: impl Fn(UserId) -> bool) -> Option<Self> {
        match &event.kind {
            EventKind::StatusChanged { to, .. } => Some(ClockHistory::Status {
                at: event.created_at,
                to: *to,
            }),
            kind if ClockHistory::is_public_reply(kind, event.visibility) => {
                Some(ClockHistory::Reply {
                    at: event.created_at,
                    by_customer: event.actor_id.is_some_and(is_customer),
                })
            }
            _ => None,
        }
    }
}

/// The clock events of a ticket's history, in order, and when its current status began.
pub fn clock_history(
    ticket: &Ticket,
    history: impl IntoIterator<Item = ClockHistory>,
) -> (Vec<ClockEvent>, Timestamp) {
    let mut events = Vec::new();
    let mut status = TicketStatus::New;
    let mut since = ticket.created_at;
    for item in history {
        match item {
            ClockHistory::Status { at, to } => {
                events.push(ClockEvent::Status { at, status: to });
                status = to;
                since = at;
            }
            ClockHistory::Reply { at, by_customer } => {
                if !by_customer {
                    events.push(ClockEvent::PublicReply { at });
                }
            }
        }
    }
    // Whatever answered the requester first (a public reply, or a call or visit logged
    // publicly) is on the ticket: the clock meets the first response with it.
    if let Some(at) = ticket.first_response_at {
        events.push(ClockEvent::FirstResponse { at });
    }
    // Tickets written in bulk may carry a status without its history: the status
    // counts from the last change.
    if status != ticket.status {
        events.push(ClockEvent::Status {
            at: ticket.updated_at,
            status: ticket.status,
        });
        since = ticket.updated_at;
    }
    (events, since)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::EventKind;
    use crate::ticket::Channel;

    fn at(minutes: i64) -> Timestamp {
        Timestamp::UNIX_EPOCH + jiff::SignedDuration::from_mins(minutes)
    }

    fn ticket() -> Ticket {
        let mut ticket = crate::ticket::tests_support::sample();
        ticket.created_at = at(0);
        ticket.updated_at = at(0);
        ticket.status = TicketStatus::New;
        ticket.first_response_at = None;
        ticket
    }

    fn event(kind: EventKind, visibility: Visibility, actor: i64, minute: i64) -> NewEvent {
        NewEvent {
            kind,
            actor_id: Some(UserId(actor)),
            channel: Channel::Agent,
            visibility,
            created_at: at(minute),
            attachments: Vec::new(),
        }
    }

    fn reply() -> EventKind {
        EventKind::Reply {
            body: "hello".into(),
        }
    }

    #[test]
    fn a_customers_reply_moves_no_clock_and_a_desk_reply_does() {
        let history = [
            ClockHistory::Reply {
                at: at(5),
                by_customer: true,
            },
            ClockHistory::Reply {
                at: at(9),
                by_customer: false,
            },
        ];
        let (events, since) = clock_history(&ticket(), history);
        assert_eq!(events, vec![ClockEvent::PublicReply { at: at(9) }]);
        assert_eq!(since, at(0));
    }

    #[test]
    fn the_current_status_counts_from_its_change() {
        let mut ticket = ticket();
        ticket.status = TicketStatus::PendingCustomer;
        let history = [ClockHistory::Status {
            at: at(30),
            to: TicketStatus::PendingCustomer,
        }];
        let (events, since) = clock_history(&ticket, history);
        assert_eq!(
            events,
            vec![ClockEvent::Status {
                at: at(30),
                status: TicketStatus::PendingCustomer
            }]
        );
        assert_eq!(since, at(30));
    }

    #[test]
    fn a_status_without_its_history_counts_from_the_last_change() {
        let mut ticket = ticket();
        ticket.status = TicketStatus::Resolved;
        ticket.updated_at = at(60);
        ticket.first_response_at = Some(at(10));
        let (events, since) = clock_history(&ticket, []);
        assert_eq!(
            events,
            vec![
                ClockEvent::FirstResponse { at: at(10) },
                ClockEvent::Status {
                    at: at(60),
                    status: TicketStatus::Resolved
                },
            ]
        );
        assert_eq!(since, at(60));
    }

    #[test]
    fn only_status_changes_and_public_replies_are_read_from_new_events() {
        let customer = |id: UserId| id == UserId(1);
        let public = event(reply(), Visibility::Public, 2, 3);
        let by_customer = event(reply(), Visibility::Public, 1, 4);
        let internal = event(reply(), Visibility::Internal, 2, 5);
        let note = event(
            EventKind::Note { body: "x".into() },
            Visibility::Internal,
            2,
            6,
        );
        let status = event(
            EventKind::StatusChanged {
                from: TicketStatus::New,
                to: TicketStatus::Open,
            },
            Visibility::Public,
            2,
            7,
        );
        assert_eq!(
            ClockHistory::of_event(&public, customer),
            Some(ClockHistory::Reply {
                at: at(3),
                by_customer: false
            })
        );
        assert_eq!(
            ClockHistory::of_event(&by_customer, customer),
            Some(ClockHistory::Reply {
                at: at(4),
                by_customer: true
            })
        );
        assert_eq!(ClockHistory::of_event(&internal, customer), None);
        assert!(!ClockHistory::is_read_by_clock(
            &internal.kind,
            internal.visibility
        ));
        assert!(ClockHistory::is_read_by_clock(
            &status.kind,
            status.visibility
        ));
        assert_eq!(ClockHistory::of_event(&note, customer), None);
        assert_eq!(
            ClockHistory::of_event(&status, customer),
            Some(ClockHistory::Status {
                at: at(7),
                to: TicketStatus::Open
            })
        );
    }
}
