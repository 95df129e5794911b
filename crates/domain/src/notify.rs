//! Who is told about a ticket change, and why.
//!
//! The write pipeline gathers the staff a change may concern (the assignee, the owner,
//! the watchers, the members of the group a ticket waits in, the people a note
//! mentions) and [`recipients`] decides who hears what. The rules:
//!
//! - **Customer replied**: a customer's public reply, to the assignee, the owner and
//!   the watchers.
//! - **Assigned**: the new assignee.
//! - **Queued for your group**: a ticket that enters a group, or opens in one, without
//!   an assignee, to the group's members.
//! - **Mentioned**: an internal note that names `@handle` (the part of a staff
//!   member's address before the `@`), to that person.
//! - **Reopened**: a resolved or closed ticket open again, to the assignee, the owner
//!   and the watchers.
//! - **Escalated**: an escalation, to the new assignee, or to the members of the group
//!   it went to while nobody is assigned.
//! - **Vendor answered**: a vendor's answer to a hand-off, to the assignee, or to
//!   the members of the ticket's group while nobody is assigned.
//! - **SLA warning / breach**: to the assignee, or to the group's members while nobody
//!   is assigned, and always to the supervisors of the ticket's group.
//! - **Watched ticket changed**: anything else that happens on a ticket, to its
//!   watchers.
//!
//! Each person hears once per change, under the first of these that applies to them,
//! in the order above. Nobody is told about their own change, nobody who may not see
//! the ticket, and nobody whose account is deactivated.

mod preferences;

pub use preferences::{Digest, Preferences};

use crate::access::Actor;
use crate::event::{EventKind, NewEvent, Visibility};
use crate::id::{GroupId, UserId};
use crate::person::Role;
use crate::string_enum;
use crate::ticket::{Ticket, TicketStatus};

string_enum!(
    /// Why a person was told.
    NotificationKind {
        /// A customer answered on a ticket the person owns, works or watches.
        CustomerReplied = "customer_replied",
        /// The ticket was assigned to the person.
        Assigned = "assigned",
        /// The ticket waits unassigned in one of the person's groups.
        GroupQueued = "group_queued",
        /// An internal note names the person.
        Mentioned = "mentioned",
        /// A resolved or closed ticket the person is concerned with is open again.
        Reopened = "reopened",
        /// The ticket was escalated to the person or their group.
        Escalated = "escalated",
        /// An outside vendor answered a hand-off of the person's (or group's) ticket.
        VendorAnswered = "vendor_answered",
        /// An SLA target of the person's ticket reached its warning share.
        SlaWarning = "sla_warning",
        /// An SLA target of the person's ticket was breached.
        SlaBreached = "sla_breached",
        /// A ticket the person watches changed.
        WatchedChanged = "watched_changed",
        /// A routing or escalation rule says to tell the person.
        Rule = "rule",
    }
);

/// A staff member a change may concern, as the pipeline found them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Who, with what decides which tickets they see.
    pub actor: Actor,
    /// The name a note mentions them by (`ola` for `ola@desk.example`), lower case.
    pub handle: String,
    /// Whether they watch the ticket.
    pub watches: bool,
    /// Whether their account is active.
    pub is_active: bool,
}

/// A ticket change as the rules read it.
#[derive(Debug, Clone, Copy)]
pub struct Change<'a> {
    /// The ticket before the change; `None` when it was just opened.
    pub before: Option<&'a Ticket>,
    /// The ticket as written.
    pub after: &'a Ticket,
    /// The change's events.
    pub events: &'a [NewEvent],
    /// Who made the change (`None`: the desk itself, a job or a rule).
    pub by: Option<UserId>,
    /// Whether that person is a customer.
    pub by_customer: bool,
}

/// The `@handles` a text mentions, lower case, each once: `@` at the start of a word,
/// then letters, digits, `.`, `_`, `-` or `+` (a trailing `.` ends the sentence).
pub fn mentions(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut previous = ' ';
    let mut chars = text.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        if c == '@' && !previous.is_alphanumeric() {
            let mut handle = String::new();
            while let Some(&(_, next)) = chars.peek() {
                if next.is_alphanumeric() || matches!(next, '.' | '_' | '-' | '+') {
                    handle.extend(next.to_lowercase());
                    chars.next();
                } else {
                    break;
                }
            }
            let handle = handle.trim_end_matches('.').to_owned();
            if !handle.is_empty() && !found.contains(&handle) {
                found.push(handle);
            }
            previous = 'x';
        } else {
            previous = c;
        }
    }
    found
}

