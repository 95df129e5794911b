//! `/admin/...`: the admin screens. People (customers; staff with tier and groups),
//! organizations, groups, categories, products and services, API tokens (the secret is
//! shown once, on creation) and the security audit log.
//!
//! Admins only; the directory and auth services check that again on every call.

use crate::UiState;
use crate::chrome::Chrome;
use crate::error::{PageError, PageResult, render};
use crate::form::{FieldErrors, Form, FormData, url_encode};
use crate::session::{Admin, Viewer};
use crate::view::{Choice, Names, Times, When, group_choices};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use ferrodesk_app::{
    AppError, CreateUserInput, Cursor, GroupInput, GroupUpdate, OrganizationInput,
    OrganizationUpdate, PageRequest, ServiceInput, ServiceUpdate, UpdateUserInput, UserFilter,
};
use ferrodesk_domain::{
    CategoryId, EmailAddress, GroupId, Organization, OrganizationId, Role, ServiceId, TokenId,
    User, UserId,
};
use serde::Deserialize;

pub(crate) fn routes() -> Router<UiState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/admin/users") }))
        .route("/users", get(users))
        .route("/users/new", get(new_user_page).post(create_user))
        .route("/users/{id}", get(edit_user_page).post(update_user))
        .route(
            "/organizations",
            get(organizations).post(create_organization),
        )
        .route(
            "/organizations/{id}",
            get(edit_organization_page).post(update_organization),
        )
        .route("/groups", get(groups).post(create_group))
        .route("/groups/{id}", get(edit_group_page).post(update_group))
        .route("/categories", get(categories).post(create_category))
        .route("/services", get(services).post(create_service))
        .route(
            "/services/{id}",
            get(edit_service_page).post(update_service),
        )
        .route("/tokens", get(tokens).post(create_token))
        .route("/tokens/{id}/revoke", post(revoke_token))
        .route("/audit", get(audit))
}

pub(crate) fn path_id(raw: &str) -> PageResult<i64> {
    raw.trim().parse().map_err(|_| PageError::NotFound)
}

pub(crate) fn chrome(viewer: &Viewer, nav: &str, title: &str, done: Option<&str>) -> Chrome {
    Chrome::new(viewer, "admin", title).nav(nav).notice(done)
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    role: Option<String>,
    q: Option<String>,
    after: Option<String>,
    done: Option<String>,
}

fn role_label(role: Role) -> &'static str {
    match role {
        Role::Customer => "Customer",
        Role::Agent => "Agent",
        Role::Supervisor => "Supervisor",
        Role::Admin => "Admin",
    }
}

fn role_choices(current: &str, any: Option<&str>) -> Vec<Choice> {
    any.map(|label| Choice::new("", label, current.is_empty()))
        .into_iter()
        .chain(
            Role::ALL
                .iter()
                .map(|r| Choice::new(r, role_label(*r), r.as_str() == current)),
        )
        .collect()
}

pub(crate) async fn all_organizations(
    state: &UiState,
    viewer: &Viewer,
) -> PageResult<Vec<Organization>> {
    let mut all = Vec::new();
    let mut page = PageRequest::first(ferrodesk_app::MAX_PAGE_SIZE);
    // Bounded: a desk with more organizations than this picks them by id in the API.
    for _ in 0..10 {
        let found = state
            .app
            .directory()
            .list_organizations(&viewer.actor, &page)
            .await?;
        all.extend(found.items);
        match found.next_cursor {
            Some(cursor) => page.cursor = Some(cursor),
            None => break,
        }
    }
    Ok(all)
}

fn organization_choices(orgs: &[Organization], current: &str) -> Vec<Choice> {
    std::iter::once(Choice::new("", "No organization", current.is_empty()))
        .chain(
            orgs.iter()
                .map(|o| Choice::new(o.id, o.name.clone(), o.id.to_string() == current)),
        )
        .collect()
}

// --- people ---------------------------------------------------------------------

#[derive(Debug, Clone)]
struct UserRow {
    id: i64,
    name: String,
    email: String,
    role: &'static str,
    tier: String,
    groups: String,
    organization: String,
    is_active: bool,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    chrome: Chrome,
    rows: Vec<UserRow>,
    role_options: Vec<Choice>,
    q: String,
    next_href: Option<String>,
}

