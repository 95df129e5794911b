//! Routing rules (`/admin/routing-rules`): conditions on channel, category, service,
//! organization, priority and words, with actions that set group, priority, category,
//! tags and assignee or notify staff. Who then gets the ticket is
//! [`assignment`](super::assignment)'s.
//!
//! Admins only; the services check that again on every call.

use super::{
    DoneQuery, all_organizations, chosen_id, chrome, path_id, priority_label, staff, words,
};
use crate::UiState;
use crate::chrome::Chrome;
use crate::error::{PageResult, render};
use crate::form::{FieldErrors, Form, FormData, chosen_ids};
use crate::session::{Admin, Viewer};
use crate::view::{
    Choice, Names, category_choices, channel_label, group_choices, multi_choices, type_label,
};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use ferrodesk_app::{AppError, RoutingRule, RuleId};
use ferrodesk_domain::{
    CategoryId, Channel, GroupId, OrganizationId, Priority, ServiceId, TicketType, UserId,
};

/// Under `/admin`.
pub(crate) fn routes() -> Router<UiState> {
    Router::new()
        .route("/routing-rules", get(routing_rules).post(save_routing_rule))
        .route("/routing-rules/new", get(new_routing_rule_page))
        .route(
            "/routing-rules/{id}",
            get(edit_routing_rule_page).post(save_routing_rule),
        )
        .route("/routing-rules/{id}/delete", post(delete_routing_rule))
}
// --- routing rules ---------------------------------------------------------------------

const ROUTING_FIELDS: &[(&str, &str)] = &[
    ("name", "name"),
    ("position", "position"),
    ("actions", "action_group_id"),
    ("actions.group_id", "action_group_id"),
    ("actions.category_id", "action_category_id"),
    ("actions.ticket_type", "action_ticket_type"),
    ("actions.assignee_id", "action_assignee_id"),
    ("actions.notify_user_ids", "action_notify_user_ids"),
    ("actions.add_tags", "action_tags"),
    ("tags", "action_tags"),
    ("group", "action_group_id"),
    ("category", "action_category_id"),
];

#[derive(Debug, Clone)]
struct RoutingRow {
    id: i64,
    position: i64,
    name: String,
    is_enabled: bool,
    when: String,
    then: String,
}

#[derive(Template)]
#[template(path = "admin/routing_rules.html")]
struct RoutingRulesPage {
    chrome: Chrome,
    rows: Vec<RoutingRow>,
}

fn describe_conditions(rule: &RoutingRule, names: &Names) -> String {
    let c = &rule.conditions;
    let mut parts = Vec::new();
    if !c.channels.is_empty() {
        let list: Vec<&str> = c.channels.iter().map(|ch| channel_label(*ch)).collect();
        parts.push(format!("channel {}", list.join(" or ")));
    }
    if !c.priorities.is_empty() {
        let list: Vec<&str> = c.priorities.iter().map(|p| priority_label(*p)).collect();
        parts.push(format!("priority {}", list.join(" or ")));
    }
    if !c.category_ids.is_empty() {
        let list: Vec<String> = c
            .category_ids
            .iter()
            .map(|id| names.category_or(Some(*id), "?"))
            .collect();
        parts.push(format!("category {}", list.join(" or ")));
    }
    if !c.service_ids.is_empty() {
        let list: Vec<String> = c
            .service_ids
            .iter()
            .map(|id| names.service_or(Some(*id), "?"))
            .collect();
        parts.push(format!("service {}", list.join(" or ")));
    }
    if !c.organization_ids.is_empty() {
        parts.push(format!("{} organizations", c.organization_ids.len()));
    }
    if !c.requester_ids.is_empty() {
        parts.push(format!("{} requesters", c.requester_ids.len()));
    }
    if !c.text.is_empty() {
        parts.push(format!(
            "words \u{201c}{}\u{201d}",
            c.text.join("\u{201d}, \u{201c}")
        ));
    }
    if parts.is_empty() {
        "every ticket".to_owned()
    } else {
        parts.join("; ")
    }
}

