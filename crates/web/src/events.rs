//! `/api/v1/tickets/{id}/events`: the timeline. Staff log replies, internal notes,
//! calls and walk-in visits; customers reply. Customers never receive internal events.

use crate::AppState;
use crate::attachments::{AttachmentResponse, attachment_responses};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiQuery, Authenticated, IdempotentJson, TicketPath};
use crate::tickets::created;
use crate::types::{
    CallDirection, Channel, EscalationKind, LinkKind, Priority, Status, Visibility, nullable,
};
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use ferrodesk_app::{EventPage, InteractionChanges, InteractionInput};
use ferrodesk_domain::{Event, EventId, EventKind, GroupId, UserId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_events, add_event))
}

/// Something said or done with the requester.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum InteractionRequest {
    /// A public message to the requester (customers may send only this).
    Reply {
        /// The message.
        body: String,
        /// Ids of the caller's uploads (`POST /api/v1/uploads`) to attach.
        #[serde(default)]
        attachments: Vec<i64>,
        /// Changes to the ticket written with the reply (staff).
        set: Option<EventChangesRequest>,
        /// The newest event id the writer had seen (the last one shown). When someone
        /// else has replied publicly, or the requester has written, after it, the reply
        /// is not sent: 409 `replied_meanwhile` with those replies and
        /// `newest_event_id`, to send anyway with. Absent: sent without looking.
        seen_event_id: Option<i64>,
        /// Minutes spent (staff, 1 to 1440), logged as a time entry with the reply in
        /// its write.
        time_spent_minutes: Option<i64>,
    },
    /// An internal note for staff.
    Note {
        /// The note.
        body: String,
        /// Ids of the caller's uploads to attach.
        #[serde(default)]
        attachments: Vec<i64>,
        /// Changes to the ticket written with the note.
        set: Option<EventChangesRequest>,
        /// Minutes spent (1 to 1440), logged as a time entry with the note in its
        /// write.
        time_spent_minutes: Option<i64>,
    },
    /// A phone call.
    Call {
        /// Who called whom.
        direction: CallDirection,
        /// The other party's number.
        number: Option<String>,
        /// Length in seconds (0 to 86400).
        #[serde(default)]
        duration_seconds: i64,
        /// What was said and done.
        #[serde(default)]
        body: String,
        /// Who may see the log entry (default `public`).
        visibility: Option<Visibility>,
    },
    /// A visit at the desk.
    WalkIn {
        /// Where.
        location: Option<String>,
        /// What was said and done.
        #[serde(default)]
        body: String,
        /// Who may see the log entry (default `public`).
        visibility: Option<Visibility>,
    },
}

/// Changes to the ticket written with a reply or note, in one command and one
/// transaction ("reply and set status"): either the message and every change are
/// written, or nothing is.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventChangesRequest {
    /// Move the ticket to this status with the message (`pending_customer` after a
    /// question, `resolved` with the answer); the status machine decides as for
    /// `POST /api/v1/tickets/{id}/transition`. The current status moves nothing.
    pub status: Option<Status>,
    /// A priority override (with `priority_reason`), or `null` to return to the matrix.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Priority>)]
    pub priority: Option<Option<Priority>>,
    /// Why the priority is overridden.
    pub priority_reason: Option<String>,
    /// The new assignee, or `null` to release the ticket.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub assignee_id: Option<Option<i64>>,
    /// The version you read; a ticket changed since is refused (409 `ticket_changed`).
    pub version: Option<i64>,
}

impl From<EventChangesRequest> for InteractionChanges {
    fn from(r: EventChangesRequest) -> Self {
        InteractionChanges {
            status: r.status.map(Into::into),
            priority: r.priority.map(|p| p.map(Into::into)),
            priority_reason: r.priority_reason,
            assignee_id: r.assignee_id.map(|a| a.map(UserId)),
            version: r.version,
            ..InteractionChanges::default()
        }
    }
}

impl InteractionRequest {
    /// Whether the request asks for ticket changes with the message (`set`).
    pub(crate) fn has_changes(&self) -> bool {
        matches!(
            self,
            InteractionRequest::Reply { set: Some(_), .. }
                | InteractionRequest::Note { set: Some(_), .. }
                | InteractionRequest::Reply {
                    time_spent_minutes: Some(_),
                    ..
                }
                | InteractionRequest::Note {
                    time_spent_minutes: Some(_),
                    ..
                }
        )
    }

