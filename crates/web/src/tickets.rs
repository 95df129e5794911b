//! `/api/v1/tickets`: open, list, count, read and change tickets. Moving a ticket
//! through the status machine and escalating it live in `status`, splitting, linking
//! and merging in `links`, the timeline in `crate::events`.

mod bulk;
mod export;
mod links;
mod status;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::events::InteractionRequest;
use crate::extract::{ApiJson, Authenticated, IdempotentJson, TicketPath};
use crate::types::{
    Channel, Impact, PageResponse, Priority, Status, TicketKind, Urgency, nullable, page_request,
};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ferrodesk_app::queue_filter::QueueFilterText;
use ferrodesk_app::{
    AppError, NewTicketInput, RequesterRef, TicketFilter, TicketPatch, TicketQuery, TicketSort,
};
use ferrodesk_domain::{
    CategoryId, GroupId, OrganizationId, ServiceId, Ticket, TicketId, TicketStatus, UserId,
};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_ticket, list_tickets))
        .routes(routes!(ticket_counts))
        .routes(routes!(get_ticket, update_ticket))
        .merge(status::routes())
        .merge(bulk::routes())
        .merge(export::routes())
        .merge(links::routes())
}

/// A ticket. Staff also see `tags`, `escalation_level` and `external_ref`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketResponse {
    /// Id, which is also the number.
    pub id: i64,
    /// The number as people say it: `#10042`.
    pub number: String,
    /// Bumped by every change; send it back as `version` to refuse overwriting a
    /// change you have not seen.
    pub version: i64,
    /// One line saying what is wrong.
    pub subject: String,
    /// The requester's description.
    pub description: String,
    /// Kind of request.
    pub ticket_type: TicketKind,
    /// Where it stands.
    pub status: Status,
    /// How widely it reaches.
    pub impact: Impact,
    /// How soon it hurts.
    pub urgency: Urgency,
    /// Effective priority.
    pub priority: Priority,
    /// Whether the priority was set by hand instead of by the impact × urgency matrix.
    pub priority_overridden: bool,
    /// Why it was set by hand.
    pub priority_reason: Option<String>,
    /// Category.
    pub category_id: Option<i64>,
    /// Product or service.
    pub service_id: Option<i64>,
    /// Where the problem is.
    pub location: Option<String>,
    /// The device concerned.
    pub device: Option<String>,
    /// Who asked.
    pub requester_id: i64,
    /// The requester's organization.
    pub organization_id: Option<i64>,
    /// How it came in.
    pub channel: Channel,
    /// The group working it.
    pub group_id: Option<i64>,
    /// The tier it is at (1-3).
    pub tier: i64,
    /// Accountable that the requester's problem is solved.
    pub owner_id: Option<i64>,
    /// Working on it now.
    pub assignee_id: Option<i64>,
    /// Labels (staff only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// Times escalated (staff only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub escalation_level: Option<i64>,
    /// A vendor's case number (staff only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_ref: Option<String>,
    /// The ticket this one was merged into.
    pub merged_into: Option<i64>,
    /// When it was reported.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
    /// First public response by staff.
    pub first_response_at: Option<Timestamp>,
    /// When it was resolved.
    pub resolved_at: Option<Timestamp>,
    /// When it was closed.
    pub closed_at: Option<Timestamp>,
    /// The SLA clock: due times and their states (staff; absent when no policy
    /// covers the ticket).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sla: Option<crate::sla::TicketSlaResponse>,
    /// Custom field values by key, only the fields the caller may see (in the answer
    /// for one ticket; absent in lists). Numbers and checkboxes as such, a multiple
    /// choice as a list, people and assets as ids, the rest as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub custom_fields: Option<BTreeMap<String, serde_json::Value>>,
}

