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

use crate::OrNotFound;
use crate::directory::{require_admin, require_staff};
use crate::input::required;
use crate::sla::{MAX_NAME_CHARS, ServiceLevels, name_taken};
use crate::{App, AppError};
use ferrodesk_domain::{
    Actor, Channel, EventKind, GroupId, NewEvent, NotificationKind, Ticket, UserId,
};
use ferrodesk_store::{
    AgentLoad, AgentSettings, AssignmentMode, DeskSettings, Notice, RoundRobinPick, RoutingRule,
    RuleId, StoreError,
};
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
                kind: NotificationKind::Rule,
                message: message.clone(),
                // Decided with the others by the pipeline's last step.
                mail: false,
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

// --- the admin use cases -----------------------------------------------------------

impl ServiceLevels<'_> {
    /// Every routing rule in evaluation order (staff).
    ///
    /// # Errors
    /// `Forbidden` for customers.
    pub async fn routing_rules(&self, actor: &Actor) -> Result<Vec<RoutingRule>, AppError> {
        require_staff(actor, "read routing rules")?;
        Ok(self.app.db().list_routing_rules().await?)
    }

    async fn check_rule(&self, rule: &RoutingRule) -> Result<(), AppError> {
        let db = self.app.db();
        if let Some(group) = rule.actions.group_id
            && db.get_group(group).await.is_err()
        {
            return Err(AppError::invalid(
                "actions.group_id",
                format!("group {group} does not exist"),
            ));
        }
        if let Some(category) = rule.actions.category_id
            && db.get_category(category).await.is_err()
        {
            return Err(AppError::invalid(
                "actions.category_id",
                format!("category {category} does not exist"),
            ));
        }
        for (field, user) in rule
            .actions
            .assignee_id
            .iter()
            .map(|u| ("actions.assignee_id", *u))
            .chain(
                rule.actions
                    .notify_user_ids
                    .iter()
                    .map(|u| ("actions.notify_user_ids", *u)),
            )
        {
            match db.get_user(user).await {
                Ok(found) if found.role.is_staff() => {}
                _ => {
                    return Err(AppError::invalid(
                        field,
                        format!("user {user} is not a staff member"),
                    ));
                }
            }
        }
        if rule.actions.is_empty() {
            return Err(AppError::invalid("actions", "a rule must do something"));
        }
        crate::input::tags(&rule.actions.add_tags)?;
        Ok(())
    }

    /// Creates a routing rule (admins).
    ///
    /// # Errors
    /// `Forbidden`, `Invalid` (name, unknown group, category or staff member, no
    /// action), `Conflict` (`name_taken`).
    pub async fn create_routing_rule(
        &self,
        actor: &Actor,
        mut rule: RoutingRule,
    ) -> Result<RoutingRule, AppError> {
        require_admin(actor, "manage routing rules")?;
        rule.name = required("name", &rule.name, MAX_NAME_CHARS)?;
        self.check_rule(&rule).await?;
        let name = rule.name.clone();
        self.app
            .db()
            .create_routing_rule(rule, self.app.now())
            .await
            .map_err(name_taken("routing rule", &name))
    }

    /// Replaces a routing rule (admins).
    ///
    /// # Errors
    /// As for [`ServiceLevels::create_routing_rule`], and `NotFound`.
    pub async fn update_routing_rule(
        &self,
        actor: &Actor,
        mut rule: RoutingRule,
    ) -> Result<RoutingRule, AppError> {
        require_admin(actor, "manage routing rules")?;
        rule.name = required("name", &rule.name, MAX_NAME_CHARS)?;
        self.check_rule(&rule).await?;
        let (id, name) = (rule.id, rule.name.clone());
        match self
            .app
            .db()
            .update_routing_rule(rule, self.app.now())
            .await
        {
            Err(StoreError::NotFound { .. }) => Err(AppError::not_found("routing rule", id)),
            other => other.map_err(name_taken("routing rule", &name)),
        }
    }

    /// Deletes a routing rule (admins).
    ///
    /// # Errors
    /// `Forbidden`, `NotFound`.
    pub async fn delete_routing_rule(&self, actor: &Actor, id: i64) -> Result<(), AppError> {
        require_admin(actor, "manage routing rules")?;
        self.app
            .db()
            .delete_routing_rule(RuleId(id))
            .await
            .or_not_found("routing rule", id)
    }

    /// Every escalation rule (staff).
    ///
    /// # Errors
    /// An agent's availability, load limit and skills (staff).
    ///
    /// # Errors
    /// `Forbidden`, `NotFound`.
    pub async fn agent_settings(
        &self,
        actor: &Actor,
        user: i64,
    ) -> Result<AgentSettings, AppError> {
        require_staff(actor, "read agent settings")?;
        let found = self
            .app
            .db()
            .get_user(UserId(user))
            .await
            .or_not_found("user", user)?;
        if !found.role.is_staff() {
            return Err(AppError::not_found("agent", user));
        }
        Ok(self.app.db().agent_settings(found.id).await?)
    }

    /// Replaces an agent's settings: agents may change their own availability only;
    /// admins change anything.
    ///
    /// # Errors
    /// `Forbidden`, `NotFound`, `Invalid` (load limit, unknown skill).
    pub async fn set_agent_settings(
        &self,
        actor: &Actor,
        user: i64,
        settings: AgentSettings,
    ) -> Result<AgentSettings, AppError> {
        let current = self.agent_settings(actor, user).await?;
        if !actor.is_admin() {
            let own = actor.user_id == UserId(user);
            let only_away = AgentSettings {
                is_away: settings.is_away,
                ..current.clone()
            } == settings;
            if !own || !only_away {
                return Err(AppError::forbidden(
                    "agents may change only their own availability; admins change the rest",
                ));
            }
        }
        if settings
            .load_limit
            .is_some_and(|l| !(1..=10_000).contains(&l))
        {
            return Err(AppError::invalid(
                "load_limit",
                "give 1-10000 tickets, or nothing",
            ));
        }
        let db = self.app.db();
        for id in &settings.category_skills {
            if db.get_category(*id).await.is_err() {
                return Err(AppError::invalid(
                    "category_skills",
                    format!("category {id} does not exist"),
                ));
            }
        }
        for id in &settings.service_skills {
            if db.get_service(*id).await.is_err() {
                return Err(AppError::invalid(
                    "service_skills",
                    format!("service {id} does not exist"),
                ));
            }
        }
        db.set_agent_settings(UserId(user), settings.clone(), self.app.now())
            .await?;
        Ok(settings)
    }

    /// A group's assignment mode (staff).
    ///
    /// # Errors
    /// `Forbidden`, `NotFound`.
    pub async fn assignment_mode(
        &self,
        actor: &Actor,
        group: i64,
    ) -> Result<AssignmentMode, AppError> {
        require_staff(actor, "read assignment modes")?;
        let db = self.app.db();
        db.get_group(GroupId(group))
            .await
            .or_not_found("group", group)?;
        Ok(db.assignment_mode(GroupId(group)).await?)
    }

    /// Sets a group's assignment mode (admins).
    ///
    /// # Errors
    /// `Forbidden`, `NotFound`.
    pub async fn set_assignment_mode(
        &self,
        actor: &Actor,
        group: i64,
        mode: AssignmentMode,
    ) -> Result<AssignmentMode, AppError> {
        require_admin(actor, "change assignment modes")?;
        let db = self.app.db();
        db.get_group(GroupId(group))
            .await
            .or_not_found("group", group)?;
        db.set_assignment_mode(GroupId(group), mode, self.app.now())
            .await?;
        Ok(mode)
    }
}
