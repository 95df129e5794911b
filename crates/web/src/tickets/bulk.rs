//! `POST /api/v1/tickets/bulk`: one action on many tickets, chosen by id or by the same
//! filters as `GET /api/v1/tickets`; each ticket changes in its own write and the
//! answer says per ticket what happened.

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, Authenticated};
use crate::types::{Priority, Status};
use axum::Json;
use axum::extract::State;
use ferrodesk_app::{BulkAction, BulkOutcome, BulkReport, BulkSelection};
use ferrodesk_domain::{GroupId, MacroId, TicketId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(bulk_tickets))
}

/// What to do to each ticket.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum BulkActionRequest {
    /// Assign to `assignee_id`, or unassign with `null`.
    Assign {
        /// The person, or `null`.
        assignee_id: Option<i64>,
    },
    /// Move through the status machine.
    SetStatus {
        /// The new status.
        status: Status,
    },
    /// Override the priority.
    SetPriority {
        /// The new priority.
        priority: Priority,
        /// Why it differs from the matrix.
        reason: Option<String>,
    },
    /// Move to a group.
    SetGroup {
        /// The group.
        group_id: i64,
    },
    /// Add tags.
    AddTags {
        /// The tags.
        tags: Vec<String>,
    },
    /// Remove tags.
    RemoveTags {
        /// The tags.
        tags: Vec<String>,
    },
    /// Apply a macro: its reply and its changes, one write per ticket.
    ApplyMacro {
        /// The macro.
        macro_id: i64,
    },
    /// Merge every other chosen ticket into this one (one of the chosen).
    MergeInto {
        /// The ticket the others are merged into.
        ticket_id: i64,
    },
}

impl From<BulkActionRequest> for BulkAction {
    fn from(request: BulkActionRequest) -> Self {
        match request {
            BulkActionRequest::Assign { assignee_id } => {
                BulkAction::Assign(assignee_id.map(UserId))
            }
            BulkActionRequest::SetStatus { status } => BulkAction::SetStatus(status.into()),
            BulkActionRequest::SetPriority { priority, reason } => BulkAction::SetPriority {
                priority: priority.into(),
                reason,
            },
            BulkActionRequest::SetGroup { group_id } => BulkAction::SetGroup(GroupId(group_id)),
            BulkActionRequest::AddTags { tags } => BulkAction::AddTags(tags),
            BulkActionRequest::RemoveTags { tags } => BulkAction::RemoveTags(tags),
            BulkActionRequest::ApplyMacro { macro_id } => BulkAction::ApplyMacro(MacroId(macro_id)),
            BulkActionRequest::MergeInto { ticket_id } => {
                BulkAction::MergeInto(TicketId(ticket_id))
            }
        }
    }
}

/// A bulk request: `ids`, or `all_matching: true` for every ticket the query string's
/// filters match (the filters of `GET /api/v1/tickets`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkRequest {
    /// The tickets, by number (at most 1,000).
    pub ids: Option<Vec<i64>>,
    /// Every ticket matching the query string's filters instead (at most 1,000).
    #[serde(default)]
    pub all_matching: bool,
    /// What to do.
    pub action: BulkActionRequest,
}

/// One ticket's result.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkItemResponse {
    /// The ticket.
    pub ticket_id: i64,
    /// `changed`, `unchanged` (already so) or `refused`.
    pub result: String,
    /// The ticket's version after a change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    /// Why it was refused: the code and message a single request would have had.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<crate::error::ErrorDetail>,
}

/// What a bulk action did.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkResponse {
    /// How many changed.
    pub changed: usize,
    /// How many were already so.
    pub unchanged: usize,
    /// How many were refused.
    pub refused: usize,
    /// Per ticket, in the order taken.
    pub items: Vec<BulkItemResponse>,
}

fn response(report: BulkReport) -> BulkResponse {
    let (changed, unchanged, refused) = (report.changed(), report.unchanged(), report.refused());
    let items = report
        .items
        .into_iter()
        .map(|item| {
            let ticket_id = item.ticket_id.get();
            match item.outcome {
                BulkOutcome::Changed { version } => BulkItemResponse {
                    ticket_id,
                    result: "changed".into(),
                    version: Some(version),
                    error: None,
                },
                BulkOutcome::Unchanged => BulkItemResponse {
                    ticket_id,
                    result: "unchanged".into(),
                    version: None,
                    error: None,
                },
                BulkOutcome::Refused(error) => BulkItemResponse {
                    ticket_id,
                    result: "refused".into(),
                    version: None,
                    error: Some(ApiError::from(error).detail()),
                },
            }
        })
        .collect();
    BulkResponse {
        changed,
        unchanged,
        refused,
        items,
    }
}

/// Applies one action to many tickets (staff). Each ticket changes in its own write
/// through the same rules as a single change (status machine, routing, notifications,
/// SLA); one refused ticket does not stop the others. Choose `ids`, or
/// `all_matching: true` with the filters of `GET /api/v1/tickets` in the query string.
#[utoipa::path(
    post,
    path = "/api/v1/tickets/bulk",
    tag = "tickets",
    params(super::ListTicketsQuery),
    request_body = BulkRequest,
    responses(
        (status = 200, description = "what happened to each ticket", body = BulkResponse),
        (status = 400, description = "malformed JSON or a bad filter", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "customers may not work on many tickets", body = ErrorBody),
        (status = 422, description = "an unknown action, neither or both of `ids` and `all_matching`, no tickets, more than 1,000, or a merge target not among them", body = ErrorBody),
    )
)]
async fn bulk_tickets(
    State(state): State<AppState>,
    auth: Authenticated,
    crate::custom_fields::WithCustomFilters(query, custom): crate::custom_fields::WithCustomFilters<
        super::ListTicketsQuery,
    >,
    ApiJson(request): ApiJson<BulkRequest>,
) -> Result<Json<BulkResponse>, ApiError> {
    let selection = match (request.ids, request.all_matching) {
        (Some(ids), false) => BulkSelection::Ids(ids.into_iter().map(TicketId).collect()),
        (None, true) => {
            let custom = crate::custom_fields::custom_filter(&state, &auth.actor, custom).await?;
            let mut query = query.into_query(auth.actor.user_id, state.app.now())?;
            query.filter.custom_value = custom;
            BulkSelection::Filter(Box::new(query))
        }
        _ => {
            return Err(ferrodesk_app::AppError::invalid(
                "ids",
                "give either ids or all_matching: true",
            )
            .into());
        }
    };
    let action = BulkAction::from(request.action);
    let report = state
        .app
        .tickets()
        .bulk(&auth.actor, selection, &action)
        .await?;
    Ok(Json(response(report)))
}
