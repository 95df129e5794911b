//! Attachments: upload, cite on a new ticket or a message, download with the access of
//! the event that carries the file.

use crate::support::{Desk, TestApp};
use serde_json::{Value, json};

backend_tests!(
    files_come_with_a_new_ticket_and_download_as_attachments,
    a_customer_never_downloads_an_internal_notes_file,
    script_capable_files_are_served_as_plain_downloads,
    bad_uploads_and_citations_are_refused_and_write_nothing,
    a_customer_reply_reopens_a_ticket_pending_on_them,
);

async fn upload(t: &TestApp, token: &str, name: &str, content_type: &str, bytes: &[u8]) -> Value {
    t.post(&format!("/api/v1/uploads?filename={name}"))
        .token(token)
        .raw(content_type, bytes.to_vec())
        .send()
        .await
        .ok(201)
}

async fn events(t: &TestApp, token: &str, ticket: &Value) -> Vec<Value> {
    t.get(&format!("/api/v1/tickets/{}/events", ticket["id"]))
        .token(token)
        .send()
        .await
        .ok(200)["items"]
        .as_array()
        .unwrap()
        .clone()
}

async fn files_come_with_a_new_ticket_and_download_as_attachments(t: TestApp) {
    let Desk {
        customer, agent, ..
    } = t.desk().await;
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01";
    let shot = upload(
        &t,
        &customer.token,
        "C:%5Cshots%5Cerror.png",
        "text/plain",
        png,
    )
    .await;
    assert_eq!(shot["filename"], "error.png");
    assert_eq!(shot["content_type"], "image/png", "sniffed, not declared");
    assert_eq!(shot["size"], png.len());
    let log = upload(&t, &customer.token, "log.txt", "text/plain", b"line one").await;
    let again = upload(&t, &customer.token, "copy.txt", "text/plain", b"line one").await;
    assert_eq!(again["sha256"], log["sha256"], "same bytes, same blob");
    let ticket = t
        .ticket(
            &customer,
            json!({"subject": "Printer error", "attachments": [shot["id"], log["id"]]}),
        )
        .await;
    let timeline = events(&t, &agent.token, &ticket).await;
    let files = timeline[0]["attachments"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["filename"], "error.png");
    let url = files[1]["download_url"].as_str().unwrap();
    assert!(url.starts_with(&format!("/api/v1/tickets/{}/attachments/", ticket["id"])));
    for token in [&customer.token, &agent.token] {
        let download = t.get(url).token(token).send().await;
        assert_eq!(download.status, 200);
        assert_eq!(download.text, "line one");
        assert_eq!(download.headers["content-type"], "text/plain");
        assert_eq!(
            download.headers["content-disposition"],
            "attachment; filename=\"log.txt\"; filename*=UTF-8''log.txt"
        );
        assert_eq!(download.headers["x-content-type-options"], "nosniff");
    }
    // A reply carries files too.
    let answer = upload(&t, &agent.token, "fix.txt", "text/plain", b"do this").await;
    let reply = t
        .post(&format!("/api/v1/tickets/{}/events", ticket["id"]))
        .token(&agent.token)
        .json(json!({"type": "reply", "body": "try this", "attachments": [answer["id"]]}))
        .send()
        .await
        .ok(201);
    let url = reply["attachments"][0]["download_url"].as_str().unwrap();
    let download = t.get(url).token(&customer.token).send().await;
    assert_eq!(download.status, 200);
    assert_eq!(download.text, "do this");
}

async fn a_customer_never_downloads_an_internal_notes_file(t: TestApp) {
    let desk = t.desk().await;
    let ticket = t
        .ticket(&desk.customer, json!({"subject": "VPN drops"}))
        .await;
    let secret = upload(
        &t,
        &desk.agent.token,
        "firewall.txt",
        "text/plain",
        b"admin password",
    )
    .await;
    let note = t
        .post(&format!("/api/v1/tickets/{}/events", ticket["id"]))
        .token(&desk.agent.token)
        .json(json!({"type": "note", "body": "firewall export", "attachments": [secret["id"]]}))
        .send()
        .await
        .ok(201);
    let url = note["attachments"][0]["download_url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        t.get(&url).token(&desk.agent.token).send().await.status,
        200
    );
    t.get(&url)
        .token(&desk.customer.token)
        .send()
        .await
        .err(404, "attachment_not_found");
    // The same bytes on a public reply are the customer's to download, through that reply.
    let public = events(&t, &desk.customer.token, &ticket).await;
    assert!(public.iter().all(|e| e["attachments"].is_null()));
    // Another customer of another ticket cannot reach it through their own ticket either.
    let other = t
        .ticket(&desk.other_customer, json!({"subject": "Mine"}))
        .await;
    let sha = note["attachments"][0]["sha256"].as_str().unwrap();
    let forged = format!(
        "/api/v1/tickets/{}/attachments/{}/{sha}",
        other["id"], note["id"]
    );
    t.get(&forged)
        .token(&desk.other_customer.token)
        .send()
        .await
        .err(404, "attachment_not_found");
    // A customer cannot cite the agent's upload.
    t.post(&format!("/api/v1/tickets/{}/events", ticket["id"]))
        .token(&desk.customer.token)
        .json(json!({"type": "reply", "body": "mine now", "attachments": [secret["id"]]}))
        .send()
        .await
        .err(404, "upload_not_found");
}

