//! `/api/v1/ticket-templates`: prefilled forms for recurring requests. Staff read the
//! active ones meant for staff, customers the active ones meant for customers, admins
//! every one; admins create, change and delete them. A template creates no ticket:
//! a client fills `POST /api/v1/tickets` from it.

use crate::AppState;
use crate::custom_fields::field_inputs;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, Authenticated};
use crate::tickets::created;
use crate::types::{Priority, TicketKind, nullable};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use ferrodesk_app::{AppError, TemplateInput, TemplatePatch};
use ferrodesk_domain::{
    CategoryId, TemplateAudience, TicketTemplate, TicketTemplateId, TicketType,
};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_templates, create_template))
        .routes(routes!(get_template, update_template, delete_template))
}

/// A ticket template.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketTemplateResponse {
    /// Id.
    pub id: i64,
    /// Name in the picker.
    pub name: String,
    /// One line under the name.
    pub description: String,
    /// The subject a ticket starts with.
    pub subject: String,
    /// The description a ticket starts with: a Markdown outline.
    pub body: String,
    /// The category a ticket starts in.
    pub category_id: Option<i64>,
    /// The type a ticket starts with.
    pub ticket_type: Option<TicketKind>,
    /// The priority a ticket starts with.
    pub priority: Option<Priority>,
    /// Custom field values by key, as the field stores them (a multiple choice one
    /// option per line).
    pub custom_fields: BTreeMap<String, String>,
    /// Who starts tickets from it: `staff`, `customers` or `both`.
    pub audience: String,
    /// Offered in the forms.
    pub active: bool,
    /// Order among the templates.
    pub position: i64,
    /// Created.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

fn template_response(template: TicketTemplate) -> TicketTemplateResponse {
    let spec = template.spec;
    TicketTemplateResponse {
        id: template.id.get(),
        name: spec.name,
        description: spec.description,
        subject: spec.subject,
        body: spec.body,
        category_id: spec.category_id.map(CategoryId::get),
        ticket_type: spec.ticket_type.map(Into::into),
        priority: spec.priority.map(Into::into),
        custom_fields: spec.custom_values,
        audience: spec.audience.as_str().to_owned(),
        active: spec.active,
        position: spec.position,
        created_at: template.created_at,
        updated_at: template.updated_at,
    }
}

/// A template to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTicketTemplateRequest {
    /// Name in the picker, 1 to 80 characters.
    pub name: String,
    /// One line under the name.
    #[serde(default)]
    pub description: String,
    /// The subject a ticket starts with.
    #[serde(default)]
    pub subject: String,
    /// The description a ticket starts with (Markdown).
    #[serde(default)]
    pub body: String,
    /// A category id.
    pub category_id: Option<i64>,
    /// `incident`, `service_request`, `question`, `complaint` or `problem`.
    pub ticket_type: Option<String>,
    /// `p1` to `p4`.
    pub priority: Option<String>,
    /// Custom field values by key, as on a ticket; a required field may be left out.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub custom_fields: BTreeMap<String, Value>,
    /// `staff`, `customers` or `both` (default).
    pub audience: Option<String>,
    /// Offered in the forms (default true).
    pub active: Option<bool>,
    /// Order among the templates (default: last).
    pub position: Option<i64>,
}

/// Changes to a template; absent parts stay, `null` clears an optional one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTicketTemplateRequest {
    /// New name.
    pub name: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New subject.
    pub subject: Option<String>,
    /// New outline.
    pub body: Option<String>,
    /// New category id, or `null` for none.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub category_id: Option<Option<i64>>,
    /// New type, or `null` for none.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub ticket_type: Option<Option<String>>,
    /// New priority, or `null` for none.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub priority: Option<Option<String>>,
    /// New custom field values (they replace the old ones).
    #[schema(value_type = Option<Object>)]
    pub custom_fields: Option<BTreeMap<String, Value>>,
    /// New audience.
    pub audience: Option<String>,
    /// Offered or not.
    pub active: Option<bool>,
    /// New position.
    pub position: Option<i64>,
}

fn ticket_type(text: Option<String>) -> Result<Option<TicketType>, ApiError> {
    text.map(|t| TicketType::parse(&t).map_err(|e| AppError::invalid("ticket_type", e.message)))
        .transpose()
        .map_err(Into::into)
}

fn priority(text: Option<String>) -> Result<Option<ferrodesk_domain::Priority>, ApiError> {
    text.map(|p| {
        ferrodesk_domain::Priority::parse(&p).map_err(|e| AppError::invalid("priority", e.message))
    })
    .transpose()
    .map_err(Into::into)
}

