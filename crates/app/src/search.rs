//! Search, as a projection of the database: the index (crate `ferrodesk-search`)
//! follows the timeline, article versions and people changes in order, remembers the
//! last of each it applied (in the index's own commit), and catches up after a restart;
//! [`Search::rebuild`] rebuilds it from scratch.
//!
//! Writes never wait for the index: a background task ([`Search::start`], started on
//! first use) polls the feeds every [`POLL_INTERVAL`] and is woken early by article
//! changes. The feed positions are ids that grow with every insert, but on PostgreSQL
//! a transaction can commit after one that took a higher id; a gap in the ids is
//! therefore only skipped once it has stayed open for [`GAP_GRACE`] (a rolled-back
//! insert), so a slow commit is never skipped.
//!
//! Every result is checked against the database before it is returned, with the same
//! rules as the API ([`Actor::can_view`], [`crate::kb::can_read`]): an index that is a
//! moment behind never shows a ticket or article the asker may no longer see.

use crate::error::AppError;
use crate::{App, markdown};
use ferrodesk_domain::{
    Actor, Article, ArticleId, Asset, AssetId, CustomField, Event, EventKind, FieldKind,
    OrganizationId, TicketId, TicketStatus, User, UserId, Visibility,
};
use ferrodesk_search::{
    ArticleDoc, AssetDoc, Batch, DocKind, FeedCursors, Language, PersonDoc, SearchError, SearchHit,
    SearchIndex, SearchRequest, SearchResults, SearchScope, SimilarTo, TicketDoc,
};
use ferrodesk_store::{Store, TicketSource};
use jiff::Timestamp;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, Notify, Semaphore};

/// How often the background task looks for new events. Every look that finds some is
/// one index commit (a new segment to write and later merge), so under load the index
/// lags by up to this much rather than spending the cores on tiny segments.
pub const POLL_INTERVAL: Duration = Duration::from_secs(1);
/// How long a gap in the feed ids may stay open before it is taken for a rollback.
pub const GAP_GRACE: Duration = Duration::from_secs(2);
/// Events read per step.
const EVENT_BATCH: i64 = 2_000;
/// Article versions and people read per step.
const SMALL_BATCH: i64 = 500;
/// Tickets per step of a rebuild.
const REBUILD_BATCH: i64 = 1_000;

/// The index and the state of its projection; one per [`App`].
pub struct SearchEngine {
    index: Arc<SearchIndex>,
    feed: Mutex<Gaps>,
    wake: Arc<Notify>,
    is_started: AtomicBool,
    /// Set by [`Search::stop`]: the background task ends after its current look.
    is_stopping: AtomicBool,
    /// The background task, once started.
    task: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
    /// Queries running at once: one more than the machine has cores (see
    /// [`SearchEngine::query`]).
    queries: Semaphore,
}

impl std::fmt::Debug for SearchEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchEngine")
            .field("index", &self.index)
            .finish_non_exhaustive()
    }
}

impl SearchEngine {
    /// An engine over `index`.
    pub fn new(index: SearchIndex) -> SearchEngine {
        SearchEngine {
            index: Arc::new(index),
            feed: Mutex::new(Gaps::default()),
            wake: Arc::new(Notify::new()),
            is_started: AtomicBool::new(false),
            is_stopping: AtomicBool::new(false),
            task: std::sync::Mutex::new(None),
            queries: Semaphore::new(
                std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get) + 1,
            ),
        }
    }

    /// Runs a query on the index, once a core is free for it.
    ///
    /// A query is pure CPU work. Run all at once, more queries than cores share them
    /// and each takes as many times longer as there are queries per core, a common
    /// word's query most of all; about one at a time per core, each runs at full
    /// speed after the queries ahead of it, which is much sooner for the slowest. One
    /// query more than there are cores keeps a core from idling while the requests
    /// around the queries read the database and write their answers.
    ///
    /// With 8 clients on 2 cores at a million tickets, the 99th percentile fell from
    /// 50 to 40 ms, for 6 to 8 % fewer queries a second (BENCHMARKS.md).
    async fn query<T: Send + 'static>(
        &self,
        work: impl FnOnce(&SearchIndex) -> Result<T, SearchError> + Send + 'static,
    ) -> Result<T, AppError> {
        let _core = self
            .queries
            .acquire()
            .await
            .map_err(|error| AppError::Internal(format!("search queries: {error}")))?;
        let index = self.index.clone();
        blocking(move || work(&index)).await
    }
}

