//! `/api/v1/team`: the supervisor's team view (supervisors and admins): their groups'
//! queues, each agent's load and availability, and the tickets due soonest. The same
//! use case as the workspace's `/agent/team` page.

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Authenticated;
use crate::types::{Priority, Role, Status};
use axum::Json;
use axum::extract::State;
use ferrodesk_app::TeamView;
use ferrodesk_app::team::{AgentLoad, BreachingTicket, GroupQueues};
use ferrodesk_domain::GroupId;
use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(team))
}

/// One group's queues.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamGroupResponse {
    /// The group.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Open tickets in the group (kept on write).
    pub open: i64,
    /// Open tickets in the group nobody is assigned to.
    pub unassigned: i64,
    /// Open tickets in the group whose SLA is due within the hour or overdue.
    pub breaching_soon: i64,
    /// Whether `breaching_soon` is a lower bound (the read stopped at 200 tickets).
    pub breaching_soon_capped: bool,
}

impl From<GroupQueues> for TeamGroupResponse {
    fn from(g: GroupQueues) -> Self {
        TeamGroupResponse {
            id: g.group_id.get(),
            name: g.name,
            open: g.open,
            unassigned: g.unassigned,
            breaching_soon: g.breaching_soon,
            breaching_soon_capped: g.breaching_soon_capped,
        }
    }
}

/// One agent's load.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamAgentResponse {
    /// The agent's user id.
    pub id: i64,
    /// Their name.
    pub name: String,
    /// Their role.
    pub role: Role,
    /// Which of the viewed groups they work in.
    pub group_ids: Vec<i64>,
    /// Open tickets assigned to them.
    pub open_tickets: i64,
    /// Away: they get no new tickets.
    pub is_away: bool,
    /// Most open tickets assigned at once, when set.
    pub load_limit: Option<i64>,
}

impl From<AgentLoad> for TeamAgentResponse {
    fn from(a: AgentLoad) -> Self {
        TeamAgentResponse {
            id: a.user_id.get(),
            name: a.name,
            role: a.role.into(),
            group_ids: a.group_ids.into_iter().map(GroupId::get).collect(),
            open_tickets: a.open_tickets,
            is_away: a.is_away,
            load_limit: a.load_limit,
        }
    }
}

/// A ticket close to breaching its SLA.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamBreachingResponse {
    /// The ticket's id.
    pub id: i64,
    /// The number as people say it: `#10042`.
    pub number: String,
    /// Its subject.
    pub subject: String,
    /// Its status.
    pub status: Status,
    /// Its priority.
    pub priority: Priority,
    /// Its group.
    pub group_id: Option<i64>,
    /// Its assignee.
    pub assignee_id: Option<i64>,
    /// The assignee's name.
    pub assignee_name: Option<String>,
    /// The earliest running SLA due time.
    pub due_at: Timestamp,
    /// Whether that time has passed.
    pub is_breached: bool,
}

impl From<BreachingTicket> for TeamBreachingResponse {
    fn from(b: BreachingTicket) -> Self {
        let t = b.ticket;
        TeamBreachingResponse {
            id: t.id.get(),
            number: t.id.display_number(),
            subject: t.subject,
            status: t.status.into(),
            priority: t.priority.into(),
            group_id: t.group_id.map(GroupId::get),
            assignee_id: t.assignee_id.map(|u| u.get()),
            assignee_name: b.assignee_name,
            due_at: b.due_at,
            is_breached: b.is_breached,
        }
    }
}

/// The team view.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamResponse {
    /// The viewer's groups (every group for an admin or a supervisor in none), by name.
    pub groups: Vec<TeamGroupResponse>,
    /// Every active staff member of those groups, by name.
    pub agents: Vec<TeamAgentResponse>,
    /// Up to 10 open tickets of those groups due within the hour or overdue, soonest
    /// first.
    pub breaching: Vec<TeamBreachingResponse>,
}

impl From<TeamView> for TeamResponse {
    fn from(v: TeamView) -> Self {
        TeamResponse {
            groups: v.groups.into_iter().map(Into::into).collect(),
            agents: v.agents.into_iter().map(Into::into).collect(),
            breaching: v.breaching.into_iter().map(Into::into).collect(),
        }
    }
}

/// The supervisor's team view: per group the open, unassigned and breaching-soon
/// counts, each agent's load and availability, and the tickets due soonest.
/// Supervisors see their own groups (all groups when they lead none), admins all.
#[utoipa::path(
    get,
    path = "/api/v1/team",
    tag = "reports",
    responses(
        (status = 200, description = "the team view", body = TeamResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "supervisors and admins only", body = ErrorBody),
    )
)]
async fn team(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<TeamResponse>, ApiError> {
    let view = state.app.team().view(&auth.actor).await?;
    Ok(Json(view.into()))
}
