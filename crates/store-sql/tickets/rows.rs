//! How tickets and events are stored: the ticket columns in bind order, the row
//! conversions, and the macros the other ticket modules build their statements with
//! (this module is declared first so that they see them).

use crate::DbRow;
use crate::sql::convert::{
    from_json, get, get_opt_time, get_time, json, micros, opt_micros, stored,
};
use crate::sql::error::Ref;
use ferrodesk_domain::{
    CategoryId, Channel, Event, EventId, EventKind, GroupId, Impact, NewEvent, OrganizationId,
    Priority, ServiceId, Ticket, TicketId, TicketStatus, TicketType, Tier, Urgency, UserId,
    Visibility,
};
use ferrodesk_store::StoreResult;
use std::sync::{Arc, LazyLock};

/// The stored columns a ticket's fields are written to, in bind order.
pub(crate) const DATA_COLUMNS: [&str; 31] = [
    "subject",
    "subject_search",
    "description",
    "ticket_type",
    "status",
    "is_open",
    "impact",
    "urgency",
    "priority",
    "priority_rank",
    "priority_reason",
    "category_id",
    "service_id",
    "location",
    "device",
    "requester_id",
    "organization_id",
    "channel",
    "group_id",
    "tier",
    "owner_id",
    "assignee_id",
    "tags",
    "escalation_level",
    "external_ref",
    "merged_into",
    "created_at",
    "updated_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
];

/// A ticket's fields as bound to [`DATA_COLUMNS`].
pub(crate) struct TicketValues {
    pub(crate) subject: String,
    pub(crate) subject_search: String,
    pub(crate) description: String,
    pub(crate) ticket_type: &'static str,
    pub(crate) status: &'static str,
    pub(crate) is_open: bool,
    pub(crate) impact: &'static str,
    pub(crate) urgency: &'static str,
    pub(crate) priority: &'static str,
    pub(crate) priority_rank: i64,
    pub(crate) priority_reason: Option<String>,
    pub(crate) category_id: Option<i64>,
    pub(crate) service_id: Option<i64>,
    pub(crate) location: Option<String>,
    pub(crate) device: Option<String>,
    pub(crate) requester_id: i64,
    pub(crate) organization_id: Option<i64>,
    pub(crate) channel: &'static str,
    pub(crate) group_id: Option<i64>,
    pub(crate) tier: i64,
    pub(crate) owner_id: Option<i64>,
    pub(crate) assignee_id: Option<i64>,
    pub(crate) tags: String,
    pub(crate) escalation_level: i64,
    pub(crate) external_ref: Option<String>,
    pub(crate) merged_into: Option<i64>,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
    pub(crate) first_response_at: Option<i64>,
    pub(crate) resolved_at: Option<i64>,
    pub(crate) closed_at: Option<i64>,
}

impl TicketValues {
    pub(crate) fn of(t: &Ticket) -> StoreResult<TicketValues> {
        Ok(TicketValues {
            subject: t.subject.clone(),
            subject_search: t.subject.to_lowercase(),
            description: t.description.clone(),
            ticket_type: t.ticket_type.as_str(),
            status: t.status.as_str(),
            is_open: t.status.is_open(),
            impact: t.impact.as_str(),
            urgency: t.urgency.as_str(),
            priority: t.priority.as_str(),
            priority_rank: t.priority.rank(),
            priority_reason: t.priority_reason.clone(),
            category_id: t.category_id.map(CategoryId::get),
            service_id: t.service_id.map(ServiceId::get),
            location: t.location.clone(),
            device: t.device.clone(),
            requester_id: t.requester_id.get(),
            organization_id: t.organization_id.map(OrganizationId::get),
            channel: t.channel.as_str(),
            group_id: t.group_id.map(GroupId::get),
            tier: t.tier.get(),
            owner_id: t.owner_id.map(UserId::get),
            assignee_id: t.assignee_id.map(UserId::get),
            tags: json(&t.tags)?,
            escalation_level: t.escalation_level,
            external_ref: t.external_ref.clone(),
            merged_into: t.merged_into.map(TicketId::get),
            created_at: micros(t.created_at),
            updated_at: micros(t.updated_at),
            first_response_at: opt_micros(t.first_response_at),
            resolved_at: opt_micros(t.resolved_at),
            closed_at: opt_micros(t.closed_at),
        })
    }
}