async fn users(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let role = query.role.as_deref().filter(|r| !r.is_empty());
    let filter = UserFilter {
        role: role.and_then(|r| Role::parse(r).ok()),
        text: query
            .q
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(str::to_owned),
        ..UserFilter::default()
    };
    let page = PageRequest {
        cursor: query.after.as_deref().and_then(Cursor::decode),
        limit: 50,
    };
    let found = state
        .app
        .directory()
        .list_users(&viewer.actor, &filter, &page)
        .await?;
    let names = Names::load(&state, &viewer.actor).await?;
    let orgs = all_organizations(&state, &viewer).await?;
    let rows = found
        .items
        .iter()
        .map(|u| UserRow {
            id: u.id.get(),
            name: u.name.clone(),
            email: u.email.to_string(),
            role: role_label(u.role),
            tier: u.tier.map(|t| t.get().to_string()).unwrap_or_default(),
            groups: u
                .group_ids
                .iter()
                .map(|g| names.group_name(*g))
                .collect::<Vec<_>>()
                .join(", "),
            organization: u
                .organization_id
                .and_then(|id| orgs.iter().find(|o| o.id == id))
                .map(|o| o.name.clone())
                .unwrap_or_default(),
            is_active: u.is_active,
        })
        .collect();
    let q = filter.text.clone().unwrap_or_default();
    let next_href = found.next_cursor.map(|c| {
        format!(
            "/admin/users?role={}&q={}&after={}",
            url_encode(role.unwrap_or("")),
            url_encode(&q),
            url_encode(&c.encode())
        )
    });
    Ok(render(
        StatusCode::OK,
        &UsersPage {
            chrome: chrome(&viewer, "users", "People", query.done.as_deref()),
            rows,
            role_options: role_choices(role.unwrap_or(""), Some("Everyone")),
            q,
            next_href,
        },
    ))
}

/// The values shown in the person form.
#[derive(Debug, Clone, Default)]
struct UserValues {
    email: String,
    name: String,
    role: String,
    organization_id: String,
    phone: String,
    location: String,
    employee_id: String,
    locale: String,
    time_zone: String,
    tier: String,
    group_ids: Vec<String>,
    is_active: bool,
}

impl UserValues {
    fn of(user: &User) -> UserValues {
        UserValues {
            email: user.email.to_string(),
            name: user.name.clone(),
            role: user.role.to_string(),
            organization_id: user
                .organization_id
                .map(|o| o.to_string())
                .unwrap_or_default(),
            phone: user.phone.clone().unwrap_or_default(),
            location: user.location.clone().unwrap_or_default(),
            employee_id: user.employee_id.clone().unwrap_or_default(),
            locale: user.locale.clone(),
            time_zone: user.time_zone.clone(),
            tier: user.tier.map(|t| t.get().to_string()).unwrap_or_default(),
            group_ids: user.group_ids.iter().map(|g| g.to_string()).collect(),
            is_active: user.is_active,
        }
    }

    fn from_form(form: &FormData) -> UserValues {
        UserValues {
            email: form.get("email").trim().to_owned(),
            name: form.get("name").trim().to_owned(),
            role: form.get("role").trim().to_owned(),
            organization_id: form.get("organization_id").trim().to_owned(),
            phone: form.get("phone").trim().to_owned(),
            location: form.get("location").trim().to_owned(),
            employee_id: form.get("employee_id").trim().to_owned(),
            locale: form.get("locale").trim().to_owned(),
            time_zone: form.get("time_zone").trim().to_owned(),
            tier: form.get("tier").trim().to_owned(),
            group_ids: form
                .all("group_ids")
                .into_iter()
                .map(str::to_owned)
                .collect(),
            is_active: form.checked("is_active"),
        }
    }
}

/// A checkbox in a list.
#[derive(Debug, Clone)]
struct Check {
    value: String,
    label: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "admin/user_form.html")]
struct UserFormPage {
    chrome: Chrome,
    is_new: bool,
    id: i64,
    values: UserValues,
    errors: FieldErrors,
    role_options: Vec<Choice>,
    organization_options: Vec<Choice>,
    tier_options: Vec<Choice>,
    group_checks: Vec<Check>,
}

