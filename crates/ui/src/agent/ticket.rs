//! `/agent/tickets/{id}`: one ticket with its header, full timeline, the requester's
//! other open tickets and links, and every action an agent takes on it: reply or note
//! (optionally changing the status with it), status, details (priority with a reason
//! when overriding the matrix, category, group, assignee...), escalation, logging a
//! call or walk-in, split, link and merge.
//!
//! Every action posts a form, calls one service, and redirects back on success
//! (post/redirect/get) or shows the page again with the errors next to the fields.

use super::{Sidebar, staff_members};
use crate::UiState;
use crate::chrome::Chrome;
use crate::error::{PageError, PageResult, render};
use crate::form::{FieldErrors, Form, FormData};
use crate::session::{Staff, Viewer};
use crate::view::{
    Badge, Choice, Names, TicketRef, TicketRow, TimelineItem, Times, When, category_choices,
    channel_label, group_choices, impact_choices, impact_label, link_label, mentioned_users,
    priority_badge, service_choices, status_badge, status_word, timeline, type_choices, type_label,
    urgency_choices, urgency_label,
};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use changes::{change_status, details, escalate, log_interaction, reply, set_field};
use ferrodesk_app::{
    AppError, EscalateInput, EventPage, InteractionChanges, InteractionInput, LinkRequestKind,
    PageRequest, SplitPartInput, TicketFilter, TicketPatch, TicketQuery, TicketSort,
};
use ferrodesk_domain::{
    CallDirection, CategoryId, Channel, EscalationKind, Event, GroupId, Impact, Priority,
    ServiceId, Ticket, TicketId, TicketStatus, TicketType, Urgency, User, UserId, Visibility,
};
use links::{link, merge, split};
use serde::Deserialize;

mod changes;
pub(crate) mod composer;
mod links;
pub(crate) mod macros;
pub(crate) mod presence;
mod properties;
mod requester;
mod vendors;

pub(crate) fn routes() -> Router<UiState> {
    Router::new()
        .route("/tickets/{id}", get(show))
        .route("/tickets/{id}/live", get(live_fragment))
        .route(
            "/tickets/{id}/reply",
            post(reply).layer(axum::extract::DefaultBodyLimit::max(
                crate::form::UPLOAD_FORM_LIMIT,
            )),
        )
        .route("/tickets/{id}/status", post(change_status))
        .route("/tickets/{id}/details", post(details))
        .route("/tickets/{id}/field", post(properties::save_field))
        .route("/tickets/{id}/tags", post(properties::save_tags))
        .route("/tickets/{id}/escalate", post(escalate))
        .route("/tickets/{id}/log", post(log_interaction))
        .route("/tickets/{id}/split", post(split))
        .route("/tickets/{id}/link", post(link))
        .route("/tickets/{id}/merge", post(merge))
        .merge(vendors::routes())
        .merge(macros::routes())
        .merge(composer::routes())
        .route("/tickets/{id}/presence", post(presence::report))
        .route("/tickets/{id}/presence/leave", post(presence::leave))
        .route("/tickets/{id}/mentions", get(presence::mentions))
}

/// The most timeline events a page shows (pages of 500 from the service).
const MAX_EVENTS: usize = 2_000;

/// Reads a ticket number from the path (`10042` or `#10042`); anything else is a 404.
pub(crate) fn ticket_id(raw: &str) -> PageResult<TicketId> {
    raw.trim()
        .trim_start_matches('#')
        .parse::<i64>()
        .map(TicketId)
        .map_err(|_| PageError::NotFound)
}

/// The header of a ticket.
#[derive(Debug, Clone)]
pub(crate) struct TicketView {
    pub id: i64,
    pub number: String,
    pub subject: String,
    pub status: Badge,
    pub priority: Badge,
    pub is_priority_overridden: bool,
    pub priority_reason: String,
    pub derived_priority: &'static str,
    pub ticket_type: &'static str,
    pub channel: &'static str,
    pub impact: &'static str,
    pub urgency: &'static str,
    pub requester: String,
    pub assignee: String,
    pub is_assigned_to_me: bool,
    pub assignee_id: String,
    pub group: String,
    pub tier: i64,
    pub external_ref: String,
    pub escalation_level: i64,
    pub created: When,
    pub updated: When,
    pub is_closed: bool,
    pub merged_into: Option<TicketRef>,
    pub sla: Vec<crate::sla::SlaBadge>,
}

