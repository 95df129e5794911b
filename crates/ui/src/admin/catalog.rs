//! `/admin/categories` and `/admin/services`: what customers pick from when they
//! report, the category tree and the supported products and services.

use super::groups::parse_group_ref;
use super::{DoneQuery, chrome, path_id};
use crate::UiState;
use crate::chrome::Chrome;
use crate::error::{PageResult, render};
use crate::form::{FieldErrors, Form, FormData, parse_date};
use crate::session::{Admin, Viewer};
use crate::view::{Choice, Names, group_choices};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use ferrodesk_app::{AppError, ServiceInput, ServiceUpdate};
use ferrodesk_domain::{CategoryId, ServiceId};

pub(crate) fn routes() -> Router<UiState> {
    Router::new()
        .route("/categories", get(categories).post(create_category))
        .route("/services", get(services).post(create_service))
        .route(
            "/services/{id}",
            get(edit_service_page).post(update_service),
        )
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
