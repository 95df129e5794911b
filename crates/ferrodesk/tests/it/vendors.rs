//! The "must show" for outside vendors, through the real binary: `serve` with
//! an SMTP server (aiosmtpd) and a Dovecot mailbox. A hand-off mails the vendor
//! through the outbox and SMTP with the case reference; the vendor's answer to it,
//! fetched over IMAP, and its answer to a second hand-off, piped through `ferrodesk
//! mail-gateway`, thread back onto the ticket as vendor messages, the ticket waiting on
//! the vendor in between (its resolution clock paused) and open again after (the clock
//! running, due later by the pause).

use crate::desk::{Backend, Desk};
use crate::mail::gateway;
use crate::mailio::{add_imap_mailbox, wait_for};
use ferrodesk_testing::fixtures::mail::header;
use ferrodesk_testing::mail_servers::{Dovecot, SmtpServer};
use serde_json::{Value, json};

async fn events_of(desk: &Desk, token: &str, ticket: i64, kind: &str) -> Vec<Value> {
    let timeline: Value = desk
        .get(token, &format!("/api/v1/tickets/{ticket}/events"))
        .await
        .expect_status(200)
        .json();
    timeline["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == kind)
        .cloned()
        .collect()
}

/// The ticket's resolution target as the API reports it: its state and due time.
async fn resolution_of(desk: &Desk, token: &str, ticket: i64) -> (String, Option<String>) {
    let sla: Value = desk
        .get(token, &format!("/api/v1/tickets/{ticket}/sla"))
        .await
        .expect_status(200)
        .json();
    let target = &sla["resolution"];
    (
        target["state"].as_str().unwrap_or_default().to_owned(),
        target["due_at"].as_str().map(str::to_owned),
    )
}

/// A 24/7 default policy: resolution within 8 hours for every priority.
async fn always_open_policy(desk: &Desk, token: &str) {
    let calendar: Value = desk
        .post(
            token,
            "/api/v1/calendars",
            json!({"name": "Always", "always_open": true}),
        )
        .await
        .expect_status(201)
        .json();
    let target = json!({"resolution_minutes": 480});
    desk.post(
        token,
        "/api/v1/sla-policies",
        json!({
            "name": "Standard", "calendar_id": calendar["id"], "is_default": true,
            "targets": {"p1": target, "p2": target, "p3": target, "p4": target}
        }),
    )
    .await
    .expect_status(201);
}

async fn status_of(desk: &Desk, token: &str, ticket: i64) -> String {
    let read: Value = desk
        .get(token, &format!("/api/v1/tickets/{ticket}"))
        .await
        .expect_status(200)
        .json();
    read["status"].as_str().unwrap().to_owned()
}

/// Hands `ticket` off to `vendor` and returns the mail the vendor received.
async fn hand_off(
    desk: &Desk,
    token: &str,
    smtp: &SmtpServer,
    ticket: i64,
    vendor: i64,
    reference: &str,
) -> String {
    desk.post(
        token,
        &format!("/api/v1/tickets/{ticket}/vendor-handoff"),
        json!({"vendor_id": vendor, "message": "The fuser unit needs replacing."}),
    )
    .await
    .expect_status(200);
    assert_eq!(status_of(desk, token, ticket).await, "pending_vendor");
    wait_for("the hand-off reaches the vendor over SMTP", async || {
        smtp.received().into_iter().find(|m| {
            header(m, "To").is_some_and(|to| to.contains("cases@acme.example"))
                && header(m, "Subject").is_some_and(|s| s.contains(reference))
        })
    })
    .await
}

#[tokio::test]
async fn a_hand_off_goes_out_over_smtp_pauses_the_clock_and_the_vendors_answers_thread_back() {
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
    always_open_policy(&desk, &token).await;
    let vendor: Value = desk
        .post(
            &token,
            "/api/v1/vendors",
            json!({"name": "Acme Printers", "email": "cases@acme.example", "contract_ref": "PRN-2291", "response_hours": 8}),
        )
        .await
        .expect_status(201)
        .json();
    let vendor = vendor["id"].as_i64().unwrap();

    imap.deliver(
        b"From: Ana Silva <ana@example.com>\r\nTo: support@desk.example\r\n\
          Subject: Printer jam\r\nMessage-ID: <v-e2e-1@example.com>\r\n\r\nFloor 2 printer smears.\r\n",
    );
    let ticket = wait_for("the customer's message opens a ticket", async || {
        let listed: Value = desk.get(&token, "/api/v1/tickets").await.json();
        listed["items"].as_array()?.first()?["id"].as_i64()
    })
    .await;

    let (state, due_before) = resolution_of(&desk, &token, ticket).await;
    assert_eq!(state, "ok");
    let due_before: jiff::Timestamp = due_before.unwrap().parse().unwrap();

    // (a) The hand-off goes out through the outbox and SMTP, to the vendor only.
    let first = format!("V-{ticket}-1");
    let mail = hand_off(&desk, &token, &smtp, ticket, vendor, &first).await;
    // (c) The resolution clock stands still while the vendor has the ticket.
    assert_eq!(
        resolution_of(&desk, &token, ticket).await,
        ("paused".to_owned(), None)
    );
    assert!(
        header(&mail, "Subject")
            .unwrap()
            .contains(&format!("[#{ticket}]"))
    );
    assert!(mail.contains("The fuser unit needs replacing."));
    assert!(
        header(&mail, "Reply-To")
            .unwrap()
            .contains(&format!("support+{ticket}@desk.example"))
    );
    let first_id = header(&mail, "Message-ID").unwrap();

    // (b) The vendor's answer, fetched over IMAP, threads back as a vendor message.
    imap.deliver(
        format!(
            "From: Acme Service <tech@acme.example>\r\nTo: support@desk.example\r\n\
             Subject: Re: [{first}] Printer jam\r\nMessage-ID: <acme-1@acme.example>\r\n\
             In-Reply-To: {first_id}\r\n\r\nTechnician booked for Monday.\r\n"
        )
        .as_bytes(),
    );
    let answer = wait_for("the IMAP answer lands as a vendor message", async || {
        events_of(&desk, &token, ticket, "vendor_message")
            .await
            .into_iter()
            .next()
    })
    .await;
    assert_eq!(answer["body"], "Technician booked for Monday.");
    assert_eq!(answer["vendor_name"], "Acme Printers");
    assert_eq!(answer["reference"], first);
    assert_eq!(answer["visibility"], "internal");
    assert_eq!(status_of(&desk, &token, ticket).await, "open");
    // The clock runs again, due later by the time the vendor had the ticket.
    let (state, due_after) = resolution_of(&desk, &token, ticket).await;
    assert_eq!(state, "ok");
    let due_after: jiff::Timestamp = due_after.unwrap().parse().unwrap();
    assert!(due_after > due_before, "{due_before} then {due_after}");

    // A second hand-off; the answer comes through `ferrodesk mail-gateway`.
    let second = format!("V-{ticket}-2");
    let mail = hand_off(&desk, &token, &smtp, ticket, vendor, &second).await;
    let second_id = header(&mail, "Message-ID").unwrap();
    let (code, out) = gateway(
        &backend,
        format!(
            "From: cases@acme.example\r\nTo: support@desk.example\r\n\
             Subject: Re: your case\r\nMessage-ID: <acme-2@acme.example>\r\n\
             In-Reply-To: {second_id}\r\n\r\nParts ordered.\r\n"
        )
        .as_bytes(),
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("vendor answer added to"), "{out}");
    let answers = events_of(&desk, &token, ticket, "vendor_message").await;
    assert_eq!(answers.len(), 2);
    assert_eq!(answers[1]["reference"], second);
    assert_eq!(status_of(&desk, &token, ticket).await, "open");
    let cases: Value = desk
        .get(&token, &format!("/api/v1/tickets/{ticket}/vendor-cases"))
        .await
        .expect_status(200)
        .json();
    assert!(
        cases
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["answered_at"].is_string()),
        "{cases}"
    );
    // Nothing of it reached the customer, and nothing opened a second ticket.
    let to_customer: Vec<String> = smtp
        .received()
        .into_iter()
        .filter(|m| header(m, "To").is_some_and(|to| to.contains("ana@example.com")))
        .collect();
    assert!(
        to_customer
            .iter()
            .all(|m| !m.contains("fuser") && !m.contains("Technician") && !m.contains("V-")),
        "{to_customer:?}"
    );
    let listed: Value = desk.get(&token, "/api/v1/tickets").await.json();
    assert_eq!(
        listed["items"].as_array().unwrap().len(),
        1,
        "no second ticket"
    );
    let status = desk.stop().await;
    assert!(status.success(), "{status:?}");
}