/// Gaps seen in each feed, with when they were first seen.
#[derive(Debug, Default)]
struct Gaps {
    events: Gap,
    articles: Gap,
}

#[derive(Debug, Default)]
struct Gap {
    /// The id after which a gap is open, and since when.
    open: Option<(i64, Instant)>,
}

impl Gap {
    /// How many of `ids` (ascending, all above `after`) may be applied now: up to the
    /// first gap that has not stayed open for [`GAP_GRACE`], or all when `force`.
    fn accept(&mut self, after: i64, ids: &[i64], force: bool) -> usize {
        let mut previous = after;
        for (taken, id) in ids.iter().enumerate() {
            if *id != previous + 1 && !force {
                match self.open {
                    Some((at, since)) if at == previous => {
                        if since.elapsed() < GAP_GRACE {
                            return taken;
                        }
                    }
                    _ => {
                        self.open = Some((previous, Instant::now()));
                        return taken;
                    }
                }
            }
            previous = *id;
        }
        ids.len()
    }
}

/// A resolved ticket like the one being looked at, with how it was solved.
#[derive(Debug, Clone, PartialEq)]
pub struct SimilarTicket {
    /// The search result.
    pub hit: SearchHit,
    /// The reply (or note, for staff) that solved it.
    pub resolution: Option<String>,
}

/// The articles that may answer a ticket, and the language its requester reads.
#[derive(Debug, Clone, PartialEq)]
pub struct SuggestedArticles {
    /// The requester's language; the articles in it come first.
    pub language: Language,
    /// The articles, best first within each language.
    pub hits: Vec<SearchHit>,
}

/// What one catch-up did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CatchUp {
    /// Documents written or replaced.
    pub documents: usize,
}

/// The search service.
#[derive(Debug, Clone, Copy)]
pub struct Search<'a> {
    app: &'a App,
}

fn search_error(error: SearchError) -> AppError {
    match error {
        SearchError::InvalidRequest { reason } => AppError::invalid("query", reason),
        other => AppError::Internal(format!("search index: {other}")),
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, SearchError> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| AppError::Internal(format!("search task failed: {error}")))?
        .map_err(search_error)
}

impl<'a> Search<'a> {
    pub(crate) fn new(app: &'a App) -> Self {
        Search { app }
    }

    /// The engine: the one attached with [`App::attach_search_index`], or an
    /// in-memory index made on first use. Starts the background task when a Tokio
    /// runtime is running.
    fn engine(&self) -> Result<Arc<SearchEngine>, AppError> {
        let engine = match self.app.search_slot().get() {
            Some(engine) => engine.clone(),
            None => {
                let index = SearchIndex::in_memory().map_err(search_error)?;
                // Another request may have won the race; use whichever is set.
                let _ = self
                    .app
                    .search_slot()
                    .set(Arc::new(SearchEngine::new(index)));
                self.app
                    .search_slot()
                    .get()
                    .cloned()
                    .ok_or_else(|| AppError::Internal("search engine missing".into()))?
            }
        };
        self.start(&engine);
        Ok(engine)
    }

    /// Starts the background projection task once.
    fn start(&self, engine: &Arc<SearchEngine>) {
        if tokio::runtime::Handle::try_current().is_err()
            || engine.is_started.swap(true, Ordering::SeqCst)
        {
            return;
        }
        let weak: Weak<SearchEngine> = Arc::downgrade(engine);
        let wake = engine.wake.clone();
        let store = self.app.store().clone();
        let task = tokio::spawn(async move {
            loop {
                let notified = wake.notified();
                {
                    let Some(engine) = weak.upgrade() else { break };
                    if engine.is_stopping.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Err(error) = catch_up(&engine, store.as_ref(), false).await {
                        tracing::warn!(%error, "search index could not catch up; retrying");
                    }
                }
                tokio::select! {
                    () = notified => {}
                    () = tokio::time::sleep(POLL_INTERVAL) => {}
                }
            }
        });
        *engine
            .task
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(task);
    }