/// Binds every [`TicketValues`] field in [`DATA_COLUMNS`] order, with `$method` being
/// `bind` (a query) or `push_bind` (a multi-row insert).
macro_rules! bind_ticket_values {
    ($target:expr, $method:ident, $v:expr) => {{
        let v = $v;
        $target
            .$method(v.subject)
            .$method(v.subject_search)
            .$method(v.description)
            .$method(v.ticket_type)
            .$method(v.status)
            .$method(v.is_open)
            .$method(v.impact)
            .$method(v.urgency)
            .$method(v.priority)
            .$method(v.priority_rank)
            .$method(v.priority_reason)
            .$method(v.category_id)
            .$method(v.service_id)
            .$method(v.location)
            .$method(v.device)
            .$method(v.requester_id)
            .$method(v.organization_id)
            .$method(v.channel)
            .$method(v.group_id)
            .$method(v.tier)
            .$method(v.owner_id)
            .$method(v.assignee_id)
            .$method(v.tags)
            .$method(v.escalation_level)
            .$method(v.external_ref)
            .$method(v.merged_into)
            .$method(v.created_at)
            .$method(v.updated_at)
            .$method(v.first_response_at)
            .$method(v.resolved_at)
            .$method(v.closed_at)
    }};
}

pub(crate) static INSERT_TICKET: LazyLock<Arc<str>> = LazyLock::new(|| {
    let placeholders: Vec<String> = (1..=DATA_COLUMNS.len()).map(|i| format!("${i}")).collect();
    format!(
        "insert into tickets (version, {}) values (1, {}) returning id",
        DATA_COLUMNS.join(", "),
        placeholders.join(", ")
    )
    .into()
});

/// Adds `column = value` to `sets` for every field that differs between two
/// [`TicketValues`] (fields are named as their columns).
macro_rules! push_changed_values {
    ($sets:expr, $before:expr, $after:expr, $($field:ident),+ $(,)?) => {
        $(
            if $before.$field != $after.$field {
                $sets.push(concat!(stringify!($field), " = "));
                $sets.push_bind_unseparated($after.$field);
            }
        )+
    };
}

macro_rules! ticket_fields {
    () => {
        concat!(
            "id, version, subject, description, ticket_type, status, impact, urgency, ",
            "priority, priority_reason, category_id, service_id, location, device, ",
            "requester_id, organization_id, channel, group_id, tier, owner_id, assignee_id, ",
            "tags, escalation_level, external_ref, merged_into, created_at, updated_at, ",
            "first_response_at, resolved_at, closed_at"
        )
    };
}

macro_rules! ticket_select {
    () => {
        concat!("select ", ticket_fields!(), " from tickets t")
    };
}

/// The ticket columns, for a select whose `from` follows.
macro_rules! ticket_columns {
    () => {
        concat!(
            "select t.id, t.version, t.subject, t.description, t.ticket_type, t.status, t.impact, ",
            "t.urgency, t.priority, t.priority_reason, t.category_id, t.service_id, t.location, ",
            "t.device, t.requester_id, t.organization_id, t.channel, t.group_id, t.tier, ",
            "t.owner_id, t.assignee_id, t.tags, t.escalation_level, t.external_ref, ",
            "t.merged_into, t.created_at, t.updated_at, t.first_response_at, t.resolved_at, ",
            "t.closed_at"
        )
    };
}

pub(crate) fn text_enum<T>(
    row: &DbRow,
    name: &str,
    parse: fn(&str) -> Result<T, ferrodesk_domain::InvalidValue>,
) -> StoreResult<T> {
    let text: String = get(row, name)?;
    stored(parse(&text))
}