impl TicketView {
    fn new(ticket: &Ticket, names: &Names, times: &Times, viewer: &Viewer) -> TicketView {
        TicketView {
            id: ticket.id.get(),
            number: ticket.id.display_number(),
            subject: ticket.subject.clone(),
            status: status_badge(ticket.status),
            priority: priority_badge(ticket.priority),
            is_priority_overridden: ticket.is_priority_overridden(),
            priority_reason: ticket.priority_reason.clone().unwrap_or_default(),
            derived_priority: priority_badge(ticket.derived_priority()).label,
            ticket_type: type_label(ticket.ticket_type),
            channel: channel_label(ticket.channel),
            impact: impact_label(ticket.impact),
            urgency: urgency_label(ticket.urgency),
            requester: names.user_name(ticket.requester_id),
            assignee: names.user_or(ticket.assignee_id, "Unassigned"),
            is_assigned_to_me: ticket.assignee_id == Some(viewer.actor.user_id),
            assignee_id: ticket
                .assignee_id
                .map(|a| a.to_string())
                .unwrap_or_default(),
            group: names.group_or(ticket.group_id, "No group"),
            tier: ticket.tier.get(),
            external_ref: ticket.external_ref.clone().unwrap_or_default(),
            escalation_level: ticket.escalation_level,
            created: times.at(ticket.created_at),
            updated: times.at(ticket.updated_at),
            is_closed: ticket.status == TicketStatus::Closed,
            merged_into: ticket.merged_into.map(TicketRef::new),
            sla: Vec::new(),
        }
    }
}

/// A linked ticket.
#[derive(Debug, Clone)]
pub(crate) struct LinkRow {
    pub id: i64,
    pub number: String,
    pub label: &'static str,
    pub subject: String,
    pub status: Badge,
}

/// A labelled group of options (`<optgroup>`).
#[derive(Debug, Clone)]
pub(crate) struct OptionGroup {
    pub label: String,
    pub choices: Vec<Choice>,
}

/// The values of the details form: what it shows, and what it showed when the page
/// was rendered (`was`), so only fields the agent changed are sent and a concurrent
/// change to another field is never reverted.
#[derive(Debug, Clone, Default)]
struct DetailValues {
    ticket_type: String,
    impact: String,
    urgency: String,
    priority: String,
    priority_reason: String,
    category_id: String,
    service_id: String,
    group_id: String,
    assignee_id: String,
    owner_id: String,
    location: String,
    device: String,
    external_ref: String,
}

const DETAIL_FIELDS: &[&str] = &[
    "ticket_type",
    "impact",
    "urgency",
    "priority",
    "category_id",
    "service_id",
    "group_id",
    "assignee_id",
    "owner_id",
    "location",
    "device",
    "external_ref",
];

impl DetailValues {
    fn of(ticket: &Ticket) -> DetailValues {
        let id = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        DetailValues {
            ticket_type: ticket.ticket_type.to_string(),
            impact: ticket.impact.to_string(),
            urgency: ticket.urgency.to_string(),
            priority: if ticket.is_priority_overridden() {
                ticket.priority.to_string()
            } else {
                String::new()
            },
            priority_reason: String::new(),
            category_id: id(ticket.category_id.map(CategoryId::get)),
            service_id: id(ticket.service_id.map(ServiceId::get)),
            group_id: id(ticket.group_id.map(GroupId::get)),
            assignee_id: id(ticket.assignee_id.map(UserId::get)),
            owner_id: id(ticket.owner_id.map(UserId::get)),
            location: ticket.location.clone().unwrap_or_default(),
            device: ticket.device.clone().unwrap_or_default(),
            external_ref: ticket.external_ref.clone().unwrap_or_default(),
        }
    }

