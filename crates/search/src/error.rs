//! The one error type of the search index.

use std::path::PathBuf;

/// What went wrong in the search index.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The index could not be read or written: IO, a writer lock held by another
    /// process, damaged files.
    #[error("search index is unavailable: {0}")]
    Unavailable(#[from] tantivy::TantivyError),
    /// The index directory could not be created.
    #[error("cannot create the search index directory {path}: {source}")]
    Directory {
        /// The directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The request asked for something the index does not do (a page too large).
    #[error("invalid search request: {reason}")]
    InvalidRequest {
        /// What is wrong with it, for the user.
        reason: String,
    },
    /// A stored document or checkpoint could not be read back.
    #[error("search index holds unreadable data: {what}")]
    Corrupt {
        /// What could not be read.
        what: String,
    },
}
