//! Custom fields: values an admin asks for on tickets beyond the built-in ones, by
//! ticket type and category.
//!
//! A [`CustomField`] defines one field; a ticket's values are a map of field key to
//! [`FieldValue`]. [`validate`] checks values given by a person against the
//! definitions that [`CustomFieldSpec::applies_to`] the ticket and returns them typed,
//! or one [`FieldError`] per field that is wrong. Values are stored as text
//! ([`FieldValue::to_stored`], [`FieldValue::from_stored`]), so adding a field never
//! rewrites a ticket.

use crate::{AssetId, CategoryId, CustomFieldId, TicketType, UserId, string_enum};
use jiff::Timestamp;
use jiff::civil::Date;
use std::collections::BTreeMap;
use std::fmt;

/// The longest key, label or option.
pub const MAX_NAME_CHARS: usize = 80;
/// The longest text value (long text included).
pub const MAX_TEXT_CHARS: usize = 10_000;
/// The most options of a choice field.
pub const MAX_OPTIONS: usize = 100;

string_enum!(
    /// What a custom field holds.
    FieldKind {
        /// One line of text.
        Text = "text",
        /// Several lines of text.
        LongText = "long_text",
        /// A number.
        Number = "number",
        /// A calendar date.
        Date = "date",
        /// One of the field's options.
        SingleChoice = "single_choice",
        /// Any of the field's options.
        MultipleChoice = "multiple_choice",
        /// Yes or no.
        Checkbox = "checkbox",
        /// A member of staff or a customer.
        Person = "person",
        /// An asset.
        Asset = "asset",
    }
);

impl FieldKind {
    /// The kind as people read it.
    pub fn label(self) -> &'static str {
        match self {
            FieldKind::Text => "Text",
            FieldKind::LongText => "Long text",
            FieldKind::Number => "Number",
            FieldKind::Date => "Date",
            FieldKind::SingleChoice => "Single choice",
            FieldKind::MultipleChoice => "Multiple choice",
            FieldKind::Checkbox => "Checkbox",
            FieldKind::Person => "Person",
            FieldKind::Asset => "Asset",
        }
    }

    /// Whether the field's values are free text (fed to search).
    pub fn is_text(self) -> bool {
        matches!(self, FieldKind::Text | FieldKind::LongText)
    }

    /// Whether the field picks from its options.
    pub fn has_options(self) -> bool {
        matches!(self, FieldKind::SingleChoice | FieldKind::MultipleChoice)
    }
}

/// What an admin defines about a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomFieldSpec {
    /// The stable name in the API and filters (`operating_system`).
    pub key: String,
    /// The name people read.
    pub label: String,
    /// What it holds.
    pub kind: FieldKind,
    /// The options of a choice field, in order (empty for other kinds).
    pub options: Vec<String>,
    /// Whether a ticket it applies to must have a value.
    pub required: bool,
    /// Whether customers see and fill it (otherwise staff only).
    pub customer_visible: bool,
    /// The ticket types it applies to (empty: all).
    pub ticket_types: Vec<TicketType>,
    /// The categories it applies to (empty: all).
    pub category_ids: Vec<CategoryId>,
    /// Where it is shown among the fields (ascending).
    pub position: i64,
    /// Whether it is offered; an inactive field keeps its values but is not asked for.
    pub active: bool,
}

/// A field definition as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomField {
    /// Id.
    pub id: CustomFieldId,
    /// Its definition.
    pub spec: CustomFieldSpec,
    /// When created.
    pub created_at: Timestamp,
    /// When last changed.
    pub updated_at: Timestamp,
}

/// Why a field definition is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    /// The key is empty, too long, or uses other characters than `a-z`, `0-9`, `_`.
    #[error("the key must be 1 to 80 characters of a-z, 0-9 and _, starting with a letter")]
    BadKey,
    /// The label is empty or too long.
    #[error("the label must be 1 to 80 characters")]
    BadLabel,
    /// A choice field without options, or an option that is empty, repeated or too long.
    #[error("a choice field needs 1 to 100 distinct options of 1 to 80 characters")]
    BadOptions,
    /// Options on a field that is not a choice.
    #[error("only choice fields have options")]
    UnexpectedOptions,
}

impl CustomFieldSpec {
    /// Checks the definition's own rules (the key's uniqueness is the store's).
    ///
    /// # Errors
    /// The first [`SpecError`].
    pub fn check(&self) -> Result<(), SpecError> {
        let key_ok = self.key.chars().count() <= MAX_NAME_CHARS
            && self
                .key
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_lowercase())
            && self
                .key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !key_ok {
            return Err(SpecError::BadKey);
        }
        let label = self.label.trim();
        if label.is_empty() || label.chars().count() > MAX_NAME_CHARS {
            return Err(SpecError::BadLabel);
        }
        if !self.kind.has_options() {
            return if self.options.is_empty() {
                Ok(())
            } else {
                Err(SpecError::UnexpectedOptions)
            };
        }
        let mut seen = Vec::with_capacity(self.options.len());
        for option in &self.options {
            let option = option.trim();
            if option.is_empty()
                || option.chars().count() > MAX_NAME_CHARS
                || seen.contains(&option)
            {
                return Err(SpecError::BadOptions);
            }
            seen.push(option);
        }
        if seen.is_empty() || seen.len() > MAX_OPTIONS {
            return Err(SpecError::BadOptions);
        }
        Ok(())
    }

    /// Whether the field is asked for on a ticket of `ticket_type` in `category_id`.
    pub fn applies_to(&self, ticket_type: TicketType, category_id: Option<CategoryId>) -> bool {
        self.active
            && (self.ticket_types.is_empty() || self.ticket_types.contains(&ticket_type))
            && (self.category_ids.is_empty()
                || category_id.is_some_and(|c| self.category_ids.contains(&c)))
    }
}

