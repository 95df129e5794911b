//! `/api/v1/macros` and applying one to a ticket: staff manage their own, supervisors
//! and admins the shared ones; applying writes the reply and the actions together;
//! bad input gets a clear error and changes nothing.

use crate::support::{Desk, TestApp};
use serde_json::{Value, json};

backend_tests!(
    an_agent_saves_previews_and_applies_a_macro_in_one_write,
    shared_macros_are_managed_by_supervisors_and_used_by_their_groups,
    bad_macro_input_gets_a_clear_error_and_changes_nothing,
    a_refused_status_move_applies_nothing,
);

async fn desk_ticket(t: &TestApp, desk: &Desk) -> (Value, String) {
    let ticket = t
        .ticket(
            &desk.admin,
            json!({"subject": "Printer out of toner", "description": "Third floor.",
                   "requester_id": desk.customer.id, "group_id": desk.service_desk}),
        )
        .await;
    let number = ticket["id"].as_i64().unwrap().to_string();
    (ticket, number)
}

async fn save(t: &TestApp, token: &str, body: Value) -> Value {
    t.post("/api/v1/macros")
        .token(token)
        .json(body)
        .send()
        .await
        .ok(201)
}

async fn an_agent_saves_previews_and_applies_a_macro_in_one_write(t: TestApp) {
    let desk = t.desk().await;
    let (ticket, number) = desk_ticket(&t, &desk).await;
    let saved = save(
        &t,
        &desk.agent.token,
        json!({"name": "Waiting for you",
               "body": "Hello {{requester.name}}, about {{ticket.number}}.",
               "actions": {"status": "pending_customer", "assignee_id": desk.agent.id,
                           "add_tags": ["waiting"]}}),
    )
    .await;
    assert_eq!(saved["shared"], false);
    assert_eq!(saved["owner_id"], desk.agent.id);
    assert_eq!(saved["actions"]["status"], "pending_customer");
    let id = saved["id"].as_i64().unwrap();
    let listed = t
        .get("/api/v1/macros")
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(listed, json!([saved]));

    let preview = t
        .get(&format!("/api/v1/tickets/{number}/macros/{id}/preview"))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    let filled = format!("Hello Test customer, about #{number}.");
    assert_eq!(preview["body"], filled.as_str());
    // The preview wrote nothing.
    let unchanged = t
        .get(&format!("/api/v1/tickets/{number}"))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(unchanged["version"], ticket["version"]);

    let applied = t
        .post(&format!("/api/v1/tickets/{number}/macros/{id}"))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(201);
    assert_eq!(applied["ticket"]["status"], "pending_customer");
    assert_eq!(applied["ticket"]["assignee_id"], desk.agent.id);
    assert_eq!(applied["ticket"]["tags"], json!(["waiting"]));
    assert_eq!(
        applied["ticket"]["version"].as_i64().unwrap(),
        ticket["version"].as_i64().unwrap() + 1
    );
    let events = applied["events"].as_array().unwrap();
    assert!(
        events
            .iter()
            .any(|e| e["type"] == "reply" && e["body"] == filled.as_str()),
        "{events:?}"
    );
    // The customer sees the reply with their name.
    let timeline = t
        .get(&format!("/api/v1/tickets/{number}/events"))
        .token(&desk.customer.token)
        .send()
        .await
        .ok(200);
    assert!(timeline.to_string().contains(&filled), "{timeline}");

    t.delete(&format!("/api/v1/macros/{id}"))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(204);
    t.get(&format!("/api/v1/macros/{id}"))
        .token(&desk.agent.token)
        .send()
        .await
        .err(404, "macro_not_found");
}

