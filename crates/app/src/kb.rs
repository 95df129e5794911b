//! The knowledge base: staff write and publish articles (every version kept),
//! customers read published public ones, vote on them, and are offered them while they
//! write a request (deflection). Agents link an article to the ticket it solved and
//! start an article from a resolved ticket.
//!
//! Access: staff read and write every article; a customer sees an article only while
//! it is published and public, and anything else is "not found" to them, so drafts
//! and internal articles do not even show that they exist.

use crate::error::{AppError, OrNotFound};
use crate::{App, Page, PageRequest};
use ferrodesk_domain::{
    Actor, Article, ArticleContent, ArticleId, ArticleKind, ArticleStatus, ArticleVersion,
    CategoryId, Channel, EventKind, NewEvent, ServiceId, TicketId, TicketStatus, Visibility,
};
use ferrodesk_store::{
    ArticleFilter, ArticleUpdate, Conflict, Created, DeflectionCounts, EventAppend, NewArticle,
    StoreError,
};
use jiff::SignedDuration;

/// How long after opening a suggested article a request still counts as "submitted
/// anyway" (the deflection failed).
pub const DEFLECTION_WINDOW: SignedDuration = SignedDuration::from_hours(2);
/// The longest query kept with a deflection record.
const MAX_DEFLECTION_QUERY_CHARS: usize = 200;

/// The image types an article may show: raster only (SVG can carry script).
const IMAGE_TYPES: [&str; 4] = ["image/png", "image/jpeg", "image/gif", "image/webp"];

/// Where an article's image is served.
pub fn image_path(article: ArticleId, sha256: &ferrodesk_domain::Sha256Hex) -> String {
    format!("/api/v1/kb/articles/{article}/images/{sha256}")
}

/// An image stored for an article.
#[derive(Debug, Clone)]
pub struct ArticleImage {
    /// Where it is served.
    pub url: String,
    /// The Markdown that shows it (`![name](url)`), to put in the body.
    pub markdown: String,
    /// The stored file.
    pub attachment: ferrodesk_domain::Attachment,
}

/// A new article as an author writes it; unset fields take defaults (a draft, public,
/// English troubleshooting guide).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArticleInput {
    /// Title.
    pub title: String,
    /// Markdown body.
    pub body: String,
    /// Kind; troubleshooting when unset.
    pub kind: Option<ArticleKind>,
    /// Status; draft when unset.
    pub status: Option<ArticleStatus>,
    /// Visibility; public when unset.
    pub visibility: Option<Visibility>,
    /// Language tag; `en` when unset.
    pub language: Option<String>,
    /// Category.
    pub category_id: Option<CategoryId>,
    /// Related services.
    pub service_ids: Vec<ServiceId>,
}

/// A change to an article: set fields replace the current value. `category_id`
/// distinguishes "leave" (`None`) from "clear" (`Some(None)`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArticlePatch {
    /// The version the author edited; a newer current version is a conflict.
    pub expected_version: Option<i64>,
    /// New title.
    pub title: Option<String>,
    /// New body.
    pub body: Option<String>,
    /// New kind.
    pub kind: Option<ArticleKind>,
    /// New status.
    pub status: Option<ArticleStatus>,
    /// New visibility.
    pub visibility: Option<Visibility>,
    /// New language.
    pub language: Option<String>,
    /// New category, or none.
    pub category_id: Option<Option<CategoryId>>,
    /// New related services.
    pub service_ids: Option<Vec<ServiceId>>,
}

/// Which articles to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArticleQuery {
    /// Filters; for customers status and visibility are forced to published/public.
    pub filter: ArticleFilter,
    /// Which page.
    pub page: PageRequest,
}

/// The knowledge-base service.
#[derive(Debug, Clone, Copy)]
pub struct Kb<'a> {
    app: &'a App,
}

fn require_staff(actor: &Actor, what: &str) -> Result<(), AppError> {
    if actor.is_staff() {
        Ok(())
    } else {
        Err(AppError::forbidden(format!("only staff may {what}")))
    }
}

/// Whether `actor` may read `article`.
pub fn can_read(actor: &Actor, article: &Article) -> bool {
    actor.is_staff() || article.is_public()
}

impl<'a> Kb<'a> {
    pub(crate) fn new(app: &'a App) -> Self {
        Kb { app }
    }

    /// Checks the references of new content: the category and services must exist.
    async fn check_references(&self, content: &ArticleContent) -> Result<(), AppError> {
        let db = self.app.db();
        if let Some(category) = content.category_id {
            db.get_category(category)
                .await
                .or_not_found("category", category)?;
        }
        for service in &content.service_ids {
            db.get_service(*service)
                .await
                .or_not_found("service", service)?;
        }
        Ok(())
    }

