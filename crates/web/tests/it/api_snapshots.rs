//! Snapshots of the main API responses, so a change of their JSON shows up in review:
//! a ticket created, read and listed, with its SLA clock; its timeline; the error
//! bodies of a 404, a 409 and a 422; notifications; the signed-in person. Ids and
//! times are redacted (`ferrodesk_testing::snapshot`), so both backends answer the
//! same snapshots. Review a change with `cargo insta review`; with `INSTA_UPDATE=no`
//! (and in CI) a difference fails.

use crate::support::{Desk, TestApp};
use ferrodesk_testing::snapshot::redact_json;
use jiff::SignedDuration;
use serde_json::{Value, json};

backend_tests!(
    ticket_responses_keep_their_shape,
    error_bodies_keep_their_shape,
    notifications_and_the_signed_in_person_keep_their_shape,
);

/// An always-open calendar and a default policy, so tickets carry an SLA clock.
async fn service_levels(t: &TestApp, desk: &Desk) {
    let calendar = t
        .post("/api/v1/calendars")
        .token(&desk.admin.token)
        .json(json!({"name": "Always", "always_open": true}))
        .send()
        .await
        .ok(201);
    t.post("/api/v1/sla-policies")
        .token(&desk.admin.token)
        .json(json!({
            "name": "Standard", "calendar_id": calendar["id"], "is_default": true,
            "targets": {"p4": {"first_response_minutes": 60, "resolution_minutes": 480}}
        }))
        .send()
        .await
        .ok(201);
}

fn snapshot(name: &str, body: &Value) {
    insta::assert_json_snapshot!(name, redact_json(body));
}

async fn ticket_responses_keep_their_shape(t: TestApp) {
    let desk = t.desk().await;
    service_levels(&t, &desk).await;
    let created = t
        .ticket(
            &desk.customer,
            json!({"subject": "Printer jams on floor 2", "description": "Paper is stuck in tray 2."}),
        )
        .await;
    snapshot("ticket_created_by_a_customer", &created);
    let id = &created["id"];
    t.clock.advance(SignedDuration::from_mins(20));
    t.post(&format!("/api/v1/tickets/{id}/events"))
        .token(&desk.agent.token)
        .json(json!({"type": "reply", "body": "Open the side door and pull the sheet out."}))
        .send()
        .await
        .ok(201);
    let read = t
        .get(&format!("/api/v1/tickets/{id}"))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    snapshot("ticket_read_by_an_agent_with_its_sla_clock", &read);
    let listed = t
        .get("/api/v1/tickets")
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    snapshot("ticket_list", &listed);
    let events = t
        .get(&format!("/api/v1/tickets/{id}/events"))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    snapshot("ticket_events", &events);
}

async fn error_bodies_keep_their_shape(t: TestApp) {
    let desk = t.desk().await;
    let missing = t
        .get("/api/v1/tickets/999999")
        .token(&desk.agent.token)
        .send()
        .await
        .err(404, "ticket_not_found");
    snapshot("error_not_found", &missing);
    let ticket = t.ticket(&desk.agent, json!({"subject": "Disk full"})).await;
    let refused = t
        .post(&format!("/api/v1/tickets/{}/transition", ticket["id"]))
        .token(&desk.agent.token)
        .json(json!({"status": "closed"}))
        .send()
        .await
        .err(409, "invalid_transition");
    snapshot("error_invalid_transition", &refused);
    let invalid = t
        .post("/api/v1/tickets")
        .token(&desk.agent.token)
        .json(json!({"subject": "VIP laptop", "priority": "p2"}))
        .send()
        .await
        .err(422, "invalid_value");
    snapshot("error_invalid_value", &invalid);
    let events = format!("/api/v1/tickets/{}/events", ticket["id"]);
    let seen = t
        .post(&events)
        .token(&desk.agent.token)
        .json(json!({"type": "note", "body": "Checking the disk."}))
        .send()
        .await
        .ok(201)["id"]
        .clone();
    t.post(&events)
        .token(&desk.supervisor.token)
        .json(json!({"type": "reply", "body": "We cleared some space."}))
        .send()
        .await
        .ok(201);
    let meanwhile = t
        .post(&events)
        .token(&desk.agent.token)
        .json(json!({"type": "reply", "body": "Please delete old files.", "seen_event_id": seen}))
        .send()
        .await
        .err(409, "replied_meanwhile");
    snapshot("error_replied_meanwhile", &meanwhile);
}

async fn notifications_and_the_signed_in_person_keep_their_shape(t: TestApp) {
    let desk = t.desk().await;
    t.post("/api/v1/routing-rules")
        .token(&desk.admin.token)
        .json(json!({
            "name": "Printers concern the supervisor",
            "conditions": {"text": ["printer"]},
            "actions": {"notify_user_ids": [desk.supervisor.id]}
        }))
        .send()
        .await
        .ok(201);
    t.ticket(
        &desk.customer,
        json!({"subject": "Printer offline", "description": "It says offline."}),
    )
    .await;
    let notifications = t
        .get("/api/v1/notifications")
        .token(&desk.supervisor.token)
        .send()
        .await
        .ok(200);
    snapshot("notifications", &notifications);
    let me = t
        .get("/api/v1/users/me")
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    snapshot("me", &me);
}
