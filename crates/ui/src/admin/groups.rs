//! `/admin/groups`: support groups, their tiers, members and escalation targets.

use super::{DoneQuery, chrome, path_id};
use crate::UiState;
use crate::chrome::Chrome;
use crate::error::{PageResult, render};
use crate::form::{FieldErrors, Form, FormData};
use crate::session::{Admin, Viewer};
use crate::view::{Choice, Names, group_choices};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use ferrodesk_app::{AppError, GroupInput, GroupUpdate};
use ferrodesk_domain::GroupId;

pub(crate) fn routes() -> Router<UiState> {
    Router::new()
        .route("/groups", get(groups).post(create_group))
        .route("/groups/{id}", get(edit_group_page).post(update_group))
}

#[derive(Debug, Clone)]
struct GroupRow {
    id: i64,
    name: String,
    tier: i64,
    description: String,
    escalates_to: String,
}

#[derive(Template)]
#[template(path = "admin/groups.html")]
struct GroupsPage {
    chrome: Chrome,
    rows: Vec<GroupRow>,
    input: FormData,
    errors: FieldErrors,
    tier_options: Vec<Choice>,
    escalation_options: Vec<Choice>,
}

fn tier_choices(current: &str) -> Vec<Choice> {
    (1..=3)
        .map(|t| Choice::new(t, format!("Tier {t}"), current == t.to_string()))
        .collect()
}

async fn groups_page(
    state: &UiState,
    viewer: &Viewer,
    input: FormData,
    errors: FieldErrors,
    done: Option<&str>,
) -> PageResult<GroupsPage> {
    let names = Names::load(state, &viewer.actor).await?;
    let rows = names
        .groups()
        .into_iter()
        .map(|g| GroupRow {
            id: g.id.get(),
            name: g.name.clone(),
            tier: g.tier.get(),
            description: g.description.clone(),
            escalates_to: names.group_or(g.escalates_to, ""),
        })
        .collect();
    Ok(GroupsPage {
        chrome: chrome(viewer, "groups", "Groups", done),
        rows,
        tier_options: tier_choices(input.opt("tier").unwrap_or("1")),
        escalation_options: group_choices(&names, input.get("escalates_to"), "Nowhere"),
        input,
        errors,
    })
}

async fn groups(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Query(query): Query<DoneQuery>,
) -> PageResult {
    let page = groups_page(
        &state,
        &viewer,
        FormData::default(),
        FieldErrors::new(),
        query.done.as_deref(),
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

pub(super) fn parse_group_ref(
    form: &FormData,
    errors: &mut FieldErrors,
    field: &str,
) -> Option<GroupId> {
    let text = form.opt(field)?;
    match text.parse::<i64>() {
        Ok(id) => Some(GroupId(id)),
        Err(_) => {
            errors.add(field, "choose a group from the list");
            None
        }
    }
}

fn parse_tier(form: &FormData, errors: &mut FieldErrors) -> i64 {
    match form.get("tier").trim().parse::<i64>() {
        Ok(t) => t,
        Err(_) => {
            errors.add("tier", "choose a tier");
            1
        }
    }
}

const GROUP_FIELDS: &[(&str, &str)] = &[
    ("name", "name"),
    ("tier", "tier"),
    ("description", "description"),
    ("escalates_to", "escalates_to"),
    ("group", "escalates_to"),
];

async fn create_group(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Form(form): Form,
) -> PageResult {
    let mut errors = FieldErrors::new();
    let escalates_to = parse_group_ref(&form, &mut errors, "escalates_to");
    let tier = parse_tier(&form, &mut errors);
    if errors.is_empty() {
        let input = GroupInput {
            name: form.get("name").to_owned(),
            tier,
            description: form.opt("description").map(str::to_owned),
            escalates_to,
        };
        match state
            .app
            .directory()
            .create_group(&viewer.actor, input)
            .await
        {
            Ok(_) => return Ok(Redirect::to("/admin/groups?done=saved").into_response()),
            Err(AppError::Conflict { message, .. }) => errors.add("name", message),
            Err(error) => errors.absorb(error, GROUP_FIELDS, "name")?,
        }
    }
    let page = groups_page(&state, &viewer, form, errors, None).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

#[derive(Template)]
#[template(path = "admin/group_form.html")]
struct GroupFormPage {
    chrome: Chrome,
    id: i64,
    name: String,
    description: String,
    tier_options: Vec<Choice>,
    escalation_options: Vec<Choice>,
    errors: FieldErrors,
}

async fn group_form(
    state: &UiState,
    viewer: &Viewer,
    id: GroupId,
    values: (String, String, String, String),
    errors: FieldErrors,
) -> PageResult<GroupFormPage> {
    let names = Names::load(state, &viewer.actor).await?;
    let (name, tier, description, escalates_to) = values;
    Ok(GroupFormPage {
        chrome: chrome(viewer, "groups", &name, None),
        id: id.get(),
        tier_options: tier_choices(&tier),
        escalation_options: group_choices(&names, &escalates_to, "Nowhere")
            .into_iter()
            .filter(|c| c.value != id.to_string())
            .collect(),
        name,
        description,
        errors,
    })
}

async fn edit_group_page(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
) -> PageResult {
    let id = GroupId(path_id(&raw)?);
    let group = state.app.directory().get_group(&viewer.actor, id).await?;
    let values = (
        group.name.clone(),
        group.tier.get().to_string(),
        group.description.clone(),
        group
            .escalates_to
            .map(|g| g.to_string())
            .unwrap_or_default(),
    );
    let page = group_form(&state, &viewer, id, values, FieldErrors::new()).await?;
    Ok(render(StatusCode::OK, &page))
}

async fn update_group(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    let id = GroupId(path_id(&raw)?);
    let group = state.app.directory().get_group(&viewer.actor, id).await?;
    let mut errors = FieldErrors::new();
    let escalates_to = parse_group_ref(&form, &mut errors, "escalates_to");
    let tier = parse_tier(&form, &mut errors);
    if errors.is_empty() {
        let name = form.get("name").trim().to_owned();
        let input = GroupUpdate {
            name: (name != group.name).then_some(name),
            tier: Some(tier),
            description: Some(form.get("description").to_owned()),
            escalates_to: Some(escalates_to),
        };
        match state
            .app
            .directory()
            .update_group(&viewer.actor, id, input)
            .await
        {
            Ok(_) => return Ok(Redirect::to("/admin/groups?done=saved").into_response()),
            Err(AppError::Conflict { message, .. }) => errors.add("name", message),
            Err(error) => errors.absorb(error, GROUP_FIELDS, "name")?,
        }
    }
    let values = (
        form.get("name").to_owned(),
        form.get("tier").to_owned(),
        form.get("description").to_owned(),
        form.get("escalates_to").to_owned(),
    );
    let page = group_form(&state, &viewer, id, values, errors).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}
