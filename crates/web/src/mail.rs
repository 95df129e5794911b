//! `/api/v1/mailboxes` and `/api/v1/mail/quarantine` (admins), and a ticket's mail
//! thread and outbound mail (`/api/v1/tickets/{id}/mail`, staff).
//!
//! IMAP passwords are accepted and never returned: responses say only whether one is
//! set. A quarantined message's raw bytes come from `.../raw` as `message/rfc822`.

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, Authenticated};
use crate::tickets::created;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use ferrodesk_app::mail::{IntakeOutcome, MailboxInput, MailboxStatus};
use ferrodesk_domain::{CategoryId, GroupId, TicketId};
use ferrodesk_store::mail::{
    MailboxId, Outbound, OutboxEntry, QuarantineId, QuarantinedMail, ThreadMessage,
};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_mailboxes, create_mailbox))
        .routes(routes!(get_mailbox, update_mailbox, delete_mailbox))
        .routes(routes!(list_quarantine))
        .routes(routes!(delete_quarantined))
        .routes(routes!(raw_quarantined))
        .routes(routes!(retry_quarantined))
        .routes(routes!(ticket_mail))
}

/// A mailbox: the desk's address, where its mail goes, and its IMAP account.
#[derive(Debug, Serialize, ToSchema)]
pub struct MailboxResponse {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// The desk's address.
    pub address: String,
    /// Whether `mail-gateway` files here by default (and the desk sends from it).
    pub is_default: bool,
    /// Group for new tickets.
    pub group_id: Option<i64>,
    /// Category for new tickets.
    pub category_id: Option<i64>,
    /// `allow` or `hold`.
    pub unknown_senders: String,
    /// IMAP server, when fetched over IMAP.
    pub imap_host: Option<String>,
    /// IMAP port.
    pub imap_port: Option<u16>,
    /// `tls` or `starttls`.
    pub imap_security: Option<String>,
    /// IMAP login.
    pub imap_user: Option<String>,
    /// Whether a password is stored (it is never returned).
    pub has_password: bool,
    /// Folder read.
    pub imap_folder: Option<String>,
    /// `flag`, `move` or `delete`.
    pub after_import: Option<String>,
    /// Folder for `move`.
    pub move_to: Option<String>,
    /// Whether the poller reads it.
    pub is_enabled: bool,
    /// Failures in a row.
    pub failure_count: i64,
    /// Whether it keeps failing (admins see an alert).
    pub is_alerting: bool,
    /// The last error.
    pub last_error: Option<String>,
    /// When it last failed.
    pub last_error_at: Option<Timestamp>,
    /// When it was last read without error.
    pub last_success_at: Option<Timestamp>,
    /// The highest IMAP UID stored.
    pub last_uid: u32,
}

fn mailbox_response(status: MailboxStatus) -> MailboxResponse {
    let m = status.mailbox;
    let imap = m.imap.as_ref();
    MailboxResponse {
        id: m.id.0,
        name: m.name,
        address: m.address.to_string(),
        is_default: m.is_default,
        group_id: m.group_id.map(GroupId::get),
        category_id: m.category_id.map(CategoryId::get),
        unknown_senders: if m.allows_unknown_senders {
            "allow"
        } else {
            "hold"
        }
        .to_owned(),
        imap_host: imap.map(|i| i.host.clone()),
        imap_port: imap.map(|i| i.port),
        imap_security: imap.map(|i| i.security.as_str().to_owned()),
        imap_user: imap.map(|i| i.user.clone()),
        has_password: status.has_password,
        imap_folder: imap.map(|i| i.folder.clone()),
        after_import: imap.map(|i| i.after_import.as_str().to_owned()),
        move_to: imap.and_then(|i| i.move_to.clone()),
        is_enabled: m.is_enabled,
        failure_count: m.failure_count,
        is_alerting: status.is_alerting,
        last_error: m.last_error,
        last_error_at: m.last_error_at,
        last_success_at: m.last_success_at,
        last_uid: m.last_uid,
    }
}

