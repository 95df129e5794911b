//! Service levels over HTTP (issue 4): `/api/v1/calendars`, `/api/v1/sla-policies`,
//! a ticket's SLA clock (`/api/v1/tickets/{id}/sla`, also embedded in ticket
//! responses as `sla`), the breaching-soon queue (`/api/v1/tickets/breaching`),
//! `/api/v1/routing-rules`, `/api/v1/escalation-rules`, `/api/v1/automations`,
//! agents' availability (`/api/v1/agents/{id}/settings`), groups' assignment modes
//! (`/api/v1/groups/{id}/assignment`) and `/api/v1/notifications`. Admins write the
//! configuration; staff read it.

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authenticated};
use crate::tickets::{TicketResponse, created, ticket_response};
use crate::types::{Channel, Priority, TicketKind};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ferrodesk_app::{CalendarSpec, EscalationSpec, PolicySpec, TargetSpec};
use ferrodesk_domain::schedule::calendar_to_text;
use ferrodesk_domain::{
    Actor, CategoryId, ClockPhase, EscalationRule, EscalationTrigger, GroupId, OrganizationId,
    RuleActions, RuleConditions, ServiceId, SlaTargets, TargetKind, TicketId, UserId,
};
use ferrodesk_store::{
    AgentSettings, AssignmentMode, AutomationSettings, PageRequest, RoutingRule, RuleId,
    StoredCalendar, StoredEscalationRule, StoredPolicy, StoredTarget, TicketSla,
};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_calendars, create_calendar))
        .routes(routes!(get_calendar, update_calendar, delete_calendar))
        .routes(routes!(list_policies, create_policy))
        .routes(routes!(get_policy, update_policy, delete_policy))
        .routes(routes!(ticket_sla))
        .routes(routes!(breaching))
        .routes(routes!(list_routing_rules, create_routing_rule))
        .routes(routes!(update_routing_rule, delete_routing_rule))
        .routes(routes!(list_escalation_rules, create_escalation_rule))
        .routes(routes!(update_escalation_rule, delete_escalation_rule))
        .routes(routes!(get_automations, set_automations))
        .routes(routes!(get_agent_settings, set_agent_settings))
        .routes(routes!(get_assignment, set_assignment))
        .routes(routes!(list_notifications))
        .routes(routes!(read_notifications))
}

fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

// --- wire enums ------------------------------------------------------------------------

/// An SLA target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SlaTarget {
    /// The first public reply.
    FirstResponse,
    /// The next public update.
    Update,
    /// Resolution.
    Resolution,
}

impl From<TargetKind> for SlaTarget {
    fn from(kind: TargetKind) -> Self {
        match kind {
            TargetKind::FirstResponse => SlaTarget::FirstResponse,
            TargetKind::Update => SlaTarget::Update,
            TargetKind::Resolution => SlaTarget::Resolution,
        }
    }
}

impl From<SlaTarget> for TargetKind {
    fn from(target: SlaTarget) -> Self {
        match target {
            SlaTarget::FirstResponse => TargetKind::FirstResponse,
            SlaTarget::Update => TargetKind::Update,
            SlaTarget::Resolution => TargetKind::Resolution,
        }
    }
}

/// How a target stands now: `ok`, `warning` (past the warning share), `breached`
/// (past due), `paused` (pending on the customer or a vendor) or `met`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SlaState {
    /// Running, before the warning.
    Ok,
    /// Running, past the warning share.
    Warning,
    /// Running, past due.
    Breached,
    /// Stopped while pending.
    Paused,
    /// Done.
    Met,
}

impl From<ferrodesk_store::SlaState> for SlaState {
    fn from(state: ferrodesk_store::SlaState) -> Self {
        use ferrodesk_store::SlaState as S;
        match state {
            S::Ok => SlaState::Ok,
            S::Warning => SlaState::Warning,
            S::Breached => SlaState::Breached,
            S::Paused => SlaState::Paused,
            S::Met => SlaState::Met,
        }
    }
}

// --- ticket SLA ---------------------------------------------------------------------------

