//! The agent side of the knowledge base and search: `/agent/search` (the search box in
//! the top bar, `/` focuses it), `/agent/kb` (articles: list, write in Markdown with a
//! preview, edit, versions with who changed what), and the ticket view's knowledge
//! panel (suggested articles, similar resolved tickets with their resolution, "solved
//! by article", and "create an article from this ticket").
//!
//! Everything goes through `app.kb()` and `app.search()`, so the pages show exactly
//! what the API would.
//!
//! One module per screen: `search`, `articles` and the ticket view's `panel`.

pub(crate) mod articles;
mod panel;
pub(crate) mod search;

use crate::UiState;
use axum::Router;

/// Routes under `/agent`.
pub(crate) fn agent_routes() -> Router<UiState> {
    Router::new()
        .merge(search::routes())
        .merge(articles::routes())
        .merge(panel::routes())
}
