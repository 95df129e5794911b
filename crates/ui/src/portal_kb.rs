//! The portal side of the knowledge base: `/portal/kb` (browse published public
//! articles by category), `/portal/kb/faq`, article pages with "was this helpful?",
//! `/portal/search` (the portal's search box), and the suggestions the new-request
//! form shows while the subject is typed (deflection). Opening a suggested article is
//! recorded; if the customer then does not submit, the request was deflected.
//!
//! Customers only ever see published public articles: `app.kb()` and
//! `app.search()` decide, as for the API.

use crate::UiState;
use crate::chrome::Chrome;
use crate::error::{PageError, PageResult, render};
use crate::form::{Form, url_encode};
use crate::knowledge::articles::{ArticleRow, article_row, kind_label};
use crate::knowledge::search::{HitView, Opener, SearchQuery, hit_view};
use crate::session::Viewer;
use crate::view::{Names, Times};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use ferrodesk_app::{ArticleFilter, ArticleQuery, PageRequest};
use ferrodesk_domain::{ArticleId, ArticleKind, CategoryId};
use ferrodesk_search::{DocKind, SearchFilters, SearchHit, SearchRequest};
use serde::Deserialize;

pub(crate) fn routes() -> Router<UiState> {
    Router::new()
        .route("/kb", get(browse))
        .route("/kb/faq", get(faq))
        .route("/kb/suggest", get(suggest))
        .route("/kb/{id}", get(article))
        .route("/kb/{id}/vote", post(vote))
        .route("/search", get(search))
}

/// A category with its articles.
#[derive(Debug, Clone)]
struct CategoryView {
    id: i64,
    name: String,
    count: usize,
    is_current: bool,
}

#[derive(Template)]
#[template(path = "portal/kb.html")]
struct BrowsePage {
    chrome: Chrome,
    categories: Vec<CategoryView>,
    current: String,
    articles: Vec<ArticleRow>,
    next_href: Option<String>,
}

#[derive(Debug, Deserialize)]
struct BrowseQuery {
    category: Option<i64>,
    after: Option<String>,
}

async fn browse(
    State(state): State<UiState>,
    viewer: Viewer,
    Query(query): Query<BrowseQuery>,
) -> PageResult {
    let kb = state.app.kb();
    let names = Names::load(&state, &viewer.actor).await?;
    let times = Times::new(&viewer.user, state.app.now());
    let page = kb
        .list(
            &viewer.actor,
            &ArticleQuery {
                filter: ArticleFilter {
                    category_id: query.category.map(CategoryId),
                    ..ArticleFilter::default()
                },
                page: PageRequest {
                    cursor: query
                        .after
                        .as_deref()
                        .and_then(ferrodesk_app::Cursor::decode),
                    limit: 50,
                },
            },
        )
        .await?;
    // The category list counts the first 200 public articles: a help center's size.
    let all = kb
        .list(
            &viewer.actor,
            &ArticleQuery {
                filter: ArticleFilter::default(),
                page: PageRequest::first(200),
            },
        )
        .await?;
    let mut categories: Vec<CategoryView> = names
        .categories()
        .into_iter()
        .map(|(id, name)| CategoryView {
            id,
            count: all
                .items
                .iter()
                .filter(|a| a.content.category_id == Some(CategoryId(id)))
                .count(),
            is_current: query.category == Some(id),
            name,
        })
        .filter(|c| c.count > 0)
        .collect();
    categories.sort_by(|a, b| a.name.cmp(&b.name));
    let current = query
        .category
        .map(|c| names.category_or(Some(CategoryId(c)), ""))
        .unwrap_or_default();
    let next_href = page.next_cursor.map(|c| {
        format!(
            "/portal/kb?{}after={}",
            query
                .category
                .map(|c| format!("category={c}&"))
                .unwrap_or_default(),
            url_encode(&c.encode())
        )
    });
    let page = BrowsePage {
        chrome: Chrome::new(&viewer, "portal", "Help articles").nav("kb"),
        categories,
        current,
        articles: page
            .items
            .iter()
            .map(|a| article_row(a, &names, &times))
            .collect(),
        next_href,
    };
    Ok(render(StatusCode::OK, &page))
}

/// A question and its answer.
#[derive(Debug, Clone)]
struct FaqEntry {
    id: i64,
    question: String,
    answer_html: String,
}

#[derive(Template)]
#[template(path = "portal/kb_faq.html")]
struct FaqPage {
    chrome: Chrome,
    entries: Vec<FaqEntry>,
}

async fn faq(State(state): State<UiState>, viewer: Viewer) -> PageResult {
    let page = state
        .app
        .kb()
        .list(
            &viewer.actor,
            &ArticleQuery {
                filter: ArticleFilter {
                    kind: Some(ArticleKind::Faq),
                    ..ArticleFilter::default()
                },
                page: PageRequest::first(200),
            },
        )
        .await?;
    let page = FaqPage {
        chrome: Chrome::new(&viewer, "portal", "Frequently asked questions").nav("faq"),
        entries: page
            .items
            .iter()
            .map(|a| FaqEntry {
                id: a.id.get(),
                question: a.content.title.clone(),
                answer_html: ferrodesk_app::render_markdown(&a.content.body),
            })
            .collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "portal/kb_article.html")]
struct ArticlePage {
    chrome: Chrome,
    id: i64,
    title: String,
    kind: &'static str,
    category: String,
    body_html: String,
    updated: crate::view::When,
    helpful: i64,
}

#[derive(Debug, Deserialize)]
struct ArticleQueryParams {
    from: Option<String>,
    q: Option<String>,
    done: Option<String>,
}

