//! Notifications over HTTP: `/api/v1/notifications`, each person's own, and
//! `/api/v1/notifications/preferences`, which of them are also mailed.

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Authenticated};
use crate::types::{Digest, NotificationKind};
use axum::Json;
use axum::extract::State;
use ferrodesk_domain::TicketId;
use ferrodesk_domain::notify::Preferences;
use ferrodesk_store::PageRequest;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_notifications))
        .routes(routes!(read_notifications))
        .routes(routes!(get_preferences, put_preferences))
}

/// An in-app notification.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationResponse {
    /// Id.
    pub id: i64,
    /// The ticket it is about.
    pub ticket_id: Option<i64>,
    /// Why it was sent.
    pub kind: NotificationKind,
    /// What happened.
    pub message: String,
    /// When it was read.
    pub read_at: Option<Timestamp>,
    /// When.
    pub created_at: Timestamp,
}

/// The caller's notifications.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationsResponse {
    /// Newest first.
    pub items: Vec<NotificationResponse>,
    /// How many of all the caller's notifications are unread (not only of these).
    pub unread: i64,
}

/// Query of the notification list.
#[derive(Debug, Deserialize, ToSchema, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NotificationsQuery {
    /// At most this many (default 50).
    pub limit: Option<i64>,
}

/// Lists the caller's notifications, newest first, with how many are unread. Staff
/// are notified when a customer replies on a ticket they work or watch, a ticket is
/// assigned to them or waits unassigned in their group, a note mentions them
/// (`@handle`), a ticket they work is reopened or escalated to them, its service level
/// is close to or past breach, a ticket they watch changes, or a rule says so.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "service levels",
    params(NotificationsQuery),
    responses(
        (status = 200, description = "the notifications", body = NotificationsResponse),
        (status = 400, description = "bad query", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
    ))]
async fn list_notifications(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiQuery(q): ApiQuery<NotificationsQuery>,
) -> Result<Json<NotificationsResponse>, ApiError> {
    let service = state.app.service_levels();
    let items = service
        .notifications(&auth.actor, &PageRequest::first(q.limit.unwrap_or(50)))
        .await?;
    let unread = service.unread_notifications(&auth.actor).await?;
    Ok(Json(NotificationsResponse {
        unread,
        items: items
            .into_iter()
            .map(|n| NotificationResponse {
                id: n.id.get(),
                ticket_id: n.ticket_id.map(TicketId::get),
                kind: n.kind.into(),
                message: n.message,
                read_at: n.read_at,
                created_at: n.created_at,
            })
            .collect(),
    }))
}

/// Which notifications to mark read.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadRequest {
    /// These (empty or absent: all).
    #[serde(default)]
    pub ids: Vec<i64>,
}

/// How many changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReadResponse {
    /// Notifications newly marked read.
    pub marked: u64,
}

/// Marks the caller's notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "service levels",
    request_body = ReadRequest,
    responses(
        (status = 200, description = "marked", body = ReadResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
    ))]
async fn read_notifications(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(r): ApiJson<ReadRequest>,
) -> Result<Json<ReadResponse>, ApiError> {
    let marked = state
        .app
        .service_levels()
        .mark_read(&auth.actor, &r.ids)
        .await?;
    Ok(Json(ReadResponse { marked }))
}

/// Which notifications are mailed to the caller, and how.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferencesBody {
    /// The kinds mailed (every kind shows in the bell regardless).
    pub email: Vec<NotificationKind>,
    /// `off`: each mailed kind goes out at once; `hourly`/`daily`: the unread ones are
    /// gathered into one message per period instead.
    pub digest: Digest,
}

impl From<Preferences> for PreferencesBody {
    fn from(p: Preferences) -> Self {
        PreferencesBody {
            email: p.email.into_iter().map(Into::into).collect(),
            digest: p.digest.into(),
        }
    }
}

/// The caller's notification preferences (staff). Who never chose has the defaults:
/// a customer's answer, an assignment, a mention, a reopened or escalated ticket, a
/// breach and a rule's call are mailed at once.
#[utoipa::path(get, path = "/api/v1/notifications/preferences", tag = "service levels",
    responses(
        (status = 200, description = "the preferences", body = PreferencesBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "not staff", body = ErrorBody),
    ))]
async fn get_preferences(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<PreferencesBody>, ApiError> {
    let preferences = state
        .app
        .service_levels()
        .notification_preferences(&auth.actor)
        .await?;
    Ok(Json(preferences.into()))
}

/// Replaces the caller's notification preferences (staff).
#[utoipa::path(put, path = "/api/v1/notifications/preferences", tag = "service levels",
    request_body = PreferencesBody,
    responses(
        (status = 200, description = "stored", body = PreferencesBody),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "not staff", body = ErrorBody),
        (status = 422, description = "an unknown kind or digest", body = ErrorBody),
    ))]
async fn put_preferences(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(body): ApiJson<PreferencesBody>,
) -> Result<Json<PreferencesBody>, ApiError> {
    let kinds: Vec<ferrodesk_domain::NotificationKind> =
        body.email.into_iter().map(Into::into).collect();
    let stored = state
        .app
        .service_levels()
        .set_notification_preferences(&auth.actor, Preferences::new(&kinds, body.digest.into()))
        .await?;
    Ok(Json(stored.into()))
}
