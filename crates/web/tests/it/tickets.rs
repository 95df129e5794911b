//! Tickets: open, read, list, change, transition, split, link, merge, idempotency.

use crate::support::{TestApp, items};
use serde_json::{Value, json};

backend_tests!(
    customer_opens_a_ticket_routed_to_the_first_tier_1_group,
    priority_follows_the_matrix_and_an_override_needs_a_reason,
    forbidden_reads_look_like_missing_tickets,
    customers_cannot_set_staff_fields,
    queue_is_filtered_sorted_and_paged,
    field_changes_are_events_and_need_a_worker,
    invalid_transitions_name_the_allowed_statuses,
    customers_may_only_reopen_their_resolved_tickets,
    parent_with_an_open_child_cannot_be_resolved,
    split_routes_each_part_on_its_own_and_keeps_the_timeline,
    merge_closes_the_duplicate_and_keeps_both_timelines,
    links_refuse_self_duplicates_and_invisible_tickets,
    idempotent_create_returns_the_same_ticket_and_creates_one_row,
    queue_counts_are_for_staff,
    escalation_moves_the_ticket_up_in_one_event,
    round_robin_hands_two_tickets_in_a_row_to_two_agents,
);

async fn customer_opens_a_ticket_routed_to_the_first_tier_1_group(t: TestApp) {
    let desk = t.desk().await;
    let response = t
        .post("/api/v1/tickets")
        .token(&desk.customer.token)
        .json(json!({"subject": "  Printer jams on floor 3 ", "description": "It eats paper.", "ticket_type": "complaint"}))
        .send()
        .await;
    let location = response.header("location").unwrap().to_owned();
    let ticket = response.ok(201);
    let id = ticket["id"].as_i64().unwrap();
    assert!(id >= 10001);
    assert_eq!(ticket["number"], format!("#{id}"));
    assert_eq!(location, format!("/api/v1/tickets/{id}"));
    assert_eq!(ticket["subject"], "Printer jams on floor 3");
    assert_eq!(ticket["ticket_type"], "complaint");
    assert_eq!(ticket["status"], "new");
    assert_eq!(ticket["priority"], "p4");
    assert_eq!(ticket["group_id"], desk.service_desk);
    assert_eq!(ticket["tier"], 1);
    assert_eq!(ticket["requester_id"], desk.customer.id);
    assert_eq!(ticket["organization_id"], desk.organization);
    assert_eq!(ticket["owner_id"], Value::Null);
    assert_eq!(ticket["assignee_id"], Value::Null);
    assert!(
        ticket.get("tags").is_none(),
        "customers do not see tags: {ticket}"
    );
    assert!(ticket["created_at"].as_str().unwrap().ends_with('Z'));

    let read = t
        .get(&location)
        .token(&desk.customer.token)
        .send()
        .await
        .ok(200);
    assert_eq!(read["subject"], ticket["subject"]);
    let by_number = t
        .get(&format!("/api/v1/tickets/%23{id}"))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(by_number["id"], id);
    assert_eq!(by_number["tags"], json!([]));
}

async fn priority_follows_the_matrix_and_an_override_needs_a_reason(t: TestApp) {
    let desk = t.desk().await;
    let p1 = t
        .ticket(&desk.agent, json!({"subject": "Email down for everyone", "impact": "organization", "urgency": "high"}))
        .await;
    assert_eq!(p1["priority"], "p1");
    assert_eq!(p1["priority_overridden"], false);

    let before = t.ticket_count(&desk.admin).await;
    t.post("/api/v1/tickets")
        .token(&desk.agent.token)
        .json(json!({"subject": "VIP laptop", "priority": "p2"}))
        .send()
        .await
        .err(422, "invalid_value");
    assert_eq!(t.ticket_count(&desk.admin).await, before);

    let overridden = t
        .ticket(&desk.agent, json!({"subject": "VIP laptop", "priority": "p2", "priority_reason": "board meeting at 10"}))
        .await;
    assert_eq!(overridden["priority"], "p2");
    assert_eq!(overridden["priority_overridden"], true);
    assert_eq!(overridden["priority_reason"], "board meeting at 10");
    let events = t
        .get(&format!("/api/v1/tickets/{}/events", overridden["id"]))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    let change = items(&events)
        .into_iter()
        .find(|e| e["type"] == "field_changed" && e["field"] == "priority")
        .expect("the override is on the timeline");
    assert_eq!(change["old"], "p4");
    assert_eq!(change["new"], "p2");
    assert_eq!(change["reason"], "board meeting at 10");

    // Without an override, priority follows impact and urgency.
    let id = p1["id"].as_i64().unwrap();
    let changed = t
        .patch(&format!("/api/v1/tickets/{id}"))
        .token(&desk.agent.token)
        .json(json!({"impact": "individual", "urgency": "low"}))
        .send()
        .await
        .ok(200);
    assert_eq!(changed["priority"], "p4");
    // Back to the matrix clears an override.
    let cleared = t
        .patch(&format!("/api/v1/tickets/{}", overridden["id"]))
        .token(&desk.agent.token)
        .json(json!({"priority": null}))
        .send()
        .await
        .ok(200);
    assert_eq!(cleared["priority"], "p4");
    assert_eq!(cleared["priority_overridden"], false);
}

