//! `/admin/vendors`: the outside vendors tickets are handed off to, with their contact
//! address, contract reference and promise of a response time; added, changed and
//! deactivated here (a deactivated vendor keeps its cases and takes no new hand-off).

use super::{DoneQuery, chrome, path_id};
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
use axum::routing::{get, post};
use ferrodesk_app::{VendorInput, VendorPatch};
use ferrodesk_domain::{Vendor, VendorId};

pub(crate) fn routes() -> Router<UiState> {
    Router::new()
        .route("/vendors", get(vendors).post(create_vendor))
        .route("/vendors/{id}", get(edit_vendor_page).post(update_vendor))
        .route("/vendors/{id}/deactivate", post(deactivate_vendor))
}

/// The fields the service names, and the form's.
const FIELDS: &[(&str, &str)] = &[
    ("name", "name"),
    ("email", "email"),
    ("contract_ref", "contract_ref"),
    ("response_hours", "response_hours"),
    ("notes", "notes"),
];

#[derive(Template)]
#[template(path = "admin/vendors.html")]
struct VendorsPage {
    chrome: Chrome,
    vendors: Vec<Vendor>,
    input: FormData,
    errors: FieldErrors,
}

async fn vendors_page(
    state: &UiState,
    viewer: &Viewer,
    input: FormData,
    errors: FieldErrors,
    done: Option<&str>,
) -> PageResult<VendorsPage> {
    let vendors = state.app.vendors().all(&viewer.actor).await?;
    Ok(VendorsPage {
        chrome: chrome(viewer, "vendors", "Vendors", done),
        vendors,
        input,
        errors,
    })
}

async fn vendors(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Query(query): Query<DoneQuery>,
) -> PageResult {
    let mut input = FormData::default();
    input.set("response_hours", "8");
    let page = vendors_page(
        &state,
        &viewer,
        input,
        FieldErrors::new(),
        query.done.as_deref(),
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

/// The promise in hours as typed; a wrong one is an error on its field.
fn hours(form: &FormData, errors: &mut FieldErrors) -> Option<i64> {
    match form.get("response_hours").trim().parse::<i64>() {
        Ok(hours) => Some(hours),
        Err(_) => {
            errors.add("response_hours", "give a whole number of hours");
            None
        }
    }
}

async fn create_vendor(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Form(form): Form,
) -> PageResult {
    let mut errors = FieldErrors::new();
    if let Some(response_hours) = hours(&form, &mut errors) {
        let input = VendorInput {
            name: form.get("name").to_owned(),
            email: form.get("email").to_owned(),
            contract_ref: form.opt("contract_ref").map(str::to_owned),
            response_hours,
            notes: form.opt("notes").map(str::to_owned),
        };
        match state.app.vendors().create(&viewer.actor, input).await {
            Ok(_) => return Ok(Redirect::to("/admin/vendors?done=saved").into_response()),
            Err(error) => errors.absorb(error, FIELDS, "name")?,
        }
    }
    let page = vendors_page(&state, &viewer, form, errors, None).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

#[derive(Template)]
#[template(path = "admin/vendor_form.html")]
struct VendorFormPage {
    chrome: Chrome,
    id: i64,
    input: FormData,
    errors: FieldErrors,
}

fn vendor_form(vendor: &Vendor) -> FormData {
    let mut input = FormData::default();
    input.set("name", &vendor.name);
    input.set("email", vendor.email.as_str());
    input.set("contract_ref", vendor.contract_ref.as_deref().unwrap_or(""));
    input.set("response_hours", &vendor.response_hours.to_string());
    input.set("notes", vendor.notes.as_deref().unwrap_or(""));
    if vendor.is_active {
        input.set("is_active", "on");
    }
    input
}

async fn edit_vendor_page(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
) -> PageResult {
    let id = VendorId(path_id(&raw)?);
    let vendor = state.app.vendors().get(&viewer.actor, id).await?;
    Ok(render(
        StatusCode::OK,
        &VendorFormPage {
            chrome: chrome(&viewer, "vendors", &vendor.name, None),
            id: id.get(),
            input: vendor_form(&vendor),
            errors: FieldErrors::new(),
        },
    ))
}

async fn update_vendor(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    let id = VendorId(path_id(&raw)?);
    let vendor = state.app.vendors().get(&viewer.actor, id).await?;
    let mut errors = FieldErrors::new();
    if let Some(response_hours) = hours(&form, &mut errors) {
        let patch = VendorPatch {
            name: Some(form.get("name").to_owned()),
            email: Some(form.get("email").to_owned()),
            contract_ref: Some(form.get("contract_ref").to_owned()),
            response_hours: Some(response_hours),
            notes: Some(form.get("notes").to_owned()),
            is_active: Some(form.checked("is_active")),
        };
        match state.app.vendors().update(&viewer.actor, id, patch).await {
            Ok(_) => return Ok(Redirect::to("/admin/vendors?done=saved").into_response()),
            Err(error) => errors.absorb(error, FIELDS, "name")?,
        }
    }
    Ok(render(
        StatusCode::UNPROCESSABLE_ENTITY,
        &VendorFormPage {
            chrome: chrome(&viewer, "vendors", &vendor.name, None),
            id: id.get(),
            input: form,
            errors,
        },
    ))
}

async fn deactivate_vendor(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
    Form(_form): Form,
) -> PageResult {
    let id = VendorId(path_id(&raw)?);
    state
        .app
        .vendors()
        .update(
            &viewer.actor,
            id,
            VendorPatch {
                is_active: Some(false),
                ..VendorPatch::default()
            },
        )
        .await?;
    Ok(Redirect::to("/admin/vendors?done=deactivated").into_response())
}
