//! Extractors: who is asking ([`Authenticated`]), and request input that answers with
//! our JSON errors instead of axum's plain-text rejections ([`ApiJson`],
//! [`IdempotentJson`], [`ApiQuery`], [`ApiPath`], [`TicketPath`]).
//!
//! Extractors only establish who is asking and what they sent; what they may do is
//! decided by the services.

use crate::AppState;
use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use ferrodesk_app::{AppError, IdempotencyKey, SessionInfo};
use ferrodesk_domain::{Actor, TicketId};
use ferrodesk_http::{check_same_origin, client_address, cookie, is_safe};
use serde::de::DeserializeOwned;

pub use ferrodesk_http::SESSION_COOKIE;

/// How the caller proved who they are.
#[derive(Debug, Clone)]
pub enum Credential {
    /// `Authorization: Bearer` with an API token.
    Bearer,
    /// The browser session cookie.
    Session(SessionInfo),
}

/// The signed-in caller. Cookie-authenticated requests that change state must come
/// from the desk's own pages (Fetch Metadata, falling back to `Origin` vs `Host`);
/// bearer-token requests are exempt, since browsers never attach tokens on their own.
#[derive(Debug, Clone)]
pub struct Authenticated {
    /// Who.
    pub actor: Actor,
    /// How.
    pub credential: Credential,
}

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let token = value
                .to_str()
                .ok()
                .and_then(|v| {
                    let (scheme, token) = v.trim().split_once(' ')?;
                    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
                })
                .filter(|t| !t.is_empty())
                .ok_or_else(|| {
                    AppError::unauthenticated("the Authorization header must be 'Bearer <token>'")
                })?;
            let actor = state.app.auth().authenticate_token(token).await?;
            return Ok(Authenticated {
                actor,
                credential: Credential::Bearer,
            });
        }
        if let Some(cookie) = cookie(&parts.headers, SESSION_COOKIE) {
            if !is_safe(&parts.method) {
                check_same_origin(parts)?;
            }
            let (actor, session) = state.app.auth().authenticate_session(&cookie).await?;
            return Ok(Authenticated {
                actor,
                credential: Credential::Session(session),
            });
        }
        Err(AppError::unauthenticated(
            "sign in, or send an API token as 'Authorization: Bearer <token>'",
        )
        .into())
    }
}

/// The client's address: the peer address, or the last `X-Forwarded-For` entry when
/// the desk is configured to trust its proxy.
#[derive(Debug, Clone)]
pub struct ClientAddress(pub Option<String>);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(ClientAddress(client_address(
            parts,
            state.config.trust_forwarded_headers,
        )))
    }
}

/// A JSON body; rejections answer 415, 413, 400 (syntax) or 422 (shape) in our format.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "application/json"
                || (mime.starts_with("application/") && mime.ends_with("+json"))
        })
        .unwrap_or(false)
}

async fn read_body<S: Send + Sync>(request: Request, state: &S) -> Result<Bytes, ApiError> {
    if !is_json(request.headers()) {
        return Err(ApiError::UnsupportedMediaType);
    }
    let limit = request
        .extensions()
        .get::<crate::BodyLimit>()
        .map(|l| l.0)
        .unwrap_or(crate::DEFAULT_BODY_LIMIT);
    Bytes::from_request(request, state)
        .await
        .map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge(limit)
            } else {
                ApiError::BadBody(rejection.body_text())
            }
        })
}

fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let value = serde_json::from_slice(bytes).map_err(|error| {
        let message = error.to_string();
        match error.classify() {
            serde_json::error::Category::Data => ApiError::UnprocessableJson(message),
            _ => ApiError::MalformedJson(message),
        }
    })?;
    if has_escaped_nul(bytes) {
        return Err(ApiError::UnprocessableJson(NUL_REFUSED.into()));
    }
    Ok(value)
}

/// Why text with a NUL character is refused: PostgreSQL cannot store it in a text
/// column, and no field of the desk means it; refused on every backend alike.
pub(crate) const NUL_REFUSED: &str = "text must not contain the NUL character (\\u0000)";

