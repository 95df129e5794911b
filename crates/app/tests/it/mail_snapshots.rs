//! Snapshots of the mail the desk sends about one request: the receipt (the
//! automatic acknowledgement), an agent's reply and the resolution with its rating
//! link, as the outbox hands them to the mail server. The date, Message-IDs, MIME
//! boundaries and the signed rating token are redacted
//! (`ferrodesk_testing::snapshot::redact_mail`); everything else, headers included,
//! is compared. Review a change with `cargo insta review`.

use ferrodesk_app::InteractionInput;
use ferrodesk_app::mail::{IntakeOptions, IntakeOutcome};
use ferrodesk_domain::TicketStatus;
use ferrodesk_testing::fixtures::mail::{CapturedTransport, MailDesk, deliver_all, message};
use ferrodesk_testing::snapshot::redact_mail;
use jiff::SignedDuration;

/// Delivers what is due and returns the one message it sent.
async fn next_mail(desk: &MailDesk, transport: &CapturedTransport) -> String {
    let before = transport.messages().len();
    deliver_all(&desk.app, transport).await;
    let mut sent = transport.messages();
    assert_eq!(sent.len(), before + 1, "{sent:#?}");
    redact_mail(&sent.remove(before))
}

#[tokio::test]
async fn the_receipt_the_reply_and_the_resolution_mail_keep_their_text() {
    let desk = MailDesk::sqlite().await;
    let transport = CapturedTransport::default();
    let raw = message(
        "Ana Silva <ana@example.com>",
        "m1@example.com",
        "Printer jam",
        "",
        "The printer on floor 2 is jammed.",
    );
    let outcome = desk
        .app
        .mail_intake()
        .file(&raw, IntakeOptions::default())
        .await
        .unwrap();
    let IntakeOutcome::Filed { ticket, .. } = outcome else {
        panic!("not filed: {outcome:?}");
    };
    insta::assert_snapshot!("receipt", next_mail(&desk, &transport).await);

    desk.clock.advance(SignedDuration::from_mins(5));
    let tickets = desk.app.tickets();
    tickets
        .add_interaction(
            &desk.agent,
            ticket,
            InteractionInput::Reply {
                body: "Open the side door and pull the sheet out.".into(),
            },
            None,
        )
        .await
        .unwrap();
    insta::assert_snapshot!("agent_reply", next_mail(&desk, &transport).await);

    desk.clock.advance(SignedDuration::from_mins(30));
    tickets
        .transition(&desk.agent, ticket, TicketStatus::Resolved, None, None)
        .await
        .unwrap();
    insta::assert_snapshot!("resolution", next_mail(&desk, &transport).await);
}
