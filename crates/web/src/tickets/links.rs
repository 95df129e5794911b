//! `/api/v1/tickets/{id}/split`, `/links` and `/merge`: one contact split into
//! several tickets, tickets linked to each other, a duplicate merged.

use super::{TicketResponse, ticket_response};
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, Authenticated, TicketPath};
use crate::types::{Impact, LinkKind, NewLinkKind, Status, TicketKind, Urgency};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ferrodesk_app::{SplitPartInput, TicketLink};
use ferrodesk_domain::{CategoryId, GroupId, ServiceId, TicketId, UserId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(split_ticket))
        .routes(routes!(list_links, add_link))
        .routes(routes!(merge_ticket))
}

/// One new ticket split off the original; fields not given come from the original
/// (type, impact, urgency, location) or from the routing rule (group).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SplitPartRequest {
    /// Subject.
    pub subject: String,
    /// Description.
    pub description: Option<String>,
    /// Type.
    pub ticket_type: Option<TicketKind>,
    /// Impact.
    pub impact: Option<Impact>,
    /// Urgency.
    pub urgency: Option<Urgency>,
    /// Category.
    pub category_id: Option<i64>,
    /// Service.
    pub service_id: Option<i64>,
    /// Group.
    pub group_id: Option<i64>,
    /// Owner.
    pub owner_id: Option<i64>,
    /// Assignee.
    pub assignee_id: Option<i64>,
    /// Location.
    pub location: Option<String>,
    /// Device.
    pub device: Option<String>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// A split: the new tickets to create from one contact.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SplitRequest {
    /// 1 to 20 parts.
    pub parts: Vec<SplitPartRequest>,
}

/// The tickets a split created.
#[derive(Debug, Serialize, ToSchema)]
pub struct SplitResponse {
    /// The new tickets, each linked `split_from` the original.
    pub tickets: Vec<TicketResponse>,
}

/// Splits a contact with several problems into several tickets, each linked to the
/// original and routed on its own.
#[utoipa::path(
    post,
    path = "/api/v1/tickets/{id}/split",
    tag = "tickets",
    params(("id" = String, Path, description = "ticket number of the original")),
    request_body = SplitRequest,
    responses(
        (status = 201, description = "the new tickets", body = SplitResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "you may not change this ticket", body = ErrorBody),
        (status = 404, description = "no such ticket, or a referenced row is missing", body = ErrorBody),
        (status = 409, description = "the original is closed or changed meanwhile", body = ErrorBody),
        (status = 422, description = "no parts, too many, or an invalid field", body = ErrorBody),
    )
)]
async fn split_ticket(
    State(state): State<AppState>,
    auth: Authenticated,
    TicketPath(id): TicketPath,
    ApiJson(request): ApiJson<SplitRequest>,
) -> Result<Response, ApiError> {
    let parts = request
        .parts
        .into_iter()
        .map(|p| SplitPartInput {
            subject: p.subject,
            description: p.description,
            ticket_type: p.ticket_type.map(Into::into),
            impact: p.impact.map(Into::into),
            urgency: p.urgency.map(Into::into),
            category_id: p.category_id.map(CategoryId),
            service_id: p.service_id.map(ServiceId),
            group_id: p.group_id.map(GroupId),
            owner_id: p.owner_id.map(UserId),
            assignee_id: p.assignee_id.map(UserId),
            location: p.location,
            device: p.device,
            tags: p.tags,
        })
        .collect();
    let tickets = state.app.tickets().split(&auth.actor, id, parts).await?;
    let is_staff = auth.actor.is_staff();
    let body = SplitResponse {
        tickets: tickets
            .into_iter()
            .map(|t| ticket_response(t, is_staff))
            .collect(),
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// A link as seen from the ticket in the path.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkResponse {
    /// The other ticket.
    pub ticket_id: i64,
    /// Its number, `#10042`.
    pub number: String,
    /// The stored kind, read from its source.
    pub kind: LinkKind,
    /// `outgoing` when this ticket is the source (this ticket `kind` the other),
    /// `incoming` when the other ticket is.
    pub direction: String,
    /// The other ticket's subject.
    pub subject: String,
    /// The other ticket's status.
    pub status: Status,
    /// When linked.
    pub created_at: Timestamp,
}

/// The links of a ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinksResponse {
    /// The links, leaving out tickets you may not see.
    pub items: Vec<LinkResponse>,
}

