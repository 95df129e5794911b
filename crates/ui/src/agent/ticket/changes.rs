//! `/agent/tickets/{id}/reply`, `/status`, `/details`, `/escalate` and `/log`: the
//! composer (a reply or note, with a status change in the same command), the status,
//! the details form, escalation, and a logged call or walk-in.

use super::*;
use properties::PANEL;

pub(super) async fn reply(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    let id = ticket_id(&raw)?;
    let is_note = form.get("kind") == "note";
    let body = form.get("body").to_owned();
    let mut errors = FieldErrors::new();
    if body.trim().is_empty() {
        errors.add(
            "body",
            if is_note {
                "write the note first"
            } else {
                "write the reply first"
            },
        );
    }
    // The newest event the page showed when the reply was written; a reply is not
    // sent over one someone else wrote since (a note is never held back).
    let seen_event_id = match form.opt("seen_event_id").filter(|_| !is_note) {
        None => None,
        Some(text) => match text.parse::<i64>() {
            Ok(seen) => Some(ferrodesk_domain::EventId(seen)),
            Err(_) => {
                errors.add("body", "this page is out of date; reload it and send again");
                None
            }
        },
    };
    let then = match form.opt("then_status") {
        None => None,
        Some(text) => match parse_status(text) {
            Some(status) => Some(status),
            None => {
                errors.add("then_status", "choose a status from the list");
                None
            }
        },
    };
    let extras = super::composer::Extras::read(&form, &mut errors);
    if !errors.is_empty() {
        return failed(&state, &viewer, id, form, errors, "").await;
    }
    let input = if is_note {
        InteractionInput::Note { body }
    } else {
        InteractionInput::Reply { body }
    };
    // One command: the message, the chosen macro's actions, the status move and the
    // time spent are written together or not at all, so a refused move keeps the
    // message in the form.
    let changes = InteractionChanges {
        status: then,
        seen_event_id,
        time_spent_minutes: extras.time_spent,
        ..InteractionChanges::default()
    };
    let written = super::composer::send(&state, &viewer, id, &form, input, changes, extras).await;
    if let Err(AppError::RepliedMeanwhile(meanwhile)) = written {
        return replied_meanwhile(&state, &viewer, id, form, meanwhile).await;
    }
    if let Err(error) = written {
        // A refused move is said next to the status choice when one was made; a
        // closed ticket refuses the message itself.
        let status_field = if then.is_some() {
            "then_status"
        } else {
            "body"
        };
        errors.absorb(
            error,
            &[
                ("body", "body"),
                ("file", "attachments"),
                ("status", status_field),
                ("time_spent_minutes", "time_spent"),
                ("macro", "body"),
            ],
            "body",
        )?;
        return failed(&state, &viewer, id, form, errors, "").await;
    }
    let code = if is_note { "note" } else { "reply" };
    done(&state, &viewer, &[id], id, code, "#composer").await
}

pub(super) async fn change_status(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    let id = ticket_id(&raw)?;
    let mut errors = FieldErrors::new();
    let Some(status) = parse_status(form.get("status")) else {
        errors.add("status", "choose a status from the list");
        return failed(&state, &viewer, id, form, errors, PANEL).await;
    };
    let result = state
        .app
        .tickets()
        .via(Channel::Agent)
        .transition(&viewer.actor, id, status, form.opt("status_reason"), None)
        .await;
    match result {
        Ok(_) => done(&state, &viewer, &[id], id, "status", "").await,
        Err(error) => {
            errors.absorb(
                error,
                &[("status", "status"), ("reason", "status_reason")],
                "status",
            )?;
            failed(&state, &viewer, id, form, errors, PANEL).await
        }
    }
}

/// Builds the patch from the fields that differ from what the form showed.
fn details_patch(now: &DetailValues, was: &DetailValues, errors: &mut FieldErrors) -> TicketPatch {
    let mut patch = TicketPatch::default();
    for field in DETAIL_FIELDS {
        let value = now.field(field);
        if value != was.field(field) {
            set_field(&mut patch, field, value, errors);
        }
    }
    // A reason goes with a priority change; with none, an override needs one and
    // "automatic" takes none. The service checks the rest.
    if patch.priority.is_some() {
        patch.priority_reason = optional_text(&now.priority_reason);
    } else if !now.priority_reason.is_empty() {
        errors.add(
            "priority_reason",
            "a reason goes with a change of priority; choose the priority too",
        );
    }
    patch
}

/// Puts one field's form value into `patch`; a value that is not one of the choices
/// is an error on the field.
pub(super) fn set_field(
    patch: &mut TicketPatch,
    field: &str,
    value: &str,
    errors: &mut FieldErrors,
) {
    match field {
        "ticket_type" => match TicketType::parse(value) {
            Ok(t) => patch.ticket_type = Some(t),
            Err(_) => errors.add(field, "choose a type from the list"),
        },
        "impact" => match Impact::parse(value) {
            Ok(i) => patch.impact = Some(i),
            Err(_) => errors.add(field, "choose an impact from the list"),
        },
        "urgency" => match Urgency::parse(value) {
            Ok(u) => patch.urgency = Some(u),
            Err(_) => errors.add(field, "choose an urgency from the list"),
        },
        "priority" => {
            if value.is_empty() {
                patch.priority = Some(None);
            } else {
                match Priority::parse(value) {
                    Ok(p) => patch.priority = Some(Some(p)),
                    Err(_) => errors.add(field, "choose a priority from the list"),
                }
            }
        }
        "category_id" => {
            if let Some(v) = parse_id(errors, field, value, CategoryId) {
                patch.category_id = Some(v);
            }
        }
        "service_id" => {
            if let Some(v) = parse_id(errors, field, value, ServiceId) {
                patch.service_id = Some(v);
            }
        }
        "group_id" => {
            if let Some(v) = parse_id(errors, field, value, GroupId) {
                patch.group_id = Some(v);
            }
        }
        "assignee_id" => {
            if let Some(v) = parse_id(errors, field, value, UserId) {
                patch.assignee_id = Some(v);
            }
        }
        "owner_id" => {
            if let Some(v) = parse_id(errors, field, value, UserId) {
                patch.owner_id = Some(v);
            }
        }
        "location" => patch.location = Some(optional_text(value)),
        "device" => patch.device = Some(optional_text(value)),
        "external_ref" => patch.external_ref = Some(optional_text(value)),
        _ => {}
    }
}

