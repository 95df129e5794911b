//! The storage interface: one [`Store`] trait that speaks domain types, implemented by
//! the SQLite adapter (the default) and the PostgreSQL adapter (several nodes).
//!
//! Services hold an `Arc<dyn Store>` and never see SQL. Every write that belongs
//! together (a ticket change and its timeline events, a split, a merge) is one call, so
//! an adapter can make it one transaction: a request that was answered 2xx is on disk
//! in full, and one that failed left nothing behind.
//!
//! The test suite both adapters must pass is `ferrodesk_testing::contract`.

pub mod desk;
pub mod desk_extra;
mod kb;
pub mod mail;
pub mod mail_outbox;
pub mod mailbox_lease;
mod reports;
mod settings;
pub mod sla;
mod types;

pub use desk::*;
pub use desk_extra::{DeskExtraStore, SharedFilter};
pub use kb::{ArticleFilter, ArticleUpdate, DeflectionCounts, KbStore, NewArticle, TicketSource};
pub use mail::MailStore;
pub use mail_outbox::OutboxStore;
pub use mailbox_lease::MailboxLeaseStore;
pub use reports::*;
pub use settings::{DeskSettings, SETTINGS_CHANGED};
pub use sla::*;
pub use types::*;

use async_trait::async_trait;
use ferrodesk_domain::EmailAddress;
use ferrodesk_domain::{
    Actor, Category, CategoryId, Event, EventId, Group, GroupId, NewEvent, Organization,
    OrganizationId, Service, ServiceId, Ticket, TicketId, TicketScope, TokenId, User, UserId,
};
use jiff::Timestamp;

