//! `/admin/escalation-rules` and `/admin/automation`: automatic escalation (on an SLA
//! warning or breach, on the N-th reassignment, on a complaint) and the time-based
//! automations (pending reminders, auto-resolve, auto-close).
//!
//! Admins only; the service-level service checks that again on every call.

use super::{DoneQuery, chrome, minutes_field, path_id};
use crate::UiState;
use crate::chrome::Chrome;
use crate::error::{PageResult, render};
use crate::form::{FieldErrors, Form, FormData};
use crate::session::{Admin, Viewer};
use crate::view::Choice;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use ferrodesk_app::{AppError, EscalationSpec};
use ferrodesk_domain::{EscalationRule, EscalationTrigger, TargetKind};

pub(crate) fn routes() -> Router<UiState> {
    Router::new()
        .route(
            "/escalation-rules",
            get(escalation_rules).post(save_escalation_rule),
        )
        .route("/escalation-rules/new", get(new_escalation_rule_page))
        .route(
            "/escalation-rules/{id}",
            get(edit_escalation_rule_page).post(save_escalation_rule),
        )
        .route(
            "/escalation-rules/{id}/delete",
            post(delete_escalation_rule),
        )
        .route("/automation", get(automation).post(save_automation))
}

// --- escalation rules ------------------------------------------------------------------

const ESCALATION_FIELDS: &[(&str, &str)] = &[
    ("name", "name"),
    ("trigger", "trigger"),
    ("target", "target"),
    ("threshold", "threshold"),
    ("escalates", "escalates"),
];

fn trigger_label(trigger: EscalationTrigger) -> &'static str {
    match trigger {
        EscalationTrigger::SlaWarning => "An SLA warning",
        EscalationTrigger::SlaBreach => "An SLA breach",
        EscalationTrigger::Reassigned => "Reassigned N times",
        EscalationTrigger::Complaint => "A complaint",
    }
}

fn target_label(target: TargetKind) -> &'static str {
    match target {
        TargetKind::FirstResponse => "First response",
        TargetKind::Update => "Update interval",
        TargetKind::Resolution => "Resolution",
    }
}

#[derive(Debug, Clone)]
struct EscalationRow {
    id: i64,
    name: String,
    is_enabled: bool,
    when: String,
    then: String,
}

#[derive(Template)]
#[template(path = "admin/escalation_rules.html")]
struct EscalationRulesPage {
    chrome: Chrome,
    rows: Vec<EscalationRow>,
}

async fn escalation_rules(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Query(query): Query<DoneQuery>,
) -> PageResult {
    let rules = state
        .app
        .service_levels()
        .escalation_rules(&viewer.actor)
        .await?;
    let rows = rules
        .iter()
        .map(|r| {
            let mut when = trigger_label(r.rule.trigger).to_owned();
            if let Some(target) = r.rule.target {
                when.push_str(&format!(" of {}", target_label(target).to_lowercase()));
            }
            if let Some(threshold) = r.rule.threshold {
                when = when.replace('N', &threshold.to_string());
            }
            let then = match (r.rule.escalates, r.rule.notifies_supervisor) {
                (true, true) => "Escalate and notify the supervisors",
                (true, false) => "Escalate to the next tier",
                (false, _) => "Notify the group's supervisors",
            };
            EscalationRow {
                id: r.id.get(),
                name: r.name.clone(),
                is_enabled: r.is_enabled,
                when,
                then: then.to_owned(),
            }
        })
        .collect();
    let page = EscalationRulesPage {
        chrome: chrome(
            &viewer,
            "escalation",
            "Escalation rules",
            query.done.as_deref(),
        ),
        rows,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "admin/escalation_rule_form.html")]
struct EscalationRuleFormPage {
    chrome: Chrome,
    id: Option<i64>,
    input: FormData,
    is_enabled: bool,
    escalates: bool,
    notifies_supervisor: bool,
    trigger_options: Vec<Choice>,
    target_options: Vec<Choice>,
    errors: FieldErrors,
}

fn escalation_rule_page(
    viewer: &Viewer,
    id: Option<i64>,
    input: FormData,
    errors: FieldErrors,
) -> EscalationRuleFormPage {
    let title = match id {
        Some(_) => input.get("name").to_owned(),
        None => "New escalation rule".to_owned(),
    };
    let trigger = input.get("trigger").to_owned();
    let target = input.get("target").to_owned();
    EscalationRuleFormPage {
        chrome: chrome(viewer, "escalation", &title, None),
        id,
        is_enabled: input.checked("is_enabled"),
        escalates: input.checked("escalates"),
        notifies_supervisor: input.checked("notifies_supervisor"),
        trigger_options: EscalationTrigger::ALL
            .iter()
            .map(|t| Choice::new(t, trigger_label(*t), t.as_str() == trigger))
            .collect(),
        target_options: std::iter::once(Choice::new("", "Any target", target.is_empty()))
            .chain(
                TargetKind::ALL
                    .iter()
                    .map(|t| Choice::new(t, target_label(*t), t.as_str() == target)),
            )
            .collect(),
        input,
        errors,
    }
}

async fn new_escalation_rule_page(Admin(viewer): Admin) -> PageResult {
    let mut input = FormData::default();
    input.set("is_enabled", "on");
    input.set("escalates", "on");
    input.set("trigger", EscalationTrigger::SlaBreach.as_str());
    let page = escalation_rule_page(&viewer, None, input, FieldErrors::new());
    Ok(render(StatusCode::OK, &page))
}

