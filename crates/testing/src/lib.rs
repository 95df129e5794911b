//! What the tests of every crate share: fixtures (a fresh store in a temporary
//! folder, a manual clock, a desk), the store contract suite both adapters run, the
//! throwaway PostgreSQL cluster, the throughput measurements and the mail servers
//! (aiosmtpd, Dovecot) the mail tests start.
//!
//! Test code only: every crate that uses it has it under `[dev-dependencies]`, so it may
//! depend on the crates it tests without a cycle in the build.
//!
//! A harness that needs a program that is not installed (PostgreSQL, Dovecot,
//! aiosmtpd) prints a loud `SKIPPED` line and lets the test pass, unless `CI=true`,
//! where it fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// A test reports failure by panicking; so do the fixtures that set one up.

pub mod contract;
pub mod custom_field_contract;
pub mod fixtures;
pub mod kb_contract;
pub mod macro_contract;
pub mod mail_contract;
pub mod mail_outbox_contract;
pub mod mail_servers;
pub mod notification_mail_contract;
pub mod postgres;
pub mod presence_contract;
pub mod queue_contract;
pub mod snapshot;
pub mod throughput;
pub mod ticket_template_contract;
pub mod time_contract;
pub mod vendor_contract;

/// The trait the contract suite checks, re-exported for its macros.
pub use ferrodesk_store::Store;
