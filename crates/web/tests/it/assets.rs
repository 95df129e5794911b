//! Assets: staff record, change, link and retire them; customers read only their own.

use crate::support::{TestApp, items};
use serde_json::json;

backend_tests!(
    staff_manage_assets_and_customers_see_only_their_own,
    bad_asset_input_is_refused_and_writes_nothing,
    assets_link_to_tickets_on_the_timeline,
);

async fn staff_manage_assets_and_customers_see_only_their_own(t: TestApp) {
    let desk = t.desk().await;
    let laptop = t
        .post("/api/v1/assets")
        .token(&desk.agent.token)
        .json(json!({"tag": "LT-0042", "type": "computer", "manufacturer": "Lenovo", "model": "T14", "serial": "PF3XYZ", "assigned_to": desk.customer.id, "purchase_date": "2024-02-29", "warranty_end": "2027-02-28", "location": "Oslo, 3rd floor"}))
        .send()
        .await
        .ok(201);
    assert_eq!(laptop["tag"], "LT-0042");
    assert_eq!(laptop["type"], "computer");
    assert_eq!(laptop["assigned_to"], desk.customer.id);
    assert_eq!(laptop["label"], "LT-0042 (computer, Lenovo T14)");
    let id = laptop["id"].as_i64().unwrap();
    t.post("/api/v1/assets")
        .token(&desk.admin.token)
        .json(json!({"tag": "PR-7", "type": "printer", "assigned_to": desk.other_customer.id}))
        .send()
        .await
        .ok(201);

    // Staff list everything and filter; customers get only theirs, whatever they ask.
    let all = t
        .get("/api/v1/assets")
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(items(&all).len(), 2);
    let printers = t
        .get("/api/v1/assets?type=printer")
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(items(&printers)[0]["tag"], "PR-7");
    let by_tag = t
        .get("/api/v1/assets?tag=lt-")
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(items(&by_tag)[0]["id"], id);
    let mine = t
        .get(&format!(
            "/api/v1/assets?assigned_to={}",
            desk.other_customer.id
        ))
        .token(&desk.customer.token)
        .send()
        .await
        .ok(200);
    assert_eq!(items(&mine).len(), 1);
    assert_eq!(items(&mine)[0]["id"], id);
    t.get(&format!("/api/v1/assets/{id}"))
        .token(&desk.customer.token)
        .send()
        .await
        .ok(200);
    t.get(&format!("/api/v1/assets/{id}"))
        .token(&desk.other_customer.token)
        .send()
        .await
        .err(404, "asset_not_found");

    // Staff change it; `null` clears a field, absent fields stay.
    let changed = t
        .patch(&format!("/api/v1/assets/{id}"))
        .token(&desk.agent.token)
        .json(json!({"location": "Bergen", "serial": null}))
        .send()
        .await
        .ok(200);
    assert_eq!(changed["location"], "Bergen");
    assert_eq!(changed["serial"], serde_json::Value::Null);
    assert_eq!(changed["model"], "T14");

    // Customers change nothing, even their own.
    t.patch(&format!("/api/v1/assets/{id}"))
        .token(&desk.customer.token)
        .json(json!({"location": "Home"}))
        .send()
        .await
        .err(403, "forbidden");
    t.delete(&format!("/api/v1/assets/{id}"))
        .token(&desk.customer.token)
        .send()
        .await
        .err(403, "forbidden");
    t.post("/api/v1/assets")
        .token(&desk.customer.token)
        .json(json!({"tag": "MINE-1", "type": "phone"}))
        .send()
        .await
        .err(403, "forbidden");

    let retired = t
        .delete(&format!("/api/v1/assets/{id}"))
        .token(&desk.agent.token)
        .send()
        .await;
    assert_eq!(retired.status, 204);
    t.get(&format!("/api/v1/assets/{id}"))
        .token(&desk.agent.token)
        .send()
        .await
        .err(404, "asset_not_found");
    t.delete(&format!("/api/v1/assets/{id}"))
        .token(&desk.agent.token)
        .send()
        .await
        .err(404, "asset_not_found");
}