/// Converts a ticket for the response; fields for staff only are left out otherwise.
pub(crate) fn ticket_response(ticket: Ticket, is_staff: bool) -> TicketResponse {
    let priority_overridden = ticket.priority_reason.is_some();
    TicketResponse {
        id: ticket.id.get(),
        number: ticket.id.display_number(),
        version: ticket.version,
        subject: ticket.subject,
        description: ticket.description,
        ticket_type: ticket.ticket_type.into(),
        status: ticket.status.into(),
        impact: ticket.impact.into(),
        urgency: ticket.urgency.into(),
        priority: ticket.priority.into(),
        priority_overridden,
        priority_reason: ticket.priority_reason,
        category_id: ticket.category_id.map(CategoryId::get),
        service_id: ticket.service_id.map(ServiceId::get),
        location: ticket.location,
        device: ticket.device,
        requester_id: ticket.requester_id.get(),
        organization_id: ticket.organization_id.map(OrganizationId::get),
        channel: ticket.channel.into(),
        group_id: ticket.group_id.map(GroupId::get),
        tier: ticket.tier.get(),
        owner_id: ticket.owner_id.map(UserId::get),
        assignee_id: ticket.assignee_id.map(UserId::get),
        tags: is_staff.then_some(ticket.tags),
        escalation_level: is_staff.then_some(ticket.escalation_level),
        external_ref: if is_staff { ticket.external_ref } else { None },
        merged_into: ticket.merged_into.map(TicketId::get),
        created_at: ticket.created_at,
        updated_at: ticket.updated_at,
        first_response_at: ticket.first_response_at,
        resolved_at: ticket.resolved_at,
        closed_at: ticket.closed_at,
        sla: None,
        custom_fields: None,
    }
}

/// A ticket to open. Customers open tickets for themselves and may not set the fields
/// marked staff.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTicketRequest {
    /// One line saying what is wrong (at most 200 characters).
    pub subject: String,
    /// The description.
    #[serde(default)]
    pub description: String,
    /// Kind of request (default `incident`).
    pub ticket_type: Option<TicketKind>,
    /// How widely it reaches (default `individual`).
    pub impact: Option<Impact>,
    /// How soon it hurts (default `medium`).
    pub urgency: Option<Urgency>,
    /// Override the matrix's priority (staff; needs `priority_reason`).
    pub priority: Option<Priority>,
    /// Why the priority is overridden.
    pub priority_reason: Option<String>,
    /// Category.
    pub category_id: Option<i64>,
    /// Product or service.
    pub service_id: Option<i64>,
    /// Where the problem is.
    pub location: Option<String>,
    /// The device concerned.
    pub device: Option<String>,
    /// The requester by id (staff; default: yourself).
    pub requester_id: Option<i64>,
    /// The requester by email, created as a customer if unknown (staff).
    pub requester_email: Option<String>,
    /// The name for a requester created by email.
    pub requester_name: Option<String>,
    /// How it came in (default `api`; `phone`/`walk_in` with such an interaction).
    pub channel: Option<Channel>,
    /// The group (staff; default: the service's tier-1 owner group, else the first
    /// tier-1 group by name).
    pub group_id: Option<i64>,
    /// Accountable staff member (staff).
    pub owner_id: Option<i64>,
    /// Staff member working on it (staff).
    pub assignee_id: Option<i64>,
    /// Labels (staff).
    #[serde(default)]
    pub tags: Vec<String>,
    /// A vendor's case number (staff).
    pub external_ref: Option<String>,
    /// A call, walk-in visit, reply or note logged with the new ticket (staff).
    pub interaction: Option<InteractionRequest>,
    /// Ids of the caller's uploads (`POST /api/v1/uploads`) that come with the request;
    /// the `created` event carries them.
    #[serde(default)]
    pub attachments: Vec<i64>,
    /// Custom field values by key (see `GET /api/v1/custom-fields`): required ones
    /// that apply to the ticket's type and category must be given; customers may set
    /// only the fields visible to them.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub custom_fields: BTreeMap<String, serde_json::Value>,
}

