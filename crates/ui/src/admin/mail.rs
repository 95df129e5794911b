//! `/admin/mailboxes` and `/admin/quarantine`: the admin screens of the email channel.
//! Mailboxes (address, group and default category for new tickets, unknown-sender
//! policy, IMAP account; the password goes in and is never shown back), the alert of a
//! mailbox that keeps failing (a banner on every admin page, loaded by htmx from
//! `/admin/mail/alerts`), the quarantine (reason, raw download, retry, delete), and
//! the outgoing mail by delivery state (a failed message can be sent again).
//!
//! Admins only; the mail service checks that again on every call.

use super::{DoneQuery, path_id};
use crate::UiState;
use crate::chrome::Chrome;
use crate::error::{PageError, PageResult, render};
use crate::form::{FieldErrors, Form, FormData};
use crate::session::{Admin, Staff, Viewer};
use crate::view::{Choice, Names, Times, When, category_choices, group_choices};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use ferrodesk_app::mail::{IntakeOutcome, MailboxInput, MailboxStatus};
use ferrodesk_domain::{CategoryId, GroupId, TicketId};
use ferrodesk_store::mail::{MailboxId, Outbound, OutboxId, QuarantineId};
use serde::Deserialize;

/// Routes under `/agent`: a ticket's outgoing mail panel.
pub(crate) fn agent_routes() -> Router<UiState> {
    Router::new().route("/tickets/{id}/mail", get(ticket_mail))
}

/// Routes under `/admin`.
pub(crate) fn routes() -> Router<UiState> {
    Router::new()
        .route("/mailboxes", get(mailboxes))
        .route("/mailboxes/new", get(new_mailbox_page).post(create_mailbox))
        .route(
            "/mailboxes/{id}",
            get(edit_mailbox_page).post(update_mailbox),
        )
        .route("/mailboxes/{id}/delete", post(delete_mailbox))
        .route("/mail/alerts", get(alerts))
        .route("/quarantine", get(quarantine))
        .route("/quarantine/{id}/raw", get(raw))
        .route("/quarantine/{id}/retry", post(retry))
        .route("/quarantine/{id}/delete", post(delete_quarantined))
        .route("/outbox", get(outbox))
        .route("/outbox/{id}/retry", post(resend))
}

// --- mailboxes --------------------------------------------------------------------

/// A mailbox row of the list.
#[derive(Debug, Clone)]
struct MailboxRow {
    id: i64,
    name: String,
    address: String,
    is_default: bool,
    group: String,
    category: String,
    unknown_senders: &'static str,
    imap: String,
    is_enabled: bool,
    is_alerting: bool,
    failure_count: i64,
    last_error: String,
    last_success: Option<When>,
}

#[derive(Template)]
#[template(path = "admin/mailboxes.html")]
struct MailboxesPage {
    chrome: Chrome,
    rows: Vec<MailboxRow>,
}

fn row(status: &MailboxStatus, names: &Names, times: &Times) -> MailboxRow {
    let m = &status.mailbox;
    MailboxRow {
        id: m.id.0,
        name: m.name.clone(),
        address: m.address.to_string(),
        is_default: m.is_default,
        group: names.group_or(m.group_id, "Routing rules"),
        category: m
            .category_id
            .and_then(|id| {
                names
                    .categories()
                    .into_iter()
                    .find(|(c, _)| *c == id.get())
                    .map(|(_, path)| path)
            })
            .unwrap_or_else(|| "None".to_owned()),
        unknown_senders: if m.allows_unknown_senders {
            "Become customers"
        } else {
            "Held for review"
        },
        imap: m.imap.as_ref().map_or_else(
            || "Pipe only (mail-gateway)".to_owned(),
            |i| {
                format!(
                    "{}@{}:{} ({}, {})",
                    i.user,
                    i.host,
                    i.port,
                    i.security.as_str().to_uppercase(),
                    i.folder
                )
            },
        ),
        is_enabled: m.is_enabled,
        is_alerting: status.is_alerting,
        failure_count: m.failure_count,
        last_error: m.last_error.clone().unwrap_or_default(),
        last_success: m.last_success_at.map(|at| times.at(at)),
    }
}