pub(super) async fn details(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    let id = ticket_id(&raw)?;
    let now = DetailValues::from_form(&form, "");
    let was = DetailValues::from_form(&form, "was_");
    let mut errors = FieldErrors::new();
    let patch = details_patch(&now, &was, &mut errors);
    if !errors.is_empty() {
        return failed(&state, &viewer, id, form, errors, PANEL).await;
    }
    match state
        .app
        .tickets()
        .via(Channel::Agent)
        .update(&viewer.actor, id, patch)
        .await
    {
        Ok(_) => done(&state, &viewer, &[id], id, "details", "").await,
        Err(error) => {
            let fields: Vec<(&str, &str)> = DETAIL_FIELDS
                .iter()
                .map(|f| (*f, *f))
                .chain([
                    ("priority_reason", "priority_reason"),
                    ("group", "group_id"),
                    ("category", "category_id"),
                    ("service", "service_id"),
                    ("user", "assignee_id"),
                ])
                .collect();
            errors.absorb(error, &fields, PANEL)?;
            failed(&state, &viewer, id, form, errors, PANEL).await
        }
    }
}

/// Escalation to another group and its tier, in one write through the app: the
/// `escalated` event carries the reason; "hand over" also clears the assignee.
pub(super) async fn escalate(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    let id = ticket_id(&raw)?;
    let mut errors = FieldErrors::new();
    let group = match form.opt("escalate_group_id").map(str::parse::<i64>) {
        Some(Ok(group)) => Some(GroupId(group)),
        Some(Err(_)) | None => {
            errors.add("escalate_group_id", "choose the group to escalate to");
            None
        }
    };
    let reason = form.opt("escalate_reason").map(str::to_owned);
    if reason.is_none() {
        errors.add("escalate_reason", "say why the ticket needs to move up");
    }
    let (Some(group), Some(reason), true) = (group, reason, errors.is_empty()) else {
        return failed(&state, &viewer, id, form, errors, "escalate").await;
    };
    let tickets = state.app.tickets().via(Channel::Agent);
    let input = EscalateInput {
        to_group: group,
        kind: EscalationKind::Functional,
        reason,
        external_ref: None,
        release_assignee: form.checked("escalate_unassign"),
        version: None,
    };
    let after = match tickets.escalate(&viewer.actor, id, input).await {
        Ok(after) => after,
        Err(error) => {
            errors.absorb(
                error,
                &[
                    ("to_group_id", "escalate_group_id"),
                    ("reason", "escalate_reason"),
                ],
                "escalate_group_id",
            )?;
            return failed(&state, &viewer, id, form, errors, "escalate").await;
        }
    };
    match tickets.get(&viewer.actor, id).await {
        Ok(_) => done(&state, &viewer, &[id], id, "escalated", "").await,
        // Moved out of the agent's sight: back to their queue.
        Err(AppError::NotFound { .. }) => {
            state.live.publish(vec![after]);
            Ok(Redirect::to("/agent/queues/mine?done=escalated").into_response())
        }
        Err(other) => Err(other.into()),
    }
}

pub(super) async fn log_interaction(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    let id = ticket_id(&raw)?;
    let mut errors = FieldErrors::new();
    let visibility = if form.checked("log_public") {
        Some(Visibility::Public)
    } else {
        Some(Visibility::Internal)
    };
    let body = form.get("log_body").to_owned();
    let input = match form.get("log_kind") {
        "call" => {
            let direction = match form.get("log_direction") {
                "outbound" => CallDirection::Outbound,
                _ => CallDirection::Inbound,
            };
            let minutes = match form.opt("log_minutes").map(str::parse::<u32>) {
                None => 0,
                Some(Ok(m)) if m <= 1_440 => m,
                Some(_) => {
                    errors.add(
                        "log_minutes",
                        "give the length in whole minutes, at most 1440",
                    );
                    0
                }
            };
            InteractionInput::Call {
                direction,
                number: form.opt("log_number").map(str::to_owned),
                duration_seconds: i64::from(minutes) * 60,
                body,
                visibility,
            }
        }
        "walk_in" => InteractionInput::WalkIn {
            location: form.opt("log_location").map(str::to_owned),
            body,
            visibility,
        },
        _ => {
            errors.add("log_kind", "choose a phone call or a walk-in");
            return failed(&state, &viewer, id, form, errors, "log").await;
        }
    };
    if !errors.is_empty() {
        return failed(&state, &viewer, id, form, errors, "log").await;
    }
    match state
        .app
        .tickets()
        .via(Channel::Agent)
        .add_interaction(&viewer.actor, id, input, None)
        .await
    {
        Ok(_) => done(&state, &viewer, &[id], id, "logged", "#composer").await,
        Err(error) => {
            errors.absorb(
                error,
                &[
                    ("duration_seconds", "log_minutes"),
                    ("number", "log_number"),
                    ("location", "log_location"),
                    ("body", "log_body"),
                ],
                "log_kind",
            )?;
            failed(&state, &viewer, id, form, errors, "log").await
        }
    }
}
