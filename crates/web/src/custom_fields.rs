//! `/api/v1/custom-fields`: the custom fields the caller may see (customers: the ones
//! visible to them), defined by admins. A ticket carries its values as `custom_fields`
//! (key → value) in `crate::tickets`; this module converts them both ways and reads
//! the `cf.<key>` filters of the ticket list.

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, Authenticated, NUL_REFUSED, has_encoded_nul};
use crate::tickets::{TicketResponse, created};
use crate::types::TicketKind;
use axum::Json;
use axum::extract::FromRequestParts;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::Uri;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use ferrodesk_app::{AppError, CustomFieldPatch, Removed};
use ferrodesk_domain::custom_fields::parse_value;
use ferrodesk_domain::{
    Actor, CategoryId, CustomField, CustomFieldId, CustomFieldSpec, FieldInput, FieldKind,
    FieldValue, TicketId,
};
use jiff::Timestamp;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_fields, create_field))
        .routes(routes!(update_field, delete_field))
}

/// What a field holds.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldKindBody {
    /// One line of text.
    Text,
    /// Several lines of text.
    LongText,
    /// A number.
    Number,
    /// A date, `YYYY-MM-DD`.
    Date,
    /// One of `options`.
    SingleChoice,
    /// Any of `options` (a list).
    MultipleChoice,
    /// `true` or `false`.
    Checkbox,
    /// A person's id.
    Person,
    /// An asset's id.
    Asset,
}

impl From<FieldKindBody> for FieldKind {
    fn from(kind: FieldKindBody) -> Self {
        match kind {
            FieldKindBody::Text => FieldKind::Text,
            FieldKindBody::LongText => FieldKind::LongText,
            FieldKindBody::Number => FieldKind::Number,
            FieldKindBody::Date => FieldKind::Date,
            FieldKindBody::SingleChoice => FieldKind::SingleChoice,
            FieldKindBody::MultipleChoice => FieldKind::MultipleChoice,
            FieldKindBody::Checkbox => FieldKind::Checkbox,
            FieldKindBody::Person => FieldKind::Person,
            FieldKindBody::Asset => FieldKind::Asset,
        }
    }
}

impl From<FieldKind> for FieldKindBody {
    fn from(kind: FieldKind) -> Self {
        match kind {
            FieldKind::Text => FieldKindBody::Text,
            FieldKind::LongText => FieldKindBody::LongText,
            FieldKind::Number => FieldKindBody::Number,
            FieldKind::Date => FieldKindBody::Date,
            FieldKind::SingleChoice => FieldKindBody::SingleChoice,
            FieldKind::MultipleChoice => FieldKindBody::MultipleChoice,
            FieldKind::Checkbox => FieldKindBody::Checkbox,
            FieldKind::Person => FieldKindBody::Person,
            FieldKind::Asset => FieldKindBody::Asset,
        }
    }
}

/// A custom field's definition.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomFieldResponse {
    /// Id.
    pub id: i64,
    /// The key in `custom_fields` and in `cf.<key>` filters.
    pub key: String,
    /// The name people read.
    pub label: String,
    /// What it holds.
    pub kind: FieldKindBody,
    /// The options of a choice field.
    pub options: Vec<String>,
    /// A ticket it applies to must have a value.
    pub required: bool,
    /// Customers see and fill it.
    pub customer_visible: bool,
    /// The ticket types it applies to; empty is all.
    pub ticket_types: Vec<TicketKind>,
    /// The categories it applies to; empty is all.
    pub category_ids: Vec<i64>,
    /// Order among the fields.
    pub position: i64,
    /// Offered on tickets (an inactive field keeps its values).
    pub active: bool,
    /// Created.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

fn field_response(field: CustomField) -> CustomFieldResponse {
    let spec = field.spec;
    CustomFieldResponse {
        id: field.id.get(),
        key: spec.key,
        label: spec.label,
        kind: spec.kind.into(),
        options: spec.options,
        required: spec.required,
        customer_visible: spec.customer_visible,
        ticket_types: spec.ticket_types.into_iter().map(Into::into).collect(),
        category_ids: spec.category_ids.into_iter().map(CategoryId::get).collect(),
        position: spec.position,
        active: spec.active,
        created_at: field.created_at,
        updated_at: field.updated_at,
    }
}

/// A field to define.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCustomFieldRequest {
    /// Stable key: `a-z`, `0-9`, `_`, starting with a letter.
    pub key: String,
    /// The name people read.
    pub label: String,
    /// What it holds.
    pub kind: FieldKindBody,
    /// The options of a choice field.
    #[serde(default)]
    pub options: Vec<String>,
    /// A ticket it applies to must have a value.
    #[serde(default)]
    pub required: bool,
    /// Customers see and fill it.
    #[serde(default)]
    pub customer_visible: bool,
    /// The ticket types it applies to; empty is all.
    #[serde(default)]
    pub ticket_types: Vec<TicketKind>,
    /// The categories it applies to; empty is all.
    #[serde(default)]
    pub category_ids: Vec<i64>,
    /// Order among the fields (default 0).
    #[serde(default)]
    pub position: i64,
}

