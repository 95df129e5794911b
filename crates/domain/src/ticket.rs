//! The ticket and its status machine.
//!
//! `new → open → pending (customer | vendor | scheduled) → resolved → closed`, with
//! `resolved → open` on reopen. Closed is final: a later message opens a follow-up
//! ticket linked to the closed one.

use crate::id::{CategoryId, GroupId, OrganizationId, ServiceId, TicketId, UserId};
use crate::person::Tier;
use crate::priority::{Impact, Priority, Urgency};
use crate::string_enum;
use jiff::Timestamp;

string_enum!(
    /// Where a ticket stands.
    TicketStatus {
        /// Reported, not yet looked at.
        New = "new",
        /// Being worked on.
        Open = "open",
        /// Waiting for the requester to answer; the SLA clock pauses.
        PendingCustomer = "pending_customer",
        /// Waiting for an outside vendor or consultant; the SLA clock pauses.
        PendingVendor = "pending_vendor",
        /// Planned for a later date (a visit, a change window).
        PendingScheduled = "pending_scheduled",
        /// Solved; the requester can still reopen it.
        Resolved = "resolved",
        /// Final.
        Closed = "closed",
    }
);

impl TicketStatus {
    /// The statuses this one may move to.
    pub fn allowed_next(self) -> &'static [TicketStatus] {
        use TicketStatus::*;
        match self {
            New => &[
                Open,
                PendingCustomer,
                PendingVendor,
                PendingScheduled,
                Resolved,
            ],
            Open => &[PendingCustomer, PendingVendor, PendingScheduled, Resolved],
            PendingCustomer => &[Open, PendingVendor, PendingScheduled, Resolved],
            PendingVendor => &[Open, PendingCustomer, PendingScheduled, Resolved],
            PendingScheduled => &[Open, PendingCustomer, PendingVendor, Resolved],
            Resolved => &[Open, Closed],
            Closed => &[],
        }
    }

    /// Whether the ticket still needs work (anything before resolved).
    pub fn is_open(self) -> bool {
        !matches!(self, TicketStatus::Resolved | TicketStatus::Closed)
    }

    /// Whether the ticket waits on someone outside the desk.
    pub fn is_pending(self) -> bool {
        matches!(
            self,
            TicketStatus::PendingCustomer
                | TicketStatus::PendingVendor
                | TicketStatus::PendingScheduled
        )
    }

    /// Checks a move from `self` to `to`.
    ///
    /// # Errors
    /// [`TransitionError`] naming the allowed moves.
    pub fn check_transition(self, to: TicketStatus) -> Result<(), TransitionError> {
        if self == TicketStatus::Closed {
            return Err(TransitionError::AlreadyClosed);
        }
        if self == to {
            return Err(TransitionError::Unchanged { status: self });
        }
        if self.allowed_next().contains(&to) {
            Ok(())
        } else {
            Err(TransitionError::NotAllowed {
                from: self,
                to,
                allowed: self.allowed_next().to_vec(),
            })
        }
    }
}

/// A status change the machine refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// Closed tickets never change; a new message opens a follow-up.
    #[error("ticket is closed; closed tickets cannot change (open a follow-up ticket instead)")]
    AlreadyClosed,
    /// The ticket already has that status.
    #[error("ticket is already {status}")]
    Unchanged {
        /// The current status.
        status: TicketStatus,
    },
    /// The move is not in the machine.
    #[error(
        "cannot move a ticket from {from} to {to}; allowed from {from}: {}",
        join(allowed)
    )]
    NotAllowed {
        /// The current status.
        from: TicketStatus,
        /// The requested status.
        to: TicketStatus,
        /// What is allowed instead.
        allowed: Vec<TicketStatus>,
    },
    /// A parent ticket waits for its children.
    #[error("ticket has open child tickets ({}); resolve them first", children.iter().map(|c| c.display_number()).collect::<Vec<_>>().join(", "))]
    OpenChildren {
        /// The children still open.
        children: Vec<TicketId>,
    },
}

