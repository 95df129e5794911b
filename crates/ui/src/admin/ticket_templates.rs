//! `/admin/ticket-templates`: prefilled forms for recurring requests, listed in the
//! order the pickers show them; added, changed, moved up or down, deactivated and
//! deleted (after a confirmation) here. A template touches no ticket.

use super::{DoneQuery, chrome, path_id};
use crate::UiState;
use crate::chrome::Chrome;
use crate::error::{PageResult, render};
use crate::form::{FieldErrors, Form, FormData};
use crate::session::{Admin, Viewer};
use crate::view::{Choice, Names, category_choices, type_label};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use ferrodesk_app::{AppError, Move, TemplateInput, TemplatePatch};
use ferrodesk_domain::{
    CategoryId, CustomField, FieldInput, FieldKind, Priority, TemplateAudience, TicketTemplate,
    TicketTemplateId, TicketType,
};
use std::collections::BTreeMap;

pub(crate) fn routes() -> Router<UiState> {
    Router::new()
        .route("/ticket-templates", get(list).post(create))
        .route("/ticket-templates/new", get(new_page))
        .route("/ticket-templates/{id}", get(edit_page).post(update))
        .route("/ticket-templates/{id}/move", post(move_template))
        .route("/ticket-templates/{id}/deactivate", post(deactivate))
        .route(
            "/ticket-templates/{id}/delete",
            get(confirm_delete).post(delete),
        )
}

/// The fields the service names, and the form's.
const FIELDS: &[(&str, &str)] = &[
    ("name", "name"),
    ("description", "description"),
    ("subject", "subject"),
    ("body", "body"),
    ("category_id", "category_id"),
    ("ticket_type", "ticket_type"),
    ("priority", "priority"),
    ("audience", "audience"),
];

/// A template in the list.
struct Row {
    id: i64,
    name: String,
    description: String,
    prefills: String,
    audience: &'static str,
    active: bool,
    is_first: bool,
    is_last: bool,
}

#[derive(Template)]
#[template(path = "admin/ticket_templates.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Row>,
}

/// One custom field's input on the form.
struct CustomInput {
    name: String,
    label: String,
    kind: &'static str,
    value: String,
    options: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "admin/ticket_template_form.html")]
struct FormPage {
    chrome: Chrome,
    /// `None` for a new template.
    id: Option<i64>,
    input: FormData,
    errors: FieldErrors,
    category_options: Vec<Choice>,
    type_options: Vec<Choice>,
    priority_options: Vec<Choice>,
    audience: String,
    custom_inputs: Vec<CustomInput>,
}

#[derive(Template)]
#[template(path = "admin/ticket_template_delete.html")]
struct DeletePage {
    chrome: Chrome,
    id: i64,
    name: String,
}

fn priority_choice_label(priority: Priority) -> &'static str {
    super::priority_label(priority)
}

fn prefills(names: &Names, template: &TicketTemplate) -> String {
    let spec = &template.spec;
    let mut parts = Vec::new();
    if let Some(t) = spec.ticket_type {
        parts.push(type_label(t).to_owned());
    }
    if let Some(category) = spec.category_id.and_then(|c| {
        names
            .categories()
            .into_iter()
            .find(|(id, _)| *id == c.get())
    }) {
        parts.push(category.1);
    }
    if let Some(p) = spec.priority {
        parts.push(priority_choice_label(p).to_owned());
    }
    if !spec.custom_values.is_empty() {
        let n = spec.custom_values.len();
        parts.push(if n == 1 {
            "1 custom field".to_owned()
        } else {
            format!("{n} custom fields")
        });
    }
    if parts.is_empty() {
        "Subject and outline only".to_owned()
    } else {
        parts.join(" · ")
    }
}