    /// The interaction, the upload ids it cites and the ticket changes made with it.
    fn into_parts(self) -> (InteractionInput, Vec<i64>, InteractionChanges) {
        let changes = |set: Option<EventChangesRequest>| set.map(Into::into).unwrap_or_default();
        match self {
            InteractionRequest::Reply {
                body,
                attachments,
                set,
                seen_event_id,
                time_spent_minutes,
            } => {
                let mut changes: InteractionChanges = changes(set);
                changes.seen_event_id = seen_event_id.map(EventId);
                changes.time_spent_minutes = time_spent_minutes;
                (InteractionInput::Reply { body }, attachments, changes)
            }
            InteractionRequest::Note {
                body,
                attachments,
                set,
                time_spent_minutes,
            } => {
                let mut changes: InteractionChanges = changes(set);
                changes.time_spent_minutes = time_spent_minutes;
                (InteractionInput::Note { body }, attachments, changes)
            }
            other => (other.into(), Vec::new(), InteractionChanges::default()),
        }
    }
}

impl From<InteractionRequest> for InteractionInput {
    fn from(request: InteractionRequest) -> Self {
        match request {
            InteractionRequest::Reply { body, .. } => InteractionInput::Reply { body },
            InteractionRequest::Note { body, .. } => InteractionInput::Note { body },
            InteractionRequest::Call {
                direction,
                number,
                duration_seconds,
                body,
                visibility,
            } => InteractionInput::Call {
                direction: direction.into(),
                number,
                duration_seconds,
                body,
                visibility: visibility.map(Into::into),
            },
            InteractionRequest::WalkIn {
                location,
                body,
                visibility,
            } => InteractionInput::WalkIn {
                location,
                body,
                visibility: visibility.map(Into::into),
            },
        }
    }
}

/// What happened, by type.
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventData {
    /// The ticket was opened.
    Created {
        /// Its first subject.
        subject: String,
    },
    /// A public message.
    Reply {
        /// The message.
        body: String,
    },
    /// An internal note.
    Note {
        /// The note.
        body: String,
    },
    /// A phone call.
    Call {
        /// Who called whom.
        direction: CallDirection,
        /// The other party's number.
        number: Option<String>,
        /// Length in seconds.
        duration_seconds: i64,
        /// What was said and done.
        body: String,
    },
    /// A visit at the desk.
    WalkIn {
        /// Where.
        location: Option<String>,
        /// What was said and done.
        body: String,
    },
    /// The status changed.
    StatusChanged {
        /// Before.
        from: Status,
        /// After.
        to: Status,
    },
    /// A field changed.
    FieldChanged {
        /// The field.
        field: String,
        /// Before.
        old: Option<String>,
        /// After.
        new: Option<String>,
        /// Why (priority overrides).
        reason: Option<String>,
    },
    /// The ticket was escalated.
    Escalated {
        /// Which kind.
        kind: EscalationKind,
        /// Group before.
        from_group: Option<i64>,
        /// Group after.
        to_group: Option<i64>,
        /// Tier before.
        from_tier: i64,
        /// Tier after.
        to_tier: i64,
        /// Why.
        reason: String,
        /// Vendor case number.
        external_ref: Option<String>,
    },
    /// A link was added.
    Linked {
        /// How this ticket relates to the other.
        link: LinkKind,
        /// The other ticket.
        other: i64,
    },
    /// A new ticket was split off this one.
    SplitInto {
        /// The new ticket.
        other: i64,
    },
    /// This ticket was merged into another.
    MergedInto {
        /// The surviving ticket.
        other: i64,
    },
    /// Another ticket was merged into this one.
    MergedFrom {
        /// The merged ticket.
        other: i64,
    },
    /// An SLA target reached its warning share.
    SlaWarning {
        /// Which target.
        target: crate::sla::SlaTarget,
        /// When it is due.
        due_at: jiff::Timestamp,
    },
    /// An SLA target was breached.
    SlaBreached {
        /// Which target.
        target: crate::sla::SlaTarget,
        /// When it was due.
        due_at: jiff::Timestamp,
    },
    /// A routing rule changed the ticket.
    RuleApplied {
        /// The rule's name.
        rule: String,
        /// What it changed (`"group_id: 3"`).
        changes: Vec<String>,
    },
    /// Staff members were notified in the desk.
    Notified {
        /// Who.
        user_ids: Vec<i64>,
        /// What they were told.
        message: String,
    },
    /// A knowledge-base article solved the problem ("solved by article").
    ArticleLinked {
        /// The article.
        article_id: i64,
        /// Its title when it was linked.
        title: String,
    },
    /// Someone now follows the ticket.
    WatcherAdded {
        /// The watcher.
        user_id: i64,
    },
    /// Someone no longer follows the ticket.
    WatcherRemoved {
        /// The former watcher.
        user_id: i64,
    },
    /// An asset was linked.
    AssetLinked {
        /// The asset.
        asset_id: i64,
        /// Its label.
        label: String,
    },
    /// An asset link was removed.
    AssetUnlinked {
        /// The asset.
        asset_id: i64,
        /// Its label.
        label: String,
    },
    /// The requester rated the resolution.
    Rated {
        /// 1 to 5.
        score: i64,
        /// Their comment.
        comment: Option<String>,
    },
    /// The ticket was handed off to an outside vendor (internal).
    VendorHandoff {
        /// The vendor.
        vendor_id: i64,
        /// Its name at the hand-off.
        vendor_name: String,
        /// The case's reference (`V-10042-1`).
        reference: String,
        /// What the vendor was asked.
        message: String,
        /// When the answer is due by the vendor's promise.
        due_at: Timestamp,
    },
    /// The vendor answered a hand-off by mail (internal).
    VendorMessage {
        /// The vendor.
        vendor_id: i64,
        /// Its name.
        vendor_name: String,
        /// The case it answers.
        reference: String,
        /// What it wrote.
        body: String,
    },
}

