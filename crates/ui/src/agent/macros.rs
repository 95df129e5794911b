//! `/agent/macros`: the canned responses an agent may use, with their own to write,
//! change and delete; supervisors and admins also write the shared ones (for the whole
//! desk or with chosen groups). A macro's changes are a status, a priority, a group,
//! an assignee and tags, as in the API (`/api/v1/macros`).

use super::ticket::macros::action_chips;
use crate::UiState;
use crate::agent::Sidebar;
use crate::chrome::Chrome;
use crate::error::{PageResult, render};
use crate::form::{FieldErrors, Form, FormData};
use crate::session::{Staff, Viewer};
use crate::view::{Choice, Names, multi_choices};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Redirect};
use axum::routing::{get, post};
use ferrodesk_app::{MacroInput, MacroPatch};
use ferrodesk_domain::{
    GroupId, Macro, MacroActions, MacroId, MacroScope, Priority, TicketStatus, UserId,
};

pub(super) fn routes() -> Router<UiState> {
    Router::new()
        .route("/macros", get(list_page).post(create))
        .route("/macros/new", get(new_page))
        .route("/macros/{id}", get(edit_page).post(update))
        .route("/macros/{id}/delete", post(delete))
}

/// One macro as the list shows it.
struct Row {
    id: i64,
    name: String,
    body: String,
    scope: String,
    kind: &'static str,
    chips: Vec<String>,
    editable: bool,
}

#[derive(Template)]
#[template(path = "agent/macro_list.html")]
struct ListPage {
    chrome: Chrome,
    sidebar: Sidebar,
    csrf: String,
    rows: Vec<Row>,
    notice: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "agent/macro_form.html")]
struct FormPage {
    chrome: Chrome,
    sidebar: Sidebar,
    csrf: String,
    /// `None` for a new macro.
    id: Option<i64>,
    input: FormData,
    errors: FieldErrors,
    statuses: Vec<Choice>,
    priorities: Vec<Choice>,
    groups: Vec<Choice>,
    assignees: Vec<Choice>,
    /// The groups a shared macro may be limited to (checkboxes).
    share_groups: Vec<Choice>,
    may_share: bool,
}

fn scope_label(scope: &MacroScope) -> String {
    match scope {
        MacroScope::Personal { .. } => "Personal".to_owned(),
        MacroScope::Shared { group_ids } if group_ids.is_empty() => {
            "Shared with the whole desk".to_owned()
        }
        MacroScope::Shared { group_ids } => format!(
            "Shared with {} group{}",
            group_ids.len(),
            if group_ids.len() == 1 { "" } else { "s" }
        ),
    }
}

async fn sidebar(state: &UiState, viewer: &Viewer) -> PageResult<Sidebar> {
    let names = Names::load(state, &viewer.actor).await?;
    Sidebar::load(state, &viewer.actor, &names, "macros").await
}

async fn list_page(State(state): State<UiState>, Staff(viewer): Staff) -> PageResult {
    list(&state, &viewer, None).await
}

async fn list(state: &UiState, viewer: &Viewer, notice: Option<&'static str>) -> PageResult {
    let macros = state.app.macros().list(&viewer.actor).await?;
    let rows = macros
        .into_iter()
        .map(|m| Row {
            id: m.id.get(),
            editable: m.fields.scope.editable_by(&viewer.actor),
            scope: scope_label(&m.fields.scope),
            kind: if m.fields.internal {
                "Internal note"
            } else {
                "Public reply"
            },
            chips: action_chips(&m.fields.actions),
            name: m.fields.name,
            body: m.fields.body,
        })
        .collect();
    let page = ListPage {
        chrome: Chrome::new(viewer, "agent", "Macros"),
        sidebar: sidebar(state, viewer).await?,
        csrf: viewer.csrf.clone(),
        rows,
        notice,
    };
    Ok(render(StatusCode::OK, &page))
}