/// A field's value, typed by its kind.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    /// Text or long text.
    Text(String),
    /// A number.
    Number(f64),
    /// A date.
    Date(Date),
    /// The chosen option.
    Choice(String),
    /// The chosen options, in the field's order.
    Choices(Vec<String>),
    /// Checked or not.
    Checkbox(bool),
    /// A person.
    Person(UserId),
    /// An asset.
    Asset(AssetId),
}

impl Eq for FieldValue {}

impl FieldValue {
    /// The value as stored and compared by filters: text as is, a number in its
    /// shortest form, a date as `YYYY-MM-DD`, options joined by a line break,
    /// `true`/`false`, ids as digits.
    pub fn to_stored(&self) -> String {
        match self {
            FieldValue::Text(text) | FieldValue::Choice(text) => text.clone(),
            FieldValue::Number(n) => n.to_string(),
            FieldValue::Date(date) => date.to_string(),
            FieldValue::Choices(options) => options.join("\n"),
            FieldValue::Checkbox(checked) => checked.to_string(),
            FieldValue::Person(id) => id.to_string(),
            FieldValue::Asset(id) => id.to_string(),
        }
    }

    /// Reads a stored value back for a field of `kind`; `None` when it does not read
    /// as that kind (the field's kind cannot change, so that is damaged data).
    pub fn from_stored(kind: FieldKind, stored: &str) -> Option<FieldValue> {
        Some(match kind {
            FieldKind::Text | FieldKind::LongText => FieldValue::Text(stored.to_owned()),
            FieldKind::Number => FieldValue::Number(stored.parse().ok()?),
            FieldKind::Date => FieldValue::Date(stored.parse().ok()?),
            FieldKind::SingleChoice => FieldValue::Choice(stored.to_owned()),
            FieldKind::MultipleChoice => {
                FieldValue::Choices(stored.split('\n').map(str::to_owned).collect())
            }
            FieldKind::Checkbox => FieldValue::Checkbox(stored.parse().ok()?),
            FieldKind::Person => FieldValue::Person(UserId(stored.parse().ok()?)),
            FieldKind::Asset => FieldValue::Asset(AssetId(stored.parse().ok()?)),
        })
    }
}

impl fmt::Display for FieldValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldValue::Choices(options) => f.write_str(&options.join(", ")),
            FieldValue::Checkbox(true) => f.write_str("Yes"),
            FieldValue::Checkbox(false) => f.write_str("No"),
            other => f.write_str(&other.to_stored()),
        }
    }
}

/// A value as a person gave it, before it is typed: nothing (clears the field), one
/// text (a form's input, a JSON string, number or boolean) or several (a multiple
/// choice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldInput {
    /// No value: the field is cleared.
    Empty,
    /// One value as text.
    One(String),
    /// Several values.
    Many(Vec<String>),
}

/// Why one field's value is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldProblem {
    /// No field has this key, or it does not apply to the ticket.
    #[error("there is no such field for this ticket")]
    Unknown,
    /// A required field has no value.
    #[error("is required")]
    Required,
    /// The value is not of the field's kind.
    #[error("must be {0}")]
    WrongType(&'static str),
    /// A choice that is not one of the options.
    #[error("'{0}' is not one of the options")]
    UnknownOption(String),
    /// The text is too long.
    #[error("is longer than {MAX_TEXT_CHARS} characters")]
    TooLong,
}

/// One field's refused value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {problem}")]
pub struct FieldError {
    /// The field's key as given.
    pub key: String,
    /// Why.
    pub problem: FieldProblem,
}

/// Values refused, one error per field, by key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct FieldErrors(pub Vec<FieldError>);

