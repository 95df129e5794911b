//! Automation over HTTP (issue 4, "Automatic escalation rules"):
//! `/api/v1/escalation-rules` and the time-based automations (`/api/v1/automations`).
//! Admins write them; staff read them.

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, Authenticated};
use crate::sla::SlaTarget;
use crate::tickets::created;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ferrodesk_app::EscalationSpec;
use ferrodesk_domain::{EscalationRule, EscalationTrigger};
use ferrodesk_store::{AutomationSettings, StoredEscalationRule};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_escalation_rules, create_escalation_rule))
        .routes(routes!(update_escalation_rule, delete_escalation_rule))
        .routes(routes!(get_automations, set_automations))
}

// --- escalation rules ------------------------------------------------------------------------------

/// What sets off an escalation rule.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// An SLA target reached its warning share.
    SlaWarning,
    /// An SLA target was breached.
    SlaBreach,
    /// The ticket was reassigned `threshold` times.
    Reassigned,
    /// A complaint was opened.
    Complaint,
}

impl From<Trigger> for EscalationTrigger {
    fn from(t: Trigger) -> Self {
        match t {
            Trigger::SlaWarning => EscalationTrigger::SlaWarning,
            Trigger::SlaBreach => EscalationTrigger::SlaBreach,
            Trigger::Reassigned => EscalationTrigger::Reassigned,
            Trigger::Complaint => EscalationTrigger::Complaint,
        }
    }
}

impl From<EscalationTrigger> for Trigger {
    fn from(t: EscalationTrigger) -> Self {
        match t {
            EscalationTrigger::SlaWarning => Trigger::SlaWarning,
            EscalationTrigger::SlaBreach => Trigger::SlaBreach,
            EscalationTrigger::Reassigned => Trigger::Reassigned,
            EscalationTrigger::Complaint => Trigger::Complaint,
        }
    }
}

/// An automatic escalation rule.
#[derive(Debug, Serialize, ToSchema)]
pub struct EscalationRuleResponse {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Whether it runs.
    pub is_enabled: bool,
    /// What sets it off.
    pub trigger: Trigger,
    /// For SLA triggers, the target (absent: any).
    pub target: Option<SlaTarget>,
    /// For `reassigned`, how many reassignments.
    pub threshold: Option<i64>,
    /// Move the ticket to the next tier (its group's escalation target).
    pub escalates: bool,
    /// Notify the supervisors of the ticket's group.
    pub notifies_supervisor: bool,
}

fn escalation_response(r: StoredEscalationRule) -> EscalationRuleResponse {
    EscalationRuleResponse {
        id: r.id.get(),
        name: r.name,
        is_enabled: r.is_enabled,
        trigger: r.rule.trigger.into(),
        target: r.rule.target.map(Into::into),
        threshold: r.rule.threshold,
        escalates: r.rule.escalates,
        notifies_supervisor: r.rule.notifies_supervisor,
    }
}

/// An escalation rule to create, or its full new state.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EscalationRuleRequest {
    /// Unique name.
    pub name: String,
    /// Whether it runs (default true).
    pub is_enabled: Option<bool>,
    /// What sets it off.
    pub trigger: Trigger,
    /// For SLA triggers, the target (absent: any).
    pub target: Option<SlaTarget>,
    /// For `reassigned`, how many reassignments (1-100).
    pub threshold: Option<i64>,
    /// Move the ticket to the next tier.
    #[serde(default)]
    pub escalates: bool,
    /// Notify the group's supervisors.
    #[serde(default)]
    pub notifies_supervisor: bool,
}

impl From<EscalationRuleRequest> for EscalationSpec {
    fn from(r: EscalationRuleRequest) -> Self {
        EscalationSpec {
            name: r.name,
            is_enabled: r.is_enabled.unwrap_or(true),
            rule: EscalationRule {
                trigger: r.trigger.into(),
                target: r.target.map(Into::into),
                threshold: r.threshold,
                escalates: r.escalates,
                notifies_supervisor: r.notifies_supervisor,
            },
        }
    }
}

/// Every escalation rule.
#[derive(Debug, Serialize, ToSchema)]
pub struct EscalationRulesResponse {
    /// By name.
    pub items: Vec<EscalationRuleResponse>,
}

/// Lists escalation rules (staff).
#[utoipa::path(get, path = "/api/v1/escalation-rules", tag = "service levels",
    responses(
        (status = 200, description = "the rules", body = EscalationRulesResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "staff only", body = ErrorBody),
    ))]