async fn forbidden_reads_look_like_missing_tickets(t: TestApp) {
    let desk = t.desk().await;
    let mine = t.ticket(&desk.customer, json!({"subject": "My VPN"})).await;
    let path = format!("/api/v1/tickets/{}", mine["id"]);
    t.get(&path)
        .token(&desk.other_customer.token)
        .send()
        .await
        .err(404, "ticket_not_found");
    t.get(&format!("{path}/events"))
        .token(&desk.other_customer.token)
        .send()
        .await
        .err(404, "ticket_not_found");
    // Tier 2 network agent is not in the service desk group.
    t.get(&path)
        .token(&desk.network_agent.token)
        .send()
        .await
        .err(404, "ticket_not_found");
    t.patch(&path)
        .token(&desk.network_agent.token)
        .json(json!({"subject": "hijack"}))
        .send()
        .await
        .err(404, "ticket_not_found");
    t.get(&path).token(&desk.agent.token).send().await.ok(200);
    t.get(&path)
        .token(&desk.supervisor.token)
        .send()
        .await
        .ok(200);
    t.get("/api/v1/tickets/99999")
        .token(&desk.admin.token)
        .send()
        .await
        .err(404, "ticket_not_found");
    // Assigned to the network agent, the ticket becomes visible to them.
    t.patch(&path)
        .token(&desk.agent.token)
        .json(json!({"assignee_id": desk.network_agent.id}))
        .send()
        .await
        .ok(200);
    t.get(&path)
        .token(&desk.network_agent.token)
        .send()
        .await
        .ok(200);
}

async fn customers_cannot_set_staff_fields(t: TestApp) {
    let desk = t.desk().await;
    for body in [
        json!({"subject": "x", "group_id": desk.network}),
        json!({"subject": "x", "assignee_id": desk.agent.id}),
        json!({"subject": "x", "priority": "p1", "priority_reason": "me first"}),
        json!({"subject": "x", "requester_id": desk.other_customer.id}),
        json!({"subject": "x", "tags": ["vip"]}),
        json!({"subject": "x", "interaction": {"type": "note", "body": "hi"}}),
    ] {
        t.post("/api/v1/tickets")
            .token(&desk.customer.token)
            .json(body)
            .send()
            .await
            .err(403, "forbidden");
    }
    assert_eq!(t.ticket_count(&desk.admin).await, 0);
}