/// One target of a ticket's SLA clock.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlaTargetResponse {
    /// Which target.
    pub target: SlaTarget,
    /// How it stands now.
    pub state: SlaState,
    /// When the current cycle started (creation, last public reply, reopen).
    pub started_at: Timestamp,
    /// When the warning share is reached (absent while paused).
    pub warn_at: Option<Timestamp>,
    /// When it is due, in business time (absent while paused).
    pub due_at: Option<Timestamp>,
    /// Seconds until due (negative when overdue; absent unless running).
    pub seconds_left: Option<i64>,
}

/// A ticket's SLA clock as stored at its last change, read at `as_of`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketSlaResponse {
    /// The SLA policy that covers the ticket.
    pub policy_id: Option<i64>,
    /// The worst state of its targets.
    pub state: Option<SlaState>,
    /// Time to the first public reply.
    pub first_response: Option<SlaTargetResponse>,
    /// Time to the next public update.
    pub next_update: Option<SlaTargetResponse>,
    /// Time to resolution.
    pub resolution: Option<SlaTargetResponse>,
    /// The earliest due time of a running target.
    pub next_due_at: Option<Timestamp>,
    /// When the states were read.
    pub as_of: Timestamp,
}

/// Converts a stored clock for the response, read at `now`.
pub(crate) fn sla_response(sla: TicketSla, now: Timestamp) -> TicketSlaResponse {
    let target = |t: Option<StoredTarget>| {
        t.map(|t| {
            let state = t.state_at(now).into();
            SlaTargetResponse {
                target: t.kind.into(),
                state,
                started_at: t.started_at,
                warn_at: t.warn_at,
                due_at: t.due_at,
                seconds_left: (t.phase == ClockPhase::Running)
                    .then(|| t.due_at.map(|d| d.duration_since(now).as_secs()))
                    .flatten(),
            }
        })
    };
    let state = sla.targets().map(|t| t.state_at(now)).max().map(Into::into);
    TicketSlaResponse {
        policy_id: sla.policy_id.map(|p| p.get()),
        state,
        first_response: target(sla.first_response),
        next_update: target(sla.next_update),
        resolution: target(sla.resolution),
        next_due_at: sla.next_due_at,
        as_of: now,
    }
}

/// Fills in the `sla` of ticket responses (staff only; one indexed read for all).
pub(crate) async fn attach_sla(
    state: &AppState,
    actor: &Actor,
    tickets: &mut [TicketResponse],
) -> Result<(), ApiError> {
    if !actor.is_staff() || tickets.is_empty() {
        return Ok(());
    }
    let ids: Vec<TicketId> = tickets.iter().map(|t| TicketId(t.id)).collect();
    let slas = state.app.service_levels().ticket_slas(actor, &ids).await?;
    let now = state.app.now();
    for sla in slas {
        if let Some(ticket) = tickets.iter_mut().find(|t| t.id == sla.ticket_id.get()) {
            ticket.sla = Some(sla_response(sla, now));
        }
    }
    Ok(())
}

/// One ticket response with its `sla` filled in.
pub(crate) async fn with_sla(
    state: &AppState,
    actor: &Actor,
    ticket: TicketResponse,
) -> Result<TicketResponse, ApiError> {
    let mut one = [ticket];
    attach_sla(state, actor, &mut one).await?;
    let [ticket] = one;
    Ok(ticket)
}

/// Reads a ticket's SLA clock (staff).
#[utoipa::path(
    get,
    path = "/api/v1/tickets/{id}/sla",
    tag = "service levels",
    params(("id" = i64, Path, description = "ticket id")),
    responses(
        (status = 200, description = "the clock", body = TicketSlaResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "staff only", body = ErrorBody),
        (status = 404, description = "no such ticket, or not covered by a policy", body = ErrorBody),
    )
)]
async fn ticket_sla(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<TicketSlaResponse>, ApiError> {
    if !auth.actor.is_staff() {
        return Err(ferrodesk_app::AppError::forbidden("only staff may read SLA clocks").into());
    }
    let ticket = state.app.tickets().get(&auth.actor, TicketId(id)).await?;
    let slas = state
        .app
        .service_levels()
        .ticket_slas(&auth.actor, &[ticket.id])
        .await?;
    let sla = slas
        .into_iter()
        .next()
        .ok_or_else(|| ferrodesk_app::AppError::not_found("SLA clock of ticket", id))?;
    Ok(Json(sla_response(sla, state.app.now())))
}

/// Query of the breaching-soon queue.
#[derive(Debug, Deserialize, ToSchema, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BreachingQuery {
    /// Tickets due within this many minutes (default 240; overdue ones included).
    pub within_minutes: Option<i64>,
    /// At most this many (default 50, at most 200).
    pub limit: Option<i64>,
}