fn describe_actions(rule: &RoutingRule, names: &Names) -> String {
    let a = &rule.actions;
    let mut parts = Vec::new();
    if let Some(group) = a.group_id {
        parts.push(format!("group {}", names.group_name(group)));
    }
    if let Some(priority) = a.priority {
        parts.push(format!("priority {}", priority_label(priority)));
    }
    if let Some(category) = a.category_id {
        parts.push(format!(
            "category {}",
            names.category_or(Some(category), "?")
        ));
    }
    if let Some(ticket_type) = a.ticket_type {
        parts.push(format!("type {}", type_label(ticket_type)));
    }
    if !a.add_tags.is_empty() {
        parts.push(format!("tags {}", a.add_tags.join(", ")));
    }
    if a.assignee_id.is_some() {
        parts.push("an assignee".to_owned());
    }
    if !a.notify_user_ids.is_empty() {
        parts.push(format!(
            "notify {}",
            crate::view::count_of(a.notify_user_ids.len(), "person", "people")
        ));
    }
    parts.join("; ")
}

async fn routing_rules(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Query(query): Query<DoneQuery>,
) -> PageResult {
    let names = Names::load(&state, &viewer.actor).await?;
    let rules = state
        .app
        .service_levels()
        .routing_rules(&viewer.actor)
        .await?;
    let rows = rules
        .iter()
        .map(|r| RoutingRow {
            id: r.id.get(),
            position: r.position,
            name: r.name.clone(),
            is_enabled: r.is_enabled,
            when: describe_conditions(r, &names),
            then: describe_actions(r, &names),
        })
        .collect();
    let page = RoutingRulesPage {
        chrome: chrome(&viewer, "routing", "Routing rules", query.done.as_deref()),
        rows,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "admin/routing_rule_form.html")]
struct RoutingRuleFormPage {
    chrome: Chrome,
    id: Option<i64>,
    input: FormData,
    is_enabled: bool,
    channel_options: Vec<Choice>,
    priority_options: Vec<Choice>,
    category_options: Vec<Choice>,
    service_options: Vec<Choice>,
    organization_options: Vec<Choice>,
    group_action_options: Vec<Choice>,
    priority_action_options: Vec<Choice>,
    category_action_options: Vec<Choice>,
    type_action_options: Vec<Choice>,
    assignee_options: Vec<Choice>,
    notify_options: Vec<Choice>,
    errors: FieldErrors,
}

async fn routing_rule_page(
    state: &UiState,
    viewer: &Viewer,
    id: Option<i64>,
    input: FormData,
    errors: FieldErrors,
) -> PageResult<RoutingRuleFormPage> {
    let names = Names::load(state, &viewer.actor).await?;
    let organizations = all_organizations(state, viewer).await?;
    let people = staff(state, viewer).await?;
    let title = match id {
        Some(_) => input.get("name").to_owned(),
        None => "New routing rule".to_owned(),
    };
    let ids = |list: Vec<(i64, String)>| -> Vec<(String, String)> {
        list.into_iter()
            .map(|(id, n)| (id.to_string(), n))
            .collect()
    };
    let assignee = input.get("action_assignee_id").to_owned();
    let action_priority = input.get("action_priority").to_owned();
    let action_type = input.get("action_ticket_type").to_owned();
    Ok(RoutingRuleFormPage {
        chrome: chrome(viewer, "routing", &title, None),
        id,
        is_enabled: input.checked("is_enabled"),
        channel_options: multi_choices(
            Channel::ALL
                .iter()
                .map(|c| (c.as_str().to_owned(), channel_label(*c).to_owned()))
                .collect(),
            &input.all("channels"),
        ),
        priority_options: multi_choices(
            Priority::ALL
                .iter()
                .map(|p| (p.as_str().to_owned(), priority_label(*p).to_owned()))
                .collect(),
            &input.all("priorities"),
        ),
        category_options: multi_choices(ids(names.categories()), &input.all("category_ids")),
        service_options: multi_choices(ids(names.services()), &input.all("service_ids")),
        organization_options: multi_choices(
            organizations
                .into_iter()
                .map(|o| (o.id.to_string(), o.name))
                .collect(),
            &input.all("organization_ids"),
        ),
        group_action_options: group_choices(&names, input.get("action_group_id"), "Leave as is"),
        priority_action_options: std::iter::once(Choice::new(
            "",
            "Leave as is",
            action_priority.is_empty(),
        ))
        .chain(
            Priority::ALL
                .iter()
                .map(|p| Choice::new(p, priority_label(*p), p.as_str() == action_priority)),
        )
        .collect(),
        category_action_options: category_choices(
            &names,
            input.get("action_category_id"),
            "Leave as is",
        ),
        type_action_options: std::iter::once(Choice::new(
            "",
            "Leave as is",
            action_type.is_empty(),
        ))
        .chain(
            TicketType::ALL
                .iter()
                .map(|t| Choice::new(t.as_str(), type_label(*t), t.as_str() == action_type)),
        )
        .collect(),
        assignee_options: std::iter::once(Choice::new("", "Nobody", assignee.is_empty()))
            .chain(
                people
                    .iter()
                    .map(|(id, name)| Choice::new(id, name.clone(), *id == assignee)),
            )
            .collect(),
        notify_options: multi_choices(people, &input.all("action_notify_user_ids")),
        input,
        errors,
    })
}

