//! Automatic escalation set off by the ticket service itself (issue 4, "Automatic
//! escalation rules"): a complaint when it is opened, and the N-th reassignment. SLA
//! warnings and breaches escalate in the job runner (`jobs`), through the same
//! helpers.

use crate::jobs::{escalation_target, group_supervisors, rules_for};
use crate::{App, AppError};
use ferrodesk_domain::{
    Channel, EscalationKind, EventKind, NewEvent, NotificationKind, Ticket, TicketType,
};
use ferrodesk_store::{EventPage, Notice};
use jiff::Timestamp;

fn desk_event(kind: EventKind, now: Timestamp) -> NewEvent {
    NewEvent::new(kind, None, Channel::Api, now)
}

/// Moves `ticket` up a tier and/or notes who must hear of it, by the rules that fired.
async fn escalate_in_place(
    app: &App,
    ticket: &mut Ticket,
    events: &mut Vec<NewEvent>,
    escalate: Option<String>,
    notify: Option<String>,
    now: Timestamp,
) -> Result<Vec<Notice>, AppError> {
    let mut notes = Vec::new();
    if let Some(reason) = escalate
        && let Some(target) = escalation_target(app, ticket).await?
    {
        events.push(desk_event(
            EventKind::Escalated {
                kind: EscalationKind::Functional,
                from_group: ticket.group_id,
                to_group: Some(target.id),
                from_tier: ticket.tier.get(),
                to_tier: target.tier.get(),
                reason,
                external_ref: None,
            },
            now,
        ));
        ticket.group_id = Some(target.id);
        ticket.tier = target.tier;
        ticket.escalation_level += 1;
    }
    if let Some(reason) = notify {
        let supervisors = group_supervisors(app, ticket).await?;
        if !supervisors.is_empty() {
            let message = format!("needs attention ({reason}): {}", ticket.subject);
            events.push(desk_event(
                EventKind::Notified {
                    user_ids: supervisors.clone(),
                    message: message.clone(),
                },
                now,
            ));
            notes.extend(supervisors.into_iter().map(|user_id| Notice {
                user_id,
                kind: NotificationKind::Rule,
                message: message.clone(),
                // Decided with the others by the pipeline's last step.
                mail: false,
            }));
        }
    }
    Ok(notes)
}

/// A new complaint escalates and/or reaches the supervisors when a rule says so.
pub(crate) async fn on_complaint(
    app: &App,
    ticket: &mut Ticket,
    events: &mut Vec<NewEvent>,
    notices: &mut Vec<Notice>,
    now: Timestamp,
) -> Result<(), AppError> {
    if ticket.ticket_type != TicketType::Complaint {
        return Ok(());
    }
    let (escalate, notify) = rules_for(app, |r| {
        r.trigger == ferrodesk_domain::EscalationTrigger::Complaint
    })
    .await?;
    let escalate = escalate.map(|why| format!("complaint: {why}"));
    let notify = notify.map(|why| format!("complaint: {why}"));
    let notes = escalate_in_place(app, ticket, events, escalate, notify, now).await?;
    notices.extend(notes);
    Ok(())
}

/// The N-th reassignment of a ticket escalates and/or reaches the supervisors when a
/// rule says so.
pub(crate) async fn on_reassignment(
    app: &App,
    before: &Ticket,
    after: &mut Ticket,
    events: &mut Vec<NewEvent>,
    now: Timestamp,
) -> Result<Vec<Notice>, AppError> {
    if before.assignee_id.is_none() || after.assignee_id == before.assignee_id {
        return Ok(Vec::new());
    }
    // Earlier reassignments: assignee changes from one agent to another. The timeline
    // of one ticket is short, so reading it is bounded.
    let history = app
        .db()
        .list_events(
            before.id,
            true,
            &EventPage {
                after: None,
                limit: 1000,
            },
        )
        .await?;
    let earlier = history
        .iter()
        .filter(|e| {
            matches!(&e.kind, EventKind::FieldChanged { field, old: Some(_), new: Some(_), .. }
                if field == "assignee_id")
        })
        .count();
    let count = i64::try_from(earlier).unwrap_or(i64::MAX).saturating_add(1);
    let (escalate, notify) = rules_for(app, |r| r.fires_on_reassignments(count)).await?;
    let escalate = escalate.map(|why| format!("reassigned {count} times: {why}"));
    let notify = notify.map(|why| format!("reassigned {count} times: {why}"));
    escalate_in_place(app, after, events, escalate, notify, now).await
}
