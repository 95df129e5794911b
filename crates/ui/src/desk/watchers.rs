//! Watching tickets: watch and unwatch a ticket, add and remove other watchers, and
//! `/agent/watching`, the tickets one watches.

use super::assets::person_by_email;
use super::publish;
use crate::UiState;
use crate::agent::{Sidebar, ticket_id};
use crate::chrome::Chrome;
use crate::error::{PageError, PageResult, render};
use crate::form::{FieldErrors, Form};
use crate::session::Staff;
use crate::view::Names;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Redirect};
use axum::routing::{get, post};
use ferrodesk_domain::{Channel, QueueColumn, UserId};

pub(super) fn routes() -> Router<UiState> {
    Router::new()
        .route("/tickets/{id}/watch", post(watch))
        .route("/tickets/{id}/watchers/add", post(add_watcher))
        .route("/tickets/{id}/watchers/remove", post(remove_watcher))
        .route("/watching", get(watching_page))
}

/// `POST /agent/tickets/{id}/watch`: `action=watch` or `action=unwatch` for the viewer.
async fn watch(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    let id = ticket_id(&raw)?;
    let watchers = state.app.watchers();
    let done = match form.get("action") {
        "watch" => {
            watchers
                .add(&viewer.actor, id, None, Channel::Agent)
                .await?;
            "watching"
        }
        "unwatch" => {
            watchers
                .remove(&viewer.actor, id, None, Channel::Agent)
                .await?;
            "unwatched"
        }
        _ => return Err(PageError::BadRequest("choose watch or unwatch".into())),
    };
    publish(&state, &viewer, id).await;
    Ok(Redirect::to(&format!("/agent/tickets/{}?done={done}", id.get())).into_response())
}

/// `POST /agent/tickets/{id}/watchers/add`: adds the person with the given email.
async fn add_watcher(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    let id = ticket_id(&raw)?;
    let mut errors = FieldErrors::new();
    let person = person_by_email(
        &state,
        &viewer.actor,
        form.get("watcher_email"),
        &mut errors,
    )
    .await?;
    let Some(person) = person else {
        let message = errors
            .get("assigned_to")
            .unwrap_or("give the email address of a person")
            .to_owned();
        return Err(PageError::Refused(message));
    };
    state
        .app
        .watchers()
        .add(&viewer.actor, id, Some(person), Channel::Agent)
        .await?;
    publish(&state, &viewer, id).await;
    Ok(Redirect::to(&format!("/agent/tickets/{}?done=watcher_added", id.get())).into_response())
}

/// `POST /agent/tickets/{id}/watchers/remove`: removes the watcher `user_id`.
async fn remove_watcher(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    let id = ticket_id(&raw)?;
    let person = form
        .get("user_id")
        .trim()
        .parse::<i64>()
        .map(UserId)
        .map_err(|_| PageError::BadRequest("choose a watcher".into()))?;
    state
        .app
        .watchers()
        .remove(&viewer.actor, id, Some(person), Channel::Agent)
        .await?;
    publish(&state, &viewer, id).await;
    Ok(Redirect::to(&format!("/agent/tickets/{}?done=watcher_removed", id.get())).into_response())
}

#[derive(Template)]
#[template(path = "agent/watching.html")]
struct WatchingPage {
    chrome: Chrome,
    sidebar: Sidebar,
    /// The viewer's queue columns.
    columns: Vec<QueueColumn>,
    rows: Vec<crate::agent::QueueRow>,
    empty_message: &'static str,
    next_href: Option<String>,
}

/// `GET /agent/watching`: the tickets the viewer watches.
async fn watching_page(State(state): State<UiState>, Staff(viewer): Staff) -> PageResult {
    let tickets = state.app.watchers().watching(&viewer.actor).await?;
    let mut names = Names::load(&state, &viewer.actor).await?;
    let people = crate::agent::queue_people(&tickets);
    names.add_users(&state, &viewer.actor, people).await?;
    let times = crate::view::Times::new(&viewer.user, state.app.now());
    let sidebar = Sidebar::load(&state, &viewer.actor, &names, "watching").await?;
    let columns = state
        .app
        .saved_filters()
        .queue_columns(&viewer.actor)
        .await?;
    let page = WatchingPage {
        chrome: Chrome::new(&viewer, "agent", "Watching"),
        sidebar,
        columns: columns.columns().to_vec(),
        rows: tickets
            .iter()
            .map(|t| {
                let row = crate::view::TicketRow::new(t, &names, &times);
                crate::agent::QueueRow::new(row, t, &columns, &names, &times)
            })
            .collect(),
        empty_message: " You watch no tickets. Use Watch on a ticket to follow it here.",
        next_href: None,
    };
    Ok(render(StatusCode::OK, &page))
}
