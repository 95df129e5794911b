//! Saved filters: private or shared with a group, staff only, deleted by their owner.

use crate::support::{TestApp, items};
use serde_json::json;

backend_tests!(
    filters_are_private_or_shared_with_a_group,
    bad_filters_are_refused_and_write_nothing,
);

async fn filters_are_private_or_shared_with_a_group(t: TestApp) {
    let desk = t.desk().await;
    let colleague = t.person("agent", Some(1), &["Service Desk"], None).await;
    let shared = t
        .post("/api/v1/saved-filters")
        .token(&desk.agent.token)
        .json(json!({"name": "VPN by priority", "query": "open?sort=priority&q=vpn", "group_id": desk.service_desk}))
        .send()
        .await
        .ok(201);
    assert_eq!(shared["group_id"], desk.service_desk);
    assert_eq!(shared["query"], "open?sort=priority&q=vpn");
    t.post("/api/v1/saved-filters")
        .token(&desk.agent.token)
        .json(json!({"name": "Mine, oldest", "query": "mine?sort=oldest"}))
        .send()
        .await
        .ok(201);

    let names = |body: &serde_json::Value| -> Vec<String> {
        items(body)
            .iter()
            .map(|f| f["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let own = t
        .get("/api/v1/saved-filters")
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(names(&own), ["Mine, oldest", "VPN by priority"]);
    let theirs = t
        .get("/api/v1/saved-filters")
        .token(&colleague.token)
        .send()
        .await
        .ok(200);
    assert_eq!(names(&theirs), ["VPN by priority"]);
    let other_group = t
        .get("/api/v1/saved-filters")
        .token(&desk.network_agent.token)
        .send()
        .await
        .ok(200);
    assert!(names(&other_group).is_empty());
    let supervisor = t
        .get("/api/v1/saved-filters")
        .token(&desk.supervisor.token)
        .send()
        .await
        .ok(200);
    assert_eq!(names(&supervisor), ["VPN by priority"]);

    // Only the owner deletes.
    let path = format!("/api/v1/saved-filters/{}", shared["id"]);
    t.delete(&path)
        .token(&colleague.token)
        .send()
        .await
        .err(404, "saved_filter_not_found");
    let deleted = t.delete(&path).token(&desk.agent.token).send().await;
    assert_eq!(deleted.status, 204);
    let theirs = t
        .get("/api/v1/saved-filters")
        .token(&colleague.token)
        .send()
        .await
        .ok(200);
    assert!(names(&theirs).is_empty());
    t.delete(&path)
        .token(&desk.agent.token)
        .send()
        .await
        .err(404, "saved_filter_not_found");
}

async fn bad_filters_are_refused_and_write_nothing(t: TestApp) {
    let desk = t.desk().await;
    let post = || t.post("/api/v1/saved-filters").token(&desk.agent.token);
    post()
        .raw("application/json", "{\"name\": ")
        .send()
        .await
        .err(400, "malformed_json");
    post()
        .json(json!({"name": "x", "query": "open", "colour": "red"}))
        .send()
        .await
        .err(422, "invalid_body");
    for (body, field) in [
        (json!({"name": " ", "query": "open"}), "name"),
        (json!({"name": "x".repeat(61), "query": "open"}), "name"),
        (
            json!({"name": "Evil", "query": "https://evil.example/"}),
            "query",
        ),
        (json!({"name": "Evil", "query": "open?a=b c"}), "query"),
    ] {
        let error = post().json(body).send().await.err(422, "invalid_value");
        assert_eq!(error["error"]["field"], field);
    }
    post()
        .json(json!({"name": "Net", "query": "open", "group_id": desk.network}))
        .send()
        .await
        .err(403, "forbidden");
    post()
        .json(json!({"name": "Ghost", "query": "open", "group_id": 999_999}))
        .send()
        .await
        .err(404, "group_not_found");
    t.post("/api/v1/saved-filters")
        .token(&desk.customer.token)
        .json(json!({"name": "Mine", "query": "mine"}))
        .send()
        .await
        .err(403, "forbidden");
    t.get("/api/v1/saved-filters")
        .token(&desk.customer.token)
        .send()
        .await
        .err(403, "forbidden");
    let listed = t
        .get("/api/v1/saved-filters")
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert!(items(&listed).is_empty(), "nothing was written");
    post()
        .json(json!({"name": "Once", "query": "open"}))
        .send()
        .await
        .ok(201);
    post()
        .json(json!({"name": "Once", "query": "mine"}))
        .send()
        .await
        .err(409, "filter_name_taken");
    t.delete("/api/v1/saved-filters/abc")
        .token(&desk.agent.token)
        .send()
        .await
        .err(400, "invalid_path");
}