    /// Stops the background task and waits until it has let go of the index, so that
    /// dropping the desk then closes the index at once (another process, or the next
    /// desk in this one, can open it). Searching still works; the index no longer
    /// follows the database.
    pub async fn stop(&self) {
        let Some(engine) = self.app.search_slot().get() else {
            return;
        };
        engine.is_stopping.store(true, Ordering::SeqCst);
        engine.wake.notify_one();
        let task = engine
            .task
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(task) = task {
            // A task that panicked has let go as well.
            let _ = task.await;
        }
    }

    /// Stops the projection, lets the index finish merging its segments and closes it
    /// for writing (see `SearchIndex::close_merged`): for a tool that built the index
    /// and hands it over to a server.
    ///
    /// # Errors
    /// `Internal` when there is no index; `Unavailable` when the merges fail.
    pub async fn stop_merged(&self) -> Result<(), AppError> {
        self.stop().await;
        let index = self.engine()?.index.clone();
        blocking(move || index.close_merged()).await
    }

    /// Opens the index (in memory unless one was attached) and starts the background
    /// task, which first catches up with whatever happened since the index's
    /// checkpoint (what `serve` calls on start; requests do not wait for it).
    ///
    /// # Errors
    /// `Internal` when the index cannot be made.
    pub fn start_projection(&self) -> Result<(), AppError> {
        self.engine().map(|_| ())
    }

    /// Tells the background task to look now (after an article change).
    pub fn wake(&self) {
        if let Some(engine) = self.app.search_slot().get() {
            engine.wake.notify_one();
        }
    }

    /// Applies everything committed so far, gaps included, and returns when the index
    /// reflects it (tests, the command line).
    ///
    /// # Errors
    /// `Internal`, `Unavailable`.
    pub async fn sync(&self) -> Result<CatchUp, AppError> {
        let engine = self.engine()?;
        catch_up(&engine, self.app.db(), true).await
    }

    /// Empties the index and rebuilds it from the database: every ticket, then the
    /// article versions and people from the start of their feeds.
    ///
    /// # Errors
    /// `Internal`, `Unavailable`.
    pub async fn rebuild(&self) -> Result<CatchUp, AppError> {
        let engine = self.engine()?;
        let db = self.app.db();
        let mut total = CatchUp::default();
        {
            let _feed = engine.feed.lock().await;
            let latest = db.latest_event_id().await?;
            let index = engine.index.clone();
            blocking(move || index.clear()).await?;
            let mut after = None;
            loop {
                let ids = db.ticket_ids_after(after, REBUILD_BATCH).await?;
                let Some(last) = ids.last().copied() else {
                    break;
                };
                after = Some(last);
                let mut batch = Batch::new();
                for doc in ticket_docs(db, &ids).await? {
                    batch.upsert(doc);
                    total.documents += 1;
                }
                let index = engine.index.clone();
                blocking(move || index.apply(batch)).await?;
            }
            // The checkpoint goes on last: a rebuild that stops half-way leaves none,
            // and the next start replays the timeline from the beginning.
            if let Some(latest) = latest {
                let mut batch = Batch::new();
                batch.up_to(latest).with_cursors(FeedCursors::default());
                let index = engine.index.clone();
                blocking(move || index.apply(batch)).await?;
            }
        }
        let rest = catch_up(&engine, db, true).await?;
        total.documents += rest.documents;
        Ok(total)
    }

    /// How many documents the index holds and the last event it applied.
    ///
    /// # Errors
    /// `Internal` when the index cannot be opened.
    pub fn status(&self) -> Result<(u64, Option<ferrodesk_domain::EventId>), AppError> {
        let engine = self.engine()?;
        Ok((engine.index.num_docs(), engine.index.last_event_id()))
    }

    /// Searches what the actor may see.
    ///
    /// # Errors
    /// `Invalid` for a page out of range; `Internal`, `Unavailable`.
    pub async fn search(
        &self,
        actor: &Actor,
        request: SearchRequest,
    ) -> Result<SearchResults, AppError> {
        let engine = self.engine()?;
        let scope = SearchScope::for_actor(actor);
        let mut results = engine
            .query(move |index| index.search(&scope, &request))
            .await?;
        let before = results.hits.len();
        results.hits = self.visible(actor, results.hits).await?;
        results.total = results.total.saturating_sub(before - results.hits.len());
        Ok(results)
    }