async fn queue_is_filtered_sorted_and_paged(t: TestApp) {
    let desk = t.desk().await;
    let mut ids = Vec::new();
    for (i, (impact, urgency)) in [
        ("organization", "high"),
        ("individual", "low"),
        ("department", "medium"),
        ("individual", "medium"),
        ("department", "high"),
    ]
    .into_iter()
    .enumerate()
    {
        let ticket = t
            .ticket(
                &desk.agent,
                json!({"subject": format!("Queue item {i} printer"), "impact": impact, "urgency": urgency, "requester_id": desk.customer.id}),
            )
            .await;
        ids.push(ticket["id"].as_i64().unwrap());
        t.clock.advance(jiff::SignedDuration::from_secs(60));
    }
    t.ticket(
        &desk.network_agent,
        json!({"subject": "Switch down", "group_id": desk.network}),
    )
    .await;
    t.patch(&format!("/api/v1/tickets/{}", ids[0]))
        .token(&desk.agent.token)
        .json(json!({"assignee_id": desk.agent.id}))
        .send()
        .await
        .ok(200);

    // Paging covers every ticket exactly once.
    let mut seen = Vec::new();
    let mut path = "/api/v1/tickets?limit=2&sort=created_asc&q=printer".to_owned();
    loop {
        let page = t.get(&path).token(&desk.agent.token).send().await.ok(200);
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(|i| i["id"].as_i64().unwrap()));
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                path = format!("/api/v1/tickets?limit=2&sort=created_asc&q=printer&cursor={cursor}")
            }
            None => break,
        }
    }
    assert_eq!(seen, ids);

    let ids_of = |body: Value| -> Vec<i64> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect()
    };
    let p1 = t
        .get("/api/v1/tickets?priority=p1,p2")
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(ids_of(p1).len(), 2);
    let by_priority = ids_of(
        t.get("/api/v1/tickets?sort=priority&q=queue")
            .token(&desk.agent.token)
            .send()
            .await
            .ok(200),
    );
    assert_eq!(by_priority[0], ids[0]);
    let mine = ids_of(
        t.get("/api/v1/tickets?assignee_id=me")
            .token(&desk.agent.token)
            .send()
            .await
            .ok(200),
    );
    assert_eq!(mine, vec![ids[0]]);
    let unassigned = ids_of(
        t.get(&format!(
            "/api/v1/tickets?assignee_id=none&group_id={}",
            desk.service_desk
        ))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200),
    );
    assert_eq!(unassigned.len(), 4);
    let statuses = ids_of(
        t.get("/api/v1/tickets?status=new,open")
            .token(&desk.supervisor.token)
            .send()
            .await
            .ok(200),
    );
    assert_eq!(statuses.len(), 6);
    let by_requester = ids_of(
        t.get(&format!(
            "/api/v1/tickets?requester_id={}&channel=api",
            desk.customer.id
        ))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200),
    );
    assert_eq!(by_requester.len(), 5);
    // The tier-1 agent does not see the network group's ticket; the supervisor does.
    assert_eq!(
        ids_of(
            t.get("/api/v1/tickets")
                .token(&desk.agent.token)
                .send()
                .await
                .ok(200)
        )
        .len(),
        5
    );
    assert_eq!(
        ids_of(
            t.get("/api/v1/tickets")
                .token(&desk.supervisor.token)
                .send()
                .await
                .ok(200)
        )
        .len(),
        6
    );
    // Customers see their own tickets only.
    assert_eq!(
        ids_of(
            t.get("/api/v1/tickets")
                .token(&desk.customer.token)
                .send()
                .await
                .ok(200)
        )
        .len(),
        5
    );
    assert_eq!(
        ids_of(
            t.get("/api/v1/tickets")
                .token(&desk.other_customer.token)
                .send()
                .await
                .ok(200)
        )
        .len(),
        0
    );

    for bad in [
        "/api/v1/tickets?limit=201",
        "/api/v1/tickets?limit=0",
        "/api/v1/tickets?status=bogus",
        "/api/v1/tickets?priority=urgent",
        "/api/v1/tickets?sort=sideways",
        "/api/v1/tickets?group_id=abc",
        "/api/v1/tickets?cursor=%21%21",
        "/api/v1/tickets?stauts=new",
        "/api/v1/tickets?assignee_id=someone",
    ] {
        t.get(bad)
            .token(&desk.agent.token)
            .send()
            .await
            .err(400, "invalid_query");
    }
}