/// A mailbox to create or its new settings.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MailboxRequest {
    /// Name.
    pub name: String,
    /// The desk's address.
    pub address: String,
    /// Make it the default.
    #[serde(default)]
    pub is_default: bool,
    /// Group for new tickets.
    pub group_id: Option<i64>,
    /// Category for new tickets.
    pub category_id: Option<i64>,
    /// `allow` (default) or `hold`.
    pub unknown_senders: Option<String>,
    /// IMAP server; leave out for a gateway-only mailbox.
    pub imap_host: Option<String>,
    /// IMAP port (993 for TLS, 143 for STARTTLS by default).
    pub imap_port: Option<u16>,
    /// `tls` (default) or `starttls`.
    pub imap_security: Option<String>,
    /// IMAP login.
    pub imap_user: Option<String>,
    /// IMAP password; required on create, left out on update to keep it.
    pub imap_password: Option<String>,
    /// Folder (default `INBOX`).
    pub imap_folder: Option<String>,
    /// `flag` (default), `move` or `delete`.
    pub after_import: Option<String>,
    /// Folder for `move`.
    pub move_to: Option<String>,
    /// Whether the poller reads it (default true).
    pub is_enabled: Option<bool>,
}

fn mailbox_input(r: MailboxRequest) -> MailboxInput {
    MailboxInput {
        name: r.name,
        address: r.address,
        is_default: r.is_default,
        group_id: r.group_id.map(GroupId),
        category_id: r.category_id.map(CategoryId),
        unknown_senders: r.unknown_senders,
        imap_host: r.imap_host,
        imap_port: r.imap_port,
        imap_security: r.imap_security,
        imap_user: r.imap_user,
        imap_password: r.imap_password,
        imap_folder: r.imap_folder,
        after_import: r.after_import,
        move_to: r.move_to,
        is_enabled: r.is_enabled,
    }
}

/// Mailboxes.
#[derive(Debug, Serialize, ToSchema)]
pub struct MailboxesResponse {
    /// The mailboxes, by name.
    pub items: Vec<MailboxResponse>,
}

/// Lists mailboxes with their alert state (admins).
#[utoipa::path(
    get,
    path = "/api/v1/mailboxes",
    tag = "mail",
    responses(
        (status = 200, description = "the mailboxes", body = MailboxesResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
    )
)]
async fn list_mailboxes(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<MailboxesResponse>, ApiError> {
    let items = state.app.mail_admin().mailboxes(&auth.actor).await?;
    Ok(Json(MailboxesResponse {
        items: items.into_iter().map(mailbox_response).collect(),
    }))
}

/// Creates a mailbox (admins).
#[utoipa::path(
    post,
    path = "/api/v1/mailboxes",
    tag = "mail",
    request_body = MailboxRequest,
    responses(
        (status = 201, description = "the mailbox", body = MailboxResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 404, description = "no such group or category", body = ErrorBody),
        (status = 409, description = "name or address in use", body = ErrorBody),
        (status = 422, description = "invalid field", body = ErrorBody),
    )
)]
async fn create_mailbox(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(r): ApiJson<MailboxRequest>,
) -> Result<Response, ApiError> {
    let mailbox = state
        .app
        .mail_admin()
        .create_mailbox(&auth.actor, mailbox_input(r))
        .await?;
    let location = format!("/api/v1/mailboxes/{}", mailbox.mailbox.id.0);
    Ok(created(mailbox_response(mailbox), &location, false))
}

/// Reads a mailbox (admins).
#[utoipa::path(
    get,
    path = "/api/v1/mailboxes/{id}",
    tag = "mail",
    params(("id" = i64, Path, description = "mailbox id")),
    responses(
        (status = 200, description = "the mailbox", body = MailboxResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 404, description = "no such mailbox", body = ErrorBody),
    )
)]
async fn get_mailbox(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<MailboxResponse>, ApiError> {
    let mailbox = state
        .app
        .mail_admin()
        .mailbox(&auth.actor, MailboxId(id))
        .await?;
    Ok(Json(mailbox_response(mailbox)))
}

/// Replaces a mailbox's settings; a left-out password keeps the stored one (admins).
#[utoipa::path(
    put,
    path = "/api/v1/mailboxes/{id}",
    tag = "mail",
    params(("id" = i64, Path, description = "mailbox id")),
    request_body = MailboxRequest,
    responses(
        (status = 200, description = "the mailbox", body = MailboxResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 404, description = "no such mailbox, group or category", body = ErrorBody),
        (status = 409, description = "name or address in use", body = ErrorBody),
        (status = 422, description = "invalid field", body = ErrorBody),
    )
)]
async fn update_mailbox(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<MailboxRequest>,
) -> Result<Json<MailboxResponse>, ApiError> {
    let mailbox = state
        .app
        .mail_admin()
        .update_mailbox(&auth.actor, MailboxId(id), mailbox_input(r))
        .await?;
    Ok(Json(mailbox_response(mailbox)))
}

