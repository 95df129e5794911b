//! The values every part of the storage interface shares: pages and cursors, retry keys
//! and the outcome of a create that may be a replay. Each trait's own values live next
//! to it.

use base64::Engine as _;
use ferrodesk_domain::UserId;

/// The largest page any listing returns.
pub const MAX_PAGE_SIZE: i64 = 200;
/// The page size when none is asked for.
pub const DEFAULT_PAGE_SIZE: i64 = 50;

/// Which page of a listing: rows after the cursor, at most `limit` of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// Opaque position returned as [`Page::next_cursor`] by the previous page.
    pub cursor: Option<Cursor>,
    /// Rows wanted, already clamped to 1..=[`MAX_PAGE_SIZE`].
    pub limit: i64,
}

impl PageRequest {
    /// The first page with `limit` rows, clamped to 1..=[`MAX_PAGE_SIZE`].
    pub fn first(limit: i64) -> Self {
        PageRequest {
            cursor: None,
            limit: limit.clamp(1, MAX_PAGE_SIZE),
        }
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest::first(DEFAULT_PAGE_SIZE)
    }
}

/// A position in a keyset-paginated listing: the sort key of the last row seen and its
/// id (the tie-breaker). Encoded as URL-safe base64 text for clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// The sort key of the last row (a number: a time in microseconds, a rank, an id).
    pub key: i64,
    /// The id of the last row.
    pub id: i64,
}

impl Cursor {
    /// The text form handed to clients.
    pub fn encode(&self) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{}:{}", self.key, self.id))
    }

    /// Reads the text form back; `None` when it was tampered with.
    pub fn decode(text: &str) -> Option<Cursor> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text)
            .ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let (key, id) = text.split_once(':')?;
        Some(Cursor {
            key: key.parse().ok()?,
            id: id.parse().ok()?,
        })
    }
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The rows.
    pub items: Vec<T>,
    /// Where the next page starts; `None` on the last page.
    pub next_cursor: Option<Cursor>,
}

/// A retry key from an `Idempotency-Key` header, scoped to the actor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Idempotency {
    /// Who sent the request.
    pub actor_id: UserId,
    /// The client's key.
    pub key: String,
    /// A hash of the request body, so a key reused for another request is refused.
    pub fingerprint: String,
}

/// The outcome of a create that may be a replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created<T> {
    /// Written now.
    New(T),
    /// The idempotency key was seen before with the same request; this is the result
    /// of that first request, and nothing was written now.
    Replayed(T),
}

impl<T> Created<T> {
    /// The value, new or replayed.
    pub fn into_inner(self) -> T {
        match self {
            Created::New(value) | Created::Replayed(value) => value,
        }
    }

    /// Whether this is a replay.
    pub fn is_replayed(&self) -> bool {
        matches!(self, Created::Replayed(_))
    }
}
