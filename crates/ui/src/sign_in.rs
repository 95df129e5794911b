//! `/`, `/login` and `/logout`: signing in with email and password through the app's
//! session functions, signing out, and sending people to their start page by role.

use crate::UiState;
use crate::error::{PageError, PageResult, render};
use crate::form::{FieldErrors, Form, PublicForm, safe_next};
use crate::session::{RequestInfo, Viewer};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use ferrodesk_app::AppError;
use ferrodesk_http::{SESSION_COOKIE, cookie, session_cookie};
use serde::Deserialize;

pub(crate) fn routes() -> Router<UiState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
}

/// The start page for a role.
pub(crate) fn start_page(actor: &ferrodesk_domain::Actor) -> &'static str {
    if actor.is_staff() {
        crate::agent::workspace_start(actor.role)
    } else {
        "/portal"
    }
}

/// `/`: the start page for whoever is signed in, or the sign-in page.
pub(crate) async fn home(State(state): State<UiState>, headers: HeaderMap) -> PageResult {
    let Some(cookie) = cookie(&headers, SESSION_COOKIE) else {
        return Ok(Redirect::to("/login").into_response());
    };
    match state.app.auth().authenticate_session(&cookie).await {
        Ok((actor, _)) => Ok(Redirect::to(start_page(&actor)).into_response()),
        Err(AppError::Unauthenticated { .. }) => Ok(Redirect::to("/login").into_response()),
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    email: String,
    next: String,
    notice: Option<&'static str>,
    errors: FieldErrors,
}

#[derive(Debug, Deserialize)]
struct LoginQuery {
    next: Option<String>,
    signed_out: Option<String>,
}

async fn login_page(
    State(state): State<UiState>,
    Query(query): Query<LoginQuery>,
    headers: HeaderMap,
) -> PageResult {
    let next = query
        .next
        .as_deref()
        .and_then(safe_next)
        .unwrap_or("")
        .to_owned();
    // Someone already signed in goes straight on.
    if let Some(cookie) = cookie(&headers, SESSION_COOKIE)
        && let Ok((actor, _)) = state.app.auth().authenticate_session(&cookie).await
    {
        let target = if next.is_empty() {
            start_page(&actor).to_owned()
        } else {
            next
        };
        return Ok(Redirect::to(&target).into_response());
    }
    let notice = if query.signed_out.is_some() {
        Some("You have signed out.")
    } else if !next.is_empty() && next != "/" {
        Some("Sign in to continue.")
    } else {
        None
    };
    Ok(render(
        StatusCode::OK,
        &LoginPage {
            email: String::new(),
            next,
            notice,
            errors: FieldErrors::new(),
        },
    ))
}

async fn login(
    State(state): State<UiState>,
    info: RequestInfo,
    PublicForm(form): PublicForm,
) -> PageResult {
    let email = form.get("email").trim().to_owned();
    let password = form.get("password");
    let next = safe_next(form.get("next")).unwrap_or("").to_owned();
    let mut errors = FieldErrors::new();
    if email.is_empty() {
        errors.add("email", "enter your email address");
    }
    if password.is_empty() {
        errors.add("password", "enter your password");
    }
    if errors.is_empty() {
        match state
            .app
            .auth()
            .login(&email, password, info.address.as_deref())
            .await
        {
            Ok(grant) => {
                let actor = state
                    .app
                    .auth()
                    .authenticate_session(&grant.cookie_value)
                    .await?
                    .0;
                let target = if next.is_empty() {
                    start_page(&actor).to_owned()
                } else {
                    next
                };
                let mut response = Redirect::to(&target).into_response();
                let max_age = state.app.config().session_ttl.as_secs();
                if let Some(value) = session_cookie(&grant.cookie_value, max_age, info.secure) {
                    response.headers_mut().insert(header::SET_COOKIE, value);
                }
                return Ok(response);
            }
            Err(AppError::Unauthenticated { .. }) => {
                errors.add(
                    "",
                    "That email and password do not match an account. Check them and try again.",
                );
            }
            Err(AppError::Throttled {
                retry_after_seconds,
            }) => {
                errors.add(
                    "",
                    format!(
                        "Too many failed sign-ins. Wait {} minutes, then try again.",
                        retry_after_seconds.div_ceil(60)
                    ),
                );
                let mut response = render(
                    StatusCode::TOO_MANY_REQUESTS,
                    &LoginPage {
                        email,
                        next,
                        notice: None,
                        errors,
                    },
                );
                if let Ok(value) = HeaderValue::from_str(&retry_after_seconds.to_string()) {
                    response.headers_mut().insert(header::RETRY_AFTER, value);
                }
                return Ok(response);
            }
            Err(other) => return Err(other.into()),
        }
    }
    Ok(render(
        StatusCode::UNPROCESSABLE_ENTITY,
        &LoginPage {
            email,
            next,
            notice: None,
            errors,
        },
    ))
}

async fn logout(
    State(state): State<UiState>,
    info: RequestInfo,
    _viewer: Viewer,
    _form: Form,
) -> PageResult<Response> {
    if let Some(session) = &info.session {
        state
            .app
            .auth()
            .logout(session)
            .await
            .map_err(PageError::from)?;
    }
    let mut response = Redirect::to("/login?signed_out=1").into_response();
    if let Some(value) = session_cookie("", 0, info.secure) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}