async fn mailboxes(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Query(query): Query<DoneQuery>,
) -> PageResult {
    let statuses = state.app.mail_admin().mailboxes(&viewer.actor).await?;
    let names = Names::load(&state, &viewer.actor).await?;
    let times = Times::new(&viewer.user, state.app.now());
    let rows: Vec<MailboxRow> = statuses.iter().map(|s| row(s, &names, &times)).collect();
    let page = MailboxesPage {
        chrome: Chrome::new(&viewer, "admin", "Mailboxes")
            .nav("mailboxes")
            .notice(query.done.as_deref()),
        rows,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "admin/mail_alerts.html")]
struct AlertsFragment {
    alerting: Vec<(i64, String, String)>,
}

/// The banner of failing mailboxes (empty when none fails), for every admin page.
async fn alerts(State(state): State<UiState>, Admin(viewer): Admin) -> PageResult {
    let statuses = state.app.mail_admin().mailboxes(&viewer.actor).await?;
    let alerting = statuses
        .into_iter()
        .filter(|s| s.is_alerting)
        .map(|s| {
            (
                s.mailbox.id.0,
                s.mailbox.name,
                s.mailbox.last_error.unwrap_or_default(),
            )
        })
        .collect();
    Ok(render(StatusCode::OK, &AlertsFragment { alerting }))
}

/// The values the mailbox form shows (never the password).
#[derive(Debug, Clone, Default)]
struct MailboxValues {
    name: String,
    address: String,
    is_default: bool,
    group_id: String,
    category_id: String,
    unknown_senders: String,
    imap_host: String,
    imap_port: String,
    imap_security: String,
    imap_user: String,
    imap_folder: String,
    after_import: String,
    move_to: String,
    is_enabled: bool,
}

impl MailboxValues {
    fn from_status(status: &MailboxStatus) -> MailboxValues {
        let m = &status.mailbox;
        let imap = m.imap.as_ref();
        MailboxValues {
            name: m.name.clone(),
            address: m.address.to_string(),
            is_default: m.is_default,
            group_id: m.group_id.map(|g| g.to_string()).unwrap_or_default(),
            category_id: m.category_id.map(|c| c.to_string()).unwrap_or_default(),
            unknown_senders: if m.allows_unknown_senders {
                "allow"
            } else {
                "hold"
            }
            .to_owned(),
            imap_host: imap.map(|i| i.host.clone()).unwrap_or_default(),
            imap_port: imap.map(|i| i.port.to_string()).unwrap_or_default(),
            imap_security: imap.map_or("tls", |i| i.security.as_str()).to_owned(),
            imap_user: imap.map(|i| i.user.clone()).unwrap_or_default(),
            imap_folder: imap.map_or_else(|| "INBOX".to_owned(), |i| i.folder.clone()),
            after_import: imap.map_or("flag", |i| i.after_import.as_str()).to_owned(),
            move_to: imap.and_then(|i| i.move_to.clone()).unwrap_or_default(),
            is_enabled: m.is_enabled,
        }
    }

