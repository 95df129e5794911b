//! Reading submitted forms and showing their errors next to the fields.
//!
//! [`Form`] is the only way a handler reads a POST body, and it refuses the body unless
//! it carries the session's CSRF secret, so no state-changing form can forget the check.
//! Values arrive as text; handlers parse them and collect [`FieldErrors`] keyed by the
//! field's name, which the templates show beside each field.

use crate::UiState;
use crate::error::PageError;
use crate::session::{CsrfSecret, secrets_match};
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use ferrodesk_app::AppError;
use ferrodesk_http::check_same_origin;
use std::collections::BTreeMap;

/// The name of the hidden field that carries the CSRF secret.
pub(crate) const CSRF_FIELD: &str = "csrf";

/// A submitted `application/x-www-form-urlencoded` body whose CSRF token matched the
/// session. Extract it after [`crate::session::Viewer`] (or `Staff`/`Admin`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Form(pub FormData);

/// A submitted form from someone not signed in (the sign-in form): only the
/// Fetch-Metadata / `Origin` check applies.
#[derive(Debug, Clone, Default)]
pub(crate) struct PublicForm(pub FormData);

/// Submitted fields in order; a name may repeat (checkbox lists). A
/// `multipart/form-data` form also brings its files.
#[derive(Debug, Clone, Default)]
pub(crate) struct FormData {
    fields: Vec<(String, String)>,
    files: Vec<FormFile>,
}

/// A file chosen in a form's file input.
#[derive(Debug, Clone)]
pub(crate) struct FormFile {
    /// The input's name.
    pub field: String,
    /// The file name the browser sent.
    pub filename: String,
    /// The type the browser declared.
    pub content_type: Option<String>,
    /// The content.
    pub bytes: Bytes,
}

/// The largest form with files: the files' own limit is checked when they are stored.
pub(crate) const UPLOAD_FORM_LIMIT: usize = 64 * 1024 * 1024;

async fn read_multipart(request: Request, state: &UiState) -> Result<FormData, PageError> {
    let too_large = || {
        PageError::BadRequest(format!(
            "the files are too large together (at most {} MB per form)",
            UPLOAD_FORM_LIMIT / (1024 * 1024)
        ))
    };
    let mut multipart = axum::extract::Multipart::from_request(request, state)
        .await
        .map_err(|_| PageError::BadRequest("the form could not be read".into()))?;
    let mut data = FormData::default();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(too_large());
            }
            Err(_) => return Err(PageError::BadRequest("the form could not be read".into())),
        };
        let name = field.name().unwrap_or("").to_owned();
        let filename = field.file_name().map(str::to_owned);
        let content_type = field.content_type().map(str::to_owned);
        let bytes = field.bytes().await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else {
                PageError::BadRequest("the form could not be read".into())
            }
        })?;
        match filename {
            // A file input left empty sends a part with an empty name and no bytes.
            Some(filename) if filename.is_empty() && bytes.is_empty() => {}
            Some(filename) => data.files.push(FormFile {
                field: name,
                filename,
                content_type,
                bytes,
            }),
            None => data
                .fields
                .push((name, String::from_utf8_lossy(&bytes).into_owned())),
        }
    }
    Ok(data)
}

/// Reads a form's fields (and files); text with a NUL character is refused, since
/// PostgreSQL cannot store it and no browser sends one from a text field.
async fn read_fields(request: Request, state: &UiState) -> Result<FormData, PageError> {
    let data = read_any_form(request, state).await?;
    let has_nul = data
        .fields
        .iter()
        .any(|(name, value)| name.contains('\0') || value.contains('\0'));
    if has_nul {
        return Err(PageError::BadRequest(
            "text must not contain the NUL character".into(),
        ));
    }
    Ok(data)
}

async fn read_any_form(request: Request, state: &UiState) -> Result<FormData, PageError> {
    let is_multipart = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("multipart/form-data"));
    if is_multipart {
        return read_multipart(request, state).await;
    }
    let is_form = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| {
            mime.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !is_form {
        return Err(PageError::BadRequest(
            "send the form as application/x-www-form-urlencoded".into(),
        ));
    }
    let bytes = Bytes::from_request(request, state)
        .await
        .map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                PageError::BadRequest("the form is too large".into())
            } else {
                PageError::BadRequest("the form could not be read".into())
            }
        })?;
    Ok(FormData::parse(&bytes))
}

impl FromRequest<UiState> for Form {
    type Rejection = PageError;

