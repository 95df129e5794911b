//! `/portal/...`: the self-service portal. Customers report a problem, follow their
//! requests and their status, reply, and reopen a resolved request. Pages are simple
//! and work on a phone.
//!
//! What a customer sees is decided by the ticket service: their own requests (and
//! their organization's, when it shares), never internal notes or internal fields.
//! Attachments are not offered: the app and store have no attachment storage yet.

use crate::UiState;
use crate::chrome::Chrome;
use crate::custom_fields;
use crate::error::{PageResult, render};
use crate::form::{FieldErrors, Form, FormData};
use crate::form::{UPLOAD_FORM_LIMIT, store_files};
use crate::session::Viewer;
use crate::ticket_templates::{StartFrom, TemplateChoice, TemplateQuery};
use crate::view::{
    Badge, Choice, Names, TimelineItem, Times, When, category_choices, portal_status_badge,
    service_choices, timeline,
};
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use ferrodesk_app::{
    EventPage, InteractionInput, NewTicketInput, PageRequest, TicketFilter, TicketQuery, TicketSort,
};
use ferrodesk_domain::{
    CategoryId, Channel, Impact, LinkKind, ServiceId, TicketStatus, TicketType, Urgency,
};
use serde::Deserialize;

pub(crate) fn routes() -> Router<UiState> {
    Router::new()
        .route("/", get(list))
        .route(
            "/new",
            get(new_page)
                .post(submit)
                .layer(DefaultBodyLimit::max(UPLOAD_FORM_LIMIT)),
        )
        .route("/tickets/{id}", get(show))
        .route(
            "/tickets/{id}/reply",
            post(reply).layer(DefaultBodyLimit::max(UPLOAD_FORM_LIMIT)),
        )
        .route("/tickets/{id}/reopen", post(reopen))
        .merge(crate::portal_kb::routes())
        .merge(crate::rating::portal_routes())
}

/// A request in the customer's list.
#[derive(Debug, Clone)]
struct RequestCard {
    id: i64,
    number: String,
    subject: String,
    status: Badge,
    updated: When,
    requester: String,
}

#[derive(Template)]
#[template(path = "portal/list.html")]
struct ListPage {
    chrome: Chrome,
    show: &'static str,
    requests: Vec<RequestCard>,
    next_href: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    show: Option<String>,
    after: Option<String>,
    done: Option<String>,
}

async fn list(
    State(state): State<UiState>,
    viewer: Viewer,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let show = match query.show.as_deref() {
        Some("closed") => "closed",
        _ => "open",
    };
    let filter = if show == "open" {
        TicketFilter {
            open_only: true,
            ..TicketFilter::default()
        }
    } else {
        TicketFilter {
            statuses: vec![TicketStatus::Resolved, TicketStatus::Closed],
            ..TicketFilter::default()
        }
    };
    let page = state
        .app
        .tickets()
        .list(
            &viewer.actor,
            &TicketQuery {
                filter,
                sort: TicketSort::UpdatedDesc,
                page: PageRequest {
                    cursor: query
                        .after
                        .as_deref()
                        .and_then(ferrodesk_app::Cursor::decode),
                    limit: 25,
                },
            },
        )
        .await?;
    let mut names = Names::default();
    names.insert_user(viewer.user.clone());
    names
        .add_users(
            &state,
            &viewer.actor,
            page.items.iter().map(|t| t.requester_id),
        )
        .await?;
    let times = Times::new(&viewer.user, state.app.now());
    let requests = page
        .items
        .iter()
        .map(|t| RequestCard {
            id: t.id.get(),
            number: t.id.display_number(),
            subject: t.subject.clone(),
            status: portal_status_badge(t.status),
            updated: times.at(t.updated_at),
            // Colleagues' requests show in a sharing organization; customers may not
            // read other people's directory entries, so the name may be unknown.
            requester: if t.requester_id == viewer.actor.user_id {
                String::new()
            } else {
                names
                    .user(t.requester_id)
                    .map(|u| u.name.clone())
                    .unwrap_or_else(|| "a colleague".to_owned())
            },
        })
        .collect();
    let next_href = page.next_cursor.map(|c| {
        format!(
            "/portal?show={show}&after={}",
            crate::form::url_encode(&c.encode())
        )
    });
    let page = ListPage {
        chrome: Chrome::new(&viewer, "portal", "My requests")
            .nav(show)
            .notice(query.done.as_deref()),
        show,
        requests,
        next_href,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "portal/new.html")]
