//! Ticket templates: a recurring request's form, prefilled.
//!
//! A [`TicketTemplate`] never creates a ticket itself: the agent's "new ticket" form
//! and the portal's request form start from it (subject, a Markdown outline for the
//! description, category, type, priority and custom field values), and the person
//! sends the form as usual. [`TemplateSpec::check`] holds the template's own rules;
//! [`check_custom_values`] checks its custom field values against the definitions
//! with the custom fields' own parsing, except "required": a template may leave a
//! required field for the person to fill.

use crate::custom_fields::parse_value;
use crate::{
    CategoryId, CustomField, FieldError, FieldErrors, FieldInput, FieldProblem, Impact, Priority,
    TicketTemplateId, TicketType, Urgency, string_enum,
};
use jiff::Timestamp;
use std::collections::BTreeMap;

/// The longest name.
pub const MAX_NAME_CHARS: usize = 80;
/// The longest description (one or two lines in the picker).
pub const MAX_DESCRIPTION_CHARS: usize = 300;
/// The longest subject (a ticket's own limit).
pub const MAX_SUBJECT_CHARS: usize = 200;
/// The longest outline.
pub const MAX_BODY_CHARS: usize = 20_000;

string_enum!(
    /// Who starts tickets from a template.
    TemplateAudience {
        /// Agents, on the "new ticket" form.
        Staff = "staff",
        /// Customers, on the portal's request form.
        Customers = "customers",
        /// Both.
        Both = "both",
    }
);

impl TemplateAudience {
    /// Whether staff see the template.
    pub fn for_staff(self) -> bool {
        matches!(self, TemplateAudience::Staff | TemplateAudience::Both)
    }

    /// Whether customers see the template.
    pub fn for_customers(self) -> bool {
        matches!(self, TemplateAudience::Customers | TemplateAudience::Both)
    }

    /// The audience as people read it.
    pub fn label(self) -> &'static str {
        match self {
            TemplateAudience::Staff => "Staff",
            TemplateAudience::Customers => "Customers",
            TemplateAudience::Both => "Staff and customers",
        }
    }
}

/// What an admin defines about a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateSpec {
    /// The name in the picker ("New laptop").
    pub name: String,
    /// One line under the name in the picker.
    pub description: String,
    /// The subject the form starts with (may be empty).
    pub subject: String,
    /// The description the form starts with: a Markdown outline to fill in.
    pub body: String,
    /// The category the form starts with.
    pub category_id: Option<CategoryId>,
    /// The ticket type the form starts with.
    pub ticket_type: Option<TicketType>,
    /// The priority the form starts with.
    pub priority: Option<Priority>,
    /// Custom field values by key, as stored (`FieldValue::to_stored`).
    pub custom_values: BTreeMap<String, String>,
    /// Who sees it.
    pub audience: TemplateAudience,
    /// Whether it is offered.
    pub active: bool,
    /// Where it is shown among the templates (ascending).
    pub position: i64,
}

/// A template as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketTemplate {
    /// Id.
    pub id: TicketTemplateId,
    /// Its definition.
    pub spec: TemplateSpec,
    /// When created.
    pub created_at: Timestamp,
    /// When last changed.
    pub updated_at: Timestamp,
}

/// Why a template is refused (its custom values are checked by
/// [`check_custom_values`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// The name is empty or too long.
    #[error("the name must be 1 to {MAX_NAME_CHARS} characters")]
    BadName,
    /// The description is too long.
    #[error("the description must be at most {MAX_DESCRIPTION_CHARS} characters")]
    DescriptionTooLong,
    /// The subject is too long or has a line break.
    #[error("the subject must be one line of at most {MAX_SUBJECT_CHARS} characters")]
    BadSubject,
    /// The outline is too long.
    #[error("the outline must be at most {MAX_BODY_CHARS} characters")]
    BodyTooLong,
}

