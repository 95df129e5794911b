//! Custom fields in the ticket forms: the inputs of the fields that apply to the
//! chosen type and category (one shared partial, `custom_fields_inputs.html`, for the
//! agent's and the portal's new-ticket forms and the ticket view's panel), the values
//! read back from a submitted form, and `GET /custom-fields/inputs`, which renders the
//! inputs again when the type or category changes (htmx; without it the form still
//! submits and the server checks the values).
//!
//! Inputs are named `cf.<key>`; a multiple choice submits one value per ticked option,
//! a checkbox a hidden `false` before the box, so the last value wins.

use crate::UiState;
use crate::error::{PageResult, render};
use crate::form::{FieldErrors, FormData};
use crate::session::Viewer;
use crate::view::Choice;
use askama::Template;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::routing::get;
use ferrodesk_app::{AppError, AssetFilter, PageRequest, UserFilter};
use ferrodesk_domain::custom_fields::parse_value;
use ferrodesk_domain::{
    CategoryId, CustomField, FieldInput, FieldKind, FieldProblem, FieldValue, TicketType,
};
use std::collections::BTreeMap;

pub(crate) fn routes() -> Router<UiState> {
    Router::new().route("/custom-fields/inputs", get(refreshed))
}

/// The form name of a field's input.
pub(crate) fn input_name(field: &CustomField) -> String {
    format!("cf.{}", field.spec.key)
}

/// One field's input as the partial draws it.
pub(crate) struct CfInput {
    /// `cf.<key>`.
    pub name: String,
    /// The element id (`cf-<key>`).
    pub id: String,
    pub label: String,
    /// The kind's `as_str`.
    pub kind: &'static str,
    pub required: bool,
    /// The typed value (single-valued kinds).
    pub value: String,
    /// Options with the chosen ones selected (choices, person) or the datalist (asset).
    pub options: Vec<Choice>,
    pub error: Option<String>,
}

/// The inputs of a form: the fields and whether they save one by one (the ticket
/// view's panel) or with the form.
#[derive(Template)]
#[template(path = "custom_fields_inputs.html")]
pub(crate) struct CfInputs {
    pub fields: Vec<CfInput>,
    /// Where each field posts on its own (`/agent/tickets/{id}/custom-fields`), if
    /// the inputs save at once.
    pub save_to: Option<String>,
    pub csrf: String,
}

/// The active fields the viewer may fill that apply to a ticket of `ticket_type` in
/// `category_id`, by position.
///
/// # Errors
/// The service's.
pub(crate) async fn applying(
    state: &UiState,
    viewer: &Viewer,
    ticket_type: TicketType,
    category_id: Option<CategoryId>,
) -> PageResult<Vec<CustomField>> {
    let all = state.app.custom_fields().list(&viewer.actor).await?;
    Ok(all
        .into_iter()
        .filter(|f| f.spec.applies_to(ticket_type, category_id))
        .collect())
}

/// The type and category a form names (an incident in no category when absent or
/// not readable: the form's own checks report those).
pub(crate) fn target(form: &FormData) -> (TicketType, Option<CategoryId>) {
    let ticket_type = TicketType::parse(form.get("ticket_type")).unwrap_or(TicketType::Incident);
    let category_id = form.get("category_id").parse().ok().map(CategoryId);
    (ticket_type, category_id)
}

/// The inputs of `fields` filled from `form` (what was typed), with `errors` beside
/// them.
///
/// # Errors
/// The services' (people and assets for the choices).
pub(crate) async fn inputs(
    state: &UiState,
    viewer: &Viewer,
    fields: &[CustomField],
    form: &FormData,
    errors: &FieldErrors,
) -> PageResult<Vec<CfInput>> {
    let mut people = None;
    let mut assets = None;
    let mut out = Vec::with_capacity(fields.len());
    for field in fields {
        let name = input_name(field);
        let spec = &field.spec;
        let chosen = form.all(&name);
        let value = chosen.last().copied().unwrap_or("").to_owned();
        let options = match spec.kind {
            FieldKind::SingleChoice | FieldKind::MultipleChoice => spec
                .options
                .iter()
                .map(|o| Choice::new(o, o.clone(), chosen.contains(&o.as_str())))
                .collect(),
            FieldKind::Person => {
                if people.is_none() {
                    people = Some(person_options(state, viewer).await?);
                }
                let all = people.as_deref().unwrap_or_default();
                all.iter()
                    .map(|(id, label)| Choice::new(id, label.clone(), *id == value))
                    .collect()
            }
            FieldKind::Asset => {
                if assets.is_none() {
                    assets = Some(asset_tags(state, viewer, None).await?);
                }
                let all = assets.as_deref().unwrap_or_default();
                all.iter()
                    .map(|(_, tag)| Choice::new(tag, tag.clone(), false))
                    .collect()
            }
            _ => Vec::new(),
        };
        out.push(CfInput {
            id: format!("cf-{}", spec.key),
            label: spec.label.clone(),
            kind: spec.kind.as_str(),
            required: spec.required,
            value,
            options,
            error: errors.get(&name).map(str::to_owned),
            name,
        });
    }
    Ok(out)
}