    /// Published articles matching what a person is typing (the portal's deflection
    /// and the agent's suggestions), public ones only for customers.
    ///
    /// # Errors
    /// `Invalid` for a limit out of range; `Internal`, `Unavailable`.
    pub async fn suggest_articles(
        &self,
        actor: &Actor,
        text: &str,
        limit: usize,
    ) -> Result<Vec<SearchHit>, AppError> {
        if text.trim().is_empty() {
            return Ok(Vec::new());
        }
        let engine = self.engine()?;
        let user = self.app.db().get_user(actor.user_id).await?;
        let language = Language::from_tag(&user.locale);
        let scope = SearchScope::for_actor(actor);
        let text = text.to_owned();
        let hits = engine
            .query(move |index| index.suggest_articles(&scope, &text, language, limit))
            .await?;
        self.visible(actor, hits).await
    }

    /// Articles that answer a ticket well, in the requester's language first, each
    /// hit carrying its own language (staff).
    ///
    /// # Errors
    /// `NotFound`, `Forbidden` for customers.
    pub async fn articles_for_ticket(
        &self,
        actor: &Actor,
        id: TicketId,
        limit: usize,
    ) -> Result<SuggestedArticles, AppError> {
        if !actor.is_staff() {
            return Err(AppError::forbidden("only staff get article suggestions"));
        }
        let ticket = self.app.tickets().get(actor, id).await?;
        let requester = self.app.db().get_user(ticket.requester_id).await?;
        let engine = self.engine()?;
        let scope = SearchScope::for_actor(actor);
        let language = Language::from_tag(&requester.locale);
        let described = SimilarTo {
            subject: ticket.subject.clone(),
            description: ticket.description.chars().take(300).collect(),
            language,
            exclude: None,
            limit,
        };
        let hits = engine
            .query(move |index| index.articles_for_ticket(&scope, &described))
            .await?;
        Ok(SuggestedArticles {
            language,
            hits: self.visible(actor, hits).await?,
        })
    }

    /// Public articles to put in a reply on a ticket, matching `text`, in the
    /// requester's language first (staff; for the composer's "Insert article").
    ///
    /// # Errors
    /// `NotFound`, `Forbidden` for customers, as [`Search::suggest_articles`].
    pub async fn articles_for_reply(
        &self,
        actor: &Actor,
        id: TicketId,
        text: &str,
        limit: usize,
    ) -> Result<Vec<SearchHit>, AppError> {
        if !actor.is_staff() {
            return Err(AppError::forbidden("only staff insert articles in replies"));
        }
        let ticket = self.app.tickets().get(actor, id).await?;
        if text.trim().is_empty() {
            return Ok(Vec::new());
        }
        let engine = self.engine()?;
        let requester = self.app.db().get_user(ticket.requester_id).await?;
        let language = Language::from_tag(&requester.locale);
        let scope = SearchScope::for_actor(actor);
        let text = text.to_owned();
        let hits = engine
            .query(move |index| index.suggest_articles(&scope, &text, language, limit))
            .await?;
        let mut hits = self.visible(actor, hits).await?;
        hits.retain(|h| h.visibility == Some(Visibility::Public));
        Ok(hits)
    }

    /// Resolved and closed tickets like this one, most similar first, with the reply
    /// that solved each (staff).
    ///
    /// # Errors
    /// `NotFound`, `Forbidden` for customers.
    pub async fn similar_tickets(
        &self,
        actor: &Actor,
        id: TicketId,
        limit: usize,
    ) -> Result<Vec<SimilarTicket>, AppError> {
        if !actor.is_staff() {
            return Err(AppError::forbidden("only staff see similar tickets"));
        }
        let ticket = self.app.tickets().get(actor, id).await?;
        let requester = self.app.db().get_user(ticket.requester_id).await?;
        let engine = self.engine()?;
        let scope = SearchScope::for_actor(actor);
        let similar = SimilarTo {
            subject: ticket.subject.clone(),
            description: ticket.description.clone(),
            language: Language::from_tag(&requester.locale),
            exclude: Some(id),
            limit,
        };
        let hits = engine
            .query(move |index| index.similar_tickets(&scope, &similar))
            .await?;
        let hits = self.visible(actor, hits).await?;
        let ids: Vec<TicketId> = hits.iter().map(|h| TicketId(h.key.id)).collect();
        let mut resolutions: BTreeMap<TicketId, Option<String>> = self
            .app
            .db()
            .ticket_sources(&ids)
            .await?
            .into_iter()
            .map(|s| (s.ticket.id, resolution_of(&s.events)))
            .collect();
        Ok(hits
            .into_iter()
            .map(|hit| SimilarTicket {
                resolution: resolutions.remove(&TicketId(hit.key.id)).flatten(),
                hit,
            })
            .collect())
    }