async fn shared_macros_are_managed_by_supervisors_and_used_by_their_groups(t: TestApp) {
    let desk = t.desk().await;
    let shared = json!({"name": "Toner", "body": "Toner is on its way, {{requester.name}}.",
                        "shared": true, "group_ids": [desk.service_desk]});
    t.post("/api/v1/macros")
        .token(&desk.agent.token)
        .json(shared.clone())
        .send()
        .await
        .err(403, "forbidden");
    let saved = save(&t, &desk.supervisor.token, shared).await;
    let path = format!("/api/v1/macros/{}", saved["id"]);
    assert_eq!(saved["shared"], true);
    assert_eq!(saved["group_ids"], json!([desk.service_desk]));
    // The agent of the group uses it but may not change it.
    t.get(&path).token(&desk.agent.token).send().await.ok(200);
    t.patch(&path)
        .token(&desk.agent.token)
        .json(json!({"name": "Mine now"}))
        .send()
        .await
        .err(403, "forbidden");
    t.delete(&path)
        .token(&desk.agent.token)
        .send()
        .await
        .err(403, "forbidden");
    // The network agent does not see it at all.
    t.get(&path)
        .token(&desk.network_agent.token)
        .send()
        .await
        .err(404, "macro_not_found");
    let theirs = t
        .get("/api/v1/macros")
        .token(&desk.network_agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(theirs, json!([]));
    let renamed = t
        .patch(&path)
        .token(&desk.admin.token)
        .json(json!({"name": "Toner on its way"}))
        .send()
        .await
        .ok(200);
    assert_eq!(renamed["name"], "Toner on its way");
    assert_eq!(renamed["body"], saved["body"]);
}

async fn bad_macro_input_gets_a_clear_error_and_changes_nothing(t: TestApp) {
    let desk = t.desk().await;
    let (_, number) = desk_ticket(&t, &desk).await;
    let mine = save(
        &t,
        &desk.agent.token,
        json!({"name": "Mine", "body": "Hi {{agent.name}}"}),
    )
    .await;
    let path = format!("/api/v1/macros/{}", mine["id"]);
    t.post("/api/v1/macros")
        .token(&desk.agent.token)
        .raw("application/json", "{\"name\": ")
        .send()
        .await
        .err(400, "malformed_json");
    for (body, field) in [
        (json!({"name": "Bad", "body": "Dear {{customer}}"}), "body"),
        (json!({"name": "  ", "body": "Hi"}), "name"),
        (
            json!({"name": "Tags", "body": "Hi", "actions": {"add_tags": [" "]}}),
            "add_tags",
        ),
    ] {
        let error = t
            .post("/api/v1/macros")
            .token(&desk.agent.token)
            .json(body)
            .send()
            .await
            .err(422, "invalid_value");
        assert_eq!(error["error"]["field"], field);
    }
    t.patch(&path)
        .token(&desk.agent.token)
        .json(json!({"body": "Hi {{nobody}}"}))
        .send()
        .await
        .err(422, "invalid_value");
    t.post("/api/v1/macros")
        .token(&desk.agent.token)
        .json(json!({"name": "G", "body": "Hi", "actions": {"group_id": 999_999}}))
        .send()
        .await
        .err(404, "group_not_found");
    t.get("/api/v1/macros/999999")
        .token(&desk.agent.token)
        .send()
        .await
        .err(404, "macro_not_found");
    t.post(&format!("/api/v1/tickets/{number}/macros/999999"))
        .token(&desk.agent.token)
        .send()
        .await
        .err(404, "macro_not_found");
    t.post(&format!("/api/v1/tickets/999999/macros/{}", mine["id"]))
        .token(&desk.agent.token)
        .send()
        .await
        .err(404, "ticket_not_found");
    // Someone else's personal macro does not exist for them.
    t.get(&path)
        .token(&desk.supervisor.token)
        .send()
        .await
        .err(404, "macro_not_found");
    t.patch(&path)
        .token(&desk.network_agent.token)
        .json(json!({"name": "Taken"}))
        .send()
        .await
        .err(404, "macro_not_found");
    // Customers have no macros.
    t.get("/api/v1/macros")
        .token(&desk.customer.token)
        .send()
        .await
        .err(403, "forbidden");
    t.post(&format!("/api/v1/tickets/{number}/macros/{}", mine["id"]))
        .token(&desk.customer.token)
        .send()
        .await
        .err(403, "forbidden");
    let listed = t
        .get("/api/v1/macros")
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(listed, json!([mine]));
}

async fn a_refused_status_move_applies_nothing(t: TestApp) {
    let desk = t.desk().await;
    let (ticket, number) = desk_ticket(&t, &desk).await;
    let close = save(
        &t,
        &desk.agent.token,
        json!({"name": "Close", "body": "Closing.", "actions": {"status": "closed"}}),
    )
    .await;
    let events = format!("/api/v1/tickets/{number}/events");
    let before = t.get(&events).token(&desk.admin.token).send().await.ok(200);
    t.post(&format!("/api/v1/tickets/{number}/macros/{}", close["id"]))
        .token(&desk.agent.token)
        .send()
        .await
        .err(409, "invalid_transition");
    let after = t.get(&events).token(&desk.admin.token).send().await.ok(200);
    assert_eq!(after, before);
    let now = t
        .get(&format!("/api/v1/tickets/{number}"))
        .token(&desk.admin.token)
        .send()
        .await
        .ok(200);
    assert_eq!(now["version"], ticket["version"]);
}
