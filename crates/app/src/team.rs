//! The supervisor's team view: for the groups a supervisor leads (every group for an
//! admin, or for a supervisor in no group), each group's queues, each agent's load and
//! availability, and the tickets closest to breaching their SLA.
//!
//! Read only from what the store keeps on write, so it costs the same at a thousand
//! tickets and at a million: the counts come from the queue counts
//! (`Store::queue_counts`), the load from `RoutingStore::group_agents` (which reads the
//! same counts), and "breaching soon" from the due-time index behind
//! `SlaStore::list_breaching`, one bounded read. Agents and customers are refused.

use crate::{App, AppError};
use ferrodesk_domain::{Actor, Group, GroupId, Role, Ticket, TicketScope, User, UserId};
use ferrodesk_store::{MAX_PAGE_SIZE, QueueCounts};
use jiff::{SignedDuration, Timestamp};
use std::collections::BTreeMap;

/// How far ahead a ticket counts as breaching soon: its SLA is due within the hour (or
/// is already overdue).
pub const BREACHING_WINDOW: SignedDuration = SignedDuration::from_hours(1);

/// How many of the tickets due soonest the view lists.
pub const BREACHING_LIST: usize = 10;

/// One group's queues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupQueues {
    /// The group.
    pub group_id: GroupId,
    /// Its name.
    pub name: String,
    /// Open tickets in the group.
    pub open: i64,
    /// Open tickets in the group nobody is assigned to.
    pub unassigned: i64,
    /// Open tickets in the group due within [`BREACHING_WINDOW`] or overdue.
    pub breaching_soon: i64,
    /// Whether `breaching_soon` is a lower bound: the read stopped at its limit.
    pub breaching_soon_capped: bool,
}

/// One agent's load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentLoad {
    /// The agent.
    pub user_id: UserId,
    /// Their name.
    pub name: String,
    /// Their role (supervisors in a group are counted too).
    pub role: Role,
    /// Which of the viewed groups they belong to.
    pub group_ids: Vec<GroupId>,
    /// Open tickets assigned to them, in any group.
    pub open_tickets: i64,
    /// Whether they are away (they get no new tickets).
    pub is_away: bool,
    /// Most open tickets assigned at once, when set.
    pub load_limit: Option<i64>,
}

/// A ticket close to breaching its SLA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreachingTicket {
    /// The ticket.
    pub ticket: Ticket,
    /// Its earliest running due time.
    pub due_at: Timestamp,
    /// Whether that time has passed.
    pub is_breached: bool,
    /// The assignee's name, when assigned.
    pub assignee_name: Option<String>,
}

/// What a supervisor sees of their team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamView {
    /// Per group, by name.
    pub groups: Vec<GroupQueues>,
    /// Per agent, by name.
    pub agents: Vec<AgentLoad>,
    /// Up to [`BREACHING_LIST`] tickets of those groups, due soonest first.
    pub breaching: Vec<BreachingTicket>,
}

/// The team view's use case.
pub struct Team<'a> {
    app: &'a App,
}

impl<'a> Team<'a> {
    pub(crate) fn new(app: &'a App) -> Self {
        Team { app }
    }

    /// The team view of a supervisor's groups (all groups for an admin or a supervisor
    /// in no group).
    ///
    /// # Errors
    /// `Forbidden` for agents and customers; `Unavailable`.
    pub async fn view(&self, actor: &Actor) -> Result<TeamView, AppError> {
        if !matches!(actor.role, Role::Supervisor | Role::Admin) {
            return Err(AppError::forbidden(
                "only supervisors and admins may see the team view",
            ));
        }
        let db = self.app.db();
        // Groups and staff (names, roles) come from the settings snapshot: no read per
        // agent or per listed ticket.
        let settings = self.app.settings().await?;
        let groups = led_groups(actor, settings.groups.clone());
        let group_ids: Vec<GroupId> = groups.iter().map(|g| g.id).collect();
        let now = self.app.now();
        let soon = self.breaching_soon(actor, &group_ids, now).await?;
        let capped = soon.len() >= usize::try_from(MAX_PAGE_SIZE).unwrap_or(usize::MAX);
        let counts = db.queue_counts().await?;
        let group_rows = groups
            .iter()
            .map(|group| group_queues(group, &counts, &soon, capped))
            .collect();
        let staff: BTreeMap<UserId, &User> = settings.staff.iter().map(|u| (u.id, u)).collect();
        let agents = self.agents(&group_ids, &staff).await?;
        let breaching = listed(soon, now, &staff);
        Ok(TeamView {
            groups: group_rows,
            agents,
            breaching,
        })
    }