impl From<EventKind> for EventData {
    fn from(kind: EventKind) -> Self {
        match kind {
            EventKind::Created { subject } => EventData::Created { subject },
            EventKind::Reply { body } => EventData::Reply { body },
            EventKind::Note { body } => EventData::Note { body },
            EventKind::Call {
                direction,
                number,
                duration_seconds,
                body,
            } => EventData::Call {
                direction: direction.into(),
                number,
                duration_seconds,
                body,
            },
            EventKind::WalkIn { location, body } => EventData::WalkIn { location, body },
            EventKind::StatusChanged { from, to } => EventData::StatusChanged {
                from: from.into(),
                to: to.into(),
            },
            EventKind::FieldChanged {
                field,
                old,
                new,
                reason,
            } => EventData::FieldChanged {
                field,
                old,
                new,
                reason,
            },
            EventKind::Escalated {
                kind,
                from_group,
                to_group,
                from_tier,
                to_tier,
                reason,
                external_ref,
            } => EventData::Escalated {
                kind: kind.into(),
                from_group: from_group.map(GroupId::get),
                to_group: to_group.map(GroupId::get),
                from_tier,
                to_tier,
                reason,
                external_ref,
            },
            EventKind::Linked { link, other } => EventData::Linked {
                link: link.into(),
                other: other.get(),
            },
            EventKind::SplitInto { other } => EventData::SplitInto { other: other.get() },
            EventKind::MergedInto { other } => EventData::MergedInto { other: other.get() },
            EventKind::MergedFrom { other } => EventData::MergedFrom { other: other.get() },
            EventKind::SlaWarning { target, due_at } => EventData::SlaWarning {
                target: target.into(),
                due_at,
            },
            EventKind::SlaBreached { target, due_at } => EventData::SlaBreached {
                target: target.into(),
                due_at,
            },
            EventKind::RuleApplied { rule, changes } => EventData::RuleApplied { rule, changes },
            EventKind::Notified { user_ids, message } => EventData::Notified {
                user_ids: user_ids.into_iter().map(|u| u.get()).collect(),
                message,
            },
            EventKind::ArticleLinked { article_id, title } => EventData::ArticleLinked {
                article_id: article_id.get(),
                title,
            },
            EventKind::WatcherAdded { user_id } => EventData::WatcherAdded {
                user_id: user_id.get(),
            },
            EventKind::WatcherRemoved { user_id } => EventData::WatcherRemoved {
                user_id: user_id.get(),
            },
            EventKind::AssetLinked { asset_id, label } => EventData::AssetLinked {
                asset_id: asset_id.get(),
                label,
            },
            EventKind::AssetUnlinked { asset_id, label } => EventData::AssetUnlinked {
                asset_id: asset_id.get(),
                label,
            },
            EventKind::Rated { score, comment } => EventData::Rated { score, comment },
            EventKind::VendorHandoff {
                vendor_id,
                vendor_name,
                reference,
                message,
                due_at,
            } => EventData::VendorHandoff {
                vendor_id: vendor_id.get(),
                vendor_name,
                reference,
                message,
                due_at,
            },
            EventKind::VendorMessage {
                vendor_id,
                vendor_name,
                reference,
                body,
            } => EventData::VendorMessage {
                vendor_id: vendor_id.get(),
                vendor_name,
                reference,
                body,
            },
        }
    }
}

/// One entry of a ticket's timeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventResponse {
    /// Id, increasing with time.
    pub id: i64,
    /// The ticket.
    pub ticket_id: i64,
    /// Who; absent for the desk itself.
    pub actor_id: Option<i64>,
    /// Through which channel.
    pub channel: Channel,
    /// Who may see it.
    pub visibility: Visibility,
    /// When.
    pub created_at: Timestamp,
    /// What happened.
    #[serde(flatten)]
    pub data: EventData,
    /// Files that came with it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<AttachmentResponse>,
}

