//! Service levels over HTTP on both backends: calendar and policy validation, due
//! times on tickets, pausing while pending, the breaching-soon queue.

use crate::support::TestApp;
use serde_json::json;

backend_tests!(
    calendars_and_policies_validate_and_tickets_carry_due_times,
    pending_on_customer_pauses_the_clock_and_customers_see_no_sla,
    a_friday_evening_p1_breaches_in_business_time_and_escalates_to_tier_2,
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

/// The walk-through over HTTP: business hours in Oslo, a P1 ticket on a Friday
/// evening is due on Monday in business time, the breach is a timeline event and a
/// rule moves the ticket to tier 2.
async fn a_friday_evening_p1_breaches_in_business_time_and_escalates_to_tier_2(app: TestApp) {
    let desk = app.desk().await;
    let admin = &desk.admin.token;
    let hours: Vec<String> = ["monday", "tuesday", "wednesday", "thursday", "friday"]
        .iter()
        .map(|d| format!("{d} 08:00-16:00"))
        .collect();
    let calendar = app
        .post("/api/v1/calendars")
        .token(admin)
        .json(json!({"name": "Oslo office", "time_zone": "Europe/Oslo", "hours": hours}))
        .send()
        .await
        .ok(201);
    app.post("/api/v1/sla-policies")
        .token(admin)
        .json(json!({
            "name": "Standard", "calendar_id": calendar["id"], "is_default": true,
            "targets": {"p1": {"first_response_minutes": 30, "resolution_minutes": 240}}
        }))
        .send()
        .await
        .ok(201);
    app.post("/api/v1/escalation-rules")
        .token(admin)
        .json(json!({
            "name": "Breach goes up", "trigger": "sla_breach", "target": "resolution",
            "escalates": true
        }))
        .send()
        .await
        .ok(201);

    // Friday 6 March 2026, 18:00 in Oslo: after hours.
    app.clock.set("2026-03-06T17:00:00Z".parse().unwrap());
    let ticket = app
        .ticket(
            &desk.agent,
            json!({"subject": "Email down for everyone", "description": "x",
                   "impact": "organization", "urgency": "high"}),
        )
        .await;
    assert_eq!(ticket["priority"], "p1", "{ticket}");
    assert_eq!(ticket["tier"], 1, "{ticket}");
    // Monday 08:30 and 12:00 in Oslo.
    assert_eq!(
        ticket["sla"]["first_response"]["due_at"],
        "2026-03-09T07:30:00Z"
    );
    assert_eq!(
        ticket["sla"]["resolution"]["due_at"],
        "2026-03-09T11:00:00Z"
    );
    let id = ticket["id"].as_i64().unwrap();

    // Monday 13:00 in Oslo: both targets are missed; the runner records it.
    app.clock.set("2026-03-09T12:00:00Z".parse().unwrap());
    let runner = app.app.jobs(ferrodesk_app::RunnerConfig::default());
    while runner.run_due().await.unwrap().claimed > 0 {}
    let events = app
        .get(&format!("/api/v1/tickets/{id}/events"))
        .token(admin)
        .send()
        .await
        .ok(200);
    let kinds: Vec<String> = crate::support::items(&events)
        .iter()
        .map(|e| e["type"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(kinds.iter().any(|k| k == "sla_breached"), "{kinds:?}");
    assert_eq!(
        kinds.iter().filter(|k| *k == "escalated").count(),
        1,
        "{kinds:?}"
    );
    let after = app
        .get(&format!("/api/v1/tickets/{id}"))
        .token(admin)
        .send()
        .await
        .ok(200);
    assert_eq!(after["tier"], 2, "{after}");
    assert_eq!(after["sla"]["resolution"]["state"], "breached", "{after}");
}
