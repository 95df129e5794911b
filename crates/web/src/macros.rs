//! `/api/v1/macros`: canned responses (staff). Everyone lists the macros they may use
//! and manages their own; supervisors and admins manage the shared ones.
//! `/api/v1/tickets/{id}/macros/{macro_id}` applies one to a ticket in one write (the
//! filled-in reply or note and the macro's actions), and `.../preview` shows the reply
//! filled in without writing.

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::events::{EventResponse, event_response};
use crate::extract::{ApiJson, ApiPath, Authenticated, ticket_number};
use crate::tickets::{TicketResponse, created, ticket_response};
use crate::types::{Priority, Status};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ferrodesk_app::{MacroInput, MacroPatch};
use ferrodesk_domain::{GroupId, Macro, MacroActions, MacroId, MacroScope, UserId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_macros, create_macro))
        .routes(routes!(get_macro, update_macro, delete_macro))
        .routes(routes!(apply_macro))
        .routes(routes!(preview_macro))
}

/// The changes a macro makes with its reply; absent ones change nothing.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MacroActionsBody {
    /// Move the ticket to this status.
    pub status: Option<Status>,
    /// Override the priority.
    pub priority: Option<Priority>,
    /// Move the ticket to this group.
    pub group_id: Option<i64>,
    /// Assign the ticket to this agent.
    pub assignee_id: Option<i64>,
    /// Tags to add.
    #[serde(default)]
    pub add_tags: Vec<String>,
    /// Tags to remove.
    #[serde(default)]
    pub remove_tags: Vec<String>,
}

impl From<MacroActionsBody> for MacroActions {
    fn from(a: MacroActionsBody) -> Self {
        MacroActions {
            status: a.status.map(Into::into),
            priority: a.priority.map(Into::into),
            group_id: a.group_id.map(GroupId),
            assignee_id: a.assignee_id.map(UserId),
            add_tags: a.add_tags,
            remove_tags: a.remove_tags,
        }
    }
}

impl From<MacroActions> for MacroActionsBody {
    fn from(a: MacroActions) -> Self {
        MacroActionsBody {
            status: a.status.map(Into::into),
            priority: a.priority.map(Into::into),
            group_id: a.group_id.map(GroupId::get),
            assignee_id: a.assignee_id.map(UserId::get),
            add_tags: a.add_tags,
            remove_tags: a.remove_tags,
        }
    }
}

/// A canned response.
#[derive(Debug, Serialize, ToSchema)]
pub struct MacroResponse {
    /// Id.
    pub id: i64,
    /// The name people pick it by.
    pub name: String,
    /// The reply with placeholders: `{{requester.name}}`, `{{ticket.number}}`,
    /// `{{agent.name}}`, `{{portal.link}}`.
    pub body: String,
    /// Added as an internal note instead of a public reply.
    pub internal: bool,
    /// The changes made with it.
    pub actions: MacroActionsBody,
    /// Shared (supervisors and admins edit it) or personal.
    pub shared: bool,
    /// The owner of a personal macro.
    pub owner_id: Option<i64>,
    /// The groups a shared macro is shared with; empty is the whole desk.
    pub group_ids: Vec<i64>,
    /// Created.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

fn macro_response(found: Macro) -> MacroResponse {
    let fields = found.fields;
    let (shared, owner_id, group_ids) = match fields.scope {
        MacroScope::Personal { owner_id } => (false, Some(owner_id.get()), Vec::new()),
        MacroScope::Shared { group_ids } => (
            true,
            None,
            group_ids.into_iter().map(GroupId::get).collect(),
        ),
    };
    MacroResponse {
        id: found.id.get(),
        name: fields.name,
        body: fields.body,
        internal: fields.internal,
        actions: fields.actions.into(),
        shared,
        owner_id,
        group_ids,
        created_at: found.created_at,
        updated_at: found.updated_at,
    }
}

/// A macro to save.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateMacroRequest {
    /// Name.
    pub name: String,
    /// The reply with placeholders (an unknown placeholder is refused).
    pub body: String,
    /// Added as an internal note instead of a public reply.
    #[serde(default)]
    pub internal: bool,
    /// The changes made with it.
    #[serde(default)]
    pub actions: MacroActionsBody,
    /// Shared (supervisors and admins) instead of personal.
    #[serde(default)]
    pub shared: bool,
    /// The groups a shared macro is shared with; empty is the whole desk.
    #[serde(default)]
    pub group_ids: Vec<i64>,
}

