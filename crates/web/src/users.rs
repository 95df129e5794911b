//! `/api/v1/users`: people. Staff read the directory; admins create and change anyone
//! (role changes and deactivation are audited); agents and supervisors create
//! customers and correct their details; customers see only themselves.

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authenticated};
use crate::tickets::created;
use crate::types::{PageResponse, Role, nullable, page_request};
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use ferrodesk_app::{CreateUserInput, UpdateUserInput, UserFilter};
use ferrodesk_domain::{GroupId, OrganizationId, User, UserId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_user, list_users))
        .routes(routes!(me))
        .routes(routes!(get_user, update_user))
}

/// A person.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserResponse {
    /// Id.
    pub id: i64,
    /// Sign-in and notification address.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// A customer's organization.
    pub organization_id: Option<i64>,
    /// Phone.
    pub phone: Option<String>,
    /// Where the person sits.
    pub location: Option<String>,
    /// Employee number.
    pub employee_id: Option<String>,
    /// Language tag.
    pub locale: String,
    /// IANA time zone.
    pub time_zone: String,
    /// Staff tier (1-3).
    pub tier: Option<i64>,
    /// Staff groups.
    pub group_ids: Vec<i64>,
    /// Whether the person may sign in.
    pub is_active: bool,
    /// Created.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

pub(crate) fn user_response(user: User) -> UserResponse {
    UserResponse {
        id: user.id.get(),
        email: user.email.to_string(),
        name: user.name,
        role: user.role.into(),
        organization_id: user.organization_id.map(OrganizationId::get),
        phone: user.phone,
        location: user.location,
        employee_id: user.employee_id,
        locale: user.locale,
        time_zone: user.time_zone,
        tier: user.tier.map(|t| t.get()),
        group_ids: user.group_ids.into_iter().map(GroupId::get).collect(),
        is_active: user.is_active,
        created_at: user.created_at,
        updated_at: user.updated_at,
    }
}

/// A person to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    /// Email address.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role (default `customer`; only admins create staff).
    pub role: Option<Role>,
    /// A customer's organization.
    pub organization_id: Option<i64>,
    /// Phone.
    pub phone: Option<String>,
    /// Location.
    pub location: Option<String>,
    /// Employee number.
    pub employee_id: Option<String>,
    /// Language tag (default `en`).
    pub locale: Option<String>,
    /// IANA time zone (default `UTC`).
    pub time_zone: Option<String>,
    /// Staff tier (default 1).
    pub tier: Option<i64>,
    /// Staff groups.
    #[serde(default)]
    pub group_ids: Vec<i64>,
    /// Initial password (admins only; at least 10 characters).
    pub password: Option<String>,
}

/// Creates a person.
#[utoipa::path(
    post,
    path = "/api/v1/users",
    tag = "users",
    request_body = CreateUserRequest,
    responses(
        (status = 201, description = "the new person", body = UserResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "customers create no one; only admins create staff", body = ErrorBody),
        (status = 404, description = "unknown group or organization", body = ErrorBody),
        (status = 409, description = "email already in use", body = ErrorBody),
        (status = 422, description = "invalid field", body = ErrorBody),
    )
)]
async fn create_user(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(r): ApiJson<CreateUserRequest>,
) -> Result<Response, ApiError> {
    let input = CreateUserInput {
        email: r.email,
        name: r.name,
        role: r.role.map(Into::into),
        organization_id: r.organization_id.map(OrganizationId),
        phone: r.phone,
        location: r.location,
        employee_id: r.employee_id,
        locale: r.locale,
        time_zone: r.time_zone,
        tier: r.tier,
        group_ids: r.group_ids.into_iter().map(GroupId).collect(),
        password: r.password,
    };
    let user = state
        .app
        .directory()
        .create_user(&auth.actor, input)
        .await?;
    let location = format!("/api/v1/users/{}", user.id);
    Ok(created(user_response(user), &location, false))
}

/// Which people to list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListUsersQuery {
    /// Only this role.
    #[param(inline)]
    pub role: Option<Role>,
    /// Only this organization.
    pub organization_id: Option<i64>,
    /// Only members of this group.
    pub group_id: Option<i64>,
    /// Name or email contains this text.
    pub q: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1-200.
    pub limit: Option<i64>,
}

