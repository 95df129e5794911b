//! The team view over the API: supervisors and admins get their groups' queues, each
//! agent's load and the tickets due soonest; agents and customers are refused.

use crate::support::TestApp;
use jiff::SignedDuration;
use serde_json::{Value, json};

backend_tests!(
    a_supervisor_reads_their_groups_queues_loads_and_breaching_tickets,
    agents_and_customers_may_not_read_the_team_view,
);

fn by<'a>(items: &'a Value, key: &str, value: &Value) -> &'a Value {
    items
        .as_array()
        .unwrap()
        .iter()
        .find(|item| &item[key] == value)
        .unwrap_or_else(|| panic!("no {key} = {value} in {items}"))
}

async fn a_supervisor_reads_their_groups_queues_loads_and_breaching_tickets(t: TestApp) {
    let desk = t.desk().await;
    let lead = t
        .person("supervisor", Some(2), &["Service Desk"], None)
        .await;
    let admin = &desk.admin.token;
    let calendar = t
        .post("/api/v1/calendars")
        .token(admin)
        .json(json!({"name": "Always", "always_open": true}))
        .send()
        .await
        .ok(201);
    let target = json!({"first_response_minutes": 120, "resolution_minutes": 480});
    t.post("/api/v1/sla-policies")
        .token(admin)
        .json(json!({
            "name": "Standard", "calendar_id": calendar["id"], "is_default": true,
            "targets": {"p1": target, "p2": target, "p3": target, "p4": target}
        }))
        .send()
        .await
        .ok(201);
    let ticket = |subject: &str, group: i64, assignee: Option<i64>| json!({"subject": subject, "requester_id": desk.customer.id, "group_id": group, "assignee_id": assignee});
    let printer = t
        .ticket(
            &desk.supervisor,
            ticket("Printer jams", desk.service_desk, Some(desk.agent.id)),
        )
        .await;
    t.ticket(
        &desk.supervisor,
        ticket("Laptop will not boot", desk.service_desk, None),
    )
    .await;
    // A Network ticket assigned to the supervisor is still not of their groups.
    t.ticket(
        &desk.supervisor,
        ticket("Router flapping", desk.network, Some(lead.id)),
    )
    .await;
    // 90 minutes on, those are due within the hour; a new one is not.
    t.clock.advance(SignedDuration::from_mins(90));
    t.ticket(
        &desk.supervisor,
        ticket("Monitor flickers", desk.service_desk, Some(desk.agent.id)),
    )
    .await;
    t.call(
        axum::http::Method::PUT,
        &format!("/api/v1/agents/{}/settings", desk.agent.id),
    )
    .token(admin)
    .json(json!({"is_away": true, "load_limit": 5}))
    .send()
    .await
    .ok(200);

    let team = t
        .get("/api/v1/team")
        .token(&lead.token)
        .send()
        .await
        .ok(200);
    let groups = team["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 1, "{team}");
    let group = &groups[0];
    assert_eq!(group["id"], desk.service_desk);
    assert_eq!(group["name"], "Service Desk");
    assert_eq!(group["open"], 3, "{team}");
    assert_eq!(group["unassigned"], 1);
    assert_eq!(group["breaching_soon"], 2);
    assert_eq!(group["breaching_soon_capped"], false);

    let agent = by(&team["agents"], "id", &json!(desk.agent.id));
    assert_eq!(agent["open_tickets"], 2, "{team}");
    assert_eq!(agent["is_away"], true);
    assert_eq!(agent["load_limit"], 5);
    assert_eq!(agent["role"], "agent");
    assert_eq!(agent["group_ids"], json!([desk.service_desk]));
    let own = by(&team["agents"], "id", &json!(lead.id));
    assert_eq!(own["open_tickets"], 1);
    assert!(
        !team["agents"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == desk.network_agent.id),
        "{team}"
    );

    let breaching = team["breaching"].as_array().unwrap();
    let subjects: Vec<&str> = breaching
        .iter()
        .map(|b| b["subject"].as_str().unwrap())
        .collect();
    assert_eq!(subjects, ["Printer jams", "Laptop will not boot"], "{team}");
    let first = &breaching[0];
    assert_eq!(first["id"], printer["id"]);
    assert_eq!(first["assignee_id"], desk.agent.id);
    assert_eq!(first["assignee_name"], "Test agent");
    assert_eq!(first["is_breached"], false);
    assert_eq!(
        first["due_at"], printer["sla"]["first_response"]["due_at"],
        "{team}"
    );
    assert_eq!(breaching[1]["assignee_id"], Value::Null);

    // An hour later they are overdue; the admin sees both groups.
    t.clock.advance(SignedDuration::from_mins(60));
    let all = t.get("/api/v1/team").token(admin).send().await.ok(200);
    assert_eq!(all["groups"].as_array().unwrap().len(), 2, "{all}");
    let network = by(&all["groups"], "id", &json!(desk.network));
    assert_eq!(network["open"], 1);
    assert_eq!(network["breaching_soon"], 1);
    assert_eq!(all["breaching"][0]["is_breached"], true, "{all}");
    assert_eq!(all["breaching"].as_array().unwrap().len(), 3);
    // A supervisor in no group sees every group too.
    let everyone = t
        .get("/api/v1/team")
        .token(&desk.supervisor.token)
        .send()
        .await
        .ok(200);
    assert_eq!(everyone["groups"].as_array().unwrap().len(), 2);
}

async fn agents_and_customers_may_not_read_the_team_view(t: TestApp) {
    let desk = t.desk().await;
    for who in [&desk.agent, &desk.customer] {
        t.get("/api/v1/team")
            .token(&who.token)
            .send()
            .await
            .err(403, "forbidden");
    }
    t.get("/api/v1/team")
        .send()
        .await
        .err(401, "unauthenticated");
}