    async fn from_request(request: Request, state: &UiState) -> Result<Self, PageError> {
        let Some(CsrfSecret(expected)) = request.extensions().get::<CsrfSecret>().cloned() else {
            // No session was established before the body was read: fail closed.
            return Err(PageError::Csrf);
        };
        let fields = read_fields(request, state).await?;
        if !secrets_match(fields.get(CSRF_FIELD), &expected) {
            return Err(PageError::Csrf);
        }
        Ok(Form(fields))
    }
}

impl FromRequest<UiState> for PublicForm {
    type Rejection = PageError;

    async fn from_request(request: Request, state: &UiState) -> Result<Self, PageError> {
        let (parts, body) = request.into_parts();
        check_same_origin(&parts)?;
        let fields = read_fields(Request::from_parts(parts, body), state).await?;
        Ok(PublicForm(fields))
    }
}

impl FormData {
    /// Parses a urlencoded body.
    pub(crate) fn parse(bytes: &[u8]) -> FormData {
        FormData {
            fields: form_urlencoded::parse(bytes).into_owned().collect(),
            files: Vec::new(),
        }
    }

    /// Fields to show in a form, as if submitted (an edit form's current values).
    pub(crate) fn from_pairs(pairs: Vec<(&str, String)>) -> FormData {
        FormData {
            fields: pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            files: Vec::new(),
        }
    }

    /// The files chosen in the file input `name`.
    pub(crate) fn files(&self, name: &str) -> impl Iterator<Item = &FormFile> {
        self.files.iter().filter(move |f| f.field == name)
    }

    /// The first value of `name`, untrimmed, or `""`.
    pub(crate) fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .unwrap_or("")
    }

    /// The first value of `name`, trimmed, or `None` when blank or missing.
    pub(crate) fn opt(&self, name: &str) -> Option<&str> {
        Some(self.get(name).trim()).filter(|v| !v.is_empty())
    }

    /// Every value of `name` (checkbox lists), trimmed, blanks left out.
    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.trim())
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// Whether a checkbox named `name` was ticked.
    pub(crate) fn checked(&self, name: &str) -> bool {
        self.fields.iter().any(|(key, _)| key == name)
    }

    /// Sets `name` to `value`, replacing what it had (filling a form from stored values).
    pub(crate) fn set(&mut self, name: &str, value: &str) {
        self.fields.retain(|(key, _)| key != name);
        self.push(name, value);
    }

    /// Adds one more value of `name` (a list of checkboxes or a multiple select).
    pub(crate) fn push(&mut self, name: &str, value: &str) {
        self.fields.push((name.to_owned(), value.to_owned()));
    }
}

/// Errors keyed by field name; `""` holds the error of the form as a whole.
#[derive(Debug, Clone, Default)]
pub(crate) struct FieldErrors {
    errors: BTreeMap<String, String>,
}

impl FieldErrors {
    /// No errors.
    pub(crate) fn new() -> Self {
        FieldErrors::default()
    }

    /// Adds an error for `field` (the first error of a field wins).
    pub(crate) fn add(&mut self, field: &str, message: impl Into<String>) {
        self.errors
            .entry(field.to_owned())
            .or_insert_with(|| crate::error::capitalize(&message.into()));
    }

    /// The error shown next to `field`.
    pub(crate) fn get(&self, field: &str) -> Option<&str> {
        self.errors.get(field).map(String::as_str)
    }

    /// Whether `field` has an error (for `aria-invalid`).
    pub(crate) fn has(&self, field: &str) -> bool {
        self.errors.contains_key(field)
    }

    /// The error of the form as a whole.
    pub(crate) fn form(&self) -> Option<&str> {
        self.get("")
    }

