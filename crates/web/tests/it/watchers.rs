//! Watchers: who may follow a ticket, and who may add or remove others.

use crate::support::{TestApp, items};
use serde_json::json;

backend_tests!(
    agents_and_shared_colleagues_watch_tickets,
    watcher_changes_are_checked_and_write_nothing_when_refused,
);

async fn agents_and_shared_colleagues_watch_tickets(t: TestApp) {
    let desk = t.desk().await;
    let ticket = t
        .ticket(
            &desk.agent,
            json!({"subject": "Share drive gone", "requester_id": desk.customer.id, "group_id": desk.service_desk}),
        )
        .await;
    let path = format!("/api/v1/tickets/{}/watchers", ticket["id"]);

    // The agent watches it (an empty body means "me"); twice changes nothing.
    let watchers = t
        .post(&path)
        .token(&desk.agent.token)
        .json(json!({}))
        .send()
        .await
        .ok(200);
    assert_eq!(items(&watchers)[0]["user_id"], desk.agent.id);
    assert_eq!(items(&watchers)[0]["added_by"], desk.agent.id);
    let again = t
        .post(&path)
        .token(&desk.agent.token)
        .json(json!({}))
        .send()
        .await
        .ok(200);
    assert_eq!(items(&again).len(), 1);

    // The agent adds a supervisor; the watchers are listed to whoever sees the ticket.
    t.clock.advance(jiff::SignedDuration::from_secs(60));
    t.post(&path)
        .token(&desk.agent.token)
        .json(json!({"user_id": desk.supervisor.id}))
        .send()
        .await
        .ok(200);
    let listed = t
        .get(&path)
        .token(&desk.customer.token)
        .send()
        .await
        .ok(200);
    let ids: Vec<i64> = items(&listed)
        .iter()
        .map(|w| w["user_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [desk.agent.id, desk.supervisor.id]);

    // The watching list.
    let watching = t
        .get("/api/v1/me/watching")
        .token(&desk.supervisor.token)
        .send()
        .await
        .ok(200);
    assert_eq!(items(&watching)[0]["id"], ticket["id"]);

    // A colleague of the requester sees the ticket only if the organization shares.
    t.post(&path)
        .token(&desk.other_customer.token)
        .json(json!({}))
        .send()
        .await
        .err(404, "ticket_not_found");
    t.patch(&format!("/api/v1/organizations/{}", desk.organization))
        .token(&desk.admin.token)
        .json(json!({"shares_tickets": true}))
        .send()
        .await
        .ok(200);
    let with_colleague = t
        .post(&path)
        .token(&desk.other_customer.token)
        .json(json!({}))
        .send()
        .await
        .ok(200);
    assert_eq!(items(&with_colleague).len(), 3);

    // Stop watching: yourself with DELETE, others by id (staff who work it).
    let after = t
        .delete(&path)
        .token(&desk.other_customer.token)
        .send()
        .await
        .ok(200);
    assert_eq!(items(&after).len(), 2);
    let after = t
        .delete(&format!("{path}/{}", desk.supervisor.id))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(items(&after).len(), 1);

    let events = t
        .get(&format!("/api/v1/tickets/{}/events", ticket["id"]))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    let kinds: Vec<&str> = items(&events)
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .filter(|k| k.starts_with("watcher"))
        .map(|k| if k == "watcher_added" { "+" } else { "-" })
        .collect();
    assert_eq!(kinds, ["+", "+", "+", "-", "-"]);
}

async fn watcher_changes_are_checked_and_write_nothing_when_refused(t: TestApp) {
    let desk = t.desk().await;
    let ticket = t
        .ticket(
            &desk.agent,
            json!({"subject": "Monitor flickers", "requester_id": desk.customer.id, "group_id": desk.service_desk}),
        )
        .await;
    let path = format!("/api/v1/tickets/{}/watchers", ticket["id"]);

    // The requester may watch, but not add someone else.
    t.post(&path)
        .token(&desk.customer.token)
        .json(json!({"user_id": desk.agent.id}))
        .send()
        .await
        .err(403, "forbidden");
    // An agent outside the ticket's groups does not see it.
    t.post(&path)
        .token(&desk.network_agent.token)
        .json(json!({}))
        .send()
        .await
        .err(404, "ticket_not_found");
    // Someone who cannot see the ticket cannot be added; an unknown person is not found.
    let error = t
        .post(&path)
        .token(&desk.agent.token)
        .json(json!({"user_id": desk.network_agent.id}))
        .send()
        .await
        .err(422, "invalid_value");
    assert_eq!(error["error"]["field"], "user_id");
    t.post(&path)
        .token(&desk.agent.token)
        .json(json!({"user_id": desk.other_customer.id}))
        .send()
        .await
        .err(422, "invalid_value");
    t.post(&path)
        .token(&desk.agent.token)
        .json(json!({"user_id": 999_999}))
        .send()
        .await
        .err(404, "user_not_found");
    t.post(&path)
        .token(&desk.agent.token)
        .raw("application/json", "{")
        .send()
        .await
        .err(400, "malformed_json");
    t.post(&path)
        .token(&desk.agent.token)
        .json(json!({"user": 1}))
        .send()
        .await
        .err(422, "invalid_body");
    t.post("/api/v1/tickets/99999/watchers")
        .token(&desk.agent.token)
        .json(json!({}))
        .send()
        .await
        .err(404, "ticket_not_found");
    t.delete(&format!("{path}/abc"))
        .token(&desk.agent.token)
        .send()
        .await
        .err(400, "invalid_path");
    // A customer may not remove staff watchers.
    t.post(&path)
        .token(&desk.agent.token)
        .json(json!({}))
        .send()
        .await
        .ok(200);
    t.delete(&format!("{path}/{}", desk.agent.id))
        .token(&desk.customer.token)
        .send()
        .await
        .err(403, "forbidden");
    let listed = t.get(&path).token(&desk.agent.token).send().await.ok(200);
    assert_eq!(items(&listed).len(), 1, "only the agent's own watch stuck");
}
