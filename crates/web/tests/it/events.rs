//! The timeline: replies, notes, calls, walk-ins; what customers may see.

use crate::support::{TestApp, items};
use serde_json::{Value, json};

backend_tests!(
    staff_log_replies_notes_calls_and_visits,
    internal_events_never_reach_a_customer,
    customers_may_only_reply,
    a_call_or_visit_can_open_a_new_ticket,
    idempotent_event_append_logs_once,
    closed_tickets_take_no_more_messages,
    a_reply_and_its_status_change_are_written_together_or_not_at_all,
);

async fn staff_log_replies_notes_calls_and_visits(t: TestApp) {
    let desk = t.desk().await;
    let ticket = t
        .ticket(&desk.customer, json!({"subject": "Outlook crashes"}))
        .await;
    assert_eq!(ticket["first_response_at"], Value::Null);
    let path = format!("/api/v1/tickets/{}/events", ticket["id"]);
    let note = t
        .post(&path)
        .token(&desk.agent.token)
        .json(json!({"type": "note", "body": "looks like a bad add-in"}))
        .send()
        .await
        .ok(201);
    assert_eq!(note["type"], "note");
    assert_eq!(note["visibility"], "internal");
    assert_eq!(note["actor_id"], desk.agent.id);
    assert_eq!(note["channel"], "api");
    // A note is not a response to the requester.
    let read = t
        .get(&format!("/api/v1/tickets/{}", ticket["id"]))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(read["first_response_at"], Value::Null);

    t.clock.advance(jiff::SignedDuration::from_mins(5));
    let call = t
        .post(&path)
        .token(&desk.agent.token)
        .json(json!({"type": "call", "direction": "outbound", "number": "+48 22 123 45 67", "duration_seconds": 240, "body": "walked through safe mode"}))
        .send()
        .await
        .ok(201);
    assert_eq!(call["direction"], "outbound");
    assert_eq!(call["duration_seconds"], 240);
    assert_eq!(call["visibility"], "public");
    let read = t
        .get(&format!("/api/v1/tickets/{}", ticket["id"]))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(read["first_response_at"], call["created_at"]);

    t.clock.advance(jiff::SignedDuration::from_mins(5));
    t.post(&path)
        .token(&desk.agent.token)
        .json(json!({"type": "reply", "body": "please try now"}))
        .send()
        .await
        .ok(201);
    let visit = t
        .post(&path)
        .token(&desk.agent.token)
        .json(json!({"type": "walk_in", "location": "Front desk", "body": "brought the laptop", "visibility": "internal"}))
        .send()
        .await
        .ok(201);
    assert_eq!(visit["visibility"], "internal");
    // The first response time stays at the first one.
    let read = t
        .get(&format!("/api/v1/tickets/{}", ticket["id"]))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(read["first_response_at"], call["created_at"]);

    let timeline = t.get(&path).token(&desk.agent.token).send().await.ok(200);
    let kinds: Vec<String> = items(&timeline)
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kinds, ["created", "note", "call", "reply", "walk_in"]);
    let after = items(&timeline)[2]["id"].as_i64().unwrap();
    let rest = t
        .get(&format!("{path}?after={after}&limit=1"))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(items(&rest).len(), 1);
    assert_eq!(items(&rest)[0]["type"], "reply");

    for bad in [
        json!({"type": "call", "direction": "sideways", "duration_seconds": 1}),
        json!({"type": "call", "direction": "inbound", "duration_seconds": -5}),
        json!({"type": "reply", "body": "   "}),
        json!({"type": "shout", "body": "hi"}),
        json!({"type": "reply", "body": "hi", "cc": "boss"}),
        json!({"body": "no type"}),
    ] {
        let response = t
            .post(&path)
            .token(&desk.agent.token)
            .json(bad.clone())
            .send()
            .await;
        assert_eq!(response.status, 422, "{bad}: {}", response.text);
    }
    t.get(&format!("{path}?limit=5000"))
        .token(&desk.agent.token)
        .send()
        .await
        .err(400, "invalid_query");
}

