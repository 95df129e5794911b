//! The index itself: opening it, applying batches with their checkpoint, and
//! answering searches, similar-ticket and suggested-article queries.
//!
//! The checkpoint (the last event applied) is tantivy's commit payload, written in
//! `meta.json` by the same atomic rename that publishes the commit, so documents and
//! checkpoint can never disagree after a crash.

use std::collections::HashSet;
use std::ops::Bound;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use ferrodesk_domain::{EventId, TicketStatus, Visibility};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use tantivy::collector::{Collector, Count, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::query::{AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query, RangeQuery};
use tantivy::schema::Value;
use tantivy::{
    DocAddress, Index, IndexReader, IndexSettings, IndexWriter, Order, ReloadPolicy, Searcher,
    TantivyDocument, TantivyError, Term,
};

use crate::document::{ArticleStatus, Batch, DocKey, DocKind, FeedCursors, Operation};
use crate::error::SearchError;
use crate::highlight::{mark_all, snippet};
use crate::language::{Analyzers, Language, RAW_TOKENIZER, raw_analyzer};
use crate::query::{Built, Clause, Highlight, QueryBuilder, parse};
use crate::request::{
    DocStatus, MAX_LIMIT, MAX_OFFSET, SearchFilters, SearchHit, SearchRequest, SearchResults,
    SimilarTo, SnippetSource,
};
use crate::schema::{Fields, Part, UPDATED_FIELD};
use crate::scope::{Scoped, SearchScope, all_of, i64_term, kind_term, text_term};

mod suggest;

/// Bumped whenever the analysis changes in a way the schema does not show (a new
/// stemming rule): an index written with another version is emptied on open and the
/// desk rebuilds it from the first event.
const ANALYSIS_VERSION: u32 = 1;
/// Indexing memory of an on-disk index, split between its threads.
const DISK_WRITER_BYTES: usize = 50_000_000;
/// Indexing threads of an on-disk index; the desk shares its cores with the web server.
const DISK_WRITER_THREADS: usize = 1;
/// Indexing memory of an in-memory index (tantivy's minimum for one thread).
const MEMORY_WRITER_BYTES: usize = 15_000_000;
/// At most this many distinct words of a ticket describe it for similar tickets.
const MAX_SIMILAR_WORDS: usize = 24;
/// Words shorter than this say little about what a ticket is about.
const MIN_SIMILAR_WORD_CHARS: usize = 3;

/// What the commit payload holds.
#[derive(Debug, Serialize, Deserialize)]
struct Checkpoint {
    analysis_version: u32,
    last_event_id: Option<i64>,
    #[serde(default)]
    cursors: FeedCursors,
}

/// The search index: one per data directory, shared by every request (it is `Sync`).
pub struct SearchIndex {
    reader: IndexReader,
    fields: Fields,
    analyzers: Analyzers,
    /// `None` once [`SearchIndex::close_merged`] closed it.
    writer: Mutex<Option<IndexWriter<TantivyDocument>>>,
    last_event_id: Mutex<Option<EventId>>,
    cursors: Mutex<FeedCursors>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("last_event_id", &self.last_event_id())
            .finish_non_exhaustive()
    }
}

impl SearchIndex {
    /// Opens the index in `dir`, creating the directory and an empty index if needed.
    ///
    /// The directory belongs to the index. When it holds an index written by a version
    /// of Ferrodesk with another schema or analysis, that index is replaced by an empty
    /// one with no checkpoint, so the desk rebuilds it from the first event.
    ///
    /// # Errors
    /// [`SearchError::Directory`] when the directory cannot be created;
    /// [`SearchError::Unavailable`] when the index cannot be opened, for instance
    /// because another process is writing to it.
    pub fn open(dir: &Path) -> Result<SearchIndex, SearchError> {
        std::fs::create_dir_all(dir).map_err(|source| SearchError::Directory {
            path: dir.to_path_buf(),
            source,
        })?;
        let (schema, fields) = Fields::build();
        let directory = || MmapDirectory::open(dir).map_err(TantivyError::from);
        let index = match Index::open_or_create(directory()?, schema.clone()) {
            Ok(index) if stored_checkpoint(&index).is_ok() => index,
            Ok(_) | Err(TantivyError::SchemaError(_)) => {
                Index::create(directory()?, schema, IndexSettings::default())?
            }
            Err(other) => return Err(other.into()),
        };
        SearchIndex::start(index, fields, DISK_WRITER_THREADS, DISK_WRITER_BYTES)
    }

