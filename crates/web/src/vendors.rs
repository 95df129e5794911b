//! `/api/v1/vendors`: the outside vendors tickets are handed off to (admins write,
//! staff read, customers are refused); `/api/v1/tickets/{id}/vendor-handoff` hands a
//! ticket off (the ticket waits on the vendor, who is mailed) and
//! `/api/v1/tickets/{id}/vendor-cases` lists the ticket's cases.

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authenticated, TicketPath};
use crate::organizations::PageQuery;
use crate::tickets::{TicketResponse, created, ticket_response};
use crate::types::{PageResponse, page_request};
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use ferrodesk_app::{HandoffInput, VendorInput, VendorPatch};
use ferrodesk_domain::{Vendor, VendorCase, VendorId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_vendor, list_vendors))
        .routes(routes!(get_vendor, update_vendor))
        .routes(routes!(hand_off_ticket))
        .routes(routes!(list_vendor_cases))
}

/// An outside vendor.
#[derive(Debug, Serialize, ToSchema)]
pub struct VendorResponse {
    /// Id.
    pub id: i64,
    /// Unique name.
    pub name: String,
    /// Where hand-offs are mailed.
    pub email: String,
    /// The contract or customer number the vendor knows the desk by.
    pub contract_ref: Option<String>,
    /// The vendor's promise: an answer within this many hours.
    pub response_hours: i64,
    /// Notes for staff.
    pub notes: Option<String>,
    /// Whether tickets may be handed off to it.
    pub is_active: bool,
    /// Created.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

fn vendor_response(vendor: Vendor) -> VendorResponse {
    VendorResponse {
        id: vendor.id.get(),
        name: vendor.name,
        email: vendor.email.as_str().to_owned(),
        contract_ref: vendor.contract_ref,
        response_hours: vendor.response_hours,
        notes: vendor.notes,
        is_active: vendor.is_active,
        created_at: vendor.created_at,
        updated_at: vendor.updated_at,
    }
}

/// A vendor to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateVendorRequest {
    /// Unique name.
    pub name: String,
    /// Contact address.
    pub email: String,
    /// Contract reference.
    pub contract_ref: Option<String>,
    /// The promise in hours (1 to 8784).
    pub response_hours: i64,
    /// Notes for staff.
    pub notes: Option<String>,
}

/// Adds a vendor (admins).
#[utoipa::path(
    post,
    path = "/api/v1/vendors",
    tag = "vendors",
    request_body = CreateVendorRequest,
    responses(
        (status = 201, description = "the new vendor", body = VendorResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 409, description = "name taken", body = ErrorBody),
        (status = 422, description = "missing or invalid field (name, email, response_hours)", body = ErrorBody),
    )
)]
async fn create_vendor(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(r): ApiJson<CreateVendorRequest>,
) -> Result<Response, ApiError> {
    let vendor = state
        .app
        .vendors()
        .create(
            &auth.actor,
            VendorInput {
                name: r.name,
                email: r.email,
                contract_ref: r.contract_ref,
                response_hours: r.response_hours,
                notes: r.notes,
            },
        )
        .await?;
    let location = format!("/api/v1/vendors/{}", vendor.id);
    Ok(created(vendor_response(vendor), &location, false))
}

/// Lists vendors by name (staff).
#[utoipa::path(
    get,
    path = "/api/v1/vendors",
    tag = "vendors",
    params(PageQuery),
    responses(
        (status = 200, description = "a page of vendors", body = PageResponse<VendorResponse>),
        (status = 400, description = "a query parameter is wrong", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "staff only", body = ErrorBody),
    )
)]
async fn list_vendors(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<PageResponse<VendorResponse>>, ApiError> {
    let page = page_request(q.cursor.as_deref(), q.limit)?;
    let vendors = state.app.vendors().list(&auth.actor, &page).await?;
    Ok(Json(PageResponse::from_page(vendors, vendor_response)))
}

/// Reads a vendor (staff).
#[utoipa::path(
    get,
    path = "/api/v1/vendors/{id}",
    tag = "vendors",
    params(("id" = i64, Path, description = "vendor id")),
    responses(
        (status = 200, description = "the vendor", body = VendorResponse),
        (status = 400, description = "the id is not a number", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "staff only", body = ErrorBody),
        (status = 404, description = "no such vendor", body = ErrorBody),
    )
)]
async fn get_vendor(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<VendorResponse>, ApiError> {
    let vendor = state.app.vendors().get(&auth.actor, VendorId(id)).await?;
    Ok(Json(vendor_response(vendor)))
}

/// Changes to a vendor; absent fields stay, a blank contract reference or notes
/// clears them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateVendorRequest {
    /// New name.
    pub name: Option<String>,
    /// New contact address.
    pub email: Option<String>,
    /// New contract reference.
    pub contract_ref: Option<String>,
    /// New promise in hours.
    pub response_hours: Option<i64>,
    /// New notes.
    pub notes: Option<String>,
    /// `false` deactivates the vendor: it keeps its cases and takes no new hand-off.
    pub is_active: Option<bool>,
}

