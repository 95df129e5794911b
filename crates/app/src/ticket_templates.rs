//! Ticket templates: admins manage them; staff list the active ones meant for staff,
//! customers the active ones meant for customers. A template never creates a ticket:
//! the forms start from it and the ticket is created by the normal create use case
//! ([`Tickets::create`](crate::Tickets::create), through the pipeline).

use crate::directory::require_admin;
use crate::{App, AppError, OrNotFound as _};
use ferrodesk_domain::ordering::renumbered;
use ferrodesk_domain::ticket_templates::check_custom_values;
use ferrodesk_domain::{
    Actor, CategoryId, CustomField, FieldInput, FieldKind, FieldValue, Priority, TemplateAudience,
    TemplateSpec, TicketTemplate, TicketTemplateId, TicketType,
};
use ferrodesk_store::StoreError;
use std::collections::BTreeMap;

/// A template to create, or the full new state of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateInput {
    /// Name in the picker (required).
    pub name: String,
    /// One line under the name.
    pub description: String,
    /// Prefilled subject.
    pub subject: String,
    /// Prefilled description: a Markdown outline.
    pub body: String,
    /// Prefilled category.
    pub category_id: Option<CategoryId>,
    /// Prefilled ticket type.
    pub ticket_type: Option<TicketType>,
    /// Prefilled priority.
    pub priority: Option<Priority>,
    /// Prefilled custom field values by key.
    pub custom_fields: BTreeMap<String, FieldInput>,
    /// Who sees it.
    pub audience: TemplateAudience,
    /// Offered or not.
    pub active: bool,
    /// Order among the templates; `None` puts a new one last.
    pub position: Option<i64>,
}

impl Default for TemplateInput {
    fn default() -> Self {
        TemplateInput {
            name: String::new(),
            description: String::new(),
            subject: String::new(),
            body: String::new(),
            category_id: None,
            ticket_type: None,
            priority: None,
            custom_fields: BTreeMap::new(),
            audience: TemplateAudience::Both,
            active: true,
            position: None,
        }
    }
}

/// Changes to a template; absent parts stay (`Some(None)` clears an optional one).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplatePatch {
    /// New name.
    pub name: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New subject.
    pub subject: Option<String>,
    /// New outline.
    pub body: Option<String>,
    /// New category, or none.
    pub category_id: Option<Option<CategoryId>>,
    /// New ticket type, or none.
    pub ticket_type: Option<Option<TicketType>>,
    /// New priority, or none.
    pub priority: Option<Option<Priority>>,
    /// New custom values (replace the old ones).
    pub custom_fields: Option<BTreeMap<String, FieldInput>>,
    /// New audience.
    pub audience: Option<TemplateAudience>,
    /// Offered or not.
    pub active: Option<bool>,
    /// New position.
    pub position: Option<i64>,
}

pub use ferrodesk_domain::ordering::Move;

/// The ticket template service; get one from [`App::ticket_templates`].
#[derive(Debug, Clone, Copy)]
pub struct TicketTemplates<'a> {
    app: &'a App,
}

impl<'a> TicketTemplates<'a> {
    pub(crate) fn new(app: &'a App) -> Self {
        TicketTemplates { app }
    }

    /// The templates the actor starts tickets from, by position: the active ones for
    /// staff (agents, supervisors, admins) or for customers.
    ///
    /// # Errors
    /// `Unavailable`.
    pub async fn offered(&self, actor: &Actor) -> Result<Vec<TicketTemplate>, AppError> {
        let all = self.app.db().list_ticket_templates().await?;
        Ok(all.into_iter().filter(|t| is_offered(actor, t)).collect())
    }

    /// The templates the actor may read: every one for admins (they manage them), the
    /// offered ones for everyone else.
    ///
    /// # Errors
    /// `Unavailable`.
    pub async fn list(&self, actor: &Actor) -> Result<Vec<TicketTemplate>, AppError> {
        if actor.is_admin() {
            Ok(self.app.db().list_ticket_templates().await?)
        } else {
            self.offered(actor).await
        }
    }

