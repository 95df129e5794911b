//! `/agent/kb`: articles, listed, written in Markdown with a preview, edited, and read
//! with their versions (who changed what). The portal shares the article rows.

use crate::UiState;
use crate::agent::{Sidebar, ticket_id};
use crate::chrome::Chrome;
use crate::error::{PageError, PageResult, render};
use crate::form::{FieldErrors, Form, FormData, url_encode};
use crate::session::Staff;
use crate::view::{Choice, Names, Times, When, category_choices};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use ferrodesk_app::{ArticleFilter, ArticleInput, ArticlePatch, ArticleQuery, PageRequest};
use ferrodesk_domain::{Article, ArticleId, ArticleKind, ArticleStatus, CategoryId, Visibility};
use serde::Deserialize;

pub(super) fn routes() -> Router<UiState> {
    Router::new()
        .route("/kb", get(list_page))
        .route("/kb/new", get(new_page).post(create))
        .route("/kb/preview", post(preview))
        .route("/kb/{id}", get(article_page))
        .route("/kb/{id}/edit", get(edit_page).post(update))
}

/// An article in a list.
#[derive(Debug, Clone)]
pub(crate) struct ArticleRow {
    pub id: i64,
    pub title: String,
    pub kind: &'static str,
    pub status: &'static str,
    /// The status in words.
    pub status_label: &'static str,
    pub is_internal: bool,
    pub language: String,
    pub category: String,
    pub updated: When,
    pub helpful: i64,
    pub unhelpful: i64,
}

pub(crate) fn kind_label(kind: ArticleKind) -> &'static str {
    match kind {
        ArticleKind::Troubleshooting => "Troubleshooting",
        ArticleKind::Faq => "FAQ",
        ArticleKind::Training => "Training",
    }
}

/// An article field named in a version ("what changed") in words.
fn article_field_label(field: &str) -> String {
    match field {
        "title" => "title".to_owned(),
        "body" => "text".to_owned(),
        "kind" => "kind".to_owned(),
        "status" => "status".to_owned(),
        "visibility" => "visibility".to_owned(),
        "language" => "language".to_owned(),
        "category_id" => "category".to_owned(),
        "service_ids" => "services".to_owned(),
        "tags" => "tags".to_owned(),
        other => other.trim_end_matches("_id").replace('_', " "),
    }
}

pub(crate) fn article_row(article: &Article, names: &Names, times: &Times) -> ArticleRow {
    ArticleRow {
        id: article.id.get(),
        title: article.content.title.clone(),
        kind: kind_label(article.content.kind),
        status: article.content.status.as_str(),
        status_label: crate::view::article_status_label(article.content.status),
        is_internal: article.content.visibility == Visibility::Internal,
        language: crate::view::language_name(&article.content.language),
        category: names.category_or(article.content.category_id, ""),
        updated: times.at(article.updated_at),
        helpful: article.helpful_votes,
        unhelpful: article.unhelpful_votes,
    }
}

#[derive(Template)]
#[template(path = "agent/kb_list.html")]
struct ListPage {
    chrome: Chrome,
    sidebar: Sidebar,
    statuses: Vec<Choice>,
    articles: Vec<ArticleRow>,
    next_href: Option<String>,
    opened: i64,
    deflected: i64,
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    #[serde(default)]
    status: String,
    after: Option<String>,
    done: Option<String>,
}

