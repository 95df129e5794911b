//! The email channel's rules: threading, the participant check, follow-ups, the
//! quarantine, storm protection, bounces and the notifications the outbox renders.

use ferrodesk_app::mail::{
    Delivery, FiledAs, IntakeOptions, IntakeOutcome, MailboxInput, SendError,
};
use ferrodesk_app::{AppConfig, InteractionInput};
use ferrodesk_domain::{EventKind, LinkKind, TicketId, TicketStatus};
use ferrodesk_store::EventPage;
use ferrodesk_testing::fixtures::mail::{
    CapturedTransport, MailDesk as Desk, deliver_all, header, message,
};
use ferrodesk_testing::fixtures::person;

async fn file(desk: &Desk, raw: &[u8]) -> IntakeOutcome {
    desk.app
        .mail_intake()
        .file(raw, IntakeOptions::default())
        .await
        .unwrap()
}

fn filed(outcome: &IntakeOutcome) -> (TicketId, FiledAs) {
    match outcome {
        IntakeOutcome::Filed { ticket, kind, .. } => (*ticket, *kind),
        other => panic!("not filed: {other:?}"),
    }
}

fn quarantined(outcome: &IntakeOutcome) -> &str {
    match outcome {
        IntakeOutcome::Quarantined { code, .. } => code,
        other => panic!("not quarantined: {other:?}"),
    }
}