    fn from_form(form: &FormData, prefix: &str) -> DetailValues {
        let get = |name: &str| form.get(&format!("{prefix}{name}")).trim().to_owned();
        DetailValues {
            ticket_type: get("ticket_type"),
            impact: get("impact"),
            urgency: get("urgency"),
            priority: get("priority"),
            priority_reason: get("priority_reason"),
            category_id: get("category_id"),
            service_id: get("service_id"),
            group_id: get("group_id"),
            assignee_id: get("assignee_id"),
            owner_id: get("owner_id"),
            location: get("location"),
            device: get("device"),
            external_ref: get("external_ref"),
        }
    }

    fn field(&self, name: &str) -> &str {
        match name {
            "ticket_type" => &self.ticket_type,
            "impact" => &self.impact,
            "urgency" => &self.urgency,
            "priority" => &self.priority,
            "category_id" => &self.category_id,
            "service_id" => &self.service_id,
            "group_id" => &self.group_id,
            "assignee_id" => &self.assignee_id,
            "owner_id" => &self.owner_id,
            "location" => &self.location,
            "device" => &self.device,
            "external_ref" => &self.external_ref,
            _ => "",
        }
    }
}

#[derive(Template)]
#[template(path = "agent/ticket.html")]
struct TicketPage {
    chrome: Chrome,
    sidebar: Sidebar,
    t: TicketView,
    timeline: Vec<TimelineItem>,
    requester: requester::PersonCard,
    merge_preview: Option<TicketRow>,
    links: Vec<LinkRow>,
    errors: FieldErrors,
    input: FormData,
    panel: &'static str,
    composer_kind: String,
    /// What the composer shows around its text box.
    composer: composer::ComposerView,
    then_status: Vec<Choice>,
    props: properties::Props,
    escalate_options: Vec<Choice>,
    link_kinds: Vec<Choice>,
    /// The others on the ticket, for the strip.
    present: Vec<crate::view::PresentView>,
    /// The newest event the composer's draft was written against.
    seen_event_id: String,
    /// Someone replied while the agent wrote: the warning instead of sending.
    meanwhile: Option<presence::Meanwhile>,
    me: i64,
    csrf: String,
    oob: bool,
    custom_fields_panel: super::custom_fields_panel::CfPanel,
}

#[derive(Template)]
#[template(path = "agent/ticket_live.html")]
struct TicketLive {
    t: TicketView,
    timeline: Vec<TimelineItem>,
    me: i64,
    csrf: String,
    oob: bool,
}

/// What a re-rendered page keeps from a failed form.
struct Attempt {
    input: FormData,
    errors: FieldErrors,
    panel: &'static str,
    meanwhile: Option<Box<ferrodesk_app::RepliedMeanwhile>>,
}

impl Attempt {
    fn none() -> Attempt {
        Attempt::failed(FormData::default(), FieldErrors::new(), "")
    }

    fn failed(input: FormData, errors: FieldErrors, panel: &'static str) -> Attempt {
        Attempt {
            input,
            errors,
            panel,
            meanwhile: None,
        }
    }
}

/// Everything a ticket page shows, loaded through the services.
struct Loaded {
    ticket: Ticket,
    events: Vec<Event>,
    names: Names,
    times: Times,
}

async fn load(state: &UiState, viewer: &Viewer, id: TicketId) -> PageResult<Loaded> {
    let tickets = state.app.tickets();
    let ticket = tickets.get(&viewer.actor, id).await?;
    let mut events: Vec<Event> = Vec::new();
    let mut page = EventPage::default();
    loop {
        let batch = tickets.events(&viewer.actor, id, &page).await?;
        let is_last = (batch.len() as i64) < page.limit;
        page.after = batch.last().map(|e| e.id);
        events.extend(batch);
        if is_last || page.after.is_none() || events.len() >= MAX_EVENTS {
            break;
        }
    }
    let mut names = Names::load(state, &viewer.actor).await?;
    names.insert_user(viewer.user.clone());
    let mut people = mentioned_users(&events);
    people.extend(
        [
            Some(ticket.requester_id),
            ticket.owner_id,
            ticket.assignee_id,
        ]
        .into_iter()
        .flatten(),
    );
    names.add_users(state, &viewer.actor, people).await?;
    let times = Times::new(&viewer.user, state.app.now());
    Ok(Loaded {
        ticket,
        events,
        names,
        times,
    })
}