/// The macros the caller may use, by name (staff).
#[utoipa::path(
    get,
    path = "/api/v1/macros",
    tag = "macros",
    responses(
        (status = 200, description = "the macros the caller may use", body = Vec<MacroResponse>),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "staff only", body = ErrorBody),
    )
)]
async fn list_macros(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<Vec<MacroResponse>>, ApiError> {
    let list = state.app.macros().list(&auth.actor).await?;
    Ok(Json(list.into_iter().map(macro_response).collect()))
}

/// Saves a macro: personal, or shared (supervisors and admins).
#[utoipa::path(
    post,
    path = "/api/v1/macros",
    tag = "macros",
    request_body = CreateMacroRequest,
    responses(
        (status = 201, description = "the new macro", body = MacroResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "staff only; only supervisors and admins share", body = ErrorBody),
        (status = 404, description = "an unknown group or assignee", body = ErrorBody),
        (status = 422, description = "missing name or body, unknown placeholder, bad tag or unknown field", body = ErrorBody),
    )
)]
async fn create_macro(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(r): ApiJson<CreateMacroRequest>,
) -> Result<Response, ApiError> {
    let saved = state
        .app
        .macros()
        .create(
            &auth.actor,
            MacroInput {
                name: r.name,
                body: r.body,
                internal: r.internal,
                actions: r.actions.into(),
                shared: r.shared,
                group_ids: r.group_ids.into_iter().map(GroupId).collect(),
            },
        )
        .await?;
    let location = format!("/api/v1/macros/{}", saved.id);
    Ok(created(macro_response(saved), &location, false))
}

/// Reads a macro the caller may use (staff).
#[utoipa::path(
    get,
    path = "/api/v1/macros/{id}",
    tag = "macros",
    params(("id" = i64, Path, description = "macro id")),
    responses(
        (status = 200, description = "the macro", body = MacroResponse),
        (status = 400, description = "the id is not a number", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "staff only", body = ErrorBody),
        (status = 404, description = "no such macro, or not one the caller may use", body = ErrorBody),
    )
)]
async fn get_macro(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<MacroResponse>, ApiError> {
    let found = state.app.macros().get(&auth.actor, MacroId(id)).await?;
    Ok(Json(macro_response(found)))
}

/// Changes to a macro; absent fields stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMacroRequest {
    /// New name.
    pub name: Option<String>,
    /// New body.
    pub body: Option<String>,
    /// Note instead of reply.
    pub internal: Option<bool>,
    /// New actions (replacing all of them).
    pub actions: Option<MacroActionsBody>,
    /// Shared or personal.
    pub shared: Option<bool>,
    /// New groups of a shared macro.
    pub group_ids: Option<Vec<i64>>,
}

/// Changes a macro: one's own, or a shared one (supervisors and admins).
#[utoipa::path(
    patch,
    path = "/api/v1/macros/{id}",
    tag = "macros",
    params(("id" = i64, Path, description = "macro id")),
    request_body = UpdateMacroRequest,
    responses(
        (status = 200, description = "the changed macro", body = MacroResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "a shared macro, and the caller is no supervisor or admin", body = ErrorBody),
        (status = 404, description = "no such macro, or not one the caller may use", body = ErrorBody),
        (status = 422, description = "invalid field", body = ErrorBody),
    )
)]
async fn update_macro(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<UpdateMacroRequest>,
) -> Result<Json<MacroResponse>, ApiError> {
    let patch = MacroPatch {
        name: r.name,
        body: r.body,
        internal: r.internal,
        actions: r.actions.map(Into::into),
        shared: r.shared,
        group_ids: r
            .group_ids
            .map(|groups| groups.into_iter().map(GroupId).collect()),
    };
    let saved = state
        .app
        .macros()
        .update(&auth.actor, MacroId(id), patch)
        .await?;
    Ok(Json(macro_response(saved)))
}

