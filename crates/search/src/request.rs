//! What a search asks for and what it returns.

use ferrodesk_domain::{CategoryId, GroupId, TicketId, TicketStatus, Visibility};
use jiff::Timestamp;

use crate::document::{ArticleStatus, DocKey, DocKind};
use crate::language::Language;

/// The most results one page may hold.
pub const MAX_LIMIT: usize = 100;
/// How far into the results a page may start; deeper pages cost memory for little use.
pub const MAX_OFFSET: usize = 10_000;
/// The page size of [`SearchRequest::new`].
pub const DEFAULT_LIMIT: usize = 20;

/// A search: the text typed, filters, and which page.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchRequest {
    /// What the user typed: words, `"phrases"`, `prefix*`, `-excluded`. Empty text
    /// lists every visible document matching the filters, newest change first.
    pub text: String,
    /// Narrows the results down.
    pub filters: SearchFilters,
    /// How many results to skip.
    pub offset: usize,
    /// How many results to return, 1 to [`MAX_LIMIT`].
    pub limit: usize,
    /// Whether the last word is still being typed and should match as a prefix
    /// (search-as-you-type suggestions).
    pub is_prefix_last: bool,
}

impl SearchRequest {
    /// The first page of results for `text`, no filters.
    pub fn new(text: impl Into<String>) -> SearchRequest {
        SearchRequest {
            text: text.into(),
            filters: SearchFilters::default(),
            offset: 0,
            limit: DEFAULT_LIMIT,
            is_prefix_last: false,
        }
    }
}

/// Filters; each one that is set keeps only the documents that have one of the named
/// values, so a group filter drops articles, people and assets (they have no group).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchFilters {
    /// Kinds of document.
    pub kinds: Vec<DocKind>,
    /// Ticket statuses; together with `article_statuses`, a document must have one of
    /// the statuses named in either list.
    pub ticket_statuses: Vec<TicketStatus>,
    /// Article statuses (see `ticket_statuses`).
    pub article_statuses: Vec<ArticleStatus>,
    /// Groups (tickets only have one).
    pub group_ids: Vec<GroupId>,
    /// Categories (tickets and articles).
    pub category_ids: Vec<CategoryId>,
    /// Created at or after this instant (tickets and articles).
    pub created_from: Option<Timestamp>,
    /// Created before this instant (tickets and articles).
    pub created_before: Option<Timestamp>,
}

/// Where a document's status comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocStatus {
    /// A ticket's status.
    Ticket(TicketStatus),
    /// An article's status.
    Article(ArticleStatus),
}

/// Which part of a document a snippet quotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnippetSource {
    /// The description, article body, or a person's or asset's details.
    Body,
    /// A public reply.
    PublicReply,
    /// An internal note; only ever shown to staff.
    InternalNote,
}

/// One result.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    /// Which document.
    pub key: DocKey,
    /// Relevance (BM25 and boosts); 0 when the query had no text.
    pub score: f32,
    /// The title as stored (ticket subject, article title, name, asset tag); plain
    /// text, escape it before putting it in HTML.
    pub title: String,
    /// The title, HTML-escaped, with matched words in `<mark>`.
    pub title_html: String,
    /// A passage where the query matched, HTML-escaped, with matched words in `<mark>`.
    pub snippet_html: String,
    /// Which part of the document the snippet quotes.
    pub snippet_source: SnippetSource,
    /// Status, for tickets and articles.
    pub status: Option<DocStatus>,
    /// Public or internal, for articles.
    pub visibility: Option<Visibility>,
    /// The language the document is indexed in.
    pub language: Language,
    /// When the ticket or article was created.
    pub created_at: Option<Timestamp>,
    /// When the ticket or article last changed.
    pub updated_at: Option<Timestamp>,
}

/// A page of results.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResults {
    /// How many visible documents match in all, across pages.
    pub total: usize,
    /// This page, best first.
    pub hits: Vec<SearchHit>,
}

/// A ticket to find resolved look-alikes for.
#[derive(Debug, Clone, PartialEq)]
pub struct SimilarTo {
    /// Its subject.
    pub subject: String,
    /// Its description.
    pub description: String,
    /// The language it is written in; the text is stemmed in it and in English.
    pub language: Language,
    /// The ticket itself, left out of the results.
    pub exclude: Option<TicketId>,
    /// How many tickets to return, 1 to [`MAX_LIMIT`].
    pub limit: usize,
}
