//! Routing rules and automatic escalation rules: what a rule looks at and what it
//! does, as plain data with pure matching (issue 4, "Routing and assignment" and
//! "Escalation").
//!
//! A routing rule is a set of conditions (all must hold; an empty condition holds) and
//! a set of actions. The service layer evaluates the enabled rules in position order
//! when a ticket is created or changed and records each application on the timeline;
//! this module only decides whether a rule matches and applies its field actions to a
//! ticket value.

use crate::id::{CategoryId, GroupId, OrganizationId, ServiceId, UserId};
use crate::priority::Priority;
use crate::sla::TargetKind;
use crate::string_enum;
use crate::ticket::{Channel, Ticket, TicketType};
use crate::value::InvalidValue;
use serde::{Deserialize, Serialize};

/// What a routing rule looks at. Every listed condition must hold; a list holds when
/// the ticket's value is one of its entries; an empty list or `None` always holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RuleConditions {
    /// Channels the ticket came in through.
    pub channels: Vec<Channel>,
    /// Categories.
    pub category_ids: Vec<CategoryId>,
    /// Products or services.
    pub service_ids: Vec<ServiceId>,
    /// Requesters' organizations.
    pub organization_ids: Vec<OrganizationId>,
    /// Requesters.
    pub requester_ids: Vec<UserId>,
    /// Priorities.
    pub priorities: Vec<Priority>,
    /// Words of which at least one appears in the subject or description
    /// (case-insensitive).
    pub text: Vec<String>,
}

/// What a routing rule does when it matches; `None` and empty lists do nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RuleActions {
    /// Move the ticket to this group.
    pub group_id: Option<GroupId>,
    /// Set this priority (recorded with the rule's name as the reason).
    pub priority: Option<Priority>,
    /// Set this category.
    pub category_id: Option<CategoryId>,
    /// Set this type (a rule that makes a ticket a complaint sets off the complaint
    /// escalation rules).
    pub ticket_type: Option<TicketType>,
    /// Add these tags.
    pub add_tags: Vec<String>,
    /// Assign to this agent.
    pub assignee_id: Option<UserId>,
    /// Notify these staff members.
    pub notify_user_ids: Vec<UserId>,
}

impl RuleConditions {
    /// Whether `ticket` meets every condition.
    pub fn matches(&self, ticket: &Ticket) -> bool {
        fn within<T: PartialEq>(list: &[T], value: Option<T>) -> bool {
            list.is_empty() || value.is_some_and(|v| list.contains(&v))
        }
        let text_holds = self.text.is_empty() || {
            let haystack = format!("{}\n{}", ticket.subject, ticket.description).to_lowercase();
            self.text
                .iter()
                .any(|word| haystack.contains(&word.to_lowercase()))
        };
        within(&self.channels, Some(ticket.channel))
            && within(&self.category_ids, ticket.category_id)
            && within(&self.service_ids, ticket.service_id)
            && within(&self.organization_ids, ticket.organization_id)
            && within(&self.requester_ids, Some(ticket.requester_id))
            && within(&self.priorities, Some(ticket.priority))
            && text_holds
    }
}

impl RuleActions {
    /// Whether the rule does nothing at all.
    pub fn is_empty(&self) -> bool {
        *self == RuleActions::default()
    }

    /// Applies the field actions to `ticket` and describes each change that took
    /// effect (`"group_id: 3"`); actions that change nothing are left out.
    pub fn apply(&self, ticket: &mut Ticket, rule_name: &str) -> Vec<String> {
        let mut changes = Vec::new();
        if let Some(group) = self.group_id.filter(|g| ticket.group_id != Some(*g)) {
            ticket.group_id = Some(group);
            changes.push(format!("group_id: {group}"));
        }
        if let Some(priority) = self.priority.filter(|p| ticket.priority != *p) {
            ticket.priority = priority;
            ticket.priority_reason = (priority != ticket.derived_priority())
                .then(|| format!("routing rule '{rule_name}'"));
            changes.push(format!("priority: {priority}"));
        }
        if let Some(category) = self.category_id.filter(|c| ticket.category_id != Some(*c)) {
            ticket.category_id = Some(category);
            changes.push(format!("category_id: {category}"));
        }
        if let Some(ticket_type) = self.ticket_type.filter(|t| ticket.ticket_type != *t) {
            ticket.ticket_type = ticket_type;
            changes.push(format!("ticket_type: {ticket_type}"));
        }
        for tag in &self.add_tags {
            if !ticket.tags.contains(tag) {
                ticket.tags.push(tag.clone());
                changes.push(format!("tag: {tag}"));
            }
        }
        if let Some(assignee) = self.assignee_id.filter(|a| ticket.assignee_id != Some(*a)) {
            ticket.assignee_id = Some(assignee);
            changes.push(format!("assignee_id: {assignee}"));
        }
        changes
    }
}