/// Deletes a macro: one's own, or a shared one (supervisors and admins).
#[utoipa::path(
    delete,
    path = "/api/v1/macros/{id}",
    tag = "macros",
    params(("id" = i64, Path, description = "macro id")),
    responses(
        (status = 204, description = "deleted"),
        (status = 400, description = "the id is not a number", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "a shared macro, and the caller is no supervisor or admin", body = ErrorBody),
        (status = 404, description = "no such macro, or not one the caller may use", body = ErrorBody),
    )
)]
async fn delete_macro(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    state.app.macros().delete(&auth.actor, MacroId(id)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A macro applied: the ticket after the write and the events written.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppliedMacroResponse {
    /// The ticket now.
    pub ticket: TicketResponse,
    /// The reply or note and the changes, in timeline order.
    pub events: Vec<EventResponse>,
}

/// Applies a macro to a ticket in one write: its filled-in body as a public reply (or
/// an internal note) and its actions. A change the ticket refuses (a status move the
/// status machine does not allow) writes nothing.
#[utoipa::path(
    post,
    path = "/api/v1/tickets/{id}/macros/{macro_id}",
    tag = "macros",
    params(
        ("id" = String, Path, description = "ticket number"),
        ("macro_id" = i64, Path, description = "macro id"),
    ),
    responses(
        (status = 201, description = "the ticket and the events written", body = AppliedMacroResponse),
        (status = 400, description = "a malformed ticket number or macro id", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "staff only, or a ticket the caller may not work", body = ErrorBody),
        (status = 404, description = "no such ticket or macro, or one the caller may not use", body = ErrorBody),
        (status = 409, description = "the status move is not allowed, or the ticket changed meanwhile", body = ErrorBody),
        (status = 422, description = "a change the ticket refuses", body = ErrorBody),
    )
)]
async fn apply_macro(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath((ticket, id)): ApiPath<(String, i64)>,
) -> Result<Response, ApiError> {
    let ticket = ticket_number(&ticket)?;
    let applied = state
        .app
        .macros()
        .apply(&auth.actor, ticket, MacroId(id), None)
        .await?
        .into_inner();
    let ticket_id = applied.ticket.id;
    let body = AppliedMacroResponse {
        ticket: crate::sla::with_sla(
            &state,
            &auth.actor,
            ticket_response(applied.ticket, auth.actor.is_staff()),
        )
        .await?,
        events: applied.events.into_iter().map(event_response).collect(),
    };
    let location = format!("/api/v1/tickets/{}/events", ticket_id.get());
    Ok(created(body, &location, false))
}

/// A macro's body filled in for a ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct MacroPreviewResponse {
    /// The macro.
    pub macro_id: i64,
    /// Its name.
    pub name: String,
    /// The body with the placeholders filled in.
    pub body: String,
    /// Whether it is added as an internal note.
    pub internal: bool,
    /// The changes applying it makes.
    pub actions: MacroActionsBody,
}

/// Shows a macro's body filled in for a ticket, without writing anything.
#[utoipa::path(
    get,
    path = "/api/v1/tickets/{id}/macros/{macro_id}/preview",
    tag = "macros",
    params(
        ("id" = String, Path, description = "ticket number"),
        ("macro_id" = i64, Path, description = "macro id"),
    ),
    responses(
        (status = 200, description = "the filled-in body", body = MacroPreviewResponse),
        (status = 400, description = "a malformed ticket number or macro id", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "staff only, or a ticket the caller may not work", body = ErrorBody),
        (status = 404, description = "no such ticket or macro, or one the caller may not use", body = ErrorBody),
    )
)]
async fn preview_macro(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath((ticket, id)): ApiPath<(String, i64)>,
) -> Result<Json<MacroPreviewResponse>, ApiError> {
    let ticket = ticket_number(&ticket)?;
    let (found, body) = state
        .app
        .macros()
        .preview(&auth.actor, ticket, MacroId(id))
        .await?;
    Ok(Json(MacroPreviewResponse {
        macro_id: found.id.get(),
        name: found.fields.name,
        body,
        internal: found.fields.internal,
        actions: found.fields.actions.into(),
    }))
}
