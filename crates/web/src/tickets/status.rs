//! `/api/v1/tickets/{id}/transition` and `/api/v1/tickets/{id}/escalate`: moving a
//! ticket through the status machine and up the tiers.

use super::{TicketResponse, ticket_response};
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, Authenticated, TicketPath};
use crate::types::Status;
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(transition_ticket))
        .routes(routes!(escalate_ticket))
}

/// A status change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    /// The new status.
    pub status: Status,
    /// Why; kept on the timeline (an internal note from staff, a reply from a customer).
    pub reason: Option<String>,
    /// The version you read.
    pub version: Option<i64>,
}

/// Moves a ticket through the status machine. Customers may only reopen their own
/// resolved tickets. A parent cannot be resolved or closed while a child is open.
#[utoipa::path(
    post,
    path = "/api/v1/tickets/{id}/transition",
    tag = "tickets",
    params(("id" = String, Path, description = "ticket number")),
    request_body = TransitionRequest,
    responses(
        (status = 200, description = "the ticket in its new status", body = TicketResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "you may not move this ticket", body = ErrorBody),
        (status = 404, description = "no such ticket", body = ErrorBody),
        (status = 409, description = "the status machine refuses (`allowed` lists the possible statuses), open children block it, or the ticket changed", body = ErrorBody),
        (status = 422, description = "unknown status or field", body = ErrorBody),
    )
)]
async fn transition_ticket(
    State(state): State<AppState>,
    auth: Authenticated,
    TicketPath(id): TicketPath,
    ApiJson(request): ApiJson<TransitionRequest>,
) -> Result<Json<TicketResponse>, ApiError> {
    let ticket = state
        .app
        .tickets()
        .transition(
            &auth.actor,
            id,
            request.status.into(),
            request.reason.as_deref(),
            request.version,
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

/// An escalation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EscalateRequest {
    /// The group that takes the ticket over (its tier becomes the ticket's tier).
    pub to_group_id: i64,
    /// Functional (default), hierarchical or external.
    pub kind: Option<crate::types::EscalationKind>,
    /// Why the ticket moves up; required.
    pub reason: String,
    /// The vendor's case number, for external escalations.
    pub external_ref: Option<String>,
    /// Hand the ticket over: clear the assignee so the new group picks it up.
    #[serde(default)]
    pub release_assignee: bool,
    /// The version you read.
    pub version: Option<i64>,
}

/// Escalates a ticket to another group and its tier, a supervisor, or an outside
/// vendor (the ticket then waits on the vendor). The owner stays accountable; with
/// `release_assignee` the assignee is cleared. One `escalated` event records it.
#[utoipa::path(
    post,
    path = "/api/v1/tickets/{id}/escalate",
    tag = "tickets",
    params(("id" = String, Path, description = "ticket number")),
    request_body = EscalateRequest,
    responses(
        (status = 200, description = "the escalated ticket", body = TicketResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "you may not work this ticket", body = ErrorBody),
        (status = 404, description = "no such ticket", body = ErrorBody),
        (status = 409, description = "the ticket changed since you read it", body = ErrorBody),
        (status = 422, description = "no reason, unknown or same group, ticket not open, or unknown field", body = ErrorBody),
    )
)]
async fn escalate_ticket(
    State(state): State<AppState>,
    auth: Authenticated,
    TicketPath(id): TicketPath,
    ApiJson(request): ApiJson<EscalateRequest>,
) -> Result<Json<TicketResponse>, ApiError> {
    let input = ferrodesk_app::EscalateInput {
        to_group: ferrodesk_domain::GroupId(request.to_group_id),
        kind: request
            .kind
            .map_or(ferrodesk_domain::EscalationKind::Functional, Into::into),
        reason: request.reason,
        external_ref: request.external_ref,
        release_assignee: request.release_assignee,
        version: request.version,
    };
    let ticket = state.app.tickets().escalate(&auth.actor, id, input).await?;
    Ok(Json(
        crate::sla::with_sla(
            &state,
            &auth.actor,
            ticket_response(ticket, auth.actor.is_staff()),
        )
        .await?,
    ))
}
