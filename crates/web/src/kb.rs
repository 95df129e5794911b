//! `/api/v1/kb/articles`: the knowledge base. Staff write, publish and archive
//! articles (every version kept); customers read published public articles, vote on
//! them, and get them suggested while writing a request. Also the ticket side:
//! suggested articles and similar resolved tickets, "solved by article", and a draft
//! article from a resolved ticket.

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authenticated, TicketPath};
use crate::search::{HitResponse, hit_response};
use crate::tickets::created;
use crate::types::{ArticleKind, ArticleStatus, PageResponse, Visibility, nullable, page_request};
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use ferrodesk_app::{ArticleFilter, ArticleInput, ArticlePatch, ArticleQuery};
use ferrodesk_domain::{Article, ArticleId, ArticleVersion, CategoryId, ServiceId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Suggestions returned at most, per list.
const MAX_SUGGESTIONS: usize = 10;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_article, list_articles))
        .routes(routes!(get_article, update_article))
        .routes(routes!(list_versions))
        .routes(routes!(vote))
        .routes(routes!(record_deflection))
        .routes(routes!(suggest))
        .routes(routes!(deflection))
        .routes(routes!(link_article))
        .routes(routes!(ticket_suggestions))
        .routes(routes!(article_draft))
}

/// A knowledge-base article.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleResponse {
    /// Id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Body, Markdown as written.
    pub body: String,
    /// Body rendered to sanitized HTML.
    pub body_html: String,
    /// Troubleshooting, FAQ or training.
    pub kind: ArticleKind,
    /// Draft, published or archived.
    pub status: ArticleStatus,
    /// Public (portal) or internal (staff only).
    pub visibility: Visibility,
    /// Language tag, lowercased (`en`, `pt-br`).
    pub language: String,
    /// Category.
    pub category_id: Option<i64>,
    /// Related products and services.
    pub service_ids: Vec<i64>,
    /// Current version, 1 for a new article.
    pub version: i64,
    /// Who wrote the first version.
    pub author_id: Option<i64>,
    /// "Was this helpful?" yes votes.
    pub helpful_votes: i64,
    /// "Was this helpful?" no votes.
    pub unhelpful_votes: i64,
    /// Created.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

pub(crate) fn article_response(article: Article) -> ArticleResponse {
    let c = article.content;
    ArticleResponse {
        id: article.id.get(),
        body_html: ferrodesk_app::render_markdown(&c.body),
        title: c.title,
        body: c.body,
        kind: c.kind.into(),
        status: c.status.into(),
        visibility: c.visibility.into(),
        language: c.language,
        category_id: c.category_id.map(CategoryId::get),
        service_ids: c.service_ids.iter().map(|s| s.get()).collect(),
        version: article.version,
        author_id: article.author_id.map(|u| u.get()),
        helpful_votes: article.helpful_votes,
        unhelpful_votes: article.unhelpful_votes,
        created_at: article.created_at,
        updated_at: article.updated_at,
    }
}

/// An article to write (staff).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateArticleRequest {
    /// Title, 1-200 characters.
    pub title: String,
    /// Markdown body, up to 100,000 characters.
    #[serde(default)]
    pub body: String,
    /// Default `troubleshooting`.
    pub kind: Option<ArticleKind>,
    /// Default `draft`.
    pub status: Option<ArticleStatus>,
    /// Default `public`.
    pub visibility: Option<Visibility>,
    /// Language tag, default `en`.
    pub language: Option<String>,
    /// Category.
    pub category_id: Option<i64>,
    /// Related products and services.
    #[serde(default)]
    pub service_ids: Vec<i64>,
}