    fn changed(&self) {
        self.app.search().wake();
    }

    /// Writes a new article (staff).
    ///
    /// # Errors
    /// `Forbidden` for customers; `Invalid` for a bad title, body or language;
    /// `NotFound` for an unknown category or service.
    pub async fn create(&self, actor: &Actor, input: ArticleInput) -> Result<Article, AppError> {
        require_staff(actor, "write articles")?;
        let content = ArticleContent {
            title: input.title,
            body: input.body,
            kind: input.kind.unwrap_or(ArticleKind::Troubleshooting),
            status: input.status.unwrap_or(ArticleStatus::Draft),
            visibility: input.visibility.unwrap_or(Visibility::Public),
            language: input.language.unwrap_or_else(|| "en".to_owned()),
            category_id: input.category_id,
            service_ids: input.service_ids,
        }
        .normalized()?;
        self.check_references(&content).await?;
        let article = self
            .app
            .db()
            .create_article(NewArticle {
                content,
                actor_id: Some(actor.user_id),
                now: self.app.now(),
            })
            .await?;
        self.changed();
        Ok(article)
    }

    /// Reads an article the actor may see.
    ///
    /// # Errors
    /// `NotFound`, also for an article a customer may not see.
    pub async fn get(&self, actor: &Actor, id: ArticleId) -> Result<Article, AppError> {
        let article = self
            .app
            .db()
            .get_article(id)
            .await
            .or_not_found("article", id)?;
        if can_read(actor, &article) {
            Ok(article)
        } else {
            Err(AppError::not_found("article", id))
        }
    }

    /// A page of the articles the actor may see, newest first.
    ///
    /// # Errors
    /// `Unavailable`.
    pub async fn list(
        &self,
        actor: &Actor,
        query: &ArticleQuery,
    ) -> Result<Page<Article>, AppError> {
        let mut filter = query.filter.clone();
        if !actor.is_staff() {
            if filter.status.is_some_and(|s| s != ArticleStatus::Published)
                || filter.visibility.is_some_and(|v| v != Visibility::Public)
            {
                return Ok(Page {
                    items: Vec::new(),
                    next_cursor: None,
                });
            }
            filter.status = Some(ArticleStatus::Published);
            filter.visibility = Some(Visibility::Public);
        }
        Ok(self.app.db().list_articles(&filter, &query.page).await?)
    }

    /// Saves a new version of an article (staff).
    ///
    /// # Errors
    /// `Forbidden`, `NotFound`, `Invalid` (also for a change that changes nothing),
    /// `Conflict` (`version_conflict`) when `expected_version` is not current.
    pub async fn update(
        &self,
        actor: &Actor,
        id: ArticleId,
        patch: ArticlePatch,
    ) -> Result<Article, AppError> {
        require_staff(actor, "edit articles")?;
        let current = self.get(actor, id).await?;
        let expected_version = patch.expected_version.unwrap_or(current.version);
        if expected_version != current.version {
            return Err(version_conflict(id, current.version, expected_version));
        }
        let before = current.content.clone();
        let content = ArticleContent {
            title: patch.title.unwrap_or(before.title.clone()),
            body: patch.body.unwrap_or(before.body.clone()),
            kind: patch.kind.unwrap_or(before.kind),
            status: patch.status.unwrap_or(before.status),
            visibility: patch.visibility.unwrap_or(before.visibility),
            language: patch.language.unwrap_or(before.language.clone()),
            category_id: patch.category_id.unwrap_or(before.category_id),
            service_ids: patch.service_ids.unwrap_or(before.service_ids.clone()),
        }
        .normalized()?;
        let changed_fields: Vec<String> = content
            .changed_fields(&before)
            .into_iter()
            .map(str::to_owned)
            .collect();
        if changed_fields.is_empty() {
            return Err(AppError::invalid("article", "the change changes nothing"));
        }
        self.check_references(&content).await?;
        let article = self
            .app
            .db()
            .update_article(ArticleUpdate {
                id,
                expected_version,
                content,
                changed_fields,
                actor_id: Some(actor.user_id),
                now: self.app.now(),
            })
            .await
            .map_err(|error| match error {
                StoreError::Conflict {
                    kind: Conflict::Stale,
                    ..
                } => version_conflict(id, expected_version + 1, expected_version),
                other => other.into(),
            })?;
        self.changed();
        Ok(article)
    }

