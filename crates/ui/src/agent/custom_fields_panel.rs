//! `POST /agent/tickets/{id}/custom-fields`: the ticket view's custom fields panel,
//! where each field saves on its own as soon as it changes, through the ticket update
//! use case (so each change is one write with its "Changed: <label>" event). With htmx
//! the answer is the panel again (saved, or refused with the error next to the field)
//! and an `HX-Trigger` that refreshes the timeline; without JavaScript each field is
//! a small form that posts and comes back to the ticket.

use super::ticket::ticket_id;
use crate::UiState;
use crate::custom_fields::{self, CfInputs, input_name};
use crate::error::{PageResult, render};
use crate::form::{FieldErrors, Form, FormData};
use crate::session::{Staff, Viewer, is_htmx};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header::HeaderValue;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::routing::post;
use ferrodesk_app::TicketPatch;
use ferrodesk_domain::{Channel, FieldValue, Ticket, TicketId};

pub(crate) fn routes() -> Router<UiState> {
    Router::new().route("/tickets/{id}/custom-fields", post(save))
}

/// The panel: the inputs of the fields that apply to the ticket, each its own form.
#[derive(Template)]
#[template(path = "agent/custom_fields_panel.html")]
pub(crate) struct CfPanel {
    pub inputs: CfInputs,
    /// The label of the field just saved.
    pub saved: Option<String>,
}

/// The panel for `ticket` with its current values, or with `typed` and `errors` after a
/// refused change.
///
/// # Errors
/// The services'.
pub(crate) async fn panel(
    state: &UiState,
    viewer: &Viewer,
    ticket: &Ticket,
    typed: Option<&FormData>,
    errors: &FieldErrors,
) -> PageResult<CfPanel> {
    let fields =
        custom_fields::applying(state, viewer, ticket.ticket_type, ticket.category_id).await?;
    let values = state
        .app
        .custom_fields()
        .values(&viewer.actor, ticket.id)
        .await?;
    let mut form = custom_fields::current_form(&values);
    for (field, value) in &values {
        if let FieldValue::Asset(id) = value
            && let Ok(asset) = state.app.assets().get(&viewer.actor, *id).await
        {
            form.set(&input_name(field), &asset.tag);
        }
    }
    if let Some(typed) = typed {
        let name = typed.get("field");
        let mut kept = FormData::default();
        for (field, _) in values.iter().filter(|(f, _)| input_name(f) != name) {
            for v in form.all(&input_name(field)) {
                kept.push(&input_name(field), v);
            }
        }
        for v in typed.all(name) {
            kept.push(name, v);
        }
        form = kept;
    }
    let inputs = custom_fields::inputs(state, viewer, &fields, &form, errors).await?;
    Ok(CfPanel {
        inputs: CfInputs {
            fields: inputs,
            save_to: Some(format!("/agent/tickets/{}/custom-fields", ticket.id.get())),
            csrf: viewer.csrf.clone(),
        },
        saved: None,
    })
}

async fn save(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
    headers: HeaderMap,
    Form(form): Form,
) -> PageResult {
    let id = ticket_id(&raw)?;
    let tickets = state.app.tickets().via(Channel::Agent);
    let ticket = tickets.get(&viewer.actor, id).await?;
    let fields =
        custom_fields::applying(&state, &viewer, ticket.ticket_type, ticket.category_id).await?;
    let name = form.get("field");
    let Some(field) = fields.iter().find(|f| input_name(f) == name).cloned() else {
        return Err(ferrodesk_app::AppError::not_found("custom_field", name).into());
    };
    let one = [field];
    let mut errors = FieldErrors::new();
    let values =
        custom_fields::form_values(&state, &viewer, &one, &form, true, &mut errors).await?;
    if errors.is_empty() {
        let patch = TicketPatch {
            custom_fields: values.clone(),
            ..TicketPatch::default()
        };
        if let Err(error) = tickets.update(&viewer.actor, id, patch).await {
            custom_fields::spread(&one, &values, error, &mut errors)?;
        }
    }
    let [field] = one;
    if !is_htmx(&headers) {
        return Ok(Redirect::to(&format!("/agent/tickets/{}", id.get())).into_response());
    }
    answer(&state, &viewer, id, &form, errors, &field.spec.label).await
}

/// The panel alone for htmx, with the timeline refreshed through `fd:ticket-{id}`.
async fn answer(
    state: &UiState,
    viewer: &Viewer,
    id: TicketId,
    form: &FormData,
    errors: FieldErrors,
    label: &str,
) -> PageResult {
    let ticket = state.app.tickets().get(&viewer.actor, id).await?;
    let refused = !errors.is_empty();
    let mut panel = panel(state, viewer, &ticket, refused.then_some(form), &errors).await?;
    let status = if refused {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        panel.saved = Some(label.to_owned());
        StatusCode::OK
    };
    let mut response = render(status, &panel);
    if let Ok(event) = HeaderValue::from_str(&format!("fd:ticket-{}", id.get())) {
        response.headers_mut().insert("hx-trigger", event);
    }
    Ok(response)
}
