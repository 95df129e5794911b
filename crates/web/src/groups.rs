//! `/api/v1/groups`: support groups (queues), each serving one tier. Admins write;
//! staff read.

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, Authenticated};
use crate::tickets::created;
use crate::types::nullable;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use ferrodesk_app::{GroupInput, GroupUpdate};
use ferrodesk_domain::{Group, GroupId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_group, list_groups))
        .routes(routes!(get_group, update_group))
}

/// A support group.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupResponse {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// The tier it serves (1-3).
    pub tier: i64,
    /// What it is for.
    pub description: String,
    /// Where its tickets escalate to.
    pub escalates_to: Option<i64>,
    /// Created.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

fn group_response(group: Group) -> GroupResponse {
    GroupResponse {
        id: group.id.get(),
        name: group.name,
        tier: group.tier.get(),
        description: group.description,
        escalates_to: group.escalates_to.map(GroupId::get),
        created_at: group.created_at,
        updated_at: group.updated_at,
    }
}

/// A group to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateGroupRequest {
    /// Unique name.
    pub name: String,
    /// The tier it serves (1-3).
    pub tier: i64,
    /// What it is for.
    pub description: Option<String>,
    /// Where its tickets escalate to.
    pub escalates_to: Option<i64>,
}

/// Creates a group (admins).
#[utoipa::path(
    post,
    path = "/api/v1/groups",
    tag = "directory",
    request_body = CreateGroupRequest,
    responses(
        (status = 201, description = "the new group", body = GroupResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 404, description = "unknown escalation target", body = ErrorBody),
        (status = 409, description = "name taken", body = ErrorBody),
        (status = 422, description = "invalid field", body = ErrorBody),
    )
)]
async fn create_group(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(r): ApiJson<CreateGroupRequest>,
) -> Result<Response, ApiError> {
    let input = GroupInput {
        name: r.name,
        tier: r.tier,
        description: r.description,
        escalates_to: r.escalates_to.map(GroupId),
    };
    let group = state
        .app
        .directory()
        .create_group(&auth.actor, input)
        .await?;
    let location = format!("/api/v1/groups/{}", group.id);
    Ok(created(group_response(group), &location, false))
}

/// Every group.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupsResponse {
    /// Groups by tier, then name.
    pub items: Vec<GroupResponse>,
}

/// Lists every group (staff).
#[utoipa::path(
    get,
    path = "/api/v1/groups",
    tag = "directory",
    responses(
        (status = 200, description = "the groups", body = GroupsResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "staff only", body = ErrorBody),
    )
)]
async fn list_groups(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<GroupsResponse>, ApiError> {
    let groups = state.app.directory().list_groups(&auth.actor).await?;
    Ok(Json(GroupsResponse {
        items: groups.into_iter().map(group_response).collect(),
    }))
}

/// Reads a group (staff).
#[utoipa::path(
    get,
    path = "/api/v1/groups/{id}",
    tag = "directory",
    params(("id" = i64, Path, description = "group id")),
    responses(
        (status = 200, description = "the group", body = GroupResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "staff only", body = ErrorBody),
        (status = 404, description = "no such group", body = ErrorBody),
    )
)]
async fn get_group(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<GroupResponse>, ApiError> {
    let group = state
        .app
        .directory()
        .get_group(&auth.actor, GroupId(id))
        .await?;
    Ok(Json(group_response(group)))
}

/// Changes to a group.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateGroupRequest {
    /// New name.
    pub name: Option<String>,
    /// New tier.
    pub tier: Option<i64>,
    /// New description.
    pub description: Option<String>,
    /// New escalation target, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub escalates_to: Option<Option<i64>>,
}

/// Changes a group (admins).
#[utoipa::path(
    patch,
    path = "/api/v1/groups/{id}",
    tag = "directory",
    params(("id" = i64, Path, description = "group id")),
    request_body = UpdateGroupRequest,
    responses(
        (status = 200, description = "the changed group", body = GroupResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 404, description = "no such group", body = ErrorBody),
        (status = 409, description = "name taken", body = ErrorBody),
        (status = 422, description = "invalid field", body = ErrorBody),
    )
)]
async fn update_group(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<UpdateGroupRequest>,
) -> Result<Json<GroupResponse>, ApiError> {
    let input = GroupUpdate {
        name: r.name,
        tier: r.tier,
        description: r.description,
        escalates_to: r.escalates_to.map(|g| g.map(GroupId)),
    };
    let group = state
        .app
        .directory()
        .update_group(&auth.actor, GroupId(id), input)
        .await?;
    Ok(Json(group_response(group)))
}
