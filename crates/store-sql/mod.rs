//! The SQL both storage backends share: every query and write that reads the same on
//! SQLite and PostgreSQL lives here once.
//!
//! This folder is not a crate. Each backend includes it as a module with
//! `#[path = "../../store-sql/mod.rs"] mod sql;`, after defining at its crate root:
//!
//! - `type Db` (`sqlx::Sqlite` or `sqlx::Postgres`), `type DbConn` (its connection) and
//!   `type DbRow` (its row), so the code here is compiled twice against concrete types
//!   and needs no generic bounds;
//! - the dialect macros `group_ids_agg!("column")` (a comma-separated text aggregate),
//!   `for_update!()` (row lock on read-modify-write, empty on SQLite) and
//!   `is_same!()` (null-safe equality: `is` / `is not distinct from`), defined before the
//!   `mod sql;` line so they expand to literals inside `concat!`;
//! - a `dialect` module with what differs in Rust: `counter_shard()` (the queue-count
//!   shard a transaction writes), `apply_counts` (write count changes now, or, in the
//!   SQLite group commit, once per batch), `reserve_ticket_ids` and
//!   `reserve_event_ids` (ids for multi-row inserts: the bulk path and joined
//!   writes), `bulk_cache` (a wider SQLite page cache while a bulk batch is written;
//!   nothing on PostgreSQL), `ticket_index_hint` (SQLite's `indexed by` for queue
//!   reads; empty on PostgreSQL) and `error_detail` (PostgreSQL's error detail naming a
//!   missing key);
//! - the `Backend` type (`SqliteStore` / `PgStore`) with `reader()` (a pooled
//!   connection) and `write(input, op)` (the group-commit writer on SQLite, a plain
//!   transaction on PostgreSQL). Each module implements its aggregate's trait
//!   (`TicketStore` in [`tickets`], `SlaStore` in [`sla`], `JobStore` in [`jobs`], ...)
//!   once on top of them, next to its SQL; [`store`] adds the umbrella `Store`.
//!
//! The SQL persists and does not decide: which events move a ticket's SLA clock, when
//! its next job is due, which policy covers it and which events announce mail are
//! rules of `ferrodesk_domain` that [`clocks`] and [`mail_outbox`] call between reading
//! and writing rows.
//!
//! Conventions the schema follows on both backends: `$1` placeholders, times as bigint
//! microseconds since the Unix epoch, booleans as `boolean`, enums as their `as_str()`
//! text, tags and event data as JSON text, and the same constraint names, which
//! [`error`] maps to `Conflict`/`NotFound`.

pub(crate) mod assets;
pub(crate) mod attachments;
pub(crate) mod automation;
pub(crate) mod clocks;
pub(crate) mod convert;
pub(crate) mod custom_fields;
pub(crate) mod directory;
pub(crate) mod error;
pub(crate) mod fetch;
pub(crate) mod filters;
pub(crate) mod jobs;
pub(crate) mod kb;
pub(crate) mod kb_store;
pub(crate) mod macros;
pub(crate) mod mail;
pub(crate) mod mail_outbox;
pub(crate) mod mailbox_lease;
pub(crate) mod mailboxes;
pub(crate) mod notification_preferences;
pub(crate) mod notifications;
pub(crate) mod people;
pub(crate) mod presence;
pub(crate) mod ratings;
pub(crate) mod reports;
pub(crate) mod routing;
pub(crate) mod sessions;
pub(crate) mod sla;
pub(crate) mod store;
pub(crate) mod ticket_templates;
pub(crate) mod tickets;
pub(crate) mod time_entries;
pub(crate) mod vendors;
pub(crate) mod watchers;
