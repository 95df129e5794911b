//! `/admin/audit`: the security audit log.

use super::ListQuery;
use super::chrome;
use crate::UiState;
use crate::chrome::Chrome;
use crate::error::{PageResult, render};
use crate::form::url_encode;
use crate::session::Admin;
use crate::view::{Names, Times, When};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use ferrodesk_app::{Cursor, PageRequest};

pub(crate) fn routes() -> Router<UiState> {
    Router::new().route("/audit", get(audit))
}

/// What an audit entry records, in words.
fn action_label(action: &str) -> String {
    let label = match action {
        "login" => "Signed in",
        "logout" => "Signed out",
        "login_failed" => "Sign-in failed",
        "login_throttled" => "Sign-in refused: too many attempts",
        "token_created" => "API token created",
        "token_revoked" => "API token revoked",
        "user_created" => "Account created",
        "password_set" => "Password set",
        "role_changed" => "Role changed",
        "user_activated" => "Account reactivated",
        "user_deactivated" => "Account deactivated",
        other => return other.replace('_', " "),
    };
    label.to_owned()
}

#[derive(Debug, Clone)]
struct AuditRow {
    when: When,
    actor: String,
    action: String,
    subject: String,
    address: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    chrome: Chrome,
    rows: Vec<AuditRow>,
    next_href: Option<String>,
}

async fn audit(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let page = PageRequest {
        cursor: query.after.as_deref().and_then(Cursor::decode),
        limit: 100,
    };
    let entries = state.app.auth().list_audit(&viewer.actor, &page).await?;
    let mut names = Names::default();
    names
        .add_users(
            &state,
            &viewer.actor,
            entries.items.iter().filter_map(|e| e.actor_id),
        )
        .await?;
    let times = Times::new(&viewer.user, state.app.now());
    let rows = entries
        .items
        .iter()
        .map(|e| AuditRow {
            when: times.at(e.created_at),
            actor: e
                .actor_id
                .map(|id| {
                    names
                        .user(id)
                        .map(|u| u.name.clone())
                        .unwrap_or_else(|| format!("user {id}"))
                })
                .unwrap_or_else(|| "Anonymous / system".into()),
            action: action_label(&e.action),
            subject: e.subject.clone(),
            address: e.address.clone().unwrap_or_default(),
            detail: e.detail.clone(),
        })
        .collect();
    let next_href = entries
        .next_cursor
        .map(|c| format!("/admin/audit?after={}", url_encode(&c.encode())));
    Ok(render(
        StatusCode::OK,
        &AuditPage {
            chrome: chrome(&viewer, "audit", "Security audit log", None),
            rows,
            next_href,
        },
    ))
}