struct NewPage {
    chrome: Chrome,
    input: FormData,
    errors: FieldErrors,
    category_options: Vec<Choice>,
    service_options: Vec<Choice>,
    urgency: String,
    impact: String,
    max_file_mb: usize,
    custom_fields: crate::custom_fields::CfInputs,
    templates: Vec<TemplateChoice>,
    template_notice: Option<&'static str>,
    template_action: &'static str,
}

async fn new_form(
    state: &UiState,
    viewer: &Viewer,
    input: FormData,
    errors: FieldErrors,
) -> PageResult<NewPage> {
    new_form_from(state, viewer, input, errors, StartFrom::default()).await
}

async fn new_form_from(
    state: &UiState,
    viewer: &Viewer,
    input: FormData,
    errors: FieldErrors,
    start: StartFrom,
) -> PageResult<NewPage> {
    let names = Names::load(state, &viewer.actor).await?;
    let (ticket_type, category_id) = custom_fields::target(&input);
    let fields = custom_fields::applying(state, viewer, ticket_type, category_id).await?;
    let custom_fields = custom_fields::CfInputs {
        fields: custom_fields::inputs(state, viewer, &fields, &input, &errors).await?,
        save_to: None,
        csrf: viewer.csrf.clone(),
    };
    let templates = TemplateChoice::offered(state, viewer, start.current).await?;
    Ok(NewPage {
        chrome: Chrome::new(viewer, "portal", "Report a problem").nav("new"),
        category_options: category_choices(&names, input.get("category_id"), "Not sure"),
        service_options: service_choices(&names, input.get("service_id"), "Not sure"),
        urgency: input.opt("urgency").unwrap_or("medium").to_owned(),
        impact: input.opt("impact").unwrap_or("individual").to_owned(),
        max_file_mb: state.app.attachments().max_bytes() / (1024 * 1024),
        custom_fields,
        templates,
        template_notice: start.notice,
        template_action: "/portal/new",
        input,
        errors,
    })
}

/// The plain form, or the form started from `?template=`.
async fn new_page(
    State(state): State<UiState>,
    viewer: Viewer,
    Query(query): Query<TemplateQuery>,
) -> PageResult {
    let (input, start) = StartFrom::load(&state, &viewer, &query).await?;
    let page = new_form_from(&state, &viewer, input, FieldErrors::new(), start).await?;
    Ok(render(StatusCode::OK, &page))
}

fn optional_id<T>(
    form: &FormData,
    errors: &mut FieldErrors,
    field: &str,
    make: fn(i64) -> T,
) -> Option<T> {
    let text = form.opt(field)?;
    match text.parse::<i64>() {
        Ok(id) => Some(make(id)),
        Err(_) => {
            errors.add(field, "choose an entry from the list");
            None
        }
    }
}