async fn user_form(
    state: &UiState,
    viewer: &Viewer,
    id: Option<UserId>,
    values: UserValues,
    errors: FieldErrors,
) -> PageResult<UserFormPage> {
    let names = Names::load(state, &viewer.actor).await?;
    let orgs = all_organizations(state, viewer).await?;
    let tier_options = std::iter::once(Choice::new("", "None (customers)", values.tier.is_empty()))
        .chain((1..=3).map(|t| Choice::new(t, format!("Tier {t}"), values.tier == t.to_string())))
        .collect();
    let group_checks = names
        .groups()
        .into_iter()
        .map(|g| Check {
            value: g.id.to_string(),
            label: format!("{} · tier {}", g.name, g.tier.get()),
            checked: values.group_ids.contains(&g.id.to_string()),
        })
        .collect();
    let title = if id.is_some() {
        format!("Edit {}", values.name)
    } else {
        "New person".to_owned()
    };
    Ok(UserFormPage {
        chrome: chrome(viewer, "users", &title, None),
        is_new: id.is_none(),
        id: id.map(UserId::get).unwrap_or(0),
        role_options: role_choices(&values.role, None),
        organization_options: organization_choices(&orgs, &values.organization_id),
        tier_options,
        group_checks,
        values,
        errors,
    })
}

const USER_FIELDS: &[(&str, &str)] = &[
    ("email", "email"),
    ("name", "name"),
    ("role", "role"),
    ("organization", "organization_id"),
    ("organization_id", "organization_id"),
    ("phone", "phone"),
    ("location", "location"),
    ("employee_id", "employee_id"),
    ("locale", "locale"),
    ("time_zone", "time_zone"),
    ("tier", "tier"),
    ("group", "group_ids"),
    ("group_ids", "group_ids"),
    ("password", "password"),
];

async fn new_user_page(State(state): State<UiState>, Admin(viewer): Admin) -> PageResult {
    let values = UserValues {
        role: "customer".into(),
        locale: "en".into(),
        time_zone: "UTC".into(),
        is_active: true,
        ..UserValues::default()
    };
    let page = user_form(&state, &viewer, None, values, FieldErrors::new()).await?;
    Ok(render(StatusCode::OK, &page))
}

/// Parsed role, tier, organization and groups of the person form.
struct UserChoices {
    role: Option<Role>,
    tier: Option<i64>,
    organization_id: Option<OrganizationId>,
    group_ids: Vec<GroupId>,
}

fn parse_user_choices(values: &UserValues, errors: &mut FieldErrors) -> UserChoices {
    let role = Role::parse(&values.role).ok();
    if role.is_none() {
        errors.add("role", "choose a role");
    }
    let tier = match values.tier.as_str() {
        "" => None,
        text => match text.parse::<i64>() {
            Ok(t) => Some(t),
            Err(_) => {
                errors.add("tier", "choose a tier from the list");
                None
            }
        },
    };
    let organization_id = match values.organization_id.as_str() {
        "" => None,
        text => match text.parse::<i64>() {
            Ok(id) => Some(OrganizationId(id)),
            Err(_) => {
                errors.add("organization_id", "choose an organization from the list");
                None
            }
        },
    };
    let mut group_ids = Vec::new();
    for raw in &values.group_ids {
        match raw.parse::<i64>() {
            Ok(id) => group_ids.push(GroupId(id)),
            Err(_) => errors.add("group_ids", "choose groups from the list"),
        }
    }
    if let Err(invalid) = EmailAddress::parse(&values.email) {
        errors.add("email", invalid.message);
    }
    if values.name.is_empty() {
        errors.add("name", "give the person's name");
    }
    UserChoices {
        role,
        tier,
        organization_id,
        group_ids,
    }
}

fn non_empty(text: &str) -> Option<String> {
    Some(text.trim().to_owned()).filter(|t| !t.is_empty())
}