/// Deletes a mailbox; its filed mail stays on its tickets (admins).
#[utoipa::path(
    delete,
    path = "/api/v1/mailboxes/{id}",
    tag = "mail",
    params(("id" = i64, Path, description = "mailbox id")),
    responses(
        (status = 204, description = "deleted"),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 404, description = "no such mailbox", body = ErrorBody),
    )
)]
async fn delete_mailbox(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .mail_admin()
        .delete_mailbox(&auth.actor, MailboxId(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A message held in quarantine.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuarantinedResponse {
    /// Id.
    pub id: i64,
    /// The mailbox it came through.
    pub mailbox_id: Option<i64>,
    /// Stable reason code: `parse_error`, `unknown_sender`, `staff_sender`,
    /// `from_desk_address`, `unknown_bounce`, `inactive_sender`.
    pub code: String,
    /// The reason in words.
    pub reason: String,
    /// Its `From`, when readable.
    pub sender: Option<String>,
    /// Its subject, when readable.
    pub subject: Option<String>,
    /// Its Message-ID, when readable.
    pub message_id: Option<String>,
    /// Its size in bytes.
    pub size: i64,
    /// When it was held.
    pub created_at: Timestamp,
}

fn quarantined_response(q: QuarantinedMail) -> QuarantinedResponse {
    QuarantinedResponse {
        id: q.id.0,
        mailbox_id: q.mailbox_id.map(|m| m.0),
        code: q.code,
        reason: q.reason,
        sender: q.sender,
        subject: q.subject,
        message_id: q.message_id,
        size: q.size,
        created_at: q.created_at,
    }
}

/// Quarantined messages.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuarantineResponse {
    /// The newest 200, newest first.
    pub items: Vec<QuarantinedResponse>,
}

/// Lists quarantined messages, newest first (admins).
#[utoipa::path(
    get,
    path = "/api/v1/mail/quarantine",
    tag = "mail",
    responses(
        (status = 200, description = "the quarantine", body = QuarantineResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
    )
)]
async fn list_quarantine(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<QuarantineResponse>, ApiError> {
    let items = state.app.mail_admin().quarantine(&auth.actor).await?;
    Ok(Json(QuarantineResponse {
        items: items.into_iter().map(quarantined_response).collect(),
    }))
}

/// Downloads a quarantined message as it arrived (admins).
#[utoipa::path(
    get,
    path = "/api/v1/mail/quarantine/{id}/raw",
    tag = "mail",
    params(("id" = i64, Path, description = "quarantine id")),
    responses(
        (status = 200, description = "the raw message", content_type = "message/rfc822", body = Vec<u8>),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 404, description = "no such message", body = ErrorBody),
    )
)]
async fn raw_quarantined(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    let (_, raw) = state
        .app
        .mail_admin()
        .quarantined(&auth.actor, QuarantineId(id))
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "message/rfc822".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"quarantine-{id}.eml\""),
            ),
        ],
        raw,
    )
        .into_response())
}

/// What a retry did.
#[derive(Debug, Serialize, ToSchema)]
pub struct RetryResponse {
    /// `filed`, `duplicate` or `quarantined`.
    pub outcome: String,
    /// The ticket it is on, when filed or a duplicate.
    pub ticket_id: Option<i64>,
    /// The new quarantine entry, when held again.
    pub quarantine_id: Option<i64>,
    /// Why it was held again.
    pub reason: Option<String>,
}