async fn article(
    State(state): State<UiState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    Query(query): Query<ArticleQueryParams>,
) -> PageResult {
    let id = raw
        .parse::<i64>()
        .map(ArticleId)
        .map_err(|_| PageError::NotFound)?;
    let kb = state.app.kb();
    let article = kb.get(&viewer.actor, id).await?;
    if query.from.as_deref() == Some("deflection") && !viewer.actor.is_staff() {
        kb.record_deflection(&viewer.actor, id, query.q.as_deref().unwrap_or_default())
            .await?;
    }
    let names = Names::load(&state, &viewer.actor).await?;
    let times = Times::new(&viewer.user, state.app.now());
    let page = ArticlePage {
        chrome: Chrome::new(&viewer, "portal", article.content.title.clone())
            .nav("kb")
            .notice(query.done.as_deref()),
        id: id.get(),
        kind: kind_label(article.content.kind),
        category: names.category_or(article.content.category_id, ""),
        body_html: ferrodesk_app::render_markdown(&article.content.body),
        updated: times.at(article.updated_at),
        helpful: article.helpful_votes,
        title: article.content.title,
    };
    Ok(render(StatusCode::OK, &page))
}

async fn vote(
    State(state): State<UiState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    let id = raw
        .parse::<i64>()
        .map(ArticleId)
        .map_err(|_| PageError::NotFound)?;
    let is_helpful = match form.get("helpful") {
        "yes" => true,
        "no" => false,
        _ => return Err(PageError::BadRequest("answer yes or no".into())),
    };
    state.app.kb().vote(&viewer.actor, id, is_helpful).await?;
    Ok(Redirect::to(&format!("/portal/kb/{}?done=voted", id.get())).into_response())
}

#[derive(Template)]
#[template(path = "portal/search.html")]
struct SearchPage {
    chrome: Chrome,
    q: String,
    total: usize,
    articles: Vec<HitView>,
    tickets: Vec<HitView>,
    prev_href: Option<String>,
    next_href: Option<String>,
}

/// Results per page of the portal's search.
const SEARCH_PAGE_SIZE: usize = 20;

/// One page of the portal's results and how many there are in all: help articles
/// first, then tickets, so a colleague's old ticket never hides the article that
/// answers the question. An empty query searches nothing (the page explains what to
/// type instead of listing every ticket).
async fn portal_results(
    state: &UiState,
    actor: &ferrodesk_domain::Actor,
    text: &str,
    page: usize,
) -> PageResult<(usize, Vec<HitView>, Vec<HitView>)> {
    if text.trim().is_empty() {
        return Ok((0, Vec::new(), Vec::new()));
    }
    let search = state.app.search();
    let offset = page * SEARCH_PAGE_SIZE;
    let request = |kind: DocKind, offset: usize, limit: usize| SearchRequest {
        text: text.to_owned(),
        filters: SearchFilters {
            kinds: vec![kind],
            ..SearchFilters::default()
        },
        offset,
        limit,
        is_prefix_last: false,
    };
    let articles = search
        .search(actor, request(DocKind::Article, offset, SEARCH_PAGE_SIZE))
        .await?;
    // Tickets fill the page after the last article; their offset counts from there.
    let room = SEARCH_PAGE_SIZE - articles.hits.len();
    let ticket_offset = (offset + articles.hits.len()).saturating_sub(articles.total);
    let tickets = search
        .search(actor, request(DocKind::Ticket, ticket_offset, room.max(1)))
        .await?;
    let ticket_hits = if room == 0 { Vec::new() } else { tickets.hits };
    let view = |hits: Vec<SearchHit>| -> Vec<HitView> {
        hits.into_iter()
            .map(|h| hit_view(h, Opener::Portal))
            .collect()
    };
    Ok((
        articles.total + tickets.total,
        view(articles.hits),
        view(ticket_hits),
    ))
}

async fn search(
    State(state): State<UiState>,
    viewer: Viewer,
    Query(query): Query<SearchQuery>,
) -> PageResult {
    let q: String = query.q().chars().take(500).collect();
    let page = query.page();
    let (total, articles, tickets) = portal_results(&state, &viewer.actor, &q, page).await?;
    let shown = page * SEARCH_PAGE_SIZE + articles.len() + tickets.len();
    let href = |p: usize| format!("/portal/search?q={}&page={p}", url_encode(&q));
    let page = SearchPage {
        chrome: Chrome::new(&viewer, "portal", format!("Search: {q}")).search(q.clone()),
        prev_href: (page > 0 && total > 0).then(|| href(page - 1)),
        next_href: (shown < total && page < 100).then(|| href(page + 1)),
        q,
        total,
        articles,
        tickets,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "portal/kb_suggest.html")]
struct Suggestions {
    query: String,
    hits: Vec<HitView>,
}

#[derive(Debug, Deserialize)]
struct SuggestQuery {
    #[serde(default)]
    subject: String,
}

/// `GET /portal/kb/suggest?subject=`: articles matching the subject being typed.
async fn suggest(
    State(state): State<UiState>,
    viewer: Viewer,
    Query(query): Query<SuggestQuery>,
) -> PageResult {
    let text: String = query.subject.chars().take(200).collect();
    let hits = state
        .app
        .search()
        .suggest_articles(&viewer.actor, &text, 5)
        .await?;
    let page = Suggestions {
        query: url_encode(&text),
        hits: hits
            .into_iter()
            .map(|h| hit_view(h, Opener::Portal))
            .collect(),
    };
    Ok(render(StatusCode::OK, &page))
}
