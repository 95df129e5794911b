//! `/agent/filters`: saved queue filters, one's own and those shared with one's
//! groups, and the sidebar's list of them.

use crate::UiState;
use crate::agent::{NavItem, Sidebar};
use crate::chrome::Chrome;
use crate::error::{PageError, PageResult, render};
use crate::form::{FieldErrors, Form};
use crate::session::{Staff, Viewer};
use crate::view::Names;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Redirect};
use axum::routing::{get, post};
use ferrodesk_app::AppError;
use ferrodesk_domain::{Actor, UserId};
use serde::Deserialize;

pub(super) fn routes() -> Router<UiState> {
    Router::new()
        .route("/filters", get(filters_page).post(save_filter))
        .route("/filters/{id}/delete", post(delete_filter))
}

/// The sidebar's saved-filter entries.
pub(crate) async fn filter_items(
    state: &UiState,
    actor: &Actor,
    active: &str,
) -> PageResult<Vec<NavItem>> {
    let filters = state.app.saved_filters().list(actor).await?;
    let mut counts = Vec::with_capacity(filters.len());
    for f in &filters {
        counts.push(crate::agent::queue::saved_view_count(state, actor, &f.filter.query).await?);
    }
    Ok(filters
        .into_iter()
        .zip(counts)
        .map(|(f, count)| {
            let key = format!("filter-{}", f.filter.id);
            NavItem {
                active: key == active,
                key,
                // `view` names the filter on its page (its title, the active entry).
                href: format!(
                    "/agent/queues/{}{}view={}",
                    f.filter.query,
                    if f.filter.query.contains('?') {
                        '&'
                    } else {
                        '?'
                    },
                    f.filter.id
                ),
                label: f.filter.name,
                count,
            }
        })
        .collect())
}

/// A saved filter as listed.
#[derive(Debug, Clone)]
struct FilterRow {
    id: i64,
    name: String,
    query: String,
    /// The view in words.
    view: String,
    shared_with: String,
    owner: String,
    is_own: bool,
}

#[derive(Template)]
#[template(path = "agent/filters.html")]
struct FiltersPage {
    chrome: Chrome,
    sidebar: Sidebar,
    filters: Vec<FilterRow>,
    errors: FieldErrors,
}

async fn filters_view(
    state: &UiState,
    viewer: &Viewer,
    errors: FieldErrors,
    done: Option<&str>,
) -> PageResult<FiltersPage> {
    let filters = state.app.saved_filters().list(&viewer.actor).await?;
    let mut names = Names::load(state, &viewer.actor).await?;
    let owners: Vec<UserId> = filters.iter().map(|f| f.filter.user_id).collect();
    names.add_users(state, &viewer.actor, owners).await?;
    let sidebar = Sidebar::load(state, &viewer.actor, &names, "filters").await?;
    Ok(FiltersPage {
        chrome: Chrome::new(viewer, "agent", "Saved filters").notice(done),
        sidebar,
        filters: filters
            .into_iter()
            .map(|f| FilterRow {
                id: f.filter.id,
                shared_with: names.group_or(f.group_id, "Only the owner"),
                owner: names.user_name(f.filter.user_id),
                is_own: f.filter.user_id == viewer.actor.user_id,
                name: f.filter.name,
                view: crate::agent::queue::describe_view(&f.filter.query, &names),
                query: f.filter.query,
            })
            .collect(),
        errors,
    })
}

#[derive(Debug, Deserialize)]
struct FiltersQuery {
    done: Option<String>,
}

/// `GET /agent/filters`: the viewer's saved filters and their groups' shared ones.
async fn filters_page(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Query(query): Query<FiltersQuery>,
) -> PageResult {
    let page = filters_view(&state, &viewer, FieldErrors::new(), query.done.as_deref()).await?;
    Ok(render(StatusCode::OK, &page))
}

/// The queue view a save form came from: its live-rows address
/// (`/agent/queues/open/rows?sort=..`) turned into `open?sort=..`.
fn queue_query(from: &str) -> String {
    let rest = from.trim().trim_start_matches("/agent/queues/");
    match rest.split_once('?') {
        Some((path, params)) => format!("{}?{params}", path.trim_end_matches("/rows")),
        None => rest.trim_end_matches("/rows").to_owned(),
    }
}

/// `POST /agent/filters`: saves the queue view the form came from.
async fn save_filter(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Form(form): Form,
) -> PageResult {
    let mut errors = FieldErrors::new();
    let group = match form.opt("share") {
        None => None,
        Some(key) => match key
            .strip_prefix("group-")
            .and_then(|id| id.parse::<i64>().ok())
        {
            Some(id) => Some(ferrodesk_domain::GroupId(id)),
            None => return Err(PageError::BadRequest("choose who sees the filter".into())),
        },
    };
    let query = queue_query(form.get("from"));
    match state
        .app
        .saved_filters()
        .create(&viewer.actor, form.get("name"), &query, group)
        .await
    {
        Ok(saved) => {
            let joiner = if saved.filter.query.contains('?') {
                '&'
            } else {
                '?'
            };
            return Ok(Redirect::to(&format!(
                "/agent/queues/{}{joiner}done=filter_saved",
                saved.filter.query
            ))
            .into_response());
        }
        Err(AppError::Conflict { message, .. }) => errors.add("name", message),
        Err(error) => errors.absorb(error, &[("name", "name"), ("query", "name")], "")?,
    }
    let page = filters_view(&state, &viewer, errors, None).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// `POST /agent/filters/{id}/delete`: deletes one of the viewer's filters.
async fn delete_filter(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
    Form(_form): Form,
) -> PageResult {
    let id = raw.trim().parse::<i64>().map_err(|_| PageError::NotFound)?;
    state.app.saved_filters().delete(&viewer.actor, id).await?;
    Ok(Redirect::to("/agent/filters?done=filter_deleted").into_response())
}