/// The breaching-soon queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct BreachingResponse {
    /// Tickets by their earliest due time, overdue first.
    pub items: Vec<TicketResponse>,
}

/// Lists open tickets about to breach (or breached), soonest due first (staff; the
/// caller's queue scope applies).
#[utoipa::path(
    get,
    path = "/api/v1/tickets/breaching",
    tag = "service levels",
    params(BreachingQuery),
    responses(
        (status = 200, description = "the queue", body = BreachingResponse),
        (status = 400, description = "bad query", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "staff only", body = ErrorBody),
        (status = 422, description = "window out of range", body = ErrorBody),
    )
)]
async fn breaching(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiQuery(q): ApiQuery<BreachingQuery>,
) -> Result<Json<BreachingResponse>, ApiError> {
    let minutes = q.within_minutes.unwrap_or(240);
    if !(0..=525_600).contains(&minutes) {
        return Err(
            ferrodesk_app::AppError::invalid("within_minutes", "give 0-525600 minutes").into(),
        );
    }
    let tickets = state
        .app
        .service_levels()
        .breaching(
            &auth.actor,
            SignedDuration::from_mins(minutes),
            q.limit.unwrap_or(50).clamp(1, 200),
        )
        .await?;
    let mut items: Vec<TicketResponse> = tickets
        .into_iter()
        .map(|t| ticket_response(t, true))
        .collect();
    attach_sla(&state, &auth.actor, &mut items).await?;
    Ok(Json(BreachingResponse { items }))
}

// --- calendars ------------------------------------------------------------------------------

/// A business calendar.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarResponse {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Open around the clock.
    pub always_open: bool,
    /// IANA time zone of the hours.
    pub time_zone: String,
    /// Opening intervals, `monday 08:00-16:00`.
    pub hours: Vec<String>,
    /// Closed dates, `2026-12-25`.
    pub holidays: Vec<String>,
    /// Created.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

fn calendar_response(calendar: StoredCalendar) -> CalendarResponse {
    let (time_zone, hours, holidays) = calendar_to_text(&calendar.calendar);
    CalendarResponse {
        id: calendar.id.get(),
        name: calendar.name,
        always_open: calendar.calendar.is_always_open(),
        time_zone,
        hours,
        holidays,
        created_at: calendar.created_at,
        updated_at: calendar.updated_at,
    }
}

/// A calendar to create, or its full new state.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarRequest {
    /// Unique name.
    pub name: String,
    /// 24/7 (hours and holidays are then ignored).
    #[serde(default)]
    pub always_open: bool,
    /// IANA time zone, e.g. `Europe/Oslo` (required unless 24/7).
    #[serde(default)]
    pub time_zone: String,
    /// Opening intervals, `monday 08:00-16:00` (several per day allowed).
    #[serde(default)]
    pub hours: Vec<String>,
    /// Closed dates, `2026-12-25`.
    #[serde(default)]
    pub holidays: Vec<String>,
}

impl From<CalendarRequest> for CalendarSpec {
    fn from(r: CalendarRequest) -> Self {
        CalendarSpec {
            name: r.name,
            always_open: r.always_open,
            time_zone: if r.time_zone.is_empty() && r.always_open {
                "UTC".into()
            } else {
                r.time_zone
            },
            hours: r.hours,
            holidays: r.holidays,
        }
    }
}

/// Every calendar.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarsResponse {
    /// By name.
    pub items: Vec<CalendarResponse>,
}

/// Lists calendars (staff).
#[utoipa::path(get, path = "/api/v1/calendars", tag = "service levels",
    responses(
        (status = 200, description = "the calendars", body = CalendarsResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "staff only", body = ErrorBody),
    ))]
