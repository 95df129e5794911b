//! Routing over HTTP (issue 4, "Routing and assignment"): `/api/v1/routing-rules`,
//! agents' availability, load limits and skills (`/api/v1/agents/{id}/settings`) and
//! groups' assignment modes (`/api/v1/groups/{id}/assignment`). Admins write them
//! (agents their own availability); staff read them.

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, Authenticated};
use crate::tickets::created;
use crate::types::{Channel, Priority, TicketKind};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ferrodesk_domain::{
    CategoryId, GroupId, OrganizationId, RuleActions, RuleConditions, ServiceId, UserId,
};
use ferrodesk_store::{AgentSettings, AssignmentMode, RoutingRule, RuleId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_routing_rules, create_routing_rule))
        .routes(routes!(update_routing_rule, delete_routing_rule))
        .routes(routes!(get_agent_settings, set_agent_settings))
        .routes(routes!(get_assignment, set_assignment))
}

// --- routing rules --------------------------------------------------------------------------------

/// When a routing rule applies: every given condition must hold; a list holds when
/// the ticket's value is in it.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConditionsBody {
    /// Channels.
    #[serde(default)]
    pub channels: Vec<Channel>,
    /// Categories.
    #[serde(default)]
    pub category_ids: Vec<i64>,
    /// Products or services.
    #[serde(default)]
    pub service_ids: Vec<i64>,
    /// Organizations.
    #[serde(default)]
    pub organization_ids: Vec<i64>,
    /// Requesters.
    #[serde(default)]
    pub requester_ids: Vec<i64>,
    /// Priorities.
    #[serde(default)]
    pub priorities: Vec<Priority>,
    /// Words, one of which must appear in the subject or description.
    #[serde(default)]
    pub text: Vec<String>,
}

/// What a routing rule does.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionsBody {
    /// Move to this group (its tier follows).
    pub group_id: Option<i64>,
    /// Set this priority.
    pub priority: Option<Priority>,
    /// Set this category.
    pub category_id: Option<i64>,
    /// Set this type (`complaint` sets off the complaint escalation rules).
    pub ticket_type: Option<TicketKind>,
    /// Add these tags.
    #[serde(default)]
    pub add_tags: Vec<String>,
    /// Assign to this agent.
    pub assignee_id: Option<i64>,
    /// Notify these staff members in the desk.
    #[serde(default)]
    pub notify_user_ids: Vec<i64>,
}

/// A routing rule.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoutingRuleResponse {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Evaluation order (lower first).
    pub position: i64,
    /// Whether it runs.
    pub is_enabled: bool,
    /// When it applies.
    pub conditions: ConditionsBody,
    /// What it does.
    pub actions: ActionsBody,
}

fn routing_response(rule: RoutingRule) -> RoutingRuleResponse {
    let c = rule.conditions;
    let a = rule.actions;
    RoutingRuleResponse {
        id: rule.id.get(),
        name: rule.name,
        position: rule.position,
        is_enabled: rule.is_enabled,
        conditions: ConditionsBody {
            channels: c.channels.into_iter().map(Into::into).collect(),
            category_ids: c.category_ids.iter().map(|x| x.get()).collect(),
            service_ids: c.service_ids.iter().map(|x| x.get()).collect(),
            organization_ids: c.organization_ids.iter().map(|x| x.get()).collect(),
            requester_ids: c.requester_ids.iter().map(|x| x.get()).collect(),
            priorities: c.priorities.into_iter().map(Into::into).collect(),
            text: c.text,
        },
        actions: ActionsBody {
            group_id: a.group_id.map(GroupId::get),
            priority: a.priority.map(Into::into),
            category_id: a.category_id.map(CategoryId::get),
            ticket_type: a.ticket_type.map(Into::into),
            add_tags: a.add_tags,
            assignee_id: a.assignee_id.map(UserId::get),
            notify_user_ids: a.notify_user_ids.iter().map(|u| u.get()).collect(),
        },
    }
}

/// A routing rule to create, or its full new state.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoutingRuleRequest {
    /// Unique name.
    pub name: String,
    /// Evaluation order (default 100).
    pub position: Option<i64>,
    /// Whether it runs (default true).
    pub is_enabled: Option<bool>,
    /// When it applies.
    #[serde(default)]
    pub conditions: ConditionsBody,
    /// What it does.
    pub actions: ActionsBody,
}