impl CreateTicketRequest {
    fn into_input(self) -> Result<NewTicketInput, ApiError> {
        if self
            .interaction
            .as_ref()
            .is_some_and(InteractionRequest::has_changes)
        {
            return Err(AppError::invalid(
                "interaction",
                "a new ticket takes its fields itself, not through `set`",
            )
            .into());
        }
        let requester = match (self.requester_id, self.requester_email) {
            (Some(_), Some(_)) => {
                return Err(AppError::invalid(
                    "requester_email",
                    "give requester_id or requester_email, not both",
                )
                .into());
            }
            (Some(id), None) => Some(RequesterRef::Id(UserId(id))),
            (None, Some(email)) => Some(RequesterRef::Email {
                email,
                name: self.requester_name,
            }),
            (None, None) => None,
        };
        Ok(NewTicketInput {
            subject: self.subject,
            description: self.description,
            ticket_type: self.ticket_type.map(Into::into),
            impact: self.impact.map(Into::into),
            urgency: self.urgency.map(Into::into),
            priority: self.priority.map(Into::into),
            priority_reason: self.priority_reason,
            category_id: self.category_id.map(CategoryId),
            service_id: self.service_id.map(ServiceId),
            location: self.location,
            device: self.device,
            requester,
            channel: self.channel.map(Into::into),
            group_id: self.group_id.map(GroupId),
            owner_id: self.owner_id.map(UserId),
            assignee_id: self.assignee_id.map(UserId),
            tags: self.tags,
            external_ref: self.external_ref,
            interaction: self.interaction.map(Into::into),
            attachments: Vec::new(),
            custom_fields: crate::custom_fields::field_inputs(self.custom_fields)?,
        })
    }
}

/// 201 with a `Location`, also for a replay (which is marked `Idempotent-Replayed`).
pub(crate) fn created<T: Serialize>(body: T, location: &str, is_replayed: bool) -> Response {
    let mut response = (StatusCode::CREATED, Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    if is_replayed {
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    response
}

/// Opens a ticket. With an `Idempotency-Key` header, a retry of the same request
/// returns the first answer and creates nothing; the same key with a different body
/// is refused with 409 `idempotency_key_reused`.
#[utoipa::path(
    post,
    path = "/api/v1/tickets",
    tag = "tickets",
    request_body = CreateTicketRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "a client-chosen key that makes retries safe")),
    responses(
        (status = 201, description = "the new ticket (or the first answer for a retried key)", body = TicketResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "a customer set a staff-only field or custom field", body = ErrorBody),
        (status = 404, description = "a referenced category, service, group or person does not exist", body = ErrorBody),
        (status = 409, description = "idempotency key reused with another body, or `settings_changed`: the routing settings kept changing while the ticket was routed", body = ErrorBody),
        (status = 413, description = "body too large", body = ErrorBody),
        (status = 415, description = "body is not JSON", body = ErrorBody),
        (status = 422, description = "missing, unknown or invalid field, or a custom field value that is missing, unknown or not of its kind (the error names `custom_fields.<key>`)", body = ErrorBody),
    )
)]
async fn create_ticket(
    State(state): State<AppState>,
    auth: Authenticated,
    body: IdempotentJson<CreateTicketRequest>,
) -> Result<Response, ApiError> {
    let upload_ids = body.value.attachments.clone();
    let mut input = body.value.into_input()?;
    input.attachments = state
        .app
        .attachments()
        .claim(&auth.actor, &upload_ids)
        .await?;
    let outcome = state
        .app
        .tickets()
        .create(&auth.actor, input, body.idempotency)
        .await?;
    let is_replayed = outcome.is_replayed();
    let ticket = outcome.into_inner();
    let location = format!("/api/v1/tickets/{}", ticket.id);
    let response = ticket_response(ticket, auth.actor.is_staff());
    let response = crate::sla::with_sla(&state, &auth.actor, response).await?;
    let response = crate::custom_fields::with_custom_fields(&state, &auth.actor, response).await?;
    Ok(created(response, &location, is_replayed))
}

/// Queue order.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TicketSortParam {
    /// Most recently changed first (default).
    UpdatedDesc,
    /// Least recently changed first.
    UpdatedAsc,
    /// Newest first.
    CreatedDesc,
    /// Oldest first.
    CreatedAsc,
    /// P1 first, oldest first within a priority.
    Priority,
    /// Highest number first.
    IdDesc,
}