    /// Whether there are none.
    pub(crate) fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// Files a service error under the form field it names: `fields` maps the
    /// service's field names (and, for a bad reference, the kind of thing not found:
    /// `group`, `user`...) to the form's; anything else goes to `fallback`, the error
    /// slot of the form as a whole. Errors that are not about the input (the ticket
    /// itself not found, the database unavailable) are handed back for the error page.
    pub(crate) fn absorb(
        &mut self,
        error: AppError,
        fields: &[(&str, &str)],
        fallback: &str,
    ) -> Result<(), PageError> {
        let target = |name: &str| {
            fields
                .iter()
                .find(|(service, _)| *service == name)
                .map(|(_, form)| *form)
        };
        match error {
            AppError::Invalid { field, message } => {
                match target(&field) {
                    Some(form_field) => self.add(form_field, message),
                    None => self.add(fallback, format!("{}: {message}", field.replace('_', " "))),
                }
                Ok(())
            }
            AppError::NotFound { kind, id } if kind != "ticket" && target(kind).is_some() => {
                self.add(
                    target(kind).unwrap_or(fallback),
                    format!("there is no {kind} {id}"),
                );
                Ok(())
            }
            AppError::TooLarge { limit } => {
                self.add(
                    target("attachments").unwrap_or(fallback),
                    format!(
                        "a file is larger than the limit of {} MB",
                        limit / (1024 * 1024)
                    ),
                );
                Ok(())
            }
            AppError::InvalidTransition(transition) => {
                self.add(target("status").unwrap_or(fallback), transition.to_string());
                Ok(())
            }
            AppError::Conflict { message, .. } | AppError::Forbidden { message } => {
                self.add(fallback, message);
                Ok(())
            }
            other => Err(other.into()),
        }
    }
}

/// The ids chosen in a multiple select or checkbox list named `field`; a value that is
/// not an id is an error on the field.
pub(crate) fn chosen_ids(form: &FormData, errors: &mut FieldErrors, field: &str) -> Vec<i64> {
    let mut found = Vec::new();
    for text in form.all(field) {
        match text.parse::<i64>() {
            Ok(id) => found.push(id),
            Err(_) => errors.add(field, "choose from the list"),
        }
    }
    found
}

/// Stores the files of the form's `attachments` input and returns their references.
///
/// # Errors
/// `TooLarge`, `Invalid` (an empty file), `Internal`.
pub(crate) async fn store_files(
    app: &ferrodesk_app::App,
    form: &FormData,
) -> Result<Vec<ferrodesk_domain::Attachment>, AppError> {
    let mut stored = Vec::new();
    for file in form.files("attachments") {
        stored.push(
            app.attachments()
                .store(
                    file.bytes.clone(),
                    &file.filename,
                    file.content_type.as_deref(),
                )
                .await?,
        );
    }
    Ok(stored)
}

/// A date (`2026-12-31`) from an optional field; blank is `None`, and anything else
/// is a field error.
pub(crate) fn parse_date(
    form: &FormData,
    errors: &mut FieldErrors,
    field: &str,
) -> Option<jiff::civil::Date> {
    let text = form.opt(field)?;
    match text.parse::<jiff::civil::Date>() {
        Ok(date) => Some(date),
        Err(_) => {
            errors.add(field, "give a date like 2026-12-31");
            None
        }
    }
}

/// Percent-encodes a query value.
pub(crate) fn url_encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// A safe place to go after signing in: a path on this site, never another site.
pub(crate) fn safe_next(next: &str) -> Option<&str> {
    let next = next.trim();
    let is_local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(char::is_control);
    is_local.then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_fields_and_blanks_are_read_as_sent() {
        let form = FormData::parse(b"a=1&g=2&g=3&g=&b=+x+&c=");
        assert_eq!(form.get("a"), "1");
        assert_eq!(form.all("g"), vec!["2", "3"]);
        assert_eq!(form.opt("b"), Some("x"));
        assert_eq!(form.opt("c"), None);
        assert!(form.checked("c"));
        assert!(!form.checked("d"));
    }

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next("/agent"), Some("/agent"));
        assert_eq!(safe_next("//evil.example"), None);
        assert_eq!(safe_next("https://evil.example"), None);
        assert_eq!(safe_next("/\\evil.example"), None);
    }

    #[test]
    fn service_errors_land_next_to_their_fields() {
        let mut errors = FieldErrors::new();
        let fields = [("subject", "subject"), ("group", "group_id")];
        errors
            .absorb(
                AppError::invalid("subject", "must not be empty"),
                &fields,
                "",
            )
            .unwrap();
        errors
            .absorb(AppError::invalid("other_field", "bad"), &fields, "")
            .unwrap();
        errors
            .absorb(AppError::not_found("group", 9), &fields, "")
            .unwrap();
        assert_eq!(errors.get("subject"), Some("Must not be empty"));
        assert_eq!(errors.form(), Some("Other field: bad"));
        assert_eq!(errors.get("group_id"), Some("There is no group 9"));
        assert!(
            errors
                .absorb(AppError::not_found("ticket", 1), &fields, "")
                .is_err()
        );
    }
}
