//! Images in knowledge-base articles: `POST /api/v1/kb/articles/{id}/images` stores one
//! (PNG, JPEG, GIF or WebP) and answers the Markdown that shows it; `GET
//! /api/v1/kb/articles/{id}/images/{sha256}` serves it to whoever may read the article,
//! while the article's body shows it. Images are served inline with their sniffed type,
//! `nosniff` and a restrictive `Content-Security-Policy`; script-capable types are never
//! accepted.

use crate::AppState;
use crate::attachments::UploadQuery;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiPath, ApiQuery, Authenticated};
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use ferrodesk_domain::ArticleId;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(add_image))
        .routes(routes!(get_image))
}

/// A stored article image.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleImageResponse {
    /// Where it is served.
    pub url: String,
    /// Put this in the article's body to show it.
    pub markdown: String,
    /// SHA-256 of the content.
    pub sha256: String,
    /// Media type.
    pub content_type: String,
    /// Size in bytes.
    pub size: i64,
}

/// Stores an image for an article (staff): the request body is the image's bytes. The
/// answer's `markdown` shows it once it is in the article's body.
#[utoipa::path(
    post,
    path = "/api/v1/kb/articles/{id}/images",
    tag = "knowledge base",
    params(("id" = i64, Path, description = "article id"), UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "the image's bytes"),
    responses(
        (status = 201, description = "stored", body = ArticleImageResponse),
        (status = 400, description = "no file name", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "customers cannot add images", body = ErrorBody),
        (status = 404, description = "no such article", body = ErrorBody),
        (status = 413, description = "larger than the file limit", body = ErrorBody),
        (status = 422, description = "not a PNG, JPEG, GIF or WebP image, or empty", body = ErrorBody),
    )
)]
async fn add_image(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<UploadQuery>,
    body: Body,
) -> Result<Response, ApiError> {
    let limit = state.app.attachments().max_bytes();
    let bytes: Bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| ApiError::App(ferrodesk_app::AppError::TooLarge { limit }))?;
    if query.filename.trim().is_empty() {
        return Err(ApiError::InvalidQuery("filename must not be empty".into()));
    }
    let image = state
        .app
        .kb()
        .add_image(&auth.actor, ArticleId(id), bytes, &query.filename)
        .await?;
    let body = ArticleImageResponse {
        url: image.url,
        markdown: image.markdown,
        sha256: image.attachment.sha256.to_string(),
        content_type: image.attachment.content_type,
        size: image.attachment.size,
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Serves an article's image to whoever may read the article, while its body shows it.
#[utoipa::path(
    get,
    path = "/api/v1/kb/articles/{id}/images/{sha256}",
    tag = "knowledge base",
    params(
        ("id" = i64, Path, description = "article id"),
        ("sha256" = String, Path, description = "the image's SHA-256"),
    ),
    responses(
        (status = 200, description = "the image", content_type = "image/png", body = Vec<u8>),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 404, description = "no such article or image, or not visible to you", body = ErrorBody),
    )
)]
async fn get_image(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath((id, sha256)): ApiPath<(i64, String)>,
) -> Result<Response, ApiError> {
    let (content_type, bytes) = state
        .app
        .kb()
        .image(&auth.actor, ArticleId(id), &sha256)
        .await?;
    let mut response = (StatusCode::OK, Body::from(bytes)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    Ok(response)
}
