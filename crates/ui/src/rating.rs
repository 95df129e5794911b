//! Satisfaction ratings in the browser: the signed link from the resolution mail
//! (`/rate/{token}`, no sign-in needed) and the portal ticket page's rating panel
//! (`/portal/tickets/{id}/rating`, loaded after the page).
//!
//! The link page trusts only the token: the rating service checks its signature,
//! expiry and that the resolution it names is still the ticket's current one. A
//! tampered or unknown link answers the 404 page.

use crate::UiState;
use crate::chrome::Chrome;
use crate::error::{PageError, PageResult, render};
use crate::form::{FieldErrors, Form, FormData, PublicForm};
use crate::session::{Viewer, is_htmx};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse as _, Redirect, Response};
use axum::routing::get;
use ferrodesk_app::AppError;
use ferrodesk_domain::{Channel, TicketStatus};

/// `/rate/{token}`.
pub(crate) fn public_routes() -> Router<UiState> {
    Router::new().route("/rate/{token}", get(link_page).post(rate_with_link))
}

/// `/portal/tickets/{id}/rating`.
pub(crate) fn portal_routes() -> Router<UiState> {
    Router::new().route("/tickets/{id}/rating", get(portal_panel).post(portal_rate))
}

/// The five scores with their words.
#[derive(Debug, Clone)]
struct ScoreChoice {
    value: i64,
    label: &'static str,
    checked: bool,
}

fn score_choices(current: &str) -> Vec<ScoreChoice> {
    [
        (5, "5 · Very happy"),
        (4, "4 · Happy"),
        (3, "3 · Neutral"),
        (2, "2 · Unhappy"),
        (1, "1 · Very unhappy"),
    ]
    .into_iter()
    .map(|(value, label)| ScoreChoice {
        value,
        label,
        checked: current == value.to_string(),
    })
    .collect()
}

/// Reads score and comment; a missing or odd score is an error next to the field.
fn read_form(form: &FormData, errors: &mut FieldErrors) -> Option<i64> {
    match form.get("score").trim().parse::<i64>() {
        Ok(score) => Some(score),
        Err(_) => {
            errors.add("score", "choose a score from 1 to 5");
            None
        }
    }
}

/// Files a refused rating under its field; conflicts (already rated, reopened) go to
/// the form as a whole.
fn absorb(errors: &mut FieldErrors, error: AppError) -> PageResult<()> {
    errors.absorb(error, &[("score", "score"), ("comment", "comment")], "")
}

// --- the signed link -----------------------------------------------------------------

#[derive(Template)]
#[template(path = "rate.html")]
struct LinkPage {
    token: String,
    number: String,
    subject: String,
    rated: Option<i64>,
    scores: Vec<ScoreChoice>,
    input: FormData,
    errors: FieldErrors,
}

async fn link_view(
    state: &UiState,
    token: &str,
    input: FormData,
    errors: FieldErrors,
) -> PageResult<LinkPage> {
    let link = state.app.ratings().link_state(token).await?;
    Ok(LinkPage {
        token: token.to_owned(),
        number: link.ticket.id.display_number(),
        subject: link.ticket.subject,
        rated: link.rating.map(|r| r.score),
        scores: score_choices(input.get("score")),
        input,
        errors,
    })
}

