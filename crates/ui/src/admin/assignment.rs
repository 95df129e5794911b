//! Who gets a ticket once routing has placed it: a group's assignment mode
//! (`/admin/groups/{id}/assignment`: manual, round robin or least loaded), a staff
//! member's availability, load limit and skills (`/admin/users/{id}/availability`), and
//! an agent's own away switch (`/agent/availability`, routed by [`agent_routes`]).
//! Automatic assignment skips agents who are away, at their load limit or without the
//! ticket's skill.
//!
//! Admins only, but for the away switch; the services check that again on every call.

use super::{DoneQuery, path_id};
use crate::UiState;
use crate::chrome::Chrome;
use crate::error::{PageResult, render};
use crate::form::{FieldErrors, Form, FormData, chosen_ids};
use crate::session::{Admin, Staff, Viewer};
use crate::view::{Choice, Names, multi_choices};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use ferrodesk_app::{AgentSettings, AppError, AssignmentMode};
use ferrodesk_domain::{CategoryId, GroupId, ServiceId, UserId};

/// Under `/admin`.
pub(crate) fn routes() -> Router<UiState> {
    Router::new()
        .route(
            "/groups/{id}/assignment",
            get(assignment_page).post(save_assignment),
        )
        .route(
            "/users/{id}/availability",
            get(availability_page).post(save_availability),
        )
}

/// Under `/agent`.
pub(crate) fn agent_routes() -> Router<UiState> {
    Router::new().route("/availability", get(own_page).post(save_own))
}

const MODES: [(AssignmentMode, &str); 3] = [
    (
        AssignmentMode::Manual,
        "Manual: agents take tickets themselves",
    ),
    (
        AssignmentMode::RoundRobin,
        "Round robin: in turn among available agents",
    ),
    (
        AssignmentMode::LeastLoaded,
        "Least loaded: to the available agent with the fewest open tickets",
    ),
];

// --- a group's assignment mode ----------------------------------------------------------

#[derive(Template)]
#[template(path = "admin/assignment.html")]
struct AssignmentPage {
    chrome: Chrome,
    group_id: i64,
    mode_options: Vec<Choice>,
    errors: FieldErrors,
}

fn assignment(
    viewer: &Viewer,
    group: &ferrodesk_domain::Group,
    mode: &str,
    errors: FieldErrors,
    done: Option<&str>,
) -> AssignmentPage {
    AssignmentPage {
        chrome: Chrome::new(viewer, "admin", format!("Assignment in {}", group.name))
            .nav("groups")
            .notice(done),
        group_id: group.id.get(),
        mode_options: MODES
            .iter()
            .map(|(m, label)| Choice::new(m.as_str(), *label, m.as_str() == mode))
            .collect(),
        errors,
    }
}

async fn assignment_page(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
    Query(query): Query<DoneQuery>,
) -> PageResult {
    let id = path_id(&raw)?;
    let group = state
        .app
        .directory()
        .get_group(&viewer.actor, GroupId(id))
        .await?;
    let mode = state
        .app
        .service_levels()
        .assignment_mode(&viewer.actor, id)
        .await?;
    let page = assignment(
        &viewer,
        &group,
        mode.as_str(),
        FieldErrors::new(),
        query.done.as_deref(),
    );
    Ok(render(StatusCode::OK, &page))
}