/// Filters for the ticket queue; all given filters must hold. Besides these, one
/// `cf.<key>=value` filters by a custom field's value.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListTicketsQuery {
    /// Comma-separated statuses, e.g. `new,open`; `open` alone as `open=true` means
    /// anything before resolved.
    pub status: Option<String>,
    /// Only tickets that still need work (before resolved).
    pub open: Option<bool>,
    /// Comma-separated priorities, e.g. `p1,p2`.
    pub priority: Option<String>,
    /// Group id.
    pub group_id: Option<i64>,
    /// Assignee id, `me`, or `none` for unassigned tickets.
    pub assignee_id: Option<String>,
    /// Owner id, or `me`.
    pub owner_id: Option<String>,
    /// Requester id.
    pub requester_id: Option<i64>,
    /// Organization id.
    pub organization_id: Option<i64>,
    /// Category id.
    pub category_id: Option<i64>,
    /// Service id.
    pub service_id: Option<i64>,
    /// Channel.
    #[param(inline)]
    pub channel: Option<Channel>,
    /// Text in the subject (case-insensitive).
    pub q: Option<String>,
    /// Ticket type: `incident`, `service_request`, `question`, `complaint` or `problem`.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub ticket_type: Option<String>,
    /// A tag the ticket carries, exactly as written.
    pub tag: Option<String>,
    /// SLA state: `breached` (a running target is past due) or `due_within` (one falls
    /// due within `sla_hours`).
    pub sla: Option<String>,
    /// The window of `sla=due_within` in hours, 1-744 (default 4).
    pub sla_hours: Option<String>,
    /// Created on or after this day (`YYYY-MM-DD`, UTC) or RFC 3339 moment.
    pub created_from: Option<String>,
    /// Created on or before this day (`YYYY-MM-DD`, UTC) or before this RFC 3339 moment.
    pub created_to: Option<String>,
    /// Last changed on or after this day or moment.
    pub updated_from: Option<String>,
    /// Last changed on or before this day, or before this moment.
    pub updated_to: Option<String>,
    /// Order (default `updated_desc`).
    #[param(inline)]
    pub sort: Option<TicketSortParam>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1-200 (default 50).
    pub limit: Option<i64>,
}

fn parse_list<T>(
    name: &str,
    text: Option<&str>,
    parse: impl Fn(&str) -> Result<T, ferrodesk_domain::InvalidValue>,
) -> Result<Vec<T>, ApiError> {
    text.unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| parse(s).map_err(|e| ApiError::InvalidQuery(format!("{name}: {}", e.message))))
        .collect()
}

fn person_param(name: &str, text: Option<&str>, me: UserId) -> Result<Option<UserId>, ApiError> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some("me") => Ok(Some(me)),
        Some(other) => other.parse().map(|id| Some(UserId(id))).map_err(|_| {
            ApiError::InvalidQuery(format!("{name} must be a user id or 'me', not '{other}'"))
        }),
    }
}

impl ListTicketsQuery {
    fn into_query(self, me: UserId, now: Timestamp) -> Result<TicketQuery, ApiError> {
        let (assignee_id, unassigned) = match self.assignee_id.as_deref().map(str::trim) {
            Some("none") => (None, true),
            other => (person_param("assignee_id", other, me)?, false),
        };
        let mut filter = TicketFilter {
            statuses: parse_list("status", self.status.as_deref(), TicketStatus::parse)?,
            open_only: self.open.unwrap_or(false),
            priorities: parse_list(
                "priority",
                self.priority.as_deref(),
                ferrodesk_domain::Priority::parse,
            )?,
            group_id: self.group_id.map(GroupId),
            assignee_id,
            unassigned,
            owner_id: person_param("owner_id", self.owner_id.as_deref(), me)?,
            requester_id: self.requester_id.map(UserId),
            organization_id: self.organization_id.map(OrganizationId),
            category_id: self.category_id.map(CategoryId),
            service_id: self.service_id.map(ServiceId),
            channel: self.channel.map(Into::into),
            subject_contains: self
                .q
                .map(|q| q.trim().to_owned())
                .filter(|q| !q.is_empty()),
            ..TicketFilter::default()
        };
        QueueFilterText {
            ticket_type: self.ticket_type.as_deref(),
            tag: self.tag.as_deref(),
            sla: self.sla.as_deref(),
            sla_hours: self.sla_hours.as_deref(),
            created_from: self.created_from.as_deref(),
            created_to: self.created_to.as_deref(),
            updated_from: self.updated_from.as_deref(),
            updated_to: self.updated_to.as_deref(),
        }
        .apply(&mut filter, now)
        .map_err(|e| ApiError::InvalidQuery(e.to_string()))?;
        let sort = match self.sort {
            None | Some(TicketSortParam::UpdatedDesc) => TicketSort::UpdatedDesc,
            Some(TicketSortParam::UpdatedAsc) => TicketSort::UpdatedAsc,
            Some(TicketSortParam::CreatedDesc) => TicketSort::CreatedDesc,
            Some(TicketSortParam::CreatedAsc) => TicketSort::CreatedAsc,
            Some(TicketSortParam::Priority) => TicketSort::PriorityDesc,
            Some(TicketSortParam::IdDesc) => TicketSort::IdDesc,
        };
        Ok(TicketQuery {
            filter,
            sort,
            page: page_request(self.cursor.as_deref(), self.limit)?,
        })
    }
}