async fn new_routing_rule_page(State(state): State<UiState>, Admin(viewer): Admin) -> PageResult {
    let mut input = FormData::default();
    input.set("is_enabled", "on");
    let next = state
        .app
        .service_levels()
        .routing_rules(&viewer.actor)
        .await?
        .iter()
        .map(|r| r.position)
        .max()
        .map_or(10, |p| p + 10);
    input.set("position", &next.to_string());
    let page = routing_rule_page(&state, &viewer, None, input, FieldErrors::new()).await?;
    Ok(render(StatusCode::OK, &page))
}

fn routing_rule_form(rule: &RoutingRule) -> FormData {
    let mut input = FormData::default();
    input.set("name", &rule.name);
    input.set("position", &rule.position.to_string());
    if rule.is_enabled {
        input.set("is_enabled", "on");
    }
    let c = &rule.conditions;
    for channel in &c.channels {
        input.push("channels", channel.as_str());
    }
    for priority in &c.priorities {
        input.push("priorities", priority.as_str());
    }
    for id in &c.category_ids {
        input.push("category_ids", &id.to_string());
    }
    for id in &c.service_ids {
        input.push("service_ids", &id.to_string());
    }
    for id in &c.organization_ids {
        input.push("organization_ids", &id.to_string());
    }
    // Requesters are kept as they are (the API sets them).
    for id in &c.requester_ids {
        input.push("requester_ids", &id.to_string());
    }
    input.set("text", &c.text.join(", "));
    let a = &rule.actions;
    if let Some(group) = a.group_id {
        input.set("action_group_id", &group.to_string());
    }
    if let Some(priority) = a.priority {
        input.set("action_priority", priority.as_str());
    }
    if let Some(category) = a.category_id {
        input.set("action_category_id", &category.to_string());
    }
    if let Some(ticket_type) = a.ticket_type {
        input.set("action_ticket_type", ticket_type.as_str());
    }
    input.set("action_tags", &a.add_tags.join(", "));
    if let Some(assignee) = a.assignee_id {
        input.set("action_assignee_id", &assignee.to_string());
    }
    for id in &a.notify_user_ids {
        input.push("action_notify_user_ids", &id.to_string());
    }
    input
}

async fn edit_routing_rule_page(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
) -> PageResult {
    let id = path_id(&raw)?;
    let rule = state
        .app
        .service_levels()
        .routing_rules(&viewer.actor)
        .await?
        .into_iter()
        .find(|r| r.id.get() == id)
        .ok_or(crate::error::PageError::NotFound)?;
    let input = routing_rule_form(&rule);
    let page = routing_rule_page(&state, &viewer, Some(id), input, FieldErrors::new()).await?;
    Ok(render(StatusCode::OK, &page))
}