async fn list_page(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let status = ArticleStatus::parse(&query.status).ok();
    let page = state
        .app
        .kb()
        .list(
            &viewer.actor,
            &ArticleQuery {
                filter: ArticleFilter {
                    status,
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
    let names = Names::load(&state, &viewer.actor).await?;
    let times = Times::new(&viewer.user, state.app.now());
    let sidebar = Sidebar::load(&state, &viewer.actor, &names, "kb").await?;
    let deflection = state.app.kb().deflection(&viewer.actor, 30).await?;
    let mut statuses = vec![Choice::new("", "Every status", status.is_none())];
    statuses.extend(ArticleStatus::ALL.iter().map(|s| {
        Choice::new(
            s.as_str(),
            crate::view::article_status_label(*s),
            Some(*s) == status,
        )
    }));
    let page = ListPage {
        chrome: Chrome::new(&viewer, "agent", "Knowledge base").notice(query.done.as_deref()),
        sidebar,
        next_href: page.next_cursor.map(|c| {
            format!(
                "/agent/kb?status={}&after={}",
                url_encode(&query.status),
                url_encode(&c.encode())
            )
        }),
        articles: page
            .items
            .iter()
            .map(|a| article_row(a, &names, &times))
            .collect(),
        statuses,
        opened: deflection.opened,
        deflected: deflection.deflected,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "agent/kb_edit.html")]
struct EditPage {
    chrome: Chrome,
    sidebar: Sidebar,
    /// `None` for a new article.
    id: Option<i64>,
    version: i64,
    input: FormData,
    errors: FieldErrors,
    kinds: Vec<Choice>,
    statuses: Vec<Choice>,
    visibilities: Vec<Choice>,
    categories: Vec<Choice>,
    languages: Vec<Choice>,
    preview_html: String,
}

/// The desk's languages, as an article's language is chosen: the tag saved and the
/// language's name in its own words.
const ARTICLE_LANGUAGES: [&str; 6] = ["en", "pt", "nb", "hu", "pl", "es"];

/// The desk's language a tag stands for (`pt-BR` is `pt`, the older `no` is `nb`), if
/// it is one of them.
fn desk_language(tag: &str) -> Option<&'static str> {
    let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    let primary = if matches!(primary.as_str(), "no" | "nn") {
        "nb".to_owned()
    } else {
        primary
    };
    ARTICLE_LANGUAGES.into_iter().find(|l| *l == primary)
}

fn language_choices(current: &str) -> Vec<Choice> {
    let current = desk_language(current).unwrap_or("en");
    ARTICLE_LANGUAGES
        .into_iter()
        .map(|tag| Choice::new(tag, crate::view::language_name(tag), tag == current))
        .collect()
}

fn choices<T: Copy + PartialEq>(
    all: &[T],
    current: &str,
    text: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice::new(text(*v), label(*v), text(*v) == current))
        .collect()
}

async fn edit_form(
    state: &UiState,
    viewer: &crate::session::Viewer,
    id: Option<i64>,
    version: i64,
    input: FormData,
    errors: FieldErrors,
) -> PageResult<EditPage> {
    let names = Names::load(state, &viewer.actor).await?;
    let sidebar = Sidebar::load(state, &viewer.actor, &names, "kb").await?;
    let title = if id.is_some() {
        "Edit article"
    } else {
        "New article"
    };
    Ok(EditPage {
        chrome: Chrome::new(viewer, "agent", title),
        sidebar,
        id,
        version,
        kinds: choices(
            ArticleKind::ALL,
            input.opt("kind").unwrap_or("troubleshooting"),
            ArticleKind::as_str,
            kind_label,
        ),
        statuses: choices(
            ArticleStatus::ALL,
            input.opt("status").unwrap_or("draft"),
            ArticleStatus::as_str,
            ArticleStatus::as_str,
        ),
        visibilities: vec![
            Choice::new(
                "public",
                "Public: customers see it in the portal",
                input.get("visibility") != "internal",
            ),
            Choice::new(
                "internal",
                "Internal: staff only",
                input.get("visibility") == "internal",
            ),
        ],
        categories: category_choices(&names, input.get("category_id"), "No category"),
        languages: language_choices(input.get("language")),
        preview_html: ferrodesk_app::render_markdown(input.get("body")),
        input,
        errors,
    })
}

fn article_form(article: &Article) -> FormData {
    let c = &article.content;
    let pairs = [
        ("title", c.title.clone()),
        ("body", c.body.clone()),
        ("kind", c.kind.as_str().to_owned()),
        ("status", c.status.as_str().to_owned()),
        ("visibility", c.visibility.as_str().to_owned()),
        ("language", c.language.clone()),
        (
            "category_id",
            c.category_id
                .map(|c| c.get().to_string())
                .unwrap_or_default(),
        ),
    ];
    let encoded: String = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", url_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    FormData::parse(encoded.as_bytes())
}

#[derive(Debug, Deserialize)]
struct NewQuery {
    from_ticket: Option<String>,
}

async fn new_page(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Query(query): Query<NewQuery>,
) -> PageResult {
    let input = match query.from_ticket.as_deref() {
        Some(raw) => {
            let draft = state
                .app
                .kb()
                .draft_from_ticket(&viewer.actor, ticket_id(raw)?)
                .await?;
            let encoded = format!(
                "title={}&body={}&kind=troubleshooting&status=draft&visibility=internal&language=en&category_id={}",
                url_encode(&draft.title),
                url_encode(&draft.body),
                draft
                    .category_id
                    .map(|c| c.get().to_string())
                    .unwrap_or_default()
            );
            FormData::parse(encoded.as_bytes())
        }
        None => FormData::parse(b"language=en&visibility=public"),
    };
    let page = edit_form(&state, &viewer, None, 0, input, FieldErrors::new()).await?;
    Ok(render(StatusCode::OK, &page))
}

/// Reads the form's fields, recording what is wrong in `errors`.
fn read_form(form: &FormData, errors: &mut FieldErrors) -> ArticleInput {
    let mut parse = |field: &str, ok: bool| {
        if !ok {
            errors.add(field, "choose an entry from the list");
        }
    };
    let kind = ArticleKind::parse(form.get("kind")).ok();
    parse("kind", kind.is_some());
    let status = ArticleStatus::parse(form.get("status")).ok();
    parse("status", status.is_some());
    let visibility = Visibility::parse(form.get("visibility")).ok();
    parse("visibility", visibility.is_some());
    let category_id = match form.opt("category_id") {
        None => None,
        Some(text) => match text.parse::<i64>() {
            Ok(id) => Some(CategoryId(id)),
            Err(_) => {
                errors.add("category_id", "choose an entry from the list");
                None
            }
        },
    };
    ArticleInput {
        title: form.get("title").to_owned(),
        body: form.get("body").to_owned(),
        kind,
        status,
        visibility,
        language: Some(match form.opt("language").map(desk_language) {
            None => "en".to_owned(),
            Some(Some(language)) => language.to_owned(),
            Some(None) => {
                errors.add("language", "choose one of the desk's languages");
                "en".to_owned()
            }
        }),
        category_id,
        service_ids: Vec::new(),
    }
}

/// Where image errors show on the article form.
const IMAGE_FIELDS: &[(&str, &str)] = &[("image", "images")];

const ARTICLE_FIELDS: &[(&str, &str)] = &[
    ("title", "title"),
    ("body", "body"),
    ("language", "language"),
    ("category", "category_id"),
    ("article", ""),
];

async fn create(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Form(form): Form,
) -> PageResult {
    let mut errors = FieldErrors::new();
    let input = read_form(&form, &mut errors);
    if errors.is_empty() {
        match state.app.kb().create(&viewer.actor, input).await {
            Ok(article) => {
                return Ok(
                    Redirect::to(&format!("/agent/kb/{}?done=saved", article.id)).into_response(),
                );
            }
            Err(error) => errors.absorb(error, ARTICLE_FIELDS, "")?,
        }
    }
    let page = edit_form(&state, &viewer, None, 0, form, errors).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

pub(super) fn article_id(raw: &str) -> PageResult<ArticleId> {
    raw.parse::<i64>()
        .map(ArticleId)
        .map_err(|_| PageError::NotFound)
}

async fn edit_page(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
) -> PageResult {
    let article = state.app.kb().get(&viewer.actor, article_id(&raw)?).await?;
    let page = edit_form(
        &state,
        &viewer,
        Some(article.id.get()),
        article.version,
        article_form(&article),
        FieldErrors::new(),
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

async fn update(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    let id = article_id(&raw)?;
    let mut errors = FieldErrors::new();
    let mut input = read_form(&form, &mut errors);
    let version = form.get("version").parse::<i64>().ok();
    if errors.is_empty() {
        // Images chosen in the form are stored and shown at the end of the body.
        for file in form
            .files("images")
            .filter(|f| !f.filename.is_empty() && !f.bytes.is_empty())
        {
            match state
                .app
                .kb()
                .add_image(&viewer.actor, id, file.bytes.clone(), &file.filename)
                .await
            {
                Ok(image) => {
                    input.body = format!("{}\n\n{}", input.body.trim_end(), image.markdown);
                }
                Err(error) => errors.absorb(error, IMAGE_FIELDS, "images")?,
            }
        }
    }
    if errors.is_empty() {
        let patch = ArticlePatch {
            expected_version: version,
            title: Some(input.title),
            body: Some(input.body),
            kind: input.kind,
            status: input.status,
            visibility: input.visibility,
            language: input.language,
            category_id: Some(input.category_id),
            service_ids: None,
        };
        match state.app.kb().update(&viewer.actor, id, patch).await {
            Ok(article) => {
                return Ok(
                    Redirect::to(&format!("/agent/kb/{}?done=saved", article.id)).into_response(),
                );
            }
            Err(error) => errors.absorb(error, ARTICLE_FIELDS, "")?,
        }
    }
    let page = edit_form(
        &state,
        &viewer,
        Some(id.get()),
        version.unwrap_or(0),
        form,
        errors,
    )
    .await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

#[derive(Template)]
#[template(source = "{{ html|safe }}", ext = "html")]
struct Preview {
    html: String,
}

/// `POST /agent/kb/preview`: the body rendered as readers will see it.
async fn preview(Staff(_viewer): Staff, Form(form): Form) -> PageResult {
    let html = ferrodesk_app::render_markdown(form.get("body"));
    Ok(render(StatusCode::OK, &Preview { html }))
}

/// A version in the history.
#[derive(Debug, Clone)]
struct VersionRow {
    version: i64,
    actor: String,
    changed: String,
    when: When,
}

#[derive(Template)]
#[template(path = "agent/kb_article.html")]
struct ArticlePage {
    chrome: Chrome,
    sidebar: Sidebar,
    a: ArticleRow,
    author: String,
    body_html: String,
    versions: Vec<VersionRow>,
}

#[derive(Debug, Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

async fn article_page(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
    Query(query): Query<DoneQuery>,
) -> PageResult {
    let kb = state.app.kb();
    let article = kb.get(&viewer.actor, article_id(&raw)?).await?;
    let versions = kb.versions(&viewer.actor, article.id).await?;
    let mut names = Names::load(&state, &viewer.actor).await?;
    names
        .add_users(
            &state,
            &viewer.actor,
            versions
                .iter()
                .filter_map(|v| v.actor_id)
                .chain(article.author_id),
        )
        .await?;
    let times = Times::new(&viewer.user, state.app.now());
    let sidebar = Sidebar::load(&state, &viewer.actor, &names, "kb").await?;
    let page = ArticlePage {
        chrome: Chrome::new(&viewer, "agent", article.content.title.clone())
            .notice(query.done.as_deref()),
        sidebar,
        a: article_row(&article, &names, &times),
        author: names.user_or(article.author_id, "the desk"),
        body_html: ferrodesk_app::render_markdown(&article.content.body),
        versions: versions
            .iter()
            .map(|v| VersionRow {
                version: v.version,
                actor: names.user_or(v.actor_id, "the desk"),
                changed: v
                    .changed_fields
                    .iter()
                    .map(|f| article_field_label(f))
                    .collect::<Vec<_>>()
                    .join(", "),
                when: times.at(v.created_at),
            })
            .collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_names_the_fields_it_changed_in_words() {
        assert_eq!(article_field_label("category_id"), "category");
        assert_eq!(article_field_label("body"), "text");
        assert_eq!(article_field_label("owner_id"), "owner");
    }
}
