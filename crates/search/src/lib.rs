//! Full-text search over tickets, knowledge-base articles, people and assets.
//!
//! This crate owns the search index: its schema, language-aware analysis (stemming in
//! English, Portuguese, Spanish, Norwegian, Hungarian and Polish), the query syntax
//! people type, ranking (BM25), typo tolerance, highlighted snippets, and the
//! permission filter that keeps every result inside what the asking actor may see.
//!
//! The index is a projection of the timeline (docs/ARCHITECTURE.md, principle 3 and
//! "Data and storage"): it is fed plain input structs ([`TicketDoc`], [`ArticleDoc`],
//! [`PersonDoc`], [`AssetDoc`]) in [`Batch`]es that record the last event they
//! reflect, so after a crash the desk asks [`SearchIndex::last_event_id`] and replays
//! from there, and `ferrodesk reindex` rebuilds it with [`SearchIndex::clear`] and
//! fresh batches.
//!
//! It must not read the database, know about HTTP, or decide permissions on its own:
//! the rules come from [`ferrodesk_domain::Actor`] through [`SearchScope`], the same
//! rules the API applies. All calls block; async callers run them on a blocking
//! thread.

mod document;
mod error;
mod highlight;
mod index;
mod language;
mod query;
mod request;
mod schema;
mod scope;

pub use document::{
    ArticleDoc, ArticleKind, ArticleStatus, AssetDoc, Batch, DocKey, DocKind, Document,
    FeedCursors, Operation, PersonDoc, TicketDoc,
};
pub use error::SearchError;
pub use index::SearchIndex;
pub use language::Language;
pub use request::{
    DEFAULT_LIMIT, DocStatus, MAX_LIMIT, MAX_OFFSET, SearchFilters, SearchHit, SearchRequest,
    SearchResults, SimilarTo, SnippetSource,
};
pub use scope::SearchScope;