/// The handles the change's internal notes mention.
pub fn mentioned_in(events: &[NewEvent]) -> Vec<String> {
    let mut handles = Vec::new();
    for event in events {
        if let EventKind::Note { body } = &event.kind
            && event.visibility == Visibility::Internal
        {
            for handle in mentions(body) {
                if !handles.contains(&handle) {
                    handles.push(handle);
                }
            }
        }
    }
    handles
}

/// Whom a change may concern beyond its watchers, for the pipeline to look up before
/// it asks [`recipients`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    /// The ticket's assignee and owner.
    pub assignee_and_owner: bool,
    /// The members of this group.
    pub group: Option<GroupId>,
    /// The staff these handles name.
    pub handles: Vec<String>,
}

/// Whom `change` may concern beyond its watchers.
pub fn wanted(change: &Change<'_>) -> Wanted {
    let facts = Facts::of(change);
    let unassigned = change.after.assignee_id.is_none();
    // Supervisors hear of their groups' SLA warnings and breaches, assigned or not.
    let group_hears = facts.queued
        || facts.sla.is_some()
        || (unassigned && (facts.escalated || facts.vendor_answered));
    Wanted {
        assignee_and_owner: facts.customer_replied
            || facts.assigned_to.is_some()
            || facts.reopened
            || facts.escalated
            || facts.vendor_answered
            || facts.sla.is_some(),
        group: change.after.group_id.filter(|_| group_hears),
        handles: facts.mentioned,
    }
}

/// Who is told about `change`, and why (see the module docs), among `candidates`.
pub fn recipients(
    change: &Change<'_>,
    candidates: &[Candidate],
) -> Vec<(UserId, NotificationKind)> {
    let facts = Facts::of(change);
    let mut told = Vec::new();
    for candidate in candidates {
        let id = candidate.actor.user_id;
        if Some(id) == change.by
            || !candidate.is_active
            || !candidate.actor.is_staff()
            || !candidate.actor.can_view(change.after)
            || told.iter().any(|(user, _)| *user == id)
        {
            continue;
        }
        if let Some(kind) = facts.kind_for(change.after, candidate) {
            told.push((id, kind));
        }
    }
    told
}

/// What happened in a change, read once for every candidate.
struct Facts {
    customer_replied: bool,
    assigned_to: Option<UserId>,
    queued: bool,
    mentioned: Vec<String>,
    reopened: bool,
    escalated: bool,
    vendor_answered: bool,
    sla: Option<NotificationKind>,
    anything: bool,
}

impl Facts {
    fn of(change: &Change<'_>) -> Facts {
        let (before, after, events) = (change.before, change.after, change.events);
        let has = |test: fn(&EventKind) -> bool| events.iter().any(|e| test(&e.kind));
        let group_moved = before.is_none_or(|b| b.group_id != after.group_id);
        let sla = if has(|k| matches!(k, EventKind::SlaBreached { .. })) {
            Some(NotificationKind::SlaBreached)
        } else if has(|k| matches!(k, EventKind::SlaWarning { .. })) {
            Some(NotificationKind::SlaWarning)
        } else {
            None
        };
        Facts {
            customer_replied: change.by_customer
                && events.iter().any(|e| {
                    matches!(e.kind, EventKind::Reply { .. }) && e.visibility == Visibility::Public
                }),
            assigned_to: after
                .assignee_id
                .filter(|_| before.is_none_or(|b| b.assignee_id != after.assignee_id)),
            queued: after.assignee_id.is_none()
                && after.group_id.is_some()
                && after.status.is_open()
                && group_moved,
            mentioned: mentioned_in(events),
            reopened: before
                .is_some_and(|b| matches!(b.status, TicketStatus::Resolved | TicketStatus::Closed))
                && after.status.is_open(),
            escalated: has(|k| matches!(k, EventKind::Escalated { .. })),
            vendor_answered: has(|k| matches!(k, EventKind::VendorMessage { .. })),
            sla,
            anything: !events.is_empty(),
        }
    }