fn timeline_with_description(loaded: &Loaded, viewer: &Viewer) -> Vec<TimelineItem> {
    let mut items = timeline(
        &loaded.events,
        &loaded.ticket,
        &loaded.names,
        &loaded.times,
        &viewer.actor,
    );
    if let Some(first) = items.iter_mut().find(|i| i.kind == "created")
        && !loaded.ticket.description.is_empty()
    {
        first.body = Some(loaded.ticket.description.clone());
        first.is_message = true;
    }
    items
}

async fn page(
    state: &UiState,
    viewer: &Viewer,
    id: TicketId,
    mut attempt: Attempt,
    done: Option<&str>,
) -> PageResult<TicketPage> {
    let mut loaded = load(state, viewer, id).await?;
    let actor = &viewer.actor;
    let tickets = state.app.tickets();
    let ticket = loaded.ticket.clone();

    let links = tickets.links(actor, id).await?;
    let staff = staff_members(state, actor).await?;
    for member in &staff {
        loaded.names.insert_user(member.clone());
    }
    let names = &loaded.names;
    let times = &loaded.times;
    let requester = requester::card(state, viewer, &ticket, names, times).await?;
    let merge_preview = merge_preview(state, viewer, &mut attempt, names, times).await?;
    let links = links
        .into_iter()
        .map(|l| LinkRow {
            id: l.other.get(),
            number: l.other.display_number(),
            label: link_label(l.kind, l.is_source),
            subject: l.other_subject,
            status: status_badge(l.other_status),
        })
        .collect();

    let allowed = ticket.status.allowed_next();
    let props = if matches!(attempt.panel, properties::PANEL | "details" | "status") {
        properties::Props::build(&ticket, names, &staff, &attempt.input, &attempt.errors)
    } else {
        properties::Props::build(
            &ticket,
            names,
            &staff,
            &FormData::default(),
            &attempt.errors,
        )
    };
    let then_status = std::iter::once(Choice::new(
        "",
        format!("Keep as {}", status_word(ticket.status)),
        true,
    ))
    .chain(allowed.iter().map(|s| {
        Choice::new(
            s,
            format!("Set to {}", status_word(*s)),
            attempt.input.get("then_status") == s.as_str(),
        )
    }))
    .collect();
    let current_group = ticket.group_id.map(|g| g.to_string());
    let escalation_target = ticket
        .group_id
        .and_then(|g| names.group(g))
        .and_then(|g| g.escalates_to)
        .map(|g| g.to_string())
        .unwrap_or_default();
    let escalate_current = if attempt.panel == "escalate" {
        attempt.input.get("escalate_group_id").to_owned()
    } else {
        escalation_target
    };
    let link_kinds = LinkRequestKind::ALL
        .iter()
        .map(|k| {
            Choice::new(
                k,
                link_request_label(*k),
                attempt.input.get("link_kind") == k.as_str(),
            )
        })
        .collect();
    let composer_kind = match attempt.input.get("kind") {
        "note" => "note".to_owned(),
        _ => "reply".to_owned(),
    };
    let sidebar = Sidebar::load(state, actor, names, "").await?;
    let composer =
        composer::ComposerView::load(state, viewer, id, &requester.name, &requester.email).await?;
    let present = state.app.presence().others(actor, id).await?;
    // A draft keeps the event it was written against, until a warning moves it on.
    let seen_event_id = match (&attempt.meanwhile, attempt.input.opt("seen_event_id")) {
        (Some(meanwhile), _) => meanwhile.newest_event_id.to_string(),
        (None, Some(seen)) => seen.to_owned(),
        (None, None) => loaded.events.last().map_or(0, |e| e.id.get()).to_string(),
    };
    let meanwhile = (attempt.meanwhile.as_deref()).map(|m| presence::Meanwhile::new(m, times));
    let mut view = TicketView::new(&ticket, names, times, viewer);
    view.sla = crate::sla::ticket_badges(state, actor, ticket.id).await?;
    let custom_fields_panel =
        super::custom_fields_panel::panel(state, viewer, &ticket, None, &FieldErrors::new())
            .await?;
    Ok(TicketPage {
        chrome: Chrome::new(
            viewer,
            "agent",
            format!("{} {}", view.number, ticket.subject),
        )
        .notice(done),
        sidebar,
        timeline: timeline_with_description(&loaded, viewer),
        requester,
        merge_preview,
        links,
        panel: attempt.panel,
        composer_kind,
        composer,
        then_status,
        props,
        escalate_options: group_choices(&loaded.names, &escalate_current, "Choose a group")
            .into_iter()
            .filter(|c| c.value.is_empty() || Some(c.value.as_str()) != current_group.as_deref())
            .collect(),
        link_kinds,
        present: presence::present_views(&present),
        seen_event_id,
        meanwhile,
        me: viewer.actor.user_id.get(),
        csrf: viewer.csrf.clone(),
        oob: false,
        custom_fields_panel,
        errors: attempt.errors,
        input: attempt.input,
        t: view,
    })
}

