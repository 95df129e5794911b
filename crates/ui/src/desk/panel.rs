//! `/agent/tickets/{id}/desk`: the ticket view's side panel, loaded after the page,
//! with the requester's assets and the ticket's linked assets (link, unlink).

use super::assets::{AssetRow, asset_id, rows};
use super::publish;
use crate::UiState;
use crate::agent::ticket_id;
use crate::error::{PageError, PageResult, render};
use crate::form::{FieldErrors, Form, FormData};
use crate::session::Staff;
use crate::view::Names;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Redirect};
use axum::routing::{get, post};
use ferrodesk_app::{AssetFilter, PageRequest};
use ferrodesk_domain::{Actor, Asset, AssetId, Channel};

pub(super) fn routes() -> Router<UiState> {
    Router::new()
        .route("/tickets/{id}/desk", get(ticket_panel))
        .route("/tickets/{id}/assets/link", post(link))
        .route("/tickets/{id}/assets/unlink", post(unlink))
}

#[derive(Template)]
#[template(path = "agent/desk_panel_body.html")]
struct PanelBody {
    ticket_id: i64,
    csrf: String,
    requester: String,
    can_work: bool,
    linked: Vec<AssetRow>,
    theirs: Vec<AssetRow>,
    watchers: Vec<WatcherRow>,
    is_watching: bool,
    rating: Option<RatingView>,
}

/// The requester's rating of the current resolution.
#[derive(Debug, Clone)]
struct RatingView {
    score: i64,
    comment: String,
}

/// A watcher as shown in the panel.
#[derive(Debug, Clone)]
struct WatcherRow {
    id: i64,
    name: String,
    is_viewer: bool,
}

/// `GET /agent/tickets/{id}/desk`: the requester's assets and the ticket's linked
/// assets, loaded after the page.
async fn ticket_panel(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
) -> PageResult {
    let id = ticket_id(&raw)?;
    let ticket = state.app.tickets().get(&viewer.actor, id).await?;
    let assets = state.app.assets();
    let linked = assets.of_ticket(&viewer.actor, id).await?;
    let filter = AssetFilter {
        assigned_to: Some(ticket.requester_id),
        ..AssetFilter::default()
    };
    let theirs = assets
        .list(&viewer.actor, filter, &PageRequest::first(20))
        .await?
        .items;
    let mut names = Names::load(&state, &viewer.actor).await?;
    names
        .add_users(&state, &viewer.actor, [ticket.requester_id])
        .await?;
    let watchers = state.app.watchers().list(&viewer.actor, id).await?;
    let rating = state
        .app
        .ratings()
        .current(&viewer.actor, id)
        .await?
        .map(|r| RatingView {
            score: r.score,
            comment: r.comment.unwrap_or_default(),
        });
    names
        .add_users(&state, &viewer.actor, watchers.iter().map(|w| w.user_id))
        .await?;
    let theirs: Vec<Asset> = theirs
        .into_iter()
        .filter(|a| !linked.iter().any(|l| l.id == a.id))
        .collect();
    let body = PanelBody {
        ticket_id: id.get(),
        csrf: viewer.csrf.clone(),
        requester: names.user_name(ticket.requester_id),
        can_work: viewer.actor.can_work(&ticket)
            && ticket.status != ferrodesk_domain::TicketStatus::Closed,
        linked: rows(&state, &viewer, &linked, &mut names).await?,
        theirs: rows(&state, &viewer, &theirs, &mut names).await?,
        is_watching: watchers.iter().any(|w| w.user_id == viewer.actor.user_id),
        rating,
        watchers: watchers
            .iter()
            .map(|w| WatcherRow {
                id: w.user_id.get(),
                name: names.user_name(w.user_id),
                is_viewer: w.user_id == viewer.actor.user_id,
            })
            .collect(),
    };
    Ok(render(StatusCode::OK, &body))
}

/// The asset a panel form names: by id (a listed asset) or by tag (typed in).
async fn named_asset(state: &UiState, actor: &Actor, form: &FormData) -> PageResult<AssetId> {
    if let Some(id) = form.opt("asset_id") {
        return asset_id(id).map_err(|_| PageError::Refused("choose an asset".into()));
    }
    let tag = form.get("asset_tag").trim();
    if tag.is_empty() {
        return Err(PageError::Refused("give the asset's tag".into()));
    }
    let filter = AssetFilter {
        tag: Some(tag.to_owned()),
        ..AssetFilter::default()
    };
    state
        .app
        .assets()
        .list(actor, filter, &PageRequest::first(20))
        .await?
        .items
        .into_iter()
        .find(|a| a.tag.eq_ignore_ascii_case(tag))
        .map(|a| a.id)
        .ok_or_else(|| PageError::Refused(format!("no asset has the tag '{tag}'")))
}

/// `POST /agent/tickets/{id}/assets/link`.
async fn link(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    let id = ticket_id(&raw)?;
    // A refused tag is said beside the panel on the ticket page, not on an error page.
    let mut errors = FieldErrors::new();
    let linked = match named_asset(&state, &viewer.actor, &form).await {
        Ok(asset) => {
            state
                .app
                .assets()
                .link(&viewer.actor, id, asset, Channel::Agent)
                .await
        }
        Err(PageError::Refused(message)) => {
            errors.add("asset_tag", message);
            return crate::agent::ticket::failed(&state, &viewer, id, form, errors, "").await;
        }
        Err(other) => return Err(other),
    };
    if let Err(error) = linked {
        errors.absorb(
            error,
            &[("asset", "asset_tag"), ("asset_id", "asset_tag")],
            "asset_tag",
        )?;
        return crate::agent::ticket::failed(&state, &viewer, id, form, errors, "").await;
    }
    publish(&state, &viewer, id).await;
    Ok(Redirect::to(&format!("/agent/tickets/{}?done=asset_linked", id.get())).into_response())
}

/// `POST /agent/tickets/{id}/assets/unlink`.
async fn unlink(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    let id = ticket_id(&raw)?;
    let asset = asset_id(form.get("asset_id"))?;
    state
        .app
        .assets()
        .unlink(&viewer.actor, id, asset, Channel::Agent)
        .await?;
    publish(&state, &viewer, id).await;
    Ok(Redirect::to(&format!("/agent/tickets/{}?done=asset_unlinked", id.get())).into_response())
}
