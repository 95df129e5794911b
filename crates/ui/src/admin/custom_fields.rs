//! `/admin/custom-fields`: the fields admins ask for on tickets beyond the built-in
//! ones: listed in the order the forms show them, added, changed, moved up or down,
//! deactivated and reactivated (a deactivated field keeps its values and is not asked
//! for). A field's key and kind are fixed once it exists.

use super::{DoneQuery, chrome, path_id};
use crate::UiState;
use crate::chrome::Chrome;
use crate::error::{PageResult, render};
use crate::form::{FieldErrors, Form, FormData, chosen_ids};
use crate::session::{Admin, Viewer};
use crate::view::{Choice, Names, multi_choices, type_label};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use ferrodesk_app::{AppError, CustomFieldPatch, Move};
use ferrodesk_domain::{
    CategoryId, CustomField, CustomFieldId, CustomFieldSpec, FieldKind, TicketType,
};

pub(crate) fn routes() -> Router<UiState> {
    Router::new()
        .route("/custom-fields", get(fields).post(create_field))
        .route("/custom-fields/{id}", get(edit_page).post(update_field))
        .route("/custom-fields/{id}/move", post(move_field))
        .route("/custom-fields/{id}/active", post(set_active))
}

/// The service's field names and the form's.
const FIELDS: &[(&str, &str)] = &[
    ("key", "key"),
    ("label", "label"),
    ("options", "options"),
    ("ticket_types", "ticket_types"),
    ("category_ids", "category_ids"),
];

/// One row of the list.
struct Row {
    id: i64,
    label: String,
    key: String,
    kind: &'static str,
    applies_to: String,
    required: bool,
    customer_visible: bool,
    active: bool,
    first: bool,
    last: bool,
}

/// What the new and edit forms offer.
struct Options {
    kinds: Vec<Choice>,
    types: Vec<Choice>,
    categories: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "admin/custom_fields.html")]
struct FieldsPage {
    chrome: Chrome,
    rows: Vec<Row>,
    input: FormData,
    errors: FieldErrors,
    options: Options,
}

#[derive(Template)]
#[template(path = "admin/custom_field_form.html")]
struct FieldFormPage {
    chrome: Chrome,
    id: i64,
    kind: &'static str,
    key: String,
    input: FormData,
    errors: FieldErrors,
    options: Options,
}

fn options(names: &Names, input: &FormData) -> Options {
    let kind = input.get("kind");
    Options {
        kinds: FieldKind::ALL
            .iter()
            .map(|k| Choice::new(k, k.label(), k.as_str() == kind))
            .collect(),
        types: multi_choices(
            TicketType::ALL
                .iter()
                .map(|t| (t.as_str(), type_label(*t).to_owned()))
                .collect(),
            &input.all("ticket_types"),
        ),
        categories: multi_choices(names.categories(), &input.all("category_ids")),
    }
}

