//! `/api/v1/tickets/{id}/rating`: the requester's satisfaction rating of a resolved
//! ticket, once per resolution. The signed link in the resolution mail leads to the
//! browser page `/rate/{token}`, which needs no sign-in.

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, Authenticated, TicketPath};
use crate::tickets::created;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use ferrodesk_app::Rating;
use ferrodesk_domain::{Channel, UserId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_rating, rate))
}

/// A satisfaction rating.
#[derive(Debug, Serialize, ToSchema)]
pub struct RatingResponse {
    /// The ticket number.
    pub ticket_id: i64,
    /// 1 (very unhappy) to 5 (very happy).
    pub score: i64,
    /// What the requester said.
    pub comment: Option<String>,
    /// The resolution rated (when the ticket was resolved).
    pub resolved_at: Timestamp,
    /// Who rated.
    pub requester_id: i64,
    /// The agent who worked it when rated (staff only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<i64>,
    /// When.
    pub created_at: Timestamp,
}

fn rating_response(rating: Rating, is_staff: bool) -> RatingResponse {
    RatingResponse {
        ticket_id: rating.ticket_id.get(),
        score: rating.score,
        comment: rating.comment,
        resolved_at: rating.resolved_at,
        requester_id: rating.requester_id.get(),
        agent_id: rating.agent_id.map(UserId::get).filter(|_| is_staff),
        created_at: rating.created_at,
    }
}

/// The rating of a ticket's current resolution.
#[derive(Debug, Serialize, ToSchema)]
pub struct CurrentRatingResponse {
    /// The rating; `null` when not rated (or not resolved).
    pub rating: Option<RatingResponse>,
}

/// Reads the rating of a ticket's current resolution.
#[utoipa::path(
    get,
    path = "/api/v1/tickets/{id}/rating",
    tag = "tickets",
    params(("id" = String, Path, description = "ticket number")),
    responses(
        (status = 200, description = "the rating, or null", body = CurrentRatingResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 404, description = "no such ticket", body = ErrorBody),
    )
)]
async fn get_rating(
    State(state): State<AppState>,
    auth: Authenticated,
    TicketPath(id): TicketPath,
) -> Result<Json<CurrentRatingResponse>, ApiError> {
    let rating = state.app.ratings().current(&auth.actor, id).await?;
    Ok(Json(CurrentRatingResponse {
        rating: rating.map(|r| rating_response(r, auth.actor.is_staff())),
    }))
}

/// A rating to give.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RateRequest {
    /// 1 (very unhappy) to 5 (very happy).
    pub score: i64,
    /// What went well or badly (at most 2000 characters).
    pub comment: Option<String>,
}

/// Rates a resolved ticket (its requester), once per resolution; recorded on the
/// timeline.
#[utoipa::path(
    post,
    path = "/api/v1/tickets/{id}/rating",
    tag = "tickets",
    params(("id" = String, Path, description = "ticket number")),
    request_body = RateRequest,
    responses(
        (status = 201, description = "the rating", body = RatingResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "only the requester rates", body = ErrorBody),
        (status = 404, description = "no such ticket", body = ErrorBody),
        (status = 409, description = "not resolved (`not_resolved`), or already rated (`already_rated`)", body = ErrorBody),
        (status = 422, description = "score outside 1-5, comment too long, wrong field", body = ErrorBody),
    )
)]
async fn rate(
    State(state): State<AppState>,
    auth: Authenticated,
    TicketPath(id): TicketPath,
    ApiJson(r): ApiJson<RateRequest>,
) -> Result<Response, ApiError> {
    let rating = state
        .app
        .ratings()
        .rate(&auth.actor, id, r.score, r.comment.as_deref(), Channel::Api)
        .await?;
    let location = format!("/api/v1/tickets/{}/rating", id.get());
    Ok(created(
        rating_response(rating, auth.actor.is_staff()),
        &location,
        false,
    ))
}
