//! `/admin/organizations`: customers' organizations and whether their people share
//! tickets.

use super::{DoneQuery, all_organizations, chrome, path_id};
use crate::UiState;
use crate::chrome::Chrome;
use crate::error::{PageResult, render};
use crate::form::{FieldErrors, Form, FormData};
use crate::session::{Admin, Viewer};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use ferrodesk_app::{AppError, OrganizationInput, OrganizationUpdate};
use ferrodesk_domain::{Organization, OrganizationId};

pub(crate) fn routes() -> Router<UiState> {
    Router::new()
        .route(
            "/organizations",
            get(organizations).post(create_organization),
        )
        .route(
            "/organizations/{id}",
            get(edit_organization_page).post(update_organization),
        )
}

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
