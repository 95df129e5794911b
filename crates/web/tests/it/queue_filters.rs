//! The work queue's filters through `GET /api/v1/tickets`: type, tag, date ranges and
//! SLA state, and a clear 400 naming a bad value.

use crate::support::TestApp;
use ferrodesk_app::clock::Clock as _;
use serde_json::{Value, json};

backend_tests!(
    the_queue_filters_by_type_tag_and_dates,
    a_bad_filter_value_is_refused_naming_it,
);

fn ids_of(body: &Value) -> Vec<i64> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect()
}

async fn the_queue_filters_by_type_tag_and_dates(t: TestApp) {
    let desk = t.desk().await;
    let question = t
        .ticket(
            &desk.agent,
            json!({"subject": "How do I share a calendar", "ticket_type": "question", "requester_id": desk.customer.id}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    t.clock.advance(jiff::SignedDuration::from_hours(48));
    let incident = t
        .ticket(
            &desk.agent,
            json!({"subject": "VPN drops", "ticket_type": "incident", "requester_id": desk.customer.id}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    t.patch(&format!("/api/v1/tickets/{incident}"))
        .token(&desk.agent.token)
        .json(json!({"tags": ["vpn", "remote"]}))
        .send()
        .await
        .ok(200);
    let list = |query: &'static str| {
        let t = &t;
        let token = desk.agent.token.clone();
        async move {
            ids_of(
                &t.get(&format!("/api/v1/tickets?{query}"))
                    .token(&token)
                    .send()
                    .await
                    .ok(200),
            )
        }
    };
    assert_eq!(list("type=question").await, vec![question]);
    assert_eq!(list("type=incident&tag=vpn").await, vec![incident]);
    assert!(list("tag=vp").await.is_empty(), "a tag matches whole");
    let created_day = t.clock.now().strftime("%Y-%m-%d").to_string();
    let by_day = t
        .get(&format!("/api/v1/tickets?created_from={created_day}"))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(ids_of(&by_day), vec![incident]);
    let before = t
        .get(&format!(
            "/api/v1/tickets?created_to={created_day}&updated_to={created_day}"
        ))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(ids_of(&before), vec![incident, question]);
    assert!(list("sla=breached").await.is_empty());
}

async fn a_bad_filter_value_is_refused_naming_it(t: TestApp) {
    let desk = t.desk().await;
    for (query, parameter) in [
        ("type=bug", "type"),
        ("sla=late", "sla"),
        ("sla=due_within&sla_hours=0", "sla_hours"),
        ("created_from=31.12.2026", "created_from"),
        ("updated_to=soon", "updated_to"),
    ] {
        let body = t
            .get(&format!("/api/v1/tickets?{query}"))
            .token(&desk.agent.token)
            .send()
            .await
            .err(400, "invalid_query");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.starts_with(parameter), "{query}: {message}");
    }
}