async fn list(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Query(query): Query<DoneQuery>,
) -> PageResult {
    let templates = state.app.ticket_templates().list(&viewer.actor).await?;
    let names = Names::load(&state, &viewer.actor).await?;
    let count = templates.len();
    let rows = templates
        .iter()
        .enumerate()
        .map(|(i, t)| Row {
            id: t.id.get(),
            name: t.spec.name.clone(),
            description: t.spec.description.clone(),
            prefills: prefills(&names, t),
            audience: t.spec.audience.label(),
            active: t.spec.active,
            is_first: i == 0,
            is_last: i + 1 == count,
        })
        .collect();
    let page = ListPage {
        chrome: chrome(
            &viewer,
            "ticket-templates",
            "Ticket templates",
            query.done.as_deref(),
        ),
        rows,
    };
    Ok(render(StatusCode::OK, &page))
}

async fn form_page(
    state: &UiState,
    viewer: &Viewer,
    id: Option<i64>,
    input: FormData,
    errors: FieldErrors,
) -> PageResult<FormPage> {
    let names = Names::load(state, &viewer.actor).await?;
    let fields = state.app.custom_fields().list(&viewer.actor).await?;
    let title = match id {
        Some(_) => input.get("name").to_owned(),
        None => "New ticket template".to_owned(),
    };
    let title = if title.trim().is_empty() {
        "Ticket template".to_owned()
    } else {
        title
    };
    let current_type = input.get("ticket_type");
    let current_priority = input.get("priority");
    Ok(FormPage {
        chrome: chrome(viewer, "ticket-templates", &title, None),
        id,
        category_options: category_choices(&names, input.get("category_id"), "No category"),
        type_options: std::iter::once(Choice::new("", "No type", current_type.is_empty()))
            .chain(
                TicketType::ALL
                    .iter()
                    .map(|t| Choice::new(t, type_label(*t), t.as_str() == current_type)),
            )
            .collect(),
        priority_options: std::iter::once(Choice::new(
            "",
            "From the answers",
            current_priority.is_empty(),
        ))
        .chain(
            Priority::ALL
                .iter()
                .map(|p| Choice::new(p, priority_choice_label(*p), p.as_str() == current_priority)),
        )
        .collect(),
        audience: input.opt("audience").unwrap_or("both").to_owned(),
        custom_inputs: custom_inputs(&fields, &input),
        input,
        errors,
    })
}

/// An input per active custom field, holding the form's value.
fn custom_inputs(fields: &[CustomField], input: &FormData) -> Vec<CustomInput> {
    fields
        .iter()
        .filter(|f| f.spec.active)
        .map(|f| {
            let name = format!("cf.{}", f.spec.key);
            let chosen = input.all(&name);
            let kind = match f.spec.kind {
                FieldKind::SingleChoice => "select",
                FieldKind::MultipleChoice => "checklist",
                FieldKind::Checkbox => "yesno",
                FieldKind::LongText => "textarea",
                FieldKind::Number => "number",
                FieldKind::Date => "date",
                _ => "text",
            };
            let options = match f.spec.kind {
                FieldKind::Checkbox => vec![
                    Choice::new("", "Leave empty", input.get(&name).is_empty()),
                    Choice::new("true", "Yes", input.get(&name) == "true"),
                    Choice::new("false", "No", input.get(&name) == "false"),
                ],
                FieldKind::SingleChoice => {
                    std::iter::once(Choice::new("", "Leave empty", input.get(&name).is_empty()))
                        .chain(
                            f.spec
                                .options
                                .iter()
                                .map(|o| Choice::new(o, o.clone(), chosen.contains(&o.as_str()))),
                        )
                        .collect()
                }
                _ => f
                    .spec
                    .options
                    .iter()
                    .map(|o| Choice::new(o, o.clone(), chosen.contains(&o.as_str())))
                    .collect(),
            };
            CustomInput {
                value: input.get(&name).to_owned(),
                name,
                label: f.spec.label.clone(),
                kind,
                options,
            }
        })
        .collect()
}

