//! Bad input of every kind gets a JSON 4xx and changes nothing; health checks.

use crate::support::TestApp;
use axum::http::Method;
use serde_json::json;

backend_tests!(
    bad_bodies_get_json_errors_and_change_nothing,
    nul_characters_are_refused_in_bodies_queries_and_paths,
    unknown_routes_ids_and_methods_get_json_errors,
    health_check_answers_when_the_database_does,
);

async fn bad_bodies_get_json_errors_and_change_nothing(t: TestApp) {
    let desk = t.desk().await;
    let ticket = t.ticket(&desk.agent, json!({"subject": "Baseline"})).await;
    let patch_path = format!("/api/v1/tickets/{}", ticket["id"]);
    let post = || t.post("/api/v1/tickets").token(&desk.agent.token);

    let malformed = post()
        .raw("application/json", r#"{"subject": "#)
        .send()
        .await
        .err(400, "malformed_json");
    assert!(
        malformed["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not valid JSON")
    );
    post()
        .raw("application/json", "")
        .send()
        .await
        .err(400, "malformed_json");
    let unknown = post()
        .json(json!({"subject": "x", "colour": "red"}))
        .send()
        .await
        .err(422, "invalid_body");
    assert!(
        unknown["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown field `colour`")
    );
    let wrong_type = post()
        .json(json!({"subject": 42}))
        .send()
        .await
        .err(422, "invalid_body");
    assert!(
        wrong_type["error"]["message"]
            .as_str()
            .unwrap()
            .contains("invalid type")
    );
    post()
        .json(json!({"description": "no subject"}))
        .send()
        .await
        .err(422, "invalid_body");
    post()
        .json(json!({"subject": "x", "impact": "galactic"}))
        .send()
        .await
        .err(422, "invalid_body");
    post()
        .json(json!({"subject": ""}))
        .send()
        .await
        .err(422, "invalid_value");
    post()
        .json(json!({"subject": "x".repeat(201)}))
        .send()
        .await
        .err(422, "invalid_value");
    post()
        .raw("text/plain", r#"{"subject": "x"}"#)
        .send()
        .await
        .err(415, "unsupported_media_type");
    t.post("/api/v1/tickets")
        .token(&desk.agent.token)
        .send()
        .await
        .err(415, "unsupported_media_type");
    let huge = json!({"subject": "big", "description": "x".repeat(1024 * 1024 + 10)});
    let too_large = post().json(huge).send().await.err(413, "payload_too_large");
    assert!(
        too_large["error"]["message"]
            .as_str()
            .unwrap()
            .contains("1048576")
    );
    // The same for PATCH and events.
    t.patch(&patch_path)
        .token(&desk.agent.token)
        .raw("application/json", "{")
        .send()
        .await
        .err(400, "malformed_json");
    t.patch(&patch_path)
        .token(&desk.agent.token)
        .json(json!({"subject": ["x"]}))
        .send()
        .await
        .err(422, "invalid_body");
    t.patch(&patch_path)
        .token(&desk.agent.token)
        .json(json!({"subjct": "x"}))
        .send()
        .await
        .err(422, "invalid_body");
    t.post(&format!("{patch_path}/events"))
        .token(&desk.agent.token)
        .raw("application/json", r#"{"type": "#)
        .send()
        .await
        .err(400, "malformed_json");

    assert_eq!(t.ticket_count(&desk.admin).await, 1);
    let unchanged = t
        .get(&patch_path)
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(unchanged["version"], ticket["version"]);
    let events = t
        .get(&format!("{patch_path}/events"))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(events["items"].as_array().unwrap().len(), 1);
}

async fn unknown_routes_ids_and_methods_get_json_errors(t: TestApp) {
    let desk = t.desk().await;
    t.get("/api/v1/nothing-here")
        .token(&desk.agent.token)
        .send()
        .await
        .err(404, "route_not_found");
    t.get("/api/v1/tickets/abc")
        .token(&desk.agent.token)
        .send()
        .await
        .err(400, "invalid_path");
    t.get("/api/v1/tickets/424242/events")
        .token(&desk.agent.token)
        .send()
        .await
        .err(404, "ticket_not_found");
    t.post("/api/v1/tickets/424242/transition")
        .token(&desk.agent.token)
        .json(json!({"status": "open"}))
        .send()
        .await
        .err(404, "ticket_not_found");
    t.post("/api/v1/tickets/424242/links")
        .token(&desk.agent.token)
        .json(json!({"kind": "related", "ticket_id": 424243}))
        .send()
        .await
        .err(404, "ticket_not_found");
    let wrong_method = t
        .call(Method::PUT, "/api/v1/tickets")
        .token(&desk.agent.token)
        .send()
        .await;
    let allow = wrong_method.header("allow").unwrap_or_default().to_owned();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
    wrong_method.err(405, "method_not_allowed");
}

async fn health_check_answers_when_the_database_does(t: TestApp) {
    let health = t.get("/healthz").send().await.ok(200);
    assert_eq!(health, json!({"status": "ok"}));
}

/// PostgreSQL cannot store a NUL character in text: found by schemathesis as a 503 for
/// any text with `\u0000`. Every backend refuses it up front, in a body (422), a query
/// (400) or a path (400), and stores nothing.
async fn nul_characters_are_refused_in_bodies_queries_and_paths(t: TestApp) {
    let desk = t.desk().await;
    let before = t.ticket_count(&desk.admin).await;
    for (path, body) in [
        ("/api/v1/tickets", json!({"subject": "VPN\u{0}down"})),
        ("/api/v1/groups", json!({"name": "Net\u{0}work", "tier": 2})),
        ("/api/v1/organizations", json!({"name": "\u{0}"})),
        (
            "/api/v1/kb/articles",
            json!({"title": "Reset\u{0}", "body": "Steps"}),
        ),
    ] {
        let refused = t
            .post(path)
            .token(&desk.admin.token)
            .json(body)
            .send()
            .await
            .err(422, "invalid_body");
        assert!(
            refused["error"]["message"]
                .as_str()
                .unwrap()
                .contains("NUL"),
            "{path}: {refused}"
        );
    }
    assert_eq!(t.ticket_count(&desk.admin).await, before);
    // An escaped backslash before `u0000` is text, not a NUL character.
    let ticket = t
        .ticket(&desk.admin, json!({"subject": "path C:\\u0000"}))
        .await;
    assert_eq!(ticket["subject"], "path C:\\u0000");
    t.get("/api/v1/tickets?q=vpn%00")
        .token(&desk.admin.token)
        .send()
        .await
        .err(400, "invalid_query");
    t.get("/api/v1/kb/articles/1/images/ab%00cd")
        .token(&desk.admin.token)
        .send()
        .await
        .err(400, "invalid_path");
}
