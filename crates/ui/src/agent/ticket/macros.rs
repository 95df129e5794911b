//! The ticket's "Macros" panel: pick one of the macros the agent may use, preview its
//! reply filled in for this ticket with the changes it makes, and apply it (the reply
//! or note and the changes in one write). The ticket page loads the panel with htmx;
//! without JavaScript its link opens the same panel as a page, where it works as well.

use super::{done, ticket_id};
use crate::UiState;
use crate::chrome::Chrome;
use crate::error::{PageResult, render};
use crate::form::{FieldErrors, Form};
use crate::session::{Staff, Viewer, is_htmx};
use crate::view::{Choice, status_badge};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use ferrodesk_domain::{MacroActions, MacroId, Priority, TicketId};
use serde::Deserialize;

pub(super) fn routes() -> Router<UiState> {
    Router::new()
        .route("/tickets/{id}/macros", get(panel))
        .route("/tickets/{id}/macros/{macro_id}", post(apply))
}

/// A macro filled in for the ticket, ready to apply.
struct Preview {
    id: i64,
    name: String,
    body: String,
    internal: bool,
    chips: Vec<String>,
}

struct PanelData {
    id: i64,
    number: String,
    csrf: String,
    macros: Vec<Choice>,
    preview: Option<Preview>,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "agent/macro_panel_body.html")]
struct PanelBody {
    p: PanelData,
}

#[derive(Template)]
#[template(path = "agent/macro_page.html")]
struct PanelPage {
    chrome: Chrome,
    p: PanelData,
}

#[derive(Debug, Deserialize)]
struct PanelQuery {
    macro_id: Option<String>,
}

/// The changes a macro makes, as people read them.
pub(crate) fn action_chips(actions: &MacroActions) -> Vec<String> {
    let mut chips = Vec::new();
    if let Some(status) = actions.status {
        chips.push(format!("Status: {}", status_badge(status).label));
    }
    if let Some(priority) = actions.priority {
        let label = match priority {
            Priority::P1 => "P1 critical",
            Priority::P2 => "P2 high",
            Priority::P3 => "P3 medium",
            Priority::P4 => "P4 low",
        };
        chips.push(format!("Priority: {label}"));
    }
    if actions.group_id.is_some() {
        chips.push("Moves to another group".to_owned());
    }
    if actions.assignee_id.is_some() {
        chips.push("Assigns the ticket".to_owned());
    }
    chips.extend(actions.add_tags.iter().map(|t| format!("Adds tag {t}")));
    chips.extend(
        actions
            .remove_tags
            .iter()
            .map(|t| format!("Removes tag {t}")),
    );
    chips
}

async fn panel_data(
    state: &UiState,
    viewer: &Viewer,
    id: TicketId,
    chosen: Option<MacroId>,
    mut errors: FieldErrors,
) -> PageResult<PanelData> {
    let macros = state.app.macros().list(&viewer.actor).await?;
    let picked = chosen.map(|c| c.get().to_string()).unwrap_or_default();
    let choices = std::iter::once(Choice::new("", "Choose a macro", picked.is_empty()))
        .chain(macros.iter().map(|m| {
            let id = m.id.get().to_string();
            let selected = id == picked;
            Choice::new(id, m.fields.name.clone(), selected)
        }))
        .collect();
    let mut preview = None;
    if let Some(chosen) = chosen {
        match state.app.macros().preview(&viewer.actor, id, chosen).await {
            Ok((found, body)) => {
                preview = Some(Preview {
                    id: found.id.get(),
                    chips: action_chips(&found.fields.actions),
                    name: found.fields.name,
                    internal: found.fields.internal,
                    body,
                });
            }
            Err(error) => errors.absorb(error, &[("macro", "macro_id")], "macro_id")?,
        }
    }
    Ok(PanelData {
        id: id.get(),
        number: id.display_number(),
        csrf: viewer.csrf.clone(),
        macros: if macros.is_empty() {
            Vec::new()
        } else {
            choices
        },
        preview,
        errors,
    })
}

fn page(viewer: &Viewer, p: PanelData) -> PanelPage {
    let title = format!("Macros for {}", p.number);
    PanelPage {
        chrome: Chrome::new(viewer, "agent", &title),
        p,
    }
}

async fn panel(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
    Query(query): Query<PanelQuery>,
    headers: HeaderMap,
) -> PageResult {
    let id = ticket_id(&raw)?;
    let mut errors = FieldErrors::new();
    let chosen = match query.macro_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => match text.parse::<i64>() {
            Ok(n) => Some(MacroId(n)),
            Err(_) => {
                errors.add("macro_id", "choose a macro from the list");
                None
            }
        },
    };
    let data = panel_data(&state, &viewer, id, chosen, errors).await?;
    if is_htmx(&headers) {
        Ok(render(StatusCode::OK, &PanelBody { p: data }))
    } else {
        Ok(render(StatusCode::OK, &page(&viewer, data)))
    }
}

/// Applies the macro in one write; a refusal (a status move the ticket does not allow)
/// shows the panel's page with the reason and writes nothing.
async fn apply(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path((raw, macro_id)): Path<(String, String)>,
    Form(_form): Form,
) -> PageResult {
    let id = ticket_id(&raw)?;
    let mut errors = FieldErrors::new();
    let Ok(macro_id) = macro_id.parse::<i64>().map(MacroId) else {
        errors.add("macro_id", "choose a macro from the list");
        let data = panel_data(&state, &viewer, id, None, errors).await?;
        return Ok(render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(&viewer, data),
        ));
    };
    match state
        .app
        .macros()
        .apply(&viewer.actor, id, macro_id, None)
        .await
    {
        Ok(_) => return done(&state, &viewer, &[id], id, "macro_applied", "#timeline").await,
        Err(error) => errors.absorb(error, &[("macro", "macro_id")], "macro_id")?,
    }
    let data = panel_data(&state, &viewer, id, Some(macro_id), errors).await?;
    Ok(render(
        StatusCode::UNPROCESSABLE_ENTITY,
        &page(&viewer, data),
    ))
}
