//! Reports: the dashboard counts what happened per day, compares with the period
//! before, and shows each viewer only the groups they may see.

use crate::support::TestApp;
use jiff::SignedDuration;
use serde_json::{Value, json};

backend_tests!(
    dashboard_counts_volume_response_and_resolution_times,
    agents_see_their_own_groups_and_customers_no_reports,
    bad_report_periods_are_refused,
);

fn row<'a>(rows: &'a Value, key: &str) -> &'a Value {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("no row {key} in {rows}"))
}

async fn dashboard_counts_volume_response_and_resolution_times(t: TestApp) {
    let desk = t.desk().await;
    // Yesterday: one ticket by phone, never touched.
    t.ticket(
        &desk.agent,
        json!({"subject": "Phone dead", "requester_id": desk.customer.id, "channel": "phone", "group_id": desk.service_desk}),
    )
    .await;
    t.clock.advance(SignedDuration::from_hours(24));
    // Today: a ticket answered after 30 minutes and resolved after 2 hours, then reopened.
    let ticket = t
        .ticket(
            &desk.supervisor,
            json!({"subject": "VPN drops", "requester_id": desk.customer.id, "channel": "chat", "group_id": desk.network}),
        )
        .await;
    let id = ticket["id"].as_i64().unwrap();
    t.clock.advance(SignedDuration::from_mins(30));
    t.post(&format!("/api/v1/tickets/{id}/events"))
        .token(&desk.supervisor.token)
        .json(json!({"type": "reply", "body": "Which client version?"}))
        .send()
        .await
        .ok(201);
    t.clock.advance(SignedDuration::from_mins(90));
    for status in ["resolved", "open"] {
        t.post(&format!("/api/v1/tickets/{id}/transition"))
            .token(&desk.supervisor.token)
            .json(json!({"status": status, "reason": "test"}))
            .send()
            .await
            .ok(200);
    }

    let today = t
        .get("/api/v1/reports/dashboard?days=1")
        .token(&desk.supervisor.token)
        .send()
        .await
        .ok(200);
    assert_eq!(today["from"], today["to"]);
    let totals = &today["totals"];
    assert_eq!(totals["created"], 1, "{today}");
    assert_eq!(totals["first_responses"], 1);
    assert_eq!(totals["avg_first_response_seconds"], 30 * 60);
    assert_eq!(totals["resolved"], 1);
    assert_eq!(totals["avg_resolution_seconds"], 2 * 3600);
    assert_eq!(totals["reopened"], 1);
    assert_eq!(totals["reopen_rate_percent"], 100.0);
    // The day before is the previous period: the trend's base.
    assert_eq!(today["previous"]["created"], 1);
    assert_eq!(today["previous"]["resolved"], 0);
    assert_eq!(today["daily"].as_array().unwrap().len(), 1);

    let week = t
        .get("/api/v1/reports/dashboard?days=7")
        .token(&desk.admin.token)
        .send()
        .await
        .ok(200);
    let daily = week["daily"].as_array().unwrap();
    assert_eq!(daily.len(), 7);
    let created: Vec<i64> = daily
        .iter()
        .map(|d| d["created"].as_i64().unwrap())
        .collect();
    assert_eq!(created, [0, 0, 0, 0, 0, 1, 1]);
    assert_eq!(week["totals"]["created"], 2);
    assert_eq!(row(&week["by_channel"], "phone")["created"], 1);
    assert_eq!(row(&week["by_channel"], "chat")["created"], 1);
    assert_eq!(
        row(&week["by_group"], &desk.network.to_string())["resolved"],
        1
    );
    assert_eq!(row(&week["by_priority"], "p4")["created"], 2);
    // Both tickets are open now: the backlog counts them by group.
    assert_eq!(week["backlog"]["open"], 2);
    assert_eq!(
        week["backlog"]["by_group"][desk.service_desk.to_string()],
        1
    );
}

async fn agents_see_their_own_groups_and_customers_no_reports(t: TestApp) {
    let desk = t.desk().await;
    for group in [desk.service_desk, desk.network] {
        t.ticket(
            &desk.supervisor,
            json!({"subject": "Printer", "requester_id": desk.customer.id, "group_id": group}),
        )
        .await;
    }
    let own = t
        .get("/api/v1/reports/dashboard")
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(own["totals"]["created"], 1);
    assert_eq!(own["by_group"].as_array().unwrap().len(), 1);
    assert_eq!(own["backlog"]["open"], 1);
    // Another group's report is as unknown to the agent as a missing group.
    t.get(&format!("/api/v1/reports/dashboard?group={}", desk.network))
        .token(&desk.agent.token)
        .send()
        .await
        .err(404, "group_not_found");
    let all = t
        .get("/api/v1/reports/dashboard")
        .token(&desk.supervisor.token)
        .send()
        .await
        .ok(200);
    assert_eq!(all["totals"]["created"], 2);
    t.get("/api/v1/reports/dashboard")
        .token(&desk.customer.token)
        .send()
        .await
        .err(403, "forbidden");
    t.get("/api/v1/reports/dashboard")
        .send()
        .await
        .err(401, "unauthenticated");
}

async fn bad_report_periods_are_refused(t: TestApp) {
    let desk = t.desk().await;
    let get = |query: &'static str| {
        t.get(&format!("/api/v1/reports/dashboard?{query}"))
            .token(&desk.supervisor.token)
            .send()
    };
    get("days=0").await.err(422, "invalid_value");
    get("days=367").await.err(422, "invalid_value");
    get("from=2026-03-10&to=2026-03-01")
        .await
        .err(422, "invalid_value");
    get("from=2024-01-01&to=2026-03-01")
        .await
        .err(422, "invalid_value");
    get("from=yesterday").await.err(400, "invalid_query");
    get("group=999999").await.err(404, "group_not_found");
    get("colour=blue").await.err(400, "invalid_query");
}
