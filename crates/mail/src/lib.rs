//! The email channel's sockets: SMTP delivery of the outbox ([`smtp`], [`delivery`])
//! and the IMAP poller ([`imap`]).
//!
//! What to send, when to retry and what to file is decided by `ferrodesk-app`
//! (`Notifications`, `Intake`); this crate only speaks the protocols and runs the
//! background loops `ferrodesk serve` starts. Every loop stops on one shutdown signal.

pub mod delivery;
pub mod imap;
pub mod smtp;
pub mod tls;

pub use delivery::{DeliveryWorker, deliver_due};
pub use imap::{ImapPoller, ImapSettings, PollError, PollReport, poll_mailbox};
pub use smtp::{SmtpError, SmtpSettings, SmtpTransport};
pub use tls::{TlsSetupError, connector as tls_connector};
pub use tokio_rustls::TlsConnector;