/// Files a quarantined message again, accepting an unknown sender (admins).
#[utoipa::path(
    post,
    path = "/api/v1/mail/quarantine/{id}/retry",
    tag = "mail",
    params(("id" = i64, Path, description = "quarantine id")),
    responses(
        (status = 200, description = "what happened", body = RetryResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 404, description = "no such message", body = ErrorBody),
    )
)]
async fn retry_quarantined(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<RetryResponse>, ApiError> {
    let outcome = state
        .app
        .mail_admin()
        .retry(&auth.actor, QuarantineId(id))
        .await?;
    Ok(Json(match outcome {
        IntakeOutcome::Filed { ticket, .. } => RetryResponse {
            outcome: "filed".into(),
            ticket_id: Some(ticket.get()),
            quarantine_id: None,
            reason: None,
        },
        IntakeOutcome::Duplicate { ticket } => RetryResponse {
            outcome: "duplicate".into(),
            ticket_id: Some(ticket.get()),
            quarantine_id: None,
            reason: None,
        },
        IntakeOutcome::Quarantined { id, reason, .. } => RetryResponse {
            outcome: "quarantined".into(),
            ticket_id: None,
            quarantine_id: Some(id.0),
            reason: Some(reason),
        },
    }))
}

/// Deletes a quarantined message (admins).
#[utoipa::path(
    delete,
    path = "/api/v1/mail/quarantine/{id}",
    tag = "mail",
    params(("id" = i64, Path, description = "quarantine id")),
    responses(
        (status = 204, description = "deleted"),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 404, description = "no such message", body = ErrorBody),
    )
)]
async fn delete_quarantined(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .mail_admin()
        .delete_quarantined(&auth.actor, QuarantineId(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One message of a ticket's mail thread.
#[derive(Debug, Serialize, ToSchema)]
pub struct ThreadMessageResponse {
    /// Message-ID, without brackets.
    pub message_id: String,
    /// `in` or `out`.
    pub direction: String,
    /// The timeline event it belongs to.
    pub event_id: Option<i64>,
    /// Author (in) or recipients (out).
    pub sender: String,
    /// Subject (in).
    pub subject: String,
    /// Sanitized HTML (in), safe to show.
    pub html_body: Option<String>,
    /// Full plain text with quoted history (in).
    pub full_text: Option<String>,
    /// Stored.
    pub created_at: Timestamp,
}

/// One outbound message and its delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboundResponse {
    /// The event it announces.
    pub event_id: i64,
    /// `pending`, `sent`, `skipped` or `failed`.
    pub state: String,
    /// Attempts made.
    pub attempts: i64,
    /// Next attempt.
    pub next_attempt_at: Timestamp,
    /// Its Message-ID once rendered.
    pub message_id: Option<String>,
    /// Sender and recipients once rendered.
    pub recipients: Option<String>,
    /// The last error, or why it was skipped.
    pub last_error: Option<String>,
    /// When it went out.
    pub sent_at: Option<Timestamp>,
}

/// A ticket's mail.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketMailResponse {
    /// Messages in and out, oldest first.
    pub thread: Vec<ThreadMessageResponse>,
    /// Notifications and their delivery.
    pub outbox: Vec<OutboundResponse>,
}

fn thread_response(m: ThreadMessage) -> ThreadMessageResponse {
    ThreadMessageResponse {
        message_id: m.message_id,
        direction: if m.is_inbound { "in" } else { "out" }.to_owned(),
        event_id: m.event_id.map(|e| e.get()),
        sender: m.sender,
        subject: m.subject,
        html_body: m.html_body,
        full_text: m.full_text,
        created_at: m.created_at,
    }
}

/// A row of the ticket's mail to its requester (`None` for mail to staff, which is
/// not part of the ticket's conversation).
fn outbound_response(e: OutboxEntry) -> Option<OutboundResponse> {
    let Outbound::Event { event_id, .. } = e.about else {
        return None;
    };
    Some(OutboundResponse {
        event_id: event_id.get(),
        state: e.state,
        attempts: e.attempts,
        next_attempt_at: e.next_attempt_at,
        message_id: e.message_id,
        recipients: e.recipients,
        last_error: e.last_error,
        sent_at: e.sent_at,
    })
}

/// A ticket's mail thread and outbound mail (staff who may see the ticket).
#[utoipa::path(
    get,
    path = "/api/v1/tickets/{id}/mail",
    tag = "mail",
    params(("id" = i64, Path, description = "ticket number")),
    responses(
        (status = 200, description = "the ticket's mail", body = TicketMailResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "staff only", body = ErrorBody),
        (status = 404, description = "no such ticket", body = ErrorBody),
    )
)]
async fn ticket_mail(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<TicketMailResponse>, ApiError> {
    let admin = state.app.mail_admin();
    let thread = admin.thread(&auth.actor, TicketId(id)).await?;
    let outbox = admin.outbox(&auth.actor, TicketId(id)).await?;
    Ok(Json(TicketMailResponse {
        thread: thread.into_iter().map(thread_response).collect(),
        outbox: outbox.into_iter().filter_map(outbound_response).collect(),
    }))
}
