//! `/agent/team`: the supervisor's team view, where supervisors and admins land: their
//! groups' queues (open, unassigned, breaching soon, each linking to the queue that
//! lists them), each agent's load and availability, and the tickets due soonest. Read
//! from the same use case as `/api/v1/team`; agents and customers get the 403 page.

use super::Sidebar;
use crate::UiState;
use crate::chrome::Chrome;
use crate::error::{PageResult, render};
use crate::session::Staff;
use crate::view::{Badge, Names, Times, When, priority_badge};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use ferrodesk_app::team::{AgentLoad, BREACHING_WINDOW, BreachingTicket, GroupQueues};
use ferrodesk_domain::Role;
use jiff::Timestamp;

pub(crate) fn routes() -> Router<UiState> {
    Router::new().route("/team", get(team_page))
}

/// Where a person lands in the workspace: supervisors and admins on the team view,
/// agents on their own tickets.
pub(crate) fn workspace_start(role: Role) -> &'static str {
    match role {
        Role::Supervisor | Role::Admin => "/agent/team",
        _ => "/agent/queues/mine",
    }
}

/// One group's row, with the queue links.
struct GroupRow {
    name: String,
    open: i64,
    open_href: String,
    unassigned: i64,
    unassigned_href: String,
    /// "3", or "200+" when the read stopped at its limit.
    breaching: String,
    is_breaching: bool,
    breaching_href: String,
}

impl GroupRow {
    fn new(group: &GroupQueues) -> GroupRow {
        let href = |queue: &str| format!("/agent/queues/{queue}?group={}", group.group_id);
        GroupRow {
            name: group.name.clone(),
            open: group.open,
            open_href: href("open"),
            unassigned: group.unassigned,
            unassigned_href: href("unassigned"),
            breaching: format!(
                "{}{}",
                group.breaching_soon,
                if group.breaching_soon_capped { "+" } else { "" }
            ),
            is_breaching: group.breaching_soon > 0,
            breaching_href: format!(
                "{}&within={}",
                href("breaching-soon"),
                BREACHING_WINDOW.as_mins()
            ),
        }
    }
}

/// One agent's row.
struct AgentRow {
    name: String,
    groups: String,
    open: i64,
    /// "4 / 10", or the open count alone without a limit.
    load: String,
    is_full: bool,
    is_away: bool,
}

impl AgentRow {
    fn new(agent: &AgentLoad, names: &Names) -> AgentRow {
        AgentRow {
            name: agent.name.clone(),
            groups: agent
                .group_ids
                .iter()
                .map(|g| names.group_name(*g))
                .collect::<Vec<_>>()
                .join(", "),
            open: agent.open_tickets,
            load: match agent.load_limit {
                Some(limit) => format!("{} / {limit}", agent.open_tickets),
                None => "no limit".to_owned(),
            },
            is_full: agent
                .load_limit
                .is_some_and(|limit| agent.open_tickets >= limit),
            is_away: agent.is_away,
        }
    }
}

/// One ticket due soon.
struct DueRow {
    id: i64,
    number: String,
    subject: String,
    priority: Badge,
    group: String,
    assignee: String,
    is_unassigned: bool,
    due: When,
    /// "in 25 min", "10 min overdue".
    due_label: String,
    is_breached: bool,
}

/// How far a due time is from now, as agents say it.
fn due_label(due: Timestamp, now: Timestamp) -> String {
    let seconds = due.as_second() - now.as_second();
    let minutes = seconds.abs() / 60;
    let span = match minutes {
        0 => "under a minute".to_owned(),
        1..60 => format!("{minutes} min"),
        60..1440 => format!("{} h {} min", minutes / 60, minutes % 60),
        _ => format!("{} d {} h", minutes / 1440, (minutes % 1440) / 60),
    };
    if seconds <= 0 {
        format!("{span} overdue")
    } else {
        format!("in {span}")
    }
}

impl DueRow {
    fn new(item: &BreachingTicket, names: &Names, times: &Times, now: Timestamp) -> DueRow {
        let ticket = &item.ticket;
        DueRow {
            id: ticket.id.get(),
            number: ticket.id.display_number(),
            subject: ticket.subject.clone(),
            priority: priority_badge(ticket.priority),
            group: ticket
                .group_id
                .map_or_else(|| "No group".to_owned(), |g| names.group_name(g)),
            assignee: item
                .assignee_name
                .clone()
                .unwrap_or_else(|| "Unassigned".to_owned()),
            is_unassigned: item.assignee_name.is_none(),
            due: times.at(item.due_at),
            due_label: due_label(item.due_at, now),
            is_breached: item.is_breached,
        }
    }
}

#[derive(Template)]
#[template(path = "agent/team.html")]
struct TeamPage {
    chrome: Chrome,
    sidebar: Sidebar,
    groups: Vec<GroupRow>,
    agents: Vec<AgentRow>,
    due: Vec<DueRow>,
    is_all_groups: bool,
}

/// `GET /agent/team`.
async fn team_page(State(state): State<UiState>, staff: Staff) -> PageResult {
    let viewer = &staff.0;
    let view = state.app.team().view(&viewer.actor).await?;
    let names = Names::load(&state, &viewer.actor).await?;
    let sidebar = Sidebar::load(&state, &viewer.actor, &names, "team").await?;
    let now = state.app.now();
    let times = Times::new(&viewer.user, now);
    let page = TeamPage {
        chrome: Chrome::new(viewer, "agent", "Team").nav("team".to_owned()),
        sidebar,
        is_all_groups: viewer.actor.role == Role::Admin || viewer.actor.group_ids.is_empty(),
        groups: view.groups.iter().map(GroupRow::new).collect(),
        agents: view
            .agents
            .iter()
            .map(|a| AgentRow::new(a, &names))
            .collect(),
        due: view
            .breaching
            .iter()
            .map(|b| DueRow::new(b, &names, &times, now))
            .collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_times_read_ahead_or_overdue() {
        let now = Timestamp::UNIX_EPOCH;
        let at = |minutes: i64| Timestamp::from_second(minutes * 60).unwrap();
        assert_eq!(due_label(at(25), now), "in 25 min");
        assert_eq!(due_label(at(90), now), "in 1 h 30 min");
        assert_eq!(due_label(at(-10), now), "10 min overdue");
        assert_eq!(due_label(now, now), "under a minute overdue");
    }
}
