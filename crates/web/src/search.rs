//! `GET /api/v1/search?q=`: one search over tickets, articles and people, ranked by
//! BM25, with phrases (`"blue screen"`), prefixes (`print*`), exclusions (`-vpn`),
//! typo tolerance, language-aware stemming, filters and highlighted snippets. Results
//! hold only what the caller may read through the rest of the API.

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiQuery, Authenticated};
use axum::Json;
use axum::extract::State;
use ferrodesk_domain::{CategoryId, GroupId, TicketStatus};
use ferrodesk_search::{
    ArticleStatus, DocKind, DocStatus, MAX_LIMIT, MAX_OFFSET, SearchFilters, SearchHit,
    SearchRequest, SnippetSource,
};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(search))
}

/// One search result.
#[derive(Debug, Serialize, ToSchema)]
pub struct HitResponse {
    /// `ticket`, `article` or `person`.
    pub kind: String,
    /// The ticket number, article id or person id.
    pub id: i64,
    /// Where to read it in the API.
    pub url: String,
    /// Relevance; 0 when `q` was empty.
    pub score: f32,
    /// Subject, title or name, plain text.
    pub title: String,
    /// The title, HTML-escaped, matched words in `<mark>`.
    pub title_html: String,
    /// A passage where the query matched, HTML-escaped, matched words in `<mark>`.
    pub snippet_html: String,
    /// Which part the snippet quotes: `body`, `public_reply` or `internal_note`
    /// (staff only).
    pub snippet_source: String,
    /// Ticket or article status.
    pub status: Option<String>,
    /// Article visibility.
    pub visibility: Option<String>,
    /// The language the document is indexed in.
    pub language: String,
    /// Created (tickets and articles).
    pub created_at: Option<Timestamp>,
    /// Last change (tickets and articles).
    pub updated_at: Option<Timestamp>,
}

pub(crate) fn hit_response(hit: SearchHit) -> HitResponse {
    let url = match hit.key.kind {
        DocKind::Ticket => format!("/api/v1/tickets/{}", hit.key.id),
        DocKind::Article => format!("/api/v1/kb/articles/{}", hit.key.id),
        DocKind::Person => format!("/api/v1/users/{}", hit.key.id),
        DocKind::Asset => format!("/api/v1/assets/{}", hit.key.id),
    };
    HitResponse {
        kind: hit.key.kind.as_str().to_owned(),
        id: hit.key.id,
        url,
        score: hit.score,
        title: hit.title,
        title_html: hit.title_html,
        snippet_html: hit.snippet_html,
        snippet_source: match hit.snippet_source {
            SnippetSource::Body => "body",
            SnippetSource::PublicReply => "public_reply",
            SnippetSource::InternalNote => "internal_note",
        }
        .to_owned(),
        status: hit.status.map(|s| match s {
            DocStatus::Ticket(t) => t.as_str().to_owned(),
            DocStatus::Article(a) => a.as_str().to_owned(),
        }),
        visibility: hit.visibility.map(|v| v.as_str().to_owned()),
        language: hit.language.code().to_owned(),
        created_at: hit.created_at,
        updated_at: hit.updated_at,
    }
}

/// What to search for.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Words, `"phrases"`, `prefix*`, `-excluded`; empty lists everything visible,
    /// newest change first.
    #[serde(default)]
    pub q: String,
    /// Comma-separated kinds: `ticket`, `article`, `person`.
    pub kind: Option<String>,
    /// Comma-separated ticket or article statuses (`open,resolved`, `published`).
    pub status: Option<String>,
    /// Only tickets of this group.
    pub group_id: Option<i64>,
    /// Only tickets and articles of this category.
    pub category_id: Option<i64>,
    /// Created at or after (RFC 3339).
    pub created_from: Option<Timestamp>,
    /// Created before (RFC 3339).
    pub created_before: Option<Timestamp>,
    /// The last word is still being typed: match it as a prefix.
    #[serde(default)]
    pub prefix: bool,
    /// Results to skip, up to 10,000.
    pub offset: Option<usize>,
    /// Page size, 1-100 (default 20).
    pub limit: Option<usize>,
}

/// A page of results.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResponse {
    /// How many results match in all.
    pub total: usize,
    /// This page, best first.
    pub items: Vec<HitResponse>,
}

fn list(text: Option<&str>) -> impl Iterator<Item = &str> {
    text.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Reads the query parameters into a search request.
pub(crate) fn search_request(q: SearchQuery) -> Result<SearchRequest, ApiError> {
    let mut filters = SearchFilters::default();
    for kind in list(q.kind.as_deref()) {
        filters.kinds.push(DocKind::parse(kind).ok_or_else(|| {
            ApiError::InvalidQuery(format!(
                "kind '{kind}' is not one of: ticket, article, person"
            ))
        })?);
    }
    for status in list(q.status.as_deref()) {
        if let Ok(ticket) = TicketStatus::parse(status) {
            filters.ticket_statuses.push(ticket);
        } else if let Ok(article) = ArticleStatus::parse(status) {
            filters.article_statuses.push(article);
        } else {
            return Err(ApiError::InvalidQuery(format!(
                "status '{status}' is neither a ticket nor an article status"
            )));
        }
    }
    filters.group_ids.extend(q.group_id.map(GroupId));
    filters.category_ids.extend(q.category_id.map(CategoryId));
    filters.created_from = q.created_from;
    filters.created_before = q.created_before;
    let limit = q.limit.unwrap_or(ferrodesk_search::DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::InvalidQuery(format!(
            "limit must be between 1 and {MAX_LIMIT}, not {limit}"
        )));
    }
    let offset = q.offset.unwrap_or(0);
    if offset > MAX_OFFSET {
        return Err(ApiError::InvalidQuery(format!(
            "offset must be at most {MAX_OFFSET}, not {offset}"
        )));
    }
    if q.q.chars().count() > 500 {
        return Err(ApiError::InvalidQuery(
            "q is longer than 500 characters".into(),
        ));
    }
    Ok(SearchRequest {
        text: q.q,
        filters,
        offset,
        limit,
        is_prefix_last: q.prefix,
    })
}

/// Searches tickets (subject, description, public replies; internal notes for staff),
/// articles and people (staff) that the caller may read.
#[utoipa::path(
    get,
    path = "/api/v1/search",
    tag = "search",
    params(SearchQuery),
    responses(
        (status = 200, description = "results", body = SearchResponse),
        (status = 400, description = "a query parameter is wrong", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
    )
)]
async fn search(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> Result<Json<SearchResponse>, ApiError> {
    let request = search_request(q)?;
    let results = state.app.search().search(&auth.actor, request).await?;
    Ok(Json(SearchResponse {
        total: results.total,
        items: results.hits.into_iter().map(hit_response).collect(),
    }))
}
