//! The HTTP security helpers that the JSON API (`ferrodesk-web`) and the pages
//! (`ferrodesk-ui`) share: the same-origin (CSRF) check, the session cookie (reading
//! and setting it), whether a request came over HTTPS, and the client's address.
//!
//! Both crates serve the same browser session behind one cookie, so they must judge
//! requests the same way; this crate is the one place that says how. It knows headers
//! and nothing about the desk: it does not depend on the services, and each caller maps
//! [`CrossSite`] to its own error type (`ApiError::CrossSite`, `PageError::CrossSite`).

#![cfg_attr(test, allow(clippy::unwrap_used))]

use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use std::net::SocketAddr;

/// The session cookie's name, the same for the JSON API's sign-in and the pages.
pub const SESSION_COOKIE: &str = "ferrodesk_session";

/// A browser sent the request on behalf of another site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cross-site request refused")]
pub struct CrossSite;

/// Whether a method never changes state.
pub fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Refuses requests a browser sent on behalf of another site. Browsers that send Fetch
/// Metadata say so in `Sec-Fetch-Site`; older ones are judged by `Origin` vs `Host`.
/// Requests with neither header are not from a browser page and pass.
///
/// # Errors
///
/// [`CrossSite`] when the request came from another site, or its `Origin` cannot be
/// compared with its host.
pub fn check_same_origin(parts: &Parts) -> Result<(), CrossSite> {
    if let Some(site) = parts.headers.get("sec-fetch-site") {
        return match site.as_bytes() {
            b"same-origin" | b"none" => Ok(()),
            _ => Err(CrossSite),
        };
    }
    if let Some(origin) = parts.headers.get(header::ORIGIN) {
        let origin = origin.to_str().map_err(|_| CrossSite)?;
        let origin_host = origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"))
            .ok_or(CrossSite)?;
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .or_else(|| parts.uri.authority().map(|a| a.as_str()))
            .ok_or(CrossSite)?;
        if !origin_host.eq_ignore_ascii_case(host) {
            return Err(CrossSite);
        }
    }
    Ok(())
}

/// The value of cookie `name`, if the request carries it.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim_matches('"').to_owned())
        .filter(|value| !value.is_empty())
}

/// The session cookie, HttpOnly and SameSite=Lax; `Secure` when served over TLS. An
/// empty value with `max_age_seconds` 0 clears it. `None` if `value` cannot be a
/// header.
pub fn session_cookie(value: &str, max_age_seconds: i64, secure: bool) -> Option<HeaderValue> {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{secure}"
    ))
    .ok()
}

/// Whether the request reached the desk over HTTPS (directly or through a proxy that
/// says so).
pub fn is_https(parts: &Parts) -> bool {
    parts.uri.scheme_str() == Some("https")
        || parts
            .headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
}

/// The client's address: the last `X-Forwarded-For` entry when `trust_forwarded` (only
/// behind a proxy that sets it; otherwise clients could pick their own address and
/// dodge sign-in throttling), else the peer address if the server recorded it.
pub fn client_address(parts: &Parts, trust_forwarded: bool) -> Option<String> {
    let forwarded = trust_forwarded
        .then(|| {
            parts
                .headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        })
        .flatten();
    forwarded.or_else(|| {
        parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip().to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(headers: &[(&str, &str)]) -> Parts {
        let mut request = Request::post("/x");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.body(()).unwrap().into_parts().0
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; ferrodesk_session=xyz; b=2"),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE).as_deref(), Some("xyz"));
        assert_eq!(cookie(&headers, "missing"), None);
    }

    #[test]
    fn only_same_origin_requests_pass() {
        assert!(check_same_origin(&parts(&[("sec-fetch-site", "same-origin")])).is_ok());
        assert!(check_same_origin(&parts(&[("sec-fetch-site", "cross-site")])).is_err());
        assert!(check_same_origin(&parts(&[("origin", "https://desk"), ("host", "desk")])).is_ok());
        assert!(
            check_same_origin(&parts(&[("origin", "https://evil"), ("host", "desk")])).is_err()
        );
        assert!(check_same_origin(&parts(&[("origin", "null"), ("host", "desk")])).is_err());
        assert!(check_same_origin(&parts(&[])).is_ok());
    }

    #[test]
    fn forwarded_addresses_count_only_when_trusted() {
        let request = parts(&[("x-forwarded-for", "10.0.0.1, 192.0.2.7")]);
        assert_eq!(client_address(&request, true).as_deref(), Some("192.0.2.7"));
        assert_eq!(client_address(&request, false), None);
        assert!(is_https(&parts(&[("x-forwarded-proto", "HTTPS")])));
        assert!(!is_https(&parts(&[])));
    }
}
