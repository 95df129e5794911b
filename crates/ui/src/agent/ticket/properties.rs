//! `/agent/tickets/{id}/field` and `/tags`: the properties panel of the ticket page,
//! where each field saves on its own as soon as it changes.
//!
//! Every post carries the ticket version the panel was drawn from and goes through
//! one use case (`update`, or `transition` for the status), so each change is one
//! write with its event. With htmx the answer is the panel again (saved, refused with
//! the error next to the field, or redrawn from the current ticket when someone else
//! changed it first) and an `HX-Trigger` that refreshes the timeline; without
//! JavaScript each field is a small form whose button posts and comes back to the page.

use super::*;
use crate::session::is_htmx;
use axum::http::HeaderMap;
use axum::http::header::HeaderValue;

/// The error slot of the panel as a whole (a conflict, a stale page).
pub(crate) const PANEL: &str = "properties";

/// Fields the panel saves one at a time, in the order it shows them.
const FIELDS: &[(&str, &str)] = &[
    ("status", "Status"),
    ("priority", "Priority"),
    ("impact", "Impact"),
    ("urgency", "Urgency"),
    ("group_id", "Group"),
    ("assignee_id", "Assignee"),
    ("owner_id", "Owner"),
    ("category_id", "Category"),
    ("service_id", "Service"),
    ("ticket_type", "Type"),
    ("location", "Location"),
    ("device", "Device"),
    ("external_ref", "Vendor case"),
];

/// One field of the panel.
#[derive(Debug, Clone)]
pub(crate) struct PropField {
    pub name: &'static str,
    pub label: &'static str,
    /// A text input rather than a select.
    pub is_text: bool,
    pub value: String,
    /// The options of a select; a group with an empty label is plain options.
    pub groups: Vec<OptionGroup>,
    pub error: Option<String>,
    /// Written under the field after a save.
    pub is_saved: bool,
}

/// The panel: the ticket's properties and tags, each saved on its own.
#[derive(Debug, Clone, Default)]
pub(crate) struct Props {
    pub ticket_id: i64,
    pub version: i64,
    pub is_closed: bool,
    pub fields: Vec<PropField>,
    pub tags: Vec<String>,
    pub tag_input: String,
    pub tag_error: Option<String>,
    /// A message for the panel as a whole (someone else changed the ticket).
    pub notice: Option<String>,
    /// The reason input under the priority, shown for an override.
    pub show_reason: bool,
    pub reason: String,
    pub reason_error: Option<String>,
    /// Whether the answer goes out of band (a live refresh of the page).
    pub oob: bool,
}

impl Props {
    /// The panel for `ticket`; `input` holds what was tried (its values are shown
    /// instead of the ticket's) and `errors` the refusal.
    pub(crate) fn build(
        ticket: &Ticket,
        names: &Names,
        staff: &[User],
        input: &FormData,
        errors: &FieldErrors,
    ) -> Props {
        let current = DetailValues::of(ticket);
        let tried = |name: &str| input.get("field") == name || input.opt(name).is_some();
        let value = |name: &str| {
            if tried(name) {
                input.get(name).trim().to_owned()
            } else if name == "status" {
                ticket.status.to_string()
            } else {
                current.field(name).to_owned()
            }
        };
        let plain = |choices: Vec<Choice>| {
            vec![OptionGroup {
                label: String::new(),
                choices,
            }]
        };
        let fields = FIELDS
            .iter()
            .map(|&(name, label)| {
                let value = value(name);
                let groups = match name {
                    "status" => plain(status_options(ticket.status, &value)),
                    "priority" => plain(priority_options(ticket, &value)),
                    "impact" => plain(impact_choices(&value)),
                    "urgency" => plain(urgency_choices(&value)),
                    "group_id" => plain(group_choices(names, &value, "No group")),
                    "assignee_id" => {
                        staff_options(staff, ticket.group_id, names, &value, "Unassigned")
                    }
                    "owner_id" => staff_options(staff, ticket.group_id, names, &value, "Nobody"),
                    "category_id" => plain(category_choices(names, &value, "No category")),
                    "service_id" => plain(service_choices(names, &value, "None")),
                    "ticket_type" => plain(type_choices(&value)),
                    _ => Vec::new(),
                };
                PropField {
                    name,
                    label,
                    is_text: groups.is_empty(),
                    is_saved: false,
                    error: errors.get(name).map(str::to_owned),
                    value,
                    groups,
                }
            })
            .collect();
        let reason_error = errors.get("priority_reason").map(str::to_owned);
        Props {
            ticket_id: ticket.id.get(),
            version: ticket.version,
            is_closed: ticket.status == TicketStatus::Closed,
            fields,
            tags: ticket.tags.clone(),
            tag_input: input.get("add_tag").trim().to_owned(),
            tag_error: errors.get("add_tag").map(str::to_owned),
            notice: errors.get(PANEL).map(str::to_owned),
            show_reason: ticket.is_priority_overridden() || reason_error.is_some(),
            reason: match input.opt("priority_reason") {
                Some(tried) => tried.to_owned(),
                None => ticket.priority_reason.clone().unwrap_or_default(),
            },
            reason_error,
            oob: false,
        }
    }