impl TemplateError {
    /// The part of the template the error is about.
    pub fn field(&self) -> &'static str {
        match self {
            TemplateError::BadName => "name",
            TemplateError::DescriptionTooLong => "description",
            TemplateError::BadSubject => "subject",
            TemplateError::BodyTooLong => "body",
        }
    }
}

impl TemplateSpec {
    /// The spec with its texts trimmed (the outline keeps its inner layout).
    pub fn trimmed(mut self) -> TemplateSpec {
        self.name = self.name.trim().to_owned();
        self.description = self.description.trim().to_owned();
        self.subject = self.subject.trim().to_owned();
        self.body = self.body.trim_end().to_owned();
        self
    }

    /// Checks the template's own rules (whether its category exists is the caller's).
    ///
    /// # Errors
    /// The first [`TemplateError`].
    pub fn check(&self) -> Result<(), TemplateError> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
            return Err(TemplateError::BadName);
        }
        if self.description.chars().count() > MAX_DESCRIPTION_CHARS {
            return Err(TemplateError::DescriptionTooLong);
        }
        if self.subject.chars().count() > MAX_SUBJECT_CHARS || self.subject.contains('\n') {
            return Err(TemplateError::BadSubject);
        }
        if self.body.chars().count() > MAX_BODY_CHARS {
            return Err(TemplateError::BodyTooLong);
        }
        Ok(())
    }

    /// Impact and urgency whose matrix gives the template's priority, for forms that
    /// ask those two questions; `None` without a priority.
    pub fn impact_urgency(&self) -> Option<(Impact, Urgency)> {
        self.priority.map(impact_urgency_for)
    }
}

/// The usual answers that give `priority` through [`Priority::from_matrix`]: P1 an
/// enterprise-wide stop, P2 a department that cannot work, P3 a department slowed
/// down, P4 one person slowed down.
pub fn impact_urgency_for(priority: Priority) -> (Impact, Urgency) {
    match priority {
        Priority::P1 => (Impact::Organization, Urgency::High),
        Priority::P2 => (Impact::Department, Urgency::High),
        Priority::P3 => (Impact::Department, Urgency::Medium),
        Priority::P4 => (Impact::Individual, Urgency::Medium),
    }
}

/// Checks a template's custom field values against the field definitions: each key
/// names an active field that fits the template's type and category (and, for a
/// template only customers use, one customers may fill), and each value is one of
/// the field's. Empty values are dropped. "Required" is not checked.
///
/// # Errors
/// [`FieldErrors`], one per refused key, in key order.
pub fn check_custom_values(
    fields: &[CustomField],
    spec: &TemplateSpec,
    input: &BTreeMap<String, FieldInput>,
) -> Result<BTreeMap<String, String>, FieldErrors> {
    let mut errors = Vec::new();
    let mut values = BTreeMap::new();
    for (key, given) in input {
        let field = fields.iter().find(|f| &f.spec.key == key && fits(f, spec));
        let Some(field) = field else {
            errors.push(FieldError {
                key: key.clone(),
                problem: FieldProblem::Unknown,
            });
            continue;
        };
        match parse_value(&field.spec, given) {
            Ok(Some(value)) => {
                values.insert(key.clone(), value.to_stored());
            }
            Ok(None) => {}
            Err(problem) => errors.push(FieldError {
                key: key.clone(),
                problem,
            }),
        }
    }
    if errors.is_empty() {
        Ok(values)
    } else {
        Err(FieldErrors(errors))
    }
}

/// Whether a field can carry a value on tickets started from the template.
fn fits(field: &CustomField, spec: &TemplateSpec) -> bool {
    let f = &field.spec;
    f.active
        && (spec.audience.for_staff() || f.customer_visible)
        && spec
            .ticket_type
            .is_none_or(|t| f.ticket_types.is_empty() || f.ticket_types.contains(&t))
        && spec
            .category_id
            .is_none_or(|c| f.category_ids.is_empty() || f.category_ids.contains(&c))
}

#[cfg(test)]
mod tests;
