//! The mail sockets against real servers: aiosmtpd for SMTP (and Dovecot for IMAP),
//! each started by the test on a free port of 127.0.0.1. Without a server the test
//! prints a loud `SKIPPED` line, unless `CI=true`, where it fails. The desk and the
//! servers come from `ferrodesk_testing`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod attachments;
mod imap;
mod smtp;