/// Checks `input` (by key) against the fields that apply to a ticket of
/// `ticket_type` in `category_id`, with `current` the values it has now (by field id;
/// empty for a new ticket). Returns the values to write: each given field with its
/// typed value, or `None` to clear it. A required field must have a value after the
/// change; an inactive or inapplicable key is unknown.
///
/// # Errors
/// [`FieldErrors`] with one entry per refused field, in key order.
pub fn validate(
    fields: &[CustomField],
    ticket_type: TicketType,
    category_id: Option<CategoryId>,
    current: &BTreeMap<CustomFieldId, FieldValue>,
    input: &BTreeMap<String, FieldInput>,
) -> Result<Vec<(CustomFieldId, Option<FieldValue>)>, FieldErrors> {
    let applicable: Vec<&CustomField> = fields
        .iter()
        .filter(|f| f.spec.applies_to(ticket_type, category_id))
        .collect();
    let mut errors = Vec::new();
    let mut values = Vec::new();
    for (key, given) in input {
        let Some(field) = applicable.iter().find(|f| &f.spec.key == key) else {
            errors.push(FieldError {
                key: key.clone(),
                problem: FieldProblem::Unknown,
            });
            continue;
        };
        match parse_value(&field.spec, given) {
            Ok(value) => values.push((field.id, value)),
            Err(problem) => errors.push(FieldError {
                key: key.clone(),
                problem,
            }),
        }
    }
    for field in applicable.iter().filter(|f| f.spec.required) {
        let given = values.iter().find(|(id, _)| *id == field.id);
        let has_value = match given {
            Some((_, value)) => value.is_some(),
            None => {
                current.contains_key(&field.id) || errors.iter().any(|e| e.key == field.spec.key)
            }
        };
        if !has_value {
            errors.push(FieldError {
                key: field.spec.key.clone(),
                problem: FieldProblem::Required,
            });
        }
    }
    if errors.is_empty() {
        Ok(values)
    } else {
        errors.sort_by(|a, b| a.key.cmp(&b.key));
        Err(FieldErrors(errors))
    }
}

/// One input typed by the field's kind (`None` for an empty input), without regard
/// to where the field applies.
///
/// # Errors
/// [`FieldProblem`] when the input is not a value of the field.
pub fn parse_value(
    spec: &CustomFieldSpec,
    input: &FieldInput,
) -> Result<Option<FieldValue>, FieldProblem> {
    let one = match input {
        FieldInput::Empty => return Ok(None),
        FieldInput::Many(items) if spec.kind == FieldKind::MultipleChoice => {
            return choices(spec, items);
        }
        FieldInput::Many(_) => return Err(FieldProblem::WrongType(expected(spec.kind))),
        FieldInput::One(text) => text.trim(),
    };
    if one.is_empty() && spec.kind != FieldKind::Checkbox {
        return Ok(None);
    }
    let wrong = || FieldProblem::WrongType(expected(spec.kind));
    let value = match spec.kind {
        FieldKind::Text | FieldKind::LongText => {
            if one.chars().count() > MAX_TEXT_CHARS {
                return Err(FieldProblem::TooLong);
            }
            if spec.kind == FieldKind::Text && one.contains('\n') {
                return Err(wrong());
            }
            FieldValue::Text(one.to_owned())
        }
        FieldKind::Number => {
            let n: f64 = one.parse().map_err(|_| wrong())?;
            if !n.is_finite() {
                return Err(wrong());
            }
            FieldValue::Number(n)
        }
        FieldKind::Date => FieldValue::Date(one.parse().map_err(|_| wrong())?),
        FieldKind::SingleChoice => FieldValue::Choice(option(spec, one)?),
        FieldKind::MultipleChoice => return choices(spec, &[one.to_owned()]),
        FieldKind::Checkbox => FieldValue::Checkbox(match one {
            "true" | "on" | "yes" | "1" => true,
            "false" | "off" | "no" | "0" | "" => false,
            _ => return Err(wrong()),
        }),
        FieldKind::Person => FieldValue::Person(UserId(positive(one).ok_or_else(wrong)?)),
        FieldKind::Asset => FieldValue::Asset(AssetId(positive(one).ok_or_else(wrong)?)),
    };
    Ok(Some(value))
}

fn positive(text: &str) -> Option<i64> {
    text.parse::<i64>().ok().filter(|n| *n > 0)
}

/// The option as the field spells it.
fn option(spec: &CustomFieldSpec, given: &str) -> Result<String, FieldProblem> {
    spec.options
        .iter()
        .find(|o| o.as_str() == given)
        .cloned()
        .ok_or_else(|| FieldProblem::UnknownOption(given.to_owned()))
}

/// Chosen options in the field's order, each once; `None` when nothing is chosen.
fn choices(spec: &CustomFieldSpec, items: &[String]) -> Result<Option<FieldValue>, FieldProblem> {
    let mut chosen = Vec::new();
    for item in items.iter().map(|i| i.trim()).filter(|i| !i.is_empty()) {
        chosen.push(option(spec, item)?);
    }
    let ordered: Vec<String> = spec
        .options
        .iter()
        .filter(|o| chosen.contains(o))
        .cloned()
        .collect();
    Ok((!ordered.is_empty()).then_some(FieldValue::Choices(ordered)))
}

/// What a value of `kind` must be, for an error message.
fn expected(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Text => "one line of text",
        FieldKind::LongText => "text",
        FieldKind::Number => "a number",
        FieldKind::Date => "a date (YYYY-MM-DD)",
        FieldKind::SingleChoice => "one of the options",
        FieldKind::MultipleChoice => "a list of options",
        FieldKind::Checkbox => "true or false",
        FieldKind::Person => "a person's id",
        FieldKind::Asset => "an asset's id",
    }
}

#[cfg(test)]
mod tests;
