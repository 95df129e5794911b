//! The timeline of a ticket as people read it: each event turned into who, when, what
//! changed and which files came with it, for the agent workspace and the portal.

use super::{
    Names, TicketRef, Times, When, impact_label, initials, link_label, priority_badge, status_word,
    type_label, urgency_label,
};
use ferrodesk_domain::{
    Actor, CallDirection, CategoryId, Channel, EscalationKind, Event, EventKind, GroupId, Impact,
    OrganizationId, Priority, ServiceId, Ticket, TicketType, Urgency, UserId, Visibility,
};

/// One entry of a timeline, ready to show.
#[derive(Debug, Clone)]
pub(crate) struct TimelineItem {
    /// The event id (an anchor).
    pub id: i64,
    /// CSS modifier: `reply`, `reply-in`, `note`, `call`, `walk-in`, `change`,
    /// `escalation`, `link`, `created`, `vendor-out` (a hand-off), `vendor-in` (the
    /// vendor's answer).
    pub kind: &'static str,
    /// Whether the entry is a message with a body in a bubble.
    pub is_message: bool,
    /// Whether only staff see it.
    pub is_internal: bool,
    /// Who.
    pub actor: String,
    /// Their initials.
    pub initials: String,
    /// What happened, as a phrase after the actor's name.
    pub headline: String,
    /// The message, if any.
    pub body: Option<String>,
    /// The message as HTML, for one written in the agent's composer (Markdown).
    pub body_html: Option<String>,
    /// Extra lines (reason, call details).
    pub details: Vec<String>,
    /// Another ticket this entry points at.
    pub other: Option<TicketRef>,
    /// When.
    pub when: When,
    /// Files that came with it.
    pub files: Vec<FileLink>,
}

/// A file on the timeline, with its download link.
#[derive(Debug, Clone)]
pub(crate) struct FileLink {
    /// File name.
    pub name: String,
    /// Size for people ("12 KB").
    pub size: String,
    /// Download address.
    pub url: String,
}

/// A message written in the agent's composer is Markdown, shown as the composer's
/// preview showed it; mail and portal messages stay the plain text they were.
fn composed(channel: Channel, body: &str) -> Option<String> {
    (channel == Channel::Agent).then(|| ferrodesk_app::render_message_markdown(body))
}

/// A byte count for people.
pub(crate) fn file_size(bytes: i64) -> String {
    match bytes {
        ..1024 => format!("{bytes} B"),
        1024..1_048_576 => format!("{} KB", (bytes + 512) / 1024),
        _ => format!("{:.1} MB", bytes as f64 / 1_048_576.0),
    }
}

/// The people an event mentions, to fetch their names before building the timeline.
pub(crate) fn mentioned_users(events: &[Event]) -> Vec<UserId> {
    let mut ids: Vec<UserId> = events.iter().filter_map(|e| e.actor_id).collect();
    for event in events {
        if let EventKind::FieldChanged {
            field, old, new, ..
        } = &event.kind
            && matches!(field.as_str(), "assignee_id" | "owner_id" | "requester_id")
        {
            ids.extend(
                [old, new]
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.parse::<i64>().ok())
                    .map(UserId),
            );
        }
        if let EventKind::WatcherAdded { user_id } | EventKind::WatcherRemoved { user_id } =
            &event.kind
        {
            ids.push(*user_id);
        }
    }
    ids
}

fn field_name(field: &str) -> &str {
    match field {
        "assignee_id" => "assignee",
        "owner_id" => "owner",
        "group_id" => "group",
        "category_id" => "category",
        "service_id" => "product or service",
        "requester_id" => "requester",
        "organization_id" => "organization",
        "ticket_type" => "type",
        "external_ref" => "vendor reference",
        other => other,
    }
}

fn field_value(field: &str, value: Option<&str>, names: &Names) -> String {
    let Some(value) = value.filter(|v| !v.is_empty()) else {
        return "none".to_owned();
    };
    let id = value.parse::<i64>().ok();
    match (field, id) {
        ("assignee_id" | "owner_id" | "requester_id", Some(id)) => names.user_name(UserId(id)),
        ("group_id", Some(id)) => names.group_name(GroupId(id)),
        ("category_id", Some(id)) => names.category_or(Some(CategoryId(id)), "none"),
        ("service_id", Some(id)) => names.service_or(Some(ServiceId(id)), "none"),
        ("organization_id", Some(id)) => names.organization_or(Some(OrganizationId(id)), "none"),
        ("tier", _) => format!("tier {value}"),
        ("priority", _) => Priority::parse(value)
            .map(|p| priority_badge(p).label.to_owned())
            .unwrap_or_else(|_| value.to_owned()),
        ("impact", _) => Impact::parse(value)
            .map(|i| impact_label(i).to_owned())
            .unwrap_or_else(|_| value.to_owned()),
        ("urgency", _) => Urgency::parse(value)
            .map(|u| urgency_label(u).to_owned())
            .unwrap_or_else(|_| value.to_owned()),
        ("ticket_type", _) => TicketType::parse(value)
            .map(|t| type_label(t).to_owned())
            .unwrap_or_else(|_| value.to_owned()),
        _ => value.to_owned(),
    }
}

