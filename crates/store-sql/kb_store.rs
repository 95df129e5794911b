//! The [`KbStore`] trait, implemented once for the backend's `Backend` type on top of
//! [`kb`] (see [`store`](crate::sql::store) for the two primitives).

use crate::Backend;
use crate::sql::{kb, people};
use async_trait::async_trait;
use ferrodesk_domain::{
    Article, ArticleId, ArticleVersion, Event, EventId, TicketId, User, UserId,
};
use ferrodesk_store::{
    ArticleFilter, ArticleUpdate, Created, DeflectionCounts, EventAppend, KbStore, NewArticle,
    Page, PageRequest, StoreResult, TicketSource,
};
use jiff::Timestamp;

#[async_trait]
impl KbStore for Backend {
    async fn create_article(&self, article: NewArticle) -> StoreResult<Article> {
        self.write(article, |c, article| {
            Box::pin(kb::create_article(c, article))
        })
        .await
    }

    async fn bulk_create_articles(&self, articles: Vec<NewArticle>) -> StoreResult<Vec<ArticleId>> {
        self.write(articles, |c, articles| {
            Box::pin(kb::bulk_create_articles(c, articles))
        })
        .await
    }

    async fn get_article(&self, id: ArticleId) -> StoreResult<Article> {
        kb::get_article(&mut *self.reader().await?, id).await
    }

    async fn update_article(&self, update: ArticleUpdate) -> StoreResult<Article> {
        self.write(update, |c, update| Box::pin(kb::update_article(c, update)))
            .await
    }

    async fn list_articles(
        &self,
        filter: &ArticleFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<Article>> {
        kb::list_articles(&mut *self.reader().await?, filter, page).await
    }

    async fn list_article_versions(&self, id: ArticleId) -> StoreResult<Vec<ArticleVersion>> {
        kb::list_article_versions(&mut *self.reader().await?, id).await
    }

    async fn vote_article(
        &self,
        id: ArticleId,
        user_id: UserId,
        is_helpful: bool,
        now: Timestamp,
    ) -> StoreResult<Article> {
        self.write(
            (id, user_id, is_helpful, now),
            |c, (id, user, helpful, now)| Box::pin(kb::vote_article(c, *id, *user, *helpful, *now)),
        )
        .await
    }

    async fn record_deflection(
        &self,
        user_id: UserId,
        article_id: ArticleId,
        query: &str,
        now: Timestamp,
    ) -> StoreResult<()> {
        let query = query.to_owned();
        self.write(
            (user_id, article_id, query, now),
            |c, (user, article, query, now)| {
                Box::pin(kb::record_deflection(c, *user, *article, query, *now))
            },
        )
        .await
    }

    async fn close_deflections(
        &self,
        user_id: UserId,
        ticket_id: TicketId,
        since: Timestamp,
    ) -> StoreResult<()> {
        self.write((user_id, ticket_id, since), |c, (user, ticket, since)| {
            Box::pin(kb::close_deflections(c, *user, *ticket, *since))
        })
        .await
    }

    async fn deflection_counts(&self, since: Timestamp) -> StoreResult<DeflectionCounts> {
        kb::deflection_counts(&mut *self.reader().await?, since).await
    }

    async fn link_article(
        &self,
        article_id: ArticleId,
        append: EventAppend,
    ) -> StoreResult<Created<Event>> {
        self.write((article_id, append), |c, (article, append)| {
            Box::pin(kb::link_article(c, *article, append))
        })
        .await
    }

    async fn linked_articles(&self, ticket_id: TicketId) -> StoreResult<Vec<ArticleId>> {
        kb::linked_articles(&mut *self.reader().await?, ticket_id).await
    }

    async fn events_after(
        &self,
        after: Option<EventId>,
        limit: i64,
    ) -> StoreResult<Vec<(EventId, TicketId)>> {
        kb::events_after(&mut *self.reader().await?, after, limit).await
    }

    async fn latest_event_id(&self) -> StoreResult<Option<EventId>> {
        kb::latest_event_id(&mut *self.reader().await?).await
    }

    async fn article_versions_after(
        &self,
        after: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<(i64, ArticleId)>> {
        kb::article_versions_after(&mut *self.reader().await?, after, limit).await
    }

    async fn ticket_ids_after(
        &self,
        after: Option<TicketId>,
        limit: i64,
    ) -> StoreResult<Vec<TicketId>> {
        kb::ticket_ids_after(&mut *self.reader().await?, after, limit).await
    }

    async fn ticket_sources(&self, ids: &[TicketId]) -> StoreResult<Vec<TicketSource>> {
        kb::ticket_sources(&mut *self.reader().await?, ids).await
    }

    async fn users_changed_after(
        &self,
        after: Option<(Timestamp, UserId)>,
        limit: i64,
    ) -> StoreResult<Vec<User>> {
        people::users_changed_after(&mut *self.reader().await?, after, limit).await
    }
}