async fn field_changes_are_events_and_need_a_worker(t: TestApp) {
    let desk = t.desk().await;
    let ticket = t
        .ticket(&desk.customer, json!({"subject": "Monitor flickers"}))
        .await;
    let path = format!("/api/v1/tickets/{}", ticket["id"]);
    let changed = t
        .patch(&path)
        .token(&desk.agent.token)
        .json(json!({
            "version": ticket["version"],
            "assignee_id": desk.agent.id,
            "owner_id": desk.supervisor.id,
            "tags": ["Hardware", "hardware", "monitor"],
            "location": "B2 room 14",
            "group_id": desk.network,
        }))
        .send()
        .await
        .ok(200);
    assert_eq!(changed["assignee_id"], desk.agent.id);
    assert_eq!(changed["owner_id"], desk.supervisor.id);
    assert_eq!(changed["tags"], json!(["hardware", "monitor"]));
    assert_eq!(changed["group_id"], desk.network);
    assert_eq!(changed["tier"], 2);
    assert!(changed["version"].as_i64().unwrap() > ticket["version"].as_i64().unwrap());

    let events = t
        .get(&format!("{path}/events"))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    let fields: Vec<String> = items(&events)
        .iter()
        .filter(|e| e["type"] == "field_changed")
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    for field in [
        "assignee_id",
        "owner_id",
        "tags",
        "location",
        "group_id",
        "tier",
    ] {
        assert!(
            fields.contains(&field.to_owned()),
            "{field} missing from {fields:?}"
        );
    }
    // An old version is refused and changes nothing.
    t.patch(&path)
        .token(&desk.agent.token)
        .json(json!({"version": ticket["version"], "subject": "stale"}))
        .send()
        .await
        .err(409, "ticket_changed");
    // Customers see but may not change.
    t.patch(&path)
        .token(&desk.customer.token)
        .json(json!({"subject": "mine"}))
        .send()
        .await
        .err(403, "forbidden");
    // Unknown references.
    t.patch(&path)
        .token(&desk.agent.token)
        .json(json!({"group_id": 424242}))
        .send()
        .await
        .err(404, "group_not_found");
    t.patch(&path)
        .token(&desk.agent.token)
        .json(json!({"assignee_id": desk.customer.id}))
        .send()
        .await
        .err(422, "invalid_value");
    let read = t.get(&path).token(&desk.agent.token).send().await.ok(200);
    assert_eq!(read["subject"], "Monitor flickers");
    assert_eq!(read["version"], changed["version"]);
}

async fn invalid_transitions_name_the_allowed_statuses(t: TestApp) {
    let desk = t.desk().await;
    let ticket = t.ticket(&desk.agent, json!({"subject": "Disk full"})).await;
    let path = format!("/api/v1/tickets/{}/transition", ticket["id"]);
    let refused = t
        .post(&path)
        .token(&desk.agent.token)
        .json(json!({"status": "closed"}))
        .send()
        .await
        .err(409, "invalid_transition");
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("open, pending_customer, pending_vendor, pending_scheduled, resolved"),
        "{message}"
    );
    assert_eq!(
        refused["error"]["allowed"],
        json!([
            "open",
            "pending_customer",
            "pending_vendor",
            "pending_scheduled",
            "resolved"
        ])
    );

    for status in ["open", "pending_vendor", "resolved", "closed"] {
        let moved = t
            .post(&path)
            .token(&desk.agent.token)
            .json(json!({"status": status, "reason": format!("now {status}")}))
            .send()
            .await
            .ok(200);
        assert_eq!(moved["status"], status);
    }
    let closed = t
        .get(&format!("/api/v1/tickets/{}", ticket["id"]))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert!(closed["resolved_at"].is_string());
    assert!(closed["closed_at"].is_string());
    t.post(&path)
        .token(&desk.agent.token)
        .json(json!({"status": "open"}))
        .send()
        .await
        .err(409, "ticket_closed");
    t.post(&path)
        .token(&desk.agent.token)
        .json(json!({"status": "finished"}))
        .send()
        .await
        .err(422, "invalid_body");
    // Closed is final for every change: fields too, and nothing is written.
    let ticket_path = format!("/api/v1/tickets/{}", ticket["id"]);
    for change in [
        json!({"subject": "Disk full again"}),
        json!({"description": "More detail"}),
        json!({"tags": ["storage"]}),
    ] {
        t.patch(&ticket_path)
            .token(&desk.agent.token)
            .json(change)
            .send()
            .await
            .err(409, "ticket_closed");
    }
    let unchanged = t
        .get(&ticket_path)
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(unchanged["subject"], "Disk full");
    assert_eq!(unchanged["version"], closed["version"]);
    let events = t
        .get(&format!("/api/v1/tickets/{}/events", ticket["id"]))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    let moves = items(&events)
        .iter()
        .filter(|e| e["type"] == "status_changed")
        .count();
    assert_eq!(moves, 4);
}