/// The inputs of a ticket's current values (the ticket view's panel).
pub(crate) fn current_form(values: &[(CustomField, FieldValue)]) -> FormData {
    let mut form = FormData::default();
    for (field, value) in values {
        let name = input_name(field);
        match value {
            FieldValue::Choices(options) => {
                for option in options {
                    form.push(&name, option);
                }
            }
            // An asset is typed and shown by its tag; the caller fills it in.
            FieldValue::Asset(_) => {}
            other => form.set(&name, &other.to_stored()),
        }
    }
    form
}

/// Staff and customers to pick from, by name: the first page the viewer may list.
async fn person_options(state: &UiState, viewer: &Viewer) -> PageResult<Vec<(String, String)>> {
    let page = state
        .app
        .directory()
        .list_users(
            &viewer.actor,
            &UserFilter::default(),
            &PageRequest::first(ferrodesk_app::MAX_PAGE_SIZE),
        )
        .await?;
    let mut people: Vec<(String, String)> = page
        .items
        .into_iter()
        .filter(|u| u.is_active)
        .map(|u| (u.id.to_string(), format!("{} ({})", u.name, u.email)))
        .collect();
    people.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(people)
}

/// Asset ids and tags the viewer may see, those starting with `prefix` if given.
pub(crate) async fn asset_tags(
    state: &UiState,
    viewer: &Viewer,
    prefix: Option<&str>,
) -> PageResult<Vec<(i64, String)>> {
    let filter = AssetFilter {
        tag: prefix.map(str::to_owned),
        ..AssetFilter::default()
    };
    let page = state
        .app
        .assets()
        .list(
            &viewer.actor,
            filter,
            &PageRequest::first(ferrodesk_app::MAX_PAGE_SIZE),
        )
        .await?;
    Ok(page
        .items
        .into_iter()
        .map(|a| (a.id.get(), a.tag))
        .collect())
}

/// The values of `fields` from a submitted form, by key: what was typed, with an
/// asset's tag turned into its id (an unknown tag is an error on the field). With
/// `clear_empty`, an empty input clears the field (a change); otherwise it is left
/// out (a new ticket).
///
/// # Errors
/// The services'.
pub(crate) async fn form_values(
    state: &UiState,
    viewer: &Viewer,
    fields: &[CustomField],
    form: &FormData,
    clear_empty: bool,
    errors: &mut FieldErrors,
) -> PageResult<BTreeMap<String, FieldInput>> {
    let mut values = BTreeMap::new();
    for field in fields {
        let name = input_name(field);
        let given: Vec<&str> = form
            .all(&name)
            .into_iter()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect();
        let input = match (field.spec.kind, given.last()) {
            (_, None) => FieldInput::Empty,
            (FieldKind::MultipleChoice, Some(_)) => {
                FieldInput::Many(given.iter().map(|v| (*v).to_owned()).collect())
            }
            (FieldKind::Asset, Some(tag)) => {
                let found = asset_tags(state, viewer, Some(tag)).await?;
                match found.iter().find(|(_, t)| t.eq_ignore_ascii_case(tag)) {
                    Some((id, _)) => FieldInput::One(id.to_string()),
                    None => {
                        errors.add(&name, format!("there is no asset tagged {tag}"));
                        continue;
                    }
                }
            }
            (_, Some(one)) => FieldInput::One((*one).to_owned()),
        };
        if input != FieldInput::Empty || clear_empty {
            values.insert(field.spec.key.clone(), input);
        }
    }
    Ok(values)
}

/// Files a refused ticket write's custom-field error beside each field it is about:
/// every field of `fields` is checked again on its own (a missing required value, a
/// wrong value), so all of them show at once. Returns the error back when it is not
/// about custom fields.
pub(crate) fn spread(
    fields: &[CustomField],
    values: &BTreeMap<String, FieldInput>,
    error: AppError,
    errors: &mut FieldErrors,
) -> Result<(), AppError> {
    let AppError::Invalid { field, message } = error else {
        return Err(error);
    };
    let Some(key) = field.strip_prefix("custom_fields.") else {
        return Err(AppError::Invalid { field, message });
    };
    let mut found = false;
    for f in fields {
        let given = values.get(&f.spec.key).unwrap_or(&FieldInput::Empty);
        let problem = match parse_value(&f.spec, given) {
            Ok(None) if f.spec.required => Some(FieldProblem::Required),
            Ok(_) => None,
            Err(problem) => Some(problem),
        };
        if let Some(problem) = problem {
            found = true;
            errors.add(&input_name(f), problem_text(&problem));
        }
    }
    if !found {
        let name = format!("cf.{key}");
        let short = message
            .split("; also")
            .next()
            .unwrap_or(&message)
            .to_owned();
        errors.add(&name, short);
    }
    Ok(())
}

fn problem_text(problem: &FieldProblem) -> String {
    match problem {
        FieldProblem::Required => "fill this in: it is required".to_owned(),
        other => other.to_string(),
    }
}

/// `GET /custom-fields/inputs?ticket_type=..&category_id=..&cf.<key>=..`: the inputs
/// for the type and category chosen, keeping what was typed.
async fn refreshed(
    State(state): State<UiState>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
) -> PageResult {
    let form = FormData::parse(query.unwrap_or_default().as_bytes());
    let (ticket_type, category_id) = target(&form);
    let fields = applying(&state, &viewer, ticket_type, category_id).await?;
    let fields = inputs(&state, &viewer, &fields, &form, &FieldErrors::new()).await?;
    Ok(render(
        StatusCode::OK,
        &CfInputs {
            fields,
            save_to: None,
            csrf: viewer.csrf.clone(),
        },
    ))
}