/// The ticket queue: the tickets you may see, filtered, sorted and paged.
#[utoipa::path(
    get,
    path = "/api/v1/tickets",
    tag = "tickets",
    params(ListTicketsQuery),
    responses(
        (status = 200, description = "a page of tickets", body = PageResponse<TicketResponse>),
        (status = 400, description = "a query parameter is wrong", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
    )
)]
async fn list_tickets(
    State(state): State<AppState>,
    auth: Authenticated,
    crate::custom_fields::WithCustomFilters(query, custom): crate::custom_fields::WithCustomFilters<
        ListTicketsQuery,
    >,
) -> Result<Json<PageResponse<TicketResponse>>, ApiError> {
    let custom = crate::custom_fields::custom_filter(&state, &auth.actor, custom).await?;
    let mut query = query.into_query(auth.actor.user_id, state.app.now())?;
    query.filter.custom_value = custom;
    let page = state.app.tickets().list(&auth.actor, &query).await?;
    let is_staff = auth.actor.is_staff();
    let mut response = PageResponse::from_page(page, |t| ticket_response(t, is_staff));
    crate::sla::attach_sla(&state, &auth.actor, &mut response.items).await?;
    Ok(Json(response))
}

/// A count for one group or person.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountEntry {
    /// The group or person; absent for tickets without a group.
    pub id: Option<i64>,
    /// How many.
    pub count: i64,
}

/// Live queue counts, kept up to date on every write.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountsResponse {
    /// Tickets per status.
    pub by_status: BTreeMap<String, i64>,
    /// Open tickets per group.
    pub open_by_group: Vec<CountEntry>,
    /// Open, unassigned tickets per group.
    pub unassigned_by_group: Vec<CountEntry>,
    /// Open tickets per assignee.
    pub open_by_assignee: Vec<CountEntry>,
}

/// Queue counts (staff).
#[utoipa::path(
    get,
    path = "/api/v1/tickets/counts",
    tag = "tickets",
    responses(
        (status = 200, description = "the counts", body = CountsResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "customers may not read queue counts", body = ErrorBody),
    )
)]
async fn ticket_counts(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<CountsResponse>, ApiError> {
    let counts = state.app.tickets().counts(&auth.actor).await?;
    let groups = |map: BTreeMap<Option<GroupId>, i64>| {
        map.into_iter()
            .map(|(id, count)| CountEntry {
                id: id.map(GroupId::get),
                count,
            })
            .collect()
    };
    Ok(Json(CountsResponse {
        by_status: counts
            .by_status
            .into_iter()
            .map(|(status, count)| (status.as_str().to_owned(), count))
            .collect(),
        open_by_group: groups(counts.open_by_group),
        unassigned_by_group: groups(counts.unassigned_by_group),
        open_by_assignee: counts
            .open_by_assignee
            .into_iter()
            .map(|(id, count)| CountEntry {
                id: Some(id.get()),
                count,
            })
            .collect(),
    }))
}

/// Reads a ticket. A ticket you may not see answers 404, like a missing one.
#[utoipa::path(
    get,
    path = "/api/v1/tickets/{id}",
    tag = "tickets",
    params(("id" = String, Path, description = "ticket number, e.g. 10042")),
    responses(
        (status = 200, description = "the ticket", body = TicketResponse),
        (status = 400, description = "not a ticket number", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 404, description = "no such ticket, or not yours to see", body = ErrorBody),
    )
)]
async fn get_ticket(
    State(state): State<AppState>,
    auth: Authenticated,
    TicketPath(id): TicketPath,
) -> Result<Json<TicketResponse>, ApiError> {
    let ticket = state.app.tickets().get(&auth.actor, id).await?;
    let response = crate::sla::with_sla(
        &state,
        &auth.actor,
        ticket_response(ticket, auth.actor.is_staff()),
    )
    .await?;
    Ok(Json(
        crate::custom_fields::with_custom_fields(&state, &auth.actor, response).await?,
    ))
}