async fn customers_may_only_reopen_their_resolved_tickets(t: TestApp) {
    let desk = t.desk().await;
    let ticket = t
        .ticket(&desk.customer, json!({"subject": "Password reset"}))
        .await;
    let path = format!("/api/v1/tickets/{}/transition", ticket["id"]);
    t.post(&path)
        .token(&desk.customer.token)
        .json(json!({"status": "resolved"}))
        .send()
        .await
        .err(403, "forbidden");
    t.post(&path)
        .token(&desk.agent.token)
        .json(json!({"status": "resolved"}))
        .send()
        .await
        .ok(200);
    t.post(&path)
        .token(&desk.other_customer.token)
        .json(json!({"status": "open"}))
        .send()
        .await
        .err(404, "ticket_not_found");
    let reopened = t
        .post(&path)
        .token(&desk.customer.token)
        .json(json!({"status": "open", "reason": "still broken"}))
        .send()
        .await
        .ok(200);
    assert_eq!(reopened["status"], "open");
    assert_eq!(reopened["resolved_at"], Value::Null);
    let events = t
        .get(&format!("/api/v1/tickets/{}/events", ticket["id"]))
        .token(&desk.customer.token)
        .send()
        .await
        .ok(200);
    assert!(
        items(&events)
            .iter()
            .any(|e| e["type"] == "reply" && e["body"] == "still broken")
    );
}

async fn parent_with_an_open_child_cannot_be_resolved(t: TestApp) {
    let desk = t.desk().await;
    let parent = t
        .ticket(&desk.agent, json!({"subject": "Office move"}))
        .await;
    let child = t
        .ticket(&desk.agent, json!({"subject": "Move printer"}))
        .await;
    let other_child = t
        .ticket(&desk.agent, json!({"subject": "Move phones"}))
        .await;
    t.post(&format!("/api/v1/tickets/{}/links", parent["id"]))
        .token(&desk.agent.token)
        .json(json!({"kind": "parent_of", "ticket_id": child["id"]}))
        .send()
        .await
        .ok(201);
    // child_of is stored as the other's parent_of.
    let links = t
        .post(&format!("/api/v1/tickets/{}/links", other_child["id"]))
        .token(&desk.agent.token)
        .json(json!({"kind": "child_of", "ticket_id": parent["id"]}))
        .send()
        .await
        .ok(201);
    assert_eq!(links["items"][0]["kind"], "parent_of");
    assert_eq!(links["items"][0]["direction"], "incoming");

    let resolve = |id: &Value| format!("/api/v1/tickets/{id}/transition");
    let refused = t
        .post(&resolve(&parent["id"]))
        .token(&desk.agent.token)
        .json(json!({"status": "resolved"}))
        .send()
        .await
        .err(409, "open_children");
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(message.contains(&format!("#{}", child["id"])), "{message}");
    assert_eq!(refused["error"]["children"].as_array().unwrap().len(), 2);
    for kid in [&child, &other_child] {
        t.post(&resolve(&kid["id"]))
            .token(&desk.agent.token)
            .json(json!({"status": "resolved"}))
            .send()
            .await
            .ok(200);
    }
    t.post(&resolve(&parent["id"]))
        .token(&desk.agent.token)
        .json(json!({"status": "resolved"}))
        .send()
        .await
        .ok(200);
}

async fn split_routes_each_part_on_its_own_and_keeps_the_timeline(t: TestApp) {
    let desk = t.desk().await;
    let original = t
        .ticket(&desk.agent, json!({
            "subject": "Caller: laptop slow, VPN drops, wants new mouse",
            "requester_id": desk.customer.id,
            "interaction": {"type": "call", "direction": "inbound", "number": "+351 21 000 0000", "duration_seconds": 300, "body": "three problems"}
        }))
        .await;
    let id = original["id"].as_i64().unwrap();
    let created = t
        .post(&format!("/api/v1/tickets/{id}/split"))
        .token(&desk.agent.token)
        .json(json!({"parts": [
            {"subject": "VPN drops", "group_id": desk.network, "impact": "department", "urgency": "high"},
            {"subject": "New mouse", "ticket_type": "service_request", "urgency": "low"}
        ]}))
        .send()
        .await
        .ok(201);
    let parts = created["tickets"].as_array().unwrap();
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[0]["group_id"], desk.network);
    assert_eq!(parts[0]["tier"], 2);
    assert_eq!(parts[0]["priority"], "p2");
    assert_eq!(parts[1]["group_id"], desk.service_desk);
    assert_eq!(parts[1]["ticket_type"], "service_request");
    assert_eq!(parts[1]["priority"], "p4");
    for part in parts {
        assert_eq!(part["requester_id"], desk.customer.id);
        assert_eq!(part["channel"], "phone");
        let links = t
            .get(&format!("/api/v1/tickets/{}/links", part["id"]))
            .token(&desk.supervisor.token)
            .send()
            .await
            .ok(200);
        assert_eq!(links["items"][0]["kind"], "split_from");
        assert_eq!(links["items"][0]["ticket_id"], id);
        assert_eq!(links["items"][0]["direction"], "outgoing");
    }
    let timeline = t
        .get(&format!("/api/v1/tickets/{id}/events"))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    let kinds: Vec<String> = items(&timeline)
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| *k == "split_into").count(),
        2,
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&"created".to_owned()) && kinds.contains(&"call".to_owned()),
        "{kinds:?}"
    );

    t.post(&format!("/api/v1/tickets/{id}/split"))
        .token(&desk.agent.token)
        .json(json!({"parts": []}))
        .send()
        .await
        .err(422, "invalid_value");
    t.post(&format!("/api/v1/tickets/{id}/split"))
        .token(&desk.customer.token)
        .json(json!({"parts": [{"subject": "mine"}]}))
        .send()
        .await
        .err(403, "forbidden");
}