async fn internal_events_never_reach_a_customer(t: TestApp) {
    let desk = t.desk().await;
    let ticket = t
        .ticket(&desk.customer, json!({"subject": "Laptop stolen"}))
        .await;
    let id = ticket["id"].as_i64().unwrap();
    let path = format!("/api/v1/tickets/{id}/events");
    t.post(&path)
        .token(&desk.agent.token)
        .json(json!({"type": "note", "body": "SECRET-NOTE call the police liaison"}))
        .send()
        .await
        .ok(201);
    t.post(&path)
        .token(&desk.agent.token)
        .json(json!({"type": "call", "direction": "outbound", "number": "SECRET-NUMBER", "duration_seconds": 60, "body": "SECRET-CALL", "visibility": "internal"}))
        .send()
        .await
        .ok(201);
    t.patch(&format!("/api/v1/tickets/{id}"))
        .token(&desk.agent.token)
        .json(json!({"tags": ["secret-tag"], "external_ref": "SECRET-VENDOR-CASE", "assignee_id": desk.agent.id}))
        .send()
        .await
        .ok(200);
    t.post(&format!("/api/v1/tickets/{id}/transition"))
        .token(&desk.agent.token)
        .json(json!({"status": "open", "reason": "SECRET-REASON"}))
        .send()
        .await
        .ok(200);
    let other = t
        .ticket(
            &desk.agent,
            json!({"subject": "Insurance claim", "requester_id": desk.customer.id}),
        )
        .await;
    t.post(&format!("/api/v1/tickets/{id}/links"))
        .token(&desk.agent.token)
        .json(json!({"kind": "related", "ticket_id": other["id"]}))
        .send()
        .await
        .ok(201);
    t.post(&path)
        .token(&desk.agent.token)
        .json(json!({"type": "reply", "body": "we are on it"}))
        .send()
        .await
        .ok(201);

    let customer_views = [
        t.get(&path).token(&desk.customer.token).send().await,
        t.get(&format!("/api/v1/tickets/{id}"))
            .token(&desk.customer.token)
            .send()
            .await,
        t.get("/api/v1/tickets")
            .token(&desk.customer.token)
            .send()
            .await,
        t.get(&format!("/api/v1/tickets/{id}/links"))
            .token(&desk.customer.token)
            .send()
            .await,
        t.post(&path)
            .token(&desk.customer.token)
            .json(json!({"type": "reply", "body": "thanks"}))
            .send()
            .await,
    ];
    for view in customer_views {
        assert!(view.status < 300, "{}", view.text);
        assert!(
            !view.text.contains("SECRET"),
            "leaked to a customer: {}",
            view.text
        );
        assert!(
            !view.text.contains("secret-tag"),
            "leaked to a customer: {}",
            view.text
        );
        assert!(
            !view.text.contains("\"internal\""),
            "internal event shown to a customer: {}",
            view.text
        );
    }
    let customer_timeline = t
        .get(&path)
        .token(&desk.customer.token)
        .send()
        .await
        .ok(200);
    let kinds: Vec<String> = items(&customer_timeline)
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kinds, ["created", "status_changed", "reply", "reply"]);
    // Staff see everything.
    let staff_timeline = t.get(&path).token(&desk.agent.token).send().await.ok(200);
    assert!(staff_timeline.to_string().contains("SECRET-NOTE"));
    assert!(staff_timeline.to_string().contains("SECRET-CALL"));
}