/// Checks a rule name: 1-100 characters after trimming.
///
/// # Errors
/// [`InvalidValue`] for a blank or overlong name.
pub fn check_rule_name(name: &str) -> Result<String, InvalidValue> {
    crate::value::NonEmpty::parse("name", name, 100).map(|n| n.as_str().to_owned())
}

string_enum!(
    /// What sets off an automatic escalation rule.
    EscalationTrigger {
        /// An SLA target reached its warning share.
        SlaWarning = "sla_warning",
        /// An SLA target was breached.
        SlaBreach = "sla_breach",
        /// The ticket was reassigned `threshold` times or more.
        Reassigned = "reassigned",
        /// A complaint was opened.
        Complaint = "complaint",
    }
);

/// An automatic escalation rule: when its trigger fires, move the ticket to the next
/// tier and/or notify the supervisors of the ticket's group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscalationRule {
    /// What sets it off.
    pub trigger: EscalationTrigger,
    /// For SLA triggers, the target it watches (`None`: any target).
    pub target: Option<TargetKind>,
    /// For [`EscalationTrigger::Reassigned`], the number of reassignments.
    pub threshold: Option<i64>,
    /// Whether the ticket moves to the next tier (its group's escalation target).
    pub escalates: bool,
    /// Whether the group's supervisors are notified.
    pub notifies_supervisor: bool,
}

impl EscalationRule {
    /// Whether the rule fires for an SLA warning or breach of `target`.
    pub fn fires_on_sla(&self, breached: bool, target: TargetKind) -> bool {
        let trigger = if breached {
            EscalationTrigger::SlaBreach
        } else {
            EscalationTrigger::SlaWarning
        };
        self.trigger == trigger && self.target.is_none_or(|t| t == target)
    }

    /// Whether the rule fires when a ticket reaches `reassignments` reassignments (it
    /// fires once, at the threshold).
    pub fn fires_on_reassignments(&self, reassignments: i64) -> bool {
        self.trigger == EscalationTrigger::Reassigned
            && self.threshold.is_some_and(|n| n == reassignments)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ticket::tests_support::sample;

    #[test]
    fn empty_conditions_match_every_ticket() {
        assert!(RuleConditions::default().matches(&sample()));
    }

    #[test]
    fn every_condition_must_hold_and_text_is_case_insensitive() {
        let ticket = sample();
        let mut conditions = RuleConditions {
            channels: vec![Channel::Email],
            text: vec!["PRINTER".into()],
            ..RuleConditions::default()
        };
        assert!(conditions.matches(&ticket));
        conditions.priorities = vec![Priority::P1];
        assert!(!conditions.matches(&ticket));
    }

    #[test]
    fn actions_report_only_changes_that_took_effect() {
        let mut ticket = sample();
        ticket.tags = vec!["vip".into()];
        let actions = RuleActions {
            group_id: Some(GroupId(7)),
            add_tags: vec!["vip".into(), "printer".into()],
            priority: Some(Priority::P2),
            ..RuleActions::default()
        };
        let changes = actions.apply(&mut ticket, "printers");
        assert_eq!(
            changes,
            vec!["group_id: 7", "priority: p2", "tag: printer"]
                .into_iter()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        );
        assert_eq!(
            ticket.priority_reason.as_deref(),
            Some("routing rule 'printers'")
        );
        assert!(actions.apply(&mut ticket, "printers").is_empty());
    }

    #[test]
    fn sla_rules_fire_on_their_target_or_any() {
        let rule = EscalationRule {
            trigger: EscalationTrigger::SlaBreach,
            target: Some(TargetKind::Resolution),
            threshold: None,
            escalates: true,
            notifies_supervisor: false,
        };
        assert!(rule.fires_on_sla(true, TargetKind::Resolution));
        assert!(!rule.fires_on_sla(false, TargetKind::Resolution));
        assert!(!rule.fires_on_sla(true, TargetKind::FirstResponse));
        let any = EscalationRule {
            target: None,
            ..rule
        };
        assert!(any.fires_on_sla(true, TargetKind::FirstResponse));
    }
}
