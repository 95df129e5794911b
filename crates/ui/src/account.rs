//! The signed-in person's own account (`/account/password`, linked from the account
//! menu), and the admin's category rename and delete (`/admin/categories/{id}/...`).
//!
//! Changing the password keeps the browser session it was made from and ends every
//! other session of the person.

use crate::UiState;
use crate::error::{PageError, PageResult, render};
use crate::form::{FieldErrors, Form};
use crate::session::{Admin, RequestInfo, Viewer};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Redirect};
use axum::routing::{get, post};
use ferrodesk_domain::CategoryId;
use serde::Deserialize;

/// `/account/...`.
pub(crate) fn routes() -> Router<UiState> {
    Router::new().route(
        "/account/password",
        get(password_page).post(change_password),
    )
}

/// `/admin/categories/{id}/...`.
pub(crate) fn admin_routes() -> Router<UiState> {
    Router::new()
        .route("/categories/{id}/rename", post(rename_category))
        .route("/categories/{id}/delete", post(delete_category))
}

#[derive(Template)]
#[template(path = "account_password.html")]
struct PasswordPage {
    csrf: String,
    home: &'static str,
    notice: Option<&'static str>,
    errors: FieldErrors,
}

#[derive(Debug, Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

/// `GET /account/password`.
async fn password_page(viewer: Viewer, Query(query): Query<DoneQuery>) -> PageResult {
    let page = PasswordPage {
        csrf: viewer.csrf.clone(),
        home: crate::sign_in::start_page(&viewer.actor),
        notice: (query.done.as_deref() == Some("changed"))
            .then_some("Password changed. You were signed out everywhere else."),
        errors: FieldErrors::new(),
    };
    Ok(render(StatusCode::OK, &page))
}

/// `POST /account/password`.
async fn change_password(
    State(state): State<UiState>,
    viewer: Viewer,
    request: RequestInfo,
    Form(form): Form,
) -> PageResult {
    let mut errors = FieldErrors::new();
    if form.get("new_password") != form.get("repeat_password") {
        errors.add("repeat_password", "the two new passwords differ");
    } else {
        match state
            .app
            .account()
            .change_password(
                &viewer.actor,
                form.get("current_password"),
                form.get("new_password"),
                request.session.as_deref(),
                request.address.as_deref(),
            )
            .await
        {
            Ok(_) => return Ok(Redirect::to("/account/password?done=changed").into_response()),
            Err(error) => errors.absorb(
                error,
                &[
                    ("current_password", "current_password"),
                    ("new_password", "new_password"),
                ],
                "",
            )?,
        }
    }
    let page = PasswordPage {
        csrf: viewer.csrf.clone(),
        home: crate::sign_in::start_page(&viewer.actor),
        notice: None,
        errors,
    };
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

fn category_id(raw: &str) -> PageResult<CategoryId> {
    raw.trim()
        .parse::<i64>()
        .map(CategoryId)
        .map_err(|_| PageError::NotFound)
}

/// `POST /admin/categories/{id}/rename`.
async fn rename_category(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    state
        .app
        .directory()
        .rename_category(&viewer.actor, category_id(&raw)?, form.get("name"))
        .await?;
    Ok(Redirect::to("/admin/categories?done=saved").into_response())
}

/// `POST /admin/categories/{id}/delete`: refused while tickets use it or it has
/// children.
async fn delete_category(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
    Form(_form): Form,
) -> PageResult {
    state
        .app
        .directory()
        .delete_category(&viewer.actor, category_id(&raw)?)
        .await?;
    Ok(Redirect::to("/admin/categories?done=category_deleted").into_response())
}