/// `GET /rate/{token}`: the rating form, or the thanks once rated.
async fn link_page(State(state): State<UiState>, Path(token): Path<String>) -> PageResult {
    let page = link_view(&state, &token, FormData::default(), FieldErrors::new()).await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /rate/{token}`: records the rating.
async fn rate_with_link(
    State(state): State<UiState>,
    Path(token): Path<String>,
    PublicForm(form): PublicForm,
) -> PageResult {
    // A bad link is a 404 before anything is read.
    state.app.ratings().verify(&token).await?;
    let mut errors = FieldErrors::new();
    if let Some(score) = read_form(&form, &mut errors) {
        match state
            .app
            .ratings()
            .rate_with_link(&token, score, form.opt("comment"))
            .await
        {
            Ok(_) => {
                return Ok(Redirect::to(&format!(
                    "/rate/{}?done=rated",
                    crate::form::url_encode(&token)
                ))
                .into_response());
            }
            Err(error) => absorb(&mut errors, error)?,
        }
    }
    let page = link_view(&state, &token, form, errors).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

// --- the portal's panel ----------------------------------------------------------------

/// What the panel shows.
#[derive(Debug, Clone)]
struct Panel {
    ticket_id: i64,
    csrf: String,
    can_rate: bool,
    rated: Option<i64>,
    comment: String,
    scores: Vec<ScoreChoice>,
    input: FormData,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "portal/rating_body.html")]
struct PanelBody {
    ticket_id: i64,
    csrf: String,
    can_rate: bool,
    rated: Option<i64>,
    comment: String,
    scores: Vec<ScoreChoice>,
    input: FormData,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "portal/rating_page.html")]
struct PanelPage {
    chrome: Chrome,
    ticket_id: i64,
    csrf: String,
    can_rate: bool,
    rated: Option<i64>,
    comment: String,
    scores: Vec<ScoreChoice>,
    input: FormData,
    errors: FieldErrors,
}

/// The panel alone for htmx, or on a page of its own (no script, or a refused form).
fn render_panel(viewer: &Viewer, panel: Panel, status: StatusCode, alone: bool) -> Response {
    if alone {
        render(
            status,
            &PanelBody {
                ticket_id: panel.ticket_id,
                csrf: panel.csrf,
                can_rate: panel.can_rate,
                rated: panel.rated,
                comment: panel.comment,
                scores: panel.scores,
                input: panel.input,
                errors: panel.errors,
            },
        )
    } else {
        render(
            status,
            &PanelPage {
                chrome: Chrome::new(viewer, "portal", "Rate your request"),
                ticket_id: panel.ticket_id,
                csrf: panel.csrf,
                can_rate: panel.can_rate,
                rated: panel.rated,
                comment: panel.comment,
                scores: panel.scores,
                input: panel.input,
                errors: panel.errors,
            },
        )
    }
}

/// `GET /portal/tickets/{id}/rating`: the rating form of a resolved request, or the
/// rating given.
async fn portal_panel(
    State(state): State<UiState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> PageResult {
    let id = crate::agent::ticket_id(&raw)?;
    let ticket = state.app.tickets().get(&viewer.actor, id).await?;
    let rating = state.app.ratings().current(&viewer.actor, id).await?;
    let panel = Panel {
        ticket_id: id.get(),
        csrf: viewer.csrf.clone(),
        can_rate: ticket.requester_id == viewer.actor.user_id
            && matches!(ticket.status, TicketStatus::Resolved | TicketStatus::Closed),
        rated: rating.as_ref().map(|r| r.score),
        comment: rating.and_then(|r| r.comment).unwrap_or_default(),
        scores: score_choices(""),
        input: FormData::default(),
        errors: FieldErrors::new(),
    };
    Ok(render_panel(
        &viewer,
        panel,
        StatusCode::OK,
        is_htmx(&headers),
    ))
}

/// `POST /portal/tickets/{id}/rating`.
async fn portal_rate(
    State(state): State<UiState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    let id = crate::agent::ticket_id(&raw)?;
    let mut errors = FieldErrors::new();
    if let Some(score) = read_form(&form, &mut errors) {
        match state
            .app
            .ratings()
            .rate(
                &viewer.actor,
                id,
                score,
                form.opt("comment"),
                Channel::Portal,
            )
            .await
        {
            Ok(_) => {
                if let Ok(ticket) = state.app.tickets().get(&viewer.actor, id).await {
                    state.live.publish(vec![ticket]);
                }
                return Ok(
                    Redirect::to(&format!("/portal/tickets/{}?done=rated", id.get()))
                        .into_response(),
                );
            }
            Err(AppError::Forbidden { message }) => return Err(PageError::Forbidden(message)),
            Err(error) => absorb(&mut errors, error)?,
        }
    }
    let panel = Panel {
        ticket_id: id.get(),
        csrf: viewer.csrf.clone(),
        can_rate: true,
        rated: None,
        comment: String::new(),
        scores: score_choices(form.get("score")),
        input: form,
        errors,
    };
    Ok(render_panel(
        &viewer,
        panel,
        StatusCode::UNPROCESSABLE_ENTITY,
        false,
    ))
}
