//! The mail sockets against real servers: aiosmtpd for SMTP (and Dovecot for IMAP),
//! each started by the test on a free port of 127.0.0.1. Without a server the test
//! prints a loud `SKIPPED` line, unless `CI=true`, where it fails.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod attachments;
mod imap;
mod smtp;

use ferrodesk_app::mail::MailboxInput;
use ferrodesk_app::{App, AppConfig, ManualClock, NewUserInput};
use ferrodesk_domain::Actor;
use std::sync::Arc;

/// A desk on SQLite with a manual clock, an admin, an agent and a default mailbox.
pub struct Desk {
    pub app: App,
    pub clock: Arc<ManualClock>,
    pub admin: Actor,
    pub agent: Actor,
    _dir: tempfile::TempDir,
}

pub async fn desk() -> Desk {
    desk_with(AppConfig::default()).await
}

/// [`desk`] with other settings.
pub async fn desk_with(config: AppConfig) -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let store = ferrodesk_store_sqlite::SqliteStore::open(&dir.path().join("desk.db"))
        .await
        .unwrap();
    let clock = Arc::new(ManualClock::new("2026-03-02T09:00:00Z".parse().unwrap()));
    let app = App::new(Arc::new(store), clock.clone(), config);
    let admin = app
        .add_user_as_system(person("admin@example.com", "admin"))
        .await
        .unwrap();
    let admin = app.store().actor_for_user(admin.id).await.unwrap();
    let agent = app
        .add_user_as_system(NewUserInput {
            name: "Lucia Fernandez".into(),
            ..person("lucia@desk.example", "supervisor")
        })
        .await
        .unwrap();
    let agent = app.store().actor_for_user(agent.id).await.unwrap();
    app.mail_admin()
        .create_mailbox(
            &admin,
            MailboxInput {
                name: "Support".into(),
                address: "support@desk.example".into(),
                is_default: true,
                ..MailboxInput::default()
            },
        )
        .await
        .unwrap();
    Desk {
        app,
        clock,
        admin,
        agent,
        _dir: dir,
    }
}

fn person(email: &str, role: &str) -> NewUserInput {
    NewUserInput {
        email: email.into(),
        name: "Someone".into(),
        role: role.into(),
        ..NewUserInput::default()
    }
}

/// A plain-text message as a customer's mail client would send it.
pub fn message(from: &str, id: &str, subject: &str, extra: &str, body: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: support@desk.example\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n\
         Date: Mon, 2 Mar 2026 09:00:00 +0000\r\n{extra}MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    )
    .into_bytes()
}

/// A header's value, unfolded (RFC 5322 §2.2.3).
pub fn header(raw: &str, name: &str) -> Option<String> {
    let head = raw
        .split("\r\n\r\n")
        .next()
        .unwrap_or_default()
        .split("\n\n")
        .next()
        .unwrap_or_default();
    let unfolded = head
        .replace("\r\n", "\n")
        .replace("\n ", " ")
        .replace("\n\t", " ");
    unfolded.lines().find_map(|line| {
        let (field, value) = line.split_once(':')?;
        field
            .eq_ignore_ascii_case(name)
            .then(|| value.trim().to_owned())
    })
}
