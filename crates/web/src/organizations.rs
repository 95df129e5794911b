//! `/api/v1/organizations`: customer organizations. Admins write; staff read;
//! customers read their own.

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authenticated};
use crate::tickets::created;
use crate::types::{PageResponse, page_request};
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use ferrodesk_app::{OrganizationInput, OrganizationUpdate};
use ferrodesk_domain::{Organization, OrganizationId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_organization, list_organizations))
        .routes(routes!(get_organization, update_organization))
}

/// A customer organization.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationResponse {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Whether members see each other's tickets.
    pub shares_tickets: bool,
    /// Created.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

fn organization_response(org: Organization) -> OrganizationResponse {
    OrganizationResponse {
        id: org.id.get(),
        name: org.name,
        shares_tickets: org.shares_tickets,
        created_at: org.created_at,
        updated_at: org.updated_at,
    }
}

/// An organization to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrganizationRequest {
    /// Unique name.
    pub name: String,
    /// Whether members see each other's tickets (default no).
    #[serde(default)]
    pub shares_tickets: bool,
}

/// Creates an organization (admins).
#[utoipa::path(
    post,
    path = "/api/v1/organizations",
    tag = "directory",
    request_body = CreateOrganizationRequest,
    responses(
        (status = 201, description = "the new organization", body = OrganizationResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 409, description = "name taken", body = ErrorBody),
        (status = 422, description = "invalid field", body = ErrorBody),
    )
)]
async fn create_organization(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(r): ApiJson<CreateOrganizationRequest>,
) -> Result<Response, ApiError> {
    let org = state
        .app
        .directory()
        .create_organization(
            &auth.actor,
            OrganizationInput {
                name: r.name,
                shares_tickets: r.shares_tickets,
            },
        )
        .await?;
    let location = format!("/api/v1/organizations/{}", org.id);
    Ok(created(organization_response(org), &location, false))
}

/// A page request.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1-200.
    pub limit: Option<i64>,
}

/// Lists organizations by name (staff).
#[utoipa::path(
    get,
    path = "/api/v1/organizations",
    tag = "directory",
    params(PageQuery),
    responses(
        (status = 200, description = "a page of organizations", body = PageResponse<OrganizationResponse>),
        (status = 400, description = "a query parameter is wrong", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "staff only", body = ErrorBody),
    )
)]
async fn list_organizations(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<PageResponse<OrganizationResponse>>, ApiError> {
    let page = page_request(q.cursor.as_deref(), q.limit)?;
    let orgs = state
        .app
        .directory()
        .list_organizations(&auth.actor, &page)
        .await?;
    Ok(Json(PageResponse::from_page(orgs, organization_response)))
}

/// Reads an organization (staff, or a member).
#[utoipa::path(
    get,
    path = "/api/v1/organizations/{id}",
    tag = "directory",
    params(("id" = i64, Path, description = "organization id")),
    responses(
        (status = 200, description = "the organization", body = OrganizationResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 404, description = "no such organization", body = ErrorBody),
    )
)]
async fn get_organization(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<OrganizationResponse>, ApiError> {
    let org = state
        .app
        .directory()
        .get_organization(&auth.actor, OrganizationId(id))
        .await?;
    Ok(Json(organization_response(org)))
}

/// Changes to an organization.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOrganizationRequest {
    /// New name.
    pub name: Option<String>,
    /// New sharing setting.
    pub shares_tickets: Option<bool>,
}

/// Changes an organization (admins).
#[utoipa::path(
    patch,
    path = "/api/v1/organizations/{id}",
    tag = "directory",
    params(("id" = i64, Path, description = "organization id")),
    request_body = UpdateOrganizationRequest,
    responses(
        (status = 200, description = "the changed organization", body = OrganizationResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 404, description = "no such organization", body = ErrorBody),
        (status = 409, description = "name taken", body = ErrorBody),
        (status = 422, description = "invalid field", body = ErrorBody),
    )
)]
async fn update_organization(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<UpdateOrganizationRequest>,
) -> Result<Json<OrganizationResponse>, ApiError> {
    let org = state
        .app
        .directory()
        .update_organization(
            &auth.actor,
            OrganizationId(id),
            OrganizationUpdate {
                name: r.name,
                shares_tickets: r.shares_tickets,
            },
        )
        .await?;
    Ok(Json(organization_response(org)))
}