/// Writes an article (staff); it starts at version 1.
#[utoipa::path(
    post,
    path = "/api/v1/kb/articles",
    tag = "knowledge base",
    request_body = CreateArticleRequest,
    responses(
        (status = 201, description = "the new article", body = ArticleResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "staff only", body = ErrorBody),
        (status = 404, description = "unknown category or service", body = ErrorBody),
        (status = 422, description = "invalid title, body or language", body = ErrorBody),
    )
)]
async fn create_article(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(r): ApiJson<CreateArticleRequest>,
) -> Result<Response, ApiError> {
    let input = ArticleInput {
        title: r.title,
        body: r.body,
        kind: r.kind.map(Into::into),
        status: r.status.map(Into::into),
        visibility: r.visibility.map(Into::into),
        language: r.language,
        category_id: r.category_id.map(CategoryId),
        service_ids: r.service_ids.into_iter().map(ServiceId).collect(),
    };
    let article = state.app.kb().create(&auth.actor, input).await?;
    let location = format!("/api/v1/kb/articles/{}", article.id);
    Ok(created(article_response(article), &location, false))
}

/// Article listing filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListArticlesQuery {
    /// Only this status (customers always get published).
    #[param(inline)]
    pub status: Option<ArticleStatus>,
    /// Only this visibility (customers always get public).
    #[param(inline)]
    pub visibility: Option<Visibility>,
    /// Only this kind.
    #[param(inline)]
    pub kind: Option<ArticleKind>,
    /// Only this category.
    pub category_id: Option<i64>,
    /// Only this language tag.
    pub language: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1-200.
    pub limit: Option<i64>,
}

/// Lists articles, newest first: every article for staff, published public ones for
/// customers.
#[utoipa::path(
    get,
    path = "/api/v1/kb/articles",
    tag = "knowledge base",
    params(ListArticlesQuery),
    responses(
        (status = 200, description = "a page of articles", body = PageResponse<ArticleResponse>),
        (status = 400, description = "a query parameter is wrong", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
    )
)]
async fn list_articles(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiQuery(q): ApiQuery<ListArticlesQuery>,
) -> Result<Json<PageResponse<ArticleResponse>>, ApiError> {
    let query = ArticleQuery {
        filter: ArticleFilter {
            status: q.status.map(Into::into),
            visibility: q.visibility.map(Into::into),
            kind: q.kind.map(Into::into),
            category_id: q.category_id.map(CategoryId),
            language: q.language.map(|l| l.trim().to_ascii_lowercase()),
        },
        page: page_request(q.cursor.as_deref(), q.limit)?,
    };
    let page = state.app.kb().list(&auth.actor, &query).await?;
    Ok(Json(PageResponse::from_page(page, article_response)))
}

/// Reads an article. Customers get 404 for drafts, archived and internal articles.
#[utoipa::path(
    get,
    path = "/api/v1/kb/articles/{id}",
    tag = "knowledge base",
    params(("id" = i64, Path, description = "article id")),
    responses(
        (status = 200, description = "the article", body = ArticleResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 404, description = "no such article, or not visible to you", body = ErrorBody),
    )
)]
async fn get_article(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ArticleResponse>, ApiError> {
    let article = state.app.kb().get(&auth.actor, ArticleId(id)).await?;
    Ok(Json(article_response(article)))
}

/// A change to an article; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateArticleRequest {
    /// The version you edited; if the article changed since, the update is refused
    /// with 409 `version_conflict`.
    pub version: Option<i64>,
    /// New title.
    pub title: Option<String>,
    /// New Markdown body.
    pub body: Option<String>,
    /// New kind.
    pub kind: Option<ArticleKind>,
    /// New status (publish, archive).
    pub status: Option<ArticleStatus>,
    /// New visibility.
    pub visibility: Option<Visibility>,
    /// New language tag.
    pub language: Option<String>,
    /// New category, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub category_id: Option<Option<i64>>,
    /// New related services.
    pub service_ids: Option<Vec<i64>>,
}

