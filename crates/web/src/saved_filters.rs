//! `/api/v1/saved-filters`: agents' named queue views, private or shared with a group.

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, Authenticated};
use crate::tickets::created;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Response};
use ferrodesk_app::SharedFilter;
use ferrodesk_domain::GroupId;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_filters, create_filter))
        .routes(routes!(delete_filter))
}

/// A saved queue filter.
#[derive(Debug, Serialize, ToSchema)]
pub struct SavedFilterResponse {
    /// Id.
    pub id: i64,
    /// Whose it is.
    pub user_id: i64,
    /// The name shown in the sidebar.
    pub name: String,
    /// The queue and its parameters, as the agent workspace writes them after
    /// `/agent/queues/`: `open?sort=priority&q=vpn`.
    pub query: String,
    /// The group it is shared with; absent when private.
    pub group_id: Option<i64>,
    /// When it was saved.
    pub created_at: Timestamp,
}

fn filter_response(shared: SharedFilter) -> SavedFilterResponse {
    SavedFilterResponse {
        id: shared.filter.id,
        user_id: shared.filter.user_id.get(),
        name: shared.filter.name,
        query: shared.filter.query,
        group_id: shared.group_id.map(GroupId::get),
        created_at: shared.filter.created_at,
    }
}

/// The filters the caller sees.
#[derive(Debug, Serialize, ToSchema)]
pub struct SavedFiltersResponse {
    /// Their own and those shared with their groups, by name.
    pub items: Vec<SavedFilterResponse>,
}

/// Lists the caller's filters and those shared with their groups (staff).
#[utoipa::path(
    get,
    path = "/api/v1/saved-filters",
    tag = "tickets",
    responses(
        (status = 200, description = "the filters", body = SavedFiltersResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "staff only", body = ErrorBody),
    )
)]
async fn list_filters(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<SavedFiltersResponse>, ApiError> {
    let filters = state.app.saved_filters().list(&auth.actor).await?;
    Ok(Json(SavedFiltersResponse {
        items: filters.into_iter().map(filter_response).collect(),
    }))
}

/// A filter to save.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSavedFilterRequest {
    /// The name (unique among the caller's filters, at most 60 characters).
    pub name: String,
    /// The queue and its parameters: `open?sort=priority&q=vpn`.
    pub query: String,
    /// Share with this group (one the caller works in; any for supervisors and
    /// admins); absent keeps it private.
    pub group_id: Option<i64>,
}

/// Saves a queue filter (staff).
#[utoipa::path(
    post,
    path = "/api/v1/saved-filters",
    tag = "tickets",
    request_body = CreateSavedFilterRequest,
    responses(
        (status = 201, description = "the filter", body = SavedFilterResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "staff only; sharing with a group you are not in", body = ErrorBody),
        (status = 404, description = "no such group", body = ErrorBody),
        (status = 409, description = "you have a filter of that name (`filter_name_taken`)", body = ErrorBody),
        (status = 422, description = "invalid name or query, wrong field", body = ErrorBody),
    )
)]
async fn create_filter(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(r): ApiJson<CreateSavedFilterRequest>,
) -> Result<Response, ApiError> {
    let filter = state
        .app
        .saved_filters()
        .create(&auth.actor, &r.name, &r.query, r.group_id.map(GroupId))
        .await?;
    let location = format!("/api/v1/saved-filters/{}", filter.filter.id);
    Ok(created(filter_response(filter), &location, false))
}

/// Deletes one of the caller's filters.
#[utoipa::path(
    delete,
    path = "/api/v1/saved-filters/{id}",
    tag = "tickets",
    params(("id" = i64, Path, description = "filter id")),
    responses(
        (status = 204, description = "deleted"),
        (status = 400, description = "bad id", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "staff only", body = ErrorBody),
        (status = 404, description = "no such filter of yours", body = ErrorBody),
    )
)]
async fn delete_filter(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    state.app.saved_filters().delete(&auth.actor, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
