//! Routing on create and change, and automatic assignment per group (issue 4,
//! "Routing and assignment").
//!
//! Both steps run inside the ticket write pipeline (`ticket::pipeline`), for every
//! channel. Enabled routing rules run in position order against the ticket as it is
//! being written; each rule that changes something adds a `rule_applied` event (and a
//! `notified` event and in-app notifications when it notifies staff), in the same
//! write. A rule runs on a
//! change only when the change makes it match (it did not match before), so a rule
//! never fights an agent who moved a ticket on purpose. After routing, a ticket
//! without an assignee in a group that assigns automatically gets one: round robin
//! or least loaded, skipping agents who are away, at their load limit, or without
//! the skill for the ticket's category or service.

use crate::{App, AppError};
use ferrodesk_domain::{Channel, EventKind, GroupId, NewEvent, Ticket, UserId};
use ferrodesk_store::{AgentLoad, AssignmentMode, DeskSettings, Notice, RoundRobinPick};
use jiff::Timestamp;

fn desk_event(kind: EventKind, now: Timestamp) -> NewEvent {
    NewEvent::new(kind, None, Channel::Api, now)
}

/// Runs the routing rules of `settings` over `ticket` (`before`: the ticket before
/// this change, or `None` on create): the rules' changes and notifications go to
/// `events` and `notices`. The write that follows must name `settings.version`.
///
/// # Errors
/// `NotFound` when a rule moves the ticket to a group that no longer exists.
pub(crate) fn apply_rules(
    settings: &DeskSettings,
    before: Option<&Ticket>,
    ticket: &mut Ticket,
    events: &mut Vec<NewEvent>,
    notices: &mut Vec<Notice>,
    now: Timestamp,
) -> Result<(), AppError> {
    let original_group = ticket.group_id;
    for rule in &settings.routing_rules {
        if !rule.is_enabled || !rule.conditions.matches(ticket) {
            continue;
        }
        if before.is_some_and(|b| rule.conditions.matches(b)) {
            continue;
        }
        let changes = rule.actions.apply(ticket, &rule.name);
        if !changes.is_empty() {
            events.push(desk_event(
                EventKind::RuleApplied {
                    rule: rule.name.clone(),
                    changes,
                },
                now,
            ));
        }
        if !rule.actions.notify_user_ids.is_empty() {
            let message = format!("Routing rule '{}' matched: {}", rule.name, ticket.subject);
            events.push(desk_event(
                EventKind::Notified {
                    user_ids: rule.actions.notify_user_ids.clone(),
                    message: message.clone(),
                },
                now,
            ));
            notices.extend(rule.actions.notify_user_ids.iter().map(|user| Notice {
                user_id: *user,
                message: message.clone(),
            }));
        }
    }
    if ticket.group_id != original_group
        && let Some(group) = ticket.group_id
    {
        ticket.tier = settings
            .group(group)
            .ok_or_else(|| AppError::not_found("group", group))?
            .tier;
    }
    Ok(())
}

/// Automatic assignment: a ticket without an assignee that enters a group which
/// assigns automatically gets one of the group's agents (`before`: the ticket before
/// this change, or `None` on create). A round-robin pick comes back for the ticket's
/// write to remember in its own transaction.
///
/// # Errors
/// A store error when the group's agents cannot be read.
pub(crate) async fn assign(
    app: &App,
    settings: &DeskSettings,
    before: Option<&Ticket>,
    ticket: &mut Ticket,
    events: &mut Vec<NewEvent>,
    now: Timestamp,
) -> Result<Option<RoundRobinPick>, AppError> {
    let group_changed = before.is_none_or(|b| b.group_id != ticket.group_id);
    if ticket.assignee_id.is_none()
        && group_changed
        && ticket.status.is_open()
        && let Some(group_id) = ticket.group_id
        && let Some(assignee) = pick_assignee(app, settings, group_id, ticket).await?
    {
        ticket.assignee_id = Some(assignee);
        events.push(desk_event(
            EventKind::FieldChanged {
                field: "assignee_id".into(),
                old: None,
                new: Some(assignee.to_string()),
                reason: Some("assigned automatically by the group".into()),
            },
            now,
        ));
        if settings.assignment_mode(group_id) == AssignmentMode::RoundRobin {
            return Ok(Some(RoundRobinPick {
                group_id,
                user_id: assignee,
            }));
        }
    }
    Ok(None)
}

fn skilled<T: PartialEq>(skills: &[T], value: Option<T>) -> bool {
    skills.is_empty() || value.is_some_and(|v| skills.contains(&v))
}

/// Whether an agent can take the ticket now.
fn can_take(agent: &AgentLoad, ticket: &Ticket) -> bool {
    let s = &agent.settings;
    !s.is_away
        && s.load_limit.is_none_or(|limit| agent.open_tickets < limit)
        && skilled(&s.category_skills, ticket.category_id)
        && skilled(&s.service_skills, ticket.service_id)
}

/// The agent `group` hands the ticket to, if the group assigns automatically.
async fn pick_assignee(
    app: &App,
    settings: &DeskSettings,
    group: GroupId,
    ticket: &Ticket,
) -> Result<Option<UserId>, AppError> {
    let mode = settings.assignment_mode(group);
    if mode == AssignmentMode::Manual {
        return Ok(None);
    }
    let (agents, last) = app.db().group_agents(group).await?;
    let candidates: Vec<&AgentLoad> = agents.iter().filter(|a| can_take(a, ticket)).collect();
    let chosen = match mode {
        AssignmentMode::Manual => None,
        AssignmentMode::LeastLoaded => candidates
            .iter()
            .min_by_key(|a| (a.open_tickets, a.user_id))
            .map(|a| a.user_id),
        AssignmentMode::RoundRobin => candidates
            .iter()
            .find(|a| last.is_none_or(|l| a.user_id > l))
            .or_else(|| candidates.first())
            .map(|a| a.user_id),
    };
    Ok(chosen)
}
