//! The queue's columns: each person chooses and orders theirs; unknown columns are
//! named and refused.

use crate::support::TestApp;
use axum::http::Method;
use serde_json::json;

backend_tests!(
    columns_are_the_standard_set_until_chosen_then_the_persons_own,
    bad_columns_are_refused_and_change_nothing,
);

async fn columns_are_the_standard_set_until_chosen_then_the_persons_own(t: TestApp) {
    let desk = t.desk().await;
    let standard = t
        .get("/api/v1/me/queue-columns")
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(
        standard["columns"],
        json!([
            "priority", "number", "subject", "status", "assignee", "sla_due", "updated"
        ])
    );
    assert_eq!(standard["available"].as_array().unwrap().len(), 15);

    let saved = t
        .call(Method::PUT, "/api/v1/me/queue-columns")
        .token(&desk.agent.token)
        .json(json!({"columns": ["subject", "requester", "tags", "created"]}))
        .send()
        .await
        .ok(200);
    assert_eq!(
        saved["columns"],
        json!(["subject", "requester", "tags", "created"])
    );
    let read = t
        .get("/api/v1/me/queue-columns")
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(read["columns"], saved["columns"]);
    // A colleague still has the standard set.
    let theirs = t
        .get("/api/v1/me/queue-columns")
        .token(&desk.network_agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(theirs["columns"], standard["columns"]);
}

async fn bad_columns_are_refused_and_change_nothing(t: TestApp) {
    let desk = t.desk().await;
    let put = |body: serde_json::Value| {
        t.call(Method::PUT, "/api/v1/me/queue-columns")
            .token(&desk.agent.token)
            .json(body)
    };
    let unknown = put(json!({"columns": ["subject", "mood"]}))
        .send()
        .await
        .err(422, "invalid_value");
    assert!(
        unknown["error"]["message"]
            .as_str()
            .unwrap()
            .contains("'mood'"),
        "{unknown}"
    );
    put(json!({"columns": ["subject", "subject"]}))
        .send()
        .await
        .err(422, "invalid_value");
    put(json!({"columns": ["status", "tags"]}))
        .send()
        .await
        .err(422, "invalid_value");
    put(json!({"columns": "subject"}))
        .send()
        .await
        .err(422, "invalid_body");
    t.call(Method::PUT, "/api/v1/me/queue-columns")
        .token(&desk.agent.token)
        .raw("application/json", "{\"columns\": [")
        .send()
        .await
        .err(400, "malformed_json");
    t.call(Method::PUT, "/api/v1/me/queue-columns")
        .token(&desk.customer.token)
        .json(json!({"columns": ["subject"]}))
        .send()
        .await
        .err(403, "forbidden");
    let read = t
        .get("/api/v1/me/queue-columns")
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(read["columns"][0], "priority");
}
