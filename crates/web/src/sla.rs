//! Service levels over HTTP (issue 4): `/api/v1/calendars`, `/api/v1/sla-policies`,
//! a ticket's SLA clock (`/api/v1/tickets/{id}/sla`, also embedded in ticket
//! responses as `sla`) and the breaching-soon queue (`/api/v1/tickets/breaching`).
//! Admins write calendars and policies; staff read them.

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authenticated};
use crate::tickets::{TicketResponse, created, ticket_response};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ferrodesk_app::{CalendarSpec, PolicySpec, TargetSpec};
use ferrodesk_domain::schedule::calendar_to_text;
use ferrodesk_domain::{Actor, ClockPhase, SlaTargets, TargetKind, TicketId};
use ferrodesk_store::{StoredCalendar, StoredPolicy, StoredTarget, TicketSla};
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
    Ok(StatusCode::NO_CONTENT.into_response())
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
    Ok(StatusCode::NO_CONTENT.into_response())
}