/// Changes or deactivates a vendor (admins).
#[utoipa::path(
    patch,
    path = "/api/v1/vendors/{id}",
    tag = "vendors",
    params(("id" = i64, Path, description = "vendor id")),
    request_body = UpdateVendorRequest,
    responses(
        (status = 200, description = "the changed vendor", body = VendorResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 404, description = "no such vendor", body = ErrorBody),
        (status = 409, description = "name taken", body = ErrorBody),
        (status = 422, description = "invalid field", body = ErrorBody),
    )
)]
async fn update_vendor(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<UpdateVendorRequest>,
) -> Result<Json<VendorResponse>, ApiError> {
    let vendor = state
        .app
        .vendors()
        .update(
            &auth.actor,
            VendorId(id),
            VendorPatch {
                name: r.name,
                email: r.email,
                contract_ref: r.contract_ref,
                response_hours: r.response_hours,
                notes: r.notes,
                is_active: r.is_active,
            },
        )
        .await?;
    Ok(Json(vendor_response(vendor)))
}

/// A hand-off to a vendor.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandoffRequest {
    /// An active vendor.
    pub vendor_id: i64,
    /// The message mailed to the vendor.
    pub message: String,
    /// The version you read.
    pub version: Option<i64>,
}

/// Hands a ticket off to an outside vendor: the ticket waits on the vendor (its SLA
/// clock pauses), an internal `vendor_handoff` event records the vendor, the case
/// reference (`V-10042-1`) and the message, and the vendor is mailed; its answer by
/// mail threads back onto the ticket as a `vendor_message`.
#[utoipa::path(
    post,
    path = "/api/v1/tickets/{id}/vendor-handoff",
    tag = "vendors",
    params(("id" = String, Path, description = "ticket number")),
    request_body = HandoffRequest,
    responses(
        (status = 200, description = "the ticket, waiting on the vendor", body = TicketResponse),
        (status = 400, description = "malformed JSON or ticket number", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "you may not work this ticket", body = ErrorBody),
        (status = 404, description = "no such ticket", body = ErrorBody),
        (status = 409, description = "the ticket is resolved or closed, or changed since you read it", body = ErrorBody),
        (status = 422, description = "unknown or deactivated vendor, no message, or unknown field", body = ErrorBody),
    )
)]
async fn hand_off_ticket(
    State(state): State<AppState>,
    auth: Authenticated,
    TicketPath(id): TicketPath,
    ApiJson(r): ApiJson<HandoffRequest>,
) -> Result<Json<TicketResponse>, ApiError> {
    let ticket = state
        .app
        .tickets()
        .hand_off(
            &auth.actor,
            id,
            HandoffInput {
                vendor_id: VendorId(r.vendor_id),
                message: r.message,
                version: r.version,
            },
        )
        .await?;
    Ok(Json(
        crate::sla::with_sla(
            &state,
            &auth.actor,
            ticket_response(ticket, auth.actor.is_staff()),
        )
        .await?,
    ))
}

/// A ticket's case with a vendor.
#[derive(Debug, Serialize, ToSchema)]
pub struct VendorCaseResponse {
    /// Id.
    pub id: i64,
    /// The vendor.
    pub vendor_id: i64,
    /// Its name.
    pub vendor_name: String,
    /// The reference (`V-10042-1`).
    pub reference: String,
    /// When the ticket was handed off.
    pub opened_at: Timestamp,
    /// When the vendor answered; absent while it has not.
    pub answered_at: Option<Timestamp>,
    /// When the answer is due by the vendor's promise.
    pub due_at: Timestamp,
    /// Whether the vendor owes the answer past its promise now.
    pub is_overdue: bool,
}

fn case_response(case: VendorCase, now: Timestamp) -> VendorCaseResponse {
    VendorCaseResponse {
        is_overdue: case.is_overdue(now),
        id: case.id,
        vendor_id: case.vendor_id.get(),
        vendor_name: case.vendor_name,
        reference: case.reference,
        opened_at: case.opened_at,
        answered_at: case.answered_at,
        due_at: case.due_at,
    }
}

/// A ticket's cases with vendors, oldest first (staff).
#[utoipa::path(
    get,
    path = "/api/v1/tickets/{id}/vendor-cases",
    tag = "vendors",
    params(("id" = String, Path, description = "ticket number")),
    responses(
        (status = 200, description = "the ticket's cases", body = Vec<VendorCaseResponse>),
        (status = 400, description = "malformed ticket number", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 404, description = "no such ticket (also for customers)", body = ErrorBody),
    )
)]
async fn list_vendor_cases(
    State(state): State<AppState>,
    auth: Authenticated,
    TicketPath(id): TicketPath,
) -> Result<Json<Vec<VendorCaseResponse>>, ApiError> {
    let cases = state.app.vendors().cases(&auth.actor, id).await?;
    let now = state.app.now();
    Ok(Json(
        cases.into_iter().map(|c| case_response(c, now)).collect(),
    ))
}