/// The form's values of a template.
fn template_form(template: &TicketTemplate) -> FormData {
    let spec = &template.spec;
    let mut input = FormData::default();
    input.set("name", &spec.name);
    input.set("description", &spec.description);
    input.set("subject", &spec.subject);
    input.set("body", &spec.body);
    if let Some(c) = spec.category_id {
        input.set("category_id", &c.to_string());
    }
    if let Some(t) = spec.ticket_type {
        input.set("ticket_type", t.as_str());
    }
    if let Some(p) = spec.priority {
        input.set("priority", p.as_str());
    }
    input.set("audience", spec.audience.as_str());
    if spec.active {
        input.set("active", "on");
    }
    for (key, value) in &spec.custom_values {
        for one in value.split('\n') {
            input.push(&format!("cf.{key}"), one);
        }
    }
    input
}

async fn new_page(State(state): State<UiState>, Admin(viewer): Admin) -> PageResult {
    let mut input = FormData::default();
    input.set("active", "on");
    let page = form_page(&state, &viewer, None, input, FieldErrors::new()).await?;
    Ok(render(StatusCode::OK, &page))
}

async fn edit_page(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
) -> PageResult {
    let id = TicketTemplateId(path_id(&raw)?);
    let template = state.app.ticket_templates().get(&viewer.actor, id).await?;
    let input = template_form(&template);
    let page = form_page(&state, &viewer, Some(id.get()), input, FieldErrors::new()).await?;
    Ok(render(StatusCode::OK, &page))
}

/// The form read into a template's parts; what cannot be read is an error on its
/// field.
struct Parsed {
    category_id: Option<CategoryId>,
    ticket_type: Option<TicketType>,
    priority: Option<Priority>,
    audience: TemplateAudience,
    custom: BTreeMap<String, FieldInput>,
}

async fn parse(
    state: &UiState,
    viewer: &Viewer,
    form: &FormData,
    errors: &mut FieldErrors,
) -> PageResult<Parsed> {
    let category_id = match form.opt("category_id").map(str::parse::<i64>) {
        None => None,
        Some(Ok(id)) => Some(CategoryId(id)),
        Some(Err(_)) => {
            errors.add("category_id", "choose a category from the list");
            None
        }
    };
    let ticket_type = form
        .opt("ticket_type")
        .and_then(|t| TicketType::parse(t).ok());
    if form.opt("ticket_type").is_some() && ticket_type.is_none() {
        errors.add("ticket_type", "choose a type from the list");
    }
    let priority = form.opt("priority").and_then(|p| Priority::parse(p).ok());
    if form.opt("priority").is_some() && priority.is_none() {
        errors.add("priority", "choose a priority from the list");
    }
    let audience = match TemplateAudience::parse(form.get("audience")) {
        Ok(a) => a,
        Err(_) => {
            errors.add("audience", "choose who uses the template");
            TemplateAudience::Both
        }
    };
    let fields = state.app.custom_fields().list(&viewer.actor).await?;
    let mut custom = BTreeMap::new();
    for field in fields.iter().filter(|f| f.spec.active) {
        let name = format!("cf.{}", field.spec.key);
        let given = form.all(&name);
        let value = if field.spec.kind == FieldKind::MultipleChoice {
            if given.is_empty() {
                continue;
            }
            FieldInput::Many(given.into_iter().map(str::to_owned).collect())
        } else {
            match form.opt(&name) {
                Some(text) => FieldInput::One(text.to_owned()),
                None => continue,
            }
        };
        custom.insert(field.spec.key.clone(), value);
    }
    Ok(Parsed {
        category_id,
        ticket_type,
        priority,
        audience,
        custom,
    })
}

/// A refusal of the service as errors on the form: custom values on their own input.
fn absorb(errors: &mut FieldErrors, error: AppError) -> PageResult<()> {
    match error {
        AppError::Invalid { field, message } if field.starts_with("custom_fields.") => {
            let key = field.trim_start_matches("custom_fields.");
            errors.add(&format!("cf.{key}"), message);
            Ok(())
        }
        other => errors.absorb(other, FIELDS, "name"),
    }
}

