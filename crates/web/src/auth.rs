//! `/api/v1/auth`: browser sign-in and sign-out. Sign-in sets the `ferrodesk_session`
//! cookie (HttpOnly, SameSite=Lax, Secure behind TLS); API clients use bearer tokens
//! instead and never need these endpoints.

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ClientAddress};
use crate::users::{UserResponse, user_response};
use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ferrodesk_http::{SESSION_COOKIE, check_same_origin, cookie, is_https, session_cookie};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
}

/// What the request says about where it came from, for cookies and CSRF.
struct Origin {
    is_https: bool,
    session: Option<String>,
}

impl FromRequestParts<AppState> for Origin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, ApiError> {
        // Sign-in and sign-out are state changes a foreign page must not trigger
        // (login CSRF would sign the victim in as the attacker).
        check_same_origin(parts)?;
        Ok(Origin {
            is_https: is_https(parts),
            session: cookie(&parts.headers, SESSION_COOKIE),
        })
    }
}

/// Email and password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Email address.
    pub email: String,
    /// Password.
    pub password: String,
}

impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest")
            .field("email", &self.email)
            .field("password", &"***")
            .finish()
    }
}

/// A new session.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Who signed in.
    pub user: UserResponse,
    /// When the session ends.
    pub expires_at: Timestamp,
}

/// Signs in and sets the session cookie. After too many failures for the account or
/// from the address, answers 429 with `Retry-After`.
#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    tag = "auth",
    security(()),
    request_body = LoginRequest,
    responses(
        (status = 200, description = "signed in; the `ferrodesk_session` cookie is set", body = LoginResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "wrong email or password", body = ErrorBody),
        (status = 403, description = "cross-site request", body = ErrorBody),
        (status = 422, description = "missing or unknown field", body = ErrorBody),
        (status = 429, description = "too many failed sign-ins; see Retry-After", body = ErrorBody),
    )
)]
async fn login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    origin: Origin,
    ApiJson(r): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    let grant = state
        .app
        .auth()
        .login(&r.email, &r.password, address.as_deref())
        .await?;
    let max_age = state.app.config().session_ttl.as_secs();
    let secure = state.config.secure_cookies || origin.is_https;
    let mut response = Json(LoginResponse {
        user: user_response(grant.user),
        expires_at: grant.expires_at,
    })
    .into_response();
    if let Some(value) = session_cookie(&grant.cookie_value, max_age, secure) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Ends the browser session and clears its cookie (idempotent).
#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    tag = "auth",
    security(()),
    responses(
        (status = 204, description = "signed out"),
        (status = 403, description = "cross-site request", body = ErrorBody),
    )
)]
async fn logout(State(state): State<AppState>, origin: Origin) -> Result<Response, ApiError> {
    if let Some(session) = &origin.session {
        state.app.auth().logout(session).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    let secure = state.config.secure_cookies || origin.is_https;
    if let Some(value) = session_cookie("", 0, secure) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}