async fn customers_may_only_reply(t: TestApp) {
    let desk = t.desk().await;
    let ticket = t
        .ticket(&desk.customer, json!({"subject": "Need Visio"}))
        .await;
    let path = format!("/api/v1/tickets/{}/events", ticket["id"]);
    for body in [
        json!({"type": "note", "body": "psst"}),
        json!({"type": "call", "direction": "inbound", "duration_seconds": 1}),
        json!({"type": "walk_in", "body": "here"}),
    ] {
        t.post(&path)
            .token(&desk.customer.token)
            .json(body)
            .send()
            .await
            .err(403, "forbidden");
    }
    let reply = t
        .post(&path)
        .token(&desk.customer.token)
        .json(json!({"type": "reply", "body": "any news?"}))
        .send()
        .await
        .ok(201);
    assert_eq!(reply["visibility"], "public");
    // A customer's reply is not a first response.
    let read = t
        .get(&format!("/api/v1/tickets/{}", ticket["id"]))
        .token(&desk.customer.token)
        .send()
        .await
        .ok(200);
    assert_eq!(read["first_response_at"], Value::Null);
    t.post(&path)
        .token(&desk.other_customer.token)
        .json(json!({"type": "reply", "body": "me too"}))
        .send()
        .await
        .err(404, "ticket_not_found");
    t.post(&path)
        .token(&desk.network_agent.token)
        .json(json!({"type": "note", "body": "x"}))
        .send()
        .await
        .err(404, "ticket_not_found");
}

async fn a_call_or_visit_can_open_a_new_ticket(t: TestApp) {
    let desk = t.desk().await;
    let ticket = t
        .ticket(&desk.agent, json!({
            "subject": "Caller locked out",
            "requester_email": "new.caller@example.org",
            "requester_name": "New Caller",
            "interaction": {"type": "call", "direction": "inbound", "number": "555-0100", "duration_seconds": 90, "body": "reset the password"}
        }))
        .await;
    assert_eq!(ticket["channel"], "phone");
    assert!(ticket["first_response_at"].is_string());
    let requester = t
        .get(&format!("/api/v1/users/{}", ticket["requester_id"]))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(requester["email"], "new.caller@example.org");
    assert_eq!(requester["role"], "customer");
    let events = t
        .get(&format!("/api/v1/tickets/{}/events", ticket["id"]))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(items(&events)[1]["type"], "call");
    assert_eq!(items(&events)[1]["channel"], "phone");

    let visit = t
        .ticket(
            &desk.agent,
            json!({
                "subject": "Broken screen",
                "requester_id": desk.customer.id,
                "interaction": {"type": "walk_in", "location": "IT bar", "body": "left the laptop"}
            }),
        )
        .await;
    assert_eq!(visit["channel"], "walk_in");
    // The same email again finds the same person.
    let again = t
        .ticket(
            &desk.agent,
            json!({"subject": "Again", "requester_email": " new.caller@EXAMPLE.org "}),
        )
        .await;
    assert_eq!(again["requester_id"], ticket["requester_id"]);
}

async fn idempotent_event_append_logs_once(t: TestApp) {
    let desk = t.desk().await;
    let ticket = t
        .ticket(&desk.customer, json!({"subject": "Scanner"}))
        .await;
    let path = format!("/api/v1/tickets/{}/events", ticket["id"]);
    let send = |body: Value| {
        t.post(&path)
            .token(&desk.agent.token)
            .header("idempotency-key", "reply-1")
            .json(body)
            .send()
    };
    let first = send(json!({"type": "reply", "body": "on my way"}))
        .await
        .ok(201);
    let second = send(json!({"type": "reply", "body": "on my way"})).await;
    assert_eq!(second.header("idempotent-replayed"), Some("true"));
    assert_eq!(second.ok(201)["id"], first["id"]);
    send(json!({"type": "reply", "body": "something else"}))
        .await
        .err(409, "idempotency_key_reused");
    // The same key on another ticket is another request.
    let other = t.ticket(&desk.customer, json!({"subject": "Other"})).await;
    t.post(&format!("/api/v1/tickets/{}/events", other["id"]))
        .token(&desk.agent.token)
        .header("idempotency-key", "reply-1")
        .json(json!({"type": "reply", "body": "on my way"}))
        .send()
        .await
        .err(409, "idempotency_key_reused");
    let timeline = t.get(&path).token(&desk.agent.token).send().await.ok(200);
    assert_eq!(
        items(&timeline)
            .iter()
            .filter(|e| e["type"] == "reply")
            .count(),
        1
    );
}

