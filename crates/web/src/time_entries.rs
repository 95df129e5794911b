//! `/api/v1/tickets/{id}/time-entries` and `/api/v1/reports/time`: time spent on
//! tickets, logged by staff on its own or with a reply or note (`time_spent_minutes`
//! on `POST /api/v1/tickets/{id}/events`), and the totals per agent and per group.

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Authenticated, TicketPath};
use crate::reports::DashboardParams;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use ferrodesk_app::{ReportRequest, TimeReport};
use ferrodesk_domain::GroupId;
use ferrodesk_store::TimeEntry;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_time_entries, add_time_entry))
        .routes(routes!(time_report))
}

/// Minutes someone spent on a ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimeEntryResponse {
    /// The entry.
    pub id: i64,
    /// Who spent the time.
    pub user_id: i64,
    /// How long, in minutes.
    pub minutes: i32,
    /// The reply or note it was logged with, if any.
    pub event_id: Option<i64>,
    /// When it was logged.
    pub created_at: Timestamp,
}

impl From<TimeEntry> for TimeEntryResponse {
    fn from(e: TimeEntry) -> Self {
        TimeEntryResponse {
            id: e.id,
            user_id: e.user_id.get(),
            minutes: e.minutes,
            event_id: e.event_id.map(|id| id.get()),
            created_at: e.created_at,
        }
    }
}

/// A ticket's time entries and their sum.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimeEntriesResponse {
    /// Oldest first.
    pub items: Vec<TimeEntryResponse>,
    /// Minutes in all.
    pub total_minutes: i64,
}

/// Time to log on a ticket.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeEntryRequest {
    /// Minutes spent, 1 to 1440.
    pub minutes: i64,
}

/// Lists the time logged on a ticket (staff).
#[utoipa::path(
    get,
    path = "/api/v1/tickets/{id}/time-entries",
    tag = "tickets",
    params(("id" = String, Path, description = "ticket number")),
    responses(
        (status = 200, description = "the entries and their total", body = TimeEntriesResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "customers do not see time entries", body = ErrorBody),
        (status = 404, description = "no such ticket", body = ErrorBody),
    )
)]
async fn list_time_entries(
    State(state): State<AppState>,
    auth: Authenticated,
    TicketPath(id): TicketPath,
) -> Result<Json<TimeEntriesResponse>, ApiError> {
    let time = state.app.time_entries().for_ticket(&auth.actor, id).await?;
    Ok(Json(TimeEntriesResponse {
        items: time.entries.into_iter().map(Into::into).collect(),
        total_minutes: time.total_minutes,
    }))
}

/// Logs time on a ticket without a message (staff who may work the ticket).
#[utoipa::path(
    post,
    path = "/api/v1/tickets/{id}/time-entries",
    tag = "tickets",
    params(("id" = String, Path, description = "ticket number")),
    request_body = TimeEntryRequest,
    responses(
        (status = 201, description = "the entry", body = TimeEntryResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "may not work this ticket", body = ErrorBody),
        (status = 404, description = "no such ticket", body = ErrorBody),
        (status = 422, description = "minutes outside 1 to 1440", body = ErrorBody),
    )
)]
async fn add_time_entry(
    State(state): State<AppState>,
    auth: Authenticated,
    TicketPath(id): TicketPath,
    ApiJson(r): ApiJson<TimeEntryRequest>,
) -> Result<(StatusCode, Json<TimeEntryResponse>), ApiError> {
    let entry = state
        .app
        .time_entries()
        .add(&auth.actor, id, r.minutes)
        .await?;
    Ok((StatusCode::CREATED, Json(entry.into())))
}

/// Minutes logged in a period by one agent or on one group's tickets.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimeTotalResponse {
    /// The agent (in `by_agent`) or the group (in `by_group`; absent: no group).
    pub id: Option<i64>,
    /// Minutes in all.
    pub minutes: i64,
    /// How many entries.
    pub entries: i64,
}

/// Time logged in a period.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimeReportResponse {
    /// First day (UTC), inclusive.
    pub from: Date,
    /// Last day (UTC), inclusive.
    pub to: Date,
    /// Per agent, most first.
    pub by_agent: Vec<TimeTotalResponse>,
    /// Per group the tickets are in now, most first.
    pub by_group: Vec<TimeTotalResponse>,
}

impl From<TimeReport> for TimeReportResponse {
    fn from(r: TimeReport) -> Self {
        TimeReportResponse {
            from: r.from,
            to: r.to,
            by_agent: (r.by_agent.into_iter())
                .map(|t| TimeTotalResponse {
                    id: Some(t.key.get()),
                    minutes: t.minutes,
                    entries: t.entries,
                })
                .collect(),
            by_group: (r.by_group.into_iter())
                .map(|t| TimeTotalResponse {
                    id: t.key.map(GroupId::get),
                    minutes: t.minutes,
                    entries: t.entries,
                })
                .collect(),
        }
    }
}

/// Time logged in a period per agent and per group. Supervisors and admins see
/// everyone; an agent sees their own total and their groups'.
#[utoipa::path(
    get,
    path = "/api/v1/reports/time",
    tag = "reports",
    params(DashboardParams),
    responses(
        (status = 200, description = "the totals", body = TimeReportResponse),
        (status = 400, description = "malformed query", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "customers may not read reports", body = ErrorBody),
        (status = 422, description = "invalid period", body = ErrorBody),
    )
)]
async fn time_report(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiQuery(params): ApiQuery<DashboardParams>,
) -> Result<Json<TimeReportResponse>, ApiError> {
    let request = ReportRequest {
        from: params.from,
        to: params.to,
        days: params.days,
        group: params.group.map(GroupId),
    };
    let report = state
        .app
        .time_entries()
        .report(&auth.actor, &request)
        .await?;
    Ok(Json(report.into()))
}