async fn merge_closes_the_duplicate_and_keeps_both_timelines(t: TestApp) {
    let desk = t.desk().await;
    let target = t
        .ticket(&desk.customer, json!({"subject": "Wifi down in B2"}))
        .await;
    let duplicate = t
        .ticket(&desk.other_customer, json!({"subject": "No wifi"}))
        .await;
    t.post(&format!("/api/v1/tickets/{}/events", duplicate["id"]))
        .token(&desk.other_customer.token)
        .json(json!({"type": "reply", "body": "still nothing"}))
        .send()
        .await
        .ok(201);
    let merged = t
        .post(&format!("/api/v1/tickets/{}/merge", duplicate["id"]))
        .token(&desk.agent.token)
        .json(json!({"into": target["id"]}))
        .send()
        .await
        .ok(200);
    assert_eq!(merged["id"], target["id"]);
    assert_eq!(merged["status"], "new");

    let source = t
        .get(&format!("/api/v1/tickets/{}", duplicate["id"]))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(source["status"], "closed");
    assert_eq!(source["merged_into"], target["id"]);
    let source_events = t
        .get(&format!("/api/v1/tickets/{}/events", duplicate["id"]))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    let kinds: Vec<String> = items(&source_events)
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect();
    for kind in ["created", "reply", "status_changed", "merged_into"] {
        assert!(
            kinds.iter().any(|k| k == kind),
            "{kind} missing from {kinds:?}"
        );
    }
    let target_events = t
        .get(&format!("/api/v1/tickets/{}/events", target["id"]))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert!(
        items(&target_events)
            .iter()
            .any(|e| e["type"] == "merged_from" && e["other"] == duplicate["id"])
    );
    let links = t
        .get(&format!("/api/v1/tickets/{}/links", duplicate["id"]))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(links["items"][0]["kind"], "duplicate_of");

    // A closed ticket cannot be merged again, nor merged into.
    t.post(&format!("/api/v1/tickets/{}/merge", duplicate["id"]))
        .token(&desk.agent.token)
        .json(json!({"into": target["id"]}))
        .send()
        .await
        .err(409, "ticket_closed");
    let third = t
        .ticket(&desk.agent, json!({"subject": "Wifi again"}))
        .await;
    t.post(&format!("/api/v1/tickets/{}/merge", third["id"]))
        .token(&desk.agent.token)
        .json(json!({"into": duplicate["id"]}))
        .send()
        .await
        .err(409, "ticket_closed");
    t.post(&format!("/api/v1/tickets/{}/merge", third["id"]))
        .token(&desk.agent.token)
        .json(json!({"into": third["id"]}))
        .send()
        .await
        .err(422, "invalid_value");
    t.post(&format!("/api/v1/tickets/{}/merge", third["id"]))
        .token(&desk.customer.token)
        .json(json!({"into": target["id"]}))
        .send()
        .await
        .err(404, "ticket_not_found");
}