    /// The first rule that tells `candidate`, if any.
    fn kind_for(&self, ticket: &Ticket, candidate: &Candidate) -> Option<NotificationKind> {
        let id = candidate.actor.user_id;
        let works_it = ticket.assignee_id == Some(id) || ticket.owner_id == Some(id);
        let concerned = works_it || candidate.watches;
        let in_group = ticket
            .group_id
            .is_some_and(|g| candidate.actor.group_ids.contains(&g))
            && candidate.actor.role != Role::Admin;
        let group_hears = ticket.assignee_id.is_none() && in_group;
        let assignee = ticket.assignee_id == Some(id);
        if self.customer_replied && concerned {
            Some(NotificationKind::CustomerReplied)
        } else if self.assigned_to == Some(id) {
            Some(NotificationKind::Assigned)
        } else if self.queued && in_group {
            Some(NotificationKind::GroupQueued)
        } else if self.mentioned.contains(&candidate.handle) {
            Some(NotificationKind::Mentioned)
        } else if self.reopened && concerned {
            Some(NotificationKind::Reopened)
        } else if self.escalated && (assignee || group_hears) {
            Some(NotificationKind::Escalated)
        } else if self.vendor_answered && (assignee || group_hears) {
            Some(NotificationKind::VendorAnswered)
        } else if let Some(kind) = self.sla.filter(|_| {
            assignee || group_hears || (in_group && candidate.actor.role == Role::Supervisor)
        }) {
            Some(kind)
        } else if self.anything && candidate.watches {
            Some(NotificationKind::WatchedChanged)
        } else {
            None
        }
    }
}

