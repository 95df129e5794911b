//! `GET /api/v1/tickets/export.csv`: the tickets a filter matches as a CSV file, in
//! the columns the caller chose for the queue (the number always first) and a column
//! per custom field the caller sees, with names
//! instead of ids and times in the caller's time zone.

use super::ListTicketsQuery;
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Authenticated;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse as _, Response};
use ferrodesk_app::TicketExport;
use ferrodesk_domain::{
    Channel, Priority, QueueColumn, QueueColumns, Ticket, TicketStatus, TicketType,
};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(export_tickets))
}

/// The tickets a filter matches, as CSV (staff). Takes the filters of
/// `GET /api/v1/tickets` (`cursor` and `limit` are ignored) and writes every matching
/// ticket the caller may see, at most 50,000: a filter matching more is refused with
/// 422, never cut short. The columns are the caller's queue columns
/// (`/api/v1/me/queue-columns`) after the ticket number; values are what people read
/// (names, not ids; times as ISO 8601 in the caller's time zone).
#[utoipa::path(
    get,
    path = "/api/v1/tickets/export.csv",
    tag = "tickets",
    params(ListTicketsQuery),
    responses(
        (status = 200, description = "the tickets as CSV, with a header row", content_type = "text/csv", body = String),
        (status = 400, description = "a query parameter is wrong", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "staff only", body = ErrorBody),
        (status = 422, description = "the filter matches more than 50,000 tickets", body = ErrorBody),
    )
)]
async fn export_tickets(
    axum::extract::State(state): axum::extract::State<AppState>,
    auth: Authenticated,
    crate::custom_fields::WithCustomFilters(query, custom): crate::custom_fields::WithCustomFilters<
        ListTicketsQuery,
    >,
) -> Result<Response, ApiError> {
    let custom = crate::custom_fields::custom_filter(&state, &auth.actor, custom).await?;
    let mut query = query.into_query(auth.actor.user_id, state.app.now())?;
    query.filter.custom_value = custom;
    let columns = state.app.saved_filters().queue_columns(&auth.actor).await?;
    let export = state
        .app
        .tickets()
        .export(&auth.actor, query.filter, query.sort)
        .await?;
    let me = state
        .app
        .directory()
        .get_user(&auth.actor, auth.actor.user_id)
        .await?;
    let zone = TimeZone::get(&me.time_zone).unwrap_or(TimeZone::UTC);
    let body = write_csv(&export, &columns, &zone)
        .map_err(|e| ApiError::Internal(format!("writing the CSV: {e}")))?;
    let file_name = format!(
        "tickets-{}.csv",
        state.app.now().to_zoned(zone).strftime("%Y%m%d-%H%M")
    );
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// The columns written: the number, then the chosen ones.
fn file_columns(columns: &QueueColumns) -> Vec<QueueColumn> {
    std::iter::once(QueueColumn::Number)
        .chain(
            columns
                .columns()
                .iter()
                .copied()
                .filter(|c| *c != QueueColumn::Number),
        )
        .collect()
}

fn write_csv(
    export: &TicketExport,
    columns: &QueueColumns,
    zone: &TimeZone,
) -> Result<String, csv::Error> {
    let columns = file_columns(columns);
    let mut writer = csv::Writer::from_writer(Vec::new());
    let headings = columns
        .iter()
        .map(|c| c.label().to_owned())
        .chain(export.custom_headings.iter().cloned());
    writer.write_record(headings)?;
    let no_values = vec![String::new(); export.custom_headings.len()];
    for ticket in &export.tickets {
        let custom = export.custom_values.get(&ticket.id).unwrap_or(&no_values);
        let cells = columns
            .iter()
            .map(|c| cell(*c, ticket, export, zone))
            .chain(custom.iter().cloned());
        writer.write_record(cells)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn cell(column: QueueColumn, ticket: &Ticket, export: &TicketExport, zone: &TimeZone) -> String {
    let person = |id| {
        export
            .people
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("user {id}"))
    };
    let time = |at: Timestamp| {
        at.to_zoned(zone.clone())
            .strftime("%Y-%m-%dT%H:%M:%S%:z")
            .to_string()
    };
    match column {
        QueueColumn::Number => ticket.id.display_number(),
        QueueColumn::Subject => ticket.subject.clone(),
        QueueColumn::Requester => person(ticket.requester_id),
        QueueColumn::Status => status_label(ticket.status).to_owned(),
        QueueColumn::Priority => priority_label(ticket.priority).to_owned(),
        QueueColumn::Group => ticket
            .group_id
            .map(|id| export.groups.get(&id).cloned().unwrap_or_default())
            .unwrap_or_default(),
        QueueColumn::Assignee => ticket.assignee_id.map(person).unwrap_or_default(),
        QueueColumn::Owner => ticket.owner_id.map(person).unwrap_or_default(),
        QueueColumn::Category => ticket
            .category_id
            .map(|id| export.categories.get(&id).cloned().unwrap_or_default())
            .unwrap_or_default(),
        QueueColumn::Type => type_label(ticket.ticket_type).to_owned(),
        QueueColumn::Channel => channel_label(ticket.channel).to_owned(),
        QueueColumn::Tags => ticket.tags.join(", "),
        QueueColumn::SlaDue => export
            .sla_due
            .get(&ticket.id)
            .map(|due| time(*due))
            .unwrap_or_default(),
        QueueColumn::Created => time(ticket.created_at),
        QueueColumn::Updated => time(ticket.updated_at),
    }
}

/// The words the agent workspace uses for a status.
fn status_label(status: TicketStatus) -> &'static str {
    match status {
        TicketStatus::New => "New",
        TicketStatus::Open => "Open",
        TicketStatus::PendingCustomer => "Waiting on customer",
        TicketStatus::PendingVendor => "Waiting on vendor",
        TicketStatus::PendingScheduled => "Scheduled",
        TicketStatus::Resolved => "Resolved",
        TicketStatus::Closed => "Closed",
    }
}

fn priority_label(priority: Priority) -> &'static str {
    match priority {
        Priority::P1 => "P1 Critical",
        Priority::P2 => "P2 High",
        Priority::P3 => "P3 Medium",
        Priority::P4 => "P4 Low",
    }
}

fn type_label(ticket_type: TicketType) -> &'static str {
    match ticket_type {
        TicketType::Incident => "Incident",
        TicketType::ServiceRequest => "Service request",
        TicketType::Question => "Question",
        TicketType::Complaint => "Complaint",
        TicketType::Problem => "Problem",
    }
}

fn channel_label(channel: Channel) -> &'static str {
    match channel {
        Channel::Email => "Email",
        Channel::Portal => "Portal",
        Channel::Chat => "Chat",
        Channel::Phone => "Phone",
        Channel::WalkIn => "Walk-in",
        Channel::Agent => "Agent",
        Channel::Api => "API",
    }
}
