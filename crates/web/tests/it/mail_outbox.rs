//! The outbox across the desk through the API: failed notifications are listed for
//! admins and sent again, on both backends.

use crate::support::TestApp;
use ferrodesk_app::mail::{Delivery, IntakeOptions};
use ferrodesk_testing::fixtures::mail::RefusingTransport;
use serde_json::json;

backend_tests!(admins_list_failed_mail_and_send_it_again);

async fn admins_list_failed_mail_and_send_it_again(t: TestApp) {
    let desk = t.desk().await;
    t.post("/api/v1/mailboxes")
        .token(&desk.admin.token)
        .json(json!({"name": "Support", "address": "support@desk.example", "is_default": true}))
        .send()
        .await
        .ok(201);
    let raw = b"From: Ana <ana@example.com>\r\nTo: support@desk.example\r\nSubject: VPN\r\nMessage-ID: <o1@x>\r\n\r\ndown\r\n";
    t.app
        .mail_intake()
        .file(raw, IntakeOptions::default())
        .await
        .unwrap();
    let delivery = t
        .app
        .notifications()
        .deliver_next(&RefusingTransport)
        .await
        .unwrap();
    assert!(
        matches!(delivery, Some(Delivery::Failed(..))),
        "{delivery:?}"
    );

    let failed = t
        .get("/api/v1/mail/outbox")
        .token(&desk.admin.token)
        .send()
        .await
        .ok(200);
    let rows = failed["items"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{failed}");
    assert_eq!(rows[0]["state"], "failed");
    assert_eq!(rows[0]["last_error"], "550 5.7.1 relaying denied");
    assert!(rows[0]["message_id"].as_str().is_some());
    let id = rows[0]["id"].as_i64().unwrap();

    t.get("/api/v1/mail/outbox?state=lost")
        .token(&desk.admin.token)
        .send()
        .await
        .err(422, "invalid_value");
    t.get("/api/v1/mail/outbox")
        .token(&desk.agent.token)
        .send()
        .await
        .err(403, "forbidden");
    t.post(&format!("/api/v1/mail/outbox/{id}/retry"))
        .token(&desk.agent.token)
        .send()
        .await
        .err(403, "forbidden");

    t.post(&format!("/api/v1/mail/outbox/{id}/retry"))
        .token(&desk.admin.token)
        .send()
        .await
        .ok(204);
    let pending = t
        .get("/api/v1/mail/outbox?state=pending")
        .token(&desk.admin.token)
        .send()
        .await
        .ok(200);
    assert_eq!(pending["items"][0]["id"], id);
    assert_eq!(pending["items"][0]["attempts"], 0);
    // Only a failed message can be sent again.
    t.post(&format!("/api/v1/mail/outbox/{id}/retry"))
        .token(&desk.admin.token)
        .send()
        .await
        .err(404, "failed_message_not_found");
    t.post("/api/v1/mail/outbox/abc/retry")
        .token(&desk.admin.token)
        .send()
        .await
        .err(400, "invalid_path");
}
