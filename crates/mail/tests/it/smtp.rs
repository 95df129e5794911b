//! The outbox goes out through a real SMTP server (aiosmtpd): headers that thread,
//! the stored Message-ID, no second copy, and retries with backoff while the server
//! refuses or is down.

use ferrodesk_app::mail::{Delivery, IntakeOptions, IntakeOutcome};
use ferrodesk_app::{AppConfig, InteractionInput};
use ferrodesk_domain::TicketId;
use ferrodesk_mail::{DeliveryWorker, SmtpSettings, SmtpTransport, deliver_due};
use ferrodesk_store::mail::OutboxEntry;
use ferrodesk_testing::fixtures::mail::{MailDesk as Desk, header, message};
use ferrodesk_testing::mail_servers::{SmtpServer, wait_until};
use jiff::SignedDuration;
use std::sync::Arc;
use std::time::Duration;

async fn open_ticket(desk: &Desk, id: &str) -> TicketId {
    let raw = message(
        "Ana Silva <ana@example.com>",
        id,
        "Printer jam",
        "",
        "The printer on floor 2 is jammed.",
    );
    match desk
        .app
        .mail_intake()
        .file(&raw, IntakeOptions::default())
        .await
        .unwrap()
    {
        IntakeOutcome::Filed { ticket, .. } => ticket,
        other => panic!("not filed: {other:?}"),
    }
}

async fn reply(desk: &Desk, ticket: TicketId, body: &str) {
    desk.app
        .tickets()
        .add_interaction(
            &desk.agent,
            ticket,
            InteractionInput::Reply { body: body.into() },
            None,
        )
        .await
        .unwrap();
}

async fn outbox(desk: &Desk, ticket: TicketId) -> Vec<OutboxEntry> {
    desk.app
        .mail_admin()
        .outbox(&desk.admin, ticket)
        .await
        .unwrap()
}

fn transport(server: &SmtpServer) -> SmtpTransport {
    SmtpTransport::new(&SmtpSettings {
        timeout: Duration::from_secs(5),
        ..SmtpSettings::new(server.url())
    })
    .unwrap()
}

#[tokio::test]
async fn the_receipt_and_a_reply_reach_the_smtp_server_once_with_their_stored_ids() {
    let Some(server) = SmtpServer::start() else {
        return;
    };
    let desk = Desk::sqlite().await;
    let smtp = transport(&server);
    smtp.check().await.unwrap();
    let ticket = open_ticket(&desk, "m1@example.com").await;
    desk.clock.advance(SignedDuration::from_mins(1));
    reply(&desk, ticket, "Open the front door and pull the sheet.").await;

    let done = deliver_due(&desk.app, &smtp).await.unwrap();
    assert_eq!(done.len(), 2, "{done:?}");
    assert!(
        done.iter().all(|d| matches!(d, Delivery::Sent(_))),
        "{done:?}"
    );
    let received = server.received();
    assert_eq!(received.len(), 2);
    let stored = outbox(&desk, ticket).await;
    assert!(
        stored
            .iter()
            .all(|e| e.state == "sent" && e.sent_at.is_some())
    );

    let tag = format!("[{}]", ticket.display_number());
    let receipt = &received[0];
    assert_eq!(
        header(receipt, "X-Envelope-To").as_deref(),
        Some("ana@example.com")
    );
    assert_eq!(
        header(receipt, "X-Envelope-From").as_deref(),
        Some("support@desk.example")
    );
    assert!(header(receipt, "To").unwrap().contains("ana@example.com"));
    assert!(header(receipt, "Subject").unwrap().contains(&tag));
    assert_eq!(
        header(receipt, "Message-ID"),
        Some(format!("<{}>", stored[0].message_id.as_deref().unwrap()))
    );
    assert_eq!(
        header(receipt, "In-Reply-To").as_deref(),
        Some("<m1@example.com>")
    );
    let answer = &received[1];
    assert!(header(answer, "Subject").unwrap().contains(&tag));
    assert_eq!(
        header(answer, "Message-ID"),
        Some(format!("<{}>", stored[1].message_id.as_deref().unwrap()))
    );
    assert!(header(answer, "In-Reply-To").is_some());
    assert!(
        header(answer, "References")
            .unwrap()
            .contains("<m1@example.com>")
    );
    assert!(answer.contains("pull the sheet"));

    // A second pass finds nothing due and sends nothing.
    desk.clock.advance(SignedDuration::from_hours(2));
    assert!(deliver_due(&desk.app, &smtp).await.unwrap().is_empty());
    assert_eq!(server.received().len(), 2);
}