fn link_request_label(kind: LinkRequestKind) -> &'static str {
    match kind {
        LinkRequestKind::DuplicateOf => "Duplicate of",
        LinkRequestKind::Related => "Related to",
        LinkRequestKind::ParentOf => "Parent of",
        LinkRequestKind::ChildOf => "Child of",
        LinkRequestKind::CausedBy => "Caused by (problem)",
    }
}

/// Staff as options: the ticket group's members first, then everyone else.
fn staff_options(
    staff: &[User],
    group: Option<GroupId>,
    names: &Names,
    current: &str,
    none: &str,
) -> Vec<OptionGroup> {
    // Only agents work in tiers; admins and supervisors are named by their role.
    let option = |u: &User| {
        let role = match (u.role, u.tier) {
            (ferrodesk_domain::Role::Admin, _) => " · admin".to_owned(),
            (ferrodesk_domain::Role::Supervisor, _) => " · supervisor".to_owned(),
            (_, Some(tier)) => format!(" · tier {}", tier.get()),
            (_, None) => String::new(),
        };
        Choice::new(
            u.id,
            format!("{}{role}", u.name),
            u.id.to_string() == current,
        )
    };
    let (members, others): (Vec<&User>, Vec<&User>) = staff
        .iter()
        .partition(|u| group.is_some_and(|g| u.group_ids.contains(&g)));
    let mut groups = vec![OptionGroup {
        label: String::new(),
        choices: vec![Choice::new("", none, current.is_empty())],
    }];
    if !members.is_empty() {
        groups.push(OptionGroup {
            label: format!("In {}", names.group_or(group, "the group")),
            choices: members.into_iter().map(option).collect(),
        });
    }
    groups.push(OptionGroup {
        label: if groups.len() > 1 {
            "Other staff".into()
        } else {
            "Staff".into()
        },
        choices: others.into_iter().map(option).collect(),
    });
    groups
}

#[derive(Debug, Deserialize)]
struct ShowQuery {
    done: Option<String>,
    /// A dialog to show open (the page without JavaScript).
    panel: Option<String>,
    /// The ticket a merge would go into, to confirm.
    merge_into: Option<String>,
}

/// The dialogs of the actions menu, by the name `?panel=` gives.
const DIALOGS: &[&str] = &["escalate", "log", "link", "merge", "split"];

/// What a page opened with `?panel=` shows: that dialog open, with the merge's target
/// when one was chosen.
fn opened(query: &ShowQuery) -> Attempt {
    let panel = query.panel.as_deref().unwrap_or("");
    let Some(panel) = DIALOGS.iter().find(|d| **d == panel) else {
        return Attempt::none();
    };
    let mut input = FormData::default();
    if let Some(into) = query.merge_into.as_deref() {
        input.set("merge_into", into);
    }
    Attempt::failed(input, FieldErrors::new(), panel)
}

