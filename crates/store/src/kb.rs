//! Storage of the knowledge base: articles with every version kept, helpfulness votes,
//! and the portal's deflection records; plus the change feed the search index reads.

use crate::{Created, EventAppend, Page, PageRequest, StoreResult};
use async_trait::async_trait;
use ferrodesk_domain::{
    Article, ArticleContent, ArticleId, ArticleKind, ArticleStatus, ArticleVersion, CategoryId,
    Event, EventId, TicketId, User, UserId, Visibility,
};
use jiff::Timestamp;

/// An article to create (version 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewArticle {
    /// Its content, already validated.
    pub content: ArticleContent,
    /// Who writes it.
    pub actor_id: Option<UserId>,
    /// When.
    pub now: Timestamp,
}

/// A new version of an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleUpdate {
    /// The article.
    pub id: ArticleId,
    /// The version the author read; a different current version is a conflict.
    pub expected_version: i64,
    /// The whole new content, already validated.
    pub content: ArticleContent,
    /// The fields that changed, recorded with the version.
    pub changed_fields: Vec<String>,
    /// Who changes it.
    pub actor_id: Option<UserId>,
    /// When.
    pub now: Timestamp,
}

/// Narrows an article listing; unset fields match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArticleFilter {
    /// Only this status.
    pub status: Option<ArticleStatus>,
    /// Only this visibility.
    pub visibility: Option<Visibility>,
    /// Only this kind.
    pub kind: Option<ArticleKind>,
    /// Only this category.
    pub category_id: Option<CategoryId>,
    /// Only this language tag (exact, lowercased).
    pub language: Option<String>,
}

/// How a deflection attempt ended, counted over a period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeflectionCounts {
    /// Articles customers opened from the new-request form's suggestions.
    pub opened: i64,
    /// Of those, how many were not followed by a request from the same customer.
    pub deflected: i64,
}

/// A ticket as the search index needs it: the ticket, its whole timeline and the
/// requester's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketSource {
    /// The ticket now.
    pub ticket: ferrodesk_domain::Ticket,
    /// Every event, internal ones included, in order.
    pub events: Vec<Event>,
    /// The requester's locale, if they set one.
    pub requester_locale: Option<String>,
}

/// Knowledge-base storage and the search feed. Part of [`Store`](crate::Store).
#[async_trait]
pub trait KbStore: Send + Sync + 'static {
    /// Creates an article and its first version in one transaction.
    ///
    /// # Errors
    /// `NotFound` for an unknown category, service or author.
    async fn create_article(&self, article: NewArticle) -> StoreResult<Article>;
    /// Creates many articles with their first versions in one transaction: the bulk
    /// path of demo data and the bench tool.
    ///
    /// # Errors
    /// `NotFound` for an unknown category, service or author; nothing is written.
    async fn bulk_create_articles(&self, articles: Vec<NewArticle>) -> StoreResult<Vec<ArticleId>>;
    /// Reads an article.
    ///
    /// # Errors
    /// `NotFound`.
    async fn get_article(&self, id: ArticleId) -> StoreResult<Article>;
    /// Saves a new version: the article row and a version row, in one transaction.
    ///
    /// # Errors
    /// `NotFound`; `Conflict` when the article's version is not `expected_version`.
    async fn update_article(&self, update: ArticleUpdate) -> StoreResult<Article>;
    /// Articles matching the filter, newest first (by id), one page.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_articles(
        &self,
        filter: &ArticleFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<Article>>;
    /// Every version of an article, newest first.
    ///
    /// # Errors
    /// `NotFound` for an unknown article.
    async fn list_article_versions(&self, id: ArticleId) -> StoreResult<Vec<ArticleVersion>>;
    /// Records `user_id`'s "was this helpful?" answer; a second vote replaces the first.
    /// Returns the article with its new counts.
    ///
    /// # Errors
    /// `NotFound`.
    async fn vote_article(
        &self,
        id: ArticleId,
        user_id: UserId,
        is_helpful: bool,
        now: Timestamp,
    ) -> StoreResult<Article>;
    /// Records that a customer opened an article suggested while typing a new request.
    ///
    /// # Errors
    /// `NotFound`.
    async fn record_deflection(
        &self,
        user_id: UserId,
        article_id: ArticleId,
        query: &str,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// Marks the customer's open deflection records since `since` as followed by
    /// `ticket_id` (they submitted after all).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn close_deflections(
        &self,
        user_id: UserId,
        ticket_id: TicketId,
        since: Timestamp,
    ) -> StoreResult<()>;
    /// Deflection records created since `since`.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn deflection_counts(&self, since: Timestamp) -> StoreResult<DeflectionCounts>;

    // --- "solved by this article" ------------------------------------------------------

    /// Records that an article solved a ticket: appends `append`'s `article_linked`
    /// event (as [`TicketStore::append_event`](crate::TicketStore::append_event) does) and the
    /// link, in one transaction. When the article is already linked to the ticket
    /// nothing is written and the event that made the link comes back as
    /// [`Created::Replayed`]: one link and one event per ticket and article, also when
    /// two calls race.
    ///
    /// # Errors
    /// `NotFound` for an unknown ticket or article; `Unavailable`.
    async fn link_article(
        &self,
        article_id: ArticleId,
        append: EventAppend,
    ) -> StoreResult<Created<Event>>;

    /// The articles linked to a ticket, in the order they were linked.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn linked_articles(&self, ticket_id: TicketId) -> StoreResult<Vec<ArticleId>>;

    // --- the search feed ---------------------------------------------------------------

    /// Timeline events after `after`, by id, at most `limit`: `(event, ticket)` pairs.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn events_after(
        &self,
        after: Option<EventId>,
        limit: i64,
    ) -> StoreResult<Vec<(EventId, TicketId)>>;
    /// The newest event's id.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn latest_event_id(&self) -> StoreResult<Option<EventId>>;
    /// Article versions after `after`, by id, at most `limit`: `(version id, article)`.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn article_versions_after(
        &self,
        after: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<(i64, ArticleId)>>;
    /// Ticket ids after `after`, in order, at most `limit` (for a rebuild).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn ticket_ids_after(
        &self,
        after: Option<TicketId>,
        limit: i64,
    ) -> StoreResult<Vec<TicketId>>;
    /// The tickets with their timelines and requesters' locales; missing ids are left
    /// out.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn ticket_sources(&self, ids: &[TicketId]) -> StoreResult<Vec<TicketSource>>;
    /// People changed after `(updated_at, id)`, in that order, at most `limit`.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn users_changed_after(
        &self,
        after: Option<(Timestamp, UserId)>,
        limit: i64,
    ) -> StoreResult<Vec<User>>;
}
