//! The agent workspace's desk extras: the asset inventory (`/agent/assets`, list with
//! a create form, an edit form, retire) and the ticket view's side panel
//! (`/agent/tickets/{id}/desk`, loaded after the page) with the requester's assets and
//! the ticket's linked assets, watching tickets (`/agent/watching`) and saved queue
//! filters (`/agent/filters`).
//!
//! Every write goes through the asset service, so the rules are the API's: staff
//! manage assets; linking needs the right to work the ticket.
//!
//! One module per screen: `assets` (the inventory), `panel` (the ticket's side
//! panel), `watchers` and `filters` (saved queue filters).

mod assets;
mod filters;
mod notifications;
mod panel;
mod watchers;

pub(crate) use filters::filter_items;
pub(crate) use notifications::kind_label as notification_kind_label;

use crate::UiState;
use crate::session::Viewer;
use axum::Router;

/// Routes under `/agent`.
pub(crate) fn agent_routes() -> Router<UiState> {
    Router::new()
        .merge(assets::routes())
        .merge(panel::routes())
        .merge(watchers::routes())
        .merge(notifications::routes())
        .merge(filters::routes())
}

/// Tells open pages that the ticket changed.
pub(crate) async fn publish(state: &UiState, viewer: &Viewer, id: ferrodesk_domain::TicketId) {
    if let Ok(ticket) = state.app.tickets().get(&viewer.actor, id).await {
        state.live.publish(vec![ticket]);
    }
}
