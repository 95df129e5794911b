//! What a page answers when it cannot show what was asked for: a 404 page for unknown
//! or invisible things, a 403 page for forbidden areas and refused forms, a redirect to
//! sign-in when the session has ended, and a plain "something went wrong" page for
//! failures, which never shows internals (they go to the log).

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use ferrodesk_app::AppError;

/// Everything a page handler can fail with.
#[derive(Debug)]
pub(crate) enum PageError {
    /// 404: no such page, or something the viewer may not see.
    NotFound,
    /// 403: the viewer may not use this area or do this.
    Forbidden(String),
    /// The session is missing or has ended: back to sign-in, then to `next`.
    SignIn {
        /// Where to go after signing in.
        next: String,
        /// Whether htmx asked (it follows `HX-Redirect` instead of a 303).
        is_htmx: bool,
    },
    /// 403: a state-changing request came from another site.
    CrossSite,
    /// 403: the form's CSRF token is missing or belongs to another session.
    Csrf,
    /// 400: the request could not be read (a malformed form).
    BadRequest(String),
    /// 422/409: the service refused a request that the page had no field to show
    /// the error next to.
    Refused(String),
    /// 429: too many failed sign-ins.
    Throttled(u64),
    /// 503: the database is unreachable.
    Unavailable,
    /// 500: a bug.
    Internal(String),
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    title: &'static str,
    message: String,
}

impl From<ferrodesk_http::CrossSite> for PageError {
    fn from(_: ferrodesk_http::CrossSite) -> Self {
        PageError::CrossSite
    }
}

impl From<AppError> for PageError {
    fn from(error: AppError) -> Self {
        match error {
            AppError::NotFound { .. } => PageError::NotFound,
            AppError::Forbidden { message } => PageError::Forbidden(message),
            AppError::Unauthenticated { .. } => PageError::SignIn {
                next: "/".into(),
                is_htmx: false,
            },
            AppError::Throttled {
                retry_after_seconds,
            } => PageError::Throttled(retry_after_seconds),
            AppError::Unavailable(source) => {
                tracing::error!(error = %source, "store unavailable");
                PageError::Unavailable
            }
            AppError::Internal(message) => PageError::Internal(message),
            refused @ (AppError::Invalid { .. }
            | AppError::TooLarge { .. }
            | AppError::InvalidTransition(_)
            | AppError::Conflict { .. }
            | AppError::RepliedMeanwhile(_)) => PageError::Refused(refused.to_string()),
        }
    }
}

impl PageError {
    fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            PageError::NotFound => (
                StatusCode::NOT_FOUND,
                "Page not found",
                "There is nothing here, or it is not yours to see. Check the address, or go back to your start page.".into(),
            ),
            PageError::Forbidden(message) => (
                StatusCode::FORBIDDEN,
                "Not allowed",
                capitalize(message),
            ),
            PageError::CrossSite => (
                StatusCode::FORBIDDEN,
                "Request refused",
                "This request came from another site, so it was refused. Open Ferrodesk directly and try again.".into(),
            ),
            PageError::Csrf => (
                StatusCode::FORBIDDEN,
                "This form has expired",
                "The form was opened in an earlier session. Go back, reload the page and send it again.".into(),
            ),
            PageError::BadRequest(message) => {
                (StatusCode::BAD_REQUEST, "Bad request", capitalize(message))
            }
            PageError::Refused(message) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "That did not work",
                capitalize(message),
            ),
            PageError::Throttled(seconds) => (
                StatusCode::TOO_MANY_REQUESTS,
                "Too many attempts",
                format!("Too many failed sign-ins. Try again in {} minutes.", seconds.div_ceil(60)),
            ),
            PageError::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Service unavailable",
                "The desk cannot reach its database right now. Try again in a moment.".into(),
            ),
            PageError::Internal(_) | PageError::SignIn { .. } => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "This is a fault on our side and it has been logged. Try again, and tell the service desk if it keeps happening.".into(),
            ),
        }
    }
}

/// Upper-cases the first letter of a service message for display as a sentence.
pub(crate) fn capitalize(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if let PageError::SignIn { next, is_htmx } = &self {
            let location = format!("/login?next={}", crate::form::url_encode(next));
            if *is_htmx {
                let mut response = StatusCode::NO_CONTENT.into_response();
                if let Ok(value) = HeaderValue::from_str(&location) {
                    response.headers_mut().insert("hx-redirect", value);
                }
                return response;
            }
            return Redirect::to(&location).into_response();
        }
        if let PageError::Internal(message) = &self {
            tracing::error!(%message, "page failed");
        }
        let (status, title, message) = self.parts();
        let page = ErrorPage {
            status: status.as_u16(),
            title,
            message,
        };
        let mut response = match page.render() {
            Ok(body) => (status, Html(body)).into_response(),
            Err(error) => {
                tracing::error!(%error, "rendering the error page failed");
                (status, title).into_response()
            }
        };
        if let PageError::Throttled(seconds) = self
            && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

/// Renders a template with a status; a template that fails to render is a bug and
/// answers the 500 page.
pub(crate) fn render(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(body) => (status, Html(body)).into_response(),
        Err(error) => PageError::Internal(format!("rendering a template: {error}")).into_response(),
    }
}

/// A page result.
pub(crate) type PageResult<T = Response> = Result<T, PageError>;