/// Saves a new version of an article (staff).
#[utoipa::path(
    patch,
    path = "/api/v1/kb/articles/{id}",
    tag = "knowledge base",
    params(("id" = i64, Path, description = "article id")),
    request_body = UpdateArticleRequest,
    responses(
        (status = 200, description = "the article at its new version", body = ArticleResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "staff only", body = ErrorBody),
        (status = 404, description = "no such article, category or service", body = ErrorBody),
        (status = 409, description = "the article changed since `version`", body = ErrorBody),
        (status = 422, description = "invalid field, or nothing changes", body = ErrorBody),
    )
)]
async fn update_article(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<UpdateArticleRequest>,
) -> Result<Json<ArticleResponse>, ApiError> {
    let patch = ArticlePatch {
        expected_version: r.version,
        title: r.title,
        body: r.body,
        kind: r.kind.map(Into::into),
        status: r.status.map(Into::into),
        visibility: r.visibility.map(Into::into),
        language: r.language,
        category_id: r.category_id.map(|c| c.map(CategoryId)),
        service_ids: r
            .service_ids
            .map(|ids| ids.into_iter().map(ServiceId).collect()),
    };
    let article = state
        .app
        .kb()
        .update(&auth.actor, ArticleId(id), patch)
        .await?;
    Ok(Json(article_response(article)))
}

/// One saved version of an article.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleVersionResponse {
    /// Version number.
    pub version: i64,
    /// Who saved it.
    pub actor_id: Option<i64>,
    /// The fields this version changed.
    pub changed_fields: Vec<String>,
    /// Title then.
    pub title: String,
    /// Body then.
    pub body: String,
    /// Status then.
    pub status: ArticleStatus,
    /// Visibility then.
    pub visibility: Visibility,
    /// Kind then.
    pub kind: ArticleKind,
    /// Language then.
    pub language: String,
    /// When it was saved.
    pub created_at: Timestamp,
}

fn version_response(v: ArticleVersion) -> ArticleVersionResponse {
    ArticleVersionResponse {
        version: v.version,
        actor_id: v.actor_id.map(|u| u.get()),
        changed_fields: v.changed_fields,
        title: v.content.title,
        body: v.content.body,
        status: v.content.status.into(),
        visibility: v.content.visibility.into(),
        kind: v.content.kind.into(),
        language: v.content.language,
        created_at: v.created_at,
    }
}

/// An article's versions.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionsResponse {
    /// Newest first.
    pub items: Vec<ArticleVersionResponse>,
}

/// Every version of an article, newest first, with who changed what (staff).
#[utoipa::path(
    get,
    path = "/api/v1/kb/articles/{id}/versions",
    tag = "knowledge base",
    params(("id" = i64, Path, description = "article id")),
    responses(
        (status = 200, description = "the versions", body = VersionsResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "staff only", body = ErrorBody),
        (status = 404, description = "no such article", body = ErrorBody),
    )
)]
async fn list_versions(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<VersionsResponse>, ApiError> {
    let versions = state.app.kb().versions(&auth.actor, ArticleId(id)).await?;
    Ok(Json(VersionsResponse {
        items: versions.into_iter().map(version_response).collect(),
    }))
}

/// A "was this helpful?" answer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoteRequest {
    /// Yes or no.
    pub helpful: bool,
}

/// Answers "was this helpful?"; one vote per person, a second replaces the first.
#[utoipa::path(
    post,
    path = "/api/v1/kb/articles/{id}/votes",
    tag = "knowledge base",
    params(("id" = i64, Path, description = "article id")),
    request_body = VoteRequest,
    responses(
        (status = 200, description = "the article with its new counts", body = ArticleResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 404, description = "no such article, or not visible to you", body = ErrorBody),
    )
)]
async fn vote(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<VoteRequest>,
) -> Result<Json<ArticleResponse>, ApiError> {
    let article = state
        .app
        .kb()
        .vote(&auth.actor, ArticleId(id), r.helpful)
        .await?;
    Ok(Json(article_response(article)))
}

/// A customer opened a suggested article while writing a request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeflectionRequest {
    /// What they had typed.
    #[serde(default)]
    pub query: String,
}

/// Records that a customer opened an article suggested by the new-request form; if
/// they do not submit a request within two hours, it counts as deflected (customers).
#[utoipa::path(
    post,
    path = "/api/v1/kb/articles/{id}/deflections",
    tag = "knowledge base",
    params(("id" = i64, Path, description = "article id")),
    request_body = DeflectionRequest,
    responses(
        (status = 204, description = "recorded"),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "customers only", body = ErrorBody),
        (status = 404, description = "no such article, or not visible to you", body = ErrorBody),
    )
)]
async fn record_deflection(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<DeflectionRequest>,
) -> Result<axum::http::StatusCode, ApiError> {
    state
        .app
        .kb()
        .record_deflection(&auth.actor, ArticleId(id), &r.query)
        .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// What is being typed.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SuggestQuery {
    /// The text so far; the last word matches as a prefix.
    pub q: String,
    /// How many, 1-10 (default 5).
    pub limit: Option<usize>,
}