/// The ticket a merge goes into, for the confirmation; an unknown number is an error
/// on the field.
async fn merge_preview(
    state: &UiState,
    viewer: &Viewer,
    attempt: &mut Attempt,
    names: &Names,
    times: &Times,
) -> PageResult<Option<TicketRow>> {
    let Some(text) = attempt
        .input
        .opt("merge_into")
        .filter(|_| attempt.panel == "merge" && attempt.errors.is_empty())
    else {
        return Ok(None);
    };
    let Some(into) = TicketId::parse_number(text) else {
        attempt
            .errors
            .add("merge_into", "give a ticket number like 10042");
        return Ok(None);
    };
    match state.app.tickets().get(&viewer.actor, into).await {
        Ok(target) => Ok(Some(TicketRow::new(&target, names, times))),
        Err(AppError::NotFound { .. }) => {
            let number = into.display_number();
            attempt
                .errors
                .add("merge_into", format!("there is no ticket {number}"));
            Ok(None)
        }
        Err(other) => Err(other.into()),
    }
}

async fn show(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
    Query(query): Query<ShowQuery>,
) -> PageResult {
    let id = ticket_id(&raw)?;
    let page = page(&state, &viewer, id, opened(&query), query.done.as_deref()).await?;
    Ok(render(StatusCode::OK, &page))
}

/// `GET /agent/tickets/{id}/live`: the timeline, with the header swapped out of band,
/// for the live refresh.
async fn live_fragment(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
) -> PageResult {
    let id = ticket_id(&raw)?;
    let loaded = load(&state, &viewer, id).await?;
    let mut t = TicketView::new(&loaded.ticket, &loaded.names, &loaded.times, &viewer);
    t.sla = crate::sla::ticket_badges(&state, &viewer.actor, loaded.ticket.id).await?;
    let fragment = TicketLive {
        t,
        timeline: timeline_with_description(&loaded, &viewer),
        me: viewer.actor.user_id.get(),
        csrf: viewer.csrf.clone(),
        oob: true,
    };
    Ok(render(StatusCode::OK, &fragment))
}

/// Shows the page again with the errors of a failed form.
pub(crate) async fn failed(
    state: &UiState,
    viewer: &Viewer,
    id: TicketId,
    input: FormData,
    errors: FieldErrors,
    panel: &'static str,
) -> PageResult {
    let attempt = Attempt::failed(input, errors, panel);
    let page = page(state, viewer, id, attempt, None).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// Shows the page again with the draft kept and the replies it would have talked
/// over, instead of sending it (409).
async fn replied_meanwhile(
    state: &UiState,
    viewer: &Viewer,
    id: TicketId,
    input: FormData,
    meanwhile: Box<ferrodesk_app::RepliedMeanwhile>,
) -> PageResult {
    let mut attempt = Attempt::failed(input, FieldErrors::new(), "");
    attempt.meanwhile = Some(meanwhile);
    let page = page(state, viewer, id, attempt, None).await?;
    Ok(render(StatusCode::CONFLICT, &page))
}

/// Tells open pages about the tickets, then goes back to the ticket.
async fn done(
    state: &UiState,
    viewer: &Viewer,
    ids: &[TicketId],
    to: TicketId,
    code: &str,
    anchor: &str,
) -> PageResult {
    let mut changed = Vec::with_capacity(ids.len());
    for id in ids {
        match state.app.tickets().get(&viewer.actor, *id).await {
            Ok(ticket) => changed.push(ticket),
            // The change is saved; a ticket that vanished from view needs no update.
            Err(AppError::NotFound { .. }) => {}
            Err(other) => return Err(other.into()),
        }
    }
    state.live.publish(changed);
    Ok(Redirect::to(&format!("/agent/tickets/{}?done={code}{anchor}", to.get())).into_response())
}

fn parse_status(text: &str) -> Option<TicketStatus> {
    TicketStatus::parse(text.trim()).ok()
}

fn parse_id<T>(
    errors: &mut FieldErrors,
    field: &str,
    text: &str,
    make: fn(i64) -> T,
) -> Option<Option<T>> {
    let text = text.trim();
    if text.is_empty() {
        return Some(None);
    }
    match text.parse::<i64>() {
        Ok(id) => Some(Some(make(id))),
        Err(_) => {
            errors.add(field, "choose an entry from the list");
            None
        }
    }
}

fn optional_text(text: &str) -> Option<String> {
    Some(text.trim().to_owned()).filter(|t| !t.is_empty())
}
