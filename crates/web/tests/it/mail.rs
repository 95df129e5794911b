//! Mailboxes, the quarantine and a ticket's mail through the API, on both backends.

use crate::support::{TestApp, items};
use axum::http::Method;
use ferrodesk_app::mail::IntakeOptions;
use serde_json::json;

backend_tests!(
    admins_configure_mailboxes_and_never_see_the_password,
    admins_work_the_quarantine_download_retry_and_delete,
    staff_read_a_tickets_mail_thread,
);

async fn admins_configure_mailboxes_and_never_see_the_password(t: TestApp) {
    let desk = t.desk().await;
    let body = json!({
        "name": "Support", "address": "support@desk.example", "is_default": true,
        "group_id": desk.service_desk, "unknown_senders": "hold",
        "imap_host": "imap.desk.example", "imap_security": "starttls",
        "imap_user": "support", "imap_password": "s3cret"
    });
    let created = t
        .post("/api/v1/mailboxes")
        .token(&desk.admin.token)
        .json(body.clone())
        .send()
        .await
        .ok(201);
    assert!(!created.to_string().contains("s3cret"));
    assert_eq!(created["has_password"], true);
    assert_eq!(created["imap_port"], 143);
    let id = created["id"].as_i64().unwrap();
    t.post("/api/v1/mailboxes")
        .token(&desk.admin.token)
        .json(body.clone())
        .send()
        .await
        .err(409, "mailbox_taken");
    t.post("/api/v1/mailboxes")
        .token(&desk.agent.token)
        .json(body.clone())
        .send()
        .await
        .err(403, "forbidden");
    t.post("/api/v1/mailboxes")
        .token(&desk.admin.token)
        .json(json!({"name": "X", "address": "not an address"}))
        .send()
        .await
        .err(422, "invalid_value");
    t.post("/api/v1/mailboxes")
        .token(&desk.admin.token)
        .json(json!({"name": "X", "address": "x@desk.example", "imap_host": "h", "imap_user": "u"}))
        .send()
        .await
        .err(422, "invalid_value");
    t.post("/api/v1/mailboxes")
        .token(&desk.admin.token)
        .json(json!({"name": "X", "address": "x@desk.example", "group_id": 999_999}))
        .send()
        .await
        .err(404, "group_not_found");
    t.post("/api/v1/mailboxes")
        .token(&desk.admin.token)
        .raw("application/json", "{\"name\": ")
        .send()
        .await
        .err(400, "malformed_json");
    // An update without a password keeps it.
    let mut update = body.clone();
    update["imap_password"] = serde_json::Value::Null;
    update["name"] = json!("Support desk");
    let updated = t
        .call(Method::PUT, &format!("/api/v1/mailboxes/{id}"))
        .token(&desk.admin.token)
        .json(update)
        .send()
        .await
        .ok(200);
    assert_eq!(updated["has_password"], true);
    assert_eq!(updated["name"], "Support desk");
    let listed = t
        .get("/api/v1/mailboxes")
        .token(&desk.admin.token)
        .send()
        .await
        .ok(200);
    assert_eq!(items(&listed).len(), 1);
    t.delete(&format!("/api/v1/mailboxes/{id}"))
        .token(&desk.admin.token)
        .send()
        .await
        .ok(204);
    t.get(&format!("/api/v1/mailboxes/{id}"))
        .token(&desk.admin.token)
        .send()
        .await
        .err(404, "mailbox_not_found");
}

async fn admins_work_the_quarantine_download_retry_and_delete(t: TestApp) {
    let desk = t.desk().await;
    t.post("/api/v1/mailboxes")
        .token(&desk.admin.token)
        .json(json!({"name": "Support", "address": "support@desk.example", "is_default": true, "unknown_senders": "hold"}))
        .send()
        .await
        .ok(201);
    let raw = b"From: stranger@example.com\r\nTo: support@desk.example\r\nSubject: Hi\r\nMessage-ID: <q1@x>\r\n\r\nhello\r\n";
    let intake = t.app.mail_intake();
    intake.file(raw, IntakeOptions::default()).await.unwrap();
    intake
        .file(b"Subject: no sender\r\n\r\nx\r\n", IntakeOptions::default())
        .await
        .unwrap();
    let listed = items(
        &t.get("/api/v1/mail/quarantine")
            .token(&desk.admin.token)
            .send()
            .await
            .ok(200),
    );
    assert_eq!(listed.len(), 2);
    let held = listed
        .iter()
        .find(|q| q["code"] == "unknown_sender")
        .unwrap();
    let broken = listed.iter().find(|q| q["code"] == "parse_error").unwrap();
    let id = held["id"].as_i64().unwrap();
    t.get("/api/v1/mail/quarantine")
        .token(&desk.supervisor.token)
        .send()
        .await
        .err(403, "forbidden");
    let download = t
        .get(&format!("/api/v1/mail/quarantine/{id}/raw"))
        .token(&desk.admin.token)
        .send()
        .await;
    assert_eq!(download.status, 200);
    assert_eq!(download.header("content-type"), Some("message/rfc822"));
    assert_eq!(download.text.as_bytes(), raw);
    let retried = t
        .post(&format!("/api/v1/mail/quarantine/{id}/retry"))
        .token(&desk.admin.token)
        .send()
        .await
        .ok(200);
    assert_eq!(retried["outcome"], "filed");
    assert!(retried["ticket_id"].as_i64().is_some());
    t.post(&format!("/api/v1/mail/quarantine/{id}/retry"))
        .token(&desk.admin.token)
        .send()
        .await
        .err(404, "quarantined_message_not_found");
    let broken_id = broken["id"].as_i64().unwrap();
    t.delete(&format!("/api/v1/mail/quarantine/{broken_id}"))
        .token(&desk.admin.token)
        .send()
        .await
        .ok(204);
    t.get(&format!("/api/v1/mail/quarantine/{broken_id}/raw"))
        .token(&desk.admin.token)
        .send()
        .await
        .err(404, "quarantined_message_not_found");
    t.get("/api/v1/mail/quarantine/abc/raw")
        .token(&desk.admin.token)
        .send()
        .await
        .err(400, "invalid_path");
}

async fn staff_read_a_tickets_mail_thread(t: TestApp) {
    let desk = t.desk().await;
    let raw = b"From: Ana <ana@example.com>\r\nTo: support@desk.example\r\nSubject: VPN\r\nMessage-ID: <t1@x>\r\nContent-Type: text/html\r\n\r\n<p onclick=\"evil()\">down<script>alert(1)</script></p>\r\n";
    let outcome = t
        .app
        .mail_intake()
        .file(raw, IntakeOptions::default())
        .await
        .unwrap();
    let ferrodesk_app::mail::IntakeOutcome::Filed { ticket, .. } = outcome else {
        panic!("{outcome:?}")
    };
    let mail = t
        .get(&format!("/api/v1/tickets/{}/mail", ticket.get()))
        .token(&desk.admin.token)
        .send()
        .await
        .ok(200);
    let html = mail["thread"][0]["html_body"].as_str().unwrap();
    assert!(
        html.contains("down") && !html.contains("script") && !html.contains("onclick"),
        "{html}"
    );
    assert_eq!(mail["thread"][0]["direction"], "in");
    assert_eq!(mail["outbox"][0]["state"], "pending");
    t.get(&format!("/api/v1/tickets/{}/mail", ticket.get()))
        .token(&desk.customer.token)
        .send()
        .await
        .err(403, "forbidden");
    t.get("/api/v1/tickets/999999/mail")
        .token(&desk.admin.token)
        .send()
        .await
        .err(404, "ticket_not_found");
}