/// What can go wrong in storage. Kept small on purpose: services decide what a failure
/// means for the user.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row does not exist.
    #[error("{what} not found")]
    NotFound {
        /// What was looked for ("ticket 10042").
        what: String,
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

impl StoreError {
    /// A not-found error for `what`.
    pub fn not_found(what: impl Into<String>) -> Self {
        StoreError::NotFound { what: what.into() }
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

/// Everything the desk keeps. Implemented by `ferrodesk-store-sqlite` and
/// `ferrodesk-store-postgres`; both must pass `ferrodesk_testing::contract`.
///
/// Conventions: `get_*` fails with [`StoreError::NotFound`] when the row is missing,
/// `find_*` returns `Option`, `list_*` returns a bounded page.
#[async_trait]
pub trait Store:
    DeskStore
    + DeskExtraStore
    + KbStore
    + MailStore
    + MailboxLeaseStore
    + OutboxStore
    + ReportStore
    + SlaStore
    + Send
    + Sync
    + 'static
{
    /// Checks that the database answers.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when it does not.
    async fn ping(&self) -> StoreResult<()>;

    // --- people -------------------------------------------------------------------

    /// Creates a person with their group memberships.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the email is taken; `NotFound` for an unknown
    /// group or organization.
    async fn create_user(&self, user: NewUser) -> StoreResult<User>;
    /// Reads a person.
    ///
    /// # Errors
    /// `NotFound` when missing.
    async fn get_user(&self, id: UserId) -> StoreResult<User>;
    /// Finds a person by email (exact, after normalization).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn find_user_by_email(&self, email: &EmailAddress) -> StoreResult<Option<User>>;
    /// Changes a person; `None` fields stay as they are.
    ///
    /// # Errors
    /// `NotFound`, or `Conflict` when the new email is taken.
    async fn update_user(&self, id: UserId, patch: UserPatch, now: Timestamp) -> StoreResult<User>;
    /// Lists people, ordered by id.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_users(&self, filter: &UserFilter, page: &PageRequest) -> StoreResult<Page<User>>;
    /// How many people exist (to know whether the first admin must be created).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn count_users(&self) -> StoreResult<i64>;
    /// The stored password hash (PHC string), if the person has a password.
    ///
    /// # Errors
    /// `NotFound` for an unknown person.
    async fn password_hash(&self, id: UserId) -> StoreResult<Option<String>>;
    /// Replaces the stored password hash.
    ///
    /// # Errors
    /// `NotFound` for an unknown person.
    async fn set_password_hash(&self, id: UserId, hash: &str, now: Timestamp) -> StoreResult<()>;

    /// Creates an organization.
    ///
    /// # Errors
    /// `Conflict` when the name is taken.
    async fn create_organization(&self, org: NewOrganization) -> StoreResult<Organization>;
    /// Reads an organization.
    ///
    /// # Errors
    /// `NotFound`.
    async fn get_organization(&self, id: OrganizationId) -> StoreResult<Organization>;
    /// Changes an organization.
    ///
    /// # Errors
    /// `NotFound`, `Conflict` on a taken name.
    async fn update_organization(
        &self,
        id: OrganizationId,
        patch: OrganizationPatch,
        now: Timestamp,
    ) -> StoreResult<Organization>;
    /// Lists organizations by name.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_organizations(&self, page: &PageRequest) -> StoreResult<Page<Organization>>;

    /// Creates a group.
    ///
    /// # Errors
    /// `Conflict` when the name is taken; `NotFound` for an unknown escalation target.
    async fn create_group(&self, group: NewGroup) -> StoreResult<Group>;
    /// Reads a group.
    ///
    /// # Errors
    /// `NotFound`.
    async fn get_group(&self, id: GroupId) -> StoreResult<Group>;
    /// Changes a group.
    ///
    /// # Errors
    /// `NotFound`, `Conflict`.
    async fn update_group(
        &self,
        id: GroupId,
        patch: GroupPatch,
        now: Timestamp,
    ) -> StoreResult<Group>;
    /// Every group (a desk has tens, not thousands), by tier then name.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_groups(&self) -> StoreResult<Vec<Group>>;

    /// Creates a category.
    ///
    /// # Errors
    /// `Conflict` when a sibling has the name; `NotFound` for an unknown parent.
    async fn create_category(&self, category: NewCategory) -> StoreResult<Category>;
    /// Reads a category.
    ///
    /// # Errors
    /// `NotFound`.
    async fn get_category(&self, id: CategoryId) -> StoreResult<Category>;
    /// Every category (the tree is small), by name.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_categories(&self) -> StoreResult<Vec<Category>>;

    /// Creates a product or service.
    ///
    /// # Errors
    /// `Conflict` when the name is taken.
    async fn create_service(&self, service: NewService) -> StoreResult<Service>;
    /// Reads a service.
    ///
    /// # Errors
    /// `NotFound`.
    async fn get_service(&self, id: ServiceId) -> StoreResult<Service>;
    /// Changes a service.
    ///
    /// # Errors
    /// `NotFound`, `Conflict`.
    async fn update_service(
        &self,
        id: ServiceId,
        patch: ServicePatch,
        now: Timestamp,
    ) -> StoreResult<Service>;
    /// Every service, by name.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_services(&self) -> StoreResult<Vec<Service>>;

    // --- access ---------------------------------------------------------------------

    /// Stores an API token (only its SHA-256 hash) and audits its creation.
    ///
    /// # Errors
    /// `NotFound` for an unknown user.
    async fn create_token(&self, token: NewToken, audit: NewAuditEntry) -> StoreResult<ApiToken>;
    /// The actor behind a live (not revoked, not expired) token of an active person;
    /// `None` for anyone deactivated, so that deactivation takes effect at once.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn find_actor_by_token(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Option<(Actor, TokenId)>>;
    /// Tokens, newest first; only `user_id`'s when given.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_tokens(&self, user_id: Option<UserId>) -> StoreResult<Vec<ApiToken>>;
    /// Reads a token's record.
    ///
    /// # Errors
    /// `NotFound`.
    async fn get_token(&self, id: TokenId) -> StoreResult<ApiToken>;
    /// Revokes a token (idempotent) and audits it.
    ///
    /// # Errors
    /// `NotFound`.
    async fn revoke_token(
        &self,
        id: TokenId,
        now: Timestamp,
        audit: NewAuditEntry,
    ) -> StoreResult<ApiToken>;

    /// Stores a browser session (only its hash).
    ///
    /// # Errors
    /// `NotFound` for an unknown user.
    async fn create_session(&self, session: NewSession) -> StoreResult<()>;
    /// The actor behind a live session of an active person, with the session's CSRF
    /// secret; `None` for anyone deactivated.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn find_actor_by_session(
        &self,
        session_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Option<(Actor, SessionInfo)>>;
    /// Ends a session (idempotent).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn delete_session(&self, session_hash: &str) -> StoreResult<()>;
    /// The actor for a user id (for the CLI and internal jobs).
    ///
    /// # Errors
    /// `NotFound`.
    async fn actor_for_user(&self, id: UserId) -> StoreResult<Actor>;

    /// Records a failed sign-in for each throttle key (account, address).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn record_login_failure(&self, keys: &[String], now: Timestamp) -> StoreResult<()>;
    /// Failed sign-ins for `key` since `since`.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn count_login_failures(&self, key: &str, since: Timestamp) -> StoreResult<i64>;
    /// Forgets the failures of `key` (after a successful sign-in).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn clear_login_failures(&self, key: &str) -> StoreResult<()>;

    /// Appends to the security audit log.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn append_audit(&self, entry: NewAuditEntry) -> StoreResult<()>;
    /// Reads the audit log, newest first.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_audit(&self, page: &PageRequest) -> StoreResult<Page<AuditEntry>>;

    // --- tickets --------------------------------------------------------------------

    /// Creates a ticket with its first events and links, in one transaction.
    ///
    /// `ticket.id` and `ticket.version` are assigned by the store; the values passed are
    /// ignored. When `idempotency` names a key this actor already used with the same
    /// fingerprint, nothing is written and the earlier ticket comes back as
    /// [`Created::Replayed`].
    ///
    /// # Errors
    /// `Conflict` when the key was used with a different request; `NotFound` when a
    /// referenced row is missing.
    async fn create_ticket(&self, ticket: NewTicket) -> StoreResult<Created<Ticket>>;
    /// Reads a ticket.
    ///
    /// # Errors
    /// `NotFound`.
    async fn get_ticket(&self, id: TicketId) -> StoreResult<Ticket>;
    /// Reads several tickets (missing ones are left out), in id order.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn get_tickets(&self, ids: &[TicketId]) -> StoreResult<Vec<Ticket>>;
    /// Saves changes to one or more tickets with their events and new links, atomically.
    ///
    /// Each change carries the version it was read at; if any ticket changed since,
    /// nothing is written and the call fails with `Conflict`, so two agents never
    /// overwrite each other. Queue counts follow every change in the same transaction.
    ///
    /// # Errors
    /// `Conflict` on a concurrent change or a reused idempotency key; `NotFound`.
    async fn save_tickets(&self, write: TicketWrite) -> StoreResult<Created<Vec<Event>>>;
    /// Creates the parts of a split: each new ticket gets a `split_from` link to the
    /// original and its own events; the original gets one `split_into` event per part.
    /// One transaction.
    ///
    /// # Errors
    /// `Conflict` when the original changed since it was read.
    async fn split_ticket(&self, split: TicketSplit) -> StoreResult<Vec<Ticket>>;
    /// A page of tickets the scope allows, filtered and sorted.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_tickets(
        &self,
        scope: &TicketScope,
        query: &TicketQuery,
    ) -> StoreResult<Page<Ticket>>;
    /// Queue counts, maintained on write (never counted by scanning tickets).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn queue_counts(&self) -> StoreResult<QueueCounts>;
    /// A ticket's timeline in order, internal events only when asked for.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_events(
        &self,
        ticket_id: TicketId,
        include_internal: bool,
        page: &EventPage,
    ) -> StoreResult<Vec<Event>>;
    /// Reads one event.
    ///
    /// # Errors
    /// `NotFound`.
    async fn get_event(&self, id: EventId) -> StoreResult<Event>;
    /// Every link touching a ticket, as seen from that ticket.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_links(&self, ticket_id: TicketId) -> StoreResult<Vec<TicketLink>>;
    /// Children (`parent_of` targets) of a ticket that are not yet resolved or closed.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn open_children(&self, ticket_id: TicketId) -> StoreResult<Vec<TicketId>>;

    /// Appends one event to a ticket without changing its fields (a reply, note,
    /// call). Convenience over [`Store::save_tickets`]; bumps the ticket's version and
    /// `updated_at`, and sets `first_response_at` when asked.
    ///
    /// # Errors
    /// `NotFound`, `Conflict` on a reused idempotency key.
    async fn append_event(&self, append: EventAppend) -> StoreResult<Created<Event>>;

    /// Writes many tickets with their events in large transactions: the bulk path used
    /// by demo data and the bench tool. No idempotency, no per-ticket answer.
    ///
    /// # Errors
    /// `NotFound` when a referenced row is missing.
    async fn bulk_create_tickets(
        &self,
        tickets: Vec<(Ticket, Vec<NewEvent>)>,
    ) -> StoreResult<Vec<TicketId>>;
}
