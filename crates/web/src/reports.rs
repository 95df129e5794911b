//! `/api/v1/reports/...`: the dashboard of a period for supervisors (all groups) and
//! agents (their own groups), read from rollups kept by every ticket write.

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiQuery, Authenticated};
use axum::Json;
use axum::extract::State;
use ferrodesk_app::ReportRequest;
use ferrodesk_app::reports::{Backlog, CustomFieldReport, Dashboard, ReportRow, ReportTotals};
use ferrodesk_domain::GroupId;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(dashboard))
        .routes(routes!(custom_field))
}

/// Which period and group.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DashboardParams {
    /// First day (UTC, `YYYY-MM-DD`), inclusive; default: `days` before `to`.
    pub from: Option<Date>,
    /// Last day (UTC), inclusive; default today.
    pub to: Option<Date>,
    /// Length of the period when `from` is not given: 1 to 366, default 30.
    pub days: Option<i64>,
    /// Only this group.
    pub group: Option<i64>,
}

/// Sums over a period, a day or a breakdown value.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotalsResponse {
    /// Tickets created.
    pub created: i64,
    /// Tickets resolved.
    pub resolved: i64,
    /// Resolved tickets opened again.
    pub reopened: i64,
    /// Tickets that got their first response.
    pub first_responses: i64,
    /// Mean seconds from creation to first response (absent without any).
    pub avg_first_response_seconds: Option<i64>,
    /// Mean seconds from creation to resolution (absent without any).
    pub avg_resolution_seconds: Option<i64>,
    /// Reopened per resolved, in percent.
    pub reopen_rate_percent: Option<f64>,
}

impl From<ReportTotals> for TotalsResponse {
    fn from(t: ReportTotals) -> Self {
        TotalsResponse {
            created: t.created,
            resolved: t.resolved,
            reopened: t.reopened,
            first_responses: t.first_responses,
            avg_first_response_seconds: t.avg_first_response_seconds,
            avg_resolution_seconds: t.avg_resolution_seconds,
            reopen_rate_percent: t.reopen_rate_percent,
        }
    }
}

/// One day's sums.
#[derive(Debug, Serialize, ToSchema)]
pub struct DayResponse {
    /// The day (UTC).
    pub date: Date,
    /// Its sums.
    #[serde(flatten)]
    pub totals: TotalsResponse,
}

/// One value of a breakdown.
#[derive(Debug, Serialize, ToSchema)]
pub struct RowResponse {
    /// A channel (`email`), a priority (`p1`), a group, user or category id, or `none`.
    pub key: String,
    /// Its sums.
    #[serde(flatten)]
    pub totals: TotalsResponse,
}

impl From<ReportRow> for RowResponse {
    fn from(row: ReportRow) -> Self {
        RowResponse {
            key: row.key,
            totals: row.totals.into(),
        }
    }
}

/// Open tickets now.
#[derive(Debug, Serialize, ToSchema)]
pub struct BacklogResponse {
    /// Open tickets.
    pub open: i64,
    /// Open and unassigned.
    pub unassigned: i64,
    /// Open per group id (`none`: no group).
    pub by_group: BTreeMap<String, i64>,
    /// Open per assignee id: each agent's load.
    pub by_agent: BTreeMap<String, i64>,
}

impl From<Backlog> for BacklogResponse {
    fn from(b: Backlog) -> Self {
        BacklogResponse {
            open: b.open,
            unassigned: b.unassigned,
            by_group: b.by_group,
            by_agent: b.by_agent,
        }
    }
}

/// The dashboard of a period.
#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardResponse {
    /// First day (UTC), inclusive.
    pub from: Date,
    /// Last day (UTC), inclusive.
    pub to: Date,
    /// The group it is limited to.
    pub group: Option<i64>,
    /// Sums over the period.
    pub totals: TotalsResponse,
    /// Sums over the equally long period before: the trend.
    pub previous: TotalsResponse,
    /// Every day of the period.
    pub daily: Vec<DayResponse>,
    /// By channel, busiest first.
    pub by_channel: Vec<RowResponse>,
    /// By priority.
    pub by_priority: Vec<RowResponse>,
    /// By group.
    pub by_group: Vec<RowResponse>,
    /// By category.
    pub by_category: Vec<RowResponse>,
    /// By agent (the assignee when answered or resolved).
    pub by_agent: Vec<RowResponse>,
    /// Open tickets now.
    pub backlog: BacklogResponse,
}

