//! Storage of who is signed in and how: API tokens (only their hashes), browser
//! sessions, failed sign-ins for throttling, the security audit log, and the secrets
//! the desk keeps for itself (to sign links).

use crate::{Page, PageRequest, StoreResult};
use async_trait::async_trait;
use ferrodesk_domain::{Actor, TokenId, UserId};
use jiff::Timestamp;

/// An API token to store. The secret itself is never stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken {
    /// Owner; requests with the token act as this person.
    pub user_id: UserId,
    /// A label ("ci", "monitoring").
    pub name: String,
    /// Hex SHA-256 of the secret.
    pub token_hash: String,
    /// Expiry, if any.
    pub expires_at: Option<Timestamp>,
    /// Creation time.
    pub now: Timestamp,
}

/// A stored API token, without its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// Id.
    pub id: TokenId,
    /// Owner.
    pub user_id: UserId,
    /// Label.
    pub name: String,
    /// Expiry.
    pub expires_at: Option<Timestamp>,
    /// When revoked.
    pub revoked_at: Option<Timestamp>,
    /// Creation time.
    pub created_at: Timestamp,
}

/// A browser session to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    /// Hex SHA-256 of the cookie value.
    pub session_hash: String,
    /// Who signed in.
    pub user_id: UserId,
    /// Secret for CSRF tokens in forms.
    pub csrf_secret: String,
    /// When the session ends.
    pub expires_at: Timestamp,
    /// Creation time.
    pub now: Timestamp,
}

/// What a live session carries besides its actor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// Secret for CSRF tokens.
    pub csrf_secret: String,
    /// When it ends.
    pub expires_at: Timestamp,
}

/// An entry for the security audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEntry {
    /// Who acted (`None` for anonymous, e.g. a failed sign-in for an unknown account).
    pub actor_id: Option<UserId>,
    /// What happened: `login`, `login_failed`, `token_created`, `role_changed`, ...
    pub action: String,
    /// What it happened to ("user 12", an email).
    pub subject: String,
    /// The client address, when known.
    pub address: Option<String>,
    /// Details as text.
    pub detail: String,
    /// When.
    pub now: Timestamp,
}

/// A stored audit entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Id, increasing.
    pub id: i64,
    /// Who acted.
    pub actor_id: Option<UserId>,
    /// What happened.
    pub action: String,
    /// What it happened to.
    pub subject: String,
    /// Client address.
    pub address: Option<String>,
    /// Details.
    pub detail: String,
    /// When.
    pub created_at: Timestamp,
}

/// Tokens, sessions, sign-in throttling, the audit log and desk secrets.
#[async_trait]
pub trait SessionStore: Send + Sync {
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

    /// Ends every session of a person except the one whose hash is `keep`; returns how
    /// many ended.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn end_other_sessions(&self, user_id: UserId, keep: Option<String>) -> StoreResult<u64>;

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

    /// The secret stored under `name`, storing `candidate` first if there is none yet
    /// (every node then uses the first one stored).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn desk_secret(
        &self,
        name: &str,
        candidate: String,
        now: Timestamp,
    ) -> StoreResult<String>;
}