    /// Marks `field` as just saved.
    fn saved(mut self, field: &str) -> Props {
        for f in &mut self.fields {
            f.is_saved = f.name == field;
        }
        self
    }
}

fn status_options(now: TicketStatus, chosen: &str) -> Vec<Choice> {
    std::iter::once(now)
        .chain(now.allowed_next().iter().copied())
        .map(|s| Choice::new(s, status_word(s), s.as_str() == chosen))
        .collect()
}

fn priority_options(ticket: &Ticket, chosen: &str) -> Vec<Choice> {
    let derived = priority_badge(Priority::from_matrix(ticket.impact, ticket.urgency)).label;
    std::iter::once(Choice::new(
        "",
        format!("Automatic ({derived})"),
        chosen.is_empty(),
    ))
    .chain(
        Priority::ALL
            .iter()
            .map(|p| Choice::new(p, priority_badge(*p).label, p.as_str() == chosen)),
    )
    .collect()
}

#[derive(Template)]
#[template(path = "agent/properties.html")]
struct PropsFragment {
    props: Props,
    csrf: String,
}

/// The panel alone, for an htmx post: `status` tells htmx how it went, and the
/// timeline (and header) refresh through the `fd:ticket-{id}` event.
async fn answer(
    state: &UiState,
    viewer: &Viewer,
    id: TicketId,
    status: StatusCode,
    input: &FormData,
    errors: &FieldErrors,
    saved: Option<&str>,
) -> PageResult {
    let ticket = state.app.tickets().get(&viewer.actor, id).await?;
    let names = Names::load(state, &viewer.actor).await?;
    let staff = staff_members(state, &viewer.actor).await?;
    let mut props = Props::build(&ticket, &names, &staff, input, errors);
    if let Some(field) = saved {
        props = props.saved(field);
    }
    let fragment = PropsFragment {
        props,
        csrf: viewer.csrf.clone(),
    };
    let mut response = render(status, &fragment);
    if let Ok(event) = HeaderValue::from_str(&format!("fd:ticket-{}", id.get())) {
        response.headers_mut().insert("hx-trigger", event);
    }
    Ok(response)
}

/// The version the panel was drawn from; a missing or garbled one is a stale page.
fn version(form: &FormData, errors: &mut FieldErrors) -> Option<i64> {
    match form.get("version").trim().parse::<i64>() {
        Ok(version) => Some(version),
        Err(_) => {
            errors.add(PANEL, "this page is out of date; reload it and try again");
            None
        }
    }
}

/// After a write: the panel (htmx) or the page (post/redirect/get).
async fn finish(
    state: &UiState,
    viewer: &Viewer,
    id: TicketId,
    headers: &HeaderMap,
    form: FormData,
    result: Result<(), AppError>,
    field: &'static str,
) -> PageResult {
    let mut errors = FieldErrors::new();
    let status = match result {
        Ok(()) => {
            if !is_htmx(headers) {
                return done(state, viewer, &[id], id, "details", "#properties").await;
            }
            if let Ok(ticket) = state.app.tickets().get(&viewer.actor, id).await {
                state.live.publish(vec![ticket]);
            }
            let none = FormData::default();
            return answer(
                state,
                viewer,
                id,
                StatusCode::OK,
                &none,
                &errors,
                Some(field),
            )
            .await;
        }
        // Someone else changed the ticket first: the panel shows what it is now.
        Err(AppError::Conflict { message, .. }) => {
            errors.add(
                PANEL,
                format!("{message} The panel now shows the current values."),
            );
            StatusCode::CONFLICT
        }
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
                    ("status", "status"),
                    ("reason", "status"),
                    ("tags", "add_tag"),
                    ("tag", "add_tag"),
                ])
                .collect();
            errors.absorb(error, &fields, field)?;
            StatusCode::UNPROCESSABLE_ENTITY
        }
    };
    // A conflict shows the ticket as it is, not what was tried.
    let input = if status == StatusCode::CONFLICT {
        FormData::default()
    } else {
        form
    };
    if is_htmx(headers) {
        answer(state, viewer, id, status, &input, &errors, None).await
    } else {
        refused(state, viewer, id, input, errors, status).await
    }
}

