//! `/admin/calendars` and `/admin/sla-policies`: the admin screens of the service
//! levels. Business calendars (weekly hours in a time zone, holidays, or 24/7) and SLA
//! policies (per-priority targets on a calendar, assigned by organization contract,
//! service or category, or the default).
//!
//! Admins only; the service-level service checks that again on every call.

use super::calendar_check::{ZONE_NAMES, check_calendar};
use super::duration::{duration_field, format_minutes};
use super::{DoneQuery, all_organizations, chrome, path_id};
use crate::UiState;
use crate::chrome::Chrome;
use crate::error::{PageError, PageResult, render};
use crate::form::{FieldErrors, Form, FormData, chosen_ids};
use crate::session::{Admin, Viewer};
use crate::view::{Choice, Names, multi_choices};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use ferrodesk_app::{AppError, CalendarSpec, PolicySpec, TargetSpec};
use ferrodesk_domain::schedule::calendar_to_text;
use ferrodesk_domain::{Priority, TargetKind};

pub(crate) fn routes() -> Router<UiState> {
    Router::new()
        .route("/calendars", get(calendars).post(save_calendar))
        .route("/calendars/new", get(new_calendar_page))
        .route(
            "/calendars/{id}",
            get(edit_calendar_page).post(save_calendar),
        )
        .route("/calendars/{id}/delete", post(delete_calendar))
        .route("/sla-policies", get(policies).post(save_policy))
        .route("/sla-policies/new", get(new_policy_page))
        .route(
            "/sla-policies/{id}",
            get(edit_policy_page).post(save_policy),
        )
        .route("/sla-policies/{id}/delete", post(delete_policy))
}

/// Lines of a textarea, trimmed, blanks left out.
fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

// --- calendars ----------------------------------------------------------------------

/// Where the service reports calendar errors, and where the form shows them.
const CALENDAR_FIELDS: &[(&str, &str)] = &[
    ("name", "name"),
    ("time_zone", "time_zone"),
    ("zone", "time_zone"),
    ("hours", "hours"),
    ("opening_hours", "hours"),
    ("holidays", "holidays"),
    ("calendar", "hours"),
];

#[derive(Debug, Clone)]
struct CalendarRow {
    id: i64,
    name: String,
    hours: String,
    holidays: usize,
}

#[derive(Template)]
#[template(path = "admin/calendars.html")]
struct CalendarsPage {
    chrome: Chrome,
    rows: Vec<CalendarRow>,
}

async fn calendars(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Query(query): Query<DoneQuery>,
) -> PageResult {
    let found = state.app.service_levels().calendars(&viewer.actor).await?;
    let rows = found
        .iter()
        .map(|c| {
            let (zone, hours, holidays) = calendar_to_text(&c.calendar);
            CalendarRow {
                id: c.id.get(),
                name: c.name.clone(),
                hours: if c.calendar.is_always_open() {
                    "Around the clock".to_owned()
                } else {
                    format!("{} ({zone})", hours.join(", "))
                },
                holidays: holidays.len(),
            }
        })
        .collect();
    let page = CalendarsPage {
        chrome: chrome(
            &viewer,
            "calendars",
            "Business calendars",
            query.done.as_deref(),
        ),
        rows,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "admin/calendar_form.html")]
struct CalendarFormPage {
    chrome: Chrome,
    /// `None` while creating.
    id: Option<i64>,
    input: FormData,
    always_open: bool,
    errors: FieldErrors,
    zone_names: &'static [String],
}

fn calendar_page(
    viewer: &Viewer,
    id: Option<i64>,
    input: FormData,
    errors: FieldErrors,
) -> CalendarFormPage {
    let title = match id {
        Some(_) => input.get("name").to_owned(),
        None => "New calendar".to_owned(),
    };
    CalendarFormPage {
        chrome: chrome(viewer, "calendars", &title, None),
        id,
        always_open: input.checked("always_open"),
        input,
        errors,
        zone_names: &ZONE_NAMES,
    }
}

async fn new_calendar_page(Admin(viewer): Admin) -> PageResult {
    let mut input = FormData::default();
    input.set("time_zone", "UTC");
    input.set(
        "hours",
        "monday 08:00-17:00\ntuesday 08:00-17:00\nwednesday 08:00-17:00\n\
         thursday 08:00-17:00\nfriday 08:00-17:00",
    );
    let page = calendar_page(&viewer, None, input, FieldErrors::new());
    Ok(render(StatusCode::OK, &page))
}