fn routing_rule(id: i64, r: RoutingRuleRequest) -> RoutingRule {
    let c = r.conditions;
    let a = r.actions;
    RoutingRule {
        id: RuleId(id),
        name: r.name,
        position: r.position.unwrap_or(100),
        is_enabled: r.is_enabled.unwrap_or(true),
        conditions: RuleConditions {
            channels: c.channels.into_iter().map(Into::into).collect(),
            category_ids: c.category_ids.into_iter().map(CategoryId).collect(),
            service_ids: c.service_ids.into_iter().map(ServiceId).collect(),
            organization_ids: c.organization_ids.into_iter().map(OrganizationId).collect(),
            requester_ids: c.requester_ids.into_iter().map(UserId).collect(),
            priorities: c.priorities.into_iter().map(Into::into).collect(),
            text: c.text,
        },
        actions: RuleActions {
            group_id: a.group_id.map(GroupId),
            priority: a.priority.map(Into::into),
            category_id: a.category_id.map(CategoryId),
            ticket_type: a.ticket_type.map(Into::into),
            add_tags: a.add_tags,
            assignee_id: a.assignee_id.map(UserId),
            notify_user_ids: a.notify_user_ids.into_iter().map(UserId).collect(),
        },
    }
}

/// Every routing rule.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoutingRulesResponse {
    /// In evaluation order.
    pub items: Vec<RoutingRuleResponse>,
}

/// Lists routing rules (staff).
#[utoipa::path(get, path = "/api/v1/routing-rules", tag = "service levels",
    responses(
        (status = 200, description = "the rules", body = RoutingRulesResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "staff only", body = ErrorBody),
    ))]
async fn list_routing_rules(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<RoutingRulesResponse>, ApiError> {
    let items = state
        .app
        .service_levels()
        .routing_rules(&auth.actor)
        .await?;
    Ok(Json(RoutingRulesResponse {
        items: items.into_iter().map(routing_response).collect(),
    }))
}

/// Creates a routing rule (admins).
#[utoipa::path(post, path = "/api/v1/routing-rules", tag = "service levels",
    request_body = RoutingRuleRequest,
    responses(
        (status = 201, description = "the new rule", body = RoutingRuleResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 409, description = "name taken", body = ErrorBody),
        (status = 422, description = "invalid name, reference or no action", body = ErrorBody),
    ))]
async fn create_routing_rule(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(r): ApiJson<RoutingRuleRequest>,
) -> Result<Response, ApiError> {
    let rule = state
        .app
        .service_levels()
        .create_routing_rule(&auth.actor, routing_rule(0, r))
        .await?;
    let location = format!("/api/v1/routing-rules/{}", rule.id);
    Ok(created(routing_response(rule), &location, false))
}

/// Replaces a routing rule (admins).
#[utoipa::path(put, path = "/api/v1/routing-rules/{id}", tag = "service levels",
    params(("id" = i64, Path, description = "rule id")),
    request_body = RoutingRuleRequest,
    responses(
        (status = 200, description = "the rule", body = RoutingRuleResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 404, description = "no such rule", body = ErrorBody),
        (status = 409, description = "name taken", body = ErrorBody),
        (status = 422, description = "invalid name, reference or no action", body = ErrorBody),
    ))]
async fn update_routing_rule(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<RoutingRuleRequest>,
) -> Result<Json<RoutingRuleResponse>, ApiError> {
    let rule = state
        .app
        .service_levels()
        .update_routing_rule(&auth.actor, routing_rule(id, r))
        .await?;
    Ok(Json(routing_response(rule)))
}

/// Deletes a routing rule (admins).
#[utoipa::path(delete, path = "/api/v1/routing-rules/{id}", tag = "service levels",
    params(("id" = i64, Path, description = "rule id")),
    responses(
        (status = 204, description = "deleted"),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 404, description = "no such rule", body = ErrorBody),
    ))]
async fn delete_routing_rule(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    state
        .app
        .service_levels()
        .delete_routing_rule(&auth.actor, id)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

// --- agents' availability ---

/// An agent's availability, load limit and skills.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentSettingsBody {
    /// Away: gets no new tickets automatically.
    #[serde(default)]
    pub is_away: bool,
    /// Most open tickets assigned at once (absent: no limit).
    pub load_limit: Option<i64>,
    /// Categories handled (empty: any).
    #[serde(default)]
    pub category_skills: Vec<i64>,
    /// Services handled (empty: any).
    #[serde(default)]
    pub service_skills: Vec<i64>,
}