pub(crate) fn ticket_from_row(row: &DbRow) -> StoreResult<Ticket> {
    let tags: String = get(row, "tags")?;
    Ok(Ticket {
        id: TicketId(get(row, "id")?),
        version: get(row, "version")?,
        subject: get(row, "subject")?,
        description: get(row, "description")?,
        ticket_type: text_enum(row, "ticket_type", TicketType::parse)?,
        status: text_enum(row, "status", TicketStatus::parse)?,
        impact: text_enum(row, "impact", Impact::parse)?,
        urgency: text_enum(row, "urgency", Urgency::parse)?,
        priority: text_enum(row, "priority", Priority::parse)?,
        priority_reason: get(row, "priority_reason")?,
        category_id: get::<Option<i64>>(row, "category_id")?.map(CategoryId),
        service_id: get::<Option<i64>>(row, "service_id")?.map(ServiceId),
        location: get(row, "location")?,
        device: get(row, "device")?,
        requester_id: UserId(get(row, "requester_id")?),
        organization_id: get::<Option<i64>>(row, "organization_id")?.map(OrganizationId),
        channel: text_enum(row, "channel", Channel::parse)?,
        group_id: get::<Option<i64>>(row, "group_id")?.map(GroupId),
        tier: stored(Tier::new(get(row, "tier")?))?,
        owner_id: get::<Option<i64>>(row, "owner_id")?.map(UserId),
        assignee_id: get::<Option<i64>>(row, "assignee_id")?.map(UserId),
        tags: from_json(&tags)?,
        escalation_level: get(row, "escalation_level")?,
        external_ref: get(row, "external_ref")?,
        merged_into: get::<Option<i64>>(row, "merged_into")?.map(TicketId),
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
        first_response_at: get_opt_time(row, "first_response_at")?,
        resolved_at: get_opt_time(row, "resolved_at")?,
        closed_at: get_opt_time(row, "closed_at")?,
    })
}

/// The rows a ticket refers to, for naming a missing one.
pub(crate) fn ticket_refs(t: &Ticket) -> Vec<Ref> {
    [
        Some(Ref::new("tickets_requester_id_fkey", t.requester_id.get())),
        Ref::opt("tickets_group_id_fkey", t.group_id.map(GroupId::get)),
        Ref::opt(
            "tickets_organization_id_fkey",
            t.organization_id.map(OrganizationId::get),
        ),
        Ref::opt(
            "tickets_category_id_fkey",
            t.category_id.map(CategoryId::get),
        ),
        Ref::opt("tickets_service_id_fkey", t.service_id.map(ServiceId::get)),
        Ref::opt("tickets_owner_id_fkey", t.owner_id.map(UserId::get)),
        Ref::opt("tickets_assignee_id_fkey", t.assignee_id.map(UserId::get)),
        Ref::opt("tickets_merged_into_fkey", t.merged_into.map(TicketId::get)),
    ]
    .into_iter()
    .flatten()
    .collect()
}

pub(crate) const EVENT_COLUMNS_SELECT: &str = "select id, ticket_id, kind, data, actor_id, channel, visibility, created_at, attachments from ticket_events";

pub(crate) fn event_from_row(row: &DbRow) -> StoreResult<Event> {
    let data: String = get(row, "data")?;
    Ok(Event {
        id: EventId(get(row, "id")?),
        ticket_id: TicketId(get(row, "ticket_id")?),
        kind: from_json::<EventKind>(&data)?,
        actor_id: get::<Option<i64>>(row, "actor_id")?.map(UserId),
        channel: text_enum(row, "channel", Channel::parse)?,
        visibility: text_enum(row, "visibility", Visibility::parse)?,
        created_at: get_time(row, "created_at")?,
        attachments: match get::<Option<String>>(row, "attachments")? {
            Some(text) => from_json(&text)?,
            None => Vec::new(),
        },
    })
}

/// The stored form of an event's attachments: JSON, or null when there are none.
pub(crate) fn attachments_json(event: &NewEvent) -> StoreResult<Option<String>> {
    if event.attachments.is_empty() {
        Ok(None)
    } else {
        json(&event.attachments).map(Some)
    }
}

/// `event` as stored on `ticket` with `id`.
pub(crate) fn stored_event(id: EventId, ticket: TicketId, event: &NewEvent) -> Event {
    Event {
        id,
        ticket_id: ticket,
        kind: event.kind.clone(),
        actor_id: event.actor_id,
        channel: event.channel,
        visibility: event.visibility,
        created_at: event.created_at,
        attachments: event.attachments.clone(),
    }
}