/// Changes to a field; absent parts stay. The key and kind never change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCustomFieldRequest {
    /// New label.
    pub label: Option<String>,
    /// New options.
    pub options: Option<Vec<String>>,
    /// Required or not.
    pub required: Option<bool>,
    /// Visible to customers or staff only.
    pub customer_visible: Option<bool>,
    /// New ticket types.
    pub ticket_types: Option<Vec<TicketKind>>,
    /// New categories.
    pub category_ids: Option<Vec<i64>>,
    /// New position.
    pub position: Option<i64>,
    /// Offered or not.
    pub active: Option<bool>,
}

/// The custom fields the caller may see, by position: every one for staff, the active
/// fields visible to customers for customers.
#[utoipa::path(
    get,
    path = "/api/v1/custom-fields",
    tag = "custom-fields",
    responses(
        (status = 200, description = "the fields", body = Vec<CustomFieldResponse>),
        (status = 401, description = "not signed in", body = ErrorBody),
    )
)]
async fn list_fields(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<Vec<CustomFieldResponse>>, ApiError> {
    let fields = state.app.custom_fields().list(&auth.actor).await?;
    Ok(Json(fields.into_iter().map(field_response).collect()))
}

/// Defines a custom field (admins). Existing tickets are not rewritten.
#[utoipa::path(
    post,
    path = "/api/v1/custom-fields",
    tag = "custom-fields",
    request_body = CreateCustomFieldRequest,
    responses(
        (status = 201, description = "the new field", body = CustomFieldResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 409, description = "`key_taken`: another field has this key", body = ErrorBody),
        (status = 422, description = "a bad key, label or options, or an unknown field", body = ErrorBody),
    )
)]
async fn create_field(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(r): ApiJson<CreateCustomFieldRequest>,
) -> Result<Response, ApiError> {
    let spec = CustomFieldSpec {
        key: r.key,
        label: r.label,
        kind: r.kind.into(),
        options: r.options,
        required: r.required,
        customer_visible: r.customer_visible,
        ticket_types: r.ticket_types.into_iter().map(Into::into).collect(),
        category_ids: r.category_ids.into_iter().map(CategoryId).collect(),
        position: r.position,
        active: true,
    };
    let saved = state.app.custom_fields().create(&auth.actor, spec).await?;
    let location = format!("/api/v1/custom-fields/{}", saved.id);
    Ok(created(field_response(saved), &location, false))
}

/// Changes a custom field (admins).
#[utoipa::path(
    patch,
    path = "/api/v1/custom-fields/{id}",
    tag = "custom-fields",
    params(("id" = i64, Path, description = "field id")),
    request_body = UpdateCustomFieldRequest,
    responses(
        (status = 200, description = "the changed field", body = CustomFieldResponse),
        (status = 400, description = "malformed JSON or id", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 404, description = "no such field", body = ErrorBody),
        (status = 422, description = "a bad label or options, or an unknown field", body = ErrorBody),
    )
)]
async fn update_field(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<UpdateCustomFieldRequest>,
) -> Result<Json<CustomFieldResponse>, ApiError> {
    let patch = CustomFieldPatch {
        label: r.label,
        options: r.options,
        required: r.required,
        customer_visible: r.customer_visible,
        ticket_types: r
            .ticket_types
            .map(|types| types.into_iter().map(Into::into).collect()),
        category_ids: r
            .category_ids
            .map(|ids| ids.into_iter().map(CategoryId).collect()),
        position: r.position,
        active: r.active,
    };
    let saved = state
        .app
        .custom_fields()
        .update(&auth.actor, CustomFieldId(id), patch)
        .await?;
    Ok(Json(field_response(saved)))
}

/// Removes a custom field (admins): deleted (204) when no ticket has a value of it,
/// otherwise deactivated (200 with the field) so the values stay.
#[utoipa::path(
    delete,
    path = "/api/v1/custom-fields/{id}",
    tag = "custom-fields",
    params(("id" = i64, Path, description = "field id")),
    responses(
        (status = 200, description = "tickets have values: the field was deactivated", body = CustomFieldResponse),
        (status = 204, description = "deleted"),
        (status = 400, description = "the id is not a number", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 404, description = "no such field", body = ErrorBody),
    )
)]
async fn delete_field(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    let removed = state
        .app
        .custom_fields()
        .remove(&auth.actor, CustomFieldId(id))
        .await?;
    Ok(match removed {
        Removed::Deleted => StatusCode::NO_CONTENT.into_response(),
        Removed::Deactivated(field) => Json(field_response(field)).into_response(),
    })
}