async fn submit(State(state): State<UiState>, viewer: Viewer, Form(form): Form) -> PageResult {
    let mut errors = FieldErrors::new();
    if form.opt("subject").is_none() {
        errors.add("subject", "tell us in a few words what is wrong");
    }
    if form.opt("description").is_none() {
        errors.add("description", "describe the problem so we can help");
    }
    let category_id = optional_id(&form, &mut errors, "category_id", CategoryId);
    let service_id = optional_id(&form, &mut errors, "service_id", ServiceId);
    let urgency = match Urgency::parse(form.get("urgency")) {
        Ok(u) => Some(u),
        Err(_) => {
            errors.add("urgency", "choose how much this stops your work");
            None
        }
    };
    let impact = match Impact::parse(form.get("impact")) {
        Ok(i) => Some(i),
        Err(_) => {
            errors.add("impact", "choose who is affected");
            None
        }
    };
    let (cf_type, cf_category) = custom_fields::target(&form);
    let cf_fields = custom_fields::applying(&state, &viewer, cf_type, cf_category).await?;
    let cf_values =
        custom_fields::form_values(&state, &viewer, &cf_fields, &form, false, &mut errors).await?;
    // Set by a template the form started from; a bad value is not the person's doing.
    let ticket_type = form
        .opt("ticket_type")
        .and_then(|t| TicketType::parse(t).ok());
    let mut attachments = Vec::new();
    if errors.is_empty() {
        match store_files(&state.app, &form).await {
            Ok(stored) => attachments = stored,
            Err(error) => errors.absorb(error, &[("file", "attachments")], "attachments")?,
        }
    }
    if errors.is_empty() {
        let input = NewTicketInput {
            attachments,
            subject: form.get("subject").to_owned(),
            description: form.get("description").to_owned(),
            impact,
            urgency,
            ticket_type,
            category_id,
            service_id,
            device: form.opt("device").map(str::to_owned),
            location: form.opt("location").map(str::to_owned),
            channel: Some(Channel::Portal),
            custom_fields: cf_values.clone(),
            ..NewTicketInput::default()
        };
        match state
            .app
            .tickets()
            .via(Channel::Portal)
            .create(&viewer.actor, input, None)
            .await
        {
            Ok(created) => {
                let ticket = created.into_inner();
                let id = ticket.id;
                state.live.publish(vec![ticket]);
                // Suggested articles opened before this submit did not deflect it.
                state.app.kb().request_submitted(&viewer.actor, id).await?;
                return Ok(
                    Redirect::to(&format!("/portal/tickets/{}?done=submitted", id.get()))
                        .into_response(),
                );
            }
            Err(error) => {
                let fields = [
                    ("subject", "subject"),
                    ("description", "description"),
                    ("device", "device"),
                    ("location", "location"),
                    ("category", "category_id"),
                    ("service", "service_id"),
                ];
                if let Err(other) =
                    custom_fields::spread(&cf_fields, &cf_values, error, &mut errors)
                {
                    errors.absorb(other, &fields, "")?;
                }
            }
        }
    }
    let page = new_form(&state, &viewer, form, errors).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// A request as its requester sees it.
#[derive(Debug, Clone)]
struct RequestView {
    id: i64,
    number: String,
    subject: String,
    status: Badge,
    status_help: &'static str,
    category: String,
    service: String,
    device: String,
    created: When,
    updated: When,
    is_resolved: bool,
    is_closed: bool,
}

#[derive(Template)]
#[template(path = "portal/ticket.html")]
struct TicketPage {
    chrome: Chrome,
    r: RequestView,
    timeline: Vec<TimelineItem>,
    input: FormData,
    errors: FieldErrors,
    max_file_mb: usize,
    /// The customer-visible custom fields' values (label, value).
    custom_values: Vec<(String, String)>,
}

fn status_help(status: TicketStatus) -> &'static str {
    match status {
        TicketStatus::New => "We have your request and will look at it shortly.",
        TicketStatus::Open => "Someone on the service desk is working on this.",
        TicketStatus::PendingCustomer => "We need something from you. Please reply below.",
        TicketStatus::PendingVendor => "We are waiting on a supplier and will update you.",
        TicketStatus::PendingScheduled => {
            "This is scheduled; we will be in touch at the planned time."
        }
        TicketStatus::Resolved => "We think this is solved. If it is not, reopen it below.",
        TicketStatus::Closed => {
            "This request is closed. Report a new problem if you need more help."
        }
    }
}

async fn ticket_page(
    state: &UiState,
    viewer: &Viewer,
    raw: &str,
    input: FormData,
    errors: FieldErrors,
    done: Option<&str>,
) -> PageResult<TicketPage> {
    let id = crate::agent::ticket_id(raw)?;
    let tickets = state.app.tickets();
    let ticket = tickets.get(&viewer.actor, id).await?;
    let events = tickets
        .events(&viewer.actor, id, &EventPage::default())
        .await?;
    let mut names = Names::load(state, &viewer.actor).await?;
    names.insert_user(viewer.user.clone());
    names
        .add_users(state, &viewer.actor, crate::view::mentioned_users(&events))
        .await?;
    let times = Times::new(&viewer.user, state.app.now());
    let mut items = timeline(&events, &ticket, &names, &times, &viewer.actor);
    if let Some(first) = items.iter_mut().find(|i| i.kind == "created") {
        first.is_message = true;
        first.body = Some(if ticket.description.is_empty() {
            // The split's own events are internal; its link is what the requester sees.
            let links = tickets.links(&viewer.actor, id).await?;
            opened_without_description(&links)
        } else {
            ticket.description.clone()
        });
    }
    // Customers read the conversation; status changes show in the banner.
    items.retain(|i| i.is_message || i.kind == "created");
    let view = RequestView {
        id: ticket.id.get(),
        number: ticket.id.display_number(),
        subject: ticket.subject.clone(),
        status: portal_status_badge(ticket.status),
        status_help: status_help(ticket.status),
        category: names.category_or(ticket.category_id, ""),
        service: names.service_or(ticket.service_id, ""),
        device: ticket.device.clone().unwrap_or_default(),
        created: times.at(ticket.created_at),
        updated: times.at(ticket.updated_at),
        is_resolved: ticket.status == TicketStatus::Resolved,
        is_closed: ticket.status == TicketStatus::Closed,
    };
    let custom_values = state
        .app
        .custom_fields()
        .display_values(&viewer.actor, id)
        .await?
        .into_iter()
        .map(|(field, text)| (field.spec.label, text))
        .collect();
    Ok(TicketPage {
        custom_values,
        chrome: Chrome::new(
            viewer,
            "portal",
            format!("{} {}", view.number, view.subject),
        )
        .notice(done),
        r: view,
        timeline: items,
        input,
        errors,
        max_file_mb: state.app.attachments().max_bytes() / (1024 * 1024),
    })
}