    /// An empty index in memory, for tests.
    ///
    /// # Errors
    /// [`SearchError::Unavailable`] when tantivy cannot start its writer.
    pub fn in_memory() -> Result<SearchIndex, SearchError> {
        let (schema, fields) = Fields::build();
        let index = Index::create_in_ram(schema);
        SearchIndex::start(index, fields, 1, MEMORY_WRITER_BYTES)
    }

    fn start(
        index: Index,
        fields: Fields,
        threads: usize,
        bytes: usize,
    ) -> Result<SearchIndex, SearchError> {
        index.tokenizers().register(RAW_TOKENIZER, raw_analyzer());
        let (last_event_id, cursors) = stored_checkpoint(&index)?;
        let writer = index.writer_with_num_threads(threads, bytes)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            reader,
            fields,
            analyzers: Analyzers::new(),
            writer: Mutex::new(Some(writer)),
            last_event_id: Mutex::new(last_event_id),
            cursors: Mutex::new(cursors),
        })
    }

    /// The last event the index reflects; `None` for an empty or just cleared index,
    /// which the desk fills from the first event.
    pub fn last_event_id(&self) -> Option<EventId> {
        *self
            .last_event_id
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Where the index stands in the article and people feeds.
    pub fn cursors(&self) -> FeedCursors {
        *self
            .cursors
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Applies a batch in one commit: upserts replace the document with the same kind
    /// and id, deletes remove it, and the batch's checkpoint (if it has one) becomes
    /// the index's. Searches see the changes as soon as this returns.
    ///
    /// A rebuild should put its checkpoint on its last batch only, so a crash in the
    /// middle leaves no checkpoint and the next start rebuilds again.
    ///
    /// # Errors
    /// [`SearchError::Unavailable`] when the commit fails; then none of the batch is
    /// applied.
    pub fn apply(&self, batch: Batch) -> Result<(), SearchError> {
        let (operations, last_event_id, cursors) = batch.into_parts();
        if operations.is_empty() && last_event_id.is_none() && cursors.is_none() {
            return Ok(());
        }
        let mut guard = self.lock_writer();
        let writer = open_writer(&mut guard)?;
        let checkpoint = last_event_id.or_else(|| self.last_event_id());
        let cursors = cursors.unwrap_or_else(|| self.cursors());
        let result = self.write(writer, operations, checkpoint, cursors);
        self.finish(writer, result, checkpoint, cursors)
    }

    /// Removes every document and the checkpoint, in one commit (the first step of a
    /// rebuild).
    ///
    /// # Errors
    /// [`SearchError::Unavailable`] when the commit fails; then nothing is removed.
    pub fn clear(&self) -> Result<(), SearchError> {
        let mut guard = self.lock_writer();
        let writer = open_writer(&mut guard)?;
        let result = writer
            .delete_all_documents()
            .map_err(SearchError::from)
            .and_then(|_| commit(writer, None, FeedCursors::default()));
        self.finish(writer, result, None, FeedCursors::default())
    }

    /// How many documents the index holds, for every actor.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Searches what `scope` may see.
    ///
    /// Every word must match (stemmed in any language, as a prefix, or with a typo);
    /// results are ranked by BM25, or newest change first when the text is empty.
    ///
    /// # Errors
    /// [`SearchError::InvalidRequest`] for a limit outside 1 to [`MAX_LIMIT`] or an
    /// offset above [`MAX_OFFSET`]; [`SearchError::Unavailable`] when the index cannot
    /// be read.
    pub fn search(
        &self,
        scope: &SearchScope,
        request: &SearchRequest,
    ) -> Result<SearchResults, SearchError> {
        check_page(request.offset, request.limit)?;
        let mut analyzers = self.analyzers.clone();
        let clauses = parse(&request.text, request.is_prefix_last);
        let searcher = self.reader.searcher();
        // Typos are looked for only when the words as written (and their inflected
        // forms) fill less than a page: a typo match ranks below every real match
        // anyway, and expanding a common word into its near neighbours costs more than
        // the rest of the query on a large desk. The choice depends on the query and
        // the page size only, so every page of one search agrees on it.
        let build = |is_fuzzy: bool, analyzers: &mut Analyzers| {
            QueryBuilder::new(
                &self.fields,
                analyzers,
                scope.matched(),
                &Language::ALL,
                is_fuzzy,
            )
            .build(&clauses)
        };
        let run = |built: Built| {
            let positive = if built.positive.is_empty() {
                None
            } else {
                Some(Box::new(BooleanQuery::intersection(built.positive)) as Box<dyn Query>)
            };
            let mut filters = self.filters(&request.filters);
            filters.extend(scope.filter(&self.fields));
            let query = assemble(positive, built.negative, filters);
            let page = Page {
                offset: request.offset,
                limit: request.limit,
                is_ranked: !built.highlight.is_empty(),
            };
            let (docs, total) = collect(&searcher, query.as_ref(), scope, page)?;
            Ok::<_, SearchError>((docs, total, built.highlight))
        };
        let (mut docs, mut total, mut highlight) = run(build(false, &mut analyzers))?;
        if total < request.limit {
            let with_typos = build(true, &mut analyzers);
            // Only when some word is long enough for a typo is there more to find.
            if !with_typos.highlight.fuzzy.is_empty() {
                (docs, total, highlight) = run(with_typos)?;
            }
        }
        let hits = docs
            .into_iter()
            .map(|(score, address)| {
                self.hit(&searcher, address, score, scope, &highlight, &mut analyzers)
            })
            .collect::<Result<_, _>>()?;
        Ok(SearchResults { total, hits })
    }

    /// Resolved and closed tickets that look like the one described, most similar
    /// first, within `scope` ("how did others solve this?").
    ///
    /// The subject and description are cut into their distinct words, stop words left
    /// out (at most 24 words); a ticket matching more of them, and rarer ones, ranks
    /// higher; with three words or more, at least two must match.
    ///
    /// # Errors
    /// [`SearchError::InvalidRequest`] for a limit outside 1 to [`MAX_LIMIT`];
    /// [`SearchError::Unavailable`] when the index cannot be read.
    pub fn similar_tickets(
        &self,
        scope: &SearchScope,
        similar: &SimilarTo,
    ) -> Result<Vec<SearchHit>, SearchError> {
        check_page(0, similar.limit)?;
        let mut analyzers = self.analyzers.clone();
        let clauses = describing_words(&mut analyzers, similar);
        let languages = with_english(similar.language);
        let built = QueryBuilder::new(
            &self.fields,
            &mut analyzers,
            scope.matched(),
            &languages,
            false,
        )
        .build(&clauses);
        if built.positive.is_empty() {
            return Ok(Vec::new());
        }
        let required = if built.positive.len() >= 3 { 2 } else { 1 };
        let positive: Box<dyn Query> = Box::new(BooleanQuery::union_with_minimum_required_clauses(
            built.positive,
            required,
        ));
        let mut filters = vec![
            kind_term(&self.fields, DocKind::Ticket),
            Box::new(BooleanQuery::union(vec![
                text_term(self.fields.status, TicketStatus::Resolved.as_str()),
                text_term(self.fields.status, TicketStatus::Closed.as_str()),
            ])) as Box<dyn Query>,
        ];
        filters.extend(scope.filter(&self.fields));
        let mut negative = built.negative;
        if let Some(id) = similar.exclude {
            negative.push(text_term(self.fields.key, &DocKey::ticket(id).to_string()));
        }
        let query = assemble(Some(positive), negative, filters);
        let page = Page {
            offset: 0,
            limit: similar.limit,
            is_ranked: true,
        };
        let results = self.run(
            scope,
            query.as_ref(),
            page,
            &built.highlight,
            &mut analyzers,
        )?;
        Ok(results.hits)
    }

    /// Closes the index for writing once the merges of its segments are done; searches
    /// still work, writes are refused from then on.
    ///
    /// Every commit adds a segment, and tantivy merges them in the background; a writer
    /// that is simply dropped abandons a merge under way, and the next one to commit
    /// starts it over. An index just built from scratch is many segments, so a tool
    /// that built one and hands it to a server calls this to hand it over merged. It
    /// commits once more with the same checkpoint, so the merge policy looks at every
    /// segment, and waits for the merges that starts.
    ///
    /// # Errors
    /// [`SearchError::Unavailable`] when the commit or a merge fails, or the index was
    /// closed already; what was committed before stays.
    pub fn close_merged(&self) -> Result<(), SearchError> {
        let mut guard = self.lock_writer();
        let mut writer = guard.take().ok_or_else(closed)?;
        commit(&mut writer, self.last_event_id(), self.cursors())?;
        writer.wait_merging_threads()?;
        Ok(())
    }

    fn lock_writer(&self) -> MutexGuard<'_, Option<IndexWriter<TantivyDocument>>> {
        match self.writer.lock() {
            Ok(writer) => writer,
            Err(poisoned) => {
                // A batch panicked half-way: drop what it left uncommitted, so the next
                // commit holds only whole batches.
                let mut writer = poisoned.into_inner();
                if let Some(writer) = writer.as_mut() {
                    let _rolled_back = writer.rollback();
                }
                self.writer.clear_poison();
                writer
            }
        }
    }

    fn write(
        &self,
        writer: &mut IndexWriter<TantivyDocument>,
        operations: Vec<Operation>,
        checkpoint: Option<EventId>,
        cursors: FeedCursors,
    ) -> Result<(), SearchError> {
        let mut analyzers = self.analyzers.clone();
        for operation in operations {
            match operation {
                Operation::Upsert(doc) => {
                    writer.delete_term(self.key_term(doc.key()));
                    writer.add_document(self.fields.to_tantivy(&doc, &mut analyzers))?;
                }
                Operation::Delete(key) => {
                    writer.delete_term(self.key_term(key));
                }
            }
        }
        commit(writer, checkpoint, cursors)
    }

    /// Publishes a successful commit to readers and the checkpoint, or rolls back.
    fn finish(
        &self,
        writer: &mut IndexWriter<TantivyDocument>,
        result: Result<(), SearchError>,
        checkpoint: Option<EventId>,
        cursors: FeedCursors,
    ) -> Result<(), SearchError> {
        match result {
            Ok(()) => {
                *self
                    .last_event_id
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = checkpoint;
                *self
                    .cursors
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = cursors;
                self.reader.reload()?;
                Ok(())
            }
            Err(error) => {
                // The original error is what the caller needs; a failed rollback
                // leaves the writer as unusable as the failed commit did.
                let _rolled_back = writer.rollback();
                Err(error)
            }
        }
    }

    fn key_term(&self, key: DocKey) -> Term {
        Term::from_field_text(self.fields.key, &key.to_string())
    }

    /// The request's filters as clauses every result must match.
    fn filters(&self, filters: &SearchFilters) -> Vec<Box<dyn Query>> {
        let f = &self.fields;
        let mut clauses = Vec::new();
        let mut any_of = |queries: Vec<Box<dyn Query>>| {
            if !queries.is_empty() {
                clauses.push(Box::new(BooleanQuery::union(queries)) as Box<dyn Query>);
            }
        };
        any_of(filters.kinds.iter().map(|k| kind_term(f, *k)).collect());
        any_of(
            filters
                .ticket_statuses
                .iter()
                .map(|s| s.as_str())
                .chain(filters.article_statuses.iter().map(|s| s.as_str()))
                .map(|s| text_term(f.status, s))
                .collect(),
        );
        any_of(
            filters
                .group_ids
                .iter()
                .map(|g| i64_term(f.group, g.get()))
                .collect(),
        );
        any_of(
            filters
                .category_ids
                .iter()
                .map(|c| i64_term(f.category, c.get()))
                .collect(),
        );
        if filters.created_from.is_some() || filters.created_before.is_some() {
            let micros = |t: Timestamp| Term::from_field_i64(f.created, t.as_microsecond());
            let lower = filters
                .created_from
                .map_or(Bound::Unbounded, |t| Bound::Included(micros(t)));
            let upper = filters
                .created_before
                .map_or(Bound::Unbounded, |t| Bound::Excluded(micros(t)));
            clauses.push(Box::new(RangeQuery::new(lower, upper)));
        }
        clauses
    }

    /// Runs a query and turns one page of it into hits.
    fn run(
        &self,
        scope: &SearchScope,
        query: &dyn Query,
        page: Page,
        highlight: &Highlight,
        analyzers: &mut Analyzers,
    ) -> Result<SearchResults, SearchError> {
        let searcher = self.reader.searcher();
        let (docs, total) = collect(&searcher, query, scope, page)?;
        let hits = docs
            .into_iter()
            .map(|(score, address)| {
                self.hit(&searcher, address, score, scope, highlight, analyzers)
            })
            .collect::<Result<_, _>>()?;
        Ok(SearchResults { total, hits })
    }

    /// Reads one result back and highlights it.
    fn hit(
        &self,
        searcher: &Searcher,
        address: DocAddress,
        score: f32,
        scope: &SearchScope,
        highlight: &Highlight,
        analyzers: &mut Analyzers,
    ) -> Result<SearchHit, SearchError> {
        let f = &self.fields;
        let doc: TantivyDocument = searcher.doc(address)?;
        let text = |field| doc.get_first(field).and_then(|v| v.as_str());
        let number = |field| doc.get_first(field).and_then(|v| v.as_i64());
        let kind = text(f.kind)
            .and_then(DocKind::parse)
            .ok_or_else(|| SearchError::Corrupt {
                what: "a document without a kind".to_owned(),
            })?;
        let id = number(f.id).ok_or_else(|| SearchError::Corrupt {
            what: format!("a {kind} without an id"),
        })?;
        let language = Language::from_code(text(f.language).unwrap_or_default());
        let status = text(f.status).and_then(|s| match kind {
            DocKind::Ticket => TicketStatus::parse(s).ok().map(DocStatus::Ticket),
            DocKind::Article => ArticleStatus::parse(s).ok().map(DocStatus::Article),
            DocKind::Person | DocKind::Asset => None,
        });
        let time = |field| number(field).and_then(|m| Timestamp::from_microsecond(m).ok());

        let title = text(f.stored(Part::Title)).unwrap_or_default().to_owned();
        let title_html = mark_all(&title, &highlight.matches(analyzers, language, &title));

        // The snippet quotes the value with the most matches, the body on a tie; an
        // internal note only for staff.
        let sources = [
            (Part::Body, SnippetSource::Body),
            (Part::Replies, SnippetSource::PublicReply),
            (Part::Internal, SnippetSource::InternalNote),
        ];
        let mut best: Option<(usize, &str, SnippetSource, Vec<_>)> = None;
        for (part, source) in sources {
            if part == Part::Internal && !scope.is_staff() {
                continue;
            }
            for value in doc.get_all(f.stored(part)).filter_map(|v| v.as_str()) {
                let matches = highlight.matches(analyzers, language, value);
                let count = matches.len();
                let is_better = match &best {
                    None => true,
                    Some((best_count, ..)) => count > *best_count,
                };
                if is_better {
                    best = Some((count, value, source, matches));
                }
            }
        }
        let (snippet_html, snippet_source) = match best {
            Some((_, value, source, matches)) => (snippet(value, &matches), source),
            None => (String::new(), SnippetSource::Body),
        };

        Ok(SearchHit {
            key: DocKey { kind, id },
            score,
            title,
            title_html,
            snippet_html,
            snippet_source,
            status,
            visibility: text(f.visibility).and_then(|v| Visibility::parse(v).ok()),
            language,
            created_at: time(f.created),
            updated_at: time(f.updated),
        })
    }
}

