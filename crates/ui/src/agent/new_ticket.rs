//! `/agent/tickets/new`: the form an agent fills in while taking a call or a walk-in:
//! find the caller (or create them), their contact details, the problem, impact and
//! urgency with the derived priority shown as it changes, and where it goes.

use super::{Sidebar, derived_priority};
use crate::UiState;
use crate::chrome::Chrome;
use crate::custom_fields;
use crate::error::{PageResult, render};
use crate::form::{FieldErrors, Form, FormData};
use crate::session::{Staff, Viewer};
use crate::ticket_templates::{StartFrom, TemplateChoice, TemplateQuery};
use crate::view::{
    Badge, Choice, Names, category_choices, group_choices, impact_choices, priority_badge,
    service_choices, type_choices, urgency_choices,
};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use ferrodesk_app::{AppError, InteractionInput, NewTicketInput, RequesterRef, UpdateUserInput};
use ferrodesk_domain::{
    CallDirection, CategoryId, Channel, EmailAddress, GroupId, Impact, Role, ServiceId, TicketType,
    Urgency,
};

pub(crate) fn routes() -> Router<UiState> {
    Router::new().route("/tickets/new", get(new_page).post(create))
}

#[derive(Template)]
#[template(path = "agent/new_ticket.html")]
struct NewTicketPage {
    chrome: Chrome,
    sidebar: Sidebar,
    input: FormData,
    errors: FieldErrors,
    channel: String,
    direction: String,
    priority: Badge,
    type_options: Vec<Choice>,
    impact_options: Vec<Choice>,
    urgency_options: Vec<Choice>,
    category_options: Vec<Choice>,
    service_options: Vec<Choice>,
    group_options: Vec<Choice>,
    assign_to_me: bool,
    custom_fields: crate::custom_fields::CfInputs,
    templates: Vec<TemplateChoice>,
    template_notice: Option<&'static str>,
    template_action: &'static str,
}

async fn form_page(
    state: &UiState,
    viewer: &Viewer,
    input: FormData,
    errors: FieldErrors,
) -> PageResult<NewTicketPage> {
    form_page_from(state, viewer, input, errors, StartFrom::default()).await
}

async fn form_page_from(
    state: &UiState,
    viewer: &Viewer,
    input: FormData,
    errors: FieldErrors,
    start: StartFrom,
) -> PageResult<NewTicketPage> {
    let templates = TemplateChoice::offered(state, viewer, start.current).await?;
    let names = Names::load(state, &viewer.actor).await?;
    let sidebar = Sidebar::load(state, &viewer.actor, &names, "new").await?;
    let is_fresh = input.get("csrf").is_empty();
    let impact = input.opt("impact").unwrap_or("individual").to_owned();
    let urgency = input.opt("urgency").unwrap_or("medium").to_owned();
    let custom_fields = custom_field_inputs(state, viewer, &input, &errors).await?;
    Ok(NewTicketPage {
        chrome: Chrome::new(viewer, "agent", "New ticket").nav("new"),
        sidebar,
        channel: input.opt("channel").unwrap_or("phone").to_owned(),
        direction: input.opt("call_direction").unwrap_or("inbound").to_owned(),
        priority: priority_badge(derived_priority(&impact, &urgency)),
        type_options: type_choices(input.opt("ticket_type").unwrap_or("incident")),
        impact_options: impact_choices(&impact),
        urgency_options: urgency_choices(&urgency),
        category_options: category_choices(&names, input.get("category_id"), "Choose later"),
        service_options: service_choices(&names, input.get("service_id"), "Not sure / none"),
        group_options: group_choices(&names, input.get("group_id"), "Route automatically"),
        assign_to_me: is_fresh || input.checked("assign_to_me"),
        custom_fields,
        templates,
        template_notice: start.notice,
        template_action: "/agent/tickets/new",
        input,
        errors,
    })
}

/// The inputs of the custom fields for the type and category the form names.
async fn custom_field_inputs(
    state: &UiState,
    viewer: &Viewer,
    input: &FormData,
    errors: &FieldErrors,
) -> PageResult<custom_fields::CfInputs> {
    let (ticket_type, category_id) = custom_fields::target(input);
    let fields = custom_fields::applying(state, viewer, ticket_type, category_id).await?;
    Ok(custom_fields::CfInputs {
        fields: custom_fields::inputs(state, viewer, &fields, input, errors).await?,
        save_to: None,
        csrf: viewer.csrf.clone(),
    })
}

