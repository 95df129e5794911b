//! The IMAP poller against a real Dovecot: new mail becomes tickets once, a bad
//! message is quarantined without blocking the rest, messages are flagged or deleted
//! on the server only after they are stored, IDLE wakes the poller, and a wrong
//! password raises the mailbox's alert without holding up the other mailboxes.

use crate::attachments::corpus;
use ferrodesk_app::mail::MailboxInput;
use ferrodesk_mail::{ImapPoller, ImapSettings, PollError, poll_mailbox, tls_connector};
use ferrodesk_store::mail::MailboxId;
use ferrodesk_testing::fixtures::mail::{MailDesk as Desk, message};
use ferrodesk_testing::mail_servers::{Dovecot, IMAP_PASSWORD, IMAP_USER};
use std::time::{Duration, Instant};
use tokio_rustls::TlsConnector;

async fn imap_mailbox(
    desk: &Desk,
    name: &str,
    port: u16,
    security: &str,
    password: &str,
    after_import: &str,
) -> MailboxId {
    desk.app
        .mail_admin()
        .create_mailbox(
            &desk.admin,
            MailboxInput {
                name: name.into(),
                address: format!("{}@desk.example", name.to_lowercase()),
                imap_host: Some("127.0.0.1".into()),
                imap_port: Some(port),
                imap_security: Some(security.into()),
                imap_user: Some(IMAP_USER.into()),
                imap_password: Some(password.into()),
                after_import: Some(after_import.into()),
                ..MailboxInput::default()
            },
        )
        .await
        .unwrap()
        .mailbox
        .id
}

fn tls(server: &Dovecot) -> TlsConnector {
    tls_connector(Some(&server.ca_file)).unwrap()
}

fn settings() -> ImapSettings {
    ImapSettings {
        poll_interval: Duration::from_millis(200),
        refresh_interval: Duration::from_millis(100),
        connect_timeout: Duration::from_secs(10),
        ..ImapSettings::default()
    }
}

async fn ticket_of(desk: &Desk, message_id: &str) -> Option<ferrodesk_domain::TicketId> {
    desk.app.store().find_inbound(message_id).await.unwrap()
}

/// Waits until `message_id` is filed, or panics after 20 s.
async fn wait_for_ticket(desk: &Desk, message_id: &str, server: &Dovecot) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if ticket_of(desk, message_id).await.is_some() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{message_id} was not filed; dovecot log:\n{}", server.log());
}