#[tokio::test]
async fn a_refusing_or_stopped_server_delays_the_message_with_backoff_and_loses_nothing() {
    let Some(mut server) = SmtpServer::start() else {
        return;
    };
    let desk = Desk::sqlite().await;
    let smtp = transport(&server);
    let ticket = open_ticket(&desk, "r1@example.com").await;

    // 451: a temporary refusal.
    server.refuse(true);
    let done = deliver_due(&desk.app, &smtp).await.unwrap();
    assert!(
        matches!(&done[..], [Delivery::Retrying(_, error, _)] if error.contains("451")),
        "{done:?}"
    );
    let entry = &outbox(&desk, ticket).await[0];
    assert_eq!((entry.state.as_str(), entry.attempts), ("pending", 1));
    assert_eq!(
        entry.next_attempt_at,
        desk.app.now() + SignedDuration::from_secs(30)
    );
    let message_id = entry.message_id.clone().unwrap();
    // Not due again before its backoff.
    assert!(deliver_due(&desk.app, &smtp).await.unwrap().is_empty());

    // The server is down: connection refused, the next wait doubles.
    server.stop();
    desk.clock.advance(SignedDuration::from_secs(31));
    let done = deliver_due(&desk.app, &smtp).await.unwrap();
    assert!(matches!(&done[..], [Delivery::Retrying(..)]), "{done:?}");
    let entry = &outbox(&desk, ticket).await[0];
    assert_eq!((entry.state.as_str(), entry.attempts), ("pending", 2));
    assert_eq!(
        entry.next_attempt_at,
        desk.app.now() + SignedDuration::from_secs(60)
    );
    assert!(entry.last_error.is_some());

    // Back up: the same message, with the same Message-ID, goes out once.
    server.restart();
    server.refuse(false);
    desk.clock.advance(SignedDuration::from_secs(61));
    let done = deliver_due(&desk.app, &smtp).await.unwrap();
    assert!(matches!(&done[..], [Delivery::Sent(_)]), "{done:?}");
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(
        header(&received[0], "Message-ID"),
        Some(format!("<{message_id}>"))
    );
    let entry = &outbox(&desk, ticket).await[0];
    assert_eq!((entry.state.as_str(), entry.attempts), ("sent", 3));
}

#[tokio::test]
async fn a_message_is_given_up_after_the_last_attempt_and_shows_as_failed() {
    let Some(server) = SmtpServer::start() else {
        return;
    };
    let mut config = AppConfig::default();
    config.mail.max_delivery_attempts = 2;
    let desk = Desk::sqlite_with(config).await;
    let smtp = transport(&server);
    let ticket = open_ticket(&desk, "g1@example.com").await;
    server.refuse(true);
    deliver_due(&desk.app, &smtp).await.unwrap();
    desk.clock.advance(SignedDuration::from_mins(5));
    let done = deliver_due(&desk.app, &smtp).await.unwrap();
    assert!(matches!(&done[..], [Delivery::Failed(..)]), "{done:?}");
    let entry = &outbox(&desk, ticket).await[0];
    assert_eq!(entry.state, "failed");
    assert!(entry.last_error.as_deref().unwrap().contains("451"));
    // A failed message is not tried again.
    server.refuse(false);
    desk.clock.advance(SignedDuration::from_hours(2));
    assert!(deliver_due(&desk.app, &smtp).await.unwrap().is_empty());
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn the_background_worker_sends_what_becomes_due_and_stops_on_shutdown() {
    let Some(server) = SmtpServer::start() else {
        return;
    };
    let desk = Desk::sqlite().await;
    let worker = DeliveryWorker::new(
        desk.app.clone(),
        Arc::new(transport(&server)),
        Duration::from_millis(50),
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(worker.run(async {
        let _ = stopped.await;
    }));
    let ticket = open_ticket(&desk, "w1@example.com").await;
    let dir = server.dir.clone();
    tokio::task::spawn_blocking(move || {
        wait_until("the worker sent the receipt", || {
            std::fs::read_dir(&dir)
                .unwrap()
                .any(|e| e.unwrap().path().extension().is_some_and(|x| x == "eml"))
        });
    })
    .await
    .unwrap();
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(outbox(&desk, ticket).await[0].state, "sent");
}