async fn closed_tickets_take_no_more_messages(t: TestApp) {
    let desk = t.desk().await;
    let ticket = t.ticket(&desk.customer, json!({"subject": "Old"})).await;
    let id = ticket["id"].as_i64().unwrap();
    for status in ["resolved", "closed"] {
        t.post(&format!("/api/v1/tickets/{id}/transition"))
            .token(&desk.agent.token)
            .json(json!({"status": status}))
            .send()
            .await
            .ok(200);
    }
    let refused = t
        .post(&format!("/api/v1/tickets/{id}/events"))
        .token(&desk.customer.token)
        .json(json!({"type": "reply", "body": "one more thing"}))
        .send()
        .await
        .err(409, "ticket_closed");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("follow-up")
    );
}

async fn a_reply_and_its_status_change_are_written_together_or_not_at_all(t: TestApp) {
    let desk = t.desk().await;
    let ticket = t
        .ticket(&desk.customer, json!({"subject": "Teams drops calls"}))
        .await;
    let id = ticket["id"].as_i64().unwrap();
    let path = format!("/api/v1/tickets/{id}/events");
    let before = timeline(&t, &path, &desk.agent.token).await;

    // A new ticket cannot be closed: the move is refused, and the reply with it.
    let refused = t
        .post(&path)
        .token(&desk.agent.token)
        .json(json!({"type": "reply", "body": "closing this", "set": {"status": "closed"}}))
        .send()
        .await
        .err(409, "invalid_transition");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("closed")
    );
    assert_eq!(timeline(&t, &path, &desk.agent.token).await, before);
    // An invalid value in `set` writes nothing either.
    t.post(&path)
        .token(&desk.agent.token)
        .json(json!({"type": "note", "body": "x", "set": {"status": "sideways"}}))
        .send()
        .await
        .err(422, "invalid_body");
    // Customers reply, but do not change the ticket with it.
    t.post(&path)
        .token(&desk.customer.token)
        .json(json!({"type": "reply", "body": "fixed?", "set": {"status": "resolved"}}))
        .send()
        .await
        .err(403, "forbidden");
    // A stale version refuses both.
    t.post(&path)
        .token(&desk.agent.token)
        .json(json!({"type": "reply", "body": "x", "set": {"status": "pending_customer", "version": 99}}))
        .send()
        .await
        .err(409, "ticket_changed");
    assert_eq!(timeline(&t, &path, &desk.agent.token).await, before);

    let reply = t
        .post(&path)
        .token(&desk.agent.token)
        .json(json!({
            "type": "reply",
            "body": "Does it still happen after the update?",
            "set": {"status": "pending_customer", "version": ticket["version"]},
        }))
        .send()
        .await
        .ok(201);
    assert_eq!(reply["type"], "reply");
    let read = t
        .get(&format!("/api/v1/tickets/{id}"))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(read["status"], "pending_customer");
    assert_eq!(read["first_response_at"], reply["created_at"]);
    // One write: the ticket moved one version, and the reply and the status change
    // are the new events.
    assert_eq!(read["version"], ticket["version"].as_i64().unwrap() + 1);
    let after = timeline(&t, &path, &desk.agent.token).await;
    let new: Vec<&Value> = after[before.len()..].iter().collect();
    assert_eq!(new.len(), 2, "{new:?}");
    assert_eq!(new[0]["type"], "reply");
    assert_eq!(new[1]["type"], "status_changed");
    assert_eq!(new[1]["to"], "pending_customer");

    // A note that keeps the status changes nothing but the timeline.
    t.post(&path)
        .token(&desk.agent.token)
        .json(json!({"type": "note", "body": "waiting", "set": {"status": "pending_customer"}}))
        .send()
        .await
        .ok(201);
    let read = t
        .get(&format!("/api/v1/tickets/{id}"))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(read["status"], "pending_customer");
    // `set` belongs to a message on an existing ticket.
    t.post("/api/v1/tickets")
        .token(&desk.agent.token)
        .json(json!({
            "subject": "Phone call",
            "interaction": {"type": "note", "body": "x", "set": {"status": "open"}},
        }))
        .send()
        .await
        .err(422, "invalid_value");
}

/// The whole timeline of a ticket as staff see it.
async fn timeline(t: &TestApp, path: &str, token: &str) -> Vec<Value> {
    items(&t.get(path).token(token).send().await.ok(200))
}