fn audience(text: Option<String>) -> Result<Option<TemplateAudience>, ApiError> {
    text.map(|a| TemplateAudience::parse(&a).map_err(|e| AppError::invalid("audience", e.message)))
        .transpose()
        .map_err(Into::into)
}

/// The templates the caller may read, by position: admins every one, staff the
/// active ones for staff, customers the active ones for customers.
#[utoipa::path(
    get,
    path = "/api/v1/ticket-templates",
    tag = "ticket-templates",
    responses(
        (status = 200, description = "the templates", body = Vec<TicketTemplateResponse>),
        (status = 401, description = "not signed in", body = ErrorBody),
    )
)]
async fn list_templates(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<Vec<TicketTemplateResponse>>, ApiError> {
    let templates = state.app.ticket_templates().list(&auth.actor).await?;
    Ok(Json(templates.into_iter().map(template_response).collect()))
}

/// One template the caller may read.
#[utoipa::path(
    get,
    path = "/api/v1/ticket-templates/{id}",
    tag = "ticket-templates",
    params(("id" = i64, Path, description = "template id")),
    responses(
        (status = 200, description = "the template", body = TicketTemplateResponse),
        (status = 400, description = "the id is not a number", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 404, description = "no such template, or not one for the caller", body = ErrorBody),
    )
)]
async fn get_template(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<TicketTemplateResponse>, ApiError> {
    let template = state
        .app
        .ticket_templates()
        .get(&auth.actor, TicketTemplateId(id))
        .await?;
    Ok(Json(template_response(template)))
}

/// Creates a template (admins).
#[utoipa::path(
    post,
    path = "/api/v1/ticket-templates",
    tag = "ticket-templates",
    request_body = CreateTicketTemplateRequest,
    responses(
        (status = 201, description = "the new template", body = TicketTemplateResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 422, description = "a bad name, text, type, priority or audience, an unknown category or custom field, or a bad value; `field` names it", body = ErrorBody),
    )
)]
async fn create_template(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(r): ApiJson<CreateTicketTemplateRequest>,
) -> Result<axum::response::Response, ApiError> {
    let input = TemplateInput {
        name: r.name,
        description: r.description,
        subject: r.subject,
        body: r.body,
        category_id: r.category_id.map(CategoryId),
        ticket_type: ticket_type(r.ticket_type)?,
        priority: priority(r.priority)?,
        custom_fields: field_inputs(r.custom_fields)?,
        audience: audience(r.audience)?.unwrap_or(TemplateAudience::Both),
        active: r.active.unwrap_or(true),
        position: r.position,
    };
    let saved = state
        .app
        .ticket_templates()
        .create(&auth.actor, input)
        .await?;
    let location = format!("/api/v1/ticket-templates/{}", saved.id);
    Ok(created(template_response(saved), &location, false))
}

/// Changes a template (admins).
#[utoipa::path(
    patch,
    path = "/api/v1/ticket-templates/{id}",
    tag = "ticket-templates",
    params(("id" = i64, Path, description = "template id")),
    request_body = UpdateTicketTemplateRequest,
    responses(
        (status = 200, description = "the changed template", body = TicketTemplateResponse),
        (status = 400, description = "malformed JSON or id", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 404, description = "no such template", body = ErrorBody),
        (status = 422, description = "a bad name, text, type, priority or audience, an unknown category or custom field, or a bad value; `field` names it", body = ErrorBody),
    )
)]
async fn update_template(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<UpdateTicketTemplateRequest>,
) -> Result<Json<TicketTemplateResponse>, ApiError> {
    let patch = TemplatePatch {
        name: r.name,
        description: r.description,
        subject: r.subject,
        body: r.body,
        category_id: r.category_id.map(|c| c.map(CategoryId)),
        ticket_type: r.ticket_type.map(ticket_type).transpose()?,
        priority: r.priority.map(priority).transpose()?,
        custom_fields: r.custom_fields.map(field_inputs).transpose()?,
        audience: audience(r.audience)?,
        active: r.active,
        position: r.position,
    };
    let saved = state
        .app
        .ticket_templates()
        .update(&auth.actor, TicketTemplateId(id), patch)
        .await?;
    Ok(Json(template_response(saved)))
}

/// Deletes a template (admins). Tickets started from it are not touched.
#[utoipa::path(
    delete,
    path = "/api/v1/ticket-templates/{id}",
    tag = "ticket-templates",
    params(("id" = i64, Path, description = "template id")),
    responses(
        (status = 204, description = "deleted"),
        (status = 400, description = "the id is not a number", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 404, description = "no such template", body = ErrorBody),
    )
)]
async fn delete_template(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .ticket_templates()
        .delete(&auth.actor, TicketTemplateId(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
