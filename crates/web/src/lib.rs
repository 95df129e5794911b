//! Ferrodesk over HTTP: the JSON API under `/api/v1`, its OpenAPI 3.1 document,
//! `/healthz`, and the extractors and error type they share.
//!
//! This crate knows status codes and JSON and nothing about rules: handlers read
//! input, call a service from `ferrodesk-app`, and map the result. Request and response
//! types live here, not in the domain; their conversions are boring on purpose. Build
//! the whole thing with [`router`].

#![cfg_attr(test, allow(clippy::unwrap_used))]

mod account;
mod assets;
mod attachments;
mod audit;
mod auth;
mod automation;
mod categories;
pub mod error;
mod events;
pub mod extract;
mod groups;
mod health;
mod kb;
mod kb_images;
mod mail;
mod mail_outbox;
mod notifications;
mod openapi;
mod organizations;
mod presence;
mod queue_columns;
mod ratings;
mod reports;
mod routing;
mod saved_filters;
mod search;
mod services;
mod sla;
mod team;
mod ticket_templates;
mod tickets;
mod tokens;
pub mod types;
pub use attachments::file_response;
mod custom_fields;
mod macros;
mod time_entries;
mod users;
mod vendors;
mod watchers;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use error::ApiError;
use ferrodesk_app::App;
use std::sync::Arc;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;
use utoipa_axum::router::OpenApiRouter;

/// The request body limit unless configured: 1 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// HTTP settings.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// The largest request body accepted, in bytes.
    pub body_limit: usize,
    /// Mark the session cookie `Secure` on every response (the desk is served over
    /// TLS). It is also marked when a request arrives over HTTPS or with
    /// `X-Forwarded-Proto: https`.
    pub secure_cookies: bool,
    /// Take the client address from the last `X-Forwarded-For` entry (only behind a
    /// proxy that sets it; otherwise clients could pick their own address and dodge
    /// sign-in throttling).
    pub trust_forwarded_headers: bool,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            body_limit: DEFAULT_BODY_LIMIT,
            secure_cookies: false,
            trust_forwarded_headers: false,
        }
    }
}

/// What every handler gets.
#[derive(Clone)]
pub struct AppState {
    /// The services.
    pub app: App,
    /// HTTP settings.
    pub config: Arc<WebConfig>,
    /// The OpenAPI document, built once from the routes.
    pub openapi: Arc<utoipa::openapi::OpenApi>,
}

/// The body limit in force, for error messages.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyLimit(pub usize);

/// Every documented route. A route registered here without `#[utoipa::path]` docs is
/// caught by the integration test that compares the router with the document.
fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::base())
        .merge(health::routes())
        .merge(openapi::routes())
        .merge(auth::routes())
        .merge(tickets::routes())
        .merge(events::routes())
        .merge(users::routes())
        .merge(organizations::routes())
        .merge(groups::routes())
        .merge(categories::routes())
        .merge(services::routes())
        .merge(sla::routes())
        .merge(routing::routes())
        .merge(automation::routes())
        .merge(notifications::routes())
        .merge(tokens::routes())
        .merge(audit::routes())
        .merge(mail::routes())
        .merge(mail_outbox::routes())
        .merge(reports::routes())
        .merge(team::routes())
        .merge(kb::routes())
        .merge(kb_images::routes())
        .merge(search::routes())
        .merge(attachments::routes())
        .merge(assets::routes())
        .merge(watchers::routes())
        .merge(presence::routes())
        .merge(ratings::routes())
        .merge(saved_filters::routes())
        .merge(account::routes())
        .merge(vendors::routes())
        .merge(macros::routes())
        .merge(time_entries::routes())
        .merge(custom_fields::routes())
        .merge(ticket_templates::routes())
        .merge(queue_columns::routes())
}

/// The OpenAPI document of the API, as served at `/api/v1/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    openapi::with_extractor_errors(api_routes().into_openapi())
}

/// The whole HTTP application: `/healthz`, `/api/v1/openapi.json` and the JSON API.
///
/// Serve it with `into_make_service_with_connect_info::<SocketAddr>()` so sign-in
/// throttling sees client addresses.
pub fn router(app: App, config: WebConfig) -> Router {
    let (routes, document) = api_routes().split_for_parts();
    let body_limit = config.body_limit;
    let state = AppState {
        app,
        config: Arc::new(config),
        openapi: Arc::new(openapi::with_extractor_errors(document)),
    };
    routes
        .fallback(|| async { ApiError::RouteNotFound })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .with_state(state)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::Extension(BodyLimit(body_limit)))
        .layer(CatchPanicLayer::custom(
            |_panic: Box<dyn std::any::Any + Send>| {
                axum::response::IntoResponse::into_response(ApiError::Internal(
                    "a handler panicked".into(),
                ))
            },
        ))
        .layer(TraceLayer::new_for_http())
}