    /// One template the actor may read ([`TicketTemplates::list`]).
    ///
    /// # Errors
    /// `NotFound` (`ticket_template`).
    pub async fn get(
        &self,
        actor: &Actor,
        id: TicketTemplateId,
    ) -> Result<TicketTemplate, AppError> {
        let template = self
            .app
            .db()
            .get_ticket_template(id)
            .await
            .or_not_found("ticket_template", id)?;
        if actor.is_admin() || is_offered(actor, &template) {
            Ok(template)
        } else {
            Err(AppError::not_found("ticket_template", id))
        }
    }

    /// One template the actor starts a ticket from ([`TicketTemplates::offered`]);
    /// an inactive one is not found, for admins too.
    ///
    /// # Errors
    /// `NotFound` (`ticket_template`).
    pub async fn start_from(
        &self,
        actor: &Actor,
        id: TicketTemplateId,
    ) -> Result<TicketTemplate, AppError> {
        let template = self.get(actor, id).await?;
        if is_offered(actor, &template) {
            Ok(template)
        } else {
            Err(AppError::not_found("ticket_template", id))
        }
    }

    /// The template's custom values typed by their fields, for the fields the actor
    /// may see and that are still active; values that no longer read are left out.
    ///
    /// # Errors
    /// `Unavailable`.
    pub async fn custom_values(
        &self,
        actor: &Actor,
        template: &TicketTemplate,
    ) -> Result<Vec<(CustomField, FieldValue)>, AppError> {
        let fields = self.app.custom_fields().list(actor).await?;
        Ok(fields
            .into_iter()
            .filter(|f| f.spec.active)
            .filter_map(|field| {
                let text = template.spec.custom_values.get(&field.spec.key)?;
                let value = FieldValue::from_stored(field.spec.kind, text)?;
                Some((field, value))
            })
            .collect())
    }

    /// Creates a template (admins).
    ///
    /// # Errors
    /// `Forbidden`; `Invalid` (`name`, `description`, `subject`, `body`,
    /// `category_id`, `custom_fields.<key>`).
    pub async fn create(
        &self,
        actor: &Actor,
        input: TemplateInput,
    ) -> Result<TicketTemplate, AppError> {
        require_admin(actor, "manage ticket templates")?;
        let position = match input.position {
            Some(position) => position,
            None => self.next_position().await?,
        };
        let TemplateInput {
            name,
            description,
            subject,
            body,
            category_id,
            ticket_type,
            priority,
            custom_fields,
            audience,
            active,
            position: _,
        } = input;
        let spec = TemplateSpec {
            name,
            description,
            subject,
            body,
            category_id,
            ticket_type,
            priority,
            custom_values: BTreeMap::new(),
            audience,
            active,
            position,
        };
        let spec = self.checked(spec, &custom_fields).await?;
        let now = self.app.now();
        Ok(self.app.db().create_ticket_template(spec, now).await?)
    }

    /// Changes a template (admins). Without new custom values, the old ones are
    /// checked again against the template's new type, category and audience.
    ///
    /// # Errors
    /// `Forbidden`; `NotFound`; `Invalid`.
    pub async fn update(
        &self,
        actor: &Actor,
        id: TicketTemplateId,
        patch: TemplatePatch,
    ) -> Result<TicketTemplate, AppError> {
        require_admin(actor, "manage ticket templates")?;
        let mut spec = self.get(actor, id).await?.spec;
        let TemplatePatch {
            name,
            description,
            subject,
            body,
            category_id,
            ticket_type,
            priority,
            custom_fields,
            audience,
            active,
            position,
        } = patch;
        spec.name = name.unwrap_or(spec.name);
        spec.description = description.unwrap_or(spec.description);
        spec.subject = subject.unwrap_or(spec.subject);
        spec.body = body.unwrap_or(spec.body);
        spec.category_id = category_id.unwrap_or(spec.category_id);
        spec.ticket_type = ticket_type.unwrap_or(spec.ticket_type);
        spec.priority = priority.unwrap_or(spec.priority);
        spec.audience = audience.unwrap_or(spec.audience);
        spec.active = active.unwrap_or(spec.active);
        spec.position = position.unwrap_or(spec.position);
        let custom = match custom_fields {
            Some(given) => given,
            None => {
                let fields = self.app.db().list_custom_fields().await?;
                spec.custom_values
                    .iter()
                    .map(|(key, text)| (key.clone(), stored_input(&fields, key, text)))
                    .collect()
            }
        };
        let spec = self.checked(spec, &custom).await?;
        let now = self.app.now();
        self.app
            .db()
            .save_ticket_template(id, spec, now)
            .await
            .or_not_found("ticket_template", id)
    }

