//! Service levels over HTTP on both backends: calendar and policy validation, due
//! times on tickets, pausing while pending, the breaching-soon queue.

use crate::support::TestApp;
use serde_json::json;

backend_tests!(
    calendars_and_policies_validate_and_tickets_carry_due_times,
    pending_on_customer_pauses_the_clock_and_customers_see_no_sla,
);

async fn calendars_and_policies_validate_and_tickets_carry_due_times(app: TestApp) {
    let desk = app.desk().await;
    let admin = &desk.admin.token;
    let bad_zone = app
        .post("/api/v1/calendars")
        .token(admin)
        .json(json!({"name": "Office", "time_zone": "Mars/Base", "hours": ["monday 08:00-16:00"]}))
        .send()
        .await
        .err(422, "invalid_value");
    assert!(bad_zone.to_string().contains("Mars/Base"), "{bad_zone}");
    app.post("/api/v1/calendars")
        .token(admin)
        .json(json!({"name": "Office", "time_zone": "UTC", "hours": ["funday 08:00-16:00"]}))
        .send()
        .await
        .err(422, "invalid_value");
    app.post("/api/v1/calendars")
        .token(&desk.agent.token)
        .json(json!({"name": "Always", "always_open": true}))
        .send()
        .await
        .err(403, "forbidden");
    let calendar = app
        .post("/api/v1/calendars")
        .token(admin)
        .json(json!({"name": "Always", "always_open": true}))
        .send()
        .await
        .ok(201);
    let calendar_id = calendar["id"].as_i64().unwrap();
    app.post("/api/v1/sla-policies")
        .token(admin)
        .json(json!({"name": "Standard", "calendar_id": calendar_id, "warning_percent": 120}))
        .send()
        .await
        .err(422, "invalid_value");
    app.post("/api/v1/sla-policies")
        .token(admin)
        .json(json!({"name": "Standard", "calendar_id": 999999}))
        .send()
        .await
        .err(422, "invalid_value");
    let policy = app
        .post("/api/v1/sla-policies")
        .token(admin)
        .json(json!({
            "name": "Standard", "calendar_id": calendar_id, "is_default": true,
            "targets": {"p4": {"first_response_minutes": 60, "resolution_minutes": 480}}
        }))
        .send()
        .await
        .ok(201);
    assert_eq!(policy["targets"]["p4"]["first_response_minutes"], 60);
    let ticket = app
        .ticket(
            &desk.agent,
            json!({"subject": "Printer jams", "description": "x"}),
        )
        .await;
    let sla = &ticket["sla"];
    assert_eq!(sla["first_response"]["state"], "ok", "{ticket}");
    assert_eq!(sla["policy_id"], policy["id"]);
    assert!(sla["resolution"]["due_at"].is_string(), "{ticket}");
    let queue = app
        .get("/api/v1/tickets/breaching?within_minutes=120")
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(queue["items"][0]["id"], ticket["id"], "{queue}");
    app.delete(&format!("/api/v1/calendars/{calendar_id}"))
        .token(admin)
        .send()
        .await
        .err(409, "calendar_in_use");
}

async fn pending_on_customer_pauses_the_clock_and_customers_see_no_sla(app: TestApp) {
    let desk = app.desk().await;
    let admin = &desk.admin.token;
    let calendar = app
        .post("/api/v1/calendars")
        .token(admin)
        .json(json!({"name": "Always", "always_open": true}))
        .send()
        .await
        .ok(201);
    app.post("/api/v1/sla-policies")
        .token(admin)
        .json(json!({
            "name": "Standard", "calendar_id": calendar["id"], "is_default": true,
            "targets": {"p4": {"first_response_minutes": 60, "resolution_minutes": 480}}
        }))
        .send()
        .await
        .ok(201);
    let ticket = app
        .ticket(
            &desk.customer,
            json!({"subject": "VPN", "description": "x"}),
        )
        .await;
    assert!(ticket.get("sla").is_none(), "{ticket}");
    let id = ticket["id"].as_i64().unwrap();
    app.post(&format!("/api/v1/tickets/{id}/transition"))
        .token(admin)
        .json(json!({"status": "pending_customer"}))
        .send()
        .await
        .ok(200);
    let sla = app
        .get(&format!("/api/v1/tickets/{id}/sla"))
        .token(admin)
        .send()
        .await
        .ok(200);
    assert_eq!(sla["first_response"]["state"], "paused", "{sla}");
    assert!(sla["first_response"]["due_at"].is_null(), "{sla}");
    app.get(&format!("/api/v1/tickets/{id}/sla"))
        .token(&desk.customer.token)
        .send()
        .await
        .err(403, "forbidden");
}