fn agent_body(s: AgentSettings) -> AgentSettingsBody {
    AgentSettingsBody {
        is_away: s.is_away,
        load_limit: s.load_limit,
        category_skills: s.category_skills.iter().map(|c| c.get()).collect(),
        service_skills: s.service_skills.iter().map(|c| c.get()).collect(),
    }
}

/// Reads an agent's settings (staff).
#[utoipa::path(get, path = "/api/v1/agents/{id}/settings", tag = "service levels",
    params(("id" = i64, Path, description = "user id of a staff member")),
    responses(
        (status = 200, description = "the settings", body = AgentSettingsBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "staff only", body = ErrorBody),
        (status = 404, description = "no such agent", body = ErrorBody),
    ))]
async fn get_agent_settings(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<AgentSettingsBody>, ApiError> {
    let settings = state
        .app
        .service_levels()
        .agent_settings(&auth.actor, id)
        .await?;
    Ok(Json(agent_body(settings)))
}

/// Replaces an agent's settings: an agent may change their own availability; admins
/// change everything.
#[utoipa::path(put, path = "/api/v1/agents/{id}/settings", tag = "service levels",
    params(("id" = i64, Path, description = "user id of a staff member")),
    request_body = AgentSettingsBody,
    responses(
        (status = 200, description = "the settings", body = AgentSettingsBody),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "not yours or not only availability", body = ErrorBody),
        (status = 404, description = "no such agent", body = ErrorBody),
        (status = 422, description = "invalid limit or skill", body = ErrorBody),
    ))]
async fn set_agent_settings(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<AgentSettingsBody>,
) -> Result<Json<AgentSettingsBody>, ApiError> {
    let settings = AgentSettings {
        is_away: r.is_away,
        load_limit: r.load_limit,
        category_skills: r.category_skills.into_iter().map(CategoryId).collect(),
        service_skills: r.service_skills.into_iter().map(ServiceId).collect(),
    };
    let saved = state
        .app
        .service_levels()
        .set_agent_settings(&auth.actor, id, settings)
        .await?;
    Ok(Json(agent_body(saved)))
}

// --- assignment modes ---

/// How a group hands out new tickets.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Agents take tickets themselves.
    Manual,
    /// In turn.
    RoundRobin,
    /// To the agent with the fewest open tickets.
    LeastLoaded,
}

/// A group's assignment mode.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentBody {
    /// The mode; automatic modes skip agents who are away, full or lack the skill.
    pub mode: Mode,
}

fn mode_body(mode: AssignmentMode) -> AssignmentBody {
    AssignmentBody {
        mode: match mode {
            AssignmentMode::Manual => Mode::Manual,
            AssignmentMode::RoundRobin => Mode::RoundRobin,
            AssignmentMode::LeastLoaded => Mode::LeastLoaded,
        },
    }
}

/// Reads a group's assignment mode (staff).
#[utoipa::path(get, path = "/api/v1/groups/{id}/assignment", tag = "service levels",
    params(("id" = i64, Path, description = "group id")),
    responses(
        (status = 200, description = "the mode", body = AssignmentBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "staff only", body = ErrorBody),
        (status = 404, description = "no such group", body = ErrorBody),
    ))]
async fn get_assignment(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<AssignmentBody>, ApiError> {
    let mode = state
        .app
        .service_levels()
        .assignment_mode(&auth.actor, id)
        .await?;
    Ok(Json(mode_body(mode)))
}

/// Sets a group's assignment mode (admins).
#[utoipa::path(put, path = "/api/v1/groups/{id}/assignment", tag = "service levels",
    params(("id" = i64, Path, description = "group id")),
    request_body = AssignmentBody,
    responses(
        (status = 200, description = "the mode", body = AssignmentBody),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 404, description = "no such group", body = ErrorBody),
        (status = 422, description = "unknown mode", body = ErrorBody),
    ))]
async fn set_assignment(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<AssignmentBody>,
) -> Result<Json<AssignmentBody>, ApiError> {
    let mode = match r.mode {
        Mode::Manual => AssignmentMode::Manual,
        Mode::RoundRobin => AssignmentMode::RoundRobin,
        Mode::LeastLoaded => AssignmentMode::LeastLoaded,
    };
    let saved = state
        .app
        .service_levels()
        .set_assignment_mode(&auth.actor, id, mode)
        .await?;
    Ok(Json(mode_body(saved)))
}
