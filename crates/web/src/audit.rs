//! `/api/v1/audit`: the security audit log (admins): sign-ins, failures, token
//! creation and revocation, people created, role changes.

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiQuery, Authenticated};
use crate::organizations::PageQuery;
use crate::types::{PageResponse, page_request};
use axum::Json;
use axum::extract::State;
use ferrodesk_app::AuditEntry;
use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_audit))
}

/// One audit log entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryResponse {
    /// Id, increasing.
    pub id: i64,
    /// Who acted; absent for anonymous callers and the command line.
    pub actor_id: Option<i64>,
    /// What happened: `login`, `login_failed`, `login_throttled`, `logout`,
    /// `token_created`, `token_revoked`, `user_created`, `role_changed`,
    /// `user_deactivated`, `user_activated`, `password_set`.
    pub action: String,
    /// What it happened to.
    pub subject: String,
    /// The client address.
    pub address: Option<String>,
    /// Details.
    pub detail: String,
    /// When.
    pub created_at: Timestamp,
}

/// Reads the audit log, newest first (admins).
#[utoipa::path(
    get,
    path = "/api/v1/audit",
    tag = "audit",
    params(PageQuery),
    responses(
        (status = 200, description = "a page of entries", body = PageResponse<AuditEntryResponse>),
        (status = 400, description = "a query parameter is wrong", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
    )
)]
async fn list_audit(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<PageResponse<AuditEntryResponse>>, ApiError> {
    let page = page_request(q.cursor.as_deref(), q.limit)?;
    let entries = state.app.auth().list_audit(&auth.actor, &page).await?;
    Ok(Json(PageResponse::from_page(entries, |e: AuditEntry| {
        AuditEntryResponse {
            id: e.id,
            actor_id: e.actor_id.map(|a| a.get()),
            action: e.action,
            subject: e.subject,
            address: e.address,
            detail: e.detail,
            created_at: e.created_at,
        }
    })))
}
