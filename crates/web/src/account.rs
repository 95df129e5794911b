//! `/api/v1/me/password`: the caller changes their own password.

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, Authenticated, ClientAddress};
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use ferrodesk_http::{SESSION_COOKIE, cookie};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(change_password))
}

/// The current and the new password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    /// The password in use now.
    pub current_password: String,
    /// The new one: at least 10 characters, different from the current one.
    pub new_password: String,
}

/// What changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangePasswordResponse {
    /// How many of the caller's other sessions were ended (the current browser
    /// session stays; with a token, every session ends).
    pub sessions_ended: u64,
}

/// Changes the caller's password and signs them out everywhere else.
#[utoipa::path(
    post,
    path = "/api/v1/me/password",
    tag = "auth",
    request_body = ChangePasswordRequest,
    responses(
        (status = 200, description = "changed", body = ChangePasswordResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 422, description = "wrong current password, new one too short or unchanged", body = ErrorBody),
    )
)]
async fn change_password(
    State(state): State<AppState>,
    auth: Authenticated,
    address: ClientAddress,
    headers: HeaderMap,
    ApiJson(r): ApiJson<ChangePasswordRequest>,
) -> Result<Json<ChangePasswordResponse>, ApiError> {
    let keep = match auth.credential {
        crate::extract::Credential::Session(_) => cookie(&headers, SESSION_COOKIE),
        crate::extract::Credential::Bearer => None,
    };
    let ended = state
        .app
        .account()
        .change_password(
            &auth.actor,
            &r.current_password,
            &r.new_password,
            keep.as_deref(),
            address.0.as_deref(),
        )
        .await?;
    Ok(Json(ChangePasswordResponse {
        sessions_ended: ended,
    }))
}
