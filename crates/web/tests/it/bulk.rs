//! `POST /api/v1/tickets/bulk`: one action on tickets chosen by id or by the list's
//! filters, each ticket its own write, with a per-ticket answer; bad input changes
//! nothing.

use crate::support::{Desk, TestApp};
use serde_json::{Value, json};

backend_tests!(
    a_bulk_action_reports_each_ticket_and_refuses_only_what_the_rules_refuse,
    all_matching_tickets_take_the_filter_of_the_list,
    bad_bulk_requests_are_refused_and_change_nothing,
);

async fn ticket(t: &TestApp, desk: &Desk, subject: &str) -> i64 {
    let ticket = t
        .ticket(
            &desk.admin,
            json!({"subject": subject, "description": "Since Monday.",
                   "requester_id": desk.customer.id, "group_id": desk.service_desk}),
        )
        .await;
    ticket["id"].as_i64().unwrap()
}

async fn read(t: &TestApp, desk: &Desk, id: i64) -> Value {
    t.get(&format!("/api/v1/tickets/{id}"))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200)
}

async fn a_bulk_action_reports_each_ticket_and_refuses_only_what_the_rules_refuse(t: TestApp) {
    let desk = t.desk().await;
    let first = ticket(&t, &desk, "Printer jams").await;
    let second = ticket(&t, &desk, "Printer offline").await;
    let solved = ticket(&t, &desk, "Printer fixed").await;
    t.post(&format!("/api/v1/tickets/{solved}/transition"))
        .token(&desk.agent.token)
        .json(json!({"status": "resolved"}))
        .send()
        .await
        .ok(200);

    let report = t
        .post("/api/v1/tickets/bulk")
        .token(&desk.agent.token)
        .json(json!({"ids": [first, second, solved, 999_999],
                     "action": {"type": "set_status", "status": "pending_customer"}}))
        .send()
        .await
        .ok(200);
    assert_eq!(
        (&report["changed"], &report["unchanged"], &report["refused"]),
        (&json!(2), &json!(0), &json!(2))
    );
    let items = report["items"].as_array().unwrap();
    assert_eq!(items[0]["result"], "changed");
    assert_eq!(items[2]["result"], "refused");
    assert_eq!(items[2]["error"]["code"], "invalid_transition");
    assert_eq!(items[3]["error"]["code"], "ticket_not_found");
    assert_eq!(read(&t, &desk, second).await["status"], "pending_customer");
    assert_eq!(read(&t, &desk, solved).await["status"], "resolved");

    let tagged = t
        .post("/api/v1/tickets/bulk")
        .token(&desk.agent.token)
        .json(json!({"ids": [first, second],
                     "action": {"type": "add_tags", "tags": ["printer"]}}))
        .send()
        .await
        .ok(200);
    assert_eq!(tagged["changed"], 2);
    assert_eq!(read(&t, &desk, first).await["tags"], json!(["printer"]));
    let assigned = t
        .post("/api/v1/tickets/bulk")
        .token(&desk.agent.token)
        .json(json!({"ids": [first, second],
                     "action": {"type": "assign", "assignee_id": desk.agent.id}}))
        .send()
        .await
        .ok(200);
    assert_eq!(assigned["changed"], 2);
    assert_eq!(read(&t, &desk, second).await["assignee_id"], desk.agent.id);
}

async fn all_matching_tickets_take_the_filter_of_the_list(t: TestApp) {
    let desk = t.desk().await;
    let vpn = ticket(&t, &desk, "VPN drops").await;
    let other = ticket(&t, &desk, "Mouse broken").await;
    let report = t
        .post("/api/v1/tickets/bulk?q=VPN")
        .token(&desk.agent.token)
        .json(json!({"all_matching": true,
                     "action": {"type": "set_priority", "priority": "p2", "reason": "Board meeting"}}))
        .send()
        .await
        .ok(200);
    assert_eq!(report["changed"], 1, "{report}");
    assert_eq!(report["items"][0]["ticket_id"], vpn);
    assert_eq!(read(&t, &desk, vpn).await["priority"], "p2");
    assert_ne!(read(&t, &desk, other).await["priority"], "p2");
}

async fn bad_bulk_requests_are_refused_and_change_nothing(t: TestApp) {
    let desk = t.desk().await;
    let id = ticket(&t, &desk, "Screen flickers").await;
    let before = read(&t, &desk, id).await;
    t.post("/api/v1/tickets/bulk")
        .token(&desk.agent.token)
        .raw("application/json", "{\"ids\": [")
        .send()
        .await
        .err(400, "malformed_json");
    t.post("/api/v1/tickets/bulk")
        .token(&desk.agent.token)
        .json(json!({"ids": [id], "action": {"type": "paint_it_red"}}))
        .send()
        .await
        .err(422, "invalid_body");
    let neither = t
        .post("/api/v1/tickets/bulk")
        .token(&desk.agent.token)
        .json(json!({"action": {"type": "set_status", "status": "open"}}))
        .send()
        .await
        .err(422, "invalid_value");
    assert_eq!(neither["error"]["field"], "ids");
    let too_many: Vec<i64> = (1..=1001).collect();
    t.post("/api/v1/tickets/bulk")
        .token(&desk.agent.token)
        .json(json!({"ids": too_many, "action": {"type": "set_status", "status": "open"}}))
        .send()
        .await
        .err(422, "invalid_value");
    t.post("/api/v1/tickets/bulk?sla=sometimes")
        .token(&desk.agent.token)
        .json(json!({"all_matching": true, "action": {"type": "set_status", "status": "open"}}))
        .send()
        .await
        .err(400, "invalid_query");
    t.post("/api/v1/tickets/bulk")
        .token(&desk.customer.token)
        .json(json!({"ids": [id], "action": {"type": "set_status", "status": "open"}}))
        .send()
        .await
        .err(403, "forbidden");
    assert_eq!(read(&t, &desk, id).await["version"], before["version"]);
}