#[tokio::test]
async fn one_poll_over_starttls_files_new_mail_once_and_flags_it_after_storing() {
    let Some(server) = Dovecot::start() else {
        return;
    };
    let desk = Desk::sqlite().await;
    let id = imap_mailbox(
        &desk,
        "Helpdesk",
        server.starttls_port,
        "starttls",
        IMAP_PASSWORD,
        "flag",
    )
    .await;
    server.deliver(&message(
        "ana@example.com",
        "p1@example.com",
        "VPN down",
        "",
        "No VPN.",
    ));
    // Unparseable: no From. It goes to the quarantine and does not block the next one.
    server.deliver(b"Subject: who am I\r\nMessage-ID: <bad@example.com>\r\n\r\nno sender\r\n");
    server.deliver(&corpus("msg_07.txt"));
    server.deliver(&message(
        "bo@example.com",
        "p2@example.com",
        "Printer",
        "",
        "Jammed.",
    ));

    let report = poll_mailbox(&desk.app, id, &tls(&server), &settings())
        .await
        .unwrap_or_else(|e| panic!("{e}; dovecot log:\n{}", server.log()));
    // Four messages delivered, one of them unparseable.
    let expected = 4;
    assert_eq!(report.fetched, expected, "{report:?}");
    assert_eq!(report.filed, expected - 1, "{report:?}");
    assert_eq!(report.quarantined, 1, "{report:?}");
    assert_eq!(report.left_on_server, 0, "{report:?}");
    let vpn = ticket_of(&desk, "p1@example.com").await.unwrap();
    let printer = ticket_of(&desk, "p2@example.com").await.unwrap();
    assert_ne!(vpn, printer);
    let held = desk.app.mail_admin().quarantine(&desk.admin).await.unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].code, "parse_error");
    assert_eq!(held[0].mailbox_id, Some(id));
    // Every message is marked on the server (seen, plus our keyword), none deleted.
    let flags = server.flags();
    assert_eq!(flags.len(), expected);
    assert!(
        flags.iter().all(|f| f.contains('S') && !f.contains('T')),
        "{flags:?}"
    );
    let status = desk
        .app
        .mail_admin()
        .mailbox(&desk.admin, id)
        .await
        .unwrap();
    assert_eq!(status.mailbox.last_uid, u32::try_from(expected).unwrap());
    assert!(status.mailbox.uid_validity.is_some());
    assert_eq!(status.mailbox.failure_count, 0);
    assert!(status.mailbox.last_success_at.is_some());

    // A second poll files nothing twice; a new message is the only one fetched.
    let again = poll_mailbox(&desk.app, id, &tls(&server), &settings())
        .await
        .unwrap();
    assert_eq!(again.fetched, 0, "{again:?}");
    server.deliver(&message(
        "ana@example.com",
        "p3@example.com",
        "Re: VPN down",
        "In-Reply-To: <p1@example.com>\r\n",
        "Still down.",
    ));
    let third = poll_mailbox(&desk.app, id, &tls(&server), &settings())
        .await
        .unwrap();
    assert_eq!((third.fetched, third.filed), (1, 1), "{third:?}");
    assert_eq!(ticket_of(&desk, "p3@example.com").await, Some(vpn));
    assert_eq!(
        desk.app
            .mail_admin()
            .quarantine(&desk.admin)
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_tls_mailbox_deletes_stored_mail_and_a_forgotten_uidvalidity_files_nothing_twice() {
    let Some(server) = Dovecot::start() else {
        return;
    };
    let desk = Desk::sqlite().await;
    let keep = imap_mailbox(&desk, "Keep", server.tls_port, "tls", IMAP_PASSWORD, "flag").await;
    server.deliver(&message(
        "ana@example.com",
        "d1@example.com",
        "Laptop",
        "",
        "Broken.",
    ));
    poll_mailbox(&desk.app, keep, &tls(&server), &settings())
        .await
        .unwrap();
    // A second mailbox reading the same folder from the start (as after a
    // UIDVALIDITY change) recognizes the stored message by its Message-ID.
    let delete = imap_mailbox(
        &desk,
        "Sweep",
        server.tls_port,
        "tls",
        IMAP_PASSWORD,
        "delete",
    )
    .await;
    server.deliver(&message(
        "bo@example.com",
        "d2@example.com",
        "Phone",
        "",
        "Dead.",
    ));
    let report = poll_mailbox(&desk.app, delete, &tls(&server), &settings())
        .await
        .unwrap();
    assert_eq!(
        (report.fetched, report.duplicates, report.filed),
        (2, 1, 1),
        "{report:?}"
    );
    assert!(
        server.flags().is_empty(),
        "stored mail is deleted: {:?}",
        server.flags()
    );
}

#[tokio::test]
async fn a_wrong_password_raises_the_alert_and_does_not_hold_up_the_other_mailbox() {
    let Some(server) = Dovecot::start() else {
        return;
    };
    let desk = Desk::sqlite().await;
    let broken = imap_mailbox(
        &desk,
        "Broken",
        server.starttls_port,
        "starttls",
        "wrong",
        "flag",
    )
    .await;
    for _ in 0..3 {
        let error = poll_mailbox(&desk.app, broken, &tls(&server), &settings())
            .await
            .unwrap_err();
        assert!(matches!(error, PollError::Login { .. }), "{error}");
    }
    let status = desk
        .app
        .mail_admin()
        .mailbox(&desk.admin, broken)
        .await
        .unwrap();
    assert!(status.is_alerting);
    assert_eq!(status.mailbox.failure_count, 3);
    assert!(
        status
            .mailbox
            .last_error
            .as_deref()
            .unwrap()
            .contains("refused the login")
    );

    // An untrusted certificate is a failure too, not a silent fallback.
    let untrusted = tls_connector(None).unwrap();
    let error = poll_mailbox(&desk.app, broken, &untrusted, &settings())
        .await
        .unwrap_err();
    assert!(matches!(error, PollError::Tls { .. }), "{error}");

    // The background poller: the good mailbox is read (and then woken by IDLE) while
    // the broken one keeps failing beside it.
    let good = imap_mailbox(
        &desk,
        "Good",
        server.starttls_port,
        "starttls",
        IMAP_PASSWORD,
        "flag",
    )
    .await;
    server.deliver(&message(
        "ana@example.com",
        "i1@example.com",
        "Mouse",
        "",
        "Gone.",
    ));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    // Polling alone would take a minute: only IDLE brings the second message in time.
    let poller = ImapPoller::new(
        desk.app.clone(),
        tls(&server),
        ImapSettings {
            poll_interval: Duration::from_secs(60),
            ..settings()
        },
    );
    let task = tokio::spawn(poller.run(stopped));
    wait_for_ticket(&desk, "i1@example.com", &server).await;
    // The task now waits in IDLE; a new message wakes it.
    server.deliver(&message(
        "ana@example.com",
        "i2@example.com",
        "Keyboard",
        "",
        "Sticky.",
    ));
    wait_for_ticket(&desk, "i2@example.com", &server).await;
    // The poller holds the mailbox's lease: another node would not read it meanwhile.
    let (now, later) = (
        desk.app.now(),
        desk.app.now() + jiff::SignedDuration::from_mins(1),
    );
    let store = desk.app.store();
    assert!(
        !store
            .lease_mailbox(good, "other-node", now, later)
            .await
            .unwrap()
    );
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .unwrap()
        .unwrap();
    // Released on shutdown: another node takes over at once.
    assert!(
        store
            .lease_mailbox(good, "other-node", now, later)
            .await
            .unwrap()
    );
    let good = desk
        .app
        .mail_admin()
        .mailbox(&desk.admin, good)
        .await
        .unwrap();
    assert!(!good.is_alerting);
    assert_eq!(good.mailbox.failure_count, 0);
    let broken = desk
        .app
        .mail_admin()
        .mailbox(&desk.admin, broken)
        .await
        .unwrap();
    assert!(broken.mailbox.failure_count >= 4);
}