async fn links_refuse_self_duplicates_and_invisible_tickets(t: TestApp) {
    let desk = t.desk().await;
    let a = t.ticket(&desk.agent, json!({"subject": "A"})).await;
    let b = t.ticket(&desk.agent, json!({"subject": "B"})).await;
    let hidden = t
        .ticket(
            &desk.network_agent,
            json!({"subject": "Core switch", "group_id": desk.network}),
        )
        .await;
    let path = format!("/api/v1/tickets/{}/links", a["id"]);
    t.post(&path)
        .token(&desk.agent.token)
        .json(json!({"kind": "related", "ticket_id": a["id"]}))
        .send()
        .await
        .err(422, "invalid_value");
    let links = t
        .post(&path)
        .token(&desk.agent.token)
        .json(json!({"kind": "related", "ticket_id": b["id"]}))
        .send()
        .await
        .ok(201);
    assert_eq!(links["items"][0]["ticket_id"], b["id"]);
    assert_eq!(links["items"][0]["subject"], "B");
    t.post(&path)
        .token(&desk.agent.token)
        .json(json!({"kind": "duplicate_of", "ticket_id": b["id"]}))
        .send()
        .await
        .err(409, "already_linked");
    t.post(&path)
        .token(&desk.agent.token)
        .json(json!({"kind": "related", "ticket_id": hidden["id"]}))
        .send()
        .await
        .err(404, "ticket_not_found");
    t.post(&path)
        .token(&desk.agent.token)
        .json(json!({"kind": "sibling_of", "ticket_id": b["id"]}))
        .send()
        .await
        .err(422, "invalid_body");
    let from_b = t
        .get(&format!("/api/v1/tickets/{}/links", b["id"]))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(from_b["items"][0]["direction"], "incoming");
    // The supervisor links across groups; the agent then does not see the hidden one.
    t.post(&path)
        .token(&desk.supervisor.token)
        .json(json!({"kind": "caused_by", "ticket_id": hidden["id"]}))
        .send()
        .await
        .ok(201);
    let seen = t.get(&path).token(&desk.agent.token).send().await.ok(200);
    assert_eq!(seen["items"].as_array().unwrap().len(), 1);
    let all = t
        .get(&path)
        .token(&desk.supervisor.token)
        .send()
        .await
        .ok(200);
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
}

async fn idempotent_create_returns_the_same_ticket_and_creates_one_row(t: TestApp) {
    let desk = t.desk().await;
    let body = json!({"subject": "Keyboard missing keys", "urgency": "low"});
    let first = t
        .post("/api/v1/tickets")
        .token(&desk.customer.token)
        .header("idempotency-key", "retry-1")
        .json(body.clone())
        .send()
        .await;
    assert_eq!(first.header("idempotent-replayed"), None);
    let first = first.ok(201);
    // The same request with its keys in another order is the same request.
    let replay = t
        .post("/api/v1/tickets")
        .token(&desk.customer.token)
        .header("idempotency-key", "retry-1")
        .raw(
            "application/json",
            r#"{"urgency":"low","subject":"Keyboard missing keys"}"#,
        )
        .send()
        .await;
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    let replay = replay.ok(201);
    assert_eq!(replay["id"], first["id"]);
    assert_eq!(replay["subject"], first["subject"]);
    assert_eq!(t.ticket_count(&desk.admin).await, 1);

    let reused = t
        .post("/api/v1/tickets")
        .token(&desk.customer.token)
        .header("idempotency-key", "retry-1")
        .json(json!({"subject": "Something else"}))
        .send()
        .await
        .err(409, "idempotency_key_reused");
    assert!(
        reused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Idempotency-Key")
    );
    // Keys are per person: another customer's same key is a new request.
    t.post("/api/v1/tickets")
        .token(&desk.other_customer.token)
        .header("idempotency-key", "retry-1")
        .json(body)
        .send()
        .await
        .ok(201);
    assert_eq!(t.ticket_count(&desk.admin).await, 2);
}

async fn queue_counts_are_for_staff(t: TestApp) {
    let desk = t.desk().await;
    t.ticket(&desk.customer, json!({"subject": "One"})).await;
    let two = t.ticket(&desk.customer, json!({"subject": "Two"})).await;
    t.post(&format!("/api/v1/tickets/{}/transition", two["id"]))
        .token(&desk.agent.token)
        .json(json!({"status": "open"}))
        .send()
        .await
        .ok(200);
    let counts = t
        .get("/api/v1/tickets/counts")
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(counts["by_status"]["new"], 1);
    assert_eq!(counts["by_status"]["open"], 1);
    let service_desk = counts["open_by_group"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == desk.service_desk)
        .unwrap()
        .clone();
    assert_eq!(service_desk["count"], 2);
    t.get("/api/v1/tickets/counts")
        .token(&desk.customer.token)
        .send()
        .await
        .err(403, "forbidden");
}

