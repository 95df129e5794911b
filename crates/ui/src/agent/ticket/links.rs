//! `/agent/tickets/{id}/split`, `/link` and `/merge`.

use super::*;

pub(super) async fn split(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    let id = ticket_id(&raw)?;
    let mut errors = FieldErrors::new();
    let parts: Vec<SplitPartInput> = form
        .get("parts")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|subject| SplitPartInput {
            subject: subject.to_owned(),
            ..SplitPartInput::default()
        })
        .collect();
    if parts.is_empty() {
        errors.add("parts", "write one subject per line for each new ticket");
        return failed(&state, &viewer, id, form, errors, "split").await;
    }
    match state
        .app
        .tickets()
        .via(Channel::Agent)
        .split(&viewer.actor, id, parts)
        .await
    {
        Ok(created) => {
            let mut ids: Vec<TicketId> = created.iter().map(|t| t.id).collect();
            ids.push(id);
            done(&state, &viewer, &ids, id, "split", "").await
        }
        Err(error) => {
            errors.absorb(error, &[("subject", "parts"), ("parts", "parts")], "parts")?;
            failed(&state, &viewer, id, form, errors, "split").await
        }
    }
}

/// A service error about the *other* ticket of a link or merge belongs next to its
/// field; one about this ticket is the 404 page.
fn other_ticket_error(
    error: AppError,
    other: TicketId,
    errors: &mut FieldErrors,
    field: &str,
    fields: &[(&str, &str)],
) -> Result<(), PageError> {
    match error {
        AppError::NotFound { kind: "ticket", id } if id == other.to_string() => {
            errors.add(
                field,
                format!(
                    "there is no ticket {} that you can work on",
                    other.display_number()
                ),
            );
            Ok(())
        }
        AppError::Forbidden { message } => {
            errors.add(field, message);
            Ok(())
        }
        other_error => errors.absorb(other_error, fields, field),
    }
}

pub(super) async fn link(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    let id = ticket_id(&raw)?;
    let mut errors = FieldErrors::new();
    let kind = LinkRequestKind::parse(form.get("link_kind").trim()).ok();
    if kind.is_none() {
        errors.add("link_kind", "choose how the tickets relate");
    }
    let other = TicketId::parse_number(form.get("link_to"));
    if other.is_none() {
        errors.add("link_to", "give a ticket number like 10042");
    }
    let (Some(kind), Some(other)) = (kind, other) else {
        return failed(&state, &viewer, id, form, errors, "link").await;
    };
    match state
        .app
        .tickets()
        .via(Channel::Agent)
        .link(&viewer.actor, id, kind, other)
        .await
    {
        Ok(_) => done(&state, &viewer, &[id, other], id, "linked", "").await,
        Err(error) => {
            other_ticket_error(
                error,
                other,
                &mut errors,
                "link_to",
                &[("ticket_id", "link_to")],
            )?;
            failed(&state, &viewer, id, form, errors, "link").await
        }
    }
}

pub(super) async fn merge(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    let id = ticket_id(&raw)?;
    let mut errors = FieldErrors::new();
    let Some(into) = TicketId::parse_number(form.get("merge_into")) else {
        errors.add("merge_into", "give a ticket number like 10042");
        return failed(&state, &viewer, id, form, errors, "merge").await;
    };
    match state
        .app
        .tickets()
        .via(Channel::Agent)
        .merge(&viewer.actor, id, into)
        .await
    {
        Ok(target) => done(&state, &viewer, &[id, into], target.id, "merged", "").await,
        Err(error) => {
            other_ticket_error(
                error,
                into,
                &mut errors,
                "merge_into",
                &[("into", "merge_into"), ("status", "merge_into")],
            )?;
            failed(&state, &viewer, id, form, errors, "merge").await
        }
    }
}