    /// Stores an image for an article (staff who may read it) and returns where it is
    /// served and the Markdown that shows it. The image is served only while the
    /// article's body refers to it, to whoever may read the article.
    ///
    /// # Errors
    /// `Forbidden`, `NotFound`, `Invalid` (not a PNG, JPEG, GIF or WebP image; empty),
    /// `TooLarge`.
    pub async fn add_image(
        &self,
        actor: &Actor,
        id: ArticleId,
        bytes: bytes::Bytes,
        filename: &str,
    ) -> Result<ArticleImage, AppError> {
        require_staff(actor, "add images to articles")?;
        self.get(actor, id).await?;
        let content_type = ferrodesk_blobs::media_type(&bytes, None);
        if !IMAGE_TYPES.contains(&content_type.as_str()) {
            return Err(AppError::invalid(
                "image",
                format!("'{filename}' is not a PNG, JPEG, GIF or WebP image"),
            ));
        }
        let attachment = self
            .app
            .attachments()
            .store(bytes, filename, Some(&content_type))
            .await?;
        let url = image_path(id, &attachment.sha256);
        let alt: String = attachment
            .filename
            .rsplit_once('.')
            .map_or(attachment.filename.as_str(), |(stem, _)| stem)
            .chars()
            .filter(|c| !matches!(c, '[' | ']' | '(' | ')'))
            .collect();
        Ok(ArticleImage {
            markdown: format!("![{alt}]({url})"),
            url,
            attachment,
        })
    }

    /// An article's image with its media type, for whoever may read the article, while
    /// its body shows it.
    ///
    /// # Errors
    /// `NotFound` (`image`) for an image the body does not show or a malformed address;
    /// the article's own errors.
    pub async fn image(
        &self,
        actor: &Actor,
        id: ArticleId,
        sha256: &str,
    ) -> Result<(String, bytes::Bytes), AppError> {
        let article = self.get(actor, id).await?;
        let sha = ferrodesk_domain::Sha256Hex::parse(sha256)
            .map_err(|_| AppError::not_found("image", sha256))?;
        if !article.content.body.contains(&image_path(id, &sha)) {
            return Err(AppError::not_found("image", sha256));
        }
        let bytes = self
            .app
            .attachments()
            .read(&sha)
            .await
            .map_err(|error| match error {
                AppError::NotFound { .. } => AppError::not_found("image", sha256),
                other => other,
            })?;
        let content_type = ferrodesk_blobs::media_type(&bytes, None);
        if !IMAGE_TYPES.contains(&content_type.as_str()) {
            return Err(AppError::not_found("image", sha256));
        }
        Ok((content_type, bytes))
    }

    /// Every version of an article, newest first (staff).
    ///
    /// # Errors
    /// `Forbidden`, `NotFound`.
    pub async fn versions(
        &self,
        actor: &Actor,
        id: ArticleId,
    ) -> Result<Vec<ArticleVersion>, AppError> {
        require_staff(actor, "read article history")?;
        self.app
            .db()
            .list_article_versions(id)
            .await
            .or_not_found("article", id)
    }

    /// Records the actor's "was this helpful?" answer (one per person; a second one
    /// replaces the first).
    ///
    /// # Errors
    /// `NotFound` for an article the actor may not read.
    pub async fn vote(
        &self,
        actor: &Actor,
        id: ArticleId,
        is_helpful: bool,
    ) -> Result<Article, AppError> {
        self.get(actor, id).await?;
        self.app
            .db()
            .vote_article(id, actor.user_id, is_helpful, self.app.now())
            .await
            .or_not_found("article", id)
    }

    /// Records that a customer opened `id` from the suggestions of the new-request
    /// form while having typed `query`.
    ///
    /// # Errors
    /// `Forbidden` for staff (they are not being deflected); `NotFound`.
    pub async fn record_deflection(
        &self,
        actor: &Actor,
        id: ArticleId,
        query: &str,
    ) -> Result<(), AppError> {
        if actor.is_staff() {
            return Err(AppError::forbidden(
                "only customers are offered articles while writing a request",
            ));
        }
        self.get(actor, id).await?;
        let query: String = query
            .trim()
            .chars()
            .take(MAX_DEFLECTION_QUERY_CHARS)
            .collect();
        Ok(self
            .app
            .db()
            .record_deflection(actor.user_id, id, &query, self.app.now())
            .await?)
    }

    /// Marks the customer's recent deflection records as followed by `ticket` (called
    /// when they submit a request after all).
    ///
    /// # Errors
    /// `Unavailable`.
    pub async fn request_submitted(&self, actor: &Actor, ticket: TicketId) -> Result<(), AppError> {
        if actor.is_staff() {
            return Ok(());
        }
        let since = self.app.now() - DEFLECTION_WINDOW;
        Ok(self
            .app
            .db()
            .close_deflections(actor.user_id, ticket, since)
            .await?)
    }

