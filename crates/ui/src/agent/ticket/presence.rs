//! Working on the same ticket, on the agent's pages: the strip that says who else has
//! the ticket open ("Ola Nordmann is replying"), the page's own heartbeat that reports
//! the agent's activity and refreshes the strip (`POST /agent/tickets/{id}/presence`,
//! every few seconds and when the agent starts or stops typing), the goodbye a closing
//! page sends (`.../presence/leave`), the markers on queue rows
//! (`/agent/queues/presence`), the warning shown instead of sending a reply that
//! would talk over another, and `@name` completion for notes (`.../mentions`).

use super::*;
use crate::view::{PresentView, RowMarker};
use axum::extract::RawQuery;
use ferrodesk_app::{Mentionable, PresentStaff, RepliedMeanwhile};
use ferrodesk_domain::Activity;

/// The others on a ticket, for the strip.
pub(crate) fn present_views(present: &[PresentStaff]) -> Vec<PresentView> {
    present
        .iter()
        .map(|p| PresentView::new(&p.name, p.activity.as_str()))
        .collect()
}

/// The strip's content (the heartbeat's answer).
#[derive(Template)]
#[template(path = "agent/presence_strip.html")]
struct Strip {
    present: Vec<PresentView>,
}

/// `POST /agent/tickets/{id}/presence`: the page reports the agent's activity
/// (`viewing`, `replying`) and gets the strip back.
pub(super) async fn report(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    let id = ticket_id(&raw)?;
    let activity = Activity::parse(form.get("activity").trim())
        .map_err(|e| PageError::BadRequest(e.message))?;
    let present = state
        .app
        .presence()
        .report(&viewer.actor, id, activity)
        .await?;
    Ok(render(
        StatusCode::OK,
        &Strip {
            present: present_views(&present),
        },
    ))
}

/// `POST /agent/tickets/{id}/presence/leave`: the page is going away (sent with
/// `navigator.sendBeacon`); the others stop seeing the agent at once.
pub(super) async fn leave(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
    Form(_form): Form,
) -> PageResult {
    let id = ticket_id(&raw)?;
    state.app.presence().leave(&viewer.actor, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Template)]
#[template(path = "agent/presence_markers.html")]
struct Markers {
    markers: Vec<RowMarker>,
}

/// The markers of these queue rows (the others on each ticket).
fn row_markers(
    ids: &[TicketId],
    present: &std::collections::BTreeMap<TicketId, Vec<PresentStaff>>,
) -> Vec<RowMarker> {
    ids.iter()
        .map(|id| RowMarker {
            id: id.get(),
            present: present
                .get(id)
                .map(|p| present_views(p))
                .unwrap_or_default(),
        })
        .collect()
}

/// Marks the rows of a queue page with the others on their tickets: one read for the
/// page.
pub(crate) async fn mark_rows(
    state: &UiState,
    actor: &ferrodesk_domain::Actor,
    tickets: &[Ticket],
    rows: &mut [crate::view::TicketRow],
) -> PageResult<()> {
    let present = state.app.presence().on_tickets(actor, tickets).await?;
    for row in rows {
        if let Some(others) = present.get(&TicketId(row.id)) {
            row.present = present_views(others);
        }
    }
    Ok(())
}

/// `GET /agent/queues/presence?ticket=10001&ticket=10002`: the markers of the rows a
/// queue page shows, each swapped into its row out of band; polled by the page.
pub(crate) async fn queue_markers(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    RawQuery(query): RawQuery,
) -> PageResult {
    let ids: Vec<TicketId> = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .filter(|(key, _)| key == "ticket")
        .filter_map(|(_, value)| value.trim().parse::<i64>().ok())
        .map(TicketId)
        .take(ferrodesk_app::presence::MAX_TICKETS)
        .collect();
    let present = state
        .app
        .presence()
        .on_ticket_ids(&viewer.actor, &ids)
        .await?;
    let markers = row_markers(&ids, &present);
    Ok(render(StatusCode::OK, &Markers { markers }))
}

/// A reply that came in while the agent wrote theirs, as the warning shows it.
#[derive(Debug, Clone)]
pub(crate) struct MeanwhileView {
    pub author: String,
    pub when: When,
    pub body: String,
}

/// The warning shown instead of sending.
#[derive(Debug, Clone)]
pub(crate) struct Meanwhile {
    pub authors: String,
    pub replies: Vec<MeanwhileView>,
}

impl Meanwhile {
    pub(super) fn new(replied: &RepliedMeanwhile, times: &Times) -> Meanwhile {
        Meanwhile {
            authors: replied.authors(),
            replies: replied
                .replies
                .iter()
                .map(|r| MeanwhileView {
                    author: r.author.clone(),
                    when: times.at(r.created_at),
                    body: r.body.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct MentionQuery {
    q: Option<String>,
}

#[derive(Template)]
#[template(path = "agent/mentions.html")]
struct Mentions {
    people: Vec<Mentionable>,
}

/// `GET /agent/tickets/{id}/mentions?q=ol`: the staff a note on the ticket may
/// mention whose handle or name starts with `q`, as listbox options.
pub(super) async fn mentions(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
    Query(query): Query<MentionQuery>,
) -> PageResult {
    let id = ticket_id(&raw)?;
    let people = state
        .app
        .tickets()
        .mentionable(&viewer.actor, id, query.q.as_deref().unwrap_or(""))
        .await?;
    Ok(render(StatusCode::OK, &Mentions { people }))
}
