//! Routing on create and change, and automatic assignment per group (issue 4,
//! "Routing and assignment").
//!
//! Enabled routing rules run in position order against the ticket as it is being
//! written; each rule that changes something adds a `rule_applied` event (and a
//! `notified` event when it notifies staff), in the same write. A rule runs on a
//! change only when the change makes it match (it did not match before), so a rule
//! never fights an agent who moved a ticket on purpose. After routing, a ticket
//! without an assignee in a group that assigns automatically gets one: round robin
//! or least loaded, skipping agents who are away, at their load limit, or without
//! the skill for the ticket's category or service.

use crate::{App, AppError};
use ferrodesk_domain::{Channel, EventKind, NewEvent, Ticket, UserId};
use ferrodesk_store::{AgentLoad, AssignmentMode, DeskSettings, NewNotification};
use jiff::Timestamp;

/// What routing decided beyond the ticket's fields.
#[derive(Debug, Default)]
pub(crate) struct Routed {
    /// Events to write with the ticket.
    pub(crate) events: Vec<NewEvent>,
    /// Notifications to write after it.
    pub(crate) notifications: Vec<NewUserNote>,
}

/// A notification waiting for the ticket's id.
#[derive(Debug)]
pub(crate) struct NewUserNote {
    pub(crate) user_id: UserId,
    pub(crate) message: String,
}

fn desk_event(kind: EventKind, now: Timestamp) -> NewEvent {
    NewEvent::new(kind, None, Channel::Api, now)
}

/// Runs the routing rules of `settings` over `ticket` (`before`: the ticket before
/// this change, or `None` on create) and then automatic assignment. The write that
/// follows must name `settings.version`.
pub(crate) async fn route(
    app: &App,
    settings: &DeskSettings,
    before: Option<&Ticket>,
    ticket: &mut Ticket,
    now: Timestamp,
) -> Result<Routed, AppError> {
    let mut routed = Routed::default();
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
            routed.events.push(desk_event(
                EventKind::RuleApplied {
                    rule: rule.name.clone(),
                    changes,
                },
                now,
            ));
        }
        if !rule.actions.notify_user_ids.is_empty() {
            let message = format!("Routing rule '{}' matched: {}", rule.name, ticket.subject);
            routed.events.push(desk_event(
                EventKind::Notified {
                    user_ids: rule.actions.notify_user_ids.clone(),
                    message: message.clone(),
                },
                now,
            ));
            for user in &rule.actions.notify_user_ids {
                routed.notifications.push(NewUserNote {
                    user_id: *user,
                    message: message.clone(),
                });
            }
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
    let group_changed = before.is_none_or(|b| b.group_id != ticket.group_id);
    if ticket.assignee_id.is_none()
        && group_changed
        && ticket.status.is_open()
        && let Some(assignee) = pick_assignee(app, settings, ticket, now).await?
    {
        ticket.assignee_id = Some(assignee);
        routed.events.push(desk_event(
            EventKind::FieldChanged {
                field: "assignee_id".into(),
                old: None,
                new: Some(assignee.to_string()),
                reason: Some("assigned automatically by the group".into()),
            },
            now,
        ));
    }
    Ok(routed)
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

/// The agent the ticket's group hands it to, if the group assigns automatically.
async fn pick_assignee(
    app: &App,
    settings: &DeskSettings,
    ticket: &Ticket,
    now: Timestamp,
) -> Result<Option<UserId>, AppError> {
    let Some(group) = ticket.group_id else {
        return Ok(None);
    };
    let mode = settings.assignment_mode(group);
    if mode == AssignmentMode::Manual {
        return Ok(None);
    }
    let db = app.db();
    let (agents, last) = db.group_agents(group).await?;
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
    if let (AssignmentMode::RoundRobin, Some(user)) = (mode, chosen) {
        db.set_round_robin_last(group, user, now).await?;
    }
    Ok(chosen)
}

/// Writes routing's notifications once the ticket has its id.
pub(crate) async fn send(
    app: &App,
    ticket: &Ticket,
    notes: Vec<NewUserNote>,
    now: Timestamp,
) -> Result<(), AppError> {
    if notes.is_empty() {
        return Ok(());
    }
    let notes = notes
        .into_iter()
        .map(|n| NewNotification {
            user_id: n.user_id,
            ticket_id: Some(ticket.id),
            message: format!("{} {}", ticket.id.display_number(), n.message),
        })
        .collect();
    app.db().notify(notes, now).await?;
    Ok(())
}
