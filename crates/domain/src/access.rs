//! Who may see and change what.
//!
//! Agents see and change the tickets of their own groups plus those assigned to or
//! owned by them; supervisors and admins see all; customers see only their own tickets,
//! and their organization's when the organization shares tickets. Internal events are
//! for staff only. The service layer asks these questions before every read and write;
//! a ticket the actor may not see is reported as not found, so its existence leaks
//! nothing.

use crate::event::{Event, Visibility};
use crate::id::{GroupId, OrganizationId, UserId};
use crate::person::Role;
use crate::ticket::Ticket;

/// The person making a request, with what is needed to decide access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// Who.
    pub user_id: UserId,
    /// Their role.
    pub role: Role,
    /// Groups a staff member works in.
    pub group_ids: Vec<GroupId>,
    /// Their organization, as stored with the person (a customer's decides which
    /// tickets they see; a ticket anyone opens for themselves is filed under it).
    pub organization_id: Option<OrganizationId>,
    /// Whether that organization lets members see each other's tickets.
    pub organization_shares_tickets: bool,
}

/// The set of tickets an actor may see, in a form a store can turn into a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TicketScope {
    /// Every ticket.
    All,
    /// Tickets in these groups, or assigned to or owned by this agent.
    Agent {
        /// The agent.
        user_id: UserId,
        /// Their groups.
        group_ids: Vec<GroupId>,
    },
    /// Tickets this customer requested, or their organization's when it shares.
    Customer {
        /// The customer.
        user_id: UserId,
        /// Their organization, when it shares tickets.
        shared_organization: Option<OrganizationId>,
    },
}

impl Actor {
    /// Whether the actor is staff.
    pub fn is_staff(&self) -> bool {
        self.role.is_staff()
    }

    /// Whether the actor is an admin.
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// The tickets this actor may see.
    pub fn ticket_scope(&self) -> TicketScope {
        match self.role {
            Role::Supervisor | Role::Admin => TicketScope::All,
            Role::Agent => TicketScope::Agent {
                user_id: self.user_id,
                group_ids: self.group_ids.clone(),
            },
            Role::Customer => TicketScope::Customer {
                user_id: self.user_id,
                shared_organization: self
                    .organization_id
                    .filter(|_| self.organization_shares_tickets),
            },
        }
    }

    /// Whether the actor may see `ticket` at all.
    pub fn can_view(&self, ticket: &Ticket) -> bool {
        match self.ticket_scope() {
            TicketScope::All => true,
            TicketScope::Agent { user_id, group_ids } => {
                ticket.assignee_id == Some(user_id)
                    || ticket.owner_id == Some(user_id)
                    || ticket.group_id.is_some_and(|g| group_ids.contains(&g))
            }
            TicketScope::Customer {
                user_id,
                shared_organization,
            } => {
                ticket.requester_id == user_id
                    || (shared_organization.is_some()
                        && ticket.organization_id == shared_organization)
            }
        }
    }

    /// Whether the actor may change the ticket's fields, status and assignment.
    /// Customers may only reply to and reopen what they can see.
    pub fn can_work(&self, ticket: &Ticket) -> bool {
        self.is_staff() && self.can_view(ticket)
    }

    /// Whether the actor may see `event` on a ticket they can view.
    pub fn can_see_event(&self, event: &Event) -> bool {
        self.is_staff() || event.visibility == Visibility::Public
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::EventKind;
    use crate::id::{EventId, TicketId};
    use crate::ticket::Channel;
    use jiff::Timestamp;

    fn actor(role: Role, id: i64) -> Actor {
        Actor {
            user_id: UserId(id),
            role,
            group_ids: vec![GroupId(1)],
            organization_id: Some(OrganizationId(7)),
            organization_shares_tickets: false,
        }
    }

    fn ticket(requester: i64, group: i64) -> Ticket {
        let mut t = crate::ticket::tests_support::sample();
        t.requester_id = UserId(requester);
        t.group_id = Some(GroupId(group));
        t.organization_id = Some(OrganizationId(7));
        t
    }

    #[test]
    fn agent_sees_own_group_and_own_assignments_only() {
        let agent = actor(Role::Agent, 100);
        assert!(agent.can_view(&ticket(1, 1)));
        assert!(!agent.can_view(&ticket(1, 2)));
        let mut assigned = ticket(1, 2);
        assigned.assignee_id = Some(UserId(100));
        assert!(agent.can_view(&assigned));
    }

    #[test]
    fn customer_sees_colleagues_tickets_only_when_organization_shares() {
        let mut customer = actor(Role::Customer, 5);
        assert!(customer.can_view(&ticket(5, 1)));
        assert!(!customer.can_view(&ticket(6, 1)));
        customer.organization_shares_tickets = true;
        assert!(customer.can_view(&ticket(6, 1)));
        assert!(!customer.can_work(&ticket(5, 1)));
    }

    #[test]
    fn customers_never_see_internal_events() {
        let event = Event {
            id: EventId(1),
            ticket_id: TicketId(10001),
            kind: EventKind::Note {
                body: "secret".into(),
            },
            actor_id: None,
            channel: Channel::Agent,
            visibility: Visibility::Internal,
            created_at: Timestamp::UNIX_EPOCH,
            attachments: Vec::new(),
        };
        assert!(!actor(Role::Customer, 5).can_see_event(&event));
        assert!(actor(Role::Agent, 100).can_see_event(&event));
    }
}