async fn list_calendars(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<CalendarsResponse>, ApiError> {
    let items = state.app.service_levels().calendars(&auth.actor).await?;
    Ok(Json(CalendarsResponse {
        items: items.into_iter().map(calendar_response).collect(),
    }))
}

/// Creates a calendar (admins).
#[utoipa::path(post, path = "/api/v1/calendars", tag = "service levels",
    request_body = CalendarRequest,
    responses(
        (status = 201, description = "the new calendar", body = CalendarResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 409, description = "name taken", body = ErrorBody),
        (status = 422, description = "invalid zone, hours or holidays", body = ErrorBody),
    ))]
async fn create_calendar(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(r): ApiJson<CalendarRequest>,
) -> Result<Response, ApiError> {
    let calendar = state
        .app
        .service_levels()
        .create_calendar(&auth.actor, &r.into())
        .await?;
    let location = format!("/api/v1/calendars/{}", calendar.id);
    Ok(created(calendar_response(calendar), &location, false))
}

/// Reads a calendar (staff).
#[utoipa::path(get, path = "/api/v1/calendars/{id}", tag = "service levels",
    params(("id" = i64, Path, description = "calendar id")),
    responses(
        (status = 200, description = "the calendar", body = CalendarResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "staff only", body = ErrorBody),
        (status = 404, description = "no such calendar", body = ErrorBody),
    ))]
async fn get_calendar(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<CalendarResponse>, ApiError> {
    let calendar = state.app.service_levels().calendar(&auth.actor, id).await?;
    Ok(Json(calendar_response(calendar)))
}

/// Replaces a calendar (admins).
#[utoipa::path(put, path = "/api/v1/calendars/{id}", tag = "service levels",
    params(("id" = i64, Path, description = "calendar id")),
    request_body = CalendarRequest,
    responses(
        (status = 200, description = "the calendar", body = CalendarResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 404, description = "no such calendar", body = ErrorBody),
        (status = 409, description = "name taken", body = ErrorBody),
        (status = 422, description = "invalid zone, hours or holidays", body = ErrorBody),
    ))]
async fn update_calendar(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<CalendarRequest>,
) -> Result<Json<CalendarResponse>, ApiError> {
    let calendar = state
        .app
        .service_levels()
        .update_calendar(&auth.actor, id, &r.into())
        .await?;
    Ok(Json(calendar_response(calendar)))
}

/// Deletes a calendar no policy uses (admins).
#[utoipa::path(delete, path = "/api/v1/calendars/{id}", tag = "service levels",
    params(("id" = i64, Path, description = "calendar id")),
    responses(
        (status = 204, description = "deleted"),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 404, description = "no such calendar", body = ErrorBody),
        (status = 409, description = "a policy uses it", body = ErrorBody),
    ))]
async fn delete_calendar(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    state
        .app
        .service_levels()
        .delete_calendar(&auth.actor, id)
        .await?;
    Ok(no_content())
}

// --- policies ----------------------------------------------------------------------------------

/// One priority's targets in business minutes (absent: no promise).
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetsBody {
    /// Time to the first public reply.
    pub first_response_minutes: Option<i64>,
    /// Longest time between public updates.
    pub update_interval_minutes: Option<i64>,
    /// Time to resolution.
    pub resolution_minutes: Option<i64>,
}

impl From<&TargetsBody> for TargetSpec {
    fn from(t: &TargetsBody) -> Self {
        TargetSpec {
            first_response_minutes: t.first_response_minutes,
            update_interval_minutes: t.update_interval_minutes,
            resolution_minutes: t.resolution_minutes,
        }
    }
}

fn targets_body(t: &SlaTargets) -> TargetsBody {
    TargetsBody {
        first_response_minutes: t.first_response.map(|m| i64::from(m.get())),
        update_interval_minutes: t.update_interval.map(|m| i64::from(m.get())),
        resolution_minutes: t.resolution.map(|m| i64::from(m.get())),
    }
}

/// Targets for each priority.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriorityTargetsBody {
    /// Critical.
    #[serde(default)]
    pub p1: TargetsBody,
    /// High.
    #[serde(default)]
    pub p2: TargetsBody,
    /// Medium.
    #[serde(default)]
    pub p3: TargetsBody,
    /// Low.
    #[serde(default)]
    pub p4: TargetsBody,
}