/// Which page of which ordering.
#[derive(Debug, Clone, Copy)]
struct Page {
    offset: usize,
    limit: usize,
    /// By relevance; otherwise newest change first.
    is_ranked: bool,
}

impl Highlight {
    /// Whether the query looked for any word at all.
    fn is_empty(&self) -> bool {
        self.exact.is_empty()
            && self.stems.is_empty()
            && self.prefixes.is_empty()
            && self.fuzzy.is_empty()
    }
}

/// The page of documents `query` matches, best (or newest) first, and how many match,
/// counting only what `scope` may see: an agent's scope is tested here rather than in
/// the query (see `AgentTest`).
fn collect(
    searcher: &Searcher,
    query: &dyn Query,
    scope: &SearchScope,
    page: Page,
) -> Result<(Vec<(f32, DocAddress)>, usize), SearchError> {
    fn run<C: Collector>(
        searcher: &Searcher,
        query: &dyn Query,
        scope: &SearchScope,
        collector: C,
    ) -> tantivy::Result<C::Fruit> {
        match scope.agent_test() {
            Some(test) => searcher.search(
                query,
                &Scoped {
                    test,
                    inner: collector,
                },
            ),
            None => searcher.search(query, &collector),
        }
    }
    let top = TopDocs::with_limit(page.limit).and_offset(page.offset);
    if page.is_ranked {
        Ok(run(searcher, query, scope, (top.order_by_score(), Count))?)
    } else {
        let newest_first = top.order_by_fast_field::<i64>(UPDATED_FIELD, Order::Desc);
        let (docs, total) = run(searcher, query, scope, (newest_first, Count))?;
        Ok((docs.into_iter().map(|(_, a)| (0.0, a)).collect(), total))
    }
}