/// Whether valid JSON holds a NUL character: the only way to write one is the escape
/// `\u0000` inside a string (escapes are read left to right, so `\\u0000` is a
/// backslash and the text `u0000`).
fn has_escaped_nul(json: &[u8]) -> bool {
    let mut i = 0;
    while i < json.len() {
        if json[i] == b'\\' {
            if json.get(i + 1) == Some(&b'u') && json.get(i + 2..i + 6) == Some(&b"0000"[..]) {
                return true;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    false
}

/// Whether a URI part holds a percent-encoded NUL character.
pub(crate) fn has_encoded_nul(text: &str) -> bool {
    text.as_bytes().windows(3).any(|w| w == b"%00")
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = read_body(request, state).await?;
        Ok(ApiJson(parse(&bytes)?))
    }
}

/// A JSON body with an optional `Idempotency-Key` header. The key comes with a
/// fingerprint of the request (method, path and the body with its keys sorted), so a
/// key reused for a different request is refused rather than replayed.
#[derive(Debug)]
pub struct IdempotentJson<T> {
    /// The body.
    pub value: T,
    /// The key and fingerprint, when the client sent a key.
    pub idempotency: Option<IdempotencyKey>,
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for IdempotentJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let key = match request.headers().get("idempotency-key") {
            Some(value) => Some(
                value
                    .to_str()
                    .map_err(|_| {
                        ApiError::InvalidHeader("Idempotency-Key must be visible ASCII".into())
                    })?
                    .trim()
                    .to_owned(),
            ),
            None => None,
        };
        let method = request.method().as_str().to_owned();
        let path = request.uri().path().to_owned();
        let bytes = read_body(request, state).await?;
        let value = parse(&bytes)?;
        let idempotency = match key {
            Some(key) => {
                let body: serde_json::Value = parse(&bytes)?;
                let mut canonical = Vec::with_capacity(bytes.len());
                write_canonical(&body, &mut canonical);
                Some(IdempotencyKey {
                    key,
                    fingerprint: ferrodesk_app::secret::fingerprint(&[
                        method.as_bytes(),
                        path.as_bytes(),
                        &canonical,
                    ]),
                })
            }
            None => None,
        };
        Ok(IdempotentJson { value, idempotency })
    }
}

/// JSON with object keys sorted and no whitespace, so two spellings of one request
/// have one fingerprint (whatever serde_json's map order is in this build).
fn write_canonical(value: &serde_json::Value, out: &mut Vec<u8>) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push(b'{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(&Value::String(key.clone()), out);
                out.push(b':');
                if let Some(inner) = map.get(key) {
                    write_canonical(inner, out);
                }
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(item, out);
            }
            out.push(b']');
        }
        scalar => out.extend_from_slice(scalar.to_string().as_bytes()),
    }
}

/// Query parameters; a bad one answers 400 in our format.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        if parts.uri.query().is_some_and(has_encoded_nul) {
            return Err(ApiError::InvalidQuery(NUL_REFUSED.into()));
        }
        axum::extract::Query::<T>::try_from_uri(&parts.uri)
            .map(|q| ApiQuery(q.0))
            .map_err(|rejection| ApiError::InvalidQuery(rejection.body_text()))
    }
}

/// Path parameters; a bad one answers 400 in our format.
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        if has_encoded_nul(parts.uri.path()) {
            return Err(ApiError::InvalidPath(NUL_REFUSED.into()));
        }
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|rejection| ApiError::InvalidPath(rejection.body_text()))
    }
}

/// A ticket number in the path, as people write it: `10042` or `#10042` (URL-encoded).
#[derive(Debug, Clone, Copy)]
pub struct TicketPath(pub TicketId);

impl<S: Send + Sync> FromRequestParts<S> for TicketPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let ApiPath(raw) = ApiPath::<String>::from_request_parts(parts, state).await?;
        ticket_number(&raw).map(TicketPath)
    }
}

/// Reads a ticket number as people write it: `10042` or `#10042`.
pub(crate) fn ticket_number(raw: &str) -> Result<TicketId, ApiError> {
    raw.trim()
        .trim_start_matches('#')
        .parse::<i64>()
        .map(TicketId)
        .map_err(|_| ApiError::InvalidPath(format!("'{raw}' is not a ticket number")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_json_sorts_keys_at_every_level() {
        let a: serde_json::Value =
            serde_json::from_str(r#"{"b":1,"a":{"d":[1,{"z":0,"y":"x"}],"c":null}}"#).unwrap();
        let mut out = Vec::new();
        write_canonical(&a, &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"a":{"c":null,"d":[1,{"y":"x","z":0}]},"b":1}"#
        );
    }

    #[test]
    fn escaped_nul_characters_are_found_only_where_json_means_them() {
        assert!(has_escaped_nul(br#"{"a":"x\u0000y"}"#));
        assert!(has_escaped_nul(br#"["\\\u0000"]"#));
        assert!(!has_escaped_nul(br#"{"a":"x\\u0000y"}"#));
        assert!(!has_escaped_nul(br#"{"a":"\u0001","b":"u0000"}"#));
        assert!(has_encoded_nul("q=a%00b"));
        assert!(!has_encoded_nul("q=a%200"));
    }
}
