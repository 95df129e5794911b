//! `/admin/tokens`: API tokens; the secret is shown once, on creation.

use super::{DoneQuery, chrome, path_id};
use crate::UiState;
use crate::chrome::Chrome;
use crate::error::{PageResult, render};
use crate::form::{FieldErrors, Form, FormData, parse_date};
use crate::session::{Admin, Viewer};
use crate::view::{Names, Times, When};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use ferrodesk_app::{PageRequest, UserFilter};
use ferrodesk_domain::{EmailAddress, TokenId};

pub(crate) fn routes() -> Router<UiState> {
    Router::new()
        .route("/tokens", get(tokens).post(create_token))
        .route("/tokens/{id}/revoke", post(revoke_token))
}

#[derive(Debug, Clone)]
struct TokenRow {
    id: i64,
    name: String,
    owner: String,
    created: When,
    expires: String,
    state: &'static str,
    is_live: bool,
}

#[derive(Template)]
#[template(path = "admin/tokens.html")]
struct TokensPage {
    chrome: Chrome,
    rows: Vec<TokenRow>,
    input: FormData,
    errors: FieldErrors,
    secret: Option<String>,
    secret_owner: String,
}

async fn tokens_page(
    state: &UiState,
    viewer: &Viewer,
    input: FormData,
    errors: FieldErrors,
    done: Option<&str>,
) -> PageResult<TokensPage> {
    let all = state.app.auth().list_tokens(&viewer.actor, None).await?;
    let mut names = Names::default();
    names
        .add_users(state, &viewer.actor, all.iter().map(|t| t.user_id))
        .await?;
    let now = state.app.now();
    let times = Times::new(&viewer.user, now);
    let rows = all
        .iter()
        .map(|t| {
            let is_expired = t.expires_at.is_some_and(|at| at <= now);
            let owner = names
                .user(t.user_id)
                .map(|u| format!("{} ({})", u.name, u.email))
                .unwrap_or_else(|| format!("user {}", t.user_id));
            TokenRow {
                id: t.id.get(),
                name: t.name.clone(),
                owner,
                created: times.at(t.created_at),
                expires: t
                    .expires_at
                    .map(|at| times.at(at).absolute)
                    .unwrap_or_else(|| "Never".into()),
                state: if t.revoked_at.is_some() {
                    "Revoked"
                } else if is_expired {
                    "Expired"
                } else {
                    "Active"
                },
                is_live: t.revoked_at.is_none() && !is_expired,
            }
        })
        .collect();
    Ok(TokensPage {
        chrome: chrome(viewer, "tokens", "API tokens", done),
        rows,
        input,
        errors,
        secret: None,
        secret_owner: String::new(),
    })
}

async fn tokens(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Query(query): Query<DoneQuery>,
) -> PageResult {
    let page = tokens_page(
        &state,
        &viewer,
        FormData::default(),
        FieldErrors::new(),
        query.done.as_deref(),
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

/// Creates a token and shows its secret on this response only; it is never stored or
/// shown again. The page is not cached (`no-store` on every page).
async fn create_token(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Form(form): Form,
) -> PageResult {
    let mut errors = FieldErrors::new();
    let owner = match EmailAddress::parse(form.get("owner_email")) {
        Ok(email) => {
            let filter = UserFilter {
                text: Some(email.to_string()),
                ..UserFilter::default()
            };
            let found = state
                .app
                .directory()
                .list_users(&viewer.actor, &filter, &PageRequest::first(20))
                .await?;
            let owner = found.items.into_iter().find(|u| u.email == email);
            if owner.is_none() {
                errors.add("owner_email", format!("nobody has the email {email}"));
            }
            owner
        }
        Err(invalid) => {
            errors.add("owner_email", invalid.message);
            None
        }
    };
    let expires_at = match parse_date(&form, &mut errors, "expires_on") {
        Some(date) => match date.to_zoned(
            jiff::tz::TimeZone::get(&viewer.user.time_zone).unwrap_or(jiff::tz::TimeZone::UTC),
        ) {
            Ok(zoned) => Some(zoned.timestamp()),
            Err(_) => {
                errors.add("expires_on", "that date is out of range");
                None
            }
        },
        None => None,
    };
    if let (Some(owner), true) = (&owner, errors.is_empty()) {
        match state
            .app
            .auth()
            .create_token(&viewer.actor, owner.id, form.get("name"), expires_at)
            .await
        {
            Ok((_, secret)) => {
                let mut page = tokens_page(
                    &state,
                    &viewer,
                    FormData::default(),
                    FieldErrors::new(),
                    None,
                )
                .await?;
                page.secret = Some(secret);
                page.secret_owner = format!("{} ({})", owner.name, owner.email);
                return Ok(render(StatusCode::CREATED, &page));
            }
            Err(error) => errors.absorb(
                error,
                &[
                    ("name", "name"),
                    ("expires_at", "expires_on"),
                    ("user", "owner_email"),
                ],
                "name",
            )?,
        }
    }
    let page = tokens_page(&state, &viewer, form, errors, None).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

async fn revoke_token(
    State(state): State<UiState>,
    Admin(viewer): Admin,
    Path(raw): Path<String>,
    _form: Form,
) -> PageResult {
    let id = TokenId(path_id(&raw)?);
    state.app.auth().revoke_token(&viewer.actor, id).await?;
    Ok(Redirect::to("/admin/tokens?done=revoked").into_response())
}