/// The text clauses, exclusions and filters as one query; filters weigh nothing in
/// the score.
fn assemble(
    positive: Option<Box<dyn Query>>,
    negative: Vec<Box<dyn Query>>,
    filters: Vec<Box<dyn Query>>,
) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> =
        vec![(Occur::Must, positive.unwrap_or_else(|| Box::new(AllQuery)))];
    clauses.extend(negative.into_iter().map(|q| (Occur::MustNot, q)));
    if !filters.is_empty() {
        clauses.push((
            Occur::Must,
            Box::new(ConstScoreQuery::new(all_of(filters), 0.0)),
        ));
    }
    Box::new(BooleanQuery::new(clauses))
}

fn check_page(offset: usize, limit: usize) -> Result<(), SearchError> {
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(SearchError::InvalidRequest {
            reason: format!("limit must be between 1 and {MAX_LIMIT}, not {limit}"),
        });
    }
    if offset > MAX_OFFSET {
        return Err(SearchError::InvalidRequest {
            reason: format!("offset must be at most {MAX_OFFSET}, not {offset}"),
        });
    }
    Ok(())
}

/// The clauses less plain words that are stop words ("my printer is" → "printer"),
/// unless nothing would be left.
fn without_stop_words(
    clauses: Vec<Clause>,
    language: Language,
    analyzers: &mut Analyzers,
) -> Vec<Clause> {
    let kept: Vec<Clause> = clauses
        .iter()
        .filter(|clause| match clause {
            Clause::Word(word) => !analyzers.content_words(language, word).is_empty(),
            _ => true,
        })
        .cloned()
        .collect();
    if kept.is_empty() { clauses } else { kept }
}