/// A value as JSON: numbers and checkboxes as such, a multiple choice as a list,
/// people and assets as ids, the rest as text.
fn value_json(value: FieldValue) -> Value {
    match value {
        FieldValue::Number(n) => serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number),
        FieldValue::Checkbox(checked) => Value::Bool(checked),
        FieldValue::Choices(options) => {
            Value::Array(options.into_iter().map(Value::String).collect())
        }
        FieldValue::Person(id) => Value::from(id.get()),
        FieldValue::Asset(id) => Value::from(id.get()),
        other => Value::String(other.to_stored()),
    }
}

/// The response with the ticket's custom field values the actor may see.
///
/// # Errors
/// `Unavailable`.
pub(crate) async fn with_custom_fields(
    state: &AppState,
    actor: &Actor,
    mut response: TicketResponse,
) -> Result<TicketResponse, ApiError> {
    let values = state
        .app
        .custom_fields()
        .values(actor, TicketId(response.id))
        .await?;
    response.custom_fields = Some(
        values
            .into_iter()
            .map(|(field, value)| (field.spec.key, value_json(value)))
            .collect(),
    );
    Ok(response)
}

/// `custom_fields` of a request as the app takes them: `null` clears, a list is a
/// multiple choice, a string, number or boolean one value.
///
/// # Errors
/// `Invalid` (`custom_fields.<key>`) for an object or a list of other than strings.
pub(crate) fn field_inputs(
    given: BTreeMap<String, Value>,
) -> Result<BTreeMap<String, FieldInput>, ApiError> {
    given
        .into_iter()
        .map(|(key, value)| {
            let input = match value {
                Value::Null => FieldInput::Empty,
                Value::String(text) => FieldInput::One(text),
                Value::Number(n) => FieldInput::One(n.to_string()),
                Value::Bool(b) => FieldInput::One(b.to_string()),
                Value::Array(items) => FieldInput::Many(
                    items
                        .into_iter()
                        .map(|item| match item {
                            Value::String(text) => Ok(text),
                            _ => Err(not_a_value(&key)),
                        })
                        .collect::<Result<_, _>>()?,
                ),
                Value::Object(_) => return Err(not_a_value(&key)),
            };
            Ok((key, input))
        })
        .collect()
}

fn not_a_value(key: &str) -> ApiError {
    AppError::invalid(
        format!("custom_fields.{key}"),
        "must be a string, number, boolean, list of strings or null",
    )
    .into()
}

/// Query parameters with the `cf.<key>` ones taken apart: `T` reads the others (and
/// refuses what it does not know), the map holds the custom field filters.
#[derive(Debug)]
pub(crate) struct WithCustomFilters<T>(pub T, pub BTreeMap<String, String>);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for WithCustomFilters<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or("");
        if has_encoded_nul(query) {
            return Err(ApiError::InvalidQuery(NUL_REFUSED.into()));
        }
        let mut custom = BTreeMap::new();
        let mut rest = form_urlencoded::Serializer::new(String::new());
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            if name.starts_with("cf.") {
                custom.insert(name.into_owned(), value.into_owned());
            } else {
                rest.append_pair(&name, &value);
            }
        }
        let uri: Uri = format!("/?{}", rest.finish())
            .parse()
            .map_err(|_| ApiError::InvalidQuery("malformed query".to_owned()))?;
        let parsed = axum::extract::Query::<T>::try_from_uri(&uri)
            .map_err(|rejection| ApiError::InvalidQuery(rejection.body_text()))?;
        Ok(WithCustomFilters(parsed.0, custom))
    }
}

/// The `cf.<key>=value` filter of a ticket list, as the stored value of the field the
/// actor may see. At most one is supported.
///
/// # Errors
/// `InvalidQuery` for an unknown key, a value that is not one of the field's, or
/// more than one.
pub(crate) async fn custom_filter(
    state: &AppState,
    actor: &Actor,
    params: BTreeMap<String, String>,
) -> Result<Option<(CustomFieldId, String)>, ApiError> {
    let mut filters = Vec::new();
    for (name, text) in params {
        let Some(key) = name.strip_prefix("cf.") else {
            return Err(ApiError::InvalidQuery(format!(
                "unknown query parameter '{name}'"
            )));
        };
        filters.push((key.to_owned(), text));
    }
    let Some((key, text)) = filters.pop() else {
        return Ok(None);
    };
    if !filters.is_empty() {
        return Err(ApiError::InvalidQuery(
            "filter by one custom field at a time".to_owned(),
        ));
    }
    let fields = state.app.custom_fields().list(actor).await?;
    let field = fields
        .into_iter()
        .find(|f| f.spec.key == key)
        .ok_or_else(|| ApiError::InvalidQuery(format!("cf.{key}: no such custom field")))?;
    let value = parse_value(&field.spec, &FieldInput::One(text))
        .map_err(|problem| ApiError::InvalidQuery(format!("cf.{key}: {problem}")))?
        .ok_or_else(|| ApiError::InvalidQuery(format!("cf.{key}: give a value")))?;
    Ok(Some((field.id, value.to_stored())))
}
