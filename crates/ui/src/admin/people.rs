//! `/admin/users`: people (customers; staff with tier and groups), listed by role and
//! name, created and edited.

use super::{DoneQuery, ListQuery, all_organizations, chrome, organization_choices, path_id};
use crate::UiState;
use crate::chrome::Chrome;
use crate::error::{PageResult, render};
use crate::form::{FieldErrors, Form, FormData, url_encode};
use crate::session::{Admin, Viewer};
use crate::view::{Choice, Names};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use ferrodesk_app::{AppError, CreateUserInput, Cursor, PageRequest, UpdateUserInput, UserFilter};
use ferrodesk_domain::{EmailAddress, GroupId, OrganizationId, Role, User, UserId};

pub(crate) fn routes() -> Router<UiState> {
    Router::new()
        .route("/users", get(users))
        .route("/users/new", get(new_user_page).post(create_user))
        .route("/users/{id}", get(edit_user_page).post(update_user))
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
