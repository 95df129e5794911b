//! `/api/v1/tokens`: API tokens (admins). The secret is shown once, at creation; only
//! its SHA-256 digest is stored. Revoking is idempotent.

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authenticated};
use crate::tickets::created;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use ferrodesk_app::ApiToken;
use ferrodesk_domain::{TokenId, UserId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_token, list_tokens))
        .routes(routes!(delete_token))
        .routes(routes!(revoke_token))
}

/// An API token, without its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// Id.
    pub id: i64,
    /// Requests with the token act as this person.
    pub user_id: i64,
    /// Label.
    pub name: String,
    /// Expiry.
    pub expires_at: Option<Timestamp>,
    /// When revoked.
    pub revoked_at: Option<Timestamp>,
    /// Created.
    pub created_at: Timestamp,
}

fn token_response(token: ApiToken) -> TokenResponse {
    TokenResponse {
        id: token.id.get(),
        user_id: token.user_id.get(),
        name: token.name,
        expires_at: token.expires_at,
        revoked_at: token.revoked_at,
        created_at: token.created_at,
    }
}

/// A token to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTokenRequest {
    /// The person the token acts as.
    pub user_id: i64,
    /// A label ("ci", "monitoring").
    pub name: String,
    /// Expiry (RFC 3339); never unless given.
    pub expires_at: Option<Timestamp>,
}

/// A new token and its secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedTokenResponse {
    /// The token.
    pub token: TokenResponse,
    /// The secret: send it as `Authorization: Bearer <secret>`. It cannot be shown again.
    pub secret: String,
}

/// Creates an API token for a person (admins).
#[utoipa::path(
    post,
    path = "/api/v1/tokens",
    tag = "tokens",
    request_body = CreateTokenRequest,
    responses(
        (status = 201, description = "the token and its secret", body = CreatedTokenResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 404, description = "no such person", body = ErrorBody),
        (status = 422, description = "invalid field", body = ErrorBody),
    )
)]
async fn create_token(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(r): ApiJson<CreateTokenRequest>,
) -> Result<Response, ApiError> {
    let (token, secret) = state
        .app
        .auth()
        .create_token(&auth.actor, UserId(r.user_id), &r.name, r.expires_at)
        .await?;
    let location = format!("/api/v1/tokens/{}", token.id);
    let body = CreatedTokenResponse {
        token: token_response(token),
        secret,
    };
    Ok(created(body, &location, false))
}

/// Which tokens to list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListTokensQuery {
    /// Only this person's tokens.
    pub user_id: Option<i64>,
}

/// Tokens, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokensResponse {
    /// The tokens.
    pub items: Vec<TokenResponse>,
}

/// Lists API tokens (admins).
#[utoipa::path(
    get,
    path = "/api/v1/tokens",
    tag = "tokens",
    params(ListTokensQuery),
    responses(
        (status = 200, description = "the tokens", body = TokensResponse),
        (status = 400, description = "a query parameter is wrong", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
    )
)]
async fn list_tokens(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiQuery(q): ApiQuery<ListTokensQuery>,
) -> Result<Json<TokensResponse>, ApiError> {
    let tokens = state
        .app
        .auth()
        .list_tokens(&auth.actor, q.user_id.map(UserId))
        .await?;
    Ok(Json(TokensResponse {
        items: tokens.into_iter().map(token_response).collect(),
    }))
}

async fn revoke(
    state: &AppState,
    auth: &Authenticated,
    id: i64,
) -> Result<Json<TokenResponse>, ApiError> {
    let token = state
        .app
        .auth()
        .revoke_token(&auth.actor, TokenId(id))
        .await?;
    Ok(Json(token_response(token)))
}

/// Revokes an API token (admins; idempotent).
#[utoipa::path(
    delete,
    path = "/api/v1/tokens/{id}",
    tag = "tokens",
    params(("id" = i64, Path, description = "token id")),
    responses(
        (status = 200, description = "the revoked token", body = TokenResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 404, description = "no such token", body = ErrorBody),
    )
)]
async fn delete_token(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<TokenResponse>, ApiError> {
    revoke(&state, &auth, id).await
}

/// Revokes an API token (admins; idempotent); the same as `DELETE /tokens/{id}` for
/// clients that cannot send DELETE.
#[utoipa::path(
    post,
    path = "/api/v1/tokens/{id}/revoke",
    tag = "tokens",
    params(("id" = i64, Path, description = "token id")),
    responses(
        (status = 200, description = "the revoked token", body = TokenResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 404, description = "no such token", body = ErrorBody),
    )
)]
async fn revoke_token(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<TokenResponse>, ApiError> {
    revoke(&state, &auth, id).await
}
