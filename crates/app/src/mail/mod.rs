//! The email channel's use cases: the intake ([`Intake`]), the admin's mailboxes and
//! quarantine ([`MailAdmin`]), and rendering the outbox's notifications
//! ([`Notifications`]). Parsing and building messages is `ferrodesk-channels`' pure
//! code; sockets (IMAP, SMTP) live in `ferrodesk-mail`.

mod admin;
mod files;
mod intake;
mod notify;
mod outbox;
mod staff;
mod templates;
mod vendor;
mod vendor_answer;

pub use admin::{MailAdmin, MailboxInput, MailboxStatus};
pub use intake::{FiledAs, Intake, IntakeOptions, IntakeOutcome};
pub use notify::{Delivery, MailTransport, Notifications, SendError};
pub use outbox::MAX_OUTBOX_LISTING;

use crate::App;
use jiff::SignedDuration;

/// Settings of the email channel.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// A larger raw message is quarantined unparsed.
    pub max_message_bytes: usize,
    /// A larger attachment is not kept (and reported).
    pub max_attachment_bytes: usize,
    /// The per-sender rate limit's window.
    pub rate_window: SignedDuration,
    /// Receipts per sender within the window; later messages are filed without one.
    pub max_auto_replies_per_window: i64,
    /// Failures in a row after which a mailbox shows an alert to admins.
    pub alert_after_failures: i64,
    /// Delivery attempts before an outbound message is given up.
    pub max_delivery_attempts: i64,
    /// The name the desk signs with.
    pub desk_name: String,
    /// The base URL of the desk (links in mail), e.g. `https://help.example.com`.
    pub public_url: String,
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig {
            max_message_bytes: 64 * 1024 * 1024,
            max_attachment_bytes: 25 * 1024 * 1024,
            rate_window: SignedDuration::from_hours(1),
            max_auto_replies_per_window: 10,
            alert_after_failures: 3,
            max_delivery_attempts: 10,
            desk_name: "IT Help Desk".to_owned(),
            public_url: "http://127.0.0.1:8080".to_owned(),
        }
    }
}

impl App {
    /// Filing inbound mail.
    pub fn mail_intake(&self) -> Intake<'_> {
        Intake {
            app: self,
            config: &self.config().mail,
        }
    }

    /// Mailboxes and the quarantine (admins).
    pub fn mail_admin(&self) -> MailAdmin<'_> {
        MailAdmin { app: self }
    }

    /// Rendering and delivering the outbox.
    pub fn notifications(&self) -> Notifications<'_> {
        Notifications {
            app: self,
            config: &self.config().mail,
        }
    }
}