    /// Open tickets of the groups due within the window, soonest first, with their due
    /// time; bounded by [`MAX_PAGE_SIZE`].
    async fn breaching_soon(
        &self,
        actor: &Actor,
        group_ids: &[GroupId],
        now: Timestamp,
    ) -> Result<Vec<(Ticket, Timestamp)>, AppError> {
        if group_ids.is_empty() {
            return Ok(Vec::new());
        }
        let before = now
            .checked_add(BREACHING_WINDOW)
            .map_err(|_| AppError::Internal("the clock is at its end".into()))?;
        // The group scope also lets in the viewer's own tickets of other groups; they
        // are dropped below, so the view shows only the groups it is about.
        let scope = TicketScope::Agent {
            user_id: actor.user_id,
            group_ids: group_ids.to_vec(),
        };
        let tickets: Vec<Ticket> = self
            .app
            .db()
            .list_breaching(&scope, before, MAX_PAGE_SIZE)
            .await?
            .into_iter()
            .filter(|t| t.group_id.is_some_and(|g| group_ids.contains(&g)))
            .collect();
        let ids: Vec<_> = tickets.iter().map(|t| t.id).collect();
        let due: BTreeMap<_, _> = self
            .app
            .db()
            .ticket_slas(&ids)
            .await?
            .into_iter()
            .filter_map(|sla| sla.next_due_at.map(|due| (sla.ticket_id, due)))
            .collect();
        Ok(tickets
            .into_iter()
            .filter_map(|t| due.get(&t.id).map(|due| (t, *due)))
            .collect())
    }

    /// Every active staff member of the groups, once, with their load.
    async fn agents(
        &self,
        group_ids: &[GroupId],
        staff: &BTreeMap<UserId, &User>,
    ) -> Result<Vec<AgentLoad>, AppError> {
        let mut agents: BTreeMap<UserId, AgentLoad> = BTreeMap::new();
        for group in group_ids {
            let (loads, _) = self.app.db().group_agents(*group).await?;
            for load in loads {
                if let Some(known) = agents.get_mut(&load.user_id) {
                    known.group_ids.push(*group);
                    continue;
                }
                let Some(user) = staff.get(&load.user_id) else {
                    continue;
                };
                agents.insert(
                    load.user_id,
                    AgentLoad {
                        user_id: load.user_id,
                        name: user.name.clone(),
                        role: user.role,
                        group_ids: vec![*group],
                        open_tickets: load.open_tickets,
                        is_away: load.settings.is_away,
                        load_limit: load.settings.load_limit,
                    },
                );
            }
        }
        let mut agents: Vec<AgentLoad> = agents.into_values().collect();
        agents.sort_by(|a, b| a.name.cmp(&b.name).then(a.user_id.cmp(&b.user_id)));
        Ok(agents)
    }
}

/// The first [`BREACHING_LIST`] tickets with their assignees' names.
fn listed(
    soon: Vec<(Ticket, Timestamp)>,
    now: Timestamp,
    staff: &BTreeMap<UserId, &User>,
) -> Vec<BreachingTicket> {
    soon.into_iter()
        .take(BREACHING_LIST)
        .map(|(ticket, due_at)| BreachingTicket {
            assignee_name: ticket
                .assignee_id
                .and_then(|id| staff.get(&id))
                .map(|u| u.name.clone()),
            ticket,
            due_at,
            is_breached: due_at <= now,
        })
        .collect()
}

/// The groups a supervisor leads: their own, or every group for an admin or for a
/// supervisor in no group; by name.
fn led_groups(actor: &Actor, mut all: Vec<Group>) -> Vec<Group> {
    if actor.role == Role::Supervisor && !actor.group_ids.is_empty() {
        all.retain(|g| actor.group_ids.contains(&g.id));
    }
    all.sort_by(|a, b| a.name.cmp(&b.name));
    all
}

fn group_queues(
    group: &Group,
    counts: &QueueCounts,
    soon: &[(Ticket, Timestamp)],
    capped: bool,
) -> GroupQueues {
    let of = |map: &BTreeMap<Option<GroupId>, i64>| map.get(&Some(group.id)).copied().unwrap_or(0);
    let breaching_soon = soon
        .iter()
        .filter(|(t, _)| t.group_id == Some(group.id))
        .count();
    GroupQueues {
        group_id: group.id,
        name: group.name.clone(),
        open: of(&counts.open_by_group),
        unassigned: of(&counts.unassigned_by_group),
        breaching_soon: i64::try_from(breaching_soon).unwrap_or(i64::MAX),
        breaching_soon_capped: capped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrodesk_domain::Tier;

    fn group(id: i64, name: &str) -> Group {
        Group {
            id: GroupId(id),
            name: name.to_owned(),
            tier: Tier::FIRST,
            description: String::new(),
            escalates_to: None,
            created_at: Timestamp::UNIX_EPOCH,
            updated_at: Timestamp::UNIX_EPOCH,
        }
    }

    fn actor(role: Role, groups: &[i64]) -> Actor {
        Actor {
            user_id: UserId(1),
            role,
            group_ids: groups.iter().copied().map(GroupId).collect(),
            organization_id: None,
            organization_shares_tickets: false,
        }
    }

    #[test]
    fn a_supervisor_leads_their_groups_and_an_admin_or_a_supervisor_without_groups_all() {
        let all = || vec![group(2, "Network"), group(1, "Service Desk")];
        let names = |groups: Vec<Group>| groups.into_iter().map(|g| g.name).collect::<Vec<_>>();
        assert_eq!(
            names(led_groups(&actor(Role::Supervisor, &[1]), all())),
            ["Service Desk"]
        );
        assert_eq!(
            names(led_groups(&actor(Role::Supervisor, &[]), all())),
            ["Network", "Service Desk"]
        );
        assert_eq!(
            names(led_groups(&actor(Role::Admin, &[1]), all())),
            ["Network", "Service Desk"]
        );
    }
}
