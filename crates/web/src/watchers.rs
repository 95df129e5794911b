//! `/api/v1/tickets/{id}/watchers` and `/api/v1/me/watching`: who follows a ticket,
//! and the tickets the caller follows.

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, Authenticated, TicketPath, ticket_number};
use crate::tickets::{TicketResponse, ticket_response};
use axum::Json;
use axum::extract::State;
use ferrodesk_app::Watcher;
use ferrodesk_domain::{Channel, UserId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_watchers, add_watcher, remove_self))
        .routes(routes!(remove_watcher))
        .routes(routes!(watching))
}

/// Someone following a ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct WatcherResponse {
    /// The person.
    pub user_id: i64,
    /// Who added them.
    pub added_by: Option<i64>,
    /// Since when.
    pub created_at: Timestamp,
}

/// A ticket's watchers.
#[derive(Debug, Serialize, ToSchema)]
pub struct WatchersResponse {
    /// In the order they were added.
    pub items: Vec<WatcherResponse>,
}

fn watchers_response(watchers: Vec<Watcher>) -> Json<WatchersResponse> {
    Json(WatchersResponse {
        items: watchers
            .into_iter()
            .map(|w| WatcherResponse {
                user_id: w.user_id.get(),
                added_by: w.added_by.map(UserId::get),
                created_at: w.created_at,
            })
            .collect(),
    })
}

/// Lists the watchers of a ticket the caller may see.
#[utoipa::path(
    get,
    path = "/api/v1/tickets/{id}/watchers",
    tag = "tickets",
    params(("id" = String, Path, description = "ticket number")),
    responses(
        (status = 200, description = "the watchers", body = WatchersResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 404, description = "no such ticket", body = ErrorBody),
    )
)]
async fn list_watchers(
    State(state): State<AppState>,
    auth: Authenticated,
    TicketPath(id): TicketPath,
) -> Result<Json<WatchersResponse>, ApiError> {
    let watchers = state.app.watchers().list(&auth.actor, id).await?;
    Ok(watchers_response(watchers))
}

/// Whom to add.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddWatcherRequest {
    /// The person; the caller when absent. Adding someone else needs the right to work
    /// the ticket, and they must be able to see it.
    pub user_id: Option<i64>,
}

/// Starts watching a ticket (the caller, or someone the caller adds). Adding someone
/// who already watches changes nothing.
#[utoipa::path(
    post,
    path = "/api/v1/tickets/{id}/watchers",
    tag = "tickets",
    params(("id" = String, Path, description = "ticket number")),
    request_body = AddWatcherRequest,
    responses(
        (status = 200, description = "the watchers afterwards", body = WatchersResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "may not add others to this ticket", body = ErrorBody),
        (status = 404, description = "no such ticket or person", body = ErrorBody),
        (status = 422, description = "the person cannot see the ticket, or a wrong field", body = ErrorBody),
    )
)]
async fn add_watcher(
    State(state): State<AppState>,
    auth: Authenticated,
    TicketPath(id): TicketPath,
    ApiJson(r): ApiJson<AddWatcherRequest>,
) -> Result<Json<WatchersResponse>, ApiError> {
    let watchers = state
        .app
        .watchers()
        .add(&auth.actor, id, r.user_id.map(UserId), Channel::Api)
        .await?;
    Ok(watchers_response(watchers))
}

/// Stops watching a ticket (the caller).
#[utoipa::path(
    delete,
    path = "/api/v1/tickets/{id}/watchers",
    tag = "tickets",
    params(("id" = String, Path, description = "ticket number")),
    responses(
        (status = 200, description = "the watchers afterwards", body = WatchersResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 404, description = "no such ticket", body = ErrorBody),
    )
)]
async fn remove_self(
    State(state): State<AppState>,
    auth: Authenticated,
    TicketPath(id): TicketPath,
) -> Result<Json<WatchersResponse>, ApiError> {
    let watchers = state
        .app
        .watchers()
        .remove(&auth.actor, id, None, Channel::Api)
        .await?;
    Ok(watchers_response(watchers))
}

/// Removes someone from a ticket's watchers (themselves, or staff who work it).
#[utoipa::path(
    delete,
    path = "/api/v1/tickets/{id}/watchers/{user_id}",
    tag = "tickets",
    params(
        ("id" = String, Path, description = "ticket number"),
        ("user_id" = i64, Path, description = "the watcher"),
    ),
    responses(
        (status = 200, description = "the watchers afterwards", body = WatchersResponse),
        (status = 400, description = "bad path", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "may not remove others from this ticket", body = ErrorBody),
        (status = 404, description = "no such ticket", body = ErrorBody),
    )
)]
async fn remove_watcher(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath((ticket, user)): ApiPath<(String, i64)>,
) -> Result<Json<WatchersResponse>, ApiError> {
    let watchers = state
        .app
        .watchers()
        .remove(
            &auth.actor,
            ticket_number(&ticket)?,
            Some(UserId(user)),
            Channel::Api,
        )
        .await?;
    Ok(watchers_response(watchers))
}

/// The tickets the caller watches.
#[derive(Debug, Serialize, ToSchema)]
pub struct WatchingResponse {
    /// Most recently watched first (at most 200).
    pub items: Vec<TicketResponse>,
}

/// Lists the tickets the caller watches and may still see.
#[utoipa::path(
    get,
    path = "/api/v1/me/watching",
    tag = "tickets",
    responses(
        (status = 200, description = "the watched tickets", body = WatchingResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
    )
)]
async fn watching(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<WatchingResponse>, ApiError> {
    let tickets = state.app.watchers().watching(&auth.actor).await?;
    Ok(Json(WatchingResponse {
        items: tickets
            .into_iter()
            .map(|t| ticket_response(t, auth.actor.is_staff()))
            .collect(),
    }))
}
