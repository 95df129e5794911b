//! Working on the same ticket through the API: presence (who else is on a ticket) and
//! the `replied_meanwhile` refusal of a reply written against an older timeline.

use crate::support::{TestApp, items};
use axum::http::Method;
use serde_json::{Value, json};

backend_tests!(
    staff_see_each_other_on_a_ticket_until_they_leave_or_time_out,
    presence_refuses_bad_input_customers_and_tickets_out_of_sight,
    a_reply_after_someone_elses_is_refused_until_sent_anyway,
    a_reply_without_a_seen_event_or_after_only_notes_and_own_replies_is_sent,
    mentions_offer_the_staff_who_may_see_the_ticket,
);

fn put<'a>(t: &'a TestApp, path: &str) -> crate::support::Call<'a> {
    t.call(Method::PUT, path)
}

fn present(body: &Value) -> Vec<(i64, String)> {
    items(body)
        .iter()
        .map(|p| {
            (
                p["user_id"].as_i64().unwrap(),
                p["activity"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn service_desk_ticket(t: &TestApp, desk: &crate::support::Desk) -> Value {
    t.ticket(
        &desk.agent,
        json!({"subject": "Laptop will not boot", "description": "Black screen", "requester_id": desk.customer.id, "group_id": desk.service_desk}),
    )
    .await
}

async fn staff_see_each_other_on_a_ticket_until_they_leave_or_time_out(t: TestApp) {
    let desk = t.desk().await;
    let ticket = service_desk_ticket(&t, &desk).await;
    let path = format!("/api/v1/tickets/{}/presence", ticket["id"]);

    // The agent opens the ticket: nobody else is there.
    let alone = put(&t, &path)
        .token(&desk.agent.token)
        .json(json!({"activity": "viewing"}))
        .send()
        .await
        .ok(200);
    assert!(items(&alone).is_empty(), "{alone}");

    // The supervisor starts replying and sees the agent viewing, with a name.
    t.clock.advance(jiff::SignedDuration::from_secs(5));
    let seen = put(&t, &path)
        .token(&desk.supervisor.token)
        .json(json!({"activity": "replying"}))
        .send()
        .await
        .ok(200);
    assert_eq!(present(&seen), [(desk.agent.id, "viewing".to_owned())]);
    assert_eq!(items(&seen)[0]["name"], "Test agent");

    // The agent sees the supervisor replying, never themselves.
    let listed = t.get(&path).token(&desk.agent.token).send().await.ok(200);
    assert_eq!(
        present(&listed),
        [(desk.supervisor.id, "replying".to_owned())]
    );

    // The agent leaves: the supervisor stops seeing them at once.
    let left = t.delete(&path).token(&desk.agent.token).send().await;
    assert_eq!(left.status, 204, "{}", left.text);
    let after_leave = t
        .get(&path)
        .token(&desk.supervisor.token)
        .send()
        .await
        .ok(200);
    assert!(items(&after_leave).is_empty(), "{after_leave}");

    // A supervisor who stops reporting drops out after 30 seconds.
    t.clock.advance(jiff::SignedDuration::from_secs(29));
    let still = t.get(&path).token(&desk.agent.token).send().await.ok(200);
    assert_eq!(present(&still).len(), 1, "{still}");
    t.clock.advance(jiff::SignedDuration::from_secs(2));
    let gone = t.get(&path).token(&desk.agent.token).send().await.ok(200);
    assert!(items(&gone).is_empty(), "{gone}");
}

async fn presence_refuses_bad_input_customers_and_tickets_out_of_sight(t: TestApp) {
    let desk = t.desk().await;
    let ticket = service_desk_ticket(&t, &desk).await;
    let path = format!("/api/v1/tickets/{}/presence", ticket["id"]);

    put(&t, &path)
        .token(&desk.agent.token)
        .json(json!({"activity": "typing"}))
        .send()
        .await
        .err(422, "invalid_body");
    put(&t, &path)
        .token(&desk.agent.token)
        .json(json!({}))
        .send()
        .await
        .err(422, "invalid_body");
    put(&t, &path)
        .token(&desk.agent.token)
        .json(json!({"activity": "viewing", "mood": "busy"}))
        .send()
        .await
        .err(422, "invalid_body");
    put(&t, &path)
        .token(&desk.agent.token)
        .raw("application/json", "{\"activity\":")
        .send()
        .await
        .err(400, "malformed_json");
    put(&t, "/api/v1/tickets/99999/presence")
        .token(&desk.agent.token)
        .json(json!({"activity": "viewing"}))
        .send()
        .await
        .err(404, "ticket_not_found");
    // An agent of another group may not see the ticket: as if it did not exist.
    put(&t, &path)
        .token(&desk.network_agent.token)
        .json(json!({"activity": "viewing"}))
        .send()
        .await
        .err(404, "ticket_not_found");
    // The requester sees the ticket but not who works on it.
    put(&t, &path)
        .token(&desk.customer.token)
        .json(json!({"activity": "viewing"}))
        .send()
        .await
        .err(403, "forbidden");
    t.get(&path)
        .token(&desk.customer.token)
        .send()
        .await
        .err(403, "forbidden");
    t.delete(&path)
        .token(&desk.customer.token)
        .send()
        .await
        .err(403, "forbidden");
    t.get(&path).send().await.err(401, "unauthenticated");

    // None of it left a trace.
    let listed = t.get(&path).token(&desk.agent.token).send().await.ok(200);
    assert!(items(&listed).is_empty(), "{listed}");
}

async fn last_event_id(t: &TestApp, token: &str, ticket: &Value) -> i64 {
    let events = t
        .get(&format!("/api/v1/tickets/{}/events", ticket["id"]))
        .token(token)
        .send()
        .await
        .ok(200);
    items(&events).last().unwrap()["id"].as_i64().unwrap()
}

async fn event_count(t: &TestApp, token: &str, ticket: &Value) -> usize {
    let events = t
        .get(&format!("/api/v1/tickets/{}/events", ticket["id"]))
        .token(token)
        .send()
        .await
        .ok(200);
    items(&events).len()
}

async fn a_reply_after_someone_elses_is_refused_until_sent_anyway(t: TestApp) {
    let desk = t.desk().await;
    let ticket = service_desk_ticket(&t, &desk).await;
    let events = format!("/api/v1/tickets/{}/events", ticket["id"]);
    let seen = last_event_id(&t, &desk.agent.token, &ticket).await;

    // The supervisor answers while the agent is still writing.
    t.clock.advance(jiff::SignedDuration::from_secs(30));
    let theirs = t
        .post(&events)
        .token(&desk.supervisor.token)
        .json(json!({"type": "reply", "body": "Hold the power button for ten seconds."}))
        .send()
        .await
        .ok(201);
    let before = event_count(&t, &desk.agent.token, &ticket).await;

    t.clock.advance(jiff::SignedDuration::from_secs(30));
    let refused = t
        .post(&events)
        .token(&desk.agent.token)
        .json(json!({"type": "reply", "body": "Try a restart.", "seen_event_id": seen}))
        .send()
        .await
        .err(409, "replied_meanwhile");
    let error = &refused["error"];
    assert_eq!(error["newest_event_id"], theirs["id"], "{refused}");
    let replies = error["replies"].as_array().unwrap();
    assert_eq!(replies.len(), 1, "{refused}");
    assert_eq!(replies[0]["event_id"], theirs["id"]);
    assert_eq!(replies[0]["author_id"], desk.supervisor.id);
    assert_eq!(replies[0]["author"], "Test supervisor");
    assert_eq!(replies[0]["body"], "Hold the power button for ten seconds.");
    assert_eq!(replies[0]["created_at"], theirs["created_at"]);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("Test supervisor replied"),
        "{refused}"
    );
    // Nothing was sent.
    assert_eq!(event_count(&t, &desk.agent.token, &ticket).await, before);

    // The requester writes too: a customer message counts the same way.
    let customers = t
        .post(&events)
        .token(&desk.customer.token)
        .json(json!({"type": "reply", "body": "It is still black."}))
        .send()
        .await
        .ok(201);
    let again = t
        .post(&events)
        .token(&desk.agent.token)
        .json(json!({"type": "reply", "body": "Try a restart.", "seen_event_id": theirs["id"]}))
        .send()
        .await
        .err(409, "replied_meanwhile");
    assert_eq!(again["error"]["newest_event_id"], customers["id"]);
    assert_eq!(again["error"]["replies"][0]["author_id"], desk.customer.id);

    // "Send anyway": against the newest event, the reply goes out.
    let sent = t
        .post(&events)
        .token(&desk.agent.token)
        .json(json!({"type": "reply", "body": "Try a restart.", "seen_event_id": customers["id"]}))
        .send()
        .await
        .ok(201);
    assert_eq!(sent["body"], "Try a restart.");
}

async fn a_reply_without_a_seen_event_or_after_only_notes_and_own_replies_is_sent(t: TestApp) {
    let desk = t.desk().await;
    let ticket = service_desk_ticket(&t, &desk).await;
    let events = format!("/api/v1/tickets/{}/events", ticket["id"]);
    let seen = last_event_id(&t, &desk.agent.token, &ticket).await;

    // Another's internal note and the agent's own reply do not count.
    t.post(&events)
        .token(&desk.supervisor.token)
        .json(json!({"type": "note", "body": "Known issue with this model."}))
        .send()
        .await
        .ok(201);
    t.post(&events)
        .token(&desk.agent.token)
        .json(json!({"type": "reply", "body": "Looking into it.", "seen_event_id": seen}))
        .send()
        .await
        .ok(201);
    t.post(&events)
        .token(&desk.agent.token)
        .json(json!({"type": "reply", "body": "One more thing.", "seen_event_id": seen}))
        .send()
        .await
        .ok(201);

    // Without `seen_event_id` nothing changes: sent, whatever came before.
    t.post(&events)
        .token(&desk.supervisor.token)
        .json(json!({"type": "reply", "body": "Bring it to the desk."}))
        .send()
        .await
        .ok(201);
    t.post(&events)
        .token(&desk.agent.token)
        .json(json!({"type": "reply", "body": "See you at the desk."}))
        .send()
        .await
        .ok(201);
    // A note is not checked either.
    t.post(&events)
        .token(&desk.agent.token)
        .json(json!({"type": "note", "body": "Asked them to come by."}))
        .send()
        .await
        .ok(201);
}

async fn mentions_offer_the_staff_who_may_see_the_ticket(t: TestApp) {
    let desk = t.desk().await;
    let ticket = service_desk_ticket(&t, &desk).await;
    let path = format!("/api/v1/tickets/{}/mentions", ticket["id"]);
    let handle = |p: &crate::support::Person| p.email.split('@').next().unwrap().to_lowercase();

    // Everyone who may see the ticket but the caller: the supervisor, the admin; not
    // the agent of Network, nor customers.
    let all = t.get(&path).token(&desk.agent.token).send().await.ok(200);
    let mut ids: Vec<i64> = items(&all)
        .iter()
        .map(|m| m["user_id"].as_i64().unwrap())
        .collect();
    ids.sort_unstable();
    let mut expected = vec![desk.supervisor.id, desk.admin.id];
    expected.sort_unstable();
    assert_eq!(ids, expected, "{all}");

    // By the start of a handle, in any case.
    let supervisor = handle(&desk.supervisor);
    let typed = supervisor[..3].to_uppercase();
    let found = t
        .get(&format!("{path}?q={typed}"))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(items(&found)[0]["handle"], supervisor.as_str(), "{found}");
    assert_eq!(items(&found)[0]["name"], "Test supervisor");

    t.get(&path)
        .token(&desk.customer.token)
        .send()
        .await
        .err(403, "forbidden");
    t.get(&path)
        .token(&desk.network_agent.token)
        .send()
        .await
        .err(404, "ticket_not_found");
    t.get(&format!("{path}?name=x"))
        .token(&desk.agent.token)
        .send()
        .await
        .err(400, "invalid_query");
}
