//! `/api/v1/mail/outbox` (admins): notifications across the desk by delivery state,
//! and sending one that failed for good again.

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiPath, ApiQuery, Authenticated};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use ferrodesk_domain::TicketId;
use ferrodesk_store::mail::{Outbound, OutboxEntry, OutboxId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_outbox))
        .routes(routes!(resend))
}

/// A notification in the outbox.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxRowResponse {
    /// Id (for `POST /api/v1/mail/outbox/{id}/retry`).
    pub id: i64,
    /// `requester` (a ticket event announced to its requester), `staff` (one staff
    /// notification) or `digest` (a staff member's digest).
    pub purpose: String,
    /// The ticket it is about (none for a digest).
    pub ticket_id: Option<i64>,
    /// The event it announces (mail to a requester).
    pub event_id: Option<i64>,
    /// The notification it mails (mail to staff).
    pub notification_id: Option<i64>,
    /// To whom the digest goes.
    pub user_id: Option<i64>,
    /// `pending`, `sent`, `skipped` or `failed`.
    pub state: String,
    /// Attempts made.
    pub attempts: i64,
    /// The next attempt (pending), or the last one.
    pub next_attempt_at: Timestamp,
    /// Its Message-ID once rendered.
    pub message_id: Option<String>,
    /// Sender and recipients once rendered.
    pub recipients: Option<String>,
    /// What the mail server said last, or why it was skipped.
    pub last_error: Option<String>,
    /// When it went out.
    pub sent_at: Option<Timestamp>,
}

impl From<OutboxEntry> for OutboxRowResponse {
    fn from(e: OutboxEntry) -> Self {
        let (purpose, event_id, notification_id, user_id) = match e.about {
            Outbound::Event { event_id, .. } => ("requester", Some(event_id.get()), None, None),
            Outbound::Notification {
                notification_id, ..
            } => ("staff", None, Some(notification_id.get()), None),
            Outbound::Digest { user_id, .. } => ("digest", None, None, Some(user_id.get())),
        };
        OutboxRowResponse {
            id: e.id.0,
            purpose: purpose.to_owned(),
            ticket_id: e.about.ticket_id().map(TicketId::get),
            event_id,
            notification_id,
            user_id,
            state: e.state,
            attempts: e.attempts,
            next_attempt_at: e.next_attempt_at,
            message_id: e.message_id,
            recipients: e.recipients,
            last_error: e.last_error,
            sent_at: e.sent_at,
        }
    }
}

/// Outbox rows in one state.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxResponse {
    /// The latest next attempt first, at most 200.
    pub items: Vec<OutboxRowResponse>,
}

/// Which rows to list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// `pending`, `sent`, `skipped` or `failed` (default `failed`).
    pub state: Option<String>,
}

/// Outbox rows in one state, the latest next attempt first, at most 200 (admins).
#[utoipa::path(
    get,
    path = "/api/v1/mail/outbox",
    tag = "mail",
    params(OutboxQuery),
    responses(
        (status = 200, description = "the rows", body = OutboxResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 422, description = "unknown state", body = ErrorBody),
    )
)]
async fn list_outbox(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiQuery(query): ApiQuery<OutboxQuery>,
) -> Result<Json<OutboxResponse>, ApiError> {
    let rows = state
        .app
        .mail_admin()
        .outbox_in_state(&auth.actor, query.state.as_deref().unwrap_or("failed"))
        .await?;
    Ok(Json(OutboxResponse {
        items: rows.into_iter().map(Into::into).collect(),
    }))
}

/// Sends a message that failed for good again: due now, same bytes and Message-ID
/// (admins).
#[utoipa::path(
    post,
    path = "/api/v1/mail/outbox/{id}/retry",
    tag = "mail",
    params(("id" = i64, Path, description = "outbox row id")),
    responses(
        (status = 204, description = "queued again"),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 404, description = "no failed message with this id", body = ErrorBody),
    )
)]
async fn resend(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .mail_admin()
        .resend(&auth.actor, OutboxId(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
