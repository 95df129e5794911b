//! Who is looking at a page: the app's browser session behind the `ferrodesk_session`
//! cookie (the same cookie the API's sign-in sets, so one sign-in serves both), and the
//! checks every state-changing request must pass.
//!
//! Extractors only establish who is asking ([`Viewer`], [`Staff`], [`Admin`]); what
//! they may do is decided by the services. A request that changes state must come from
//! our own pages (Fetch Metadata, falling back to `Origin` vs `Host`) and carry the
//! session's CSRF secret in its form (checked by [`crate::form::Form`]).

use crate::UiState;
use crate::error::PageError;
use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use ferrodesk_domain::{Actor, User};
use ferrodesk_http::{check_same_origin, client_address, cookie, is_https, is_safe};

pub use ferrodesk_http::SESSION_COOKIE;

/// The signed-in person looking at a page.
#[derive(Debug, Clone)]
pub(crate) struct Viewer {
    /// Who, with what is needed for access decisions.
    pub actor: Actor,
    /// Their directory entry (name, time zone).
    pub user: User,
    /// The session's CSRF secret, put into every form.
    pub csrf: String,
    /// When the session ends.
    pub expires_at: jiff::Timestamp,
}

/// The session's CSRF secret, left in the request's extensions by [`Viewer`] for the
/// form extractor that runs after it.
#[derive(Debug, Clone)]
pub(crate) struct CsrfSecret(pub String);

impl FromRequestParts<UiState> for Viewer {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &UiState) -> Result<Self, PageError> {
        if !is_safe(&parts.method) {
            check_same_origin(parts)?;
        }
        let sign_in = || PageError::SignIn {
            next: if parts.method == Method::GET && !is_htmx(&parts.headers) {
                // Inside a nested router the URI lacks its prefix; the original has it.
                parts
                    .extensions
                    .get::<OriginalUri>()
                    .map(|original| &original.0)
                    .unwrap_or(&parts.uri)
                    .path_and_query()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_else(|| "/".into())
            } else {
                "/".into()
            },
            is_htmx: is_htmx(&parts.headers),
        };
        let Some(cookie) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(sign_in());
        };
        let (actor, session) = match state.app.auth().authenticate_session(&cookie).await {
            Ok(found) => found,
            Err(ferrodesk_app::AppError::Unauthenticated { .. }) => return Err(sign_in()),
            Err(other) => return Err(other.into()),
        };
        let user = state
            .app
            .directory()
            .get_user(&actor, actor.user_id)
            .await?;
        parts
            .extensions
            .insert(CsrfSecret(session.csrf_secret.clone()));
        Ok(Viewer {
            actor,
            user,
            csrf: session.csrf_secret,
            expires_at: session.expires_at,
        })
    }
}

/// A member of staff (agent, supervisor or admin); others get the 403 page.
#[derive(Debug, Clone)]
pub(crate) struct Staff(pub Viewer);

impl FromRequestParts<UiState> for Staff {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &UiState) -> Result<Self, PageError> {
        let viewer = Viewer::from_request_parts(parts, state).await?;
        if viewer.actor.is_staff() {
            Ok(Staff(viewer))
        } else {
            Err(PageError::Forbidden(
                "the agent workspace is for support staff; your requests are in the portal".into(),
            ))
        }
    }
}

/// An admin; others get the 403 page.
#[derive(Debug, Clone)]
pub(crate) struct Admin(pub Viewer);

impl FromRequestParts<UiState> for Admin {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &UiState) -> Result<Self, PageError> {
        let viewer = Viewer::from_request_parts(parts, state).await?;
        if viewer.actor.is_admin() {
            Ok(Admin(viewer))
        } else {
            Err(PageError::Forbidden(
                "the admin screens are for administrators".into(),
            ))
        }
    }
}

/// Whether htmx sent the request (it wants fragments and `HX-Redirect`).
pub(crate) fn is_htmx(headers: &HeaderMap) -> bool {
    headers.get("hx-request").is_some()
}

/// What the sign-in handlers need to know about the request: its client address (for
/// throttling and the audit log), whether it came over HTTPS, and its session cookie.
#[derive(Debug, Clone)]
pub(crate) struct RequestInfo {
    /// The client address.
    pub address: Option<String>,
    /// Whether cookies must be `Secure`.
    pub secure: bool,
    /// The session cookie, if any.
    pub session: Option<String>,
}

impl FromRequestParts<UiState> for RequestInfo {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &UiState) -> Result<Self, PageError> {
        let address = client_address(parts, state.config.trust_forwarded_headers);
        Ok(RequestInfo {
            address,
            secure: state.config.secure_cookies || is_https(parts),
            session: cookie(&parts.headers, SESSION_COOKIE),
        })
    }
}

/// Compares two secrets in time that depends only on their lengths.
pub(crate) fn secrets_match(given: &str, expected: &str) -> bool {
    let (a, b) = (given.as_bytes(), expected.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_match_only_when_equal() {
        assert!(secrets_match("abc", "abc"));
        assert!(!secrets_match("abd", "abc"));
        assert!(!secrets_match("ab", "abc"));
        assert!(!secrets_match("", "abc"));
    }
}