/// The distinct words that describe a ticket (subject, then description), stop words
/// and very short words left out, at most [`MAX_SIMILAR_WORDS`].
fn describing_words(analyzers: &mut Analyzers, similar: &SimilarTo) -> Vec<Clause> {
    let mut clauses = Vec::new();
    let mut seen = HashSet::new();
    for text in [&similar.subject, &similar.description] {
        for token in analyzers.content_words(similar.language, text) {
            if clauses.len() == MAX_SIMILAR_WORDS {
                break;
            }
            if token.text.chars().count() >= MIN_SIMILAR_WORD_CHARS
                && seen.insert(token.text.clone())
            {
                let original = &text[token.offset_from..token.offset_to];
                clauses.push(Clause::Word(original.to_owned()));
            }
        }
    }
    clauses
}

fn with_english(language: Language) -> Vec<Language> {
    if language == Language::English {
        vec![Language::English]
    } else {
        vec![language, Language::English]
    }
}

/// The writer of an index not closed yet.
fn open_writer(
    writer: &mut Option<IndexWriter<TantivyDocument>>,
) -> Result<&mut IndexWriter<TantivyDocument>, SearchError> {
    writer.as_mut().ok_or_else(closed)
}

fn closed() -> SearchError {
    SearchError::Unavailable(TantivyError::InvalidArgument(
        "the index was closed for writing".into(),
    ))
}

