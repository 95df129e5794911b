//! `/api/v1/vendors` and the hand-off: admins keep the directory, staff read it,
//! customers are refused; a hand-off moves the ticket to `pending_vendor` with a case
//! the ticket lists; bad input changes nothing.

use crate::support::{Desk, TestApp, items};
use serde_json::{Value, json};

backend_tests!(
    admins_write_vendors_staff_read_them_and_customers_are_refused,
    bad_vendor_input_gets_a_clear_error_and_changes_nothing,
    a_hand_off_waits_on_the_vendor_with_a_case_hidden_from_the_customer,
    bad_hand_offs_are_refused_and_change_nothing,
);

async fn acme(t: &TestApp, desk: &Desk) -> Value {
    t.post("/api/v1/vendors")
        .token(&desk.admin.token)
        .json(json!({"name": "Acme Printers", "email": "cases@acme.example", "contract_ref": "PRN-2291", "response_hours": 8, "notes": "Hotline 8-16"}))
        .send()
        .await
        .ok(201)
}

async fn admins_write_vendors_staff_read_them_and_customers_are_refused(t: TestApp) {
    let desk = t.desk().await;
    let created = acme(&t, &desk).await;
    assert_eq!(created["name"], "Acme Printers");
    assert_eq!(created["email"], "cases@acme.example");
    assert_eq!(created["response_hours"], 8);
    assert_eq!(created["is_active"], true);
    let id = created["id"].as_i64().unwrap();
    let path = format!("/api/v1/vendors/{id}");
    let read = t.get(&path).token(&desk.agent.token).send().await.ok(200);
    assert_eq!(read, created);
    let listed = t
        .get("/api/v1/vendors")
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(items(&listed), vec![created.clone()]);

    let changed = t
        .patch(&path)
        .token(&desk.admin.token)
        .json(json!({"response_hours": 24, "contract_ref": "", "is_active": false}))
        .send()
        .await
        .ok(200);
    assert_eq!(changed["response_hours"], 24);
    assert_eq!(changed["contract_ref"], Value::Null);
    assert_eq!(changed["is_active"], false);
    assert_eq!(changed["name"], "Acme Printers");

    t.get("/api/v1/vendors")
        .token(&desk.customer.token)
        .send()
        .await
        .err(403, "forbidden");
    t.get(&path)
        .token(&desk.customer.token)
        .send()
        .await
        .err(403, "forbidden");
    t.post("/api/v1/vendors")
        .token(&desk.agent.token)
        .json(json!({"name": "Telco", "email": "noc@telco.example", "response_hours": 4}))
        .send()
        .await
        .err(403, "forbidden");
    t.patch(&path)
        .token(&desk.agent.token)
        .json(json!({"is_active": true}))
        .send()
        .await
        .err(403, "forbidden");
    let unchanged = t.get(&path).token(&desk.admin.token).send().await.ok(200);
    assert_eq!(unchanged, changed);
}

async fn bad_vendor_input_gets_a_clear_error_and_changes_nothing(t: TestApp) {
    let desk = t.desk().await;
    let id = acme(&t, &desk).await["id"].as_i64().unwrap();
    t.post("/api/v1/vendors")
        .token(&desk.admin.token)
        .raw("application/json", "{\"name\": ")
        .send()
        .await
        .err(400, "malformed_json");
    t.post("/api/v1/vendors")
        .token(&desk.admin.token)
        .json(json!({"email": "noc@telco.example", "response_hours": 4}))
        .send()
        .await
        .err(422, "invalid_body");
    for (body, field) in [
        (
            json!({"name": "Telco", "email": "not-an-email", "response_hours": 4}),
            "email",
        ),
        (
            json!({"name": "  ", "email": "noc@telco.example", "response_hours": 4}),
            "name",
        ),
        (
            json!({"name": "Telco", "email": "noc@telco.example", "response_hours": 0}),
            "response_hours",
        ),
    ] {
        let error = t
            .post("/api/v1/vendors")
            .token(&desk.admin.token)
            .json(body)
            .send()
            .await
            .err(422, "invalid_value");
        assert_eq!(error["error"]["field"], field);
    }
    t.post("/api/v1/vendors")
        .token(&desk.admin.token)
        .json(json!({"name": "Acme Printers", "email": "other@acme.example", "response_hours": 4}))
        .send()
        .await
        .err(409, "name_taken");
    t.get("/api/v1/vendors/999999")
        .token(&desk.admin.token)
        .send()
        .await
        .err(404, "vendor_not_found");
    t.patch("/api/v1/vendors/999999")
        .token(&desk.admin.token)
        .json(json!({"name": "Ghost"}))
        .send()
        .await
        .err(404, "vendor_not_found");
    let path = format!("/api/v1/vendors/{id}");
    let error = t
        .patch(&path)
        .token(&desk.admin.token)
        .json(json!({"email": "nope"}))
        .send()
        .await
        .err(422, "invalid_value");
    assert_eq!(error["error"]["field"], "email");
    let listed = t
        .get("/api/v1/vendors")
        .token(&desk.admin.token)
        .send()
        .await
        .ok(200);
    let names: Vec<Value> = items(&listed).iter().map(|v| v["name"].clone()).collect();
    assert_eq!(names, vec![json!("Acme Printers")]);
    assert_eq!(items(&listed)[0]["email"], "cases@acme.example");
}