    /// The hits the actor may see now, by the database's current rows.
    async fn visible(
        &self,
        actor: &Actor,
        hits: Vec<SearchHit>,
    ) -> Result<Vec<SearchHit>, AppError> {
        let db = self.app.db();
        let ticket_ids: Vec<TicketId> = hits
            .iter()
            .filter(|h| h.key.kind == DocKind::Ticket)
            .map(|h| TicketId(h.key.id))
            .collect();
        let viewable: BTreeSet<i64> = db
            .get_tickets(&ticket_ids)
            .await?
            .iter()
            .filter(|t| actor.can_view(t))
            .map(|t| t.id.get())
            .collect();
        let mut kept = Vec::with_capacity(hits.len());
        for hit in hits {
            let is_visible = match hit.key.kind {
                DocKind::Ticket => viewable.contains(&hit.key.id),
                DocKind::Article => match db.get_article(ArticleId(hit.key.id)).await {
                    Ok(article) => crate::kb::can_read(actor, &article),
                    Err(ferrodesk_store::StoreError::NotFound { .. }) => false,
                    Err(other) => return Err(other.into()),
                },
                DocKind::Person => actor.is_staff(),
                // The index scope already limits customers to their own assets; a
                // deleted asset stays in the index until a rebuild, so ask.
                DocKind::Asset => match db.get_asset(AssetId(hit.key.id)).await {
                    Ok(asset) => actor.is_staff() || asset.assigned_to == Some(actor.user_id),
                    Err(ferrodesk_store::StoreError::NotFound { .. }) => false,
                    Err(other) => return Err(other.into()),
                },
            };
            if is_visible {
                kept.push(hit);
            }
        }
        Ok(kept)
    }
}

/// The text that solved a ticket: the last public reply, call or visit of staff
/// before it was last resolved (or the last one at all), else the last internal note.
pub fn resolution_of(events: &[Event]) -> Option<String> {
    let resolved_at = events
        .iter()
        .rposition(|e| {
            matches!(
                e.kind,
                EventKind::StatusChanged {
                    to: TicketStatus::Resolved,
                    ..
                }
            )
        })
        .unwrap_or(events.len());
    let body = |e: &Event| match &e.kind {
        EventKind::Reply { body }
        | EventKind::Call { body, .. }
        | EventKind::WalkIn { body, .. }
        | EventKind::Note { body } => Some(body.clone()),
        EventKind::ArticleLinked { title, .. } => Some(format!("Solved by article: {title}")),
        _ => None,
    };
    let before = &events[..resolved_at];
    before
        .iter()
        .rev()
        .filter(|e| e.visibility == Visibility::Public && !matches!(e.kind, EventKind::Note { .. }))
        .find_map(body)
        .or_else(|| before.iter().rev().find_map(body))
}

/// The index's documents of `ids`, each with the text of its custom values.
async fn ticket_docs(db: &dyn Store, ids: &[TicketId]) -> Result<Vec<TicketDoc>, AppError> {
    let sources = db.ticket_sources(ids).await?;
    let values = db.custom_values(ids).await?;
    let fields = if values.is_empty() {
        Vec::new()
    } else {
        db.list_custom_fields().await?
    };
    Ok(sources
        .into_iter()
        .map(|source| {
            let id = source.ticket.id;
            let mine = values.iter().filter(|(t, _, _)| *t == id);
            let texts = mine.filter_map(|(_, field_id, stored)| {
                let field = fields.iter().find(|f| f.id == *field_id)?;
                Some((field, stored.as_str()))
            });
            ticket_doc(source, texts)
        })
        .collect())
}

