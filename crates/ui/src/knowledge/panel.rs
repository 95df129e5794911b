//! `/agent/tickets/{id}/knowledge`: the ticket view's knowledge panel (suggested
//! articles, similar resolved tickets with their resolution, "solved by article", and
//! "create an article from this ticket").

use super::articles::article_id;
use super::search::{HitView, Opener, hit_view};
use crate::UiState;
use crate::agent::ticket_id;
use crate::error::{PageResult, render};
use crate::form::Form;
use crate::session::Staff;
use crate::view::language_name;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use ferrodesk_domain::TicketStatus;

pub(super) fn routes() -> Router<UiState> {
    Router::new()
        .route("/tickets/{id}/knowledge", get(ticket_panel))
        .route("/tickets/{id}/knowledge/link", post(link))
}

/// A similar resolved ticket.
#[derive(Debug, Clone)]
struct SimilarView {
    hit: HitView,
    resolution: String,
}

/// A suggested article, and whether it is already linked as having solved the ticket.
#[derive(Debug, Clone)]
struct SuggestedView {
    hit: HitView,
    is_linked: bool,
    /// The article's language in its own words, when the requester reads another.
    other_language: Option<String>,
}

#[derive(Template)]
#[template(path = "agent/kb_panel_body.html")]
struct PanelBody {
    ticket_id: i64,
    csrf: String,
    articles: Vec<SuggestedView>,
    similar: Vec<SimilarView>,
    is_resolved: bool,
    can_link: bool,
}

/// `GET /agent/tickets/{id}/knowledge`: the panel's content, loaded after the page.
async fn ticket_panel(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
) -> PageResult {
    let id = ticket_id(&raw)?;
    let ticket = state.app.tickets().get(&viewer.actor, id).await?;
    let search = state.app.search();
    let articles = search.articles_for_ticket(&viewer.actor, id, 5).await?;
    let similar = search.similar_tickets(&viewer.actor, id, 5).await?;
    let linked = state.app.kb().linked_articles(&viewer.actor, id).await?;
    let body = PanelBody {
        ticket_id: id.get(),
        csrf: viewer.csrf.clone(),
        articles: articles
            .hits
            .into_iter()
            .map(|h| {
                let other_language =
                    (h.language != articles.language).then(|| language_name(h.language.code()));
                let hit = hit_view(h, Opener::Agent);
                let is_linked = linked.iter().any(|a| a.get() == hit.id);
                SuggestedView {
                    hit,
                    is_linked,
                    other_language,
                }
            })
            .collect(),
        similar: similar
            .into_iter()
            .map(|s| SimilarView {
                hit: hit_view(s.hit, Opener::Agent),
                resolution: s.resolution.unwrap_or_default(),
            })
            .collect(),
        is_resolved: matches!(ticket.status, TicketStatus::Resolved | TicketStatus::Closed),
        can_link: ticket.status != TicketStatus::Closed && viewer.actor.can_work(&ticket),
    };
    Ok(render(StatusCode::OK, &body))
}

/// `POST /agent/tickets/{id}/knowledge/link`: "solved by this article".
async fn link(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    let id = ticket_id(&raw)?;
    let article = article_id(form.get("article_id"))?;
    let linked = state
        .app
        .kb()
        .link_to_ticket(&viewer.actor, id, article)
        .await?;
    if linked.is_replayed() {
        return Ok(
            Redirect::to(&format!("/agent/tickets/{}?done=already_linked", id.get()))
                .into_response(),
        );
    }
    if let Ok(ticket) = state.app.tickets().get(&viewer.actor, id).await {
        state.live.publish(vec![ticket]);
    }
    Ok(Redirect::to(&format!("/agent/tickets/{}?done=solved_by", id.get())).into_response())
}
