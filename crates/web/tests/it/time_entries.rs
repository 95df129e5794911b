//! Time tracking through the API: time spent logged with a reply or note in its write,
//! on its own, listed per ticket and summed per agent and group; bad input gets a
//! clear error and writes nothing.

use crate::support::{Desk, TestApp};
use serde_json::{Value, json};

backend_tests!(
    time_spent_with_a_reply_is_listed_and_reported,
    bad_time_entries_are_refused_and_write_nothing,
    customers_and_outsiders_do_not_log_or_read_time,
);

async fn desk_ticket(t: &TestApp, desk: &Desk) -> String {
    let ticket = t
        .ticket(
            &desk.admin,
            json!({"subject": "Docking station", "description": "No screen.",
                   "requester_id": desk.customer.id, "group_id": desk.service_desk}),
        )
        .await;
    ticket["id"].as_i64().unwrap().to_string()
}

async fn entries(t: &TestApp, token: &str, number: &str) -> Value {
    t.get(&format!("/api/v1/tickets/{number}/time-entries"))
        .token(token)
        .send()
        .await
        .ok(200)
}

async fn time_spent_with_a_reply_is_listed_and_reported(t: TestApp) {
    let desk = t.desk().await;
    let number = desk_ticket(&t, &desk).await;
    let reply = t
        .post(&format!("/api/v1/tickets/{number}/events"))
        .token(&desk.agent.token)
        .json(
            json!({"type": "reply", "body": "Swapped the dock.", "time_spent_minutes": 40,
                     "set": {"status": "pending_customer"}}),
        )
        .send()
        .await
        .ok(201);
    t.post(&format!("/api/v1/tickets/{number}/events"))
        .token(&desk.agent.token)
        .json(json!({"type": "note", "body": "Old dock to recycling.", "time_spent_minutes": 5}))
        .send()
        .await
        .ok(201);
    let alone = t
        .post(&format!("/api/v1/tickets/{number}/time-entries"))
        .token(&desk.agent.token)
        .json(json!({"minutes": 1440}))
        .send()
        .await
        .ok(201);
    assert_eq!(alone["event_id"], Value::Null);
    assert_eq!(alone["user_id"], desk.agent.id);

    let listed = entries(&t, &desk.agent.token, &number).await;
    assert_eq!(listed["total_minutes"], 1485);
    let items = listed["items"].as_array().unwrap();
    let minutes: Vec<i64> = items
        .iter()
        .map(|e| e["minutes"].as_i64().unwrap())
        .collect();
    assert_eq!(minutes, vec![40, 5, 1440]);
    assert_eq!(items[0]["event_id"], reply["id"]);

    let report = t
        .get("/api/v1/reports/time?days=7")
        .token(&desk.supervisor.token)
        .send()
        .await
        .ok(200);
    assert_eq!(
        report["by_agent"],
        json!([{"id": desk.agent.id, "minutes": 1485, "entries": 3}])
    );
    assert_eq!(
        report["by_group"],
        json!([{"id": desk.service_desk, "minutes": 1485, "entries": 3}])
    );
    // The network agent sees only their own time and their groups'.
    let theirs = t
        .get("/api/v1/reports/time")
        .token(&desk.network_agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(theirs["by_agent"], json!([]));
    assert_eq!(theirs["by_group"], json!([]));
}

async fn bad_time_entries_are_refused_and_write_nothing(t: TestApp) {
    let desk = t.desk().await;
    let number = desk_ticket(&t, &desk).await;
    let before = t
        .get(&format!("/api/v1/tickets/{number}"))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    for minutes in [0, -5, 1441] {
        let error = t
            .post(&format!("/api/v1/tickets/{number}/events"))
            .token(&desk.agent.token)
            .json(json!({"type": "reply", "body": "Done.", "time_spent_minutes": minutes}))
            .send()
            .await
            .err(422, "invalid_value");
        assert_eq!(error["error"]["field"], "time_spent_minutes");
        let error = t
            .post(&format!("/api/v1/tickets/{number}/time-entries"))
            .token(&desk.agent.token)
            .json(json!({"minutes": minutes}))
            .send()
            .await
            .err(422, "invalid_value");
        assert_eq!(error["error"]["field"], "minutes");
    }
    t.post(&format!("/api/v1/tickets/{number}/time-entries"))
        .token(&desk.agent.token)
        .raw("application/json", "{\"minutes\": ")
        .send()
        .await
        .err(400, "malformed_json");
    t.post(&format!("/api/v1/tickets/{number}/time-entries"))
        .token(&desk.agent.token)
        .json(json!({"minutes": 5, "who": 3}))
        .send()
        .await
        .err(422, "invalid_body");
    t.post("/api/v1/tickets/999999/time-entries")
        .token(&desk.agent.token)
        .json(json!({"minutes": 5}))
        .send()
        .await
        .err(404, "ticket_not_found");
    t.get("/api/v1/reports/time?from=2026-02-10&to=2026-02-01")
        .token(&desk.supervisor.token)
        .send()
        .await
        .err(422, "invalid_value");
    // A new ticket takes no time with its first message.
    t.post("/api/v1/tickets")
        .token(&desk.agent.token)
        .json(json!({"subject": "Call", "requester_id": desk.customer.id,
                     "interaction": {"type": "note", "body": "x", "time_spent_minutes": 5}}))
        .send()
        .await
        .err(422, "invalid_value");

    let listed = entries(&t, &desk.agent.token, &number).await;
    assert_eq!(listed, json!({"items": [], "total_minutes": 0}));
    let after = t
        .get(&format!("/api/v1/tickets/{number}"))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(after["version"], before["version"]);
}

async fn customers_and_outsiders_do_not_log_or_read_time(t: TestApp) {
    let desk = t.desk().await;
    let number = desk_ticket(&t, &desk).await;
    t.post(&format!("/api/v1/tickets/{number}/events"))
        .token(&desk.customer.token)
        .json(json!({"type": "reply", "body": "Thanks", "time_spent_minutes": 5}))
        .send()
        .await
        .err(403, "forbidden");
    t.get(&format!("/api/v1/tickets/{number}/time-entries"))
        .token(&desk.customer.token)
        .send()
        .await
        .err(403, "forbidden");
    t.get("/api/v1/reports/time")
        .token(&desk.customer.token)
        .send()
        .await
        .err(403, "forbidden");
    t.post(&format!("/api/v1/tickets/{number}/time-entries"))
        .token(&desk.network_agent.token)
        .json(json!({"minutes": 5}))
        .send()
        .await
        .err(404, "ticket_not_found");
    t.get(&format!("/api/v1/tickets/{number}/time-entries"))
        .token(&desk.network_agent.token)
        .send()
        .await
        .err(404, "ticket_not_found");
    let listed = entries(&t, &desk.agent.token, &number).await;
    assert_eq!(listed["total_minutes"], 0);
}