/// Commits what the writer holds, with the checkpoint as payload.
fn commit(
    writer: &mut IndexWriter<TantivyDocument>,
    last_event_id: Option<EventId>,
    cursors: FeedCursors,
) -> Result<(), SearchError> {
    let payload = serde_json::to_string(&Checkpoint {
        analysis_version: ANALYSIS_VERSION,
        last_event_id: last_event_id.map(EventId::get),
        cursors,
    })
    .map_err(|error| SearchError::Corrupt {
        what: format!("checkpoint: {error}"),
    })?;
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&payload);
    prepared.commit()?;
    Ok(())
}

/// The checkpoint of the last commit; an error when it was written by another
/// analysis version or cannot be read.
fn stored_checkpoint(index: &Index) -> Result<(Option<EventId>, FeedCursors), SearchError> {
    let Some(payload) = index.load_metas()?.payload else {
        return Ok((None, FeedCursors::default()));
    };
    let checkpoint: Checkpoint =
        serde_json::from_str(&payload).map_err(|error| SearchError::Corrupt {
            what: format!("checkpoint: {error}"),
        })?;
    if checkpoint.analysis_version != ANALYSIS_VERSION {
        return Err(SearchError::Corrupt {
            what: format!(
                "checkpoint of analysis version {}, expected {ANALYSIS_VERSION}",
                checkpoint.analysis_version
            ),
        });
    }
    Ok((checkpoint.last_event_id.map(EventId), checkpoint.cursors))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_shareable<T: Send + Sync>() {}

    #[test]
    fn one_index_can_be_shared_by_every_request() {
        is_shareable::<SearchIndex>();
    }

    #[test]
    fn pages_outside_the_limits_are_refused() {
        assert!(check_page(0, 1).is_ok());
        assert!(check_page(MAX_OFFSET, MAX_LIMIT).is_ok());
        assert!(check_page(0, 0).is_err());
        assert!(check_page(MAX_OFFSET + 1, 10).is_err());
    }
}