async fn edit_escalation_rule_page(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
) -> PageResult {
    let id = path_id(&raw)?;
    let rule = state
        .app
        .service_levels()
        .escalation_rules(&viewer.actor)
        .await?
        .into_iter()
        .find(|r| r.id.get() == id)
        .ok_or(crate::error::PageError::NotFound)?;
    let mut input = FormData::default();
    input.set("name", &rule.name);
    for (field, on) in [
        ("is_enabled", rule.is_enabled),
        ("escalates", rule.rule.escalates),
        ("notifies_supervisor", rule.rule.notifies_supervisor),
    ] {
        if on {
            input.set(field, "on");
        }
    }
    input.set("trigger", rule.rule.trigger.as_str());
    if let Some(target) = rule.rule.target {
        input.set("target", target.as_str());
    }
    if let Some(threshold) = rule.rule.threshold {
        input.set("threshold", &threshold.to_string());
    }
    let page = escalation_rule_page(&viewer, Some(id), input, FieldErrors::new());
    Ok(render(StatusCode::OK, &page))
}

fn escalation_spec(form: &FormData, errors: &mut FieldErrors) -> EscalationSpec {
    let trigger = EscalationTrigger::parse(form.get("trigger")).unwrap_or_else(|_| {
        errors.add("trigger", "choose what sets the rule off");
        EscalationTrigger::SlaBreach
    });
    let target = form
        .opt("target")
        .and_then(|text| match TargetKind::parse(text) {
            Ok(target) => Some(target),
            Err(_) => {
                errors.add("target", "choose a target from the list");
                None
            }
        });
    let threshold = form
        .opt("threshold")
        .and_then(|text| match text.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.add("threshold", "give a whole number of reassignments");
                None
            }
        });
    EscalationSpec {
        name: form.get("name").to_owned(),
        is_enabled: form.checked("is_enabled"),
        rule: EscalationRule {
            trigger,
            target,
            threshold,
            escalates: form.checked("escalates"),
            notifies_supervisor: form.checked("notifies_supervisor"),
        },
    }
}

/// `POST /admin/escalation-rules` creates an escalation rule;
/// `POST /admin/escalation-rules/{id}` saves one.
async fn save_escalation_rule(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    id: Option<Path<String>>,
    Form(form): Form,
) -> PageResult {
    let id = id.map(|Path(raw)| path_id(&raw)).transpose()?;
    let (state, viewer) = (&state, &viewer);
    let mut errors = FieldErrors::new();
    let spec = escalation_spec(&form, &mut errors);
    if errors.is_empty() {
        let levels = state.app.service_levels();
        let saved = match id {
            Some(id) => {
                levels
                    .update_escalation_rule(&viewer.actor, id, &spec)
                    .await
            }
            None => levels.create_escalation_rule(&viewer.actor, &spec).await,
        };
        match saved {
            Ok(_) => {
                return Ok(Redirect::to("/admin/escalation-rules?done=saved").into_response());
            }
            Err(AppError::Conflict { message, .. }) => errors.add("name", message),
            Err(error) => errors.absorb(error, ESCALATION_FIELDS, "")?,
        }
    }
    let page = escalation_rule_page(viewer, id, form, errors);
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

async fn delete_escalation_rule(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
    Form(_form): Form,
) -> PageResult {
    let id = path_id(&raw)?;
    state
        .app
        .service_levels()
        .delete_escalation_rule(&viewer.actor, id)
        .await?;
    Ok(Redirect::to("/admin/escalation-rules?done=deleted").into_response())
}

// --- automation -----------------------------------------------------------------------

const AUTOMATION_FIELDS: &[(&str, &str)] = &[
    ("pending_reminder_minutes", "pending_reminder_minutes"),
    ("pending_resolve_minutes", "pending_resolve_minutes"),
    ("resolved_close_minutes", "resolved_close_minutes"),
];

#[derive(Template)]
#[template(path = "admin/automation.html")]
struct AutomationPage {
    chrome: Chrome,
    input: FormData,
    errors: FieldErrors,
}

async fn automation(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Query(query): Query<DoneQuery>,
) -> PageResult {
    let settings = state.app.service_levels().automation(&viewer.actor).await?;
    let mut input = FormData::default();
    for (field, value) in [
        (
            "pending_reminder_minutes",
            settings.pending_reminder_minutes,
        ),
        ("pending_resolve_minutes", settings.pending_resolve_minutes),
        ("resolved_close_minutes", settings.resolved_close_minutes),
    ] {
        if let Some(minutes) = value {
            input.set(field, &minutes.to_string());
        }
    }
    let page = AutomationPage {
        chrome: chrome(&viewer, "automation", "Automations", query.done.as_deref()),
        input,
        errors: FieldErrors::new(),
    };
    Ok(render(StatusCode::OK, &page))
}

async fn save_automation(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Form(form): Form,
) -> PageResult {
    let mut errors = FieldErrors::new();
    let settings = ferrodesk_app::AutomationSettings {
        pending_reminder_minutes: minutes_field(&form, &mut errors, "pending_reminder_minutes"),
        pending_resolve_minutes: minutes_field(&form, &mut errors, "pending_resolve_minutes"),
        resolved_close_minutes: minutes_field(&form, &mut errors, "resolved_close_minutes"),
    };
    if errors.is_empty() {
        match state
            .app
            .service_levels()
            .set_automation(&viewer.actor, settings)
            .await
        {
            Ok(_) => return Ok(Redirect::to("/admin/automation?done=saved").into_response()),
            Err(error) => errors.absorb(error, AUTOMATION_FIELDS, "")?,
        }
    }
    let page = AutomationPage {
        chrome: chrome(&viewer, "automation", "Automations", None),
        input: form,
        errors,
    };
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}