/// The whole page again with the panel's error in place (without JavaScript).
async fn refused(
    state: &UiState,
    viewer: &Viewer,
    id: TicketId,
    input: FormData,
    errors: FieldErrors,
    status: StatusCode,
) -> PageResult {
    let attempt = Attempt::failed(input, errors, PANEL);
    let page = page(state, viewer, id, attempt, None).await?;
    Ok(render(status, &page))
}

/// `POST /agent/tickets/{id}/field`: one field (`field` names it, its value under
/// its own name), against `version`.
pub(super) async fn save_field(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
    headers: HeaderMap,
    Form(form): Form,
) -> PageResult {
    let id = ticket_id(&raw)?;
    let mut errors = FieldErrors::new();
    let Some(&(field, _)) = FIELDS.iter().find(|(name, _)| *name == form.get("field")) else {
        errors.add(PANEL, "choose a field of the panel");
        return reject(&state, &viewer, id, &headers, form, errors).await;
    };
    let version = version(&form, &mut errors);
    let value = form.get(field).trim();
    let tickets = state.app.tickets().via(Channel::Agent);
    let result = if field == "status" {
        match parse_status(value) {
            Some(status) if errors.is_empty() => tickets
                .transition(&viewer.actor, id, status, None, version)
                .await
                .map(drop),
            Some(_) => Ok(()),
            None => {
                errors.add(field, "choose a status from the list");
                Ok(())
            }
        }
    } else {
        let mut patch = TicketPatch {
            version,
            ..TicketPatch::default()
        };
        set_field(&mut patch, field, value, &mut errors);
        if field == "priority" {
            patch.priority_reason = optional_text(form.get("priority_reason"));
        }
        if errors.is_empty() {
            tickets.update(&viewer.actor, id, patch).await.map(drop)
        } else {
            Ok(())
        }
    };
    if !errors.is_empty() {
        return reject(&state, &viewer, id, &headers, form, errors).await;
    }
    finish(&state, &viewer, id, &headers, form, result, field).await
}

/// A post refused before any write (a bad value or field): 422 in place.
async fn reject(
    state: &UiState,
    viewer: &Viewer,
    id: TicketId,
    headers: &HeaderMap,
    form: FormData,
    errors: FieldErrors,
) -> PageResult {
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    if is_htmx(headers) {
        answer(state, viewer, id, status, &form, &errors, None).await
    } else {
        refused(state, viewer, id, form, errors, status).await
    }
}

/// `POST /agent/tickets/{id}/tags`: adds the tags typed in `add_tag` (separated by
/// commas) or removes the one named by `remove_tag`, as one change of the tag list.
pub(super) async fn save_tags(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
    headers: HeaderMap,
    Form(form): Form,
) -> PageResult {
    let id = ticket_id(&raw)?;
    let mut errors = FieldErrors::new();
    let version = version(&form, &mut errors);
    let ticket = state.app.tickets().get(&viewer.actor, id).await?;
    let mut tags = ticket.tags.clone();
    if let Some(gone) = form.opt("remove_tag") {
        tags.retain(|t| t != gone);
    } else {
        let added: Vec<&str> = form
            .get("add_tag")
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .collect();
        if added.is_empty() {
            errors.add("add_tag", "type a tag first");
        }
        for tag in added {
            if !tags.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
                tags.push(tag.to_owned());
            }
        }
    }
    if !errors.is_empty() {
        return reject(&state, &viewer, id, &headers, form, errors).await;
    }
    let patch = TicketPatch {
        version,
        tags: Some(tags),
        ..TicketPatch::default()
    };
    let result = state
        .app
        .tickets()
        .via(Channel::Agent)
        .update(&viewer.actor, id, patch)
        .await
        .map(drop);
    finish(&state, &viewer, id, &headers, form, result, "add_tag").await
}