fn parse_priority(text: &str, errors: &mut FieldErrors, field: &str) -> Option<Priority> {
    match Priority::parse(text) {
        Ok(priority) => Some(priority),
        Err(_) => {
            errors.add(field, "choose a priority from the list");
            None
        }
    }
}

fn routing_rule_input(form: &FormData, id: Option<i64>, errors: &mut FieldErrors) -> RoutingRule {
    let position = match form.get("position").trim().parse::<i64>() {
        Ok(position) => position,
        Err(_) => {
            errors.add("position", "give a whole number; lower runs first");
            0
        }
    };
    let mut rule = RoutingRule {
        id: RuleId(id.unwrap_or(0)),
        name: form.get("name").to_owned(),
        position,
        is_enabled: form.checked("is_enabled"),
        conditions: Default::default(),
        actions: Default::default(),
    };
    let c = &mut rule.conditions;
    for text in form.all("channels") {
        match Channel::parse(text) {
            Ok(channel) => c.channels.push(channel),
            Err(_) => errors.add("channels", "choose channels from the list"),
        }
    }
    for text in form.all("priorities") {
        if let Some(priority) = parse_priority(text, errors, "priorities") {
            c.priorities.push(priority);
        }
    }
    c.category_ids = chosen_ids(form, errors, "category_ids")
        .into_iter()
        .map(CategoryId)
        .collect();
    c.service_ids = chosen_ids(form, errors, "service_ids")
        .into_iter()
        .map(ServiceId)
        .collect();
    c.organization_ids = chosen_ids(form, errors, "organization_ids")
        .into_iter()
        .map(OrganizationId)
        .collect();
    c.requester_ids = chosen_ids(form, errors, "requester_ids")
        .into_iter()
        .map(UserId)
        .collect();
    c.text = words(form.get("text"));
    let a = &mut rule.actions;
    a.group_id = chosen_id(form, errors, "action_group_id").map(GroupId);
    a.priority = form
        .opt("action_priority")
        .and_then(|text| parse_priority(text, errors, "action_priority"));
    a.category_id = chosen_id(form, errors, "action_category_id").map(CategoryId);
    a.ticket_type = form
        .opt("action_ticket_type")
        .and_then(|text| match TicketType::parse(text) {
            Ok(ticket_type) => Some(ticket_type),
            Err(_) => {
                errors.add("action_ticket_type", "choose a type from the list");
                None
            }
        });
    a.add_tags = words(form.get("action_tags"));
    a.assignee_id = chosen_id(form, errors, "action_assignee_id").map(UserId);
    a.notify_user_ids = chosen_ids(form, errors, "action_notify_user_ids")
        .into_iter()
        .map(UserId)
        .collect();
    rule
}

/// `POST /admin/routing-rules` creates a routing rule;
/// `POST /admin/routing-rules/{id}` saves one.
async fn save_routing_rule(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    id: Option<Path<String>>,
    Form(form): Form,
) -> PageResult {
    let id = id.map(|Path(raw)| path_id(&raw)).transpose()?;
    let (state, viewer) = (&state, &viewer);
    let mut errors = FieldErrors::new();
    let rule = routing_rule_input(&form, id, &mut errors);
    if errors.is_empty() {
        let levels = state.app.service_levels();
        let saved = match id {
            Some(_) => levels.update_routing_rule(&viewer.actor, rule).await,
            None => levels.create_routing_rule(&viewer.actor, rule).await,
        };
        match saved {
            Ok(_) => return Ok(Redirect::to("/admin/routing-rules?done=saved").into_response()),
            Err(AppError::Conflict { message, .. }) => errors.add("name", message),
            Err(error) => errors.absorb(error, ROUTING_FIELDS, "")?,
        }
    }
    let page = routing_rule_page(state, viewer, id, form, errors).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

async fn delete_routing_rule(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
    Form(_form): Form,
) -> PageResult {
    let id = path_id(&raw)?;
    state
        .app
        .service_levels()
        .delete_routing_rule(&viewer.actor, id)
        .await?;
    Ok(Redirect::to("/admin/routing-rules?done=deleted").into_response())
}
