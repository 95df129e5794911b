//! The ticket's composer: what it shows beside the text (whom a reply goes to, the
//! placeholders of its two modes, where its preview comes from) and
//! `/agent/tickets/{id}/composer/preview`, the Markdown preview, and
//! `/agent/tickets/{id}/composer/macros/{macro_id}`, a macro filled in for the ticket
//! (its body and the actions sent with it). The preview renders with the same function
//! as the timeline ([`ferrodesk_app::render_message_markdown`]), so what the agent sees
//! before sending is what is sent.

use super::ticket_id;
use crate::UiState;
use crate::error::{PageError, PageResult, render};
use crate::form::{FieldErrors, Form, FormData};
use crate::session::{Staff, Viewer};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use ferrodesk_app::{AppError, InteractionChanges, InteractionInput};
use ferrodesk_domain::{Channel, Event, MacroId, TicketId};
use ferrodesk_store::Created;

pub(super) fn routes() -> Router<UiState> {
    Router::new()
        .route("/tickets/{id}/composer/preview", post(preview))
        .route(
            "/tickets/{id}/composer/macros/{macro_id}",
            get(macro_filled),
        )
        .route("/tickets/{id}/composer/articles", get(articles))
}

/// A macro the agent may pick in the composer.
#[derive(Debug, Clone)]
pub(crate) struct MacroOption {
    pub id: i64,
    pub name: String,
    pub internal: bool,
}

/// What the composer shows around the text box.
#[derive(Debug, Clone)]
pub(crate) struct ComposerView {
    /// Whom a public reply goes to ("Maria Silva").
    pub requester_name: String,
    /// Their address, when they have one.
    pub requester_email: String,
    /// The text box's hint in reply mode.
    pub reply_placeholder: String,
    /// The text box's hint in note mode.
    pub note_placeholder: &'static str,
    /// Where the preview is rendered.
    pub preview_url: String,
    /// The most files one message carries.
    pub max_files: usize,
    /// The largest file the desk keeps, in bytes.
    pub max_bytes: usize,
    /// The macros the agent may use, by name.
    pub macros: Vec<MacroOption>,
    /// Where a macro is filled in for this ticket (the macro's id follows).
    pub macro_url: String,
    /// The time logged on the ticket so far ("1 h 30 min"), empty for none.
    pub time_total: String,
}

impl ComposerView {
    pub(crate) async fn load(
        state: &UiState,
        viewer: &Viewer,
        ticket_id: TicketId,
        requester_name: &str,
        requester_email: &str,
    ) -> PageResult<Self> {
        let macros = state.app.macros().list(&viewer.actor).await?;
        let minutes = state
            .app
            .time_entries()
            .total(&viewer.actor, ticket_id)
            .await?;
        let id = ticket_id.get();
        Ok(ComposerView {
            requester_name: requester_name.to_owned(),
            requester_email: requester_email.to_owned(),
            reply_placeholder: format!(
                "Write to {requester_name}… (Markdown; type / at the start of a line for a macro)"
            ),
            note_placeholder: "Add a note only the team sees… (@ mentions a colleague)",
            preview_url: format!("/agent/tickets/{id}/composer/preview"),
            max_files: ferrodesk_app::attachments::MAX_ATTACHMENTS_PER_EVENT,
            max_bytes: state.app.config().max_attachment_bytes,
            macros: macros
                .into_iter()
                .map(|m| MacroOption {
                    id: m.id.get(),
                    name: m.fields.name,
                    internal: m.fields.internal,
                })
                .collect(),
            macro_url: format!("/agent/tickets/{id}/composer/macros/"),
            time_total: if minutes > 0 {
                ferrodesk_domain::format_minutes(minutes)
            } else {
                String::new()
            },
        })
    }
}

/// What the composer sends besides the message and the status: the time spent and
/// the macro whose actions go with the message.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Extras {
    pub(super) time_spent: Option<i64>,
    macro_id: Option<MacroId>,
}

