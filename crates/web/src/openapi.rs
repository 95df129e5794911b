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

/// Documents, on every operation, the errors its extractors answer before the handler
/// runs (see `crate::extract`), so no annotation can forget them:
///
/// - a JSON body ([`ApiJson`](crate::extract::ApiJson),
///   [`IdempotentJson`](crate::extract::IdempotentJson)): 400 `malformed_json` or
///   `bad_body`, 413 `payload_too_large`, 415 `unsupported_media_type`, 422 `invalid_body`
///   (also for a NUL character in any text);
/// - any other body (uploads): 413;
/// - path parameters ([`ApiPath`](crate::extract::ApiPath),
///   [`TicketPath`](crate::extract::TicketPath)): 400 `invalid_path` (also for `%00`);
/// - query parameters ([`ApiQuery`](crate::extract::ApiQuery)): 400 `invalid_query`
///   (also for `%00`);
/// - header parameters (`Idempotency-Key`): 400 `invalid_header`;
/// - a signed-in caller ([`Authenticated`](crate::extract::Authenticated), every
///   operation without its own `security`): 401 `unauthenticated`, and for a method that
///   changes state, 403 `cross_site_request` when the session cookie comes from another
///   site.
///
/// A status the annotation already documents keeps its own description.
pub(crate) fn with_extractor_errors(
    mut document: utoipa::openapi::OpenApi,
) -> utoipa::openapi::OpenApi {
    use utoipa::openapi::path::ParameterIn;
    for item in document.paths.paths.values_mut() {
        let operations = [
            ("get", &mut item.get),
            ("put", &mut item.put),
            ("post", &mut item.post),
            ("delete", &mut item.delete),
            ("patch", &mut item.patch),
        ];
        for (method, operation) in operations {
            let Some(operation) = operation else {
                continue;
            };
            let mut bad_request: Vec<&str> = Vec::new();
            let mut errors: Vec<(&str, &str)> = Vec::new();
            match &operation.request_body {
                Some(utoipa::openapi::RefOr::T(body)) => {
                    if body.content.keys().any(|c| c.ends_with("json")) {
                        bad_request.push("malformed JSON");
                        errors.push(("415", "the body is not declared as JSON"));
                        errors.push((
                            "422",
                            "the JSON does not fit the request, or holds a NUL character",
                        ));
                    }
                    errors.push(("413", "the body is larger than the limit"));
                }
                Some(utoipa::openapi::RefOr::Ref(_)) => {
                    errors.push(("413", "the body is larger than the limit"));
                }
                None => {}
            }
            let parameters = operation.parameters.iter().flatten();
            for parameter in parameters {
                let utoipa::openapi::RefOr::T(parameter) = parameter else {
                    continue;
                };
                let cause = match parameter.parameter_in {
                    ParameterIn::Path => "a path parameter is wrong",
                    ParameterIn::Query | ParameterIn::QueryString => "a query parameter is wrong",
                    ParameterIn::Header => "a header is wrong",
                    ParameterIn::Cookie => continue,
                };
                if !bad_request.contains(&cause) {
                    bad_request.push(cause);
                }
            }
            let bad_request = bad_request.join(", or ");
            if !bad_request.is_empty() {
                errors.push(("400", &bad_request));
            }
            if operation.security.is_none() {
                errors.push(("401", "not signed in"));
                if method != "get" {
                    errors.push((
                        "403",
                        "a request with the session cookie came from another site",
                    ));
                }
            }
            for (status, description) in errors {
                operation
                    .responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| error_response(description).into());
            }
        }
    }
    document
}

/// A response with the `ErrorBody` schema.
fn error_response(description: &str) -> utoipa::openapi::Response {
    utoipa::openapi::ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            utoipa::openapi::ContentBuilder::new()
                .schema(Some(utoipa::openapi::Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build()
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
