//! `/api/v1/custom-fields` and `custom_fields` on tickets: admins define fields, a
//! ticket's values are validated on create and change, customers see and set only the
//! fields visible to them, `cf.<key>` filters the list; bad input changes nothing.

use crate::support::{Desk, TestApp};
use serde_json::{Value, json};

backend_tests!(
    admins_define_fields_and_tickets_carry_validated_values,
    customers_see_and_set_only_customer_visible_fields,
    bad_custom_field_input_gets_a_clear_error_and_changes_nothing,
    deleting_a_field_in_use_deactivates_it,
);

async fn define(t: &TestApp, desk: &Desk, body: Value) -> Value {
    t.post("/api/v1/custom-fields")
        .token(&desk.admin.token)
        .json(body)
        .send()
        .await
        .ok(201)
}

async fn os_field(t: &TestApp, desk: &Desk) -> Value {
    define(
        t,
        desk,
        json!({"key": "os", "label": "Operating system", "kind": "single_choice",
               "options": ["Windows", "macOS", "Linux"], "required": true,
               "customer_visible": true, "ticket_types": ["incident"], "position": 1}),
    )
    .await
}

async fn admins_define_fields_and_tickets_carry_validated_values(t: TestApp) {
    let desk = t.desk().await;
    let os = os_field(&t, &desk).await;
    assert_eq!(os["kind"], "single_choice");
    define(
        &t,
        &desk,
        json!({"key": "affected_users", "label": "Affected users", "kind": "number",
               "position": 2}),
    )
    .await;
    let listed = t
        .get("/api/v1/custom-fields")
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    let keys: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["os", "affected_users"]);

    let ticket = t
        .post("/api/v1/tickets")
        .token(&desk.agent.token)
        .json(
            json!({"subject": "VPN drops", "requester_id": desk.customer.id,
                     "custom_fields": {"os": "Linux", "affected_users": 12}}),
        )
        .send()
        .await
        .ok(201);
    assert_eq!(
        ticket["custom_fields"],
        json!({"os": "Linux", "affected_users": 12.0})
    );
    let number = ticket["id"].as_i64().unwrap();
    let changed = t
        .patch(&format!("/api/v1/tickets/{number}"))
        .token(&desk.agent.token)
        .json(json!({"custom_fields": {"os": "Windows", "affected_users": null}}))
        .send()
        .await
        .ok(200);
    assert_eq!(changed["custom_fields"], json!({"os": "Windows"}));
    assert_eq!(
        changed["version"].as_i64().unwrap(),
        ticket["version"].as_i64().unwrap() + 1
    );
    let timeline = t
        .get(&format!("/api/v1/tickets/{number}/events"))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert!(
        timeline.to_string().contains("Operating system"),
        "{timeline}"
    );
    // A service request is not asked for the incident's field.
    t.post("/api/v1/tickets")
        .token(&desk.agent.token)
        .json(
            json!({"subject": "New laptop", "ticket_type": "service_request",
                     "requester_id": desk.customer.id}),
        )
        .send()
        .await
        .ok(201);
    // The filter finds the ticket by its value.
    let found = t
        .get("/api/v1/tickets?cf.os=Windows")
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    let ids: Vec<i64> = found["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [number]);
    let none = t
        .get("/api/v1/tickets?cf.os=Linux&limit=10")
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(none["items"], json!([]));
}

async fn customers_see_and_set_only_customer_visible_fields(t: TestApp) {
    let desk = t.desk().await;
    os_field(&t, &desk).await;
    define(
        &t,
        &desk,
        json!({"key": "root_cause", "label": "Root cause", "kind": "text"}),
    )
    .await;
    let theirs = t
        .get("/api/v1/custom-fields")
        .token(&desk.customer.token)
        .send()
        .await
        .ok(200);
    assert_eq!(theirs.as_array().unwrap().len(), 1);
    assert_eq!(theirs[0]["key"], "os");
    let error = t
        .post("/api/v1/tickets")
        .token(&desk.customer.token)
        .json(json!({"subject": "VPN drops",
                     "custom_fields": {"os": "Linux", "root_cause": "me"}}))
        .send()
        .await
        .err(403, "forbidden");
    assert!(error.to_string().contains("root_cause"), "{error}");
    let ticket = t
        .post("/api/v1/tickets")
        .token(&desk.customer.token)
        .json(json!({"subject": "VPN drops", "custom_fields": {"os": "macOS"}}))
        .send()
        .await
        .ok(201);
    let number = ticket["id"].as_i64().unwrap();
    t.patch(&format!("/api/v1/tickets/{number}"))
        .token(&desk.agent.token)
        .json(json!({"custom_fields": {"root_cause": "An old client"}}))
        .send()
        .await
        .ok(200);
    let seen = t
        .get(&format!("/api/v1/tickets/{number}"))
        .token(&desk.customer.token)
        .send()
        .await
        .ok(200);
    assert_eq!(seen["custom_fields"], json!({"os": "macOS"}));
    let staff = t
        .get(&format!("/api/v1/tickets/{number}"))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(
        staff["custom_fields"],
        json!({"os": "macOS", "root_cause": "An old client"})
    );
}