    /// Deflection over the last `days` days (staff).
    ///
    /// # Errors
    /// `Forbidden`.
    pub async fn deflection(&self, actor: &Actor, days: i64) -> Result<DeflectionCounts, AppError> {
        require_staff(actor, "read deflection figures")?;
        let since = self.app.now() - SignedDuration::from_hours(24 * days.clamp(1, 3650));
        Ok(self.app.db().deflection_counts(since).await?)
    }

    /// Records on a ticket that an article solved it (staff who may work the ticket):
    /// an `article_linked` event, public when the article is public. Once per ticket and
    /// article: linking it again adds nothing and gives back the event that linked it
    /// ([`Created::Replayed`]), also when two clicks race.
    ///
    /// # Errors
    /// `NotFound` for an unknown ticket or article; `Forbidden` when the actor may not
    /// work the ticket; `InvalidTransition` on a closed ticket.
    pub async fn link_to_ticket(
        &self,
        actor: &Actor,
        ticket_id: TicketId,
        id: ArticleId,
    ) -> Result<Created<ferrodesk_domain::Event>, AppError> {
        require_staff(actor, "link articles to tickets")?;
        let ticket = self.app.tickets().get(actor, ticket_id).await?;
        if !actor.can_work(&ticket) {
            return Err(AppError::forbidden(format!(
                "you may not change ticket {}",
                ticket_id.display_number()
            )));
        }
        if ticket.status == TicketStatus::Closed {
            return Err(ferrodesk_domain::TransitionError::AlreadyClosed.into());
        }
        let article = self.get(actor, id).await?;
        let mut event = NewEvent::new(
            EventKind::ArticleLinked {
                article_id: id,
                title: article.content.title.clone(),
            },
            Some(actor.user_id),
            Channel::Agent,
            self.app.now(),
        );
        if article.is_public() {
            event.visibility = Visibility::Public;
        }
        self.app
            .db()
            .link_article(
                id,
                EventAppend {
                    ticket_id,
                    event,
                    marks_first_response: false,
                    idempotency: None,
                    notices: Vec::new(),
                },
            )
            .await
            .or_not_found("ticket", ticket_id)
    }

    /// The articles linked to a ticket as having solved it, in the order they were
    /// linked (staff who may read the ticket).
    ///
    /// # Errors
    /// `NotFound`, `Forbidden`.
    pub async fn linked_articles(
        &self,
        actor: &Actor,
        ticket_id: TicketId,
    ) -> Result<Vec<ArticleId>, AppError> {
        require_staff(actor, "read the articles linked to tickets")?;
        self.app.tickets().get(actor, ticket_id).await?;
        Ok(self.app.db().linked_articles(ticket_id).await?)
    }

    /// A draft built from a resolved or closed ticket: its subject as the title, the
    /// problem and the public replies that solved it as the body (staff). Nothing is
    /// saved; the author edits and creates it.
    ///
    /// # Errors
    /// `NotFound`; `Invalid` when the ticket is not resolved or closed.
    pub async fn draft_from_ticket(
        &self,
        actor: &Actor,
        ticket_id: TicketId,
    ) -> Result<ArticleInput, AppError> {
        require_staff(actor, "write articles")?;
        let ticket = self.app.tickets().get(actor, ticket_id).await?;
        if !matches!(ticket.status, TicketStatus::Resolved | TicketStatus::Closed) {
            return Err(AppError::invalid(
                "ticket",
                "only a resolved or closed ticket can become an article",
            ));
        }
        let events = self
            .app
            .tickets()
            .events(
                actor,
                ticket_id,
                &ferrodesk_store::EventPage {
                    after: None,
                    limit: 1000,
                },
            )
            .await?;
        let solution = crate::search::resolution_of(&events).unwrap_or_default();
        let body = format!(
            "## Problem\n\n{}\n\n## Solution\n\n{}\n",
            ticket.description.trim(),
            solution.trim()
        );
        Ok(ArticleInput {
            title: ticket.subject.clone(),
            body,
            kind: Some(ArticleKind::Troubleshooting),
            status: Some(ArticleStatus::Draft),
            visibility: Some(Visibility::Internal),
            language: None,
            category_id: ticket.category_id,
            service_ids: ticket.service_id.into_iter().collect(),
        })
    }
}

fn version_conflict(id: ArticleId, current: i64, expected: i64) -> AppError {
    AppError::conflict(
        "version_conflict",
        format!(
            "article {id} is at version {current}, not {expected}; reload it and apply your change again"
        ),
    )
}