async fn bodies(desk: &Desk, ticket: TicketId) -> Vec<String> {
    desk.app
        .tickets()
        .events(&desk.admin, ticket, &EventPage::default())
        .await
        .unwrap()
        .into_iter()
        .filter_map(|event| match event.kind {
            EventKind::Reply { body } | EventKind::Note { body } => Some(body),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_message_opens_a_ticket_and_its_reply_lands_on_it_once() {
    let desk = Desk::sqlite().await;
    let first = file(
        &desk,
        &message(
            "Ana Silva <ana@example.com>",
            "m1@example.com",
            "Printer jam",
            "",
            "The printer on floor 2 is jammed.",
        ),
    )
    .await;
    let (ticket, kind) = filed(&first);
    assert_eq!(kind, FiledAs::NewTicket);
    let read = desk.app.tickets().get(&desk.admin, ticket).await.unwrap();
    let requester = desk.app.store().get_user(read.requester_id).await.unwrap();
    assert_eq!(requester.email.as_str(), "ana@example.com");
    assert_eq!(requester.name, "Ana Silva");
    assert_eq!(read.subject, "Printer jam");

    let reply = message(
        "ana@example.com",
        "m2@example.com",
        "Re: Printer jam",
        "In-Reply-To: <m1@example.com>\r\n",
        "Still jammed.\r\n\r\nOn Mon, 2 Mar 2026, Ana wrote:\r\n> The printer on floor 2 is jammed.",
    );
    let (same, kind) = filed(&file(&desk, &reply).await);
    assert_eq!((same, kind), (ticket, FiledAs::Reply));
    // The quoted history is folded away from the timeline; the thread keeps it all.
    assert_eq!(
        bodies(&desk, ticket).await,
        vec!["Still jammed.".to_owned()]
    );
    let thread = desk
        .app
        .mail_admin()
        .thread(&desk.admin, ticket)
        .await
        .unwrap();
    assert!(
        thread[1]
            .full_text
            .as_deref()
            .unwrap()
            .contains("> The printer")
    );
    // The same message again changes nothing.
    assert_eq!(
        file(&desk, &reply).await,
        IntakeOutcome::Duplicate { ticket }
    );
    assert_eq!(bodies(&desk, ticket).await.len(), 1);
}

#[tokio::test]
async fn subject_tags_and_plus_addresses_thread_only_for_participants() {
    let desk = Desk::sqlite().await;
    let (ticket, _) = filed(
        &file(
            &desk,
            &message(
                "ana@example.com",
                "a1@x",
                "VPN down",
                "Cc: bo@example.com\r\n",
                "help",
            ),
        )
        .await,
    );
    let tag = ticket.display_number();
    // The requester, by tag.
    let by_tag = message(
        "ana@example.com",
        "a2@x",
        &format!("Re: [{tag}] VPN"),
        "",
        "more",
    );
    assert_eq!(filed(&file(&desk, &by_tag).await), (ticket, FiledAs::Reply));
    // A colleague who was copied, by plus-address.
    let plus = format!(
        "From: bo@example.com\r\nTo: support+{}@desk.example\r\nSubject: VPN\r\n\
         Message-ID: <b1@x>\r\n\r\nsame here\r\n",
        ticket.get()
    );
    assert_eq!(
        filed(&file(&desk, plus.as_bytes()).await),
        (ticket, FiledAs::Reply)
    );
    // A stranger guessing the number gets a ticket of their own.
    let guess = message(
        "eve@evil.example",
        "e1@x",
        &format!("[{tag}] hi"),
        "",
        "let me in",
    );
    let (other, kind) = filed(&file(&desk, &guess).await);
    assert_eq!(kind, FiledAs::NewTicket);
    assert_ne!(other, ticket);
    // A forged In-Reply-To does no better.
    let forged = message(
        "eve@evil.example",
        "e2@x",
        "Re: VPN down",
        "In-Reply-To: <a1@x>\r\n",
        "again",
    );
    let (third, _) = filed(&file(&desk, &forged).await);
    assert_ne!(third, ticket);
    assert!(
        !bodies(&desk, ticket)
            .await
            .iter()
            .any(|b| b.contains("again"))
    );
    // Mail claiming to be from an agent is held.
    let spoofed = message(
        "lucia@desk.example",
        "s1@x",
        &format!("[{tag}] closing"),
        "",
        "x",
    );
    assert_eq!(quarantined(&file(&desk, &spoofed).await), "staff_sender");
}

#[tokio::test]
async fn a_message_to_a_closed_ticket_opens_a_linked_follow_up_and_a_resolved_one_reopens() {
    let desk = Desk::sqlite().await;
    let (ticket, _) = filed(
        &file(
            &desk,
            &message("ana@example.com", "c1@x", "Laptop", "", "broken"),
        )
        .await,
    );
    let tickets = desk.app.tickets();
    tickets
        .transition(&desk.agent, ticket, TicketStatus::Resolved, None, None)
        .await
        .unwrap();
    let reopen = message(
        "ana@example.com",
        "c2@x",
        "Re: Laptop",
        "In-Reply-To: <c1@x>\r\n",
        "not fixed",
    );
    assert_eq!(filed(&file(&desk, &reopen).await), (ticket, FiledAs::Reply));
    assert_eq!(
        tickets.get(&desk.admin, ticket).await.unwrap().status,
        TicketStatus::Open
    );
    tickets
        .transition(&desk.agent, ticket, TicketStatus::Resolved, None, None)
        .await
        .unwrap();
    tickets
        .transition(&desk.agent, ticket, TicketStatus::Closed, None, None)
        .await
        .unwrap();
    let late = message(
        "ana@example.com",
        "c3@x",
        "Re: Laptop",
        "In-Reply-To: <c2@x>\r\n",
        "again",
    );
    let (follow_up, kind) = filed(&file(&desk, &late).await);
    assert_eq!(kind, FiledAs::FollowUp);
    assert_ne!(follow_up, ticket);
    let links = tickets.links(&desk.admin, follow_up).await.unwrap();
    assert!(
        links
            .iter()
            .any(|l| l.kind == LinkKind::FollowUpOf && l.other == ticket),
        "{links:?}"
    );
}

#[tokio::test]
async fn unknown_senders_are_held_when_the_mailbox_says_so_and_a_retry_files_them() {
    let desk = Desk::sqlite().await;
    let mailbox = desk.app.mail_admin().mailboxes(&desk.admin).await.unwrap()[0]
        .mailbox
        .clone();
    desk.app
        .mail_admin()
        .update_mailbox(
            &desk.admin,
            mailbox.id,
            MailboxInput {
                name: mailbox.name.clone(),
                address: mailbox.address.to_string(),
                is_default: true,
                unknown_senders: Some("hold".into()),
                ..MailboxInput::default()
            },
        )
        .await
        .unwrap();
    let raw = message("new@example.com", "u1@x", "Hello", "", "who am I");
    let held = file(&desk, &raw).await;
    assert_eq!(quarantined(&held), "unknown_sender");
    let IntakeOutcome::Quarantined { id, .. } = held else {
        unreachable!()
    };
    let admin = desk.app.mail_admin();
    let (_, bytes) = admin.quarantined(&desk.admin, id).await.unwrap();
    assert_eq!(bytes, raw);
    assert!(admin.quarantined(&desk.agent, id).await.is_err());
    let retried = admin.retry(&desk.admin, id).await.unwrap();
    filed(&retried);
    assert!(admin.quarantine(&desk.admin).await.unwrap().is_empty());
}

#[tokio::test]
async fn broken_messages_are_quarantined_and_our_own_mail_is_not_filed() {
    let desk = Desk::sqlite().await;
    let no_from = b"Subject: lost\r\nMessage-ID: <x@y>\r\n\r\nbody\r\n";
    assert_eq!(quarantined(&file(&desk, no_from).await), "parse_error");
    let looped = message("support@desk.example", "l1@x", "loop", "", "x");
    assert_eq!(
        quarantined(&file(&desk, &looped).await),
        "from_desk_address"
    );
    let listed = desk.app.mail_admin().quarantine(&desk.admin).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().any(|q| q.reason.contains("From")));
}

#[tokio::test]
async fn automatic_mail_and_storms_get_no_receipt_but_are_filed() {
    let desk = Desk::sqlite().await;
    let transport = CapturedTransport::default();
    let auto = message(
        "robot@example.com",
        "r1@x",
        "Out of office",
        "Auto-Submitted: auto-replied\r\n",
        "away",
    );
    match file(&desk, &auto).await {
        IntakeOutcome::Filed { may_auto_reply, .. } => assert!(!may_auto_reply),
        other => panic!("{other:?}"),
    }
    let delivered = deliver_all(&desk.app, &transport).await;
    assert!(
        matches!(delivered.as_slice(), [Delivery::Skipped(..)]),
        "{delivered:?}"
    );
    assert!(transport.sent.lock().unwrap().is_empty());
    // A storm from one sender: receipts stop at the limit, messages keep being filed.
    let limit = AppConfig::default().mail.max_auto_replies_per_window;
    for n in 0..limit + 3 {
        let raw = message(
            "storm@example.com",
            &format!("s{n}@x"),
            &format!("Storm {n}"),
            "",
            "x",
        );
        filed(&file(&desk, &raw).await);
    }
    deliver_all(&desk.app, &transport).await;
    assert_eq!(transport.sent.lock().unwrap().len() as i64, limit);
}

#[tokio::test]
async fn notifications_thread_back_and_an_auto_responder_gets_no_second_receipt() {
    let desk = Desk::sqlite().await;
    let transport = CapturedTransport::default();
    let pt = desk
        .app
        .add_user_as_system(person("joao@example.com", "customer"))
        .await
        .unwrap();
    desk.app
        .store()
        .update_user(
            pt.id,
            ferrodesk_store::UserPatch {
                locale: Some("pt-BR".into()),
                ..ferrodesk_store::UserPatch::default()
            },
            desk.app.now(),
        )
        .await
        .unwrap();
    let (ticket, _) = filed(
        &file(
            &desk,
            &message("joao@example.com", "p1@x", "Impressora", "", "quebrada"),
        )
        .await,
    );
    deliver_all(&desk.app, &transport).await;
    let receipt = transport.sent.lock().unwrap()[0].1.clone();
    assert!(receipt.contains("recebemos o seu pedido"), "{receipt}");
    assert_eq!(header(&receipt, "In-Reply-To").as_deref(), Some("<p1@x>"));
    assert_eq!(
        header(&receipt, "Auto-Submitted").as_deref(),
        Some("auto-replied")
    );
    let receipt_id = header(&receipt, "Message-ID").unwrap();

    // An auto-responder answers the receipt: it lands on the ticket, no new receipt.
    let auto = message(
        "joao@example.com",
        "p2@x",
        "Ausente: Impressora",
        &format!("In-Reply-To: {receipt_id}\r\nAuto-Submitted: auto-replied\r\n"),
        "Estou ausente.",
    );
    assert_eq!(filed(&file(&desk, &auto).await).0, ticket);
    deliver_all(&desk.app, &transport).await;
    assert_eq!(transport.sent.lock().unwrap().len(), 1);

    // An agent's note stays inside; their reply goes out, signed, threaded.
    desk.clock.advance(jiff::SignedDuration::from_mins(5));
    let tickets = desk.app.tickets();
    tickets
        .add_interaction(
            &desk.agent,
            ticket,
            InteractionInput::Note {
                body: "secret".into(),
            },
            None,
        )
        .await
        .unwrap();
    tickets
        .add_interaction(
            &desk.agent,
            ticket,
            InteractionInput::Reply {
                body: "Troque o toner.".into(),
            },
            None,
        )
        .await
        .unwrap();
    deliver_all(&desk.app, &transport).await;
    let sent = transport.sent.lock().unwrap().clone();
    assert_eq!(sent.len(), 2);
    let reply = &sent[1].1;
    assert!(
        reply.contains("Troque o toner.") && reply.contains("Lucia Fernandez"),
        "{reply}"
    );
    assert!(!reply.contains("secret"));
    assert_eq!(header(reply, "Auto-Submitted"), None);
    assert!(header(reply, "References").unwrap().contains(&receipt_id));
    let reply_id = header(reply, "Message-ID").unwrap();

    // The customer's answer to it threads back.
    let answer = message(
        "joao@example.com",
        "p3@x",
        "Re: Impressora",
        &format!("In-Reply-To: {reply_id}\r\n"),
        "Funcionou!",
    );
    assert_eq!(filed(&file(&desk, &answer).await), (ticket, FiledAs::Reply));
}

#[tokio::test]
async fn failed_deliveries_are_retried_with_backoff_and_bounces_are_noted_on_the_ticket() {
    let desk = Desk::sqlite().await;
    let transport = CapturedTransport::default();
    *transport.failing.lock().unwrap() = Some(SendError {
        message: "connection refused".into(),
        is_permanent: false,
    });
    let (ticket, _) =
        filed(&file(&desk, &message("ana@example.com", "b1@x", "Mail", "", "x")).await);
    let first = deliver_all(&desk.app, &transport).await;
    assert!(
        matches!(first.as_slice(), [Delivery::Retrying(..)]),
        "{first:?}"
    );
    // Not due yet; due after the backoff.
    assert!(deliver_all(&desk.app, &transport).await.is_empty());
    *transport.failing.lock().unwrap() = None;
    desk.clock.advance(jiff::SignedDuration::from_secs(31));
    let second = deliver_all(&desk.app, &transport).await;
    assert!(
        matches!(second.as_slice(), [Delivery::Sent(..)]),
        "{second:?}"
    );
    let receipt = transport.sent.lock().unwrap()[0].1.clone();
    let receipt_id = header(&receipt, "Message-ID")
        .unwrap()
        .trim_matches(['<', '>'])
        .to_owned();

    let dsn = format!(
        "From: MAILER-DAEMON@mx.example.com\r\nTo: support@desk.example\r\nSubject: Undelivered Mail\r\n\
         Message-ID: <dsn1@mx>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n\
         --B\r\nContent-Type: text/plain\r\n\r\nI could not deliver your message.\r\n\
         --B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.com\r\n\r\n\
         Final-Recipient: rfc822; ana@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n\
         --B\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <{receipt_id}>\r\nSubject: x\r\n\r\n--B--\r\n"
    );
    let (noted, kind) = filed(&file(&desk, dsn.as_bytes()).await);
    assert_eq!((noted, kind), (ticket, FiledAs::Bounce));
    let notes = bodies(&desk, ticket).await;
    assert!(notes.iter().any(|n| n.contains("5.1.1")), "{notes:?}");
    // No ticket for the bounce and no mail about it.
    assert!(deliver_all(&desk.app, &transport).await.is_empty());
}

#[tokio::test]
async fn every_message_of_the_corpus_is_filed_or_quarantined_with_a_reason() {
    let desk = Desk::sqlite().await;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/email");
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut counted = 0;
    for entry in entries {
        let path = entry.unwrap().path();
        let raw = std::fs::read(&path).unwrap();
        match file(&desk, &raw).await {
            IntakeOutcome::Filed { .. } | IntakeOutcome::Duplicate { .. } => {}
            IntakeOutcome::Quarantined { reason, .. } => {
                assert!(!reason.is_empty(), "{}", path.display());
            }
        }
        counted += 1;
    }
    assert!(counted >= 40, "only {counted} messages");
}