fn status_choices(chosen: &str) -> Vec<Choice> {
    let mut out = vec![Choice::new("", "Leave as it is", chosen.is_empty())];
    for status in [
        TicketStatus::Open,
        TicketStatus::PendingCustomer,
        TicketStatus::PendingVendor,
        TicketStatus::PendingScheduled,
        TicketStatus::Resolved,
    ] {
        let label = crate::view::status_badge(status).label;
        out.push(Choice::new(
            status.as_str(),
            label,
            status.as_str() == chosen,
        ));
    }
    out
}

fn priority_choices(chosen: &str) -> Vec<Choice> {
    let mut out = vec![Choice::new("", "Leave as it is", chosen.is_empty())];
    for (priority, label) in [
        (Priority::P1, "P1 critical"),
        (Priority::P2, "P2 high"),
        (Priority::P3, "P3 medium"),
        (Priority::P4, "P4 low"),
    ] {
        out.push(Choice::new(
            priority.as_str(),
            label,
            priority.as_str() == chosen,
        ));
    }
    out
}

fn group_choices(names: &Names, chosen: &str) -> Vec<Choice> {
    let mut out = vec![Choice::new("", "Leave as it is", chosen.is_empty())];
    out.extend(names.groups().into_iter().map(|g| {
        let value = g.id.to_string();
        let selected = value == chosen;
        Choice::new(value, g.name.clone(), selected)
    }));
    out
}

fn assignee_choices(staff: &[ferrodesk_domain::User], chosen: &str) -> Vec<Choice> {
    let mut out = vec![Choice::new("", "Leave as it is", chosen.is_empty())];
    out.extend(staff.iter().map(|u| {
        let value = u.id.to_string();
        let selected = value == chosen;
        Choice::new(value, u.name.clone(), selected)
    }));
    out
}

async fn form_page(
    state: &UiState,
    viewer: &Viewer,
    id: Option<i64>,
    input: FormData,
    errors: FieldErrors,
    status: StatusCode,
) -> PageResult {
    let title = if id.is_some() {
        "Edit macro"
    } else {
        "New macro"
    };
    let names = Names::load(state, &viewer.actor).await?;
    let staff = super::staff_members(state, &viewer.actor).await?;
    let share_options = names
        .groups()
        .into_iter()
        .map(|g| (g.id, g.name.clone()))
        .collect();
    let page = FormPage {
        chrome: Chrome::new(viewer, "agent", title),
        sidebar: Sidebar::load(state, &viewer.actor, &names, "macros").await?,
        csrf: viewer.csrf.clone(),
        statuses: status_choices(input.get("status")),
        priorities: priority_choices(input.get("priority")),
        groups: group_choices(&names, input.get("group")),
        assignees: assignee_choices(&staff, input.get("assignee")),
        share_groups: multi_choices(share_options, &input.all("share_groups")),
        may_share: viewer.actor.role.sees_all_tickets(),
        id,
        input,
        errors,
    };
    Ok(render(status, &page))
}

