//! `/admin/...`: the admin screens, one module per screen family, mirroring the URLs
//! and `templates/admin/`: `people` (`/admin/users`), `organizations`, `groups`,
//! `catalog` (categories and services), `tokens`, `audit`, `sla` (calendars and
//! policies), `routing` (routing rules, assignment, availability), `automation`
//! (escalation rules and time-based automations), `mail` (mailboxes, quarantine,
//! outgoing mail), `vendors` and `custom_fields`. This module holds the frame they share and the form helpers more
//! than one of them uses.
//!
//! Admins only; the services check that again on every call.

pub(crate) mod assignment;
mod audit;
mod automation;
mod calendar_check;
pub(crate) mod catalog;
mod custom_fields;
pub(crate) mod duration;
mod groups;
pub(crate) mod mail;
mod organizations;
mod people;
pub(crate) mod routing;
mod sla;
mod ticket_templates;
mod tokens;
mod vendors;

use crate::UiState;
use crate::chrome::Chrome;
use crate::error::{PageError, PageResult};
use crate::form::{FieldErrors, FormData};
use crate::session::Viewer;
use crate::view::Choice;
use axum::Router;
use axum::response::Redirect;
use axum::routing::get;
use ferrodesk_app::{PageRequest, UserFilter};
use ferrodesk_domain::{Organization, Priority, Role};
use serde::Deserialize;

/// Every screen under `/admin`.
pub(crate) fn routes() -> Router<UiState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/admin/users") }))
        .merge(people::routes())
        .merge(organizations::routes())
        .merge(groups::routes())
        .merge(catalog::routes())
        .merge(tokens::routes())
        .merge(audit::routes())
        .merge(sla::routes())
        .merge(routing::routes())
        .merge(assignment::routes())
        .merge(automation::routes())
        .merge(mail::routes())
        .merge(vendors::routes())
        .merge(custom_fields::routes())
        .merge(ticket_templates::routes())
}

pub(crate) fn path_id(raw: &str) -> PageResult<i64> {
    raw.trim().parse().map_err(|_| PageError::NotFound)
}

pub(crate) fn chrome(viewer: &Viewer, nav: &str, title: &str, done: Option<&str>) -> Chrome {
    Chrome::new(viewer, "admin", title).nav(nav).notice(done)
}

pub(crate) async fn all_organizations(
    state: &UiState,
    viewer: &Viewer,
) -> PageResult<Vec<Organization>> {
    let mut all = Vec::new();
    let mut page = PageRequest::first(ferrodesk_app::MAX_PAGE_SIZE);
    // Bounded: a desk with more organizations than this picks them by id in the API.
    for _ in 0..10 {
        let found = state
            .app
            .directory()
            .list_organizations(&viewer.actor, &page)
            .await?;
        all.extend(found.items);
        match found.next_cursor {
            Some(cursor) => page.cursor = Some(cursor),
            None => break,
        }
    }
    Ok(all)
}

fn organization_choices(orgs: &[Organization], current: &str) -> Vec<Choice> {
    std::iter::once(Choice::new("", "No organization", current.is_empty()))
        .chain(
            orgs.iter()
                .map(|o| Choice::new(o.id, o.name.clone(), o.id.to_string() == current)),
        )
        .collect()
}

/// A list's filter, page and notice (`/admin/users`, `/admin/audit`).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListQuery {
    pub(crate) role: Option<String>,
    pub(crate) q: Option<String>,
    pub(crate) after: Option<String>,
    pub(crate) done: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct DoneQuery {
    pub(crate) done: Option<String>,
}

/// A whole number of minutes from an optional field; blank is `None` (no target, or
/// the step turned off).
fn minutes_field(form: &FormData, errors: &mut FieldErrors, field: &str) -> Option<i64> {
    let text = form.opt(field)?;
    match text.parse::<i64>() {
        Ok(minutes) => Some(minutes),
        Err(_) => {
            errors.add(field, "give a whole number of minutes, or leave it blank");
            None
        }
    }
}

/// One optional id from a select.
fn chosen_id(form: &FormData, errors: &mut FieldErrors, field: &str) -> Option<i64> {
    let text = form.opt(field)?;
    match text.parse::<i64>() {
        Ok(id) => Some(id),
        Err(_) => {
            errors.add(field, "choose from the list");
            None
        }
    }
}

/// Words or tags typed comma-separated (or one per line).
fn words(text: &str) -> Vec<String> {
    text.split([',', '\n'])
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

fn priority_label(priority: Priority) -> &'static str {
    match priority {
        Priority::P1 => "P1 critical",
        Priority::P2 => "P2 high",
        Priority::P3 => "P3 medium",
        Priority::P4 => "P4 low",
    }
}

/// Staff who can be assigned or notified, by name (bounded: a page per role).
async fn staff(state: &UiState, viewer: &Viewer) -> PageResult<Vec<(String, String)>> {
    let mut people = Vec::new();
    for role in [Role::Agent, Role::Supervisor, Role::Admin] {
        let filter = UserFilter {
            role: Some(role),
            ..UserFilter::default()
        };
        let page = state
            .app
            .directory()
            .list_users(
                &viewer.actor,
                &filter,
                &PageRequest::first(ferrodesk_app::MAX_PAGE_SIZE),
            )
            .await?;
        people.extend(
            page.items
                .into_iter()
                .filter(|u| u.is_active)
                .map(|u| (u.id.to_string(), format!("{} ({})", u.name, u.email))),
        );
    }
    people.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(people)
}
