//! The storage interface: one trait per aggregate that speaks domain types
//! ([`PeopleStore`], [`DirectoryStore`], [`SessionStore`], [`TicketStore`],
//! [`AttachmentStore`], [`WatcherStore`], [`AssetStore`], [`RatingStore`],
//! [`FilterStore`], [`SlaStore`], [`JobStore`], [`RoutingStore`], [`AutomationStore`],
//! [`NotificationStore`], [`KbStore`], [`MailStore`], [`OutboxStore`],
//! [`MailboxLeaseStore`], [`ReportStore`], [`VendorStore`], [`PresenceStore`], [`MacroStore`], [`TimeStore`], [`CustomFieldStore`], [`TicketTemplateStore`]), each in its own module with the values
//! only it uses, joined by the umbrella [`Store`]. The SQLite adapter (the default) and
//! the PostgreSQL adapter (several nodes) implement them all.
//!
//! Services hold an `Arc<dyn Store>` and never see SQL; the supertraits' methods need
//! no import on it. The store persists and does not decide: which events move an SLA
//! clock, when a job is due, which policy covers a ticket and which events announce
//! mail are rules of `ferrodesk-domain` that the adapters call. Every write that belongs
//! together (a ticket change and its timeline events, a split, a merge) is one call, so
//! an adapter can make it one transaction: a request that was answered 2xx is on disk
//! in full, and one that failed left nothing behind.
//!
//! The test suite both adapters must pass is `ferrodesk_testing::contract`.

mod assets;
mod attachments;
mod automation;
mod custom_fields;
mod directory;
mod filters;
mod ids;
mod jobs;
mod kb;
mod macros;
pub mod mail;
pub mod mail_outbox;
pub mod mailbox_lease;
mod notifications;
mod people;
mod presence;
mod ratings;
mod reports;
mod routing;
mod sessions;
mod settings;
mod sla;
mod ticket_templates;
mod tickets;
mod time_entries;
mod types;
mod vendors;
mod watchers;

pub use assets::*;
pub use attachments::*;
pub use automation::*;
pub use custom_fields::{CustomFieldStore, CustomValue, CustomValueCount, MAX_CUSTOM_FIELDS};
pub use directory::*;
pub use filters::*;
pub use ids::*;
pub use jobs::*;
pub use kb::{ArticleFilter, ArticleUpdate, DeflectionCounts, KbStore, NewArticle, TicketSource};
pub use macros::{MAX_MACROS_LISTED, MacroStore};
pub use mail::MailStore;
pub use mail_outbox::OutboxStore;
pub use mailbox_lease::MailboxLeaseStore;
pub use notifications::*;
pub use people::*;
pub use presence::PresenceStore;
pub use ratings::*;
pub use reports::*;
pub use routing::*;
pub use sessions::*;
pub use settings::{DeskSettings, SETTINGS_CHANGED};
pub use sla::*;
pub use ticket_templates::{MAX_TICKET_TEMPLATES, TicketTemplateStore};
pub use tickets::*;
pub use time_entries::*;
pub use types::*;
pub use vendors::*;
pub use watchers::*;

use async_trait::async_trait;

/// What can go wrong in storage. Kept small on purpose: services decide what a failure
/// means for the user.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row does not exist.
    #[error("{what} not found")]
    NotFound {
        /// What was looked for ("ticket 10042").
        what: String,
        /// Whether it is the row the call addressed or one its write referred to.
        missing: Missing,
    },
    /// A uniqueness rule, a concurrent change or the state of a row refused the write.
    #[error("conflict: {what}")]
    Conflict {
        /// Why, for the services to decide on.
        kind: Conflict,
        /// What collided, in words ("email already in use").
        what: String,
    },
    /// The database could not be reached or failed.
    #[error("storage unavailable: {0}")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Which row a [`StoreError::NotFound`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// The row the call addressed (the asset being changed).
    Addressed,
    /// A row the write referred to (the person an asset is assigned to, the group a
    /// ticket moves to).
    Referenced,
}

impl StoreError {
    /// A not-found error for `what`, the row the call addressed.
    pub fn not_found(what: impl Into<String>) -> Self {
        StoreError::NotFound {
            what: what.into(),
            missing: Missing::Addressed,
        }
    }

    /// A not-found error for `what`, a row the write referred to.
    pub fn missing_reference(what: impl Into<String>) -> Self {
        StoreError::NotFound {
            what: what.into(),
            missing: Missing::Referenced,
        }
    }

    /// A conflict of `kind` about `what`.
    pub fn conflict(kind: Conflict, what: impl Into<String>) -> Self {
        StoreError::Conflict {
            kind,
            what: what.into(),
        }
    }

    /// Why the write was refused, when it was a conflict.
    pub fn conflict_kind(&self) -> Option<Conflict> {
        match self {
            StoreError::Conflict { kind, .. } => Some(*kind),
            _ => None,
        }
    }
}

/// Why the store refused a write ([`StoreError::Conflict`]). Services decide on the
/// kind, never on the words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    /// A unique constraint, by its name (`users_email_key`, `assets_tag_key`).
    Unique(&'static str),
    /// The row changed since it was read, or a concurrent writer got in the way:
    /// reading again and retrying may succeed.
    Stale,
    /// The idempotency key was already used with another request, or is in use by one.
    IdempotencyKeyReused,
    /// The desk's routing settings changed since the write was routed.
    SettingsChanged,
    /// The state of a row forbids the write (a job taken over, a calendar in use, a
    /// resolution already rated).
    State,
}

/// Shorthand for store results.
pub type StoreResult<T> = Result<T, StoreError>;

/// Everything the desk keeps: one trait per aggregate, joined. Implemented by
/// `ferrodesk-store-sqlite` and `ferrodesk-store-postgres`; both must pass
/// `ferrodesk_testing::contract`.
///
/// Conventions: `get_*` fails with [`StoreError::NotFound`] when the row is missing,
/// `find_*` returns `Option`, `list_*` returns a bounded page.
#[async_trait]
pub trait Store:
    PeopleStore
    + DirectoryStore
    + SessionStore
    + TicketStore
    + AttachmentStore
    + WatcherStore
    + AssetStore
    + RatingStore
    + FilterStore
    + SlaStore
    + JobStore
    + RoutingStore
    + AutomationStore
    + NotificationStore
    + KbStore
    + MailStore
    + MailboxLeaseStore
    + OutboxStore
    + ReportStore
    + VendorStore
    + PresenceStore
    + MacroStore
    + TimeStore
    + CustomFieldStore
    + TicketTemplateStore
    + Send
    + Sync
    + 'static
{
    /// Checks that the database answers.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when it does not.
    async fn ping(&self) -> StoreResult<()>;
}
