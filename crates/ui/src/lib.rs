//! Ferrodesk in the browser: the agent workspace (`/agent`), the self-service portal
//! (`/portal`), the admin screens (`/admin`), sign-in (`/login`, `/logout`) and the
//! embedded static assets (`/assets`).
//!
//! Pages are rendered on the server from askama templates compiled into the binary
//! (auto-escaped); htmx (vendored, see `crates/ui/README.md`) and a little plain
//! JavaScript of our own add live refresh and keyboard navigation, but every page and
//! form works without them. Every read and write goes through the services of
//! `ferrodesk-app`, so the pages enforce exactly the roles the JSON API enforces; this
//! crate only decides how things look.
//!
//! Sessions are the app's browser sessions (the same `ferrodesk_session` cookie the
//! API's sign-in sets). Every state-changing form carries the session's CSRF secret in
//! a hidden field and must also pass a Fetch-Metadata / `Origin` check. Build the whole
//! thing with [`router`].

#![cfg_attr(test, allow(clippy::unwrap_used))]

mod account;
mod admin;
mod agent;
mod assets;
mod chrome;
mod custom_fields;
mod desk;
mod error;
mod form;
mod knowledge;
mod live;
mod portal;
mod portal_kb;
mod rating;
mod session;
mod sign_in;
mod sla;
mod ticket_templates;
mod view;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::IntoResponse as _;
use axum::routing::get;
use ferrodesk_app::App;
use std::sync::Arc;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;

pub use session::SESSION_COOKIE;

/// The request body limit unless configured: 1 MiB, plenty for a form.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// Settings of the browser UI.
#[derive(Debug, Clone)]
pub struct UiConfig {
    /// Mark the session cookie `Secure` on every response (the desk is served over
    /// TLS). It is also marked when a request arrives over HTTPS or with
    /// `X-Forwarded-Proto: https`.
    pub secure_cookies: bool,
    /// Take the client address from the last `X-Forwarded-For` entry (only behind a
    /// proxy that sets it; otherwise clients could dodge sign-in throttling).
    pub trust_forwarded_headers: bool,
    /// The largest form body accepted, in bytes.
    pub body_limit: usize,
    /// How often the live-update watcher looks for changes made elsewhere (the JSON
    /// API, other nodes). Changes made through these pages are pushed at once.
    pub live_poll_interval: Duration,
    /// Whether outbound mail has an SMTP server to go through; without one the
    /// outbox screen says that messages wait.
    pub is_smtp_configured: bool,
}

impl Default for UiConfig {
    fn default() -> Self {
        UiConfig {
            secure_cookies: false,
            trust_forwarded_headers: false,
            body_limit: DEFAULT_BODY_LIMIT,
            live_poll_interval: Duration::from_millis(1000),
            is_smtp_configured: false,
        }
    }
}

/// What every handler gets.
#[derive(Clone)]
pub(crate) struct UiState {
    /// The services.
    pub app: App,
    /// Settings.
    pub config: Arc<UiConfig>,
    /// The live-update hub.
    pub live: live::Hub,
}

/// The browser UI: `/`, `/login`, `/logout`, `/agent/...`, `/portal/...`,
/// `/admin/...` and `/assets/...`. Unknown paths under `/agent`, `/portal` and
/// `/admin` answer the HTML 404 page, and so does any other unknown path unless the
/// fallback is replaced.
///
/// Serve it in front of the JSON API by handing the API router over as the fallback
/// (axum refuses to merge two routers that both have a fallback):
/// `ferrodesk_ui::router(app.clone(), ui_config).fallback_service(api_router)`, and
/// serve with `into_make_service_with_connect_info::<SocketAddr>()` so sign-in
/// throttling sees client addresses.
pub fn router(app: App, config: UiConfig) -> Router {
    let body_limit = config.body_limit;
    let live = live::Hub::new(app.clone(), config.live_poll_interval);
    let state = UiState {
        app,
        config: Arc::new(config),
        live,
    };
    let pages = Router::new()
        .route("/", get(sign_in::home))
        .merge(sign_in::routes())
        .merge(rating::public_routes())
        .merge(account::routes())
        .merge(custom_fields::routes())
        .nest(
            "/agent",
            agent::routes()
                .merge(admin::mail::agent_routes())
                .merge(admin::assignment::agent_routes())
                .fallback(not_found),
        )
        .nest("/portal", portal::routes().fallback(not_found))
        .nest(
            "/admin",
            admin::routes()
                .merge(account::admin_routes())
                .fallback(not_found),
        )
        .fallback(not_found)
        .with_state(state)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    Router::new()
        .merge(assets::routes())
        .merge(pages)
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("x-frame-options"),
            HeaderValue::from_static("DENY"),
        ))
        .layer(CatchPanicLayer::custom(
            |_panic: Box<dyn std::any::Any + Send>| {
                error::PageError::Internal("a handler panicked".into()).into_response()
            },
        ))
}

async fn not_found() -> error::PageError {
    error::PageError::NotFound
}

/// Scripts, styles and fonts come only from `/assets`; no inline script or style runs,
/// so an injected tag would do nothing even if escaping ever failed.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