/// The plain form, or the form started from `?template=`.
async fn new_page(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Query(query): Query<TemplateQuery>,
) -> PageResult {
    let (input, start) = StartFrom::load(&state, &viewer, &query).await?;
    let page = form_page_from(&state, &viewer, input, FieldErrors::new(), start).await?;
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

/// The subject limit of the ticket service, checked before the caller is created so a
/// rejected form leaves nothing behind.
const MAX_SUBJECT_CHARS: usize = ferrodesk_app::ticket::MAX_SUBJECT_CHARS;

async fn create(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Form(form): Form,
) -> PageResult {
    let mut errors = FieldErrors::new();
    let actor = &viewer.actor;

    // Check everything that can be checked before anything is written.
    let email = form.get("requester_email").trim().to_owned();
    if email.is_empty() {
        errors.add(
            "requester_email",
            "find the caller, or type their email address",
        );
    } else if let Err(invalid) = EmailAddress::parse(&email) {
        errors.add("requester_email", invalid.message);
    }
    let subject = form.get("subject").trim().to_owned();
    if subject.is_empty() {
        errors.add("subject", "sum the problem up in one line");
    } else if subject.chars().count() > MAX_SUBJECT_CHARS {
        errors.add(
            "subject",
            format!("keep it to {MAX_SUBJECT_CHARS} characters"),
        );
    }
    let channel = match form.get("channel") {
        "phone" => Channel::Phone,
        "walk_in" => Channel::WalkIn,
        "other" => Channel::Agent,
        _ => {
            errors.add("channel", "choose how the caller reached you");
            Channel::Agent
        }
    };
    let minutes = match form.opt("call_minutes").map(str::parse::<u32>) {
        None => 0,
        Some(Ok(m)) if m <= 1_440 => m,
        Some(_) => {
            errors.add(
                "call_minutes",
                "give the length in whole minutes, at most 1440",
            );
            0
        }
    };
    let ticket_type = match TicketType::parse(form.get("ticket_type")) {
        Ok(t) => Some(t),
        Err(_) => {
            errors.add("ticket_type", "choose a type from the list");
            None
        }
    };
    let impact = Impact::parse(form.get("impact")).ok();
    if impact.is_none() {
        errors.add("impact", "choose who is affected");
    }
    let urgency = Urgency::parse(form.get("urgency")).ok();
    if urgency.is_none() {
        errors.add("urgency", "choose how urgent it is");
    }
    let category_id = optional_id(&form, &mut errors, "category_id", CategoryId);
    let service_id = optional_id(&form, &mut errors, "service_id", ServiceId);
    let group_id = optional_id(&form, &mut errors, "group_id", GroupId);
    let (cf_type, cf_category) = custom_fields::target(&form);
    let cf_fields = custom_fields::applying(&state, &viewer, cf_type, cf_category).await?;
    let cf_values =
        custom_fields::form_values(&state, &viewer, &cf_fields, &form, false, &mut errors).await?;
    if !errors.is_empty() {
        let page = form_page(&state, &viewer, form, errors).await?;
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }

    let directory = state.app.directory();
    let caller = match directory
        .find_or_create_customer(actor, &email, form.opt("requester_name"))
        .await
    {
        Ok(caller) => caller,
        Err(error) => {
            errors.absorb(
                error,
                &[("email", "requester_email"), ("name", "requester_name")],
                "requester_email",
            )?;
            let page = form_page(&state, &viewer, form, errors).await?;
            return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    // Keep the caller's contact details current: the desk learns them on the phone.
    let phone = form.opt("requester_phone").map(str::to_owned);
    let location = form.opt("requester_location").map(str::to_owned);
    if caller.role == Role::Customer
        && ((phone.is_some() && phone != caller.phone)
            || (location.is_some() && location != caller.location))
    {
        let update = UpdateUserInput {
            phone: phone
                .clone()
                .filter(|p| Some(p) != caller.phone.as_ref())
                .map(Some),
            location: location
                .clone()
                .filter(|l| Some(l) != caller.location.as_ref())
                .map(Some),
            ..UpdateUserInput::default()
        };
        if let Err(error) = directory.update_user(actor, caller.id, update).await {
            errors.absorb(
                error,
                &[
                    ("phone", "requester_phone"),
                    ("location", "requester_location"),
                ],
                "requester_email",
            )?;
            let page = form_page(&state, &viewer, form, errors).await?;
            return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    }

    let interaction = match channel {
        Channel::Phone => Some(InteractionInput::Call {
            direction: match form.get("call_direction") {
                "outbound" => CallDirection::Outbound,
                _ => CallDirection::Inbound,
            },
            number: phone.clone().or_else(|| caller.phone.clone()),
            duration_seconds: i64::from(minutes) * 60,
            body: String::new(),
            visibility: None,
        }),
        Channel::WalkIn => Some(InteractionInput::WalkIn {
            location: location.clone().or_else(|| caller.location.clone()),
            body: String::new(),
            visibility: None,
        }),
        _ => None,
    };
    let input = NewTicketInput {
        subject,
        description: form.get("description").to_owned(),
        ticket_type,
        impact,
        urgency,
        category_id,
        service_id,
        location: form.opt("location").map(str::to_owned),
        device: form.opt("device").map(str::to_owned),
        requester: Some(RequesterRef::Id(caller.id)),
        channel: Some(channel),
        group_id,
        assignee_id: form.checked("assign_to_me").then_some(actor.user_id),
        interaction,
        custom_fields: cf_values.clone(),
        ..NewTicketInput::default()
    };
    match state
        .app
        .tickets()
        .via(Channel::Agent)
        .create(actor, input, None)
        .await
    {
        Ok(created) => {
            let ticket = created.into_inner();
            let id = ticket.id;
            state.live.publish(vec![ticket]);
            Ok(Redirect::to(&format!("/agent/tickets/{}?done=created", id.get())).into_response())
        }
        Err(error) => {
            let fields = [
                ("subject", "subject"),
                ("description", "description"),
                ("location", "location"),
                ("device", "device"),
                ("category", "category_id"),
                ("service", "service_id"),
                ("group", "group_id"),
                ("duration_seconds", "call_minutes"),
                ("number", "requester_phone"),
            ];
            if let AppError::Forbidden { message } = error {
                errors.add("", message);
            } else if let Err(other) =
                custom_fields::spread(&cf_fields, &cf_values, error, &mut errors)
            {
                errors.absorb(other, &fields, "")?;
            }
            let page = form_page(&state, &viewer, form, errors).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}