fn applies_to(names: &Names, spec: &CustomFieldSpec) -> String {
    let types = if spec.ticket_types.is_empty() {
        "All types".to_owned()
    } else {
        spec.ticket_types
            .iter()
            .map(|t| type_label(*t))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if spec.category_ids.is_empty() {
        return types;
    }
    let categories: Vec<String> = names
        .categories()
        .into_iter()
        .filter(|(id, _)| spec.category_ids.contains(&CategoryId(*id)))
        .map(|(_, path)| path)
        .collect();
    format!("{types} · {}", categories.join(", "))
}

fn rows(names: &Names, fields: &[CustomField]) -> Vec<Row> {
    let last = fields.len().saturating_sub(1);
    fields
        .iter()
        .enumerate()
        .map(|(i, f)| Row {
            id: f.id.get(),
            label: f.spec.label.clone(),
            key: f.spec.key.clone(),
            kind: f.spec.kind.label(),
            applies_to: applies_to(names, &f.spec),
            required: f.spec.required,
            customer_visible: f.spec.customer_visible,
            active: f.spec.active,
            first: i == 0,
            last: i == last,
        })
        .collect()
}

async fn fields_page(
    state: &UiState,
    viewer: &Viewer,
    input: FormData,
    errors: FieldErrors,
    done: Option<&str>,
) -> PageResult<FieldsPage> {
    let all = state.app.custom_fields().list(&viewer.actor).await?;
    let names = Names::load(state, &viewer.actor).await?;
    Ok(FieldsPage {
        chrome: chrome(viewer, "custom_fields", "Custom fields", done),
        rows: rows(&names, &all),
        options: options(&names, &input),
        input,
        errors,
    })
}

async fn fields(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Query(query): Query<DoneQuery>,
) -> PageResult {
    let mut input = FormData::default();
    input.set("kind", FieldKind::Text.as_str());
    let page = fields_page(
        &state,
        &viewer,
        input,
        FieldErrors::new(),
        query.done.as_deref(),
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

/// Options typed one per line; blank lines dropped.
fn typed_options(form: &FormData) -> Vec<String> {
    form.get("options")
        .lines()
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The ticket types and categories ticked; a value that is not one is an error.
fn scope(form: &FormData, errors: &mut FieldErrors) -> (Vec<TicketType>, Vec<CategoryId>) {
    let mut types = Vec::new();
    for text in form.all("ticket_types") {
        match TicketType::parse(text) {
            Ok(t) => types.push(t),
            Err(_) => errors.add("ticket_types", "choose from the list"),
        }
    }
    let categories = chosen_ids(form, errors, "category_ids")
        .into_iter()
        .map(CategoryId)
        .collect();
    (types, categories)
}

/// Files a service error next to its field; a taken key belongs to the key.
fn absorb(errors: &mut FieldErrors, error: AppError) -> PageResult<()> {
    match error {
        AppError::Conflict {
            code: "key_taken",
            message,
        } => {
            errors.add("key", message);
            Ok(())
        }
        other => errors.absorb(other, FIELDS, "label"),
    }
}

async fn create_field(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Form(form): Form,
) -> PageResult {
    let mut errors = FieldErrors::new();
    let kind = FieldKind::parse(form.get("kind")).ok();
    if kind.is_none() {
        errors.add("kind", "choose a kind");
    }
    let (ticket_types, category_ids) = scope(&form, &mut errors);
    if let (Some(kind), true) = (kind, errors.is_empty()) {
        let service = state.app.custom_fields();
        let existing = service.list(&viewer.actor).await?;
        let spec = CustomFieldSpec {
            key: form.get("key").trim().to_owned(),
            label: form.get("label").to_owned(),
            kind,
            options: if kind.has_options() {
                typed_options(&form)
            } else {
                Vec::new()
            },
            required: form.checked("required"),
            customer_visible: form.checked("customer_visible"),
            ticket_types,
            category_ids,
            position: existing.iter().map(|f| f.spec.position).max().unwrap_or(0) + 1,
            active: true,
        };
        match service.create(&viewer.actor, spec).await {
            Ok(_) => return Ok(Redirect::to("/admin/custom-fields?done=saved").into_response()),
            Err(error) => absorb(&mut errors, error)?,
        }
    }
    let page = fields_page(&state, &viewer, form, errors, None).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

fn field_form(field: &CustomField) -> FormData {
    let spec = &field.spec;
    let mut input = FormData::default();
    input.set("label", &spec.label);
    input.set("options", &spec.options.join("\n"));
    for t in &spec.ticket_types {
        input.push("ticket_types", t.as_str());
    }
    for c in &spec.category_ids {
        input.push("category_ids", &c.to_string());
    }
    if spec.required {
        input.set("required", "on");
    }
    if spec.customer_visible {
        input.set("customer_visible", "on");
    }
    if spec.active {
        input.set("active", "on");
    }
    input
}

async fn form_page(
    state: &UiState,
    viewer: &Viewer,
    field: &CustomField,
    input: FormData,
    errors: FieldErrors,
) -> PageResult<FieldFormPage> {
    let names = Names::load(state, &viewer.actor).await?;
    Ok(FieldFormPage {
        chrome: chrome(viewer, "custom_fields", &field.spec.label, None),
        id: field.id.get(),
        kind: field.spec.kind.as_str(),
        key: field.spec.key.clone(),
        options: options(&names, &input),
        input,
        errors,
    })
}

async fn edit_page(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
) -> PageResult {
    let id = CustomFieldId(path_id(&raw)?);
    let field = state.app.custom_fields().get(&viewer.actor, id).await?;
    let page = form_page(
        &state,
        &viewer,
        &field,
        field_form(&field),
        FieldErrors::new(),
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

async fn update_field(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    let id = CustomFieldId(path_id(&raw)?);
    let service = state.app.custom_fields();
    let field = service.get(&viewer.actor, id).await?;
    let mut errors = FieldErrors::new();
    let (ticket_types, category_ids) = scope(&form, &mut errors);
    if errors.is_empty() {
        let patch = CustomFieldPatch {
            label: Some(form.get("label").to_owned()),
            options: field.spec.kind.has_options().then(|| typed_options(&form)),
            required: Some(form.checked("required")),
            customer_visible: Some(form.checked("customer_visible")),
            ticket_types: Some(ticket_types),
            category_ids: Some(category_ids),
            position: None,
            active: Some(form.checked("active")),
        };
        match service.update(&viewer.actor, id, patch).await {
            Ok(_) => return Ok(Redirect::to("/admin/custom-fields?done=saved").into_response()),
            Err(error) => absorb(&mut errors, error)?,
        }
    }
    let page = form_page(&state, &viewer, &field, form, errors).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// Moves a field one place up or down (`direction=up|down`; anything else is 422).
async fn move_field(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult<Response> {
    let id = CustomFieldId(path_id(&raw)?);
    let direction = Move::parse(form.get("direction")).map_err(AppError::from)?;
    state
        .app
        .custom_fields()
        .move_to(&viewer.actor, id, direction)
        .await?;
    Ok(Redirect::to("/admin/custom-fields?done=saved").into_response())
}

/// Deactivates (`active=off`) or reactivates (`active=on`) a field.
async fn set_active(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult<Response> {
    let id = CustomFieldId(path_id(&raw)?);
    let patch = CustomFieldPatch {
        active: Some(form.get("active") == "on"),
        ..CustomFieldPatch::default()
    };
    state
        .app
        .custom_fields()
        .update(&viewer.actor, id, patch)
        .await?;
    Ok(Redirect::to("/admin/custom-fields?done=saved").into_response())
}