pub(crate) fn event_response(event: Event) -> EventResponse {
    EventResponse {
        attachments: attachment_responses(event.ticket_id, event.id, &event.attachments),
        id: event.id.get(),
        ticket_id: event.ticket_id.get(),
        actor_id: event.actor_id.map(|a| a.get()),
        channel: event.channel.into(),
        visibility: event.visibility.into(),
        created_at: event.created_at,
        data: event.kind.into(),
    }
}

/// A part of the timeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventsResponse {
    /// Events in order; pass the last id as `after` for more.
    pub items: Vec<EventResponse>,
}

/// Which part of the timeline.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// Only events with a larger id.
    pub after: Option<i64>,
    /// At most this many, 1-1000 (default 500).
    pub limit: Option<i64>,
}

/// The ticket's timeline; customers see only public events.
#[utoipa::path(
    get,
    path = "/api/v1/tickets/{id}/events",
    tag = "events",
    params(("id" = String, Path, description = "ticket number"), EventsQuery),
    responses(
        (status = 200, description = "events in order", body = EventsResponse),
        (status = 400, description = "a query parameter is wrong", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 404, description = "no such ticket", body = ErrorBody),
    )
)]
async fn list_events(
    State(state): State<AppState>,
    auth: Authenticated,
    TicketPath(id): TicketPath,
    ApiQuery(query): ApiQuery<EventsQuery>,
) -> Result<Json<EventsResponse>, ApiError> {
    let limit = query.limit.unwrap_or(500);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::InvalidQuery(format!(
            "limit must be between 1 and 1000, not {limit}"
        )));
    }
    let page = EventPage {
        after: query.after.map(EventId),
        limit,
    };
    let events = state.app.tickets().events(&auth.actor, id, &page).await?;
    Ok(Json(EventsResponse {
        items: events.into_iter().map(event_response).collect(),
    }))
}

/// Logs a reply, internal note, call or walk-in on a ticket. Customers may only reply.
/// With an `Idempotency-Key`, a retry returns the first answer and logs nothing twice.
///
/// Staff may change the ticket with a reply or note in the same command and the same
/// transaction: `"set": {"status": "pending_customer"}` (also `priority`,
/// `priority_reason`, `assignee_id`, `version`). The changes pass the same routing,
/// assignment and escalation rules as any change; when one is refused (a status move
/// the machine does not allow: 409 `invalid_transition`; an invalid value: 422),
/// nothing is written, not the message either.
///
/// A reply may name `seen_event_id`, the newest event its writer had seen: when
/// someone else has replied publicly (or the requester has written) since, nothing is
/// sent and the answer is 409 `replied_meanwhile` carrying those replies and
/// `newest_event_id`; sending again with that id sends anyway.
#[utoipa::path(
    post,
    path = "/api/v1/tickets/{id}/events",
    tag = "events",
    params(
        ("id" = String, Path, description = "ticket number"),
        ("Idempotency-Key" = Option<String>, Header, description = "a client-chosen key that makes retries safe"),
    ),
    request_body = InteractionRequest,
    responses(
        (status = 201, description = "the new event", body = EventResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "customers may only reply, and not with `set`; or not your ticket to change", body = ErrorBody),
        (status = 404, description = "no such ticket, or an attachment cites an unknown upload", body = ErrorBody),
        (status = 409, description = "the ticket is closed, the status machine refuses the move in `set`, the ticket changed since `set.version`, someone else replied after `seen_event_id` (`replied_meanwhile`, with `replies` and `newest_event_id`), or the key was reused with another body; nothing is written", body = ErrorBody),
        (status = 413, description = "body too large", body = ErrorBody),
        (status = 415, description = "body is not JSON", body = ErrorBody),
        (status = 422, description = "unknown type or field, or an invalid value", body = ErrorBody),
    )
)]
async fn add_event(
    State(state): State<AppState>,
    auth: Authenticated,
    TicketPath(id): TicketPath,
    body: IdempotentJson<InteractionRequest>,
) -> Result<Response, ApiError> {
    let (input, upload_ids, changes) = body.value.into_parts();
    let attachments = state
        .app
        .attachments()
        .claim(&auth.actor, &upload_ids)
        .await?;
    let created_event = state
        .app
        .tickets()
        .add_interaction_changing(
            &auth.actor,
            id,
            input,
            attachments,
            changes,
            body.idempotency,
        )
        .await?;
    let is_replayed = created_event.is_replayed();
    let event = created_event.into_inner();
    let location = format!("/api/v1/tickets/{id}/events");
    Ok(created(event_response(event), &location, is_replayed))
}