/// Changes to a ticket's fields: absent fields stay, `null` clears.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTicketRequest {
    /// The version you read; if the ticket changed since, 409 `ticket_changed`.
    pub version: Option<i64>,
    /// New subject.
    pub subject: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New type.
    pub ticket_type: Option<TicketKind>,
    /// New impact (the priority follows unless overridden).
    pub impact: Option<Impact>,
    /// New urgency (the priority follows unless overridden).
    pub urgency: Option<Urgency>,
    /// A priority override (with `priority_reason`), or `null` to return to the matrix.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Priority>)]
    pub priority: Option<Option<Priority>>,
    /// Why the priority is overridden.
    pub priority_reason: Option<String>,
    /// New category, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub category_id: Option<Option<i64>>,
    /// New service, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub service_id: Option<Option<i64>>,
    /// New location, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub location: Option<Option<String>>,
    /// New device, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub device: Option<Option<String>>,
    /// New group (the tier follows), or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub group_id: Option<Option<i64>>,
    /// New owner, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub owner_id: Option<Option<i64>>,
    /// New assignee, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub assignee_id: Option<Option<i64>>,
    /// New requester (the organization follows).
    pub requester_id: Option<i64>,
    /// New tags, replacing the old ones.
    pub tags: Option<Vec<String>>,
    /// New vendor reference, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub external_ref: Option<Option<String>>,
    /// Custom field values to set by key, `null` to clear one; fields not named stay.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub custom_fields: BTreeMap<String, serde_json::Value>,
}

impl TryFrom<UpdateTicketRequest> for TicketPatch {
    type Error = ApiError;

    fn try_from(r: UpdateTicketRequest) -> Result<Self, ApiError> {
        Ok(TicketPatch {
            version: r.version,
            subject: r.subject,
            description: r.description,
            ticket_type: r.ticket_type.map(Into::into),
            impact: r.impact.map(Into::into),
            urgency: r.urgency.map(Into::into),
            priority: r.priority.map(|p| p.map(Into::into)),
            priority_reason: r.priority_reason,
            category_id: r.category_id.map(|c| c.map(CategoryId)),
            service_id: r.service_id.map(|s| s.map(ServiceId)),
            location: r.location,
            device: r.device,
            group_id: r.group_id.map(|g| g.map(GroupId)),
            owner_id: r.owner_id.map(|o| o.map(UserId)),
            assignee_id: r.assignee_id.map(|a| a.map(UserId)),
            requester_id: r.requester_id.map(UserId),
            tags: r.tags,
            external_ref: r.external_ref,
            custom_fields: crate::custom_fields::field_inputs(r.custom_fields)?,
        })
    }
}

/// Changes fields (staff who may work the ticket); each change is a timeline event.
#[utoipa::path(
    patch,
    path = "/api/v1/tickets/{id}",
    tag = "tickets",
    params(("id" = String, Path, description = "ticket number")),
    request_body = UpdateTicketRequest,
    responses(
        (status = 200, description = "the changed ticket", body = TicketResponse),
        (status = 400, description = "malformed JSON or ticket number", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "you may see but not change this ticket", body = ErrorBody),
        (status = 404, description = "no such ticket, or a referenced row is missing", body = ErrorBody),
        (status = 409, description = "the ticket changed since `version`, or `settings_changed`: the routing settings kept changing while the change was routed", body = ErrorBody),
        (status = 413, description = "body too large", body = ErrorBody),
        (status = 415, description = "body is not JSON", body = ErrorBody),
        (status = 422, description = "unknown or invalid field, or a custom field value (the error names `custom_fields.<key>`)", body = ErrorBody),
    )
)]
async fn update_ticket(
    State(state): State<AppState>,
    auth: Authenticated,
    TicketPath(id): TicketPath,
    ApiJson(request): ApiJson<UpdateTicketRequest>,
) -> Result<Json<TicketResponse>, ApiError> {
    let ticket = state
        .app
        .tickets()
        .update(&auth.actor, id, request.try_into()?)
        .await?;
    let response = crate::sla::with_sla(
        &state,
        &auth.actor,
        ticket_response(ticket, auth.actor.is_staff()),
    )
    .await?;
    Ok(Json(
        crate::custom_fields::with_custom_fields(&state, &auth.actor, response).await?,
    ))
}
