//! `/api/v1/ticket-templates`: admins manage templates, staff and customers read the
//! active ones meant for them, and every kind of bad input gets a clear error and
//! changes nothing.

use crate::support::{Desk, TestApp};
use serde_json::{Value, json};

backend_tests!(
    admins_manage_templates_and_each_audience_reads_its_own,
    bad_template_input_names_the_field_and_changes_nothing,
    only_admins_write_templates_and_unknown_ids_are_not_found,
);

async fn category(t: &TestApp, desk: &Desk, name: &str) -> i64 {
    t.post("/api/v1/categories")
        .token(&desk.admin.token)
        .json(json!({"name": name}))
        .send()
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap()
}

async fn create(t: &TestApp, desk: &Desk, body: Value) -> Value {
    t.post("/api/v1/ticket-templates")
        .token(&desk.admin.token)
        .json(body)
        .send()
        .await
        .ok(201)
}

async fn names(t: &TestApp, token: &str) -> Vec<String> {
    let listed = t
        .get("/api/v1/ticket-templates")
        .token(token)
        .send()
        .await
        .ok(200);
    listed
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn count(t: &TestApp, desk: &Desk) -> usize {
    names(t, &desk.admin.token).await.len()
}

async fn admins_manage_templates_and_each_audience_reads_its_own(t: TestApp) {
    let desk = t.desk().await;
    let hardware = category(&t, &desk, "Hardware").await;
    t.post("/api/v1/custom-fields")
        .token(&desk.admin.token)
        .json(
            json!({"key": "os", "label": "Operating system", "kind": "single_choice",
                     "options": ["Windows", "Linux"], "required": true,
                     "customer_visible": true}),
        )
        .send()
        .await
        .ok(201);
    let laptop = create(
        &t,
        &desk,
        json!({"name": "New laptop", "description": "Order a laptop",
               "subject": "New laptop for ", "body": "- Model:\n- User:\n- Needed by:",
               "category_id": hardware, "ticket_type": "service_request",
               "priority": "p3", "custom_fields": {"os": "Linux"}}),
    )
    .await;
    assert_eq!(laptop["audience"], "both");
    assert_eq!(laptop["ticket_type"], "service_request");
    assert_eq!(laptop["priority"], "p3");
    assert_eq!(laptop["category_id"], hardware);
    assert_eq!(laptop["custom_fields"], json!({"os": "Linux"}));
    assert_eq!(laptop["active"], true);
    create(
        &t,
        &desk,
        json!({"name": "New employee onboarding", "audience": "staff"}),
    )
    .await;
    create(
        &t,
        &desk,
        json!({"name": "Fax", "audience": "both", "active": false}),
    )
    .await;

    assert_eq!(
        names(&t, &desk.agent.token).await,
        ["New laptop", "New employee onboarding"]
    );
    assert_eq!(names(&t, &desk.customer.token).await, ["New laptop"]);
    assert_eq!(count(&t, &desk).await, 3);

    let id = laptop["id"].as_i64().unwrap();
    let read = t
        .get(&format!("/api/v1/ticket-templates/{id}"))
        .token(&desk.customer.token)
        .send()
        .await
        .ok(200);
    assert_eq!(read["name"], "New laptop");

    let changed = t
        .patch(&format!("/api/v1/ticket-templates/{id}"))
        .token(&desk.admin.token)
        .json(json!({"name": "New laptop or desktop", "category_id": null,
                     "priority": null, "audience": "staff"}))
        .send()
        .await
        .ok(200);
    assert_eq!(changed["name"], "New laptop or desktop");
    assert_eq!(changed["category_id"], Value::Null);
    assert_eq!(changed["priority"], Value::Null);
    assert_eq!(changed["ticket_type"], "service_request");
    assert_eq!(changed["custom_fields"], json!({"os": "Linux"}));
    assert!(names(&t, &desk.customer.token).await.is_empty());

    t.delete(&format!("/api/v1/ticket-templates/{id}"))
        .token(&desk.admin.token)
        .send()
        .await
        .ok(204);
    assert_eq!(count(&t, &desk).await, 2);
}

async fn bad_template_input_names_the_field_and_changes_nothing(t: TestApp) {
    let desk = t.desk().await;
    t.post("/api/v1/custom-fields")
        .token(&desk.admin.token)
        .json(json!({"key": "ram_gb", "label": "Memory", "kind": "number"}))
        .send()
        .await
        .ok(201);
    for (body, field) in [
        (json!({"name": ""}), "name"),
        (json!({"name": "x".repeat(81)}), "name"),
        (
            json!({"name": "Laptop", "category_id": 999_999}),
            "category_id",
        ),
        (
            json!({"name": "Laptop", "ticket_type": "wish"}),
            "ticket_type",
        ),
        (json!({"name": "Laptop", "priority": "urgent"}), "priority"),
        (
            json!({"name": "Laptop", "audience": "everyone"}),
            "audience",
        ),
        (
            json!({"name": "Laptop", "custom_fields": {"colour": "red"}}),
            "custom_fields.colour",
        ),
        (
            json!({"name": "Laptop", "custom_fields": {"ram_gb": "lots"}}),
            "custom_fields.ram_gb",
        ),
        (
            json!({"name": "Laptop", "custom_fields": {"ram_gb": {"n": 1}}}),
            "custom_fields.ram_gb",
        ),
    ] {
        let error = t
            .post("/api/v1/ticket-templates")
            .token(&desk.admin.token)
            .json(body)
            .send()
            .await
            .err(422, "invalid_value");
        assert_eq!(error["error"]["field"], field, "{error}");
    }
    t.post("/api/v1/ticket-templates")
        .token(&desk.admin.token)
        .raw("application/json", "{\"name\": ")
        .send()
        .await
        .err(400, "malformed_json");
    t.post("/api/v1/ticket-templates")
        .token(&desk.admin.token)
        .json(json!({"name": "Laptop", "colour": "red"}))
        .send()
        .await
        .err(422, "invalid_body");
    assert_eq!(count(&t, &desk).await, 0);

    let kept = create(&t, &desk, json!({"name": "Laptop"})).await;
    let id = kept["id"].as_i64().unwrap();
    for (body, field) in [
        (json!({"name": " "}), "name"),
        (json!({"category_id": 999_999}), "category_id"),
        (
            json!({"custom_fields": {"colour": "red"}}),
            "custom_fields.colour",
        ),
        (json!({"ticket_type": "wish"}), "ticket_type"),
    ] {
        let error = t
            .patch(&format!("/api/v1/ticket-templates/{id}"))
            .token(&desk.admin.token)
            .json(body)
            .send()
            .await
            .err(422, "invalid_value");
        assert_eq!(error["error"]["field"], field, "{error}");
    }
    t.patch(&format!("/api/v1/ticket-templates/{id}"))
        .token(&desk.admin.token)
        .raw("application/json", "not json")
        .send()
        .await
        .err(400, "malformed_json");
    let read = t
        .get(&format!("/api/v1/ticket-templates/{id}"))
        .token(&desk.admin.token)
        .send()
        .await
        .ok(200);
    assert_eq!(read, kept);
}

async fn only_admins_write_templates_and_unknown_ids_are_not_found(t: TestApp) {
    let desk = t.desk().await;
    let staff_only = create(
        &t,
        &desk,
        json!({"name": "New employee onboarding", "audience": "staff"}),
    )
    .await;
    let id = staff_only["id"].as_i64().unwrap();
    for token in [
        &desk.agent.token,
        &desk.supervisor.token,
        &desk.customer.token,
    ] {
        t.post("/api/v1/ticket-templates")
            .token(token)
            .json(json!({"name": "Mine"}))
            .send()
            .await
            .err(403, "forbidden");
        t.patch(&format!("/api/v1/ticket-templates/{id}"))
            .token(token)
            .json(json!({"name": "Mine"}))
            .send()
            .await
            .err(403, "forbidden");
        t.delete(&format!("/api/v1/ticket-templates/{id}"))
            .token(token)
            .send()
            .await
            .err(403, "forbidden");
    }
    t.get(&format!("/api/v1/ticket-templates/{id}"))
        .token(&desk.customer.token)
        .send()
        .await
        .err(404, "ticket_template_not_found");
    t.get("/api/v1/ticket-templates/424242")
        .token(&desk.agent.token)
        .send()
        .await
        .err(404, "ticket_template_not_found");
    t.patch("/api/v1/ticket-templates/424242")
        .token(&desk.admin.token)
        .json(json!({"name": "x"}))
        .send()
        .await
        .err(404, "ticket_template_not_found");
    t.delete("/api/v1/ticket-templates/424242")
        .token(&desk.admin.token)
        .send()
        .await
        .err(404, "ticket_template_not_found");
    t.get("/api/v1/ticket-templates/abc")
        .token(&desk.admin.token)
        .send()
        .await
        .err(400, "invalid_path");
    t.get("/api/v1/ticket-templates")
        .send()
        .await
        .err(401, "unauthenticated");
    let read = t
        .get(&format!("/api/v1/ticket-templates/{id}"))
        .token(&desk.admin.token)
        .send()
        .await
        .ok(200);
    assert_eq!(read, staff_only);
}