/// What the first message says for a request opened without a description: a part
/// split from another request says so (its messages stay on that request).
fn opened_without_description(links: &[ferrodesk_app::TicketLink]) -> String {
    let split_from = links
        .iter()
        .find(|l| l.kind == LinkKind::SplitFrom && l.is_source);
    match split_from {
        Some(link) => format!(
            "The service desk split this from your request {} ({}) so that each problem is followed on its own. The earlier messages are on that request.",
            link.other.display_number(),
            link.other_subject
        ),
        None => "No description was given.".to_owned(),
    }
}

#[derive(Debug, Deserialize)]
struct ShowQuery {
    done: Option<String>,
}

async fn show(
    State(state): State<UiState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    Query(query): Query<ShowQuery>,
) -> PageResult {
    let page = ticket_page(
        &state,
        &viewer,
        &raw,
        FormData::default(),
        FieldErrors::new(),
        query.done.as_deref(),
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

async fn reply(
    State(state): State<UiState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    let id = crate::agent::ticket_id(&raw)?;
    let mut errors = FieldErrors::new();
    let body = form.get("body").to_owned();
    if body.trim().is_empty() {
        errors.add("body", "write your message first");
    } else {
        let result = match store_files(&state.app, &form).await {
            Ok(attachments) => {
                state
                    .app
                    .tickets()
                    .via(Channel::Portal)
                    .add_interaction_with(
                        &viewer.actor,
                        id,
                        InteractionInput::Reply { body },
                        attachments,
                        None,
                    )
                    .await
            }
            Err(error) => Err(error),
        };
        match result {
            Ok(_) => {
                publish(&state, &viewer, id).await;
                return Ok(
                    Redirect::to(&format!("/portal/tickets/{}?done=reply#reply", id.get()))
                        .into_response(),
                );
            }
            Err(error) => errors.absorb(
                error,
                &[
                    ("body", "body"),
                    ("status", "body"),
                    ("file", "attachments"),
                ],
                "body",
            )?,
        }
    }
    let page = ticket_page(&state, &viewer, &raw, form, errors, None).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

async fn reopen(
    State(state): State<UiState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    let id = crate::agent::ticket_id(&raw)?;
    let mut errors = FieldErrors::new();
    let result = state
        .app
        .tickets()
        .via(Channel::Portal)
        .transition(
            &viewer.actor,
            id,
            TicketStatus::Open,
            form.opt("reason"),
            None,
        )
        .await;
    match result {
        Ok(_) => {
            publish(&state, &viewer, id).await;
            Ok(
                Redirect::to(&format!("/portal/tickets/{}?done=reopened", id.get()))
                    .into_response(),
            )
        }
        Err(error) => {
            // The reopen form shows only on resolved requests; say it at the top.
            errors.absorb(error, &[("reason", "reason")], "")?;
            let page = ticket_page(&state, &viewer, &raw, form, errors, None).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

/// Tells agents' open pages that the customer changed a ticket.
async fn publish(state: &UiState, viewer: &Viewer, id: ferrodesk_domain::TicketId) {
    // The customer sees a redacted copy; staff listeners only need its routing fields
    // (group, assignee, owner), which are not redacted.
    if let Ok(ticket) = state.app.tickets().get(&viewer.actor, id).await {
        state.live.publish(vec![ticket]);
    }
}