fn rows(rows: Vec<ReportRow>) -> Vec<RowResponse> {
    rows.into_iter().map(RowResponse::from).collect()
}

impl From<Dashboard> for DashboardResponse {
    fn from(d: Dashboard) -> Self {
        DashboardResponse {
            from: d.from,
            to: d.to,
            group: d.group.map(GroupId::get),
            totals: d.totals.into(),
            previous: d.previous.into(),
            daily: d
                .daily
                .into_iter()
                .map(|day| DayResponse {
                    date: day.date,
                    totals: day.totals.into(),
                })
                .collect(),
            by_channel: rows(d.by_channel),
            by_priority: rows(d.by_priority),
            by_group: rows(d.by_group),
            by_category: rows(d.by_category),
            by_agent: rows(d.by_agent),
            backlog: d.backlog.into(),
        }
    }
}

/// The dashboard of a period: volume, first response and resolution times, reopen
/// rate, the trend against the period before, breakdowns and the backlog. Supervisors
/// and admins see every group, agents their own groups.
#[utoipa::path(
    get,
    path = "/api/v1/reports/dashboard",
    tag = "reports",
    params(DashboardParams),
    responses(
        (status = 200, description = "the dashboard", body = DashboardResponse),
        (status = 400, description = "malformed query", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "customers may not read reports", body = ErrorBody),
        (status = 404, description = "unknown group, or not the agent's", body = ErrorBody),
        (status = 422, description = "invalid period", body = ErrorBody),
    )
)]
async fn dashboard(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiQuery(params): ApiQuery<DashboardParams>,
) -> Result<Json<DashboardResponse>, ApiError> {
    let request = ReportRequest {
        from: params.from,
        to: params.to,
        days: params.days,
        group: params.group.map(GroupId),
    };
    let dashboard = state.app.reports().dashboard(&auth.actor, &request).await?;
    Ok(Json(dashboard.into()))
}

/// Which field, period and group.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CustomFieldParams {
    /// The key of a single-choice custom field.
    pub key: String,
    /// First day (UTC, `YYYY-MM-DD`), inclusive; default: `days` before `to`.
    pub from: Option<Date>,
    /// Last day (UTC), inclusive; default today.
    pub to: Option<Date>,
    /// Length of the period when `from` is not given: 1 to 366, default 30.
    pub days: Option<i64>,
    /// Only this group.
    pub group: Option<i64>,
}

/// Tickets with one option of the field.
#[derive(Debug, Serialize, ToSchema)]
pub struct OptionCountResponse {
    /// The option.
    pub option: String,
    /// Tickets created in the period with it.
    pub tickets: i64,
}

/// Tickets created in a period per option of a single-choice custom field.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomFieldReportResponse {
    /// First day.
    pub from: Date,
    /// Last day.
    pub to: Date,
    /// The field's key.
    pub key: String,
    /// The field's label.
    pub label: String,
    /// Per option, in the field's order.
    pub options: Vec<OptionCountResponse>,
}

impl From<CustomFieldReport> for CustomFieldReportResponse {
    fn from(r: CustomFieldReport) -> Self {
        CustomFieldReportResponse {
            from: r.from,
            to: r.to,
            key: r.key,
            label: r.label,
            options: r
                .options
                .into_iter()
                .map(|o| OptionCountResponse {
                    option: o.option,
                    tickets: o.tickets,
                })
                .collect(),
        }
    }
}

/// How many tickets created in a period have each option of a single-choice custom
/// field, within the groups the caller may report on.
#[utoipa::path(
    get,
    path = "/api/v1/reports/custom-field",
    tag = "reports",
    params(CustomFieldParams),
    responses(
        (status = 200, description = "the counts per option", body = CustomFieldReportResponse),
        (status = 400, description = "malformed query", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "customers may not read reports", body = ErrorBody),
        (status = 404, description = "unknown field or group, or not the agent's group", body = ErrorBody),
        (status = 422, description = "not a single-choice field, or an invalid period", body = ErrorBody),
    )
)]
async fn custom_field(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiQuery(params): ApiQuery<CustomFieldParams>,
) -> Result<Json<CustomFieldReportResponse>, ApiError> {
    let request = ReportRequest {
        from: params.from,
        to: params.to,
        days: params.days,
        group: params.group.map(GroupId),
    };
    let report = state
        .app
        .reports()
        .by_custom_field(&auth.actor, &request, &params.key)
        .await?;
    Ok(Json(report.into()))
}