async fn save_assignment(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    let id = path_id(&raw)?;
    let group = state
        .app
        .directory()
        .get_group(&viewer.actor, GroupId(id))
        .await?;
    let mut errors = FieldErrors::new();
    match AssignmentMode::parse(form.get("mode")) {
        Some(mode) => {
            state
                .app
                .service_levels()
                .set_assignment_mode(&viewer.actor, id, mode)
                .await?;
            return Ok(
                Redirect::to(&format!("/admin/groups/{id}/assignment?done=saved")).into_response(),
            );
        }
        None => errors.add("mode", "choose how tickets are handed out"),
    }
    let page = assignment(&viewer, &group, form.get("mode"), errors, None);
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

// --- a staff member's availability ------------------------------------------------------

const AVAILABILITY_FIELDS: &[(&str, &str)] = &[
    ("load_limit", "load_limit"),
    ("category_skills", "category_skills"),
    ("service_skills", "service_skills"),
    ("category", "category_skills"),
    ("service", "service_skills"),
];

#[derive(Template)]
#[template(path = "admin/availability.html")]
struct AvailabilityPage {
    chrome: Chrome,
    user_id: i64,
    name: String,
    input: FormData,
    is_away: bool,
    category_options: Vec<Choice>,
    service_options: Vec<Choice>,
    errors: FieldErrors,
}

async fn availability(
    state: &UiState,
    viewer: &Viewer,
    user_id: i64,
    input: FormData,
    errors: FieldErrors,
    done: Option<&str>,
) -> PageResult<AvailabilityPage> {
    let user = state
        .app
        .directory()
        .get_user(&viewer.actor, UserId(user_id))
        .await?;
    let names = Names::load(state, &viewer.actor).await?;
    Ok(AvailabilityPage {
        chrome: Chrome::new(viewer, "admin", format!("Availability of {}", user.name))
            .nav("users")
            .notice(done),
        user_id,
        name: user.name,
        is_away: input.checked("is_away"),
        category_options: multi_choices(names.categories(), &input.all("category_skills")),
        service_options: multi_choices(names.services(), &input.all("service_skills")),
        input,
        errors,
    })
}

fn settings_form(settings: &AgentSettings) -> FormData {
    let mut input = FormData::default();
    if settings.is_away {
        input.set("is_away", "on");
    }
    if let Some(limit) = settings.load_limit {
        input.set("load_limit", &limit.to_string());
    }
    for id in &settings.category_skills {
        input.push("category_skills", &id.to_string());
    }
    for id in &settings.service_skills {
        input.push("service_skills", &id.to_string());
    }
    input
}

async fn availability_page(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
    Query(query): Query<DoneQuery>,
) -> PageResult {
    let id = path_id(&raw)?;
    let settings = state
        .app
        .service_levels()
        .agent_settings(&viewer.actor, id)
        .await?;
    let page = availability(
        &state,
        &viewer,
        id,
        settings_form(&settings),
        FieldErrors::new(),
        query.done.as_deref(),
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

async fn save_availability(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    let id = path_id(&raw)?;
    let mut errors = FieldErrors::new();
    let load_limit = form
        .opt("load_limit")
        .and_then(|text| match text.parse::<i64>() {
            Ok(limit) => Some(limit),
            Err(_) => {
                errors.add("load_limit", "give a number of tickets, or leave it blank");
                None
            }
        });
    let settings = AgentSettings {
        is_away: form.checked("is_away"),
        load_limit,
        category_skills: chosen_ids(&form, &mut errors, "category_skills")
            .into_iter()
            .map(CategoryId)
            .collect(),
        service_skills: chosen_ids(&form, &mut errors, "service_skills")
            .into_iter()
            .map(ServiceId)
            .collect(),
    };
    if errors.is_empty() {
        match state
            .app
            .service_levels()
            .set_agent_settings(&viewer.actor, id, settings)
            .await
        {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("/admin/users/{id}/availability?done=saved"))
                        .into_response(),
                );
            }
            Err(error @ AppError::Invalid { .. }) => {
                errors.absorb(error, AVAILABILITY_FIELDS, "load_limit")?;
            }
            Err(error) => return Err(error.into()),
        }
    }
    let page = availability(&state, &viewer, id, form, errors, None).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

// --- an agent's own away switch ------------------------------------------------------------

#[derive(Template)]
#[template(path = "agent/availability.html")]
struct OwnPage {
    chrome: Chrome,
    sidebar: crate::agent::Sidebar,
    is_away: bool,
}

async fn own_page(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Query(query): Query<DoneQuery>,
) -> PageResult {
    let settings = state
        .app
        .service_levels()
        .agent_settings(&viewer.actor, viewer.actor.user_id.get())
        .await?;
    let names = Names::load(&state, &viewer.actor).await?;
    let sidebar =
        crate::agent::Sidebar::load(&state, &viewer.actor, &names, "availability").await?;
    let page = OwnPage {
        chrome: Chrome::new(&viewer, "agent", "Availability").notice(query.done.as_deref()),
        sidebar,
        is_away: settings.is_away,
    };
    Ok(render(StatusCode::OK, &page))
}

async fn save_own(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Form(form): Form,
) -> PageResult {
    let me = viewer.actor.user_id.get();
    let levels = state.app.service_levels();
    let current = levels.agent_settings(&viewer.actor, me).await?;
    levels
        .set_agent_settings(
            &viewer.actor,
            me,
            AgentSettings {
                is_away: form.checked("is_away"),
                ..current
            },
        )
        .await?;
    Ok(Redirect::to("/agent/availability?done=saved").into_response())
}