fn links_response(links: Vec<TicketLink>) -> LinksResponse {
    LinksResponse {
        items: links
            .into_iter()
            .map(|l| LinkResponse {
                ticket_id: l.other.get(),
                number: l.other.display_number(),
                kind: l.kind.into(),
                direction: if l.is_source { "outgoing" } else { "incoming" }.into(),
                subject: l.other_subject,
                status: l.other_status.into(),
                created_at: l.created_at,
            })
            .collect(),
    }
}

/// Lists the ticket's links to other tickets.
#[utoipa::path(
    get,
    path = "/api/v1/tickets/{id}/links",
    tag = "tickets",
    params(("id" = String, Path, description = "ticket number")),
    responses(
        (status = 200, description = "the links", body = LinksResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 404, description = "no such ticket", body = ErrorBody),
    )
)]
async fn list_links(
    State(state): State<AppState>,
    auth: Authenticated,
    TicketPath(id): TicketPath,
) -> Result<Json<LinksResponse>, ApiError> {
    let links = state.app.tickets().links(&auth.actor, id).await?;
    Ok(Json(links_response(links)))
}

/// A link to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddLinkRequest {
    /// How this ticket relates to the other.
    pub kind: NewLinkKind,
    /// The other ticket's number.
    pub ticket_id: i64,
}

/// Links two tickets (duplicate-of, related, parent/child, caused-by); you must be
/// able to work both.
#[utoipa::path(
    post,
    path = "/api/v1/tickets/{id}/links",
    tag = "tickets",
    params(("id" = String, Path, description = "ticket number")),
    request_body = AddLinkRequest,
    responses(
        (status = 201, description = "the ticket's links afterwards", body = LinksResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "you may not change one of the tickets", body = ErrorBody),
        (status = 404, description = "no such ticket", body = ErrorBody),
        (status = 409, description = "already linked", body = ErrorBody),
        (status = 422, description = "invalid field, or a ticket linked to itself", body = ErrorBody),
    )
)]
async fn add_link(
    State(state): State<AppState>,
    auth: Authenticated,
    TicketPath(id): TicketPath,
    ApiJson(request): ApiJson<AddLinkRequest>,
) -> Result<Response, ApiError> {
    let links = state
        .app
        .tickets()
        .link(
            &auth.actor,
            id,
            request.kind.into(),
            TicketId(request.ticket_id),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(links_response(links))).into_response())
}

/// A merge target.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    /// The ticket that survives.
    pub into: i64,
}

/// Merges this ticket (a duplicate) into another: this one is closed, linked
/// `duplicate_of` the other, and both timelines are kept.
#[utoipa::path(
    post,
    path = "/api/v1/tickets/{id}/merge",
    tag = "tickets",
    params(("id" = String, Path, description = "ticket number of the duplicate")),
    request_body = MergeRequest,
    responses(
        (status = 200, description = "the surviving ticket", body = TicketResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "you may not change one of the tickets", body = ErrorBody),
        (status = 404, description = "no such ticket", body = ErrorBody),
        (status = 409, description = "a ticket is closed, has open children, or changed", body = ErrorBody),
        (status = 422, description = "invalid field, or a ticket merged into itself", body = ErrorBody),
    )
)]
async fn merge_ticket(
    State(state): State<AppState>,
    auth: Authenticated,
    TicketPath(id): TicketPath,
    ApiJson(request): ApiJson<MergeRequest>,
) -> Result<Json<TicketResponse>, ApiError> {
    let ticket = state
        .app
        .tickets()
        .merge(&auth.actor, id, TicketId(request.into))
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