/// Suggestions.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionsResponse {
    /// Best first.
    pub items: Vec<HitResponse>,
}

fn suggestion_limit(limit: Option<usize>) -> Result<usize, ApiError> {
    match limit {
        None => Ok(5),
        Some(n) if (1..=MAX_SUGGESTIONS).contains(&n) => Ok(n),
        Some(n) => Err(ApiError::InvalidQuery(format!(
            "limit must be between 1 and {MAX_SUGGESTIONS}, not {n}"
        ))),
    }
}

/// Published articles matching a request being typed (deflection): public ones for
/// customers, internal ones too for staff.
#[utoipa::path(
    get,
    path = "/api/v1/kb/suggestions",
    tag = "knowledge base",
    params(SuggestQuery),
    responses(
        (status = 200, description = "matching articles", body = SuggestionsResponse),
        (status = 400, description = "a query parameter is wrong", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
    )
)]
async fn suggest(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiQuery(q): ApiQuery<SuggestQuery>,
) -> Result<Json<SuggestionsResponse>, ApiError> {
    let limit = suggestion_limit(q.limit)?;
    let hits = state
        .app
        .search()
        .suggest_articles(&auth.actor, &q.q, limit)
        .await?;
    Ok(Json(SuggestionsResponse {
        items: hits.into_iter().map(hit_response).collect(),
    }))
}

/// The period of the deflection figures.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeflectionQuery {
    /// The last this many days (default 30).
    pub days: Option<i64>,
}

/// How often suggestions kept customers from filing a request.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeflectionResponse {
    /// The period, in days.
    pub days: i64,
    /// Suggested articles customers opened from the new-request form.
    pub opened: i64,
    /// Of those, how many were not followed by a request.
    pub deflected: i64,
}

/// Deflection figures (staff).
#[utoipa::path(
    get,
    path = "/api/v1/kb/deflection",
    tag = "knowledge base",
    params(DeflectionQuery),
    responses(
        (status = 200, description = "the figures", body = DeflectionResponse),
        (status = 400, description = "a query parameter is wrong", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "staff only", body = ErrorBody),
    )
)]
async fn deflection(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiQuery(q): ApiQuery<DeflectionQuery>,
) -> Result<Json<DeflectionResponse>, ApiError> {
    let days = q.days.unwrap_or(30);
    if !(1..=3650).contains(&days) {
        return Err(ApiError::InvalidQuery(format!(
            "days must be between 1 and 3650, not {days}"
        )));
    }
    let counts = state.app.kb().deflection(&auth.actor, days).await?;
    Ok(Json(DeflectionResponse {
        days,
        opened: counts.opened,
        deflected: counts.deflected,
    }))
}

/// The article that solved a ticket.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkArticleRequest {
    /// The article.
    pub article_id: i64,
}

/// Records that an article solved the ticket: an `article_linked` event ("solved by
/// article"), public when the article is public (staff who may work the ticket). Once
/// per ticket and article: linking the same article again adds nothing and answers
/// 200 with the event that linked it (also when two requests race).
#[utoipa::path(
    post,
    path = "/api/v1/tickets/{id}/articles",
    tag = "knowledge base",
    params(("id" = String, Path, description = "ticket number")),
    request_body = LinkArticleRequest,
    responses(
        (status = 201, description = "the event", body = crate::events::EventResponse),
        (status = 200, description = "the article was already linked: the event that linked it; nothing was added", body = crate::events::EventResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "you may not work this ticket", body = ErrorBody),
        (status = 404, description = "no such ticket or article", body = ErrorBody),
        (status = 409, description = "the ticket is closed", body = ErrorBody),
    )
)]
async fn link_article(
    State(state): State<AppState>,
    auth: Authenticated,
    TicketPath(id): TicketPath,
    ApiJson(r): ApiJson<LinkArticleRequest>,
) -> Result<Response, ApiError> {
    let linked = state
        .app
        .kb()
        .link_to_ticket(&auth.actor, id, ArticleId(r.article_id))
        .await?;
    let location = format!("/api/v1/tickets/{}/events", id.get());
    let is_replayed = linked.is_replayed();
    let event = crate::events::event_response(linked.into_inner());
    Ok(if is_replayed {
        axum::response::IntoResponse::into_response((axum::http::StatusCode::OK, Json(event)))
    } else {
        created(event, &location, false)
    })
}