/// The words a custom value adds to its ticket's text: text and long text as typed,
/// the chosen options of a choice (other kinds are not words to search for).
fn custom_text(field: &CustomField, stored: &str) -> Option<String> {
    match field.spec.kind {
        FieldKind::Text | FieldKind::LongText | FieldKind::SingleChoice => Some(stored.to_owned()),
        FieldKind::MultipleChoice => Some(stored.replace('\n', ", ")),
        _ => None,
    }
}

/// A ticket as the index sees it: public replies and internal notes apart. Custom
/// values of the text kinds are searchable with them: a field visible to customers
/// with the public text, a staff-only one with the internal notes (so only staff
/// find a ticket by it).
fn ticket_doc<'a>(
    source: TicketSource,
    custom: impl Iterator<Item = (&'a CustomField, &'a str)>,
) -> TicketDoc {
    let mut public = Vec::new();
    let mut internal = Vec::new();
    for event in &source.events {
        let text = match &event.kind {
            EventKind::Reply { body }
            | EventKind::Note { body }
            | EventKind::Call { body, .. }
            | EventKind::WalkIn { body, .. } => body.clone(),
            _ => continue,
        };
        if event.visibility == Visibility::Public {
            public.push(text);
        } else {
            internal.push(text);
        }
    }
    for (field, stored) in custom {
        let Some(text) = custom_text(field, stored) else {
            continue;
        };
        if field.spec.customer_visible {
            public.push(text);
        } else {
            internal.push(text);
        }
    }
    let language = Language::from_tag(source.requester_locale.as_deref().unwrap_or("en"));
    TicketDoc::from_ticket(&source.ticket, public, internal, language)
}

fn article_doc(article: &Article) -> ArticleDoc {
    ArticleDoc {
        id: article.id.get(),
        title: article.content.title.clone(),
        body: markdown::plain_text(&article.content.body),
        kind: article.content.kind,
        visibility: article.content.visibility,
        status: article.content.status,
        category_id: article.content.category_id,
        language: Language::from_tag(&article.content.language),
        created_at: article.created_at,
        updated_at: article.updated_at,
    }
}

fn person_doc(user: &User, organizations: &BTreeMap<OrganizationId, String>) -> PersonDoc {
    PersonDoc {
        id: user.id,
        name: user.name.clone(),
        email: user.email.as_str().to_owned(),
        role: user.role,
        organization_id: user.organization_id,
        organization_name: user
            .organization_id
            .and_then(|o| organizations.get(&o).cloned()),
    }
}

fn asset_doc(asset: &Asset, names: &BTreeMap<UserId, String>) -> AssetDoc {
    AssetDoc {
        id: asset.id.get(),
        tag: asset.tag.clone(),
        serial: asset.serial.clone(),
        asset_type: asset.asset_type.as_str().to_owned(),
        model: match (&asset.manufacturer, &asset.model) {
            (Some(maker), Some(model)) => Some(format!("{maker} {model}")),
            (maker, model) => maker.clone().or_else(|| model.clone()),
        },
        location: asset.location.clone(),
        assigned_to: asset.assigned_to,
        assigned_name: asset.assigned_to.and_then(|u| names.get(&u).cloned()),
    }
}