async fn script_capable_files_are_served_as_plain_downloads(t: TestApp) {
    let desk = t.desk().await;
    let html = upload(
        &t,
        &desk.customer.token,
        "page.html",
        "text/html",
        b"<html><script>alert(1)</script></html>",
    )
    .await;
    let svg = upload(
        &t,
        &desk.customer.token,
        "logo.svg",
        "image/svg+xml",
        b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
    )
    .await;
    let ticket = t
        .ticket(
            &desk.customer,
            json!({"subject": "Odd page", "attachments": [html["id"], svg["id"]]}),
        )
        .await;
    let timeline = events(&t, &desk.customer.token, &ticket).await;
    for file in timeline[0]["attachments"].as_array().unwrap() {
        let download = t
            .get(file["download_url"].as_str().unwrap())
            .token(&desk.customer.token)
            .send()
            .await;
        assert_eq!(download.status, 200);
        assert_eq!(download.headers["content-type"], "application/octet-stream");
        assert!(
            download.headers["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment;")
        );
        assert_eq!(download.headers["x-content-type-options"], "nosniff");
        assert!(
            download.headers["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("sandbox")
        );
    }
}

async fn bad_uploads_and_citations_are_refused_and_write_nothing(t: TestApp) {
    let desk = t.desk().await;
    let limit = t.app.attachments().max_bytes();
    t.post("/api/v1/uploads?filename=big.bin")
        .token(&desk.customer.token)
        .raw("application/octet-stream", vec![7u8; limit + 1])
        .send()
        .await
        .err(413, "payload_too_large");
    t.post("/api/v1/uploads?filename=empty.txt")
        .token(&desk.customer.token)
        .raw("text/plain", Vec::new())
        .send()
        .await
        .err(422, "invalid_value");
    t.post("/api/v1/uploads?filename=")
        .token(&desk.customer.token)
        .raw("text/plain", b"x".to_vec())
        .send()
        .await
        .err(400, "invalid_query");
    t.post("/api/v1/uploads")
        .token(&desk.customer.token)
        .raw("text/plain", b"x".to_vec())
        .send()
        .await
        .err(400, "invalid_query");
    t.post("/api/v1/uploads?filename=a.txt")
        .raw("text/plain", b"x".to_vec())
        .send()
        .await
        .err(401, "unauthenticated");
    let before = t.ticket_count(&desk.admin).await;
    t.post("/api/v1/tickets")
        .token(&desk.customer.token)
        .json(json!({"subject": "With a ghost file", "attachments": [999999]}))
        .send()
        .await
        .err(404, "upload_not_found");
    t.post("/api/v1/tickets")
        .token(&desk.customer.token)
        .json(json!({"subject": "Wrong type", "attachments": ["abc"]}))
        .send()
        .await
        .err(422, "invalid_body");
    assert_eq!(t.ticket_count(&desk.admin).await, before);
    let ticket = t.ticket(&desk.customer, json!({"subject": "Plain"})).await;
    let base = format!("/api/v1/tickets/{}/attachments", ticket["id"]);
    let created = &events(&t, &desk.customer.token, &ticket).await[0];
    for path in [
        format!("{base}/{}/{}", created["id"], "0".repeat(64)),
        format!("{base}/{}/not-a-digest", created["id"]),
        format!("{base}/999999/{}", "0".repeat(64)),
    ] {
        t.get(&path)
            .token(&desk.customer.token)
            .send()
            .await
            .err(404, "attachment_not_found");
    }
    t.get(&format!("{base}/x/{}", "0".repeat(64)))
        .token(&desk.customer.token)
        .send()
        .await
        .err(400, "invalid_path");
}

async fn a_customer_reply_reopens_a_ticket_pending_on_them(t: TestApp) {
    let desk = t.desk().await;
    let ticket = t
        .ticket(&desk.customer, json!({"subject": "Which monitor?"}))
        .await;
    let id = ticket["id"].as_i64().unwrap();
    for status in ["open", "pending_customer"] {
        t.post(&format!("/api/v1/tickets/{id}/transition"))
            .token(&desk.agent.token)
            .json(json!({"status": status}))
            .send()
            .await
            .ok(200);
    }
    let path = format!("/api/v1/tickets/{id}/events");
    let reply = t
        .post(&path)
        .token(&desk.customer.token)
        .header("idempotency-key", "reply-1")
        .json(json!({"type": "reply", "body": "the Dell one"}))
        .send()
        .await
        .ok(201);
    let read = t
        .get(&format!("/api/v1/tickets/{id}"))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(read["status"], "open");
    let timeline = events(&t, &desk.agent.token, &ticket).await;
    let last_two: Vec<&Value> = timeline.iter().rev().take(2).collect();
    assert_eq!(last_two[0]["type"], "reply");
    assert_eq!(last_two[1]["type"], "status_changed");
    assert_eq!(last_two[1]["from"], "pending_customer");
    assert_eq!(last_two[1]["to"], "open");
    assert_eq!(last_two[1]["actor_id"], desk.customer.id);
    // The retry replays the same reply and writes nothing.
    let retry = t
        .post(&path)
        .token(&desk.customer.token)
        .header("idempotency-key", "reply-1")
        .json(json!({"type": "reply", "body": "the Dell one"}))
        .send()
        .await;
    assert_eq!(retry.headers["idempotent-replayed"], "true");
    assert_eq!(retry.ok(201), reply);
    assert_eq!(
        events(&t, &desk.agent.token, &ticket).await.len(),
        timeline.len()
    );
    // A reply to an open ticket changes no status.
    t.post(&path)
        .token(&desk.customer.token)
        .json(json!({"type": "reply", "body": "any news?"}))
        .send()
        .await
        .ok(201);
    let timeline = events(&t, &desk.agent.token, &ticket).await;
    assert_eq!(
        timeline
            .iter()
            .filter(|e| e["type"] == "status_changed")
            .count(),
        3,
        "to open, to pending, back to open"
    );
}