fn minutes(seconds: i64) -> String {
    match seconds {
        ..60 => format!("{seconds} s"),
        _ => format!("{} min", (seconds + 30) / 60),
    }
}

/// Builds timeline entries. `viewer` is "you" in the portal; staff names come from
/// `names` (customers cannot read staff, so staff show as "Service desk").
pub(crate) fn timeline(
    events: &[Event],
    ticket: &Ticket,
    names: &Names,
    times: &Times,
    viewer: &Actor,
) -> Vec<TimelineItem> {
    events
        .iter()
        .filter(|event| {
            // Tier changes come with the group change they follow from; one line is enough.
            !matches!(&event.kind, EventKind::FieldChanged { field, .. } if field == "tier")
        })
        .map(|event| timeline_item(event, ticket, names, times, viewer))
        .collect()
}

// Long on purpose: one `match` over every event kind, so the wording of the whole
// timeline reads in one place; each arm is short.
fn timeline_item(
    event: &Event,
    ticket: &Ticket,
    names: &Names,
    times: &Times,
    viewer: &Actor,
) -> TimelineItem {
    let actor = match event.actor_id {
        Some(id) if id == viewer.user_id && !viewer.is_staff() => "You".to_owned(),
        // A customer may not read a colleague's directory entry; on a request shared
        // in their organization the requester is still not the service desk.
        Some(id) if !viewer.is_staff() && id == ticket.requester_id && names.user(id).is_none() => {
            "Your colleague".to_owned()
        }
        Some(id) => names.user_name(id),
        None => "Ferrodesk".to_owned(),
    };
    let from_requester = event.actor_id == Some(ticket.requester_id);
    let mut item = TimelineItem {
        id: event.id.get(),
        kind: "change",
        is_message: false,
        is_internal: event.visibility == Visibility::Internal,
        initials: initials(&actor),
        actor,
        headline: String::new(),
        body: None,
        body_html: None,
        details: Vec::new(),
        other: None,
        when: times.at(event.created_at),
        files: event
            .attachments
            .iter()
            .map(|a| FileLink {
                name: a.filename.clone(),
                size: file_size(a.size),
                url: ferrodesk_app::attachments::download_path(event.ticket_id, event.id, a),
            })
            .collect(),
    };
    let via = |channel: Channel| match channel {
        Channel::Email => " by email",
        Channel::Portal => " in the portal",
        Channel::Chat => " in a chat",
        Channel::Phone => " by phone",
        Channel::WalkIn => " at the desk",
        Channel::Agent | Channel::Api => "",
    };
    match &event.kind {
        EventKind::Created { subject } => {
            item.kind = "created";
            item.headline = format!("opened the ticket{}", via(event.channel));
            item.details.push(format!("“{subject}”"));
        }
        EventKind::Reply { body } => {
            item.kind = if from_requester { "reply-in" } else { "reply" };
            item.is_message = true;
            item.headline = format!("replied{}", via(event.channel));
            item.body = Some(body.clone());
            item.body_html = composed(event.channel, body);
        }
        EventKind::Note { body } => {
            item.kind = "note";
            item.is_message = true;
            item.headline = "added an internal note".to_owned();
            item.body = Some(body.clone());
            item.body_html = composed(event.channel, body);
        }
        EventKind::Call {
            direction,
            number,
            duration_seconds,
            body,
        } => {
            item.kind = "call";
            item.is_message = true;
            item.headline = match direction {
                CallDirection::Inbound => "took a phone call".to_owned(),
                CallDirection::Outbound => "called the requester".to_owned(),
            };
            let mut detail = format!(
                "{} call, {}",
                direction_word(*direction),
                minutes(*duration_seconds)
            );
            if let Some(number) = number {
                detail.push_str(&format!(", {number}"));
            }
            item.details.push(detail);
            item.body = Some(body.clone()).filter(|b| !b.is_empty());
        }
        EventKind::WalkIn { location, body } => {
            item.kind = "walk-in";
            item.is_message = true;
            item.headline = "logged a walk-in visit".to_owned();
            if let Some(location) = location {
                item.details.push(format!("At {location}"));
            }
            item.body = Some(body.clone()).filter(|b| !b.is_empty());
        }
        EventKind::StatusChanged { from, to } => {
            item.headline = format!(
                "changed the status from {} to {}",
                status_word(*from),
                status_word(*to)
            );
        }
        EventKind::FieldChanged {
            field,
            old,
            new,
            reason,
        } => {
            item.headline = if field == "description" {
                "edited the description".to_owned()
            } else {
                format!(
                    "changed the {} from {} to {}",
                    field_name(field),
                    field_value(field, old.as_deref(), names),
                    field_value(field, new.as_deref(), names)
                )
            };
            if let Some(reason) = reason {
                item.details.push(format!("Reason: {reason}"));
            }
        }
        EventKind::Escalated {
            kind,
            from_group,
            to_group,
            from_tier,
            to_tier,
            reason,
            external_ref,
        } => {
            item.kind = "escalation";
            let kind = match kind {
                EscalationKind::Functional => "escalated",
                EscalationKind::Hierarchical => "escalated to management",
                EscalationKind::External => "escalated to a vendor",
            };
            item.headline = format!(
                "{kind}: {} (tier {from_tier}) to {} (tier {to_tier})",
                names.group_or(*from_group, "no group"),
                names.group_or(*to_group, "no group"),
            );
            item.details.push(format!("Reason: {reason}"));
            if let Some(reference) = external_ref {
                item.details.push(format!("Vendor case {reference}"));
            }
        }
        EventKind::Linked { link, other } => {
            item.kind = "link";
            item.headline = format!(
                "linked this ticket: {}",
                link_label(*link, true).to_lowercase()
            );
            item.other = Some(TicketRef::new(*other));
        }
        EventKind::SplitInto { other } => {
            item.kind = "link";
            item.headline = "split part of this ticket into".to_owned();
            item.other = Some(TicketRef::new(*other));
        }
        EventKind::MergedInto { other } => {
            item.kind = "link";
            item.headline = "merged this ticket into".to_owned();
            item.other = Some(TicketRef::new(*other));
        }
        EventKind::MergedFrom { other } => {
            item.kind = "link";
            item.headline = "merged in".to_owned();
            item.other = Some(TicketRef::new(*other));
        }
        EventKind::SlaWarning { target, due_at } | EventKind::SlaBreached { target, due_at } => {
            let breached = matches!(event.kind, EventKind::SlaBreached { .. });
            item.kind = if breached {
                "sla-breach"
            } else {
                "sla-warning"
            };
            item.headline = format!(
                "{} the {} target",
                if breached {
                    "recorded a breach of"
                } else {
                    "warned about"
                },
                crate::sla::target_name(*target)
            );
            item.details
                .push(format!("Due {}", times.at(*due_at).absolute));
        }
        EventKind::RuleApplied { rule, changes } => {
            item.headline = format!("applied routing rule “{rule}”");
            item.details.extend(changes.iter().cloned());
        }
        EventKind::Notified { user_ids, message } => {
            let who: Vec<String> = user_ids.iter().map(|u| names.user_name(*u)).collect();
            item.headline = format!("notified {}", who.join(", "));
            item.details.push(message.clone());
        }
        EventKind::ArticleLinked { article_id, title } => {
            item.kind = "link";
            item.headline = format!("solved by article #{article_id}: {title}");
        }
        EventKind::WatcherAdded { user_id } => {
            item.headline = format!("added {} as a watcher", names.user_name(*user_id));
        }
        EventKind::WatcherRemoved { user_id } => {
            item.headline = format!("removed {} as a watcher", names.user_name(*user_id));
        }
        EventKind::AssetLinked { label, .. } => {
            item.headline = format!("linked the asset {label}");
        }
        EventKind::AssetUnlinked { label, .. } => {
            item.headline = format!("unlinked the asset {label}");
        }
        EventKind::Rated { score, comment } => {
            item.kind = "rating";
            item.is_message = comment.is_some();
            item.headline = format!("rated the resolution {score} of 5");
            item.body = comment.clone();
        }
        EventKind::VendorHandoff {
            vendor_name,
            reference,
            message,
            due_at,
            ..
        } => {
            item.kind = "vendor-out";
            item.is_message = true;
            item.headline = format!("handed the ticket off to {vendor_name}");
            item.details.push(format!(
                "Case {reference} · answer due {}",
                times.at(*due_at).absolute
            ));
            item.body = Some(message.clone());
        }
        EventKind::VendorMessage {
            vendor_name,
            reference,
            body,
            ..
        } => {
            item.kind = "vendor-in";
            item.is_message = true;
            item.actor = vendor_name.clone();
            item.initials = initials(vendor_name);
            item.headline = "answered as the vendor, by email".to_owned();
            item.details.push(format!("Case {reference}"));
            item.body = Some(body.clone());
        }
    }
    item
}

fn direction_word(direction: CallDirection) -> &'static str {
    match direction {
        CallDirection::Inbound => "Inbound",
        CallDirection::Outbound => "Outbound",
    }
}