async fn escalation_moves_the_ticket_up_in_one_event(t: TestApp) {
    let desk = t.desk().await;
    let ticket = t
        .ticket(
            &desk.customer,
            json!({"subject": "VPN drops every five minutes"}),
        )
        .await;
    let id = ticket["id"].as_i64().unwrap();
    let path = format!("/api/v1/tickets/{id}/escalate");
    let timeline = format!("/api/v1/tickets/{id}/events");
    let events_before = items(
        &t.get(&timeline)
            .token(&desk.admin.token)
            .send()
            .await
            .ok(200),
    )
    .len();

    // Bad requests change nothing.
    t.post(&path)
        .token(&desk.agent.token)
        .json(json!({"to_group_id": desk.network, "reason": "  "}))
        .send()
        .await
        .err(422, "invalid_value");
    t.post(&path)
        .token(&desk.agent.token)
        .json(json!({"to_group_id": desk.service_desk, "reason": "needs help"}))
        .send()
        .await
        .err(422, "invalid_value");
    t.post(&path)
        .token(&desk.agent.token)
        .json(json!({"to_group_id": 999_999, "reason": "needs help"}))
        .send()
        .await
        .err(422, "invalid_value");
    t.post(&path)
        .token(&desk.customer.token)
        .json(json!({"to_group_id": desk.network, "reason": "hurry"}))
        .send()
        .await
        .err(403, "forbidden");
    let unchanged = t
        .get(&format!("/api/v1/tickets/{id}"))
        .token(&desk.admin.token)
        .send()
        .await
        .ok(200);
    assert_eq!(unchanged["escalation_level"], 0);
    assert_eq!(
        items(
            &t.get(&timeline)
                .token(&desk.admin.token)
                .send()
                .await
                .ok(200)
        )
        .len(),
        events_before,
        "refused escalations write no event"
    );

    let escalated = t
        .post(&path)
        .token(&desk.agent.token)
        .json(json!({"to_group_id": desk.network, "reason": "Firewall change needs second line"}))
        .send()
        .await
        .ok(200);
    assert_eq!(escalated["group_id"], desk.network);
    assert_eq!(escalated["tier"], 2);
    assert_eq!(escalated["escalation_level"], 1);
    assert_eq!(
        escalated["owner_id"], desk.agent.id,
        "the escalating agent stays accountable"
    );

    let staff_view = items(
        &t.get(&timeline)
            .token(&desk.admin.token)
            .send()
            .await
            .ok(200),
    );
    let escalation: Vec<&Value> = staff_view
        .iter()
        .filter(|e| e["type"] == "escalated")
        .collect();
    assert_eq!(escalation.len(), 1);
    assert_eq!(escalation[0]["reason"], "Firewall change needs second line");
    assert_eq!(escalation[0]["from_tier"], 1);
    assert_eq!(escalation[0]["to_tier"], 2);
    let customer_view = items(
        &t.get(&timeline)
            .token(&desk.customer.token)
            .send()
            .await
            .ok(200),
    );
    assert!(
        customer_view.iter().all(|e| e["type"] != "escalated"),
        "escalations are internal"
    );

    let external = t
        .post(&path)
        .token(&desk.network_agent.token)
        .json(json!({"to_group_id": desk.network, "kind": "external", "reason": "Vendor firmware bug", "external_ref": "CASE-4711"}))
        .send()
        .await
        .ok(200);
    assert_eq!(
        external["status"], "pending_vendor",
        "an external escalation waits on the vendor"
    );
    assert_eq!(external["external_ref"], "CASE-4711");
    assert_eq!(external["escalation_level"], 2);
}

async fn round_robin_hands_two_tickets_in_a_row_to_two_agents(t: TestApp) {
    let desk = t.desk().await;
    let second = t.person("agent", Some(1), &["Service Desk"], None).await;
    t.call(
        axum::http::Method::PUT,
        &format!("/api/v1/groups/{}/assignment", desk.service_desk),
    )
    .token(&desk.admin.token)
    .json(json!({"mode": "round_robin"}))
    .send()
    .await
    .ok(200);
    let mut assignees = Vec::new();
    for subject in ["Badge reader", "Badge printer", "Badge lanyard"] {
        let ticket = t.ticket(&desk.customer, json!({"subject": subject})).await;
        assert_eq!(ticket["group_id"], desk.service_desk);
        assignees.push(ticket["assignee_id"].as_i64().unwrap());
    }
    // The pick is remembered with each ticket, so the next one goes to the next agent
    // and the third starts over.
    let (first, other) = (desk.agent.id.min(second.id), desk.agent.id.max(second.id));
    assert_eq!(assignees, [first, other, first]);
}
