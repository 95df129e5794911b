//! The OpenAPI document describes every route the router serves, and nothing else.

use crate::support::TestApp;
use axum::http::Method;
use serde_json::Value;
use std::collections::BTreeSet;

backend_tests!(openapi_document_lists_every_route_the_router_serves);

/// The paths the router serves, read from its debug form (axum exposes no route list;
/// if this format changes, the test fails loudly rather than passing vacuously).
fn router_paths(router: &axum::Router) -> BTreeSet<String> {
    let debug = format!("{router:?}");
    let paths: BTreeSet<String> = debug
        .split('"')
        .filter(|s| s.starts_with('/') && !s.contains(' '))
        // The fallback's own catch-all routes are not endpoints.
        .filter(|s| *s != "/" && !s.contains("__private__"))
        .map(str::to_owned)
        .collect();
    assert!(
        paths.len() > 10,
        "could not read routes from the router: {debug}"
    );
    paths
}

async fn openapi_document_lists_every_route_the_router_serves(t: TestApp) {
    let response = t.get("/api/v1/openapi.json").send().await;
    assert_eq!(response.header("content-type"), Some("application/json"));
    let document = response.ok(200);
    assert!(
        document["openapi"].as_str().unwrap().starts_with("3.1."),
        "{}",
        document["openapi"]
    );
    assert_eq!(document["info"]["title"], "Ferrodesk API");
    assert!(document["components"]["securitySchemes"]["bearer"].is_object());
    assert!(document["components"]["schemas"]["ErrorBody"].is_object());

    let mut documented = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                documented.insert((path.clone(), method.to_uppercase()));
                let responses = operation["responses"].as_object().unwrap();
                assert!(
                    !responses.is_empty(),
                    "{method} {path} documents no responses"
                );
                if !path.starts_with("/healthz")
                    && !path.ends_with("openapi.json")
                    && !path.ends_with("logout")
                {
                    assert!(
                        responses.keys().any(|status| status.starts_with('4')),
                        "{method} {path} documents no error responses"
                    );
                }
            }
        }
    }

    // Ask the router which methods each of its paths accepts: an unrouted method answers
    // 405 with an Allow header.
    let mut served = BTreeSet::new();
    for path in router_paths(&t.router) {
        let concrete = path.replace("{id}", "10001");
        let probe = t.call(Method::TRACE, &concrete).send().await;
        assert_eq!(probe.status, 405, "TRACE {concrete}: {}", probe.text);
        let allow = probe.header("allow").unwrap_or_default().to_owned();
        for method in allow
            .split(',')
            .map(str::trim)
            .filter(|m| !m.is_empty() && *m != "HEAD")
        {
            served.insert((path.clone(), method.to_owned()));
        }
    }
    let undocumented: Vec<_> = served.difference(&documented).collect();
    let unserved: Vec<_> = documented.difference(&served).collect();
    assert!(
        undocumented.is_empty(),
        "routes without OpenAPI docs: {undocumented:?}"
    );
    assert!(
        unserved.is_empty(),
        "documented but not served: {unserved:?}"
    );

    // Every schema reference resolves.
    let text = document.to_string();
    let schemas = document["components"]["schemas"].as_object().unwrap();
    for reference in text.split("\"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().unwrap();
        assert!(
            schemas.contains_key(name),
            "dangling schema reference {name}"
        );
    }
    let _: &Value = &document;
}
