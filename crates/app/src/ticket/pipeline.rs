//! The ticket write pipeline: the one path on which every channel's new tickets and
//! ticket changes are placed, routed, escalated and assigned before the store writes
//! them (docs/ARCHITECTURE.md, "The ticket write").
//!
//! A channel (the JSON API, the portal, the agent workspace, mail intake by gateway or
//! IMAP, a logged call or visit) drafts a ticket or a change with its own events, then
//! hands it here with one snapshot of the desk's settings:
//!
//! 1. **placement** (new tickets): the group asked for; otherwise the owning group of
//!    the ticket's service when that group serves tier 1; otherwise the first tier-1
//!    group by name; otherwise no group. The tier is the group's;
//! 2. **routing rules** ([`routing::apply_rules`]), in position order;
//! 3. **escalation rules**: a new complaint (also one that a rule made a complaint)
//!    escalates and notifies by the complaint rules; a change of assignee counts
//!    toward the reassignment rules;
//! 4. **automatic assignment** ([`routing::assign`]) in the group the ticket ends in;
//! 5. **notifications**: who the change concerns is told why
//!    (`notifications::audience`, by the rules of `ferrodesk_domain::notify`), and
//!    who of those told (also by a rule) is mailed at once, by their preferences.
//!
//! What the steps add (events, in-app notifications, their mail) travels in the one
//! [`NewTicket`] or [`TicketChange`] the store writes in a single transaction, with
//! the ticket's SLA clock, counts and queued mail. The write names the settings'
//! version, so a write routed with settings that changed since is refused and routed
//! again by the caller (`App::with_settings`).

use crate::notifications::audience;
use crate::{App, AppError, escalation, routing};
use ferrodesk_domain::{GroupId, LinkKind, NewEvent, ServiceId, Ticket, TicketId, Tier};
use ferrodesk_store::{CustomValue, DeskSettings, Idempotency, NewTicket, Notice, TicketChange};

/// A new ticket as a channel drafted it: validated, not yet placed, routed or
/// assigned.
#[derive(Debug, Clone)]
pub(crate) struct Draft {
    /// The ticket; its group and tier are set by placement.
    pub(crate) ticket: Ticket,
    /// Its first events (at least `created`).
    pub(crate) events: Vec<NewEvent>,
    /// Links from the new ticket to existing ones.
    pub(crate) links: Vec<(LinkKind, TicketId)>,
    /// Retry key.
    pub(crate) idempotency: Option<Idempotency>,
    /// The group the channel asked for (staff's choice, a mailbox's group).
    pub(crate) group_id: Option<GroupId>,
    /// Its custom fields' values, checked.
    pub(crate) custom_values: Vec<CustomValue>,
}

/// Places, routes, escalates and assigns a new ticket (see the module docs).
///
/// # Errors
/// `NotFound` for a group or service that does not exist; a store error when the
/// agents of the group cannot be read.
pub(crate) async fn open(
    app: &App,
    settings: &DeskSettings,
    draft: Draft,
) -> Result<NewTicket, AppError> {
    let Draft {
        mut ticket,
        mut events,
        links,
        idempotency,
        group_id,
        custom_values,
    } = draft;
    let now = ticket.created_at;
    (ticket.group_id, ticket.tier) = place(settings, group_id, ticket.service_id)?;
    let mut notices = Vec::new();
    routing::apply_rules(settings, None, &mut ticket, &mut events, &mut notices, now)?;
    escalation::on_complaint(app, &mut ticket, &mut events, &mut notices, now).await?;
    let round_robin = routing::assign(app, settings, None, &mut ticket, &mut events, now).await?;
    tell(
        &mut notices,
        audience::notices(app, Some(settings), None, &ticket, &events, None).await?,
    );
    audience::mail_by_preferences(settings, &mut notices);
    Ok(NewTicket {
        ticket,
        events,
        links,
        idempotency,
        settings_version: Some(settings.version),
        notices,
        round_robin,
        custom_values,
    })
}

/// Routes, escalates and assigns a change to a ticket (see the module docs); `after`
/// carries the change's own fields and `events` its own events.
///
/// # Errors
/// As [`open`].
pub(crate) async fn change(
    app: &App,
    settings: &DeskSettings,
    before: Ticket,
    mut after: Ticket,
    mut events: Vec<NewEvent>,
) -> Result<TicketChange, AppError> {
    let now = after.updated_at;
    let mut notices = Vec::new();
    routing::apply_rules(
        settings,
        Some(&before),
        &mut after,
        &mut events,
        &mut notices,
        now,
    )?;
    let round_robin =
        routing::assign(app, settings, Some(&before), &mut after, &mut events, now).await?;
    notices.extend(escalation::on_reassignment(app, &before, &mut after, &mut events, now).await?);
    let told = audience::notices(app, Some(settings), Some(&before), &after, &events, None).await?;
    tell(&mut notices, told);
    audience::mail_by_preferences(settings, &mut notices);
    Ok(TicketChange {
        before,
        after,
        events,
        notices,
        round_robin,
        time_entry: None,
        custom_values: Vec::new(),
    })
}

/// Adds the notices of the change's audience to those the rules wrote, once per
/// person: whom a rule names has already been told.
pub(crate) fn tell(notices: &mut Vec<Notice>, told: Vec<Notice>) {
    for notice in told {
        if !notices.iter().any(|n| n.user_id == notice.user_id) {
            notices.push(notice);
        }
    }
}

/// The group and tier for a new ticket, by the placement rule in the module docs.
///
/// # Errors
/// `NotFound` for a group or service that does not exist.
pub(crate) fn place(
    settings: &DeskSettings,
    group_id: Option<GroupId>,
    service_id: Option<ServiceId>,
) -> Result<(Option<GroupId>, Tier), AppError> {
    if let Some(id) = group_id {
        let group = settings
            .group(id)
            .ok_or_else(|| AppError::not_found("group", id))?;
        return Ok((Some(group.id), group.tier));
    }
    if let Some(id) = service_id {
        let service = settings
            .service(id)
            .ok_or_else(|| AppError::not_found("service", id))?;
        if let Some(group) = service
            .owner_group_id
            .and_then(|owner| settings.group(owner))
            .filter(|g| g.tier == Tier::FIRST)
        {
            return Ok((Some(group.id), group.tier));
        }
    }
    let first = settings
        .groups
        .iter()
        .filter(|g| g.tier == Tier::FIRST)
        .min_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    Ok(match first {
        Some(group) => (Some(group.id), Tier::FIRST),
        None => (None, Tier::FIRST),
    })
}