async fn bad_asset_input_is_refused_and_writes_nothing(t: TestApp) {
    let desk = t.desk().await;
    let post = || t.post("/api/v1/assets").token(&desk.agent.token);
    post()
        .raw("application/json", r#"{"tag": "#)
        .send()
        .await
        .err(400, "malformed_json");
    post()
        .json(json!({"tag": "X-1", "type": "toaster"}))
        .send()
        .await
        .err(422, "invalid_body");
    post()
        .json(json!({"tag": "X-1", "type": "phone", "colour": "red"}))
        .send()
        .await
        .err(422, "invalid_body");
    post()
        .json(json!({"tag": "X-1", "type": "phone", "purchase_date": "2024-13-01"}))
        .send()
        .await
        .err(422, "invalid_body");
    for (body, field) in [
        (json!({"tag": "  ", "type": "phone"}), "tag"),
        (json!({"tag": "X".repeat(65), "type": "phone"}), "tag"),
        (
            json!({"tag": "X-1", "type": "phone", "purchase_date": "2025-01-02", "warranty_end": "2024-01-01"}),
            "warranty_end",
        ),
        (
            json!({"tag": "X-1", "type": "phone", "assigned_to": 999_999}),
            "assigned_to",
        ),
    ] {
        let error = post().json(body).send().await.err(422, "invalid_value");
        assert_eq!(error["error"]["field"], field);
    }
    let all = t
        .get("/api/v1/assets")
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert!(items(&all).is_empty(), "nothing was written");

    post()
        .json(json!({"tag": "X-1", "type": "phone"}))
        .send()
        .await
        .ok(201);
    post()
        .json(json!({"tag": "X-1", "type": "tablet"}))
        .send()
        .await
        .err(409, "asset_tag_taken");
    let other = post()
        .json(json!({"tag": "X-2", "type": "tablet"}))
        .send()
        .await
        .ok(201);
    t.patch(&format!("/api/v1/assets/{}", other["id"]))
        .token(&desk.agent.token)
        .json(json!({"tag": "X-1"}))
        .send()
        .await
        .err(409, "asset_tag_taken");
    t.patch("/api/v1/assets/999999")
        .token(&desk.agent.token)
        .json(json!({"tag": "X-9"}))
        .send()
        .await
        .err(404, "asset_not_found");
    t.patch(&format!("/api/v1/assets/{}", other["id"]))
        .token(&desk.agent.token)
        .raw("application/json", "{")
        .send()
        .await
        .err(400, "malformed_json");
    t.get("/api/v1/assets/abc")
        .token(&desk.agent.token)
        .send()
        .await
        .err(400, "invalid_path");
    t.get("/api/v1/assets?limit=0")
        .token(&desk.agent.token)
        .send()
        .await
        .err(400, "invalid_query");
    t.get("/api/v1/assets")
        .send()
        .await
        .err(401, "unauthenticated");
}

async fn assets_link_to_tickets_on_the_timeline(t: TestApp) {
    let desk = t.desk().await;
    let ticket = t
        .ticket(
            &desk.agent,
            json!({"subject": "Screen flickers", "requester_id": desk.customer.id, "group_id": desk.service_desk}),
        )
        .await;
    let number = ticket["id"].as_i64().unwrap();
    let monitor = t
        .post("/api/v1/assets")
        .token(&desk.agent.token)
        .json(json!({"tag": "MON-9", "type": "monitor", "assigned_to": desk.customer.id}))
        .send()
        .await
        .ok(201);
    let path = format!("/api/v1/tickets/{number}/assets");
    let linked = t
        .post(&path)
        .token(&desk.agent.token)
        .json(json!({"asset_id": monitor["id"]}))
        .send()
        .await
        .ok(200);
    assert_eq!(items(&linked)[0]["tag"], "MON-9");
    // Twice changes nothing.
    t.post(&path)
        .token(&desk.agent.token)
        .json(json!({"asset_id": monitor["id"]}))
        .send()
        .await
        .ok(200);
    let seen = t
        .get(&path)
        .token(&desk.customer.token)
        .send()
        .await
        .ok(200);
    assert_eq!(items(&seen).len(), 1);

    // Someone outside the ticket's group may not link; a customer may not either; an
    // unknown asset or ticket is not found.
    t.post(&path)
        .token(&desk.network_agent.token)
        .json(json!({"asset_id": monitor["id"]}))
        .send()
        .await
        .err(404, "ticket_not_found");
    t.post(&path)
        .token(&desk.customer.token)
        .json(json!({"asset_id": monitor["id"]}))
        .send()
        .await
        .err(403, "forbidden");
    t.post(&path)
        .token(&desk.agent.token)
        .json(json!({"asset_id": 999_999}))
        .send()
        .await
        .err(404, "asset_not_found");
    t.post("/api/v1/tickets/99999/assets")
        .token(&desk.agent.token)
        .json(json!({"asset_id": monitor["id"]}))
        .send()
        .await
        .err(404, "ticket_not_found");
    t.post(&path)
        .token(&desk.agent.token)
        .json(json!({"asset": monitor["id"]}))
        .send()
        .await
        .err(422, "invalid_body");

    let unlinked = t
        .delete(&format!("{path}/{}", monitor["id"]))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert!(items(&unlinked).is_empty());
    let events = t
        .get(&format!("/api/v1/tickets/{number}/events"))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    let kinds: Vec<String> = items(&events)
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kinds, ["created", "asset_linked", "asset_unlinked"]);
    // The links are internal: the requester's timeline does not show them.
    let theirs = t
        .get(&format!("/api/v1/tickets/{number}/events"))
        .token(&desk.customer.token)
        .send()
        .await
        .ok(200);
    assert!(
        items(&theirs)
            .iter()
            .all(|e| !e["type"].as_str().unwrap().starts_with("asset"))
    );
}