/// What a notification of `kind` about `ticket` says. A ticket being opened has no
/// number yet: it is "a new ticket" then.
pub fn message(kind: NotificationKind, ticket: &Ticket) -> String {
    let number = if ticket.id.get() > 0 {
        ticket.id.display_number()
    } else {
        "a new ticket".to_owned()
    };
    let subject = &ticket.subject;
    let text = match kind {
        NotificationKind::CustomerReplied => format!("the customer replied on {number}: {subject}"),
        NotificationKind::Assigned => format!("{number} was assigned to you: {subject}"),
        NotificationKind::GroupQueued => {
            format!("{number} waits unassigned in your group: {subject}")
        }
        NotificationKind::Mentioned => format!("you were mentioned on {number}: {subject}"),
        NotificationKind::Reopened => format!("{number} was reopened: {subject}"),
        NotificationKind::Escalated => {
            format!("{number} was escalated to you or your group: {subject}")
        }
        NotificationKind::VendorAnswered => format!("the vendor answered on {number}: {subject}"),
        NotificationKind::SlaWarning => {
            format!("{number} is close to breaching its service level: {subject}")
        }
        NotificationKind::SlaBreached => {
            format!("{number} breached its service level: {subject}")
        }
        NotificationKind::WatchedChanged => {
            format!("{number}, which you watch, changed: {subject}")
        }
        NotificationKind::Rule => format!("a rule asks you to look at {number}: {subject}"),
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::EscalationKind;
    use crate::id::OrganizationId;
    use crate::sla::TargetKind;
    use crate::ticket::Channel;
    use jiff::Timestamp;

    const AGENT: UserId = UserId(10);
    const OTHER: UserId = UserId(11);
    const WATCHER: UserId = UserId(12);
    const OUTSIDER: UserId = UserId(13);
    const CUSTOMER: UserId = UserId(1);

    fn staff(id: UserId, role: Role, groups: &[i64], handle: &str) -> Candidate {
        Candidate {
            actor: Actor {
                user_id: id,
                role,
                group_ids: groups.iter().copied().map(GroupId).collect(),
                organization_id: None,
                organization_shares_tickets: false,
            },
            handle: handle.into(),
            watches: false,
            is_active: true,
        }
    }

    /// The assignee (AGENT), a colleague in group 1 (OTHER), a watcher in group 1
    /// (WATCHER) and an agent of group 2 who watches but may not see (OUTSIDER).
    fn team() -> Vec<Candidate> {
        let mut watcher = staff(WATCHER, Role::Agent, &[1], "wanda");
        watcher.watches = true;
        let mut outsider = staff(OUTSIDER, Role::Agent, &[2], "otto");
        outsider.watches = true;
        vec![
            staff(AGENT, Role::Agent, &[1], "ola"),
            staff(OTHER, Role::Agent, &[1], "kari"),
            watcher,
            outsider,
        ]
    }

    fn ticket() -> Ticket {
        let mut t = crate::ticket::tests_support::sample();
        t.requester_id = CUSTOMER;
        t.group_id = Some(GroupId(1));
        t.organization_id = Some(OrganizationId(7));
        t.assignee_id = Some(AGENT);
        t.status = TicketStatus::Open;
        t
    }

    fn event(kind: EventKind, by: Option<UserId>) -> NewEvent {
        NewEvent::new(kind, by, Channel::Api, Timestamp::UNIX_EPOCH)
    }

    fn told(
        before: Option<&Ticket>,
        after: &Ticket,
        events: &[NewEvent],
        by: Option<UserId>,
    ) -> Vec<(UserId, NotificationKind)> {
        let change = Change {
            before,
            after,
            events,
            by,
            by_customer: by == Some(CUSTOMER),
        };
        recipients(&change, &team())
    }

    fn reply(body: &str, by: UserId) -> NewEvent {
        event(EventKind::Reply { body: body.into() }, Some(by))
    }

    #[test]
    fn a_customer_reply_tells_the_assignee_and_the_watchers_who_may_see_it() {
        let t = ticket();
        let told = told(
            Some(&t),
            &t,
            &[reply("still broken", CUSTOMER)],
            Some(CUSTOMER),
        );
        assert_eq!(
            told,
            [
                (AGENT, NotificationKind::CustomerReplied),
                (WATCHER, NotificationKind::CustomerReplied)
            ]
        );
    }

    #[test]
    fn nobody_hears_of_their_own_change_and_a_staff_reply_tells_only_watchers() {
        let t = ticket();
        let told = told(Some(&t), &t, &[reply("on it", AGENT)], Some(AGENT));
        assert_eq!(told, [(WATCHER, NotificationKind::WatchedChanged)]);
        let by_watcher = self::told(Some(&t), &t, &[reply("me too", WATCHER)], Some(WATCHER));
        assert!(by_watcher.is_empty(), "{by_watcher:?}");
    }

    #[test]
    fn a_new_assignee_is_told_and_the_one_who_assigned_is_not() {
        let mut before = ticket();
        before.assignee_id = None;
        let after = ticket();
        let events = [event(
            EventKind::FieldChanged {
                field: "assignee_id".into(),
                old: None,
                new: Some(AGENT.to_string()),
                reason: None,
            },
            Some(OTHER),
        )];
        let told = told(Some(&before), &after, &events, Some(OTHER));
        assert_eq!(
            told,
            [
                (AGENT, NotificationKind::Assigned),
                (WATCHER, NotificationKind::WatchedChanged)
            ]
        );
        // Assigning oneself tells only the watchers.
        let own = self::told(Some(&before), &after, &events, Some(AGENT));
        assert_eq!(own, [(WATCHER, NotificationKind::WatchedChanged)]);
    }

    #[test]
    fn an_unassigned_ticket_entering_a_group_tells_its_members() {
        let mut opened = ticket();
        opened.assignee_id = None;
        let events = [event(
            EventKind::Created {
                subject: "x".into(),
            },
            Some(CUSTOMER),
        )];
        let told = told(None, &opened, &events, Some(CUSTOMER));
        assert_eq!(
            told,
            [
                (AGENT, NotificationKind::GroupQueued),
                (OTHER, NotificationKind::GroupQueued),
                (WATCHER, NotificationKind::GroupQueued)
            ]
        );
        // Already in the group: a change that keeps it there queues nothing again.
        let note = [event(EventKind::Note { body: "hm".into() }, Some(OTHER))];
        let again = self::told(Some(&opened), &opened, &note, Some(OTHER));
        assert_eq!(again, [(WATCHER, NotificationKind::WatchedChanged)]);
    }

    #[test]
    fn a_note_tells_the_staff_it_mentions_who_may_see_the_ticket() {
        let t = ticket();
        let note = [event(
            EventKind::Note {
                body: "@Kari can you look? cc @otto and mail ana@example.com".into(),
            },
            Some(AGENT),
        )];
        let told = told(Some(&t), &t, &note, Some(AGENT));
        assert_eq!(
            told,
            [
                (OTHER, NotificationKind::Mentioned),
                (WATCHER, NotificationKind::WatchedChanged)
            ],
            "otto may not see the ticket; an address is no mention"
        );
        // A public reply mentions nobody.
        let public = [reply("@kari", AGENT)];
        let quiet = self::told(Some(&t), &t, &public, Some(AGENT));
        assert_eq!(quiet, [(WATCHER, NotificationKind::WatchedChanged)]);
    }

    #[test]
    fn reopening_tells_the_assignee_and_watchers() {
        let mut before = ticket();
        before.status = TicketStatus::Resolved;
        let after = ticket();
        let events = [event(
            EventKind::StatusChanged {
                from: TicketStatus::Resolved,
                to: TicketStatus::Open,
            },
            Some(OTHER),
        )];
        let told = told(Some(&before), &after, &events, Some(OTHER));
        assert_eq!(
            told,
            [
                (AGENT, NotificationKind::Reopened),
                (WATCHER, NotificationKind::Reopened)
            ]
        );
    }

    #[test]
    fn escalation_and_sla_tell_the_assignee_or_else_the_group() {
        let t = ticket();
        let escalated = [event(
            EventKind::Escalated {
                kind: EscalationKind::Hierarchical,
                from_group: Some(GroupId(2)),
                to_group: Some(GroupId(1)),
                from_tier: 1,
                to_tier: 2,
                reason: "needs tier 2".into(),
                external_ref: None,
            },
            None,
        )];
        let told = told(Some(&t), &t, &escalated, None);
        assert_eq!(
            told,
            [
                (AGENT, NotificationKind::Escalated),
                (WATCHER, NotificationKind::WatchedChanged)
            ]
        );
        let mut unassigned = ticket();
        unassigned.assignee_id = None;
        let breach = [event(
            EventKind::SlaBreached {
                target: TargetKind::Resolution,
                due_at: Timestamp::UNIX_EPOCH,
            },
            None,
        )];
        let told = self::told(Some(&unassigned), &unassigned, &breach, None);
        assert_eq!(
            told,
            [
                (AGENT, NotificationKind::SlaBreached),
                (OTHER, NotificationKind::SlaBreached),
                (WATCHER, NotificationKind::SlaBreached)
            ]
        );
    }

    #[test]
    fn a_breach_of_an_assigned_ticket_tells_the_assignee_and_the_groups_supervisor() {
        let t = ticket();
        let breach = [event(
            EventKind::SlaWarning {
                target: TargetKind::FirstResponse,
                due_at: Timestamp::UNIX_EPOCH,
            },
            None,
        )];
        let mut people = team();
        people.push(staff(UserId(20), Role::Supervisor, &[1], "sam"));
        people.push(staff(UserId(21), Role::Supervisor, &[2], "sue"));
        let change = Change {
            before: Some(&t),
            after: &t,
            events: &breach,
            by: None,
            by_customer: false,
        };
        assert_eq!(
            recipients(&change, &people),
            [
                (AGENT, NotificationKind::SlaWarning),
                (WATCHER, NotificationKind::WatchedChanged),
                (UserId(20), NotificationKind::SlaWarning)
            ],
            "the other group's supervisor hears nothing"
        );
        assert_eq!(wanted(&change).group, Some(GroupId(1)));
    }

    #[test]
    fn the_deactivated_and_customers_are_never_told() {
        let t = ticket();
        let mut gone = staff(AGENT, Role::Agent, &[1], "ola");
        gone.is_active = false;
        let mut customer = staff(CUSTOMER, Role::Customer, &[], "ana");
        customer.watches = true;
        let change = Change {
            before: Some(&t),
            after: &t,
            events: &[reply("hi", OTHER)],
            by: Some(OTHER),
            by_customer: false,
        };
        assert!(recipients(&change, &[gone, customer]).is_empty());
    }

    #[test]
    fn only_what_a_change_may_concern_is_looked_up() {
        let t = ticket();
        let wanted_for = |events: &[NewEvent], by: UserId| {
            wanted(&Change {
                before: Some(&t),
                after: &t,
                events,
                by: Some(by),
                by_customer: by == CUSTOMER,
            })
        };
        let staff_reply = wanted_for(&[reply("on it", AGENT)], AGENT);
        assert_eq!(
            staff_reply,
            Wanted {
                assignee_and_owner: false,
                group: None,
                handles: Vec::new()
            }
        );
        assert!(wanted_for(&[reply("help", CUSTOMER)], CUSTOMER).assignee_and_owner);
        let note = [event(
            EventKind::Note {
                body: "@kari".into(),
            },
            Some(AGENT),
        )];
        assert_eq!(wanted_for(&note, AGENT).handles, ["kari"]);
        let mut opened = ticket();
        opened.assignee_id = None;
        let created = [event(
            EventKind::Created {
                subject: "x".into(),
            },
            Some(CUSTOMER),
        )];
        let new = wanted(&Change {
            before: None,
            after: &opened,
            events: &created,
            by: Some(CUSTOMER),
            by_customer: true,
        });
        assert_eq!(new.group, Some(GroupId(1)));
    }

    #[test]
    fn a_message_names_the_ticket_by_number_or_as_new() {
        let mut t = ticket();
        t.subject = "Printer jams".into();
        assert_eq!(
            message(NotificationKind::Mentioned, &t),
            "You were mentioned on #10001: Printer jams"
        );
        t.id = crate::id::TicketId(0);
        assert_eq!(
            message(NotificationKind::GroupQueued, &t),
            "A new ticket waits unassigned in your group: Printer jams"
        );
    }

    #[test]
    fn mentions_are_words_that_start_with_an_at_sign() {
        assert_eq!(
            mentions("@Ola.Nordmann, ask @kari-b. Not me@example.com or @@x @ola.nordmann"),
            ["ola.nordmann", "kari-b"]
        );
        assert!(mentions("no one").is_empty());
    }
}
