//! `/api/v1/tickets/{id}/presence`: who else has a ticket open and what they are
//! doing on it. Staff report their own activity every few seconds (`PUT`), read the
//! others (`GET`), and say when they leave (`DELETE`); a report counts for 30 seconds.
//! And `/api/v1/tickets/{id}/mentions`: whom a note on the ticket may `@mention`.
//! Customers are refused.

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Authenticated, TicketPath};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use ferrodesk_app::{Mentionable, PresentStaff};
use ferrodesk_domain::Activity;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(report_presence, list_presence, leave_ticket))
        .routes(routes!(list_mentionable))
}

/// What a member of staff is doing on a ticket.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PresenceActivity {
    /// The ticket is open in front of them.
    Viewing,
    /// They are writing a reply or note on it.
    Replying,
}

impl From<PresenceActivity> for Activity {
    fn from(activity: PresenceActivity) -> Self {
        match activity {
            PresenceActivity::Viewing => Activity::Viewing,
            PresenceActivity::Replying => Activity::Replying,
        }
    }
}

impl From<Activity> for PresenceActivity {
    fn from(activity: Activity) -> Self {
        match activity {
            Activity::Viewing => PresenceActivity::Viewing,
            Activity::Replying => PresenceActivity::Replying,
        }
    }
}

/// The caller's activity on the ticket.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PresenceRequest {
    /// `viewing` or `replying`.
    pub activity: PresenceActivity,
}

/// Someone else on the ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct PresentResponse {
    /// Who.
    pub user_id: i64,
    /// Their name.
    pub name: String,
    /// What they are doing.
    pub activity: PresenceActivity,
    /// When they last reported it.
    pub seen_at: Timestamp,
}

/// The others on a ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct PresenceResponse {
    /// Replying first, then by who reported last; never the caller.
    pub items: Vec<PresentResponse>,
}

fn presence_response(present: Vec<PresentStaff>) -> Json<PresenceResponse> {
    Json(PresenceResponse {
        items: present
            .into_iter()
            .map(|p| PresentResponse {
                user_id: p.user_id.get(),
                name: p.name,
                activity: p.activity.into(),
                seen_at: p.seen_at,
            })
            .collect(),
    })
}

/// Reports what the caller is doing on the ticket (send it every few seconds while the
/// ticket is open; a report counts for 30 seconds) and returns the others on it.
#[utoipa::path(
    put,
    path = "/api/v1/tickets/{id}/presence",
    tag = "tickets",
    params(("id" = String, Path, description = "ticket number")),
    request_body = PresenceRequest,
    responses(
        (status = 200, description = "the others on the ticket", body = PresenceResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "customers do not report presence", body = ErrorBody),
        (status = 404, description = "no such ticket, or not one the caller may see", body = ErrorBody),
        (status = 415, description = "body is not JSON", body = ErrorBody),
        (status = 422, description = "unknown activity or field", body = ErrorBody),
    )
)]
async fn report_presence(
    State(state): State<AppState>,
    auth: Authenticated,
    TicketPath(id): TicketPath,
    ApiJson(r): ApiJson<PresenceRequest>,
) -> Result<Json<PresenceResponse>, ApiError> {
    let present = state
        .app
        .presence()
        .report(&auth.actor, id, r.activity.into())
        .await?;
    Ok(presence_response(present))
}

/// The others on the ticket now (never the caller).
#[utoipa::path(
    get,
    path = "/api/v1/tickets/{id}/presence",
    tag = "tickets",
    params(("id" = String, Path, description = "ticket number")),
    responses(
        (status = 200, description = "the others on the ticket", body = PresenceResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "customers do not see presence", body = ErrorBody),
        (status = 404, description = "no such ticket, or not one the caller may see", body = ErrorBody),
    )
)]
async fn list_presence(
    State(state): State<AppState>,
    auth: Authenticated,
    TicketPath(id): TicketPath,
) -> Result<Json<PresenceResponse>, ApiError> {
    let present = state.app.presence().others(&auth.actor, id).await?;
    Ok(presence_response(present))
}

/// Says the caller left the ticket, so the others stop seeing them at once.
#[utoipa::path(
    delete,
    path = "/api/v1/tickets/{id}/presence",
    tag = "tickets",
    params(("id" = String, Path, description = "ticket number")),
    responses(
        (status = 204, description = "left (also when the caller was not on it)"),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "customers do not report presence", body = ErrorBody),
        (status = 404, description = "no such ticket, or not one the caller may see", body = ErrorBody),
    )
)]
async fn leave_ticket(
    State(state): State<AppState>,
    auth: Authenticated,
    TicketPath(id): TicketPath,
) -> Result<StatusCode, ApiError> {
    state.app.presence().leave(&auth.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What was typed after the `@`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MentionQuery {
    /// The start of a handle or of a word of a name, any case (empty: everyone).
    pub q: Option<String>,
}

/// Someone a note may mention.
#[derive(Debug, Serialize, ToSchema)]
pub struct MentionableResponse {
    /// Who.
    pub user_id: i64,
    /// Their name.
    pub name: String,
    /// What to write after the `@` (their address before the `@`, lower case).
    pub handle: String,
}

/// The colleagues a note may mention.
#[derive(Debug, Serialize, ToSchema)]
pub struct MentionablesResponse {
    /// Handle matches first, then by name; at most 8; never the caller.
    pub items: Vec<MentionableResponse>,
}

/// The active staff who may see the ticket whose handle or name starts with `q`: what
/// `@` completion in a note offers.
#[utoipa::path(
    get,
    path = "/api/v1/tickets/{id}/mentions",
    tag = "tickets",
    params(("id" = String, Path, description = "ticket number"), MentionQuery),
    responses(
        (status = 200, description = "the matching colleagues", body = MentionablesResponse),
        (status = 400, description = "an unknown query parameter", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "customers write no internal notes", body = ErrorBody),
        (status = 404, description = "no such ticket, or not one the caller may see", body = ErrorBody),
    )
)]
async fn list_mentionable(
    State(state): State<AppState>,
    auth: Authenticated,
    TicketPath(id): TicketPath,
    ApiQuery(query): ApiQuery<MentionQuery>,
) -> Result<Json<MentionablesResponse>, ApiError> {
    let people = state
        .app
        .tickets()
        .mentionable(&auth.actor, id, query.q.as_deref().unwrap_or(""))
        .await?;
    Ok(Json(MentionablesResponse {
        items: people
            .into_iter()
            .map(|m: Mentionable| MentionableResponse {
                user_id: m.user_id.get(),
                name: m.name,
                handle: m.handle,
            })
            .collect(),
    }))
}
