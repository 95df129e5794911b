//! The "must show" for mail, through the real binary: `serve` with an SMTP
//! server (aiosmtpd) and a Dovecot mailbox. A customer's mail fetched over IMAP opens a
//! ticket, the receipt and an agent's reply go out through SMTP, and the customer's
//! answer to that reply, fetched over IMAP, lands on the same ticket.

use crate::desk::{Backend, Desk};
use ferrodesk_testing::fixtures::mail::header;
use ferrodesk_testing::mail_servers::{Dovecot, IMAP_PASSWORD, IMAP_USER, SmtpServer};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

pub(crate) async fn wait_for<T>(what: &str, mut check: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Some(found) = check().await {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting until {what}");
}

/// Adds the desk's default mailbox, polled from `imap` over STARTTLS.
pub(crate) async fn add_imap_mailbox(desk: &Desk, token: &str, imap: &Dovecot) {
    desk.post(
        token,
        "/api/v1/mailboxes",
        json!({
            "name": "Support", "address": "support@desk.example", "is_default": true,
            "imap_host": "127.0.0.1", "imap_port": imap.starttls_port,
            "imap_security": "starttls", "imap_user": IMAP_USER, "imap_password": IMAP_PASSWORD
        }),
    )
    .await
    .expect_status(201);
}

async fn replies(desk: &Desk, token: &str, ticket: i64) -> Vec<String> {
    let timeline: Value = desk
        .get(token, &format!("/api/v1/tickets/{ticket}/events"))
        .await
        .expect_status(200)
        .json();
    timeline["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "reply")
        .filter_map(|e| e["body"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn mail_in_over_imap_and_out_over_smtp_keeps_one_thread() {
    let (Some(smtp), Some(imap)) = (SmtpServer::start(), Dovecot::start()) else {
        return;
    };
    let Some(backend) = Backend::sqlite() else {
        return;
    };
    let ca = imap.ca_file.display().to_string();
    let desk = Desk::start(
        &backend,
        &[
            "--smtp-url",
            &smtp.url(),
            "--outbox-interval",
            "1",
            "--imap-poll-interval",
            "1",
            "--imap-ca-file",
            &ca,
        ],
    )
    .await;
    let token = desk.admin_token(&backend);
    add_imap_mailbox(&desk, &token, &imap).await;

    imap.deliver(
        b"From: Ana Silva <ana@example.com>\r\nTo: support@desk.example\r\n\
          Subject: Printer jam\r\nMessage-ID: <e2e-1@example.com>\r\n\r\nFloor 2 printer is jammed.\r\n",
    );
    let ticket = wait_for("the IMAP message opens a ticket", async || {
        let listed: Value = desk.get(&token, "/api/v1/tickets").await.json();
        listed["items"].as_array()?.first()?["id"].as_i64()
    })
    .await;
    let receipt = wait_for("the receipt goes out", async || {
        smtp.received().first().cloned()
    })
    .await;
    assert!(
        header(&receipt, "Subject")
            .unwrap()
            .contains(&format!("[#{ticket}]"))
    );
    assert_eq!(
        header(&receipt, "In-Reply-To").as_deref(),
        Some("<e2e-1@example.com>")
    );

    desk.post(
        &token,
        &format!("/api/v1/tickets/{ticket}/events"),
        json!({"type": "reply", "body": "Open tray 2 and pull the sheet."}),
    )
    .await
    .expect_status(201);
    let reply = wait_for("the agent's reply goes out", async || {
        smtp.received().get(1).cloned()
    })
    .await;
    assert!(reply.contains("pull the sheet"));
    let reply_id = header(&reply, "Message-ID").unwrap();

    imap.deliver(
        format!(
            "From: ana@example.com\r\nTo: support@desk.example\r\nSubject: Re: Printer jam\r\n\
             Message-ID: <e2e-2@example.com>\r\nIn-Reply-To: {reply_id}\r\n\r\nThat fixed it, thanks!\r\n"
        )
        .as_bytes(),
    );
    wait_for("the answer lands on the same ticket", async || {
        replies(&desk, &token, ticket)
            .await
            .iter()
            .any(|b| b.contains("That fixed it"))
            .then_some(())
    })
    .await;
    let listed: Value = desk.get(&token, "/api/v1/tickets").await.json();
    assert_eq!(
        listed["items"].as_array().unwrap().len(),
        1,
        "no second ticket"
    );
    let mail: Value = desk
        .get(&token, &format!("/api/v1/tickets/{ticket}/mail"))
        .await
        .expect_status(200)
        .json();
    let sent = mail["outbox"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["state"] == "sent")
        .count();
    assert_eq!(sent, 2, "{mail}");
    let status = desk.stop().await;
    assert!(status.success(), "{status:?}");
}