/// An SLA policy.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyResponse {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// The calendar its clocks count in.
    pub calendar_id: i64,
    /// Targets per priority.
    pub targets: PriorityTargetsBody,
    /// Warning at this share of a target (percent).
    pub warning_percent: i64,
    /// The desk posts a public progress note when the update interval passes.
    pub sends_progress_notes: bool,
    /// Covers tickets no assignment covers.
    pub is_default: bool,
    /// Organizations whose contract this is.
    pub organization_ids: Vec<i64>,
    /// Services it covers.
    pub service_ids: Vec<i64>,
    /// Categories it covers.
    pub category_ids: Vec<i64>,
    /// Created.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

fn policy_response(p: StoredPolicy) -> PolicyResponse {
    PolicyResponse {
        id: p.id.get(),
        name: p.name,
        calendar_id: p.calendar_id.get(),
        targets: PriorityTargetsBody {
            p1: targets_body(&p.targets.p1),
            p2: targets_body(&p.targets.p2),
            p3: targets_body(&p.targets.p3),
            p4: targets_body(&p.targets.p4),
        },
        warning_percent: i64::from(p.warning.percent()),
        sends_progress_notes: p.sends_progress_notes,
        is_default: p.is_default,
        organization_ids: p.organization_ids.iter().map(|o| o.get()).collect(),
        service_ids: p.service_ids.iter().map(|s| s.get()).collect(),
        category_ids: p.category_ids.iter().map(|c| c.get()).collect(),
        created_at: p.created_at,
        updated_at: p.updated_at,
    }
}

/// A policy to create, or its full new state. Precedence when several cover a
/// ticket: organization contract, then service, then category, then the default.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyRequest {
    /// Unique name.
    pub name: String,
    /// The calendar.
    pub calendar_id: i64,
    /// Targets per priority.
    #[serde(default)]
    pub targets: PriorityTargetsBody,
    /// Warning share in percent, 1-99 (default 80).
    pub warning_percent: Option<i64>,
    /// Post progress notes to the requester when the update interval passes.
    #[serde(default)]
    pub sends_progress_notes: bool,
    /// Make this the default policy.
    #[serde(default)]
    pub is_default: bool,
    /// Organizations whose contract this is.
    #[serde(default)]
    pub organization_ids: Vec<i64>,
    /// Services it covers.
    #[serde(default)]
    pub service_ids: Vec<i64>,
    /// Categories it covers.
    #[serde(default)]
    pub category_ids: Vec<i64>,
}

impl From<PolicyRequest> for PolicySpec {
    fn from(r: PolicyRequest) -> Self {
        PolicySpec {
            name: r.name,
            calendar_id: r.calendar_id,
            targets: [
                (&r.targets.p1).into(),
                (&r.targets.p2).into(),
                (&r.targets.p3).into(),
                (&r.targets.p4).into(),
            ],
            warning_percent: r.warning_percent.unwrap_or(80),
            sends_progress_notes: r.sends_progress_notes,
            is_default: r.is_default,
            organization_ids: r.organization_ids,
            service_ids: r.service_ids,
            category_ids: r.category_ids,
        }
    }
}

/// Every policy.
#[derive(Debug, Serialize, ToSchema)]
pub struct PoliciesResponse {
    /// By name.
    pub items: Vec<PolicyResponse>,
}

/// Lists SLA policies (staff).
#[utoipa::path(get, path = "/api/v1/sla-policies", tag = "service levels",
    responses(
        (status = 200, description = "the policies", body = PoliciesResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "staff only", body = ErrorBody),
    ))]
async fn list_policies(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<PoliciesResponse>, ApiError> {
    let items = state.app.service_levels().policies(&auth.actor).await?;
    Ok(Json(PoliciesResponse {
        items: items.into_iter().map(policy_response).collect(),
    }))
}

/// Creates an SLA policy (admins).
#[utoipa::path(post, path = "/api/v1/sla-policies", tag = "service levels",
    request_body = PolicyRequest,
    responses(
        (status = 201, description = "the new policy", body = PolicyResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 409, description = "name taken", body = ErrorBody),
        (status = 422, description = "invalid target, share or reference", body = ErrorBody),
    ))]
async fn create_policy(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(r): ApiJson<PolicyRequest>,
) -> Result<Response, ApiError> {
    let policy = state
        .app
        .service_levels()
        .create_policy(&auth.actor, &r.into())
        .await?;
    let location = format!("/api/v1/sla-policies/{}", policy.id);
    Ok(created(policy_response(policy), &location, false))
}

