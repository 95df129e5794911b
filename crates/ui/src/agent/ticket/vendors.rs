//! The ticket's "Vendor" panel: its cases with outside vendors (open, answered, due by
//! the vendor's promise, overdue marked) and the "Hand off to vendor" form. The ticket
//! page loads the panel with htmx; without JavaScript its link opens the same panel as
//! a page, where the form works as well.

use super::{done, ticket_id};
use crate::UiState;
use crate::chrome::Chrome;
use crate::error::{PageResult, render};
use crate::form::{FieldErrors, Form, FormData};
use crate::session::{Staff, Viewer, is_htmx};
use crate::view::{Choice, Times, When};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use ferrodesk_app::HandoffInput;
use ferrodesk_domain::{Channel, TicketId, VendorId};

pub(super) fn routes() -> Router<UiState> {
    Router::new()
        .route("/tickets/{id}/vendors", get(panel))
        .route("/tickets/{id}/vendor-handoff", post(hand_off))
}

/// One case as the panel shows it.
#[derive(Debug, Clone)]
struct CaseRow {
    vendor: String,
    reference: String,
    /// `Answered`, `Waiting` or `Overdue`.
    state: &'static str,
    /// The badge's CSS class.
    class: &'static str,
    opened: When,
    due: When,
    answered: Option<When>,
}

/// What the panel shows, as a fragment or inside its page.
struct PanelData {
    id: i64,
    number: String,
    csrf: String,
    cases: Vec<CaseRow>,
    vendors: Vec<Choice>,
    can_hand_off: bool,
    input: FormData,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "agent/vendor_panel_body.html")]
struct PanelBody {
    p: PanelData,
}

#[derive(Template)]
#[template(path = "agent/vendor_page.html")]
struct PanelPage {
    chrome: Chrome,
    p: PanelData,
}

async fn panel_data(
    state: &UiState,
    viewer: &Viewer,
    id: TicketId,
    input: FormData,
    errors: FieldErrors,
) -> PageResult<PanelData> {
    let ticket = state.app.tickets().get(&viewer.actor, id).await?;
    let cases = state.app.vendors().cases(&viewer.actor, id).await?;
    let now = state.app.now();
    let times = Times::new(&viewer.user, now);
    let chosen = input.get("vendor_id").to_owned();
    let vendors: Vec<Choice> =
        std::iter::once(Choice::new("", "Choose a vendor", chosen.is_empty()))
            .chain(
                state
                    .app
                    .vendors()
                    .all(&viewer.actor)
                    .await?
                    .into_iter()
                    .filter(|v| v.is_active)
                    .map(|v| {
                        let label = format!("{} (answers within {} h)", v.name, v.response_hours);
                        Choice::new(v.id, label, v.id.to_string() == chosen)
                    }),
            )
            .collect();
    let rows = cases
        .into_iter()
        .map(|case| {
            let (state, class) = if !case.is_open() {
                ("Answered", "st-resolved")
            } else if case.is_overdue(now) {
                ("Overdue", "st-action")
            } else {
                ("Waiting", "st-pending")
            };
            CaseRow {
                vendor: case.vendor_name.clone(),
                reference: case.reference.clone(),
                state,
                class,
                opened: times.at(case.opened_at),
                due: times.at(case.due_at),
                answered: case.answered_at.map(|a| times.at(a)),
            }
        })
        .collect();
    Ok(PanelData {
        id: id.get(),
        number: id.display_number(),
        csrf: viewer.csrf.clone(),
        cases: rows,
        can_hand_off: ticket.status.is_open() && vendors.len() > 1,
        vendors,
        input,
        errors,
    })
}

fn page(viewer: &Viewer, p: PanelData) -> PanelPage {
    let title = format!("Vendor cases of {}", p.number);
    PanelPage {
        chrome: Chrome::new(viewer, "agent", &title),
        p,
    }
}

async fn panel(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> PageResult {
    let id = ticket_id(&raw)?;
    let data = panel_data(&state, &viewer, id, FormData::default(), FieldErrors::new()).await?;
    if is_htmx(&headers) {
        Ok(render(StatusCode::OK, &PanelBody { p: data }))
    } else {
        Ok(render(StatusCode::OK, &page(&viewer, data)))
    }
}

/// The hand-off, in one write through the app; a refusal shows the panel's page with
/// the error next to its field.
async fn hand_off(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    let id = ticket_id(&raw)?;
    let mut errors = FieldErrors::new();
    let vendor = match form.opt("vendor_id").map(str::parse::<i64>) {
        Some(Ok(vendor)) => Some(VendorId(vendor)),
        Some(Err(_)) | None => {
            errors.add("vendor_id", "choose the vendor to hand the ticket to");
            None
        }
    };
    if let Some(vendor_id) = vendor {
        let input = HandoffInput {
            vendor_id,
            message: form.get("message").to_owned(),
            version: None,
        };
        let handed = state
            .app
            .tickets()
            .via(Channel::Agent)
            .hand_off(&viewer.actor, id, input)
            .await;
        match handed {
            Ok(_) => return done(&state, &viewer, &[id], id, "handed_off", "#vendor-panel").await,
            Err(error) => errors.absorb(
                error,
                &[
                    ("vendor_id", "vendor_id"),
                    ("message", "message"),
                    ("status", "vendor_id"),
                ],
                "vendor_id",
            )?,
        }
    }
    let data = panel_data(&state, &viewer, id, form, errors).await?;
    Ok(render(
        StatusCode::UNPROCESSABLE_ENTITY,
        &page(&viewer, data),
    ))
}
