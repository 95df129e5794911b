//! `/agent/search`: the search box in the top bar (`/` focuses it), and the search
//! result views the portal's search shares.

use crate::UiState;
use crate::agent::Sidebar;
use crate::chrome::Chrome;
use crate::error::{PageResult, render};
use crate::form::url_encode;
use crate::session::Staff;
use crate::view::{Choice, Names};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use ferrodesk_domain::{TicketStatus, Visibility};
use ferrodesk_search::{DocKind, DocStatus, SearchFilters, SearchHit, SearchRequest};
use serde::Deserialize;

pub(super) fn routes() -> Router<UiState> {
    Router::new().route("/search", get(search_page))
}

/// One search result as shown.
#[derive(Debug, Clone)]
pub(crate) struct HitView {
    /// The ticket number, article id or person id.
    pub id: i64,
    /// `ticket`, `article`, `person`.
    pub kind: &'static str,
    /// Where it opens; `None` when the searcher has no page for it (an agent has
    /// none for a person: their account page is the admin's).
    pub href: Option<String>,
    /// Ticket number or article id, as a label.
    pub label: String,
    /// Title with `<mark>`s (escaped by the index).
    pub title_html: String,
    /// Snippet with `<mark>`s (escaped by the index).
    pub snippet_html: String,
    /// Whether the snippet quotes an internal note.
    pub is_internal_snippet: bool,
    /// Status word.
    pub status: String,
    /// Internal article.
    pub is_internal: bool,
}

/// Whose pages a search result links to: the portal's, an agent's or an admin's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Opener {
    /// A requester in the portal.
    Portal,
    /// An agent: the workspace, no admin screens.
    Agent,
    /// An admin: the workspace and the admin screens.
    Admin,
}

impl Opener {
    /// The opener for a staff member.
    pub(crate) fn staff(actor: &ferrodesk_domain::Actor) -> Opener {
        if actor.is_admin() {
            Opener::Admin
        } else {
            Opener::Agent
        }
    }
}

pub(crate) fn hit_view(hit: SearchHit, opener: Opener) -> HitView {
    let id = hit.key.id;
    let portal = opener == Opener::Portal;
    let (kind, href, label) = match hit.key.kind {
        DocKind::Ticket => (
            "ticket",
            Some(if portal {
                format!("/portal/tickets/{id}")
            } else {
                format!("/agent/tickets/{id}")
            }),
            format!("#{id}"),
        ),
        DocKind::Article => (
            "article",
            Some(if portal {
                format!("/portal/kb/{id}")
            } else {
                format!("/agent/kb/{id}")
            }),
            "Article".to_owned(),
        ),
        DocKind::Person => (
            "person",
            (opener == Opener::Admin).then(|| format!("/admin/users/{id}")),
            "Person".to_owned(),
        ),
        DocKind::Asset => (
            "asset",
            (!portal).then(|| format!("/agent/assets/{id}")),
            "Asset".to_owned(),
        ),
    };
    HitView {
        id: hit.key.id,
        kind,
        href,
        label,
        title_html: hit.title_html,
        snippet_html: hit.snippet_html,
        is_internal_snippet: hit.snippet_source == ferrodesk_search::SnippetSource::InternalNote,
        status: match hit.status {
            Some(DocStatus::Ticket(s)) if portal => {
                crate::view::portal_status_badge(s).label.to_owned()
            }
            Some(DocStatus::Ticket(s)) => crate::view::status_word(s).to_owned(),
            Some(DocStatus::Article(s)) => crate::view::article_status_label(s).to_owned(),
            None => String::new(),
        },
        is_internal: hit.visibility == Some(Visibility::Internal),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    page: usize,
}

impl SearchQuery {
    /// The text searched for.
    pub(crate) fn q(&self) -> &str {
        &self.q
    }

    /// The page asked for, from 0.
    pub(crate) fn page(&self) -> usize {
        self.page.min(100)
    }
}

/// Results per page.
const PAGE_SIZE: usize = 20;

/// Runs a search for a results page; bad filter values are ignored (the page offers
/// only valid ones).
pub(crate) async fn run_search(
    state: &UiState,
    actor: &ferrodesk_domain::Actor,
    query: &SearchQuery,
    opener: Opener,
) -> PageResult<(usize, Vec<HitView>)> {
    let mut filters = SearchFilters::default();
    filters.kinds.extend(DocKind::parse(&query.kind));
    if let Ok(status) = TicketStatus::parse(&query.status) {
        filters.ticket_statuses.push(status);
    }
    let request = SearchRequest {
        text: query.q.chars().take(500).collect(),
        filters,
        offset: query.page.min(100) * PAGE_SIZE,
        limit: PAGE_SIZE,
        is_prefix_last: false,
    };
    let results = state.app.search().search(actor, request).await?;
    Ok((
        results.total,
        results
            .hits
            .into_iter()
            .map(|h| hit_view(h, opener))
            .collect(),
    ))
}

#[derive(Template)]
#[template(path = "agent/search.html")]
struct SearchPage {
    chrome: Chrome,
    sidebar: Sidebar,
    q: String,
    total: usize,
    hits: Vec<HitView>,
    kinds: Vec<Choice>,
    statuses: Vec<Choice>,
    prev_href: Option<String>,
    next_href: Option<String>,
}

fn page_href(base: &str, query: &SearchQuery, page: usize) -> String {
    format!(
        "{base}?q={}&kind={}&status={}&page={page}",
        url_encode(&query.q),
        url_encode(&query.kind),
        url_encode(&query.status)
    )
}

async fn search_page(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Query(query): Query<SearchQuery>,
) -> PageResult {
    let (total, hits) =
        run_search(&state, &viewer.actor, &query, Opener::staff(&viewer.actor)).await?;
    let names = Names::load(&state, &viewer.actor).await?;
    let sidebar = Sidebar::load(&state, &viewer.actor, &names, "").await?;
    let kinds = [
        ("", "Everything"),
        ("ticket", "Tickets"),
        ("article", "Articles"),
        ("person", "People"),
    ]
    .into_iter()
    .map(|(v, l)| Choice::new(v, l, v == query.kind))
    .collect();
    let mut statuses = vec![Choice::new("", "Any status", query.status.is_empty())];
    statuses.extend(TicketStatus::ALL.iter().map(|s| {
        Choice::new(
            s.as_str(),
            crate::view::status_word(*s),
            s.as_str() == query.status,
        )
    }));
    let shown = query.page.min(100) * PAGE_SIZE + hits.len();
    let page = SearchPage {
        chrome: Chrome::new(&viewer, "agent", format!("Search: {}", query.q))
            .search(query.q.clone()),
        sidebar,
        q: query.q.clone(),
        total,
        prev_href: (query.page > 0).then(|| page_href("/agent/search", &query, query.page - 1)),
        next_href: (shown < total && query.page < 100)
            .then(|| page_href("/agent/search", &query, query.page + 1)),
        hits,
        kinds,
        statuses,
    };
    Ok(render(StatusCode::OK, &page))
}