impl Extras {
    /// Reads "Time spent" (minutes or h:mm) and the chosen macro, with their errors.
    pub(super) fn read(form: &FormData, errors: &mut FieldErrors) -> Extras {
        let time_spent = match form
            .opt("time_spent")
            .map(ferrodesk_domain::parse_time_spent)
        {
            None => None,
            Some(Ok(minutes)) => Some(i64::from(minutes)),
            Some(Err(error)) => {
                errors.add("time_spent", error.to_string());
                None
            }
        };
        let macro_id = match form.opt("macro_id").map(str::parse::<i64>) {
            None => None,
            Some(Ok(chosen)) => Some(MacroId(chosen)),
            Some(Err(_)) => {
                errors.add("body", "the chosen macro is unknown; choose it again");
                None
            }
        };
        Extras {
            time_spent,
            macro_id,
        }
    }
}

/// Sends the composer's message with `changes` and the chosen macro's actions (the
/// composer's status wins over the macro's) and the files, in one write.
pub(super) async fn send(
    state: &UiState,
    viewer: &Viewer,
    id: TicketId,
    form: &FormData,
    input: InteractionInput,
    mut changes: InteractionChanges,
    extras: Extras,
) -> Result<Created<Event>, AppError> {
    if let Some(chosen) = extras.macro_id {
        let from_macro = (state.app.macros())
            .changes_for(&viewer.actor, id, chosen)
            .await?;
        changes = InteractionChanges {
            status: changes.status.or(from_macro.status),
            seen_event_id: changes.seen_event_id,
            time_spent_minutes: changes.time_spent_minutes,
            ..from_macro
        };
    }
    let attachments = crate::form::store_files(&state.app, form).await?;
    (state.app.tickets().via(Channel::Agent))
        .add_interaction_changing(&viewer.actor, id, input, attachments, changes, None)
        .await
}

#[derive(Template)]
#[template(path = "agent/composer_preview.html")]
struct Preview {
    html: String,
}

/// The composer's text as it will be shown once sent. The ticket must be one the
/// agent may see (otherwise not found).
async fn preview(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    let id = ticket_id(&raw)?;
    state.app.tickets().get(&viewer.actor, id).await?;
    let html = ferrodesk_app::render_message_markdown(form.get("body"));
    Ok(render(StatusCode::OK, &Preview { html }))
}

/// A macro filled in for the composer.
#[derive(Debug, serde::Serialize)]
struct FilledMacro {
    id: i64,
    name: String,
    body: String,
    internal: bool,
    chips: Vec<String>,
}

/// The macro's body filled in for the ticket and the actions sent with it, as JSON
/// for the composer's picker.
async fn macro_filled(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path((raw, raw_macro)): Path<(String, String)>,
) -> PageResult<Response> {
    let id = ticket_id(&raw)?;
    let chosen = raw_macro
        .parse::<i64>()
        .map(MacroId)
        .map_err(|_| PageError::NotFound)?;
    let (found, body) = state
        .app
        .macros()
        .preview(&viewer.actor, id, chosen)
        .await?;
    let filled = FilledMacro {
        id: found.id.get(),
        chips: super::macros::action_chips(&found.fields.actions),
        name: found.fields.name,
        internal: found.fields.internal,
        body,
    };
    Ok(Json(filled).into_response())
}

/// What "Insert article" searches for.
#[derive(Debug, serde::Deserialize)]
struct ArticleQuery {
    #[serde(default)]
    q: String,
}

/// An article to put in a reply: its title, its portal address and an excerpt.
#[derive(Debug, serde::Serialize)]
struct ArticleChoice {
    title: String,
    url: String,
    excerpt: String,
}

/// Public articles matching the search, in the requester's language first, as JSON
/// for the composer's "Insert article".
async fn articles(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
    Query(query): Query<ArticleQuery>,
) -> PageResult<Response> {
    let id = ticket_id(&raw)?;
    let hits = (state.app.search())
        .articles_for_reply(&viewer.actor, id, &query.q, 8)
        .await?;
    let base = state
        .app
        .config()
        .mail
        .public_url
        .trim_end_matches('/')
        .to_owned();
    let choices: Vec<ArticleChoice> = hits
        .into_iter()
        .map(|hit| ArticleChoice {
            url: format!("{base}/portal/kb/{}", hit.key.id),
            excerpt: plain(&hit.snippet_html),
            title: hit.title,
        })
        .collect();
    Ok(Json(choices).into_response())
}

/// A search snippet (escaped HTML with `<mark>`) as plain text.
fn plain(snippet: &str) -> String {
    snippet
        .replace("<mark>", "")
        .replace("</mark>", "")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}