async fn list_escalation_rules(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<EscalationRulesResponse>, ApiError> {
    let items = state
        .app
        .service_levels()
        .escalation_rules(&auth.actor)
        .await?;
    Ok(Json(EscalationRulesResponse {
        items: items.into_iter().map(escalation_response).collect(),
    }))
}

/// Creates an escalation rule (admins).
#[utoipa::path(post, path = "/api/v1/escalation-rules", tag = "service levels",
    request_body = EscalationRuleRequest,
    responses(
        (status = 201, description = "the new rule", body = EscalationRuleResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 409, description = "name taken", body = ErrorBody),
        (status = 422, description = "invalid rule", body = ErrorBody),
    ))]
async fn create_escalation_rule(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(r): ApiJson<EscalationRuleRequest>,
) -> Result<Response, ApiError> {
    let rule = state
        .app
        .service_levels()
        .create_escalation_rule(&auth.actor, &r.into())
        .await?;
    let location = format!("/api/v1/escalation-rules/{}", rule.id);
    Ok(created(escalation_response(rule), &location, false))
}

/// Replaces an escalation rule (admins).
#[utoipa::path(put, path = "/api/v1/escalation-rules/{id}", tag = "service levels",
    params(("id" = i64, Path, description = "rule id")),
    request_body = EscalationRuleRequest,
    responses(
        (status = 200, description = "the rule", body = EscalationRuleResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 404, description = "no such rule", body = ErrorBody),
        (status = 409, description = "name taken", body = ErrorBody),
        (status = 422, description = "invalid rule", body = ErrorBody),
    ))]
async fn update_escalation_rule(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<EscalationRuleRequest>,
) -> Result<Json<EscalationRuleResponse>, ApiError> {
    let rule = state
        .app
        .service_levels()
        .update_escalation_rule(&auth.actor, id, &r.into())
        .await?;
    Ok(Json(escalation_response(rule)))
}

/// Deletes an escalation rule (admins).
#[utoipa::path(delete, path = "/api/v1/escalation-rules/{id}", tag = "service levels",
    params(("id" = i64, Path, description = "rule id")),
    responses(
        (status = 204, description = "deleted"),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 404, description = "no such rule", body = ErrorBody),
    ))]
async fn delete_escalation_rule(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    state
        .app
        .service_levels()
        .delete_escalation_rule(&auth.actor, id)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

// --- automations ---

/// Time-based automations; `null` turns a step off.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AutomationsBody {
    /// Minutes pending on the customer before a public reminder (default 7 days).
    pub pending_reminder_minutes: Option<i64>,
    /// Minutes pending on the customer before the ticket is resolved with a public
    /// notice (default 14 days; after the reminder).
    pub pending_resolve_minutes: Option<i64>,
    /// Minutes resolved before the ticket is closed (default 3 days).
    pub resolved_close_minutes: Option<i64>,
}

fn automations_body(s: AutomationSettings) -> AutomationsBody {
    AutomationsBody {
        pending_reminder_minutes: s.pending_reminder_minutes,
        pending_resolve_minutes: s.pending_resolve_minutes,
        resolved_close_minutes: s.resolved_close_minutes,
    }
}

/// Reads the automation settings (staff).
#[utoipa::path(get, path = "/api/v1/automations", tag = "service levels",
    responses(
        (status = 200, description = "the settings", body = AutomationsBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "staff only", body = ErrorBody),
    ))]
async fn get_automations(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<AutomationsBody>, ApiError> {
    let settings = state.app.service_levels().automation(&auth.actor).await?;
    Ok(Json(automations_body(settings)))
}

/// Replaces the automation settings (admins).
#[utoipa::path(put, path = "/api/v1/automations", tag = "service levels",
    request_body = AutomationsBody,
    responses(
        (status = 200, description = "the settings", body = AutomationsBody),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 422, description = "out of range", body = ErrorBody),
    ))]
async fn set_automations(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(r): ApiJson<AutomationsBody>,
) -> Result<Json<AutomationsBody>, ApiError> {
    let settings = AutomationSettings {
        pending_reminder_minutes: r.pending_reminder_minutes,
        pending_resolve_minutes: r.pending_resolve_minutes,
        resolved_close_minutes: r.resolved_close_minutes,
    };
    let saved = state
        .app
        .service_levels()
        .set_automation(&auth.actor, settings)
        .await?;
    Ok(Json(automations_body(saved)))
}