async fn bad_custom_field_input_gets_a_clear_error_and_changes_nothing(t: TestApp) {
    let desk = t.desk().await;
    os_field(&t, &desk).await;
    for (body, field) in [
        (json!({"subject": "VPN"}), "custom_fields.os"),
        (
            json!({"subject": "VPN", "custom_fields": {"os": "BeOS"}}),
            "custom_fields.os",
        ),
        (
            json!({"subject": "VPN", "custom_fields": {"os": "Linux", "colour": "red"}}),
            "custom_fields.colour",
        ),
        (
            json!({"subject": "VPN", "custom_fields": {"os": {"name": "Linux"}}}),
            "custom_fields.os",
        ),
    ] {
        let error = t
            .post("/api/v1/tickets")
            .token(&desk.agent.token)
            .json(body)
            .send()
            .await
            .err(422, "invalid_value");
        assert_eq!(error["error"]["field"], field, "{error}");
    }
    let listed = t
        .get("/api/v1/tickets")
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(listed["items"], json!([]));
    for body in [
        json!({"key": "Bad Key", "label": "x", "kind": "text"}),
        json!({"key": "choice", "label": "x", "kind": "single_choice"}),
        json!({"key": "text", "label": " ", "kind": "text"}),
    ] {
        t.post("/api/v1/custom-fields")
            .token(&desk.admin.token)
            .json(body)
            .send()
            .await
            .err(422, "invalid_value");
    }
    t.post("/api/v1/custom-fields")
        .token(&desk.admin.token)
        .json(json!({"key": "os", "label": "Again", "kind": "text"}))
        .send()
        .await
        .err(409, "key_taken");
    t.post("/api/v1/custom-fields")
        .token(&desk.agent.token)
        .json(json!({"key": "mine", "label": "Mine", "kind": "text"}))
        .send()
        .await
        .err(403, "forbidden");
    t.post("/api/v1/custom-fields")
        .token(&desk.admin.token)
        .raw("application/json", "{\"key\": ")
        .send()
        .await
        .err(400, "malformed_json");
    t.patch("/api/v1/custom-fields/9999")
        .token(&desk.admin.token)
        .json(json!({"label": "Nothing"}))
        .send()
        .await
        .err(404, "custom_field_not_found");
    for query in ["cf.colour=red", "cf.os=BeOS", "colour=red"] {
        t.get(&format!("/api/v1/tickets?{query}"))
            .token(&desk.agent.token)
            .send()
            .await
            .err(400, "invalid_query");
    }
}

async fn deleting_a_field_in_use_deactivates_it(t: TestApp) {
    let desk = t.desk().await;
    let os = os_field(&t, &desk).await;
    let unused = define(
        &t,
        &desk,
        json!({"key": "unused", "label": "Unused", "kind": "checkbox"}),
    )
    .await;
    let ticket = t
        .post("/api/v1/tickets")
        .token(&desk.agent.token)
        .json(json!({"subject": "VPN", "custom_fields": {"os": "Linux"}}))
        .send()
        .await
        .ok(201);
    t.delete(&format!("/api/v1/custom-fields/{}", unused["id"]))
        .token(&desk.admin.token)
        .send()
        .await
        .ok(204);
    let kept = t
        .delete(&format!("/api/v1/custom-fields/{}", os["id"]))
        .token(&desk.admin.token)
        .send()
        .await
        .ok(200);
    assert_eq!(kept["active"], false);
    // The value stays on the ticket; the field is no longer asked for.
    let read = t
        .get(&format!("/api/v1/tickets/{}", ticket["id"]))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(read["custom_fields"], json!({"os": "Linux"}));
    t.post("/api/v1/tickets")
        .token(&desk.agent.token)
        .json(json!({"subject": "No longer asked"}))
        .send()
        .await
        .ok(201);
}