async fn create(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Form(form): Form,
) -> PageResult {
    let mut errors = FieldErrors::new();
    let parsed = parse(&state, &viewer, &form, &mut errors).await?;
    if errors.is_empty() {
        let input = TemplateInput {
            name: form.get("name").to_owned(),
            description: form.get("description").to_owned(),
            subject: form.get("subject").to_owned(),
            body: form.get("body").to_owned(),
            category_id: parsed.category_id,
            ticket_type: parsed.ticket_type,
            priority: parsed.priority,
            custom_fields: parsed.custom,
            audience: parsed.audience,
            active: form.checked("active"),
            position: None,
        };
        match state
            .app
            .ticket_templates()
            .create(&viewer.actor, input)
            .await
        {
            Ok(_) => {
                return Ok(Redirect::to("/admin/ticket-templates?done=saved").into_response());
            }
            Err(error) => absorb(&mut errors, error)?,
        }
    }
    let page = form_page(&state, &viewer, None, form, errors).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

async fn update(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    let id = TicketTemplateId(path_id(&raw)?);
    state.app.ticket_templates().get(&viewer.actor, id).await?;
    let mut errors = FieldErrors::new();
    let parsed = parse(&state, &viewer, &form, &mut errors).await?;
    if errors.is_empty() {
        let patch = TemplatePatch {
            name: Some(form.get("name").to_owned()),
            description: Some(form.get("description").to_owned()),
            subject: Some(form.get("subject").to_owned()),
            body: Some(form.get("body").to_owned()),
            category_id: Some(parsed.category_id),
            ticket_type: Some(parsed.ticket_type),
            priority: Some(parsed.priority),
            custom_fields: Some(parsed.custom),
            audience: Some(parsed.audience),
            active: Some(form.checked("active")),
            position: None,
        };
        match state
            .app
            .ticket_templates()
            .update(&viewer.actor, id, patch)
            .await
        {
            Ok(_) => {
                return Ok(Redirect::to("/admin/ticket-templates?done=saved").into_response());
            }
            Err(error) => absorb(&mut errors, error)?,
        }
    }
    let page = form_page(&state, &viewer, Some(id.get()), form, errors).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

async fn move_template(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    let id = TicketTemplateId(path_id(&raw)?);
    let direction = Move::parse(form.get("direction")).map_err(AppError::from)?;
    state
        .app
        .ticket_templates()
        .move_to(&viewer.actor, id, direction)
        .await?;
    Ok(Redirect::to("/admin/ticket-templates?done=template_moved").into_response())
}

async fn deactivate(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
    Form(_form): Form,
) -> PageResult {
    let id = TicketTemplateId(path_id(&raw)?);
    let patch = TemplatePatch {
        active: Some(false),
        ..TemplatePatch::default()
    };
    state
        .app
        .ticket_templates()
        .update(&viewer.actor, id, patch)
        .await?;
    Ok(Redirect::to("/admin/ticket-templates?done=template_deactivated").into_response())
}

async fn confirm_delete(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
) -> PageResult {
    let id = TicketTemplateId(path_id(&raw)?);
    let template = state.app.ticket_templates().get(&viewer.actor, id).await?;
    let page = DeletePage {
        chrome: chrome(&viewer, "ticket-templates", "Delete ticket template", None),
        id: id.get(),
        name: template.spec.name,
    };
    Ok(render(StatusCode::OK, &page))
}

async fn delete(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
    Form(_form): Form,
) -> PageResult {
    let id = TicketTemplateId(path_id(&raw)?);
    state
        .app
        .ticket_templates()
        .delete(&viewer.actor, id)
        .await?;
    Ok(Redirect::to("/admin/ticket-templates?done=template_deleted").into_response())
}