async fn edit_calendar_page(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
) -> PageResult {
    let id = path_id(&raw)?;
    let calendar = state
        .app
        .service_levels()
        .calendar(&viewer.actor, id)
        .await?;
    let input = calendar_form(&calendar);
    let page = calendar_page(&viewer, Some(id), input, FieldErrors::new());
    Ok(render(StatusCode::OK, &page))
}

/// A stored calendar in the form's text fields.
fn calendar_form(calendar: &ferrodesk_app::StoredCalendar) -> FormData {
    let (zone, hours, holidays) = calendar_to_text(&calendar.calendar);
    let mut input = FormData::default();
    input.set("name", &calendar.name);
    if calendar.calendar.is_always_open() {
        input.set("always_open", "on");
    }
    input.set("time_zone", &zone);
    input.set("hours", &hours.join("\n"));
    input.set("holidays", &holidays.join("\n"));
    input
}

fn calendar_spec(form: &FormData) -> CalendarSpec {
    CalendarSpec {
        name: form.get("name").to_owned(),
        always_open: form.checked("always_open"),
        time_zone: form.opt("time_zone").unwrap_or("UTC").to_owned(),
        hours: lines(form.get("hours")),
        holidays: lines(form.get("holidays")),
    }
}

/// `POST /admin/calendars` creates a calendar;
/// `POST /admin/calendars/{id}` saves one.
async fn save_calendar(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    id: Option<Path<String>>,
    Form(form): Form,
) -> PageResult {
    let id = id.map(|Path(raw)| path_id(&raw)).transpose()?;
    let (state, viewer) = (&state, &viewer);
    let errors = check_calendar(&form);
    if !errors.is_empty() {
        let page = calendar_page(viewer, id, form, errors);
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    let spec = calendar_spec(&form);
    let levels = state.app.service_levels();
    let saved = match id {
        Some(id) => levels.update_calendar(&viewer.actor, id, &spec).await,
        None => levels.create_calendar(&viewer.actor, &spec).await,
    };
    let mut errors = FieldErrors::new();
    match saved {
        Ok(_) => return Ok(Redirect::to("/admin/calendars?done=saved").into_response()),
        Err(AppError::Conflict { message, .. }) => errors.add("name", message),
        Err(error) => errors.absorb(error, CALENDAR_FIELDS, "hours")?,
    }
    let page = calendar_page(viewer, id, form, errors);
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

async fn delete_calendar(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
    Form(_form): Form,
) -> PageResult {
    let id = path_id(&raw)?;
    match state
        .app
        .service_levels()
        .delete_calendar(&viewer.actor, id)
        .await
    {
        Ok(()) => Ok(Redirect::to("/admin/calendars?done=deleted").into_response()),
        // A calendar a policy uses stays; the form says why.
        Err(AppError::Conflict { message, .. }) => {
            let calendar = state
                .app
                .service_levels()
                .calendar(&viewer.actor, id)
                .await?;
            let input = calendar_form(&calendar);
            let mut errors = FieldErrors::new();
            errors.add("", message);
            let page = calendar_page(&viewer, Some(id), input, errors);
            Ok(render(StatusCode::CONFLICT, &page))
        }
        Err(error) => Err(error.into()),
    }
}

// --- policies ------------------------------------------------------------------------

const TARGET_KINDS: [(TargetKind, &str, &str); 3] = [
    (
        TargetKind::FirstResponse,
        "first_response",
        "First response",
    ),
    (TargetKind::Update, "update_interval", "Update interval"),
    (TargetKind::Resolution, "resolution", "Resolution"),
];

/// The form's name of a target field: `p1_first_response`.
fn target_field(priority: usize, kind: &str) -> String {
    format!("p{priority}_{kind}")
}

/// Where the service reports policy errors, and where the form shows them.
fn policy_fields() -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = [
        ("name", "name"),
        ("calendar_id", "calendar_id"),
        ("calendar", "calendar_id"),
        ("warning_percent", "warning_percent"),
        ("organization_ids", "organization_ids"),
        ("organization", "organization_ids"),
        ("service_ids", "service_ids"),
        ("service", "service_ids"),
        ("category_ids", "category_ids"),
        ("category", "category_ids"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
    .collect();
    for p in 1..=4 {
        for (_, kind, _) in TARGET_KINDS {
            fields.push((format!("p{p}.{kind}_minutes"), target_field(p, kind)));
        }
    }
    fields
}

#[derive(Debug, Clone)]
struct PolicyRow {
    id: i64,
    name: String,
    calendar: String,
    is_default: bool,
    /// `P1 60 min / 4 h` style summary of first response and resolution per priority.
    targets: String,
    covers: String,
}

#[derive(Template)]
#[template(path = "admin/sla_policies.html")]
struct PoliciesPage {
    chrome: Chrome,
    rows: Vec<PolicyRow>,
    has_calendars: bool,
}

fn span(minutes: Option<u32>) -> String {
    minutes.map_or_else(|| "—".to_owned(), |m| format_minutes(i64::from(m)))
}

async fn policies(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Query(query): Query<DoneQuery>,
) -> PageResult {
    let levels = state.app.service_levels();
    let calendars = levels.calendars(&viewer.actor).await?;
    let found = levels.policies(&viewer.actor).await?;
    let rows = found
        .iter()
        .map(|p| {
            let targets = Priority::ALL
                .iter()
                .map(|priority| {
                    let t = p.targets.get(*priority);
                    format!(
                        "{}: {} / {}",
                        priority.as_str().to_uppercase(),
                        span(t.first_response.map(|m| m.get())),
                        span(t.resolution.map(|m| m.get()))
                    )
                })
                .collect::<Vec<_>>()
                .join(" · ");
            let mut covers = Vec::new();
            if !p.organization_ids.is_empty() {
                covers.push(format!("{} organizations", p.organization_ids.len()));
            }
            if !p.service_ids.is_empty() {
                covers.push(format!("{} services", p.service_ids.len()));
            }
            if !p.category_ids.is_empty() {
                covers.push(format!("{} categories", p.category_ids.len()));
            }
            PolicyRow {
                id: p.id.get(),
                name: p.name.clone(),
                calendar: calendars
                    .iter()
                    .find(|c| c.id == p.calendar_id)
                    .map_or_else(|| p.calendar_id.to_string(), |c| c.name.clone()),
                is_default: p.is_default,
                targets,
                covers: covers.join(", "),
            }
        })
        .collect();
    let page = PoliciesPage {
        chrome: chrome(&viewer, "sla", "SLA policies", query.done.as_deref()),
        rows,
        has_calendars: !calendars.is_empty(),
    };
    Ok(render(StatusCode::OK, &page))
}

/// One priority's row of target inputs.
#[derive(Debug, Clone)]
struct TargetRow {
    label: &'static str,
    /// (field name, label, value) for first response, update interval, resolution.
    cells: Vec<(String, &'static str, String)>,
}

#[derive(Template)]
#[template(path = "admin/sla_policy_form.html")]
struct PolicyFormPage {
    chrome: Chrome,
    id: Option<i64>,
    input: FormData,
    calendar_options: Vec<Choice>,
    organization_options: Vec<Choice>,
    service_options: Vec<Choice>,
    category_options: Vec<Choice>,
    target_rows: Vec<TargetRow>,
    sends_progress_notes: bool,
    is_default: bool,
    errors: FieldErrors,
}

async fn policy_page(
    state: &UiState,
    viewer: &Viewer,
    id: Option<i64>,
    input: FormData,
    errors: FieldErrors,
) -> PageResult<PolicyFormPage> {
    let names = Names::load(state, &viewer.actor).await?;
    let calendars = state.app.service_levels().calendars(&viewer.actor).await?;
    let organizations = all_organizations(state, viewer).await?;
    let calendar_options = calendars
        .iter()
        .map(|c| {
            Choice::new(
                c.id.get(),
                c.name.clone(),
                c.id.get().to_string() == input.get("calendar_id"),
            )
        })
        .collect();
    let target_rows = (1..=4)
        .map(|p| TargetRow {
            label: ["P1 critical", "P2 high", "P3 medium", "P4 low"][p - 1],
            cells: TARGET_KINDS
                .iter()
                .map(|(_, kind, label)| {
                    let field = target_field(p, kind);
                    let value = input.get(&field).to_owned();
                    (field, *label, value)
                })
                .collect(),
        })
        .collect();
    let title = match id {
        Some(_) => input.get("name").to_owned(),
        None => "New SLA policy".to_owned(),
    };
    Ok(PolicyFormPage {
        chrome: chrome(viewer, "sla", &title, None),
        id,
        calendar_options,
        organization_options: multi_choices(
            organizations
                .into_iter()
                .map(|o| (o.id.get(), o.name))
                .collect(),
            &input.all("organization_ids"),
        ),
        service_options: multi_choices(names.services(), &input.all("service_ids")),
        category_options: multi_choices(names.categories(), &input.all("category_ids")),
        target_rows,
        sends_progress_notes: input.checked("sends_progress_notes"),
        is_default: input.checked("is_default"),
        input,
        errors,
    })
}

async fn new_policy_page(State(state): State<UiState>, Admin(viewer): Admin) -> PageResult {
    let mut input = FormData::default();
    input.set("warning_percent", "80");
    // A common starting point: hours for the urgent, days for the rest.
    for (p, first, resolution) in [(1, 30, 240), (2, 60, 480), (3, 240, 1440), (4, 480, 4320)] {
        input.set(&target_field(p, "first_response"), &first.to_string());
        input.set(&target_field(p, "resolution"), &resolution.to_string());
    }
    let page = policy_page(&state, &viewer, None, input, FieldErrors::new()).await?;
    Ok(render(StatusCode::OK, &page))
}

async fn edit_policy_page(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
) -> PageResult {
    let id = path_id(&raw)?;
    let policy = state.app.service_levels().policy(&viewer.actor, id).await?;
    let mut input = FormData::default();
    input.set("name", &policy.name);
    input.set("calendar_id", &policy.calendar_id.to_string());
    input.set("warning_percent", &policy.warning.percent().to_string());
    if policy.sends_progress_notes {
        input.set("sends_progress_notes", "on");
    }
    if policy.is_default {
        input.set("is_default", "on");
    }
    for (p, priority) in Priority::ALL.iter().enumerate() {
        let targets = policy.targets.get(*priority);
        for (kind, name, _) in TARGET_KINDS {
            if let Some(minutes) = targets.get(kind) {
                let shown = format_minutes(i64::from(minutes.get()));
                input.set(&target_field(p + 1, name), &shown);
            }
        }
    }
    for id in &policy.organization_ids {
        input.push("organization_ids", &id.to_string());
    }
    for id in &policy.service_ids {
        input.push("service_ids", &id.to_string());
    }
    for id in &policy.category_ids {
        input.push("category_ids", &id.to_string());
    }
    let page = policy_page(&state, &viewer, Some(id), input, FieldErrors::new()).await?;
    Ok(render(StatusCode::OK, &page))
}

fn policy_spec(form: &FormData, errors: &mut FieldErrors) -> PolicySpec {
    let calendar_id = match form.get("calendar_id").trim().parse::<i64>() {
        Ok(id) => id,
        Err(_) => {
            errors.add("calendar_id", "choose a calendar");
            0
        }
    };
    let warning_percent = match form.get("warning_percent").trim().parse::<i64>() {
        Ok(percent) => percent,
        Err(_) => {
            errors.add("warning_percent", "give a percentage between 1 and 99");
            0
        }
    };
    let mut targets = [TargetSpec::default(); 4];
    for (index, target) in targets.iter_mut().enumerate() {
        let p = index + 1;
        target.first_response_minutes =
            duration_field(form, errors, &target_field(p, "first_response"));
        target.update_interval_minutes =
            duration_field(form, errors, &target_field(p, "update_interval"));
        target.resolution_minutes = duration_field(form, errors, &target_field(p, "resolution"));
    }
    PolicySpec {
        name: form.get("name").to_owned(),
        calendar_id,
        targets,
        warning_percent,
        sends_progress_notes: form.checked("sends_progress_notes"),
        is_default: form.checked("is_default"),
        organization_ids: chosen_ids(form, errors, "organization_ids"),
        service_ids: chosen_ids(form, errors, "service_ids"),
        category_ids: chosen_ids(form, errors, "category_ids"),
    }
}

/// `POST /admin/sla-policies` creates an SLA policy;
/// `POST /admin/sla-policies/{id}` saves one.
async fn save_policy(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    id: Option<Path<String>>,
    Form(form): Form,
) -> PageResult {
    let id = id.map(|Path(raw)| path_id(&raw)).transpose()?;
    let (state, viewer) = (&state, &viewer);
    let mut errors = FieldErrors::new();
    let spec = policy_spec(&form, &mut errors);
    if errors.is_empty() {
        let levels = state.app.service_levels();
        let saved = match id {
            Some(id) => levels.update_policy(&viewer.actor, id, &spec).await,
            None => levels.create_policy(&viewer.actor, &spec).await,
        };
        match saved {
            Ok(_) => return Ok(Redirect::to("/admin/sla-policies?done=saved").into_response()),
            Err(AppError::Conflict { message, .. }) => errors.add("name", message),
            Err(error) => {
                let fields = policy_fields();
                let fields: Vec<(&str, &str)> = fields
                    .iter()
                    .map(|(a, b)| (a.as_str(), b.as_str()))
                    .collect();
                errors.absorb(error, &fields, "")?;
            }
        }
    }
    let page = policy_page(state, viewer, id, form, errors).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

async fn delete_policy(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
    Form(_form): Form,
) -> PageResult {
    let id = path_id(&raw)?;
    state
        .app
        .service_levels()
        .delete_policy(&viewer.actor, id)
        .await
        .map_err(PageError::from)?;
    Ok(Redirect::to("/admin/sla-policies?done=deleted").into_response())
}
