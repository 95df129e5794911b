//! Satisfaction ratings: the requester rates a resolved ticket once per resolution.

use crate::support::TestApp;
use serde_json::json;

backend_tests!(
    requesters_rate_a_resolution_once,
    ratings_are_refused_before_resolution_and_for_others,
    signed_links_rate_without_signing_in_and_refuse_tampering,
);

async fn resolve(t: &TestApp, agent: &str, ticket: &serde_json::Value, status: &str) {
    t.post(&format!("/api/v1/tickets/{}/transition", ticket["id"]))
        .token(agent)
        .json(json!({"status": status}))
        .send()
        .await
        .ok(200);
}

async fn requesters_rate_a_resolution_once(t: TestApp) {
    let desk = t.desk().await;
    let ticket = t
        .ticket(
            &desk.agent,
            json!({"subject": "Email bounces", "requester_id": desk.customer.id, "group_id": desk.service_desk}),
        )
        .await;
    let path = format!("/api/v1/tickets/{}/rating", ticket["id"]);
    resolve(&t, &desk.agent.token, &ticket, "resolved").await;
    let none = t.get(&path).token(&desk.agent.token).send().await.ok(200);
    assert_eq!(none["rating"], serde_json::Value::Null);

    let rating = t
        .post(&path)
        .token(&desk.customer.token)
        .json(json!({"score": 4, "comment": "Quick, thanks"}))
        .send()
        .await
        .ok(201);
    assert_eq!(rating["score"], 4);
    assert_eq!(rating["comment"], "Quick, thanks");
    t.post(&path)
        .token(&desk.customer.token)
        .json(json!({"score": 1}))
        .send()
        .await
        .err(409, "already_rated");
    let seen = t.get(&path).token(&desk.agent.token).send().await.ok(200);
    assert_eq!(seen["rating"]["score"], 4);

    // The rating is on the timeline, for the requester too.
    let events = t
        .get(&format!("/api/v1/tickets/{}/events", ticket["id"]))
        .token(&desk.customer.token)
        .send()
        .await
        .ok(200);
    let rated: Vec<_> = crate::support::items(&events)
        .into_iter()
        .filter(|e| e["type"] == "rated")
        .collect();
    assert_eq!(rated.len(), 1);

    // Reopened and resolved again: the new resolution may be rated again.
    resolve(&t, &desk.agent.token, &ticket, "open").await;
    t.post(&path)
        .token(&desk.customer.token)
        .json(json!({"score": 2}))
        .send()
        .await
        .err(409, "not_resolved");
    t.clock.advance(jiff::SignedDuration::from_hours(1));
    resolve(&t, &desk.agent.token, &ticket, "resolved").await;
    t.post(&path)
        .token(&desk.customer.token)
        .json(json!({"score": 5}))
        .send()
        .await
        .ok(201);
}

async fn ratings_are_refused_before_resolution_and_for_others(t: TestApp) {
    let desk = t.desk().await;
    let ticket = t
        .ticket(
            &desk.agent,
            json!({"subject": "VPN slow", "requester_id": desk.customer.id, "group_id": desk.service_desk}),
        )
        .await;
    let path = format!("/api/v1/tickets/{}/rating", ticket["id"]);
    let refused = t
        .post(&path)
        .token(&desk.customer.token)
        .json(json!({"score": 5}))
        .send()
        .await
        .err(409, "not_resolved");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("once it is resolved")
    );
    resolve(&t, &desk.agent.token, &ticket, "resolved").await;
    t.post(&path)
        .token(&desk.agent.token)
        .json(json!({"score": 5}))
        .send()
        .await
        .err(403, "forbidden");
    t.post(&path)
        .token(&desk.other_customer.token)
        .json(json!({"score": 5}))
        .send()
        .await
        .err(404, "ticket_not_found");
    for score in [0, 6, -1] {
        let error = t
            .post(&path)
            .token(&desk.customer.token)
            .json(json!({"score": score}))
            .send()
            .await
            .err(422, "invalid_value");
        assert_eq!(error["error"]["field"], "score");
    }
    let error = t
        .post(&path)
        .token(&desk.customer.token)
        .json(json!({"score": 3, "comment": "x".repeat(2001)}))
        .send()
        .await
        .err(422, "invalid_value");
    assert_eq!(error["error"]["field"], "comment");
    t.post(&path)
        .token(&desk.customer.token)
        .raw("application/json", "{\"score\": ")
        .send()
        .await
        .err(400, "malformed_json");
    t.post(&path)
        .token(&desk.customer.token)
        .json(json!({"score": "five"}))
        .send()
        .await
        .err(422, "invalid_body");
    t.post("/api/v1/tickets/99999/rating")
        .token(&desk.customer.token)
        .json(json!({"score": 5}))
        .send()
        .await
        .err(404, "ticket_not_found");
    // Nothing was recorded by any refused request.
    let seen = t.get(&path).token(&desk.agent.token).send().await.ok(200);
    assert_eq!(seen["rating"], serde_json::Value::Null);
}

async fn signed_links_rate_without_signing_in_and_refuse_tampering(t: TestApp) {
    let desk = t.desk().await;
    let created = t
        .ticket(
            &desk.agent,
            json!({"subject": "Laptop fan loud", "requester_id": desk.customer.id, "group_id": desk.service_desk}),
        )
        .await;
    let id = ferrodesk_domain::TicketId(created["id"].as_i64().unwrap());
    let ratings = t.app.ratings();
    let open = t.app.store().get_ticket(id).await.unwrap();
    assert_eq!(ratings.link_token(&open).await.unwrap(), None);
    resolve(&t, &desk.agent.token, &created, "resolved").await;
    let ticket = t.app.store().get_ticket(id).await.unwrap();
    let token = ratings.link_token(&ticket).await.unwrap().unwrap();

    // Any changed character makes the link unknown.
    let mut tampered = token.clone().into_bytes();
    tampered[0] = if tampered[0] == b'9' { b'8' } else { b'9' };
    let tampered = String::from_utf8(tampered).unwrap();
    for bad in [tampered.as_str(), "nonsense", "1.2.3.4", ""] {
        let error = ratings.verify(bad).await.unwrap_err();
        assert!(
            matches!(error, ferrodesk_app::AppError::NotFound { .. }),
            "{bad}: {error:?}"
        );
    }
    let state = ratings.link_state(&token).await.unwrap();
    assert_eq!(state.ticket.id, id);
    assert!(state.rating.is_none());
    let rating = ratings
        .rate_with_link(&token, 5, Some("Great"))
        .await
        .unwrap();
    assert_eq!(rating.requester_id.get(), desk.customer.id);
    let again = ratings.rate_with_link(&token, 1, None).await.unwrap_err();
    assert!(matches!(
        again,
        ferrodesk_app::AppError::Conflict {
            code: "already_rated",
            ..
        }
    ));
    // After 30 days the link has expired.
    t.clock.advance(jiff::SignedDuration::from_hours(31 * 24));
    let expired = ratings.verify(&token).await.unwrap_err();
    assert!(matches!(expired, ferrodesk_app::AppError::Invalid { .. }));
}
