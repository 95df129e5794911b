//! The email admin screens: mailboxes (the IMAP password never comes back), the
//! failing-mailbox banner, and the quarantine (list, download, file again, delete).

use crate::support::Desk;
use axum::http::{StatusCode, header};
use ferrodesk_app::mail::{IntakeOptions, IntakeOutcome, MailboxInput};
use ferrodesk_store::mail::MailboxId;

const PASSWORD: &str = "imap-pass-5309";

async fn add_imap_mailbox(desk: &Desk) -> MailboxId {
    let created = desk
        .post(
            "/admin/mailboxes/new",
            &desk.admin,
            &[
                ("name", "Helpdesk"),
                ("address", "help@desk.test"),
                ("group_id", &desk.service_desk.to_string()),
                ("unknown_senders", "hold"),
                ("imap_host", "imap.desk.test"),
                ("imap_port", "993"),
                ("imap_security", "tls"),
                ("imap_user", "help"),
                ("imap_password", PASSWORD),
                ("imap_folder", "INBOX"),
                ("after_import", "flag"),
                ("is_enabled", "on"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    assert_eq!(created.location(), "/admin/mailboxes?done=saved");
    let actor = desk.actor(&desk.admin).await;
    desk.app.mail_admin().mailboxes(&actor).await.unwrap()[0]
        .mailbox
        .id
}

#[tokio::test]
async fn admins_add_and_edit_mailboxes_and_the_password_never_comes_back() {
    let desk = Desk::new().await;
    for path in [
        "/admin/mailboxes",
        "/admin/mailboxes/new",
        "/admin/quarantine",
    ] {
        assert_eq!(
            desk.get(path, Some(&desk.agent)).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let bad = desk
        .post(
            "/admin/mailboxes/new",
            &desk.admin,
            &[
                ("name", "Helpdesk"),
                ("address", "not an address"),
                ("imap_host", "imap.desk.test"),
                ("imap_port", "99999"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.field_error("imap_port").is_some(), "{}", bad.body);
    let bad = desk
        .post(
            "/admin/mailboxes/new",
            &desk.admin,
            &[("name", "Helpdesk"), ("address", "not an address")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.field_error("address").is_some(), "{}", bad.body);

    let id = add_imap_mailbox(&desk).await;
    let list = desk.get("/admin/mailboxes", Some(&desk.admin)).await;
    list.assert_contains("Helpdesk");
    list.assert_contains("help@desk.test");
    list.assert_contains("help@imap.desk.test:993 (TLS, INBOX)");
    list.assert_contains("Held for review");
    list.assert_lacks(PASSWORD);

    let edit = desk
        .get(
            &format!("/admin/mailboxes/{id}", id = id.0),
            Some(&desk.admin),
        )
        .await;
    assert_eq!(edit.status, StatusCode::OK);
    edit.assert_contains("value=\"imap.desk.test\"");
    edit.assert_contains("Stored; leave empty to keep it");
    edit.assert_lacks(PASSWORD);

    // Saved with the password left empty: the stored one stays.
    let saved = desk
        .post(
            &format!("/admin/mailboxes/{}", id.0),
            &desk.admin,
            &[
                ("name", "Helpdesk EU"),
                ("address", "help@desk.test"),
                ("unknown_senders", "allow"),
                ("imap_host", "imap.desk.test"),
                ("imap_port", "143"),
                ("imap_security", "starttls"),
                ("imap_user", "help"),
                ("imap_password", ""),
                ("imap_folder", "Support"),
                ("after_import", "move"),
                ("move_to", "Filed"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let actor = desk.actor(&desk.admin).await;
    let status = desk.app.mail_admin().mailbox(&actor, id).await.unwrap();
    assert!(status.has_password);
    assert_eq!(status.mailbox.name, "Helpdesk EU");
    assert!(
        !status.mailbox.is_enabled,
        "the unchecked box disables fetching"
    );
    let stored = desk.store.get_mailbox(id).await.unwrap();
    assert_eq!(stored.imap.unwrap().password, PASSWORD);

    // Moving without a folder is refused next to the field.
    let no_folder = desk
        .post(
            &format!("/admin/mailboxes/{}", id.0),
            &desk.admin,
            &[
                ("name", "Helpdesk EU"),
                ("address", "help@desk.test"),
                ("imap_host", "imap.desk.test"),
                ("imap_user", "help"),
                ("after_import", "move"),
                ("imap_password", "typed-but-refused"),
            ],
        )
        .await;
    assert_eq!(no_folder.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        no_folder.field_error("move_to").is_some(),
        "{}",
        no_folder.body
    );
    no_folder.assert_lacks("typed-but-refused");

    let deleted = desk
        .post(
            &format!("/admin/mailboxes/{}/delete", id.0),
            &desk.admin,
            &[],
        )
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    desk.get("/admin/mailboxes", Some(&desk.admin))
        .await
        .assert_lacks("Helpdesk EU");
    assert_eq!(
        desk.get(&format!("/admin/mailboxes/{}", id.0), Some(&desk.admin))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_mailbox_that_keeps_failing_shows_a_banner_on_admin_pages() {
    let desk = Desk::new().await;
    let id = add_imap_mailbox(&desk).await;
    let users = desk.get("/admin/users", Some(&desk.admin)).await;
    users.assert_contains("hx-get=\"/admin/mail/alerts\"");
    let quiet = desk.get("/admin/mail/alerts", Some(&desk.admin)).await;
    assert_eq!(quiet.status, StatusCode::OK);
    quiet.assert_lacks("keeps failing");
    let now = desk.app.now();
    for _ in 0..3 {
        desk.store
            .record_mailbox_failure(id, "the server refused the login for help", now)
            .await
            .unwrap();
    }
    let banner = desk.get("/admin/mail/alerts", Some(&desk.admin)).await;
    banner.assert_contains("Mail is not being fetched");
    banner.assert_contains("Helpdesk</a> keeps failing: the server refused the login for help");
    let list = desk.get("/admin/mailboxes", Some(&desk.admin)).await;
    list.assert_contains("Failing (3 in a row)");
    assert_eq!(
        desk.get("/admin/mail/alerts", Some(&desk.agent))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn quarantined_mail_is_listed_downloaded_filed_again_and_deleted() {
    let desk = Desk::new().await;
    let actor = desk.actor(&desk.admin).await;
    desk.app
        .mail_admin()
        .create_mailbox(
            &actor,
            MailboxInput {
                name: "Support".into(),
                address: "support@desk.test".into(),
                is_default: true,
                unknown_senders: Some("hold".into()),
                ..MailboxInput::default()
            },
        )
        .await
        .unwrap();
    let raw = |id: &str| {
        format!(
            "From: Stranger <stranger@elsewhere.test>\r\nTo: support@desk.test\r\n\
             Subject: Who handles badges?\r\nMessage-ID: <{id}>\r\n\r\nMy badge stopped working.\r\n"
        )
    };
    let mut held = Vec::new();
    for id in ["q1@elsewhere.test", "q2@elsewhere.test"] {
        match desk
            .app
            .mail_intake()
            .file(raw(id).as_bytes(), IntakeOptions::default())
            .await
            .unwrap()
        {
            IntakeOutcome::Quarantined { id, code, .. } => {
                assert_eq!(code, "unknown_sender");
                held.push(id.0);
            }
            other => panic!("not held: {other:?}"),
        }
    }
    let list = desk.get("/admin/quarantine", Some(&desk.admin)).await;
    list.assert_contains("unknown_sender");
    list.assert_contains("stranger@elsewhere.test");
    list.assert_contains("Who handles badges?");
    list.assert_contains(&format!("/admin/quarantine/{}/raw", held[0]));

    let download = desk
        .get(
            &format!("/admin/quarantine/{}/raw", held[0]),
            Some(&desk.admin),
        )
        .await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(
        download.headers.get(header::CONTENT_TYPE).unwrap(),
        "message/rfc822"
    );
    assert_eq!(download.body, raw("q1@elsewhere.test"));
    assert_eq!(
        desk.get(
            &format!("/admin/quarantine/{}/raw", held[0]),
            Some(&desk.agent)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        desk.get("/admin/quarantine/999999/raw", Some(&desk.admin))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let retried = desk
        .post(
            &format!("/admin/quarantine/{}/retry", held[0]),
            &desk.admin,
            &[],
        )
        .await;
    assert_eq!(retried.status, StatusCode::SEE_OTHER);
    assert!(
        retried
            .location()
            .starts_with("/admin/quarantine?done=mail_filed&ticket=")
    );
    let after = desk.get(retried.location(), Some(&desk.admin)).await;
    after.assert_contains("Filed on <a href=\"/agent/tickets/");
    assert!(
        desk.store
            .find_inbound("q1@elsewhere.test")
            .await
            .unwrap()
            .is_some()
    );

    let deleted = desk
        .post(
            &format!("/admin/quarantine/{}/delete", held[1]),
            &desk.admin,
            &[],
        )
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    let empty = desk.get("/admin/quarantine", Some(&desk.admin)).await;
    empty.assert_contains("Nothing is held.");
    assert_eq!(
        desk.post(
            &format!("/admin/quarantine/{}/delete", held[1]),
            &desk.admin,
            &[]
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn failed_outgoing_mail_is_listed_and_sent_again() {
    let desk = Desk::new().await;
    let actor = desk.actor(&desk.admin).await;
    desk.app
        .mail_admin()
        .create_mailbox(
            &actor,
            MailboxInput {
                name: "Support".into(),
                address: "support@desk.test".into(),
                is_default: true,
                ..MailboxInput::default()
            },
        )
        .await
        .unwrap();
    let raw = b"From: Ana <ana@example.test>\r\nTo: support@desk.test\r\nSubject: VPN\r\nMessage-ID: <o1@x>\r\n\r\ndown\r\n";
    desk.app
        .mail_intake()
        .file(raw, IntakeOptions::default())
        .await
        .unwrap();
    desk.app
        .notifications()
        .deliver_next(&ferrodesk_testing::fixtures::mail::RefusingTransport)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        desk.get("/admin/outbox", Some(&desk.agent)).await.status,
        StatusCode::FORBIDDEN
    );
    let page = desk.get("/admin/outbox", Some(&desk.admin)).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("550 5.7.1 relaying denied");
    page.assert_contains("ana@example.test");
    page.assert_contains("Send again");
    let actor = desk.actor(&desk.admin).await;
    let id = desk
        .app
        .mail_admin()
        .outbox_in_state(&actor, "failed")
        .await
        .unwrap()[0]
        .id;
    let sent = desk
        .post(&format!("/admin/outbox/{}/retry", id.0), &desk.admin, &[])
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    assert_eq!(sent.location(), "/admin/outbox?done=mail_queued");
    desk.get("/admin/outbox?state=failed", Some(&desk.admin))
        .await
        .assert_contains("No messages here.");
    let waiting = desk
        .get("/admin/outbox?state=pending", Some(&desk.admin))
        .await;
    waiting.assert_contains("ana@example.test");
    waiting.assert_lacks("Send again");
    assert_eq!(
        desk.get("/admin/outbox?state=lost", Some(&desk.admin))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        desk.post(&format!("/admin/outbox/{}/retry", id.0), &desk.admin, &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_outbox_opens_on_waiting_mail_says_what_it_is_and_that_no_smtp_server_is_set() {
    let desk = Desk::new().await;
    let actor = desk.actor(&desk.admin).await;
    desk.app
        .mail_admin()
        .create_mailbox(
            &actor,
            MailboxInput {
                name: "Support".into(),
                address: "support@desk.test".into(),
                is_default: true,
                ..MailboxInput::default()
            },
        )
        .await
        .unwrap();
    let raw = b"From: Ana <ana@example.test>\r\nTo: support@desk.test\r\nSubject: VPN keeps dropping\r\nMessage-ID: <w1@x>\r\n\r\ndown\r\n";
    desk.app
        .mail_intake()
        .file(raw, IntakeOptions::default())
        .await
        .unwrap();
    // The message waits: nothing failed, so the screen opens on the waiting tab.
    desk.clock.advance(jiff::SignedDuration::from_mins(10));
    let page = desk.get("/admin/outbox", Some(&desk.admin)).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains(
        r#"<a href="/admin/outbox?state=pending" aria-current="page">Waiting</a>"#,
    );
    page.assert_contains("Receipt to the requester");
    page.assert_contains("VPN keeps dropping");
    page.assert_contains("Addressed when sent");
    page.assert_lacks("not rendered");
    // Its time came ten minutes ago: it is due now, not "10 min ago".
    page.assert_contains(">due now</time>");
    page.assert_lacks("10 min ago");
    page.assert_contains("No SMTP server is configured.");

    let configured = Desk::with_config(ferrodesk_ui::UiConfig {
        is_smtp_configured: true,
        ..ferrodesk_ui::UiConfig::default()
    })
    .await;
    let page = configured
        .get("/admin/outbox", Some(&configured.admin))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_lacks("No SMTP server is configured.");
}

#[tokio::test]
async fn the_ticket_view_shows_its_outgoing_mail_to_staff_only() {
    let desk = Desk::new().await;
    let actor = desk.actor(&desk.admin).await;
    desk.app
        .mail_admin()
        .create_mailbox(
            &actor,
            MailboxInput {
                name: "Support".into(),
                address: "support@desk.test".into(),
                is_default: true,
                ..MailboxInput::default()
            },
        )
        .await
        .unwrap();
    let raw = b"From: Ana <ana@example.test>\r\nTo: support@desk.test\r\nSubject: VPN\r\nMessage-ID: <m1@x>\r\n\r\ndown\r\n";
    let ticket = match desk
        .app
        .mail_intake()
        .file(raw, IntakeOptions::default())
        .await
        .unwrap()
    {
        IntakeOutcome::Filed { ticket, .. } => ticket,
        other => panic!("not filed: {other:?}"),
    };
    desk.app
        .notifications()
        .deliver_next(&ferrodesk_testing::fixtures::mail::RefusingTransport)
        .await
        .unwrap()
        .unwrap();
    let view = desk
        .get(
            &format!("/agent/tickets/{}", ticket.get()),
            Some(&desk.admin),
        )
        .await;
    view.assert_contains(&format!("hx-get=\"/agent/tickets/{}/mail\"", ticket.get()));
    let panel = desk
        .get(
            &format!("/agent/tickets/{}/mail", ticket.get()),
            Some(&desk.admin),
        )
        .await;
    assert_eq!(panel.status, StatusCode::OK);
    panel.assert_contains("Failed");
    panel.assert_contains("ana@example.test");
    panel.assert_contains("550 5.7.1 relaying denied");
    assert_eq!(
        desk.get(
            &format!("/agent/tickets/{}/mail", ticket.get()),
            Some(&desk.customer)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        desk.get("/agent/tickets/999999/mail", Some(&desk.admin))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
