//! The one error type of the HTTP layer and its single `IntoResponse`.
//!
//! Every error answers `{"error": {"code": "...", "message": "..."}}` with a fitting
//! status. A 5xx logs the full source chain and tells the client only "internal
//! error" (or "service unavailable"), so no internals leak.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ferrodesk_app::{AppError, REPLIED_MEANWHILE};
use ferrodesk_domain::TransitionError;
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable, machine-readable code: `ticket_not_found`, `invalid_transition`,
    /// `malformed_json`...
    pub code: String,
    /// A sentence for people, lowercase, no trailing period.
    pub message: String,
    /// The request field at fault, for `invalid_value`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The statuses a ticket may move to, for `invalid_transition`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<String>>,
    /// The open child tickets that block resolving a parent, for `open_children`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub children: Option<Vec<i64>>,
    /// The replies the caller had not seen, oldest first, for `replied_meanwhile`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replies: Option<Vec<MeanwhileReplyBody>>,
    /// The newest event of the timeline now, for `replied_meanwhile`: send again with
    /// it as `seen_event_id` to send anyway.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub newest_event_id: Option<i64>,
}

/// A reply that came in while the caller wrote theirs.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeanwhileReplyBody {
    /// Its event id.
    pub event_id: i64,
    /// Who wrote it; absent for the desk itself.
    pub author_id: Option<i64>,
    /// Their name.
    pub author: String,
    /// When.
    pub created_at: jiff::Timestamp,
    /// What it says.
    pub body: String,
}

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A service refused or failed; the status follows the variant (404, 403, 422,
    /// 409, 401, 429, 503, 500).
    #[error(transparent)]
    App(#[from] AppError),
    /// 400: the body is not valid JSON.
    #[error("the request body is not valid JSON: {0}")]
    MalformedJson(String),
    /// 422: the JSON does not fit the request (missing or unknown field, wrong type).
    #[error("{0}")]
    UnprocessableJson(String),
    /// 415: the body is not declared as JSON.
    #[error("send the request body as JSON with Content-Type: application/json")]
    UnsupportedMediaType,
    /// 413: the body exceeds the limit.
    #[error("the request body is larger than the limit of {0} bytes")]
    PayloadTooLarge(usize),
    /// 400: the body could not be read.
    #[error("the request body could not be read: {0}")]
    BadBody(String),
    /// 400: a query parameter is wrong.
    #[error("{0}")]
    InvalidQuery(String),
    /// 400: a path parameter is wrong.
    #[error("{0}")]
    InvalidPath(String),
    /// 400: a header is wrong.
    #[error("{0}")]
    InvalidHeader(String),
    /// 403: a cookie-authenticated request came from another site.
    #[error("cross-site request refused; use a bearer token for API calls from other origins")]
    CrossSite,
    /// 404: no such route.
    #[error("no such endpoint; see /api/v1/openapi.json")]
    RouteNotFound,
    /// 405: the route exists but not with this method.
    #[error("this endpoint does not accept that method")]
    MethodNotAllowed,
    /// 500: a bug (a handler panicked).
    #[error("internal error")]
    Internal(String),
}

impl From<ferrodesk_http::CrossSite> for ApiError {
    fn from(_: ferrodesk_http::CrossSite) -> Self {
        ApiError::CrossSite
    }
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, String) {
        use StatusCode as S;
        match self {
            ApiError::App(error) => match error {
                AppError::NotFound { kind, .. } => (S::NOT_FOUND, format!("{kind}_not_found")),
                AppError::Forbidden { .. } => (S::FORBIDDEN, "forbidden".into()),
                AppError::Invalid { .. } => (S::UNPROCESSABLE_ENTITY, "invalid_value".into()),
                AppError::InvalidTransition(transition) => (
                    S::CONFLICT,
                    match transition {
                        TransitionError::AlreadyClosed => "ticket_closed",
                        TransitionError::Unchanged { .. } => "status_unchanged",
                        TransitionError::NotAllowed { .. } => "invalid_transition",
                        TransitionError::OpenChildren { .. } => "open_children",
                    }
                    .into(),
                ),
                AppError::Conflict { code, .. } => (S::CONFLICT, (*code).into()),
                AppError::RepliedMeanwhile(_) => (S::CONFLICT, REPLIED_MEANWHILE.into()),
                AppError::Unauthenticated { .. } => (S::UNAUTHORIZED, "unauthenticated".into()),
                AppError::Throttled { .. } => (S::TOO_MANY_REQUESTS, "too_many_attempts".into()),
                AppError::Unavailable(_) => (S::SERVICE_UNAVAILABLE, "unavailable".into()),
                AppError::TooLarge { .. } => (S::PAYLOAD_TOO_LARGE, "payload_too_large".into()),
                AppError::Internal(_) => (S::INTERNAL_SERVER_ERROR, "internal_error".into()),
            },
            ApiError::MalformedJson(_) => (S::BAD_REQUEST, "malformed_json".into()),
            ApiError::UnprocessableJson(_) => (S::UNPROCESSABLE_ENTITY, "invalid_body".into()),
            ApiError::UnsupportedMediaType => {
                (S::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type".into())
            }
            ApiError::PayloadTooLarge(_) => (S::PAYLOAD_TOO_LARGE, "payload_too_large".into()),
            ApiError::BadBody(_) => (S::BAD_REQUEST, "bad_body".into()),
            ApiError::InvalidQuery(_) => (S::BAD_REQUEST, "invalid_query".into()),
            ApiError::InvalidPath(_) => (S::BAD_REQUEST, "invalid_path".into()),
            ApiError::InvalidHeader(_) => (S::BAD_REQUEST, "invalid_header".into()),
            ApiError::CrossSite => (S::FORBIDDEN, "cross_site_request".into()),
            ApiError::RouteNotFound => (S::NOT_FOUND, "route_not_found".into()),
            ApiError::MethodNotAllowed => (S::METHOD_NOT_ALLOWED, "method_not_allowed".into()),
            ApiError::Internal(_) => (S::INTERNAL_SERVER_ERROR, "internal_error".into()),
        }
    }
}

/// The error as text with every source, for logs.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl ApiError {
    /// The error as the body says it: its code, message and the fields that go with
    /// it (also each refused ticket of a bulk request).
    pub(crate) fn detail(&self) -> ErrorDetail {
        let (status, code) = self.status_and_code();
        let mut detail = ErrorDetail {
            code,
            message: self.to_string(),
            field: None,
            allowed: None,
            children: None,
            replies: None,
            newest_event_id: None,
        };
        if status.is_server_error() {
            tracing::error!(error = %chain(&self), %status, "request failed");
            detail.message = if status == StatusCode::SERVICE_UNAVAILABLE {
                "service unavailable".into()
            } else {
                "internal error".into()
            };
        }
        match self {
            ApiError::App(AppError::Invalid { field, .. }) => detail.field = Some(field.clone()),
            ApiError::App(AppError::InvalidTransition(TransitionError::NotAllowed {
                allowed,
                ..
            })) => {
                detail.allowed = Some(allowed.iter().map(|s| s.as_str().to_owned()).collect());
            }
            ApiError::App(AppError::InvalidTransition(TransitionError::OpenChildren {
                children,
            })) => detail.children = Some(children.iter().map(|c| c.get()).collect()),
            ApiError::App(AppError::RepliedMeanwhile(meanwhile)) => {
                detail.newest_event_id = Some(meanwhile.newest_event_id.get());
                detail.replies = Some(
                    meanwhile
                        .replies
                        .iter()
                        .map(|r| MeanwhileReplyBody {
                            event_id: r.event_id.get(),
                            author_id: r.author_id.map(|a| a.get()),
                            author: r.author.clone(),
                            created_at: r.created_at,
                            body: r.body.clone(),
                        })
                        .collect(),
                );
            }
            _ => {}
        }
        detail
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, _) = self.status_and_code();
        let retry_after = match &self {
            ApiError::App(AppError::Throttled {
                retry_after_seconds,
            }) => Some(*retry_after_seconds),
            _ => None,
        };
        let detail = self.detail();
        let mut response = (status, axum::Json(ErrorBody { error: detail })).into_response();
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"ferrodesk\""),
            );
        }
        response
    }
}