/// A resolved ticket like this one.
#[derive(Debug, Serialize, ToSchema)]
pub struct SimilarTicketResponse {
    /// The search result (kind `ticket`).
    #[serde(flatten)]
    pub hit: HitResponse,
    /// The reply that solved it.
    pub resolution: Option<String>,
}

/// What may help with a ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketSuggestionsResponse {
    /// Published articles, best first.
    pub articles: Vec<HitResponse>,
    /// Resolved and closed tickets like this one, most similar first.
    pub similar_tickets: Vec<SimilarTicketResponse>,
}

/// Suggested articles and similar resolved tickets with their resolution, ranked by
/// relevance (staff).
#[utoipa::path(
    get,
    path = "/api/v1/tickets/{id}/suggestions",
    tag = "knowledge base",
    params(("id" = String, Path, description = "ticket number")),
    responses(
        (status = 200, description = "suggestions", body = TicketSuggestionsResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "staff only", body = ErrorBody),
        (status = 404, description = "no such ticket", body = ErrorBody),
    )
)]
async fn ticket_suggestions(
    State(state): State<AppState>,
    auth: Authenticated,
    TicketPath(id): TicketPath,
) -> Result<Json<TicketSuggestionsResponse>, ApiError> {
    let search = state.app.search();
    let articles = search.articles_for_ticket(&auth.actor, id, 5).await?;
    let similar = search.similar_tickets(&auth.actor, id, 5).await?;
    Ok(Json(TicketSuggestionsResponse {
        articles: articles.hits.into_iter().map(hit_response).collect(),
        similar_tickets: similar
            .into_iter()
            .map(|s| SimilarTicketResponse {
                hit: hit_response(s.hit),
                resolution: s.resolution,
            })
            .collect(),
    }))
}

/// A draft article (not saved) built from a resolved ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleDraftResponse {
    /// The ticket's subject.
    pub title: String,
    /// Problem and solution, in Markdown.
    pub body: String,
    /// `troubleshooting`.
    pub kind: ArticleKind,
    /// `internal` until an author decides otherwise.
    pub visibility: Visibility,
    /// The ticket's category.
    pub category_id: Option<i64>,
    /// The ticket's service.
    pub service_ids: Vec<i64>,
}

/// Drafts an article from a resolved or closed ticket; post it to
/// `/api/v1/kb/articles` after editing (staff).
#[utoipa::path(
    get,
    path = "/api/v1/tickets/{id}/article-draft",
    tag = "knowledge base",
    params(("id" = String, Path, description = "ticket number")),
    responses(
        (status = 200, description = "the draft", body = ArticleDraftResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "staff only", body = ErrorBody),
        (status = 404, description = "no such ticket", body = ErrorBody),
        (status = 422, description = "the ticket is not resolved", body = ErrorBody),
    )
)]
async fn article_draft(
    State(state): State<AppState>,
    auth: Authenticated,
    TicketPath(id): TicketPath,
) -> Result<Json<ArticleDraftResponse>, ApiError> {
    let draft = state.app.kb().draft_from_ticket(&auth.actor, id).await?;
    Ok(Json(ArticleDraftResponse {
        title: draft.title,
        body: draft.body,
        kind: draft
            .kind
            .unwrap_or(ferrodesk_domain::ArticleKind::Troubleshooting)
            .into(),
        visibility: draft
            .visibility
            .unwrap_or(ferrodesk_domain::Visibility::Internal)
            .into(),
        category_id: draft.category_id.map(CategoryId::get),
        service_ids: draft.service_ids.iter().map(|s| s.get()).collect(),
    }))
}