/// Lists people (staff); a customer's list holds only themselves.
#[utoipa::path(
    get,
    path = "/api/v1/users",
    tag = "users",
    params(ListUsersQuery),
    responses(
        (status = 200, description = "a page of people", body = PageResponse<UserResponse>),
        (status = 400, description = "a query parameter is wrong", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
    )
)]
async fn list_users(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiQuery(q): ApiQuery<ListUsersQuery>,
) -> Result<Json<PageResponse<UserResponse>>, ApiError> {
    let filter = UserFilter {
        role: q.role.map(Into::into),
        organization_id: q.organization_id.map(OrganizationId),
        group_id: q.group_id.map(GroupId),
        text: q.q.filter(|t| !t.trim().is_empty()),
    };
    let page = page_request(q.cursor.as_deref(), q.limit)?;
    let users = state
        .app
        .directory()
        .list_users(&auth.actor, &filter, &page)
        .await?;
    Ok(Json(PageResponse::from_page(users, user_response)))
}

/// The signed-in person.
#[utoipa::path(
    get,
    path = "/api/v1/users/me",
    tag = "users",
    responses(
        (status = 200, description = "you", body = UserResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
    )
)]
async fn me(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<UserResponse>, ApiError> {
    let user = state
        .app
        .directory()
        .get_user(&auth.actor, auth.actor.user_id)
        .await?;
    Ok(Json(user_response(user)))
}

/// Reads a person; customers may read only themselves.
#[utoipa::path(
    get,
    path = "/api/v1/users/{id}",
    tag = "users",
    params(("id" = i64, Path, description = "user id")),
    responses(
        (status = 200, description = "the person", body = UserResponse),
        (status = 400, description = "not an id", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 404, description = "no such person, or not yours to see", body = ErrorBody),
    )
)]
async fn get_user(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<UserResponse>, ApiError> {
    let user = state
        .app
        .directory()
        .get_user(&auth.actor, UserId(id))
        .await?;
    Ok(Json(user_response(user)))
}

/// Changes to a person: absent fields stay, `null` clears.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    /// New email.
    pub email: Option<String>,
    /// New name.
    pub name: Option<String>,
    /// New role (admins; audited).
    pub role: Option<Role>,
    /// New organization, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub organization_id: Option<Option<i64>>,
    /// New phone, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    /// New location, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub location: Option<Option<String>>,
    /// New employee number, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub employee_id: Option<Option<String>>,
    /// New language tag.
    pub locale: Option<String>,
    /// New time zone.
    pub time_zone: Option<String>,
    /// New tier (admins).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub tier: Option<Option<i64>>,
    /// New groups, replacing the old ones (admins).
    pub group_ids: Option<Vec<i64>>,
    /// Enable or disable sign-in (admins; audited).
    pub is_active: Option<bool>,
    /// A new password (admins; audited).
    pub password: Option<String>,
}

/// Changes a person.
#[utoipa::path(
    patch,
    path = "/api/v1/users/{id}",
    tag = "users",
    params(("id" = i64, Path, description = "user id")),
    request_body = UpdateUserRequest,
    responses(
        (status = 200, description = "the changed person", body = UserResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "not yours to change", body = ErrorBody),
        (status = 404, description = "no such person", body = ErrorBody),
        (status = 409, description = "email already in use", body = ErrorBody),
        (status = 422, description = "invalid field", body = ErrorBody),
    )
)]
async fn update_user(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<UpdateUserRequest>,
) -> Result<Json<UserResponse>, ApiError> {
    let input = UpdateUserInput {
        email: r.email,
        name: r.name,
        role: r.role.map(Into::into),
        organization_id: r.organization_id.map(|o| o.map(OrganizationId)),
        phone: r.phone,
        location: r.location,
        employee_id: r.employee_id,
        locale: r.locale,
        time_zone: r.time_zone,
        tier: r.tier,
        group_ids: r.group_ids.map(|g| g.into_iter().map(GroupId).collect()),
        is_active: r.is_active,
        password: r.password,
    };
    let user = state
        .app
        .directory()
        .update_user(&auth.actor, UserId(id), input)
        .await?;
    Ok(Json(user_response(user)))
}
