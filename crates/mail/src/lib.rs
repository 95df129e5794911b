//! The email channel's sockets: SMTP delivery of the outbox ([`smtp`], [`delivery`]).
//!
//! What to send, when to retry and what to file is decided by `ferrodesk-app`
//! (`Notifications`, `Intake`); this crate only speaks the protocols and runs the
//! background loops `ferrodesk serve` starts. Every loop stops on one shutdown signal.

pub mod delivery;
pub mod smtp;

pub use delivery::{DeliveryWorker, deliver_due};
pub use smtp::{SmtpError, SmtpSettings, SmtpTransport};