async fn create_user(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Form(form): Form,
) -> PageResult {
    let values = UserValues::from_form(&form);
    let mut errors = FieldErrors::new();
    let choices = parse_user_choices(&values, &mut errors);
    if errors.is_empty() {
        let is_staff = choices.role.is_some_and(Role::is_staff);
        let input = CreateUserInput {
            email: values.email.clone(),
            name: values.name.clone(),
            role: choices.role,
            organization_id: choices.organization_id,
            phone: non_empty(&values.phone),
            location: non_empty(&values.location),
            employee_id: non_empty(&values.employee_id),
            locale: non_empty(&values.locale),
            time_zone: non_empty(&values.time_zone),
            tier: if is_staff { choices.tier } else { None },
            group_ids: if is_staff {
                choices.group_ids
            } else {
                Vec::new()
            },
            password: non_empty(form.get("password")),
        };
        match state
            .app
            .directory()
            .create_user(&viewer.actor, input)
            .await
        {
            Ok(user) => {
                return Ok(
                    Redirect::to(&format!("/admin/users/{}?done=saved", user.id)).into_response(),
                );
            }
            Err(AppError::Conflict { message, .. }) => errors.add("email", message),
            Err(error) => errors.absorb(error, USER_FIELDS, "")?,
        }
    }
    let page = user_form(&state, &viewer, None, values, errors).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

#[derive(Debug, Deserialize)]
pub(crate) struct DoneQuery {
    pub(crate) done: Option<String>,
}

async fn edit_user_page(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
    Query(query): Query<DoneQuery>,
) -> PageResult {
    let id = UserId(path_id(&raw)?);
    let user = state.app.directory().get_user(&viewer.actor, id).await?;
    let mut page = user_form(
        &state,
        &viewer,
        Some(id),
        UserValues::of(&user),
        FieldErrors::new(),
    )
    .await?;
    page.chrome = page.chrome.notice(query.done.as_deref());
    Ok(render(StatusCode::OK, &page))
}

async fn update_user(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    let id = UserId(path_id(&raw)?);
    let user = state.app.directory().get_user(&viewer.actor, id).await?;
    let values = UserValues::from_form(&form);
    let mut errors = FieldErrors::new();
    let choices = parse_user_choices(&values, &mut errors);
    if errors.is_empty() {
        let was = UserValues::of(&user);
        let changed = |a: &str, b: &str| (a != b).then(|| non_empty(a));
        let is_staff = choices.role.is_some_and(Role::is_staff);
        let input = UpdateUserInput {
            email: (values.email != was.email).then(|| values.email.clone()),
            name: (values.name != was.name).then(|| values.name.clone()),
            role: choices.role.filter(|r| *r != user.role),
            organization_id: (values.organization_id != was.organization_id)
                .then_some(choices.organization_id),
            phone: changed(&values.phone, &was.phone),
            location: changed(&values.location, &was.location),
            employee_id: changed(&values.employee_id, &was.employee_id),
            locale: (values.locale != was.locale).then(|| values.locale.clone()),
            time_zone: (values.time_zone != was.time_zone).then(|| values.time_zone.clone()),
            tier: (is_staff && values.tier != was.tier).then_some(choices.tier),
            group_ids: (is_staff && values.group_ids != was.group_ids).then_some(choices.group_ids),
            is_active: (values.is_active != was.is_active).then_some(values.is_active),
            password: non_empty(form.get("password")),
        };
        match state
            .app
            .directory()
            .update_user(&viewer.actor, id, input)
            .await
        {
            Ok(_) => {
                return Ok(Redirect::to(&format!("/admin/users/{}?done=saved", id)).into_response());
            }
            Err(AppError::Conflict { message, .. }) => errors.add("email", message),
            Err(AppError::Forbidden { message }) => errors.add("", message),
            Err(error) => errors.absorb(error, USER_FIELDS, "")?,
        }
    }
    let page = user_form(&state, &viewer, Some(id), values, errors).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

// --- organizations ----------------------------------------------------------------

#[derive(Template)]
#[template(path = "admin/organizations.html")]
struct OrganizationsPage {
    chrome: Chrome,
    orgs: Vec<Organization>,
    input: FormData,
    errors: FieldErrors,
}

async fn organizations_page(
    state: &UiState,
    viewer: &Viewer,
    input: FormData,
    errors: FieldErrors,
    done: Option<&str>,
) -> PageResult<OrganizationsPage> {
    let orgs = all_organizations(state, viewer).await?;
    Ok(OrganizationsPage {
        chrome: chrome(viewer, "organizations", "Organizations", done),
        orgs,
        input,
        errors,
    })
}

async fn organizations(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Query(query): Query<DoneQuery>,
) -> PageResult {
    let page = organizations_page(
        &state,
        &viewer,
        FormData::default(),
        FieldErrors::new(),
        query.done.as_deref(),
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

async fn create_organization(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Form(form): Form,
) -> PageResult {
    let mut errors = FieldErrors::new();
    let input = OrganizationInput {
        name: form.get("name").to_owned(),
        shares_tickets: form.checked("shares_tickets"),
    };
    match state
        .app
        .directory()
        .create_organization(&viewer.actor, input)
        .await
    {
        Ok(_) => return Ok(Redirect::to("/admin/organizations?done=saved").into_response()),
        Err(AppError::Conflict { message, .. }) => errors.add("name", message),
        Err(error) => errors.absorb(error, &[("name", "name")], "name")?,
    }
    let page = organizations_page(&state, &viewer, form, errors, None).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

#[derive(Template)]
#[template(path = "admin/organization_form.html")]
struct OrganizationFormPage {
    chrome: Chrome,
    id: i64,
    name: String,
    shares_tickets: bool,
    errors: FieldErrors,
}

async fn edit_organization_page(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
) -> PageResult {
    let id = OrganizationId(path_id(&raw)?);
    let org = state
        .app
        .directory()
        .get_organization(&viewer.actor, id)
        .await?;
    Ok(render(
        StatusCode::OK,
        &OrganizationFormPage {
            chrome: chrome(&viewer, "organizations", &org.name, None),
            id: id.get(),
            name: org.name,
            shares_tickets: org.shares_tickets,
            errors: FieldErrors::new(),
        },
    ))
}

async fn update_organization(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    let id = OrganizationId(path_id(&raw)?);
    let org = state
        .app
        .directory()
        .get_organization(&viewer.actor, id)
        .await?;
    let mut errors = FieldErrors::new();
    let name = form.get("name").trim().to_owned();
    let input = OrganizationUpdate {
        name: (name != org.name).then(|| name.clone()),
        shares_tickets: Some(form.checked("shares_tickets")),
    };
    match state
        .app
        .directory()
        .update_organization(&viewer.actor, id, input)
        .await
    {
        Ok(_) => return Ok(Redirect::to("/admin/organizations?done=saved").into_response()),
        Err(AppError::Conflict { message, .. }) => errors.add("name", message),
        Err(error) => errors.absorb(error, &[("name", "name")], "name")?,
    }
    Ok(render(
        StatusCode::UNPROCESSABLE_ENTITY,
        &OrganizationFormPage {
            chrome: chrome(&viewer, "organizations", &org.name, None),
            id: id.get(),
            name,
            shares_tickets: form.checked("shares_tickets"),
            errors,
        },
    ))
}

// --- groups -----------------------------------------------------------------------

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

fn parse_group_ref(form: &FormData, errors: &mut FieldErrors, field: &str) -> Option<GroupId> {
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

// --- categories ---------------------------------------------------------------------

#[derive(Template)]
#[template(path = "admin/categories.html")]
struct CategoriesPage {
    chrome: Chrome,
    paths: Vec<(i64, String)>,
    parent_options: Vec<Choice>,
    input: FormData,
    errors: FieldErrors,
}

async fn categories_page(
    state: &UiState,
    viewer: &Viewer,
    input: FormData,
    errors: FieldErrors,
    done: Option<&str>,
) -> PageResult<CategoriesPage> {
    let names = Names::load(state, &viewer.actor).await?;
    Ok(CategoriesPage {
        chrome: chrome(viewer, "categories", "Categories", done),
        paths: names.categories(),
        parent_options: crate::view::category_choices(&names, input.get("parent_id"), "Top level"),
        input,
        errors,
    })
}

async fn categories(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Query(query): Query<DoneQuery>,
) -> PageResult {
    let page = categories_page(
        &state,
        &viewer,
        FormData::default(),
        FieldErrors::new(),
        query.done.as_deref(),
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

async fn create_category(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Form(form): Form,
) -> PageResult {
    let mut errors = FieldErrors::new();
    let parent = match form.opt("parent_id").map(str::parse::<i64>) {
        None => None,
        Some(Ok(id)) => Some(CategoryId(id)),
        Some(Err(_)) => {
            errors.add("parent_id", "choose a parent from the list");
            None
        }
    };
    if errors.is_empty() {
        match state
            .app
            .directory()
            .create_category(&viewer.actor, form.get("name"), parent)
            .await
        {
            Ok(_) => return Ok(Redirect::to("/admin/categories?done=saved").into_response()),
            Err(AppError::Conflict { message, .. }) => errors.add("name", message),
            Err(error) => errors.absorb(
                error,
                &[("name", "name"), ("category", "parent_id")],
                "name",
            )?,
        }
    }
    let page = categories_page(&state, &viewer, form, errors, None).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

// --- services -----------------------------------------------------------------------

#[derive(Debug, Clone)]
struct ServiceRow {
    id: i64,
    name: String,
    description: String,
    owner: String,
    hours: String,
    is_supported: bool,
    end_of_support: String,
}

#[derive(Template)]
#[template(path = "admin/services.html")]
struct ServicesPage {
    chrome: Chrome,
    rows: Vec<ServiceRow>,
    input: FormData,
    errors: FieldErrors,
    owner_options: Vec<Choice>,
}

async fn services_page(
    state: &UiState,
    viewer: &Viewer,
    input: FormData,
    errors: FieldErrors,
    done: Option<&str>,
) -> PageResult<ServicesPage> {
    let names = Names::load(state, &viewer.actor).await?;
    let all = state.app.directory().list_services(&viewer.actor).await?;
    let rows = all
        .iter()
        .map(|s| ServiceRow {
            id: s.id.get(),
            name: s.name.clone(),
            description: s.description.clone(),
            owner: names.group_or(s.owner_group_id, ""),
            hours: s.support_hours.clone(),
            is_supported: s.is_supported,
            end_of_support: s.end_of_support.map(|d| d.to_string()).unwrap_or_default(),
        })
        .collect();
    Ok(ServicesPage {
        chrome: chrome(viewer, "services", "Products and services", done),
        rows,
        owner_options: group_choices(&names, input.get("owner_group_id"), "No owner"),
        input,
        errors,
    })
}

async fn services(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Query(query): Query<DoneQuery>,
) -> PageResult {
    let page = services_page(
        &state,
        &viewer,
        FormData::default(),
        FieldErrors::new(),
        query.done.as_deref(),
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

pub(crate) fn parse_date(
    form: &FormData,
    errors: &mut FieldErrors,
    field: &str,
) -> Option<jiff::civil::Date> {
    let text = form.opt(field)?;
    match text.parse::<jiff::civil::Date>() {
        Ok(date) => Some(date),
        Err(_) => {
            errors.add(field, "give a date like 2026-12-31");
            None
        }
    }
}

const SERVICE_FIELDS: &[(&str, &str)] = &[
    ("name", "name"),
    ("description", "description"),
    ("support_hours", "support_hours"),
    ("group", "owner_group_id"),
];

async fn create_service(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Form(form): Form,
) -> PageResult {
    let mut errors = FieldErrors::new();
    let owner = parse_group_ref(&form, &mut errors, "owner_group_id");
    let end = parse_date(&form, &mut errors, "end_of_support");
    if errors.is_empty() {
        let input = ServiceInput {
            name: form.get("name").to_owned(),
            description: form.opt("description").map(str::to_owned),
            owner_group_id: owner,
            support_hours: form.opt("support_hours").map(str::to_owned),
            is_supported: Some(form.checked("is_supported")),
            end_of_support: end,
        };
        match state
            .app
            .directory()
            .create_service(&viewer.actor, input)
            .await
        {
            Ok(_) => return Ok(Redirect::to("/admin/services?done=saved").into_response()),
            Err(AppError::Conflict { message, .. }) => errors.add("name", message),
            Err(error) => errors.absorb(error, SERVICE_FIELDS, "name")?,
        }
    }
    let page = services_page(&state, &viewer, form, errors, None).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

#[derive(Template)]
#[template(path = "admin/service_form.html")]
struct ServiceFormPage {
    chrome: Chrome,
    id: i64,
    input: FormData,
    owner_options: Vec<Choice>,
    errors: FieldErrors,
}

async fn service_form(
    state: &UiState,
    viewer: &Viewer,
    id: ServiceId,
    input: FormData,
    errors: FieldErrors,
) -> PageResult<ServiceFormPage> {
    let names = Names::load(state, &viewer.actor).await?;
    Ok(ServiceFormPage {
        chrome: chrome(viewer, "services", input.get("name"), None),
        id: id.get(),
        owner_options: group_choices(&names, input.get("owner_group_id"), "No owner"),
        input,
        errors,
    })
}

async fn edit_service_page(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
) -> PageResult {
    let id = ServiceId(path_id(&raw)?);
    let service = state.app.directory().get_service(&viewer.actor, id).await?;
    let mut pairs = vec![
        ("name", service.name.clone()),
        ("description", service.description.clone()),
        ("support_hours", service.support_hours.clone()),
        (
            "owner_group_id",
            service
                .owner_group_id
                .map(|g| g.to_string())
                .unwrap_or_default(),
        ),
        (
            "end_of_support",
            service
                .end_of_support
                .map(|d| d.to_string())
                .unwrap_or_default(),
        ),
    ];
    if service.is_supported {
        pairs.push(("is_supported", "on".to_owned()));
    }
    let encoded = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    let page = service_form(
        &state,
        &viewer,
        id,
        FormData::parse(encoded.as_bytes()),
        FieldErrors::new(),
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

async fn update_service(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    let id = ServiceId(path_id(&raw)?);
    let service = state.app.directory().get_service(&viewer.actor, id).await?;
    let mut errors = FieldErrors::new();
    let owner = parse_group_ref(&form, &mut errors, "owner_group_id");
    let end = parse_date(&form, &mut errors, "end_of_support");
    if errors.is_empty() {
        let name = form.get("name").trim().to_owned();
        let input = ServiceUpdate {
            name: (name != service.name).then_some(name),
            description: Some(form.get("description").to_owned()),
            owner_group_id: Some(owner),
            support_hours: Some(form.get("support_hours").to_owned()),
            is_supported: Some(form.checked("is_supported")),
            end_of_support: Some(end),
        };
        match state
            .app
            .directory()
            .update_service(&viewer.actor, id, input)
            .await
        {
            Ok(_) => return Ok(Redirect::to("/admin/services?done=saved").into_response()),
            Err(AppError::Conflict { message, .. }) => errors.add("name", message),
            Err(error) => errors.absorb(error, SERVICE_FIELDS, "name")?,
        }
    }
    let page = service_form(&state, &viewer, id, form, errors).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

// --- tokens -------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct TokenRow {
    id: i64,
    name: String,
    owner: String,
    created: When,
    expires: String,
    state: &'static str,
    is_live: bool,
}

#[derive(Template)]
#[template(path = "admin/tokens.html")]
struct TokensPage {
    chrome: Chrome,
    rows: Vec<TokenRow>,
    input: FormData,
    errors: FieldErrors,
    secret: Option<String>,
    secret_owner: String,
}

async fn tokens_page(
    state: &UiState,
    viewer: &Viewer,
    input: FormData,
    errors: FieldErrors,
    done: Option<&str>,
) -> PageResult<TokensPage> {
    let all = state.app.auth().list_tokens(&viewer.actor, None).await?;
    let mut names = Names::default();
    names
        .add_users(state, &viewer.actor, all.iter().map(|t| t.user_id))
        .await?;
    let now = state.app.now();
    let times = Times::new(&viewer.user, now);
    let rows = all
        .iter()
        .map(|t| {
            let is_expired = t.expires_at.is_some_and(|at| at <= now);
            let owner = names
                .user(t.user_id)
                .map(|u| format!("{} ({})", u.name, u.email))
                .unwrap_or_else(|| format!("user {}", t.user_id));
            TokenRow {
                id: t.id.get(),
                name: t.name.clone(),
                owner,
                created: times.at(t.created_at),
                expires: t
                    .expires_at
                    .map(|at| times.at(at).absolute)
                    .unwrap_or_else(|| "Never".into()),
                state: if t.revoked_at.is_some() {
                    "Revoked"
                } else if is_expired {
                    "Expired"
                } else {
                    "Active"
                },
                is_live: t.revoked_at.is_none() && !is_expired,
            }
        })
        .collect();
    Ok(TokensPage {
        chrome: chrome(viewer, "tokens", "API tokens", done),
        rows,
        input,
        errors,
        secret: None,
        secret_owner: String::new(),
    })
}

async fn tokens(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Query(query): Query<DoneQuery>,
) -> PageResult {
    let page = tokens_page(
        &state,
        &viewer,
        FormData::default(),
        FieldErrors::new(),
        query.done.as_deref(),
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

/// Creates a token and shows its secret on this response only; it is never stored or
/// shown again. The page is not cached (`no-store` on every page).
async fn create_token(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Form(form): Form,
) -> PageResult {
    let mut errors = FieldErrors::new();
    let owner = match EmailAddress::parse(form.get("owner_email")) {
        Ok(email) => {
            let filter = UserFilter {
                text: Some(email.to_string()),
                ..UserFilter::default()
            };
            let found = state
                .app
                .directory()
                .list_users(&viewer.actor, &filter, &PageRequest::first(20))
                .await?;
            let owner = found.items.into_iter().find(|u| u.email == email);
            if owner.is_none() {
                errors.add("owner_email", format!("nobody has the email {email}"));
            }
            owner
        }
        Err(invalid) => {
            errors.add("owner_email", invalid.message);
            None
        }
    };
    let expires_at = match parse_date(&form, &mut errors, "expires_on") {
        Some(date) => match date.to_zoned(
            jiff::tz::TimeZone::get(&viewer.user.time_zone).unwrap_or(jiff::tz::TimeZone::UTC),
        ) {
            Ok(zoned) => Some(zoned.timestamp()),
            Err(_) => {
                errors.add("expires_on", "that date is out of range");
                None
            }
        },
        None => None,
    };
    if let (Some(owner), true) = (&owner, errors.is_empty()) {
        match state
            .app
            .auth()
            .create_token(&viewer.actor, owner.id, form.get("name"), expires_at)
            .await
        {
            Ok((_, secret)) => {
                let mut page = tokens_page(
                    &state,
                    &viewer,
                    FormData::default(),
                    FieldErrors::new(),
                    None,
                )
                .await?;
                page.secret = Some(secret);
                page.secret_owner = format!("{} ({})", owner.name, owner.email);
                return Ok(render(StatusCode::CREATED, &page));
            }
            Err(error) => errors.absorb(
                error,
                &[
                    ("name", "name"),
                    ("expires_at", "expires_on"),
                    ("user", "owner_email"),
                ],
                "name",
            )?,
        }
    }
    let page = tokens_page(&state, &viewer, form, errors, None).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

async fn revoke_token(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
    _form: Form,
) -> PageResult {
    let id = TokenId(path_id(&raw)?);
    state.app.auth().revoke_token(&viewer.actor, id).await?;
    Ok(Redirect::to("/admin/tokens?done=revoked").into_response())
}

// --- audit log ------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct AuditRow {
    when: When,
    actor: String,
    action: String,
    subject: String,
    address: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    chrome: Chrome,
    rows: Vec<AuditRow>,
    next_href: Option<String>,
}

async fn audit(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let page = PageRequest {
        cursor: query.after.as_deref().and_then(Cursor::decode),
        limit: 100,
    };
    let entries = state.app.auth().list_audit(&viewer.actor, &page).await?;
    let mut names = Names::default();
    names
        .add_users(
            &state,
            &viewer.actor,
            entries.items.iter().filter_map(|e| e.actor_id),
        )
        .await?;
    let times = Times::new(&viewer.user, state.app.now());
    let rows = entries
        .items
        .iter()
        .map(|e| AuditRow {
            when: times.at(e.created_at),
            actor: e
                .actor_id
                .map(|id| {
                    names
                        .user(id)
                        .map(|u| u.name.clone())
                        .unwrap_or_else(|| format!("user {id}"))
                })
                .unwrap_or_else(|| "Anonymous / system".into()),
            action: e.action.replace('_', " "),
            subject: e.subject.clone(),
            address: e.address.clone().unwrap_or_default(),
            detail: e.detail.clone(),
        })
        .collect();
    let next_href = entries
        .next_cursor
        .map(|c| format!("/admin/audit?after={}", url_encode(&c.encode())));
    Ok(render(
        StatusCode::OK,
        &AuditPage {
            chrome: chrome(&viewer, "audit", "Security audit log", None),
            rows,
            next_href,
        },
    ))
}