    fn from_form(form: &FormData) -> MailboxValues {
        let text = |name: &str| form.get(name).to_owned();
        MailboxValues {
            name: text("name"),
            address: text("address"),
            is_default: form.checked("is_default"),
            group_id: text("group_id"),
            category_id: text("category_id"),
            unknown_senders: text("unknown_senders"),
            imap_host: text("imap_host"),
            imap_port: text("imap_port"),
            imap_security: text("imap_security"),
            imap_user: text("imap_user"),
            imap_folder: text("imap_folder"),
            after_import: text("after_import"),
            move_to: text("move_to"),
            is_enabled: form.checked("is_enabled"),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/mailbox_form.html")]
struct MailboxFormPage {
    chrome: Chrome,
    /// `None` for a new mailbox.
    id: Option<i64>,
    values: MailboxValues,
    has_password: bool,
    group_options: Vec<Choice>,
    category_options: Vec<Choice>,
    unknown_options: Vec<Choice>,
    security_options: Vec<Choice>,
    after_import_options: Vec<Choice>,
    status: Option<MailboxRow>,
    errors: FieldErrors,
}

fn fixed_choices(options: &[(&str, &str)], current: &str) -> Vec<Choice> {
    options
        .iter()
        .map(|(value, label)| Choice::new(value, *label, *value == current))
        .collect()
}

async fn mailbox_form(
    state: &UiState,
    viewer: &Viewer,
    id: Option<i64>,
    values: MailboxValues,
    current: Option<&MailboxStatus>,
    errors: FieldErrors,
) -> PageResult<MailboxFormPage> {
    let names = Names::load(state, &viewer.actor).await?;
    let times = Times::new(&viewer.user, state.app.now());
    let title = if id.is_some() {
        values.name.clone()
    } else {
        "New mailbox".to_owned()
    };
    Ok(MailboxFormPage {
        chrome: Chrome::new(viewer, "admin", title).nav("mailboxes"),
        id,
        has_password: current.is_some_and(|s| s.has_password),
        group_options: group_choices(&names, &values.group_id, "By the routing rules"),
        category_options: category_choices(&names, &values.category_id, "None"),
        unknown_options: fixed_choices(
            &[
                ("allow", "Become customers"),
                ("hold", "Are held in the quarantine for review"),
            ],
            &values.unknown_senders,
        ),
        security_options: fixed_choices(
            &[
                ("tls", "TLS (port 993)"),
                ("starttls", "STARTTLS (port 143)"),
            ],
            &values.imap_security,
        ),
        after_import_options: fixed_choices(
            &[
                ("flag", "Mark as read and flag it"),
                ("move", "Move it to a folder"),
                ("delete", "Delete it"),
            ],
            &values.after_import,
        ),
        status: current.map(|s| row(s, &names, &times)),
        values,
        errors,
    })
}

const MAILBOX_FIELDS: &[(&str, &str)] = &[
    ("name", "name"),
    ("address", "address"),
    ("email", "address"),
    ("group", "group_id"),
    ("category", "category_id"),
    ("unknown_senders", "unknown_senders"),
    ("imap_host", "imap_host"),
    ("imap_port", "imap_port"),
    ("imap_security", "imap_security"),
    ("imap_user", "imap_user"),
    ("imap_password", "imap_password"),
    ("imap_folder", "imap_folder"),
    ("after_import", "after_import"),
    ("move_to", "move_to"),
];

/// Reads the form into the service's input; format errors go next to their fields.
fn mailbox_input(form: &FormData, errors: &mut FieldErrors) -> MailboxInput {
    let id_of = |field: &str, errors: &mut FieldErrors| -> Option<i64> {
        let text = form.opt(field)?;
        match text.trim().parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.add(field, "choose from the list");
                None
            }
        }
    };
    let group_id = id_of("group_id", errors).map(GroupId);
    let category_id = id_of("category_id", errors).map(CategoryId);
    let imap_port = match form.opt("imap_port") {
        None => None,
        Some(text) => match text.trim().parse::<u16>() {
            Ok(port) => Some(port),
            Err(_) => {
                errors.add("imap_port", "must be a port number between 1 and 65535");
                None
            }
        },
    };
    let optional = |name: &str| form.opt(name).map(str::to_owned);
    MailboxInput {
        name: form.get("name").to_owned(),
        address: form.get("address").trim().to_owned(),
        is_default: form.checked("is_default"),
        group_id,
        category_id,
        unknown_senders: optional("unknown_senders"),
        imap_host: optional("imap_host"),
        imap_port,
        imap_security: optional("imap_security"),
        imap_user: optional("imap_user"),
        imap_password: optional("imap_password"),
        imap_folder: optional("imap_folder"),
        after_import: optional("after_import"),
        move_to: optional("move_to"),
        is_enabled: Some(form.checked("is_enabled")),
    }
}

async fn new_mailbox_page(State(state): State<UiState>, Admin(viewer): Admin) -> PageResult {
    let values = MailboxValues {
        unknown_senders: "allow".into(),
        imap_security: "tls".into(),
        imap_folder: "INBOX".into(),
        after_import: "flag".into(),
        is_enabled: true,
        ..MailboxValues::default()
    };
    let page = mailbox_form(&state, &viewer, None, values, None, FieldErrors::new()).await?;
    Ok(render(StatusCode::OK, &page))
}

async fn create_mailbox(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Form(form): Form,
) -> PageResult {
    let mut errors = FieldErrors::new();
    let input = mailbox_input(&form, &mut errors);
    if errors.is_empty() {
        match state
            .app
            .mail_admin()
            .create_mailbox(&viewer.actor, input)
            .await
        {
            Ok(_) => return Ok(Redirect::to("/admin/mailboxes?done=saved").into_response()),
            Err(error) => errors.absorb(error, MAILBOX_FIELDS, "name")?,
        }
    }
    let values = MailboxValues::from_form(&form);
    let page = mailbox_form(&state, &viewer, None, values, None, errors).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

async fn edit_mailbox_page(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
) -> PageResult {
    let id = path_id(&raw)?;
    let status = state
        .app
        .mail_admin()
        .mailbox(&viewer.actor, MailboxId(id))
        .await?;
    let values = MailboxValues::from_status(&status);
    let page = mailbox_form(
        &state,
        &viewer,
        Some(id),
        values,
        Some(&status),
        FieldErrors::new(),
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

async fn update_mailbox(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    let id = path_id(&raw)?;
    let admin = state.app.mail_admin();
    let status = admin.mailbox(&viewer.actor, MailboxId(id)).await?;
    let mut errors = FieldErrors::new();
    let input = mailbox_input(&form, &mut errors);
    if errors.is_empty() {
        match admin
            .update_mailbox(&viewer.actor, MailboxId(id), input)
            .await
        {
            Ok(_) => return Ok(Redirect::to("/admin/mailboxes?done=saved").into_response()),
            Err(error) => errors.absorb(error, MAILBOX_FIELDS, "name")?,
        }
    }
    let values = MailboxValues::from_form(&form);
    let page = mailbox_form(&state, &viewer, Some(id), values, Some(&status), errors).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

async fn delete_mailbox(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
    Form(_form): Form,
) -> PageResult {
    let id = path_id(&raw)?;
    state
        .app
        .mail_admin()
        .delete_mailbox(&viewer.actor, MailboxId(id))
        .await?;
    Ok(Redirect::to("/admin/mailboxes?done=mail_deleted").into_response())
}

// --- quarantine -------------------------------------------------------------------

#[derive(Debug, Clone)]
struct QuarantineRow {
    id: i64,
    code: String,
    reason: String,
    sender: String,
    subject: String,
    mailbox: String,
    size: String,
    held: When,
}

#[derive(Template)]
#[template(path = "admin/quarantine.html")]
struct QuarantinePage {
    chrome: Chrome,
    rows: Vec<QuarantineRow>,
    filed_ticket: Option<(i64, String)>,
}

#[derive(Debug, Default, Deserialize)]
struct QuarantineQuery {
    done: Option<String>,
    ticket: Option<i64>,
}

async fn quarantine(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Query(query): Query<QuarantineQuery>,
) -> PageResult {
    let admin = state.app.mail_admin();
    let held = admin.quarantine(&viewer.actor).await?;
    let mailboxes = admin.mailboxes(&viewer.actor).await?;
    let times = Times::new(&viewer.user, state.app.now());
    let rows = held
        .into_iter()
        .map(|q| QuarantineRow {
            id: q.id.0,
            mailbox: q
                .mailbox_id
                .and_then(|id| mailboxes.iter().find(|m| m.mailbox.id == id))
                .map(|m| m.mailbox.name.clone())
                .unwrap_or_else(|| "—".to_owned()),
            code: q.code,
            reason: q.reason,
            sender: q.sender.unwrap_or_else(|| "(unreadable)".to_owned()),
            subject: q.subject.unwrap_or_default(),
            size: if q.size < 1024 {
                format!("{} B", q.size)
            } else {
                format!("{} KB", (q.size + 1023) / 1024)
            },
            held: times.at(q.created_at),
        })
        .collect();
    let filed_ticket = query
        .ticket
        .filter(|_| query.done.as_deref() == Some("mail_filed"))
        .map(|id| (id, ferrodesk_domain::TicketId(id).display_number()));
    let page = QuarantinePage {
        chrome: Chrome::new(&viewer, "admin", "Quarantine")
            .nav("quarantine")
            .notice(query.done.as_deref()),
        rows,
        filed_ticket,
    };
    Ok(render(StatusCode::OK, &page))
}

async fn raw(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
) -> PageResult {
    let id = path_id(&raw)?;
    let (_, bytes) = state
        .app
        .mail_admin()
        .quarantined(&viewer.actor, QuarantineId(id))
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "message/rfc822".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"quarantined-{id}.eml\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

async fn retry(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
    Form(_form): Form,
) -> PageResult {
    let id = path_id(&raw)?;
    let outcome = state
        .app
        .mail_admin()
        .retry(&viewer.actor, QuarantineId(id))
        .await?;
    let to = match outcome {
        IntakeOutcome::Filed { ticket, .. } | IntakeOutcome::Duplicate { ticket } => {
            format!("/admin/quarantine?done=mail_filed&ticket={}", ticket.get())
        }
        IntakeOutcome::Quarantined { .. } => "/admin/quarantine?done=mail_held".to_owned(),
    };
    Ok(Redirect::to(&to).into_response())
}

async fn delete_quarantined(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
    Form(_form): Form,
) -> PageResult {
    let id = path_id(&raw)?;
    state
        .app
        .mail_admin()
        .delete_quarantined(&viewer.actor, QuarantineId(id))
        .await?;
    Ok(Redirect::to("/admin/quarantine?done=mail_deleted").into_response())
}

// --- outgoing mail ----------------------------------------------------------------

#[derive(Debug, Clone)]
struct OutboxRow {
    id: i64,
    /// The ticket it is about (none for a digest).
    ticket_id: Option<i64>,
    ticket: String,
    /// What the mail is: its kind and the ticket's subject.
    what: String,
    subject: String,
    /// `None` until the mail is rendered, just before it is sent.
    recipients: Option<String>,
    attempts: i64,
    last_error: String,
    when: When,
    /// The next attempt is already due (a waiting message whose time has come).
    is_due: bool,
    is_failed: bool,
}

#[derive(Template)]
#[template(path = "admin/outbox.html")]
struct OutboxPage {
    chrome: Chrome,
    state: String,
    tabs: Vec<Choice>,
    rows: Vec<OutboxRow>,
    /// No SMTP server is configured: nothing leaves the outbox.
    is_smtp_missing: bool,
}

#[derive(Debug, Default, Deserialize)]
struct OutboxQuery {
    state: Option<String>,
    done: Option<String>,
}

const OUTBOX_TABS: &[(&str, &str)] = &[
    ("failed", "Failed"),
    ("pending", "Waiting"),
    ("sent", "Sent"),
    ("skipped", "Not sent"),
];

async fn outbox(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Query(query): Query<OutboxQuery>,
) -> PageResult {
    let mail = state.app.mail_admin();
    let (shown, entries) = match query.state {
        Some(shown) => {
            if !OUTBOX_TABS.iter().any(|(value, _)| *value == shown) {
                return Err(PageError::NotFound);
            }
            let entries = mail.outbox_in_state(&viewer.actor, &shown).await?;
            (shown, entries)
        }
        // Open on what needs attention: failed messages, else those still waiting.
        None => {
            let failed = mail.outbox_in_state(&viewer.actor, "failed").await?;
            if failed.is_empty() {
                let pending = mail.outbox_in_state(&viewer.actor, "pending").await?;
                ("pending".to_owned(), pending)
            } else {
                ("failed".to_owned(), failed)
            }
        }
    };
    let now = state.app.now();
    let times = Times::new(&viewer.user, now);
    let rows = entries
        .into_iter()
        .map(|e| OutboxRow {
            id: e.id.0,
            ticket_id: e.about.ticket_id().map(TicketId::get),
            ticket: e
                .about
                .ticket_id()
                .map(|t| t.display_number())
                .unwrap_or_default(),
            what: outbox_what(&e.about, e.topic.as_deref()),
            subject: e.ticket_subject.unwrap_or_default(),
            // Stored as "sender, recipient, ...": the people are after the sender.
            recipients: e
                .recipients
                .as_deref()
                .and_then(|r| r.split_once(", ").map(|(_, to)| to.to_owned())),
            attempts: e.attempts,
            last_error: e.last_error.unwrap_or_default(),
            when: match e.sent_at {
                Some(sent) => times.at(sent),
                None => due_in(&times, e.next_attempt_at, now),
            },
            is_due: e.state == "pending" && e.next_attempt_at <= now,
            is_failed: e.state == "failed",
        })
        .collect();
    let page = OutboxPage {
        chrome: Chrome::new(&viewer, "admin", "Outgoing mail")
            .nav("outbox")
            .notice(query.done.as_deref()),
        tabs: fixed_choices(OUTBOX_TABS, &shown),
        state: shown,
        rows,
        is_smtp_missing: !state.config.is_smtp_configured,
    };
    Ok(render(StatusCode::OK, &page))
}

/// When the next attempt is, from now: "in 4 min" ahead, the usual relative
/// words behind.
fn due_in(times: &Times, at: jiff::Timestamp, now: jiff::Timestamp) -> When {
    let mut when = times.at(at);
    let minutes = (at.as_second() - now.as_second()) / 60;
    if minutes >= 1 {
        when.relative = if minutes < 120 {
            format!("in {minutes} min")
        } else {
            format!("in {} h", minutes / 60)
        };
    }
    when
}

/// What an outbox message is, in words: whom it tells what.
fn outbox_what(about: &Outbound, topic: Option<&str>) -> String {
    match about {
        Outbound::Event { .. } => match topic {
            Some("created") => "Receipt to the requester",
            Some("reply") => "Reply to the requester",
            Some("status_changed") => "Status change, to the requester",
            Some("vendor_handoff") => "Hand-off to the vendor",
            _ => "Mail to the requester",
        }
        .to_owned(),
        Outbound::Notification { .. } => {
            match topic.and_then(|t| ferrodesk_domain::NotificationKind::parse(t).ok()) {
                Some(kind) => format!(
                    "Notification to staff: {}",
                    crate::desk::notification_kind_label(kind).to_lowercase()
                ),
                None => "Notification to staff".to_owned(),
            }
        }
        Outbound::Digest { .. } => "Digest of notifications".to_owned(),
    }
}

async fn resend(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
    Form(_form): Form,
) -> PageResult {
    let id = path_id(&raw)?;
    state
        .app
        .mail_admin()
        .resend(&viewer.actor, OutboxId(id))
        .await?;
    Ok(Redirect::to("/admin/outbox?done=mail_queued").into_response())
}

// --- a ticket's mail panel (staff) ------------------------------------------------

#[derive(Template)]
#[template(path = "agent/mail_panel_body.html")]
struct MailPanel {
    rows: Vec<TicketMailRow>,
}

#[derive(Debug, Clone)]
struct TicketMailRow {
    state: String,
    recipients: String,
    last_error: String,
    when: When,
}

/// The delivery state of a ticket's notifications, for the side panel.
async fn ticket_mail(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
) -> PageResult {
    let id = ferrodesk_domain::TicketId(path_id(raw.trim_start_matches('#'))?);
    let entries = state.app.mail_admin().outbox(&viewer.actor, id).await?;
    let times = Times::new(&viewer.user, state.app.now());
    let rows = entries
        .into_iter()
        .rev()
        .map(|e| TicketMailRow {
            recipients: e
                .recipients
                .as_deref()
                .and_then(|r| r.split_once(", ").map(|(_, to)| to.to_owned()))
                .unwrap_or_default(),
            last_error: if e.state == "sent" {
                String::new()
            } else {
                e.last_error.unwrap_or_default()
            },
            when: times.at(e.sent_at.unwrap_or(e.next_attempt_at)),
            state: e.state,
        })
        .collect();
    Ok(render(StatusCode::OK, &MailPanel { rows }))
}
