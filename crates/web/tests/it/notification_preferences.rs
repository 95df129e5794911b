//! Notification preferences over the API: staff read their defaults, replace them, and
//! see the mail they choose queued in the outbox; bad input and customers are refused.

use crate::support::TestApp;
use serde_json::json;

backend_tests!(
    staff_read_and_replace_their_notification_preferences,
    bad_preferences_and_customers_are_refused,
    a_mailed_assignment_is_queued_in_the_outbox_for_the_assignee,
);

async fn staff_read_and_replace_their_notification_preferences(t: TestApp) {
    let desk = t.desk().await;
    let token = &desk.agent.token;
    let defaults = t
        .get("/api/v1/notifications/preferences")
        .token(token)
        .send()
        .await
        .ok(200);
    assert_eq!(defaults["digest"], "off");
    let mailed = defaults["email"].as_array().unwrap();
    assert!(mailed.contains(&json!("assigned")));
    assert!(!mailed.contains(&json!("watched_changed")));
    let stored = t
        .call(axum::http::Method::PUT, "/api/v1/notifications/preferences")
        .token(token)
        .json(json!({"email": ["sla_breached", "mentioned", "mentioned"], "digest": "daily"}))
        .send()
        .await
        .ok(200);
    assert_eq!(
        stored,
        json!({"email": ["mentioned", "sla_breached"], "digest": "daily"})
    );
    let read = t
        .get("/api/v1/notifications/preferences")
        .token(token)
        .send()
        .await
        .ok(200);
    assert_eq!(read, stored);
    // Each person's own: the supervisor still has the defaults.
    let theirs = t
        .get("/api/v1/notifications/preferences")
        .token(&desk.supervisor.token)
        .send()
        .await
        .ok(200);
    assert_eq!(theirs["email"], defaults["email"]);
}

async fn bad_preferences_and_customers_are_refused(t: TestApp) {
    let desk = t.desk().await;
    let put = |token: &str| {
        t.call(axum::http::Method::PUT, "/api/v1/notifications/preferences")
            .token(token)
    };
    put(&desk.agent.token)
        .json(json!({"email": ["assigned", "gossip"], "digest": "off"}))
        .send()
        .await
        .err(422, "invalid_body");
    put(&desk.agent.token)
        .json(json!({"email": [], "digest": "weekly"}))
        .send()
        .await
        .err(422, "invalid_body");
    put(&desk.agent.token)
        .raw("application/json", "{\"email\": [")
        .send()
        .await
        .err(400, "malformed_json");
    put(&desk.customer.token)
        .json(json!({"email": [], "digest": "off"}))
        .send()
        .await
        .err(403, "forbidden");
    t.get("/api/v1/notifications/preferences")
        .token(&desk.customer.token)
        .send()
        .await
        .err(403, "forbidden");
    t.get("/api/v1/notifications/preferences")
        .send()
        .await
        .err(401, "unauthenticated");
    // Nothing was stored by the refused requests.
    let read = t
        .get("/api/v1/notifications/preferences")
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(read["digest"], "off");
}

async fn a_mailed_assignment_is_queued_in_the_outbox_for_the_assignee(t: TestApp) {
    let desk = t.desk().await;
    let ticket = t
        .ticket(
            &desk.supervisor,
            json!({"subject": "Scanner offline", "requester_id": desk.customer.id,
                   "group_id": desk.service_desk, "assignee_id": desk.agent.id}),
        )
        .await;
    let pending = t
        .get("/api/v1/mail/outbox?state=pending")
        .token(&desk.admin.token)
        .send()
        .await
        .ok(200);
    let staff: Vec<_> = pending["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|row| row["purpose"] == "staff")
        .collect();
    assert_eq!(staff.len(), 1, "{pending}");
    assert_eq!(staff[0]["ticket_id"], ticket["id"]);
    let notifications = t
        .get("/api/v1/notifications")
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(staff[0]["notification_id"], notifications["items"][0]["id"]);
    assert_eq!(notifications["items"][0]["kind"], "assigned");
}
