//! The OpenAPI 3.1 document: generated from the handlers' `#[utoipa::path]`
//! annotations and served at `/api/v1/openapi.json`.

use crate::AppState;
use axum::Json;
use axum::extract::State;
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Ferrodesk API",
        description = "The JSON API of Ferrodesk, an IT help desk. Authenticate with \
            `Authorization: Bearer <token>` (tokens come from `ferrodesk tokens create` or \
            `POST /api/v1/tokens`) or with the session cookie from `POST /api/v1/auth/login`. \
            Errors are `{\"error\": {\"code\": \"...\", \"message\": \"...\"}}`."
    ),
    modifiers(&Security),
    security(("bearer" = []), ("session" = [])),
    components(schemas(crate::error::ErrorBody))
)]
struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("an API token, `fd_...`"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::extract::SESSION_COOKIE,
                "the browser session from POST /api/v1/auth/login",
            ))),
        );
    }
}

/// The document before routes are added: info, security schemes, shared schemas.
pub(crate) fn base() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(document))
}

/// This document.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "meta",
    security(()),
    responses((status = 200, description = "the OpenAPI 3.1 document", body = Object))
)]
async fn document(State(state): State<AppState>) -> Json<utoipa::openapi::OpenApi> {
    Json(state.openapi.as_ref().clone())
}