/// Applies what the feeds hold beyond the index's checkpoint, step by step, until
/// nothing is left (or a young gap stops it).
async fn catch_up(engine: &SearchEngine, db: &dyn Store, force: bool) -> Result<CatchUp, AppError> {
    let mut gaps = engine.feed.lock().await;
    let mut total = CatchUp::default();
    loop {
        // A long catch-up (a rebuild from the first event) ends between two batches
        // when the desk stops; the checkpoint keeps what was applied.
        if engine.is_stopping.load(Ordering::SeqCst) {
            return Ok(total);
        }
        let index = &engine.index;
        let mut batch = Batch::new();
        let mut cursors = index.cursors();

        let after = index.last_event_id();
        let events = db.events_after(after, EVENT_BATCH).await?;
        let ids: Vec<i64> = events.iter().map(|(e, _)| e.get()).collect();
        let taken = gaps
            .events
            .accept(after.map_or(0, |e| e.get()), &ids, force);
        let events = &events[..taken];
        let tickets: BTreeSet<TicketId> = events.iter().map(|(_, t)| *t).collect();
        let tickets: Vec<TicketId> = tickets.into_iter().collect();
        for doc in ticket_docs(db, &tickets).await? {
            batch.upsert(doc);
        }
        if let Some((last, _)) = events.last() {
            batch.up_to(*last);
        }

        let versions = db
            .article_versions_after(cursors.article_version, SMALL_BATCH)
            .await?;
        let ids: Vec<i64> = versions.iter().map(|(v, _)| *v).collect();
        let taken = gaps
            .articles
            .accept(cursors.article_version.unwrap_or(0), &ids, force);
        let versions = &versions[..taken];
        let articles: BTreeSet<ArticleId> = versions.iter().map(|(_, a)| *a).collect();
        for id in articles {
            batch.upsert(article_doc(&db.get_article(id).await?));
        }
        if let Some((last, _)) = versions.last() {
            cursors.article_version = Some(*last);
        }

        let person_after = match cursors.person {
            Some((micros, id)) => Some((
                Timestamp::from_microsecond(micros)
                    .map_err(|e| AppError::Internal(format!("search cursor: {e}")))?,
                UserId(id),
            )),
            None => None,
        };
        let people = db.users_changed_after(person_after, SMALL_BATCH).await?;
        let mut organizations = BTreeMap::new();
        for org in people.iter().filter_map(|p| p.organization_id) {
            if let std::collections::btree_map::Entry::Vacant(slot) = organizations.entry(org) {
                slot.insert(db.get_organization(org).await?.name);
            }
        }
        for person in &people {
            batch.upsert(person_doc(person, &organizations));
        }
        if let Some(last) = people.last() {
            cursors.person = Some((last.updated_at.as_microsecond(), last.id.get()));
        }

        let asset_after = match cursors.asset {
            Some((micros, id)) => Some((
                Timestamp::from_microsecond(micros)
                    .map_err(|e| AppError::Internal(format!("search cursor: {e}")))?,
                AssetId(id),
            )),
            None => None,
        };
        let assets = db.assets_changed_after(asset_after, SMALL_BATCH).await?;
        let holders: BTreeSet<UserId> = assets.iter().filter_map(|a| a.assigned_to).collect();
        let mut names = BTreeMap::new();
        for holder in holders {
            match db.get_user(holder).await {
                Ok(user) => {
                    names.insert(holder, user.name);
                }
                Err(ferrodesk_store::StoreError::NotFound { .. }) => {}
                Err(other) => return Err(other.into()),
            }
        }
        for asset in &assets {
            batch.upsert(asset_doc(asset, &names));
        }
        if let Some(last) = assets.last() {
            cursors.asset = Some((last.updated_at.as_microsecond(), last.id.get()));
        }

        if events.is_empty() && versions.is_empty() && people.is_empty() && assets.is_empty() {
            return Ok(total);
        }
        // A short read means the feeds are drained: what arrives while this batch is
        // applied waits for the next poll, so under steady writes the index commits
        // once per poll rather than back to back. Full reads are a backlog and go on.
        let is_backlog = events.len() >= EVENT_BATCH as usize
            || versions.len() >= SMALL_BATCH as usize
            || people.len() >= SMALL_BATCH as usize
            || assets.len() >= SMALL_BATCH as usize;
        total.documents += batch.len();
        batch.with_cursors(cursors);
        let index = engine.index.clone();
        blocking(move || index.apply(batch)).await?;
        if !is_backlog {
            return Ok(total);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gap_waits_for_its_grace_unless_forced() {
        let mut gap = Gap::default();
        assert_eq!(gap.accept(0, &[1, 2, 3], false), 3);
        assert_eq!(gap.accept(3, &[4, 6, 7], false), 1, "stops before the gap");
        assert_eq!(gap.accept(4, &[6, 7], false), 0, "still young");
        assert_eq!(gap.accept(4, &[6, 7], true), 2, "forced");
        gap.open = Some((4, Instant::now() - GAP_GRACE));
        assert_eq!(gap.accept(4, &[6, 7], false), 2, "old gaps are rollbacks");
    }
}