async fn new_page(State(state): State<UiState>, Staff(viewer): Staff) -> PageResult {
    let input = FormData::from_pairs(Vec::new());
    form_page(
        &state,
        &viewer,
        None,
        input,
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// A saved macro as the form's values.
fn form_values(found: &Macro) -> FormData {
    let f = &found.fields;
    let status = f.actions.status.map(|s| s.as_str()).unwrap_or_default();
    let priority = f.actions.priority.map(|p| p.as_str()).unwrap_or_default();
    let add = f.actions.add_tags.join(", ");
    let remove = f.actions.remove_tags.join(", ");
    let mut pairs = vec![
        ("name", f.name.clone()),
        ("body", f.body.clone()),
        ("status", status.to_owned()),
        ("priority", priority.to_owned()),
        ("add_tags", add),
        ("remove_tags", remove),
        (
            "group",
            f.actions
                .group_id
                .map(|g| g.to_string())
                .unwrap_or_default(),
        ),
        (
            "assignee",
            f.actions
                .assignee_id
                .map(|u| u.to_string())
                .unwrap_or_default(),
        ),
    ];
    if f.internal {
        pairs.push(("internal", "on".to_owned()));
    }
    if let MacroScope::Shared { group_ids } = &f.scope {
        pairs.push(("shared", "on".to_owned()));
        pairs.extend(group_ids.iter().map(|g| ("share_groups", g.to_string())));
    }
    FormData::from_pairs(pairs)
}

async fn edit_page(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(id): Path<i64>,
) -> PageResult {
    let found = state.app.macros().get(&viewer.actor, MacroId(id)).await?;
    let input = form_values(&found);
    form_page(
        &state,
        &viewer,
        Some(id),
        input,
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

fn tag_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// An optional id from a select: empty is `None`, anything else must be a number.
fn chosen_id(form: &FormData, errors: &mut FieldErrors, name: &str, what: &str) -> Option<i64> {
    match form.get(name).trim() {
        "" => None,
        text => text.parse().ok().or_else(|| {
            errors.add(name, format!("choose {what} from the list"));
            None
        }),
    }
}

/// The form's fields; a status, priority, group or person the lists do not offer is a
/// field error.
fn read_form(form: &FormData, errors: &mut FieldErrors) -> MacroInput {
    let status = match form.get("status").trim() {
        "" => None,
        text => TicketStatus::parse(text).ok().or_else(|| {
            errors.add("status", "choose a status from the list");
            None
        }),
    };
    let priority = match form.get("priority").trim() {
        "" => None,
        text => Priority::parse(text).ok().or_else(|| {
            errors.add("priority", "choose a priority from the list");
            None
        }),
    };
    let group_id = chosen_id(form, errors, "group", "a group").map(GroupId);
    let assignee_id = chosen_id(form, errors, "assignee", "a person").map(UserId);
    let mut group_ids = Vec::new();
    for raw in form.all("share_groups") {
        match raw.trim().parse() {
            Ok(id) => group_ids.push(GroupId(id)),
            Err(_) => errors.add("share_groups", "choose groups from the list"),
        }
    }
    MacroInput {
        name: form.get("name").to_owned(),
        body: form.get("body").to_owned(),
        internal: form.opt("internal").is_some(),
        actions: MacroActions {
            status,
            priority,
            group_id,
            assignee_id,
            add_tags: tag_list(form.get("add_tags")),
            remove_tags: tag_list(form.get("remove_tags")),
        },
        shared: form.opt("shared").is_some(),
        group_ids,
    }
}

const FIELDS: &[(&str, &str)] = &[
    ("name", "name"),
    ("body", "body"),
    ("add_tags", "add_tags"),
    ("remove_tags", "remove_tags"),
    ("group", "group"),
    ("user", "assignee"),
];

async fn create(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Form(form): Form,
) -> PageResult {
    let mut errors = FieldErrors::new();
    let input = read_form(&form, &mut errors);
    if errors.is_empty() {
        match state.app.macros().create(&viewer.actor, input).await {
            Ok(_) => return Ok(Redirect::to("/agent/macros?done=saved").into_response()),
            Err(error) => errors.absorb(error, FIELDS, "name")?,
        }
    }
    form_page(
        &state,
        &viewer,
        None,
        form,
        errors,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

async fn update(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(id): Path<i64>,
    Form(form): Form,
) -> PageResult {
    let macros = state.app.macros();
    let mut errors = FieldErrors::new();
    let input = read_form(&form, &mut errors);
    if errors.is_empty() {
        let patch = MacroPatch {
            name: Some(input.name),
            body: Some(input.body),
            internal: Some(input.internal),
            actions: Some(input.actions),
            shared: Some(input.shared),
            group_ids: Some(input.group_ids),
        };
        match macros.update(&viewer.actor, MacroId(id), patch).await {
            Ok(_) => return Ok(Redirect::to("/agent/macros?done=saved").into_response()),
            Err(error) => errors.absorb(error, FIELDS, "name")?,
        }
    }
    form_page(
        &state,
        &viewer,
        Some(id),
        form,
        errors,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

async fn delete(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(id): Path<i64>,
    Form(_form): Form,
) -> PageResult {
    state
        .app
        .macros()
        .delete(&viewer.actor, MacroId(id))
        .await?;
    list(&state, &viewer, Some("Macro deleted.")).await
}
