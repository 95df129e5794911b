//! `/api/v1/services`: the products and services the desk supports. Admins write;
//! everyone signed in reads (customers pick one when reporting).

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, Authenticated};
use crate::tickets::created;
use crate::types::nullable;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use ferrodesk_app::{ServiceInput, ServiceUpdate};
use ferrodesk_domain::{GroupId, Service, ServiceId};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_service, list_services))
        .routes(routes!(get_service, update_service))
}

/// A product or service the desk supports.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceResponse {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// What it is.
    pub description: String,
    /// The group that owns its support.
    pub owner_group_id: Option<i64>,
    /// Support hours as people read them.
    pub support_hours: String,
    /// Whether the desk still supports it.
    pub is_supported: bool,
    /// When support ends (`YYYY-MM-DD`).
    #[schema(value_type = Option<String>, format = Date)]
    pub end_of_support: Option<Date>,
    /// Created.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

fn service_response(service: Service) -> ServiceResponse {
    ServiceResponse {
        id: service.id.get(),
        name: service.name,
        description: service.description,
        owner_group_id: service.owner_group_id.map(GroupId::get),
        support_hours: service.support_hours,
        is_supported: service.is_supported,
        end_of_support: service.end_of_support,
        created_at: service.created_at,
        updated_at: service.updated_at,
    }
}

/// A service to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateServiceRequest {
    /// Unique name.
    pub name: String,
    /// What it is.
    pub description: Option<String>,
    /// The group that owns its support.
    pub owner_group_id: Option<i64>,
    /// Support hours (default `24/7`).
    pub support_hours: Option<String>,
    /// Whether supported (default yes).
    pub is_supported: Option<bool>,
    /// When support ends (`YYYY-MM-DD`).
    #[schema(value_type = Option<String>, format = Date)]
    pub end_of_support: Option<Date>,
}

/// Creates a service (admins).
#[utoipa::path(
    post,
    path = "/api/v1/services",
    tag = "directory",
    request_body = CreateServiceRequest,
    responses(
        (status = 201, description = "the new service", body = ServiceResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 404, description = "unknown owner group", body = ErrorBody),
        (status = 409, description = "name taken", body = ErrorBody),
        (status = 422, description = "invalid field", body = ErrorBody),
    )
)]
async fn create_service(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(r): ApiJson<CreateServiceRequest>,
) -> Result<Response, ApiError> {
    let input = ServiceInput {
        name: r.name,
        description: r.description,
        owner_group_id: r.owner_group_id.map(GroupId),
        support_hours: r.support_hours,
        is_supported: r.is_supported,
        end_of_support: r.end_of_support,
    };
    let service = state
        .app
        .directory()
        .create_service(&auth.actor, input)
        .await?;
    let location = format!("/api/v1/services/{}", service.id);
    Ok(created(service_response(service), &location, false))
}

/// Every service.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServicesResponse {
    /// Services by name.
    pub items: Vec<ServiceResponse>,
}

/// Lists every service.
#[utoipa::path(
    get,
    path = "/api/v1/services",
    tag = "directory",
    responses(
        (status = 200, description = "the services", body = ServicesResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
    )
)]
async fn list_services(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<ServicesResponse>, ApiError> {
    let services = state.app.directory().list_services(&auth.actor).await?;
    Ok(Json(ServicesResponse {
        items: services.into_iter().map(service_response).collect(),
    }))
}

/// Reads a service.
#[utoipa::path(
    get,
    path = "/api/v1/services/{id}",
    tag = "directory",
    params(("id" = i64, Path, description = "service id")),
    responses(
        (status = 200, description = "the service", body = ServiceResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 404, description = "no such service", body = ErrorBody),
    )
)]
async fn get_service(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ServiceResponse>, ApiError> {
    let service = state
        .app
        .directory()
        .get_service(&auth.actor, ServiceId(id))
        .await?;
    Ok(Json(service_response(service)))
}

/// Changes to a service: absent fields stay, `null` clears.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateServiceRequest {
    /// New name.
    pub name: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New owner group, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub owner_group_id: Option<Option<i64>>,
    /// New support hours.
    pub support_hours: Option<String>,
    /// New support status.
    pub is_supported: Option<bool>,
    /// New end of support, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, format = Date)]
    pub end_of_support: Option<Option<Date>>,
}

/// Changes a service (admins).
#[utoipa::path(
    patch,
    path = "/api/v1/services/{id}",
    tag = "directory",
    params(("id" = i64, Path, description = "service id")),
    request_body = UpdateServiceRequest,
    responses(
        (status = 200, description = "the changed service", body = ServiceResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 404, description = "no such service or group", body = ErrorBody),
        (status = 409, description = "name taken", body = ErrorBody),
        (status = 422, description = "invalid field", body = ErrorBody),
    )
)]
async fn update_service(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<UpdateServiceRequest>,
) -> Result<Json<ServiceResponse>, ApiError> {
    let input = ServiceUpdate {
        name: r.name,
        description: r.description,
        owner_group_id: r.owner_group_id.map(|g| g.map(GroupId)),
        support_hours: r.support_hours,
        is_supported: r.is_supported,
        end_of_support: r.end_of_support,
    };
    let service = state
        .app
        .directory()
        .update_service(&auth.actor, ServiceId(id), input)
        .await?;
    Ok(Json(service_response(service)))
}