/// Reads an SLA policy (staff).
#[utoipa::path(get, path = "/api/v1/sla-policies/{id}", tag = "service levels",
    params(("id" = i64, Path, description = "policy id")),
    responses(
        (status = 200, description = "the policy", body = PolicyResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "staff only", body = ErrorBody),
        (status = 404, description = "no such policy", body = ErrorBody),
    ))]
async fn get_policy(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<PolicyResponse>, ApiError> {
    let policy = state.app.service_levels().policy(&auth.actor, id).await?;
    Ok(Json(policy_response(policy)))
}

/// Replaces an SLA policy (admins). Tickets get new due times at their next change.
#[utoipa::path(put, path = "/api/v1/sla-policies/{id}", tag = "service levels",
    params(("id" = i64, Path, description = "policy id")),
    request_body = PolicyRequest,
    responses(
        (status = 200, description = "the policy", body = PolicyResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 404, description = "no such policy", body = ErrorBody),
        (status = 409, description = "name taken", body = ErrorBody),
        (status = 422, description = "invalid target, share or reference", body = ErrorBody),
    ))]
async fn update_policy(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<PolicyRequest>,
) -> Result<Json<PolicyResponse>, ApiError> {
    let policy = state
        .app
        .service_levels()
        .update_policy(&auth.actor, id, &r.into())
        .await?;
    Ok(Json(policy_response(policy)))
}

/// Deletes an SLA policy (admins).
#[utoipa::path(delete, path = "/api/v1/sla-policies/{id}", tag = "service levels",
    params(("id" = i64, Path, description = "policy id")),
    responses(
        (status = 204, description = "deleted"),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 404, description = "no such policy", body = ErrorBody),
    ))]
async fn delete_policy(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    state
        .app
        .service_levels()
        .delete_policy(&auth.actor, id)
        .await?;
    Ok(no_content())
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
    Ok(no_content())
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
    Ok(no_content())
}

// --- automations, agents, groups ---------------------------------------------------------------

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

// --- notifications ---------------------------------------------------------------------------------

/// An in-app notification.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationResponse {
    /// Id.
    pub id: i64,
    /// The ticket it is about.
    pub ticket_id: Option<i64>,
    /// What happened.
    pub message: String,
    /// When it was read.
    pub read_at: Option<Timestamp>,
    /// When.
    pub created_at: Timestamp,
}

/// The caller's notifications.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationsResponse {
    /// Newest first.
    pub items: Vec<NotificationResponse>,
}

/// Query of the notification list.
#[derive(Debug, Deserialize, ToSchema, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NotificationsQuery {
    /// At most this many (default 50).
    pub limit: Option<i64>,
}

/// Lists the caller's notifications, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "service levels",
    params(NotificationsQuery),
    responses(
        (status = 200, description = "the notifications", body = NotificationsResponse),
        (status = 400, description = "bad query", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
    ))]
async fn list_notifications(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiQuery(q): ApiQuery<NotificationsQuery>,
) -> Result<Json<NotificationsResponse>, ApiError> {
    let items = state
        .app
        .service_levels()
        .notifications(&auth.actor, &PageRequest::first(q.limit.unwrap_or(50)))
        .await?;
    Ok(Json(NotificationsResponse {
        items: items
            .into_iter()
            .map(|n| NotificationResponse {
                id: n.id.get(),
                ticket_id: n.ticket_id.map(TicketId::get),
                message: n.message,
                read_at: n.read_at,
                created_at: n.created_at,
            })
            .collect(),
    }))
}

/// Which notifications to mark read.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadRequest {
    /// These (empty or absent: all).
    #[serde(default)]
    pub ids: Vec<i64>,
}

/// How many changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReadResponse {
    /// Notifications newly marked read.
    pub marked: u64,
}

/// Marks the caller's notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "service levels",
    request_body = ReadRequest,
    responses(
        (status = 200, description = "marked", body = ReadResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
    ))]
async fn read_notifications(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(r): ApiJson<ReadRequest>,
) -> Result<Json<ReadResponse>, ApiError> {
    let marked = state
        .app
        .service_levels()
        .mark_read(&auth.actor, &r.ids)
        .await?;
    Ok(Json(ReadResponse { marked }))
}