    /// Deletes a template (admins). No ticket refers to it.
    ///
    /// # Errors
    /// `Forbidden`; `NotFound`.
    pub async fn delete(&self, actor: &Actor, id: TicketTemplateId) -> Result<(), AppError> {
        require_admin(actor, "manage ticket templates")?;
        self.app
            .db()
            .delete_ticket_template(id)
            .await
            .or_not_found("ticket_template", id)
    }

    /// Moves a template one place up or down the list (admins); at either end it
    /// stays. The list is numbered again from 0 so equal positions cannot stick.
    ///
    /// # Errors
    /// `Forbidden`; `NotFound`.
    pub async fn move_to(
        &self,
        actor: &Actor,
        id: TicketTemplateId,
        direction: Move,
    ) -> Result<(), AppError> {
        require_admin(actor, "manage ticket templates")?;
        let all = self.app.db().list_ticket_templates().await?;
        let Some(index) = all.iter().position(|t| t.id == id) else {
            return Err(AppError::not_found("ticket_template", id));
        };
        let positions: Vec<i64> = all.iter().map(|t| t.spec.position).collect();
        let now = self.app.now();
        for (item, position) in renumbered(&positions, index, direction, 0) {
            let template = &all[item];
            let mut spec = template.spec.clone();
            spec.position = position;
            self.app
                .db()
                .save_ticket_template(template.id, spec, now)
                .await
                .or_not_found("ticket_template", template.id)?;
        }
        Ok(())
    }

    /// One past the last position.
    async fn next_position(&self) -> Result<i64, AppError> {
        let all = self.app.db().list_ticket_templates().await?;
        Ok(all.iter().map(|t| t.spec.position + 1).max().unwrap_or(0))
    }

    /// The spec trimmed and checked, its category known and its custom values typed.
    async fn checked(
        &self,
        spec: TemplateSpec,
        custom: &BTreeMap<String, FieldInput>,
    ) -> Result<TemplateSpec, AppError> {
        let mut spec = spec.trimmed();
        spec.check()
            .map_err(|error| AppError::invalid(error.field(), error.to_string()))?;
        if let Some(category_id) = spec.category_id {
            match self.app.db().get_category(category_id).await {
                Ok(_) => {}
                Err(StoreError::NotFound { .. }) => {
                    return Err(AppError::invalid("category_id", "no such category"));
                }
                Err(other) => return Err(other.into()),
            }
        }
        let fields = self.app.db().list_custom_fields().await?;
        spec.custom_values = check_custom_values(&fields, &spec, custom).map_err(|errors| {
            let first = errors.0.first().map_or("", |e| e.key.as_str());
            let message = errors
                .0
                .iter()
                .map(|e| {
                    if e.key == first {
                        e.problem.to_string()
                    } else {
                        format!("also {}: {}", e.key, e.problem)
                    }
                })
                .collect::<Vec<_>>()
                .join("; ");
            AppError::invalid(format!("custom_fields.{first}"), message)
        })?;
        Ok(spec)
    }
}

/// Whether the actor starts tickets from the template.
fn is_offered(actor: &Actor, template: &TicketTemplate) -> bool {
    let audience = template.spec.audience;
    template.spec.active
        && if actor.is_staff() {
            audience.for_staff()
        } else {
            audience.for_customers()
        }
}

/// A stored value read back as input (a multiple choice is stored one per line).
fn stored_input(fields: &[CustomField], key: &str, text: &str) -> FieldInput {
    let is_multiple = fields
        .iter()
        .any(|f| f.spec.key == key && f.spec.kind == FieldKind::MultipleChoice);
    if is_multiple {
        FieldInput::Many(text.split('\n').map(str::to_owned).collect())
    } else {
        FieldInput::One(text.to_owned())
    }
}