async fn a_hand_off_waits_on_the_vendor_with_a_case_hidden_from_the_customer(t: TestApp) {
    let desk = t.desk().await;
    let vendor = acme(&t, &desk).await;
    let ticket = t
        .ticket(
            &desk.customer,
            json!({"subject": "Printer jam", "description": "Floor 2"}),
        )
        .await;
    let number = ticket["id"].as_i64().unwrap();
    let handed = t
        .post(&format!("/api/v1/tickets/{number}/vendor-handoff"))
        .token(&desk.agent.token)
        .json(json!({"vendor_id": vendor["id"], "message": "Please replace the fuser."}))
        .send()
        .await
        .ok(200);
    assert_eq!(handed["status"], "pending_vendor");
    let cases = t
        .get(&format!("/api/v1/tickets/{number}/vendor-cases"))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    let cases = cases.as_array().unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0]["reference"], format!("V-{number}-1"));
    assert_eq!(cases[0]["vendor_name"], "Acme Printers");
    assert_eq!(cases[0]["answered_at"], Value::Null);
    assert_eq!(cases[0]["is_overdue"], false);
    let events = t
        .get(&format!("/api/v1/tickets/{number}/events"))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    let handoff = items(&events)
        .into_iter()
        .find(|e| e["type"] == "vendor_handoff")
        .unwrap();
    assert_eq!(handoff["visibility"], "internal");
    assert_eq!(handoff["reference"], format!("V-{number}-1"));
    assert_eq!(handoff["message"], "Please replace the fuser.");
    // The customer sees the wait, never the vendor traffic.
    let theirs = t
        .get(&format!("/api/v1/tickets/{number}/events"))
        .token(&desk.customer.token)
        .send()
        .await
        .ok(200);
    assert!(items(&theirs).iter().all(|e| e["type"] != "vendor_handoff"));
    t.get(&format!("/api/v1/tickets/{number}/vendor-cases"))
        .token(&desk.customer.token)
        .send()
        .await
        .err(404, "ticket_not_found");
    // Past the vendor's promise the case is overdue.
    t.clock.advance(jiff::SignedDuration::from_hours(9));
    let cases = t
        .get(&format!("/api/v1/tickets/{number}/vendor-cases"))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(cases[0]["is_overdue"], true);
    // A second hand-off, to another vendor, takes the next reference.
    let telco = t
        .post("/api/v1/vendors")
        .token(&desk.admin.token)
        .json(json!({"name": "Telco", "email": "noc@telco.example", "response_hours": 4}))
        .send()
        .await
        .ok(201);
    t.post(&format!("/api/v1/tickets/{number}/vendor-handoff"))
        .token(&desk.agent.token)
        .json(json!({"vendor_id": telco["id"], "message": "Is the line up?"}))
        .send()
        .await
        .ok(200);
    let cases = t
        .get(&format!("/api/v1/tickets/{number}/vendor-cases"))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(cases[1]["reference"], format!("V-{number}-2"));
}

async fn bad_hand_offs_are_refused_and_change_nothing(t: TestApp) {
    let desk = t.desk().await;
    let vendor = acme(&t, &desk).await;
    let ticket = t
        .ticket(
            &desk.customer,
            json!({"subject": "Printer jam", "description": "Floor 2"}),
        )
        .await;
    let number = ticket["id"].as_i64().unwrap();
    let path = format!("/api/v1/tickets/{number}/vendor-handoff");
    t.post(&path)
        .token(&desk.agent.token)
        .raw("application/json", "{")
        .send()
        .await
        .err(400, "malformed_json");
    let unknown = t
        .post(&path)
        .token(&desk.agent.token)
        .json(json!({"vendor_id": 999999, "message": "x"}))
        .send()
        .await
        .err(422, "invalid_value");
    assert_eq!(unknown["error"]["field"], "vendor_id");
    let blank = t
        .post(&path)
        .token(&desk.agent.token)
        .json(json!({"vendor_id": vendor["id"], "message": "  "}))
        .send()
        .await
        .err(422, "invalid_value");
    assert_eq!(blank["error"]["field"], "message");
    t.post(&path)
        .token(&desk.customer.token)
        .json(json!({"vendor_id": vendor["id"], "message": "x"}))
        .send()
        .await
        .err(403, "forbidden");
    t.post(&path)
        .token(&desk.other_customer.token)
        .json(json!({"vendor_id": vendor["id"], "message": "x"}))
        .send()
        .await
        .err(404, "ticket_not_found");
    t.post("/api/v1/tickets/99999/vendor-handoff")
        .token(&desk.agent.token)
        .json(json!({"vendor_id": vendor["id"], "message": "x"}))
        .send()
        .await
        .err(404, "ticket_not_found");
    t.post(&path)
        .token(&desk.agent.token)
        .json(json!({"vendor_id": vendor["id"], "message": "x", "version": 999}))
        .send()
        .await
        .err(409, "ticket_changed");
    t.patch(&format!("/api/v1/vendors/{}", vendor["id"]))
        .token(&desk.admin.token)
        .json(json!({"is_active": false}))
        .send()
        .await
        .ok(200);
    let inactive = t
        .post(&path)
        .token(&desk.agent.token)
        .json(json!({"vendor_id": vendor["id"], "message": "x"}))
        .send()
        .await
        .err(422, "invalid_value");
    assert_eq!(inactive["error"]["field"], "vendor_id");
    let read = t
        .get(&format!("/api/v1/tickets/{number}"))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(read["status"], ticket["status"]);
    assert_eq!(read["version"], ticket["version"]);
    let cases = t
        .get(&format!("/api/v1/tickets/{number}/vendor-cases"))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert!(cases.as_array().unwrap().is_empty());
}
