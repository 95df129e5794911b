//! `/api/v1/me/queue-columns`: the work queue's columns the caller chose, in order.

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, Authenticated};
use axum::Json;
use axum::extract::State;
use ferrodesk_domain::{QueueColumn, QueueColumns};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_columns, put_columns))
}

/// A column the queue can show.
#[derive(Debug, Serialize, ToSchema)]
pub struct ColumnChoice {
    /// Its key: `number`, `subject`, `requester`, `status`, `priority`, `group`,
    /// `assignee`, `owner`, `category`, `type`, `channel`, `tags`, `sla_due`,
    /// `created`, `updated`.
    pub key: &'static str,
    /// Its heading.
    pub label: &'static str,
}

/// The caller's queue columns.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueColumnsResponse {
    /// The chosen columns' keys, in the order rows show them (the standard set until
    /// the caller chooses).
    pub columns: Vec<&'static str>,
    /// Every column there is.
    pub available: Vec<ColumnChoice>,
}

fn columns_response(columns: &QueueColumns) -> QueueColumnsResponse {
    QueueColumnsResponse {
        columns: columns.columns().iter().map(|c| c.key()).collect(),
        available: QueueColumn::ALL
            .iter()
            .map(|c| ColumnChoice {
                key: c.key(),
                label: c.label(),
            })
            .collect(),
    }
}

/// The columns to show.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QueueColumnsRequest {
    /// Column keys in order, each once, with `number` or `subject` among them.
    pub columns: Vec<String>,
}

/// The caller's queue columns (staff).
#[utoipa::path(
    get,
    path = "/api/v1/me/queue-columns",
    tag = "tickets",
    responses(
        (status = 200, description = "the columns", body = QueueColumnsResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "staff only", body = ErrorBody),
    )
)]
async fn get_columns(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<QueueColumnsResponse>, ApiError> {
    let columns = state.app.saved_filters().queue_columns(&auth.actor).await?;
    Ok(Json(columns_response(&columns)))
}

/// Chooses the caller's queue columns and their order (staff).
#[utoipa::path(
    put,
    path = "/api/v1/me/queue-columns",
    tag = "tickets",
    request_body = QueueColumnsRequest,
    responses(
        (status = 200, description = "the columns now", body = QueueColumnsResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "staff only", body = ErrorBody),
        (status = 422, description = "an unknown or repeated column (named), neither number nor subject, wrong field", body = ErrorBody),
    )
)]
async fn put_columns(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(r): ApiJson<QueueColumnsRequest>,
) -> Result<Json<QueueColumnsResponse>, ApiError> {
    let columns = state
        .app
        .saved_filters()
        .save_queue_columns(&auth.actor, &r.columns)
        .await?;
    Ok(Json(columns_response(&columns)))
}