fn join(statuses: &[TicketStatus]) -> String {
    statuses
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

string_enum!(
    /// What kind of request a ticket is.
    TicketType {
        /// Something is broken.
        Incident = "incident",
        /// Something is wanted (access, a new device, software).
        ServiceRequest = "service_request",
        /// Someone wants to know something.
        Question = "question",
        /// Someone is unhappy with the service itself.
        Complaint = "complaint",
        /// The underlying cause of one or more incidents.
        Problem = "problem",
    }
);

string_enum!(
    /// How a request reached the desk.
    Channel {
        /// By email.
        Email = "email",
        /// Through the self-service portal.
        Portal = "portal",
        /// By chat.
        Chat = "chat",
        /// By phone, logged by an agent.
        Phone = "phone",
        /// In person at the desk.
        WalkIn = "walk_in",
        /// Entered by an agent in the workspace.
        Agent = "agent",
        /// Through the API.
        Api = "api",
    }
);

string_enum!(
    /// How two tickets relate. Each link is stored once, read from its source ticket.
    LinkKind {
        /// The source duplicates the target.
        DuplicateOf = "duplicate_of",
        /// Loosely related.
        Related = "related",
        /// The source is the parent of the target.
        ParentOf = "parent_of",
        /// The source was split off the target.
        SplitFrom = "split_from",
        /// The source follows up the (closed) target.
        FollowUpOf = "follow_up_of",
        /// The source incident is caused by the target problem.
        CausedBy = "caused_by",
    }
);

/// A ticket as the desk knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    /// Id, which is also the number people say.
    pub id: TicketId,
    /// Bumped by every saved change; a write made against an older version is refused,
    /// so two agents never overwrite each other.
    pub version: i64,
    /// One line saying what is wrong.
    pub subject: String,
    /// The requester's description.
    pub description: String,
    /// Kind of request.
    pub ticket_type: TicketType,
    /// Where it stands.
    pub status: TicketStatus,
    /// How widely it reaches.
    pub impact: Impact,
    /// How soon it hurts.
    pub urgency: Urgency,
    /// Effective priority: derived, unless overridden.
    pub priority: Priority,
    /// Why priority differs from the matrix, when it does.
    pub priority_reason: Option<String>,
    /// Category.
    pub category_id: Option<CategoryId>,
    /// Product or service concerned.
    pub service_id: Option<ServiceId>,
    /// Where the problem is.
    pub location: Option<String>,
    /// The device concerned (asset tag, model, or how the caller named it).
    pub device: Option<String>,
    /// Who asked.
    pub requester_id: UserId,
    /// The requester's organization when the ticket was opened.
    pub organization_id: Option<OrganizationId>,
    /// How it came in.
    pub channel: Channel,
    /// The group working it.
    pub group_id: Option<GroupId>,
    /// The tier it is at.
    pub tier: Tier,
    /// Accountable that the problem is solved to the requester's satisfaction.
    pub owner_id: Option<UserId>,
    /// Working on it now.
    pub assignee_id: Option<UserId>,
    /// Free labels.
    pub tags: Vec<String>,
    /// How many times it has been escalated.
    pub escalation_level: i64,
    /// The vendor's case number while pending on a vendor.
    pub external_ref: Option<String>,
    /// The ticket this one was merged into.
    pub merged_into: Option<TicketId>,
    /// When it was reported.
    pub created_at: Timestamp,
    /// Last change of any kind.
    pub updated_at: Timestamp,
    /// First public reply by staff.
    pub first_response_at: Option<Timestamp>,
    /// When it was last resolved.
    pub resolved_at: Option<Timestamp>,
    /// When it was closed.
    pub closed_at: Option<Timestamp>,
}

impl Ticket {
    /// The priority the matrix gives this ticket's impact and urgency.
    pub fn derived_priority(&self) -> Priority {
        Priority::from_matrix(self.impact, self.urgency)
    }

    /// Whether someone set the priority by hand.
    pub fn is_priority_overridden(&self) -> bool {
        self.priority != self.derived_priority()
    }

    /// Moves the ticket to `to` at `now`, keeping the resolve and close times.
    ///
    /// # Errors
    /// [`TransitionError`] when the status machine forbids the move.
    pub fn transition(
        &mut self,
        to: TicketStatus,
        now: Timestamp,
    ) -> Result<TicketStatus, TransitionError> {
        let from = self.status;
        from.check_transition(to)?;
        self.status = to;
        self.updated_at = now;
        match to {
            TicketStatus::Resolved => self.resolved_at = Some(now),
            TicketStatus::Closed => self.closed_at = Some(now),
            TicketStatus::Open if from == TicketStatus::Resolved => self.resolved_at = None,
            _ => {}
        }
        Ok(from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TicketStatus::*;

    #[test]
    fn closed_ticket_cannot_be_reopened() {
        assert_eq!(
            Closed.check_transition(Open),
            Err(TransitionError::AlreadyClosed)
        );
    }

    #[test]
    fn resolved_ticket_can_be_reopened_or_closed() {
        assert!(Resolved.check_transition(Open).is_ok());
        assert!(Resolved.check_transition(Closed).is_ok());
        assert!(Resolved.check_transition(PendingCustomer).is_err());
    }

    #[test]
    fn new_ticket_cannot_jump_to_closed_and_the_error_names_the_allowed_moves() {
        let err = New.check_transition(Closed).unwrap_err();
        let message = err.to_string();
        assert!(message.contains("open, pending_customer"), "{message}");
        assert!(message.contains("resolved"), "{message}");
    }

    #[test]
    fn every_status_but_closed_can_reach_resolved_and_nothing_reaches_new() {
        for status in TicketStatus::ALL {
            assert!(!status.allowed_next().contains(&New));
            if *status != Closed && *status != Resolved {
                assert!(status.allowed_next().contains(&Resolved), "{status}");
            }
        }
    }

    #[test]
    fn reopening_clears_the_resolve_time() {
        let now = Timestamp::UNIX_EPOCH;
        let mut ticket = super::tests_support::sample();
        ticket.transition(Resolved, now).unwrap();
        assert_eq!(ticket.resolved_at, Some(now));
        ticket.transition(Open, now).unwrap();
        assert_eq!(ticket.resolved_at, None);
    }
}

#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;

    pub(crate) fn sample() -> Ticket {
        Ticket {
            id: TicketId(10001),
            version: 1,
            subject: "Printer jams".into(),
            description: String::new(),
            ticket_type: TicketType::Incident,
            status: TicketStatus::New,
            impact: Impact::Individual,
            urgency: Urgency::Medium,
            priority: Priority::P4,
            priority_reason: None,
            category_id: None,
            service_id: None,
            location: None,
            device: None,
            requester_id: UserId(1),
            organization_id: None,
            channel: Channel::Email,
            group_id: None,
            tier: Tier::FIRST,
            owner_id: None,
            assignee_id: None,
            tags: vec![],
            escalation_level: 0,
            external_ref: None,
            merged_into: None,
            created_at: Timestamp::UNIX_EPOCH,
            updated_at: Timestamp::UNIX_EPOCH,
            first_response_at: None,
            resolved_at: None,
            closed_at: None,
        }
    }
}
