//! Files: `POST /api/v1/uploads` stores a file and returns an upload id that a new
//! ticket (`attachments: [id]`) or a reply or note cites; `GET
//! /api/v1/tickets/{id}/attachments/{event_id}/{sha256}` downloads a file from an event
//! the caller may see.
//!
//! Downloads are always served as downloads (`Content-Disposition: attachment`,
//! `X-Content-Type-Options: nosniff`, a restrictive `Content-Security-Policy`), and
//! script-capable types (HTML, SVG, XML) as `application/octet-stream`, so an uploaded
//! file never runs in the desk's origin.

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiPath, ApiQuery, Authenticated};
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use ferrodesk_domain::{Attachment, EventId, TicketId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload))
        .routes(routes!(download))
}

/// A file on an event.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentResponse {
    /// SHA-256 of the content (the file's address).
    pub sha256: String,
    /// File name.
    pub filename: String,
    /// Media type, sniffed from the content when recognizable.
    pub content_type: String,
    /// Size in bytes.
    pub size: i64,
    /// Where to download it (with the same credentials).
    pub download_url: String,
}

use ferrodesk_app::attachments::download_path;

/// The response form of an event's files.
pub(crate) fn attachment_responses(
    ticket: TicketId,
    event: EventId,
    attachments: &[Attachment],
) -> Vec<AttachmentResponse> {
    attachments
        .iter()
        .map(|a| AttachmentResponse {
            sha256: a.sha256.to_string(),
            filename: a.filename.clone(),
            content_type: a.content_type.clone(),
            size: a.size,
            download_url: download_path(ticket, event, a),
        })
        .collect()
}

/// A stored upload, to cite by `id`.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadResponse {
    /// Cite this in `attachments` of a new ticket, reply or note.
    pub id: i64,
    /// SHA-256 of the content.
    pub sha256: String,
    /// File name as kept.
    pub filename: String,
    /// Media type as recorded.
    pub content_type: String,
    /// Size in bytes.
    pub size: i64,
}

/// The file's name.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The file name (any path is dropped).
    pub filename: String,
}

/// Uploads one file: the request body is the file's bytes, its `Content-Type` the
/// declared type (the recorded type is sniffed from the content when recognizable).
/// The answer's `id` is then cited in `attachments` when opening a ticket or adding a
/// reply or note; only the uploader may cite it.
#[utoipa::path(
    post,
    path = "/api/v1/uploads",
    tag = "attachments",
    params(UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "the file's bytes"),
    responses(
        (status = 201, description = "stored", body = UploadResponse),
        (status = 400, description = "no file name", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 413, description = "the file is larger than the limit (25 MB unless configured)", body = ErrorBody),
        (status = 422, description = "the file is empty", body = ErrorBody),
    )
)]
async fn upload(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiQuery(query): ApiQuery<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let limit = state.app.attachments().max_bytes();
    let bytes: Bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| ApiError::App(ferrodesk_app::AppError::TooLarge { limit }))?;
    if query.filename.trim().is_empty() {
        return Err(ApiError::InvalidQuery("filename must not be empty".into()));
    }
    let declared = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let upload = state
        .app
        .attachments()
        .upload(&auth.actor, bytes, &query.filename, declared)
        .await?;
    let body = UploadResponse {
        id: upload.id,
        sha256: upload.attachment.sha256.to_string(),
        filename: upload.attachment.filename,
        content_type: upload.attachment.content_type,
        size: upload.attachment.size,
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Downloads a file from a ticket's event. Who may download it is exactly who may see
/// the event: a customer never gets an internal note's file (404, as for a file that
/// does not exist).
#[utoipa::path(
    get,
    path = "/api/v1/tickets/{id}/attachments/{event_id}/{sha256}",
    tag = "attachments",
    params(
        ("id" = String, Path, description = "ticket number"),
        ("event_id" = i64, Path, description = "the event that carries the file"),
        ("sha256" = String, Path, description = "the file's SHA-256"),
    ),
    responses(
        (status = 200, description = "the file, as a download", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 400, description = "a path parameter is wrong", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 404, description = "no such ticket, event or file, or not visible to the caller", body = ErrorBody),
    )
)]
async fn download(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath((ticket, event_id, sha256)): ApiPath<(String, i64, String)>,
) -> Result<Response, ApiError> {
    let ticket = ticket
        .trim()
        .trim_start_matches('#')
        .parse::<i64>()
        .map_err(|_| ApiError::InvalidPath(format!("'{ticket}' is not a ticket number")))?;
    let (attachment, bytes) = state
        .app
        .attachments()
        .download(&auth.actor, TicketId(ticket), EventId(event_id), &sha256)
        .await?;
    Ok(file_response(&attachment, bytes))
}

/// A file as a download that browsers never render or sniff.
pub fn file_response(attachment: &Attachment, bytes: Bytes) -> Response {
    let content_type = if ferrodesk_blobs::is_active_content(&attachment.content_type) {
        "application/octet-stream"
    } else {
        attachment.content_type.as_str()
    };
    let mut response = (StatusCode::OK, Body::from(bytes)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        content_disposition(&attachment.filename),
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
    response
}

/// `attachment; filename="ascii"; filename*=UTF-8''percent-encoded` (RFC 6266).
fn content_disposition(filename: &str) -> HeaderValue {
    let ascii: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for byte in filename.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or(HeaderValue::from_static("attachment"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_disposition_is_an_attachment_with_a_safe_and_an_exact_name() {
        let value = content_disposition("Rapport å \"x\".pdf");
        assert_eq!(
            value.to_str().unwrap(),
            "attachment; filename=\"Rapport _ _x_.pdf\"; filename*=UTF-8''Rapport%20%C3%A5%20%22x%22.pdf"
        );
    }
}
