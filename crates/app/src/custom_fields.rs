//! Custom fields: admins define them; staff read every one; customers see (and fill)
//! only the active fields visible to customers. A ticket's values are checked here
//! ([`CustomFields::checked_values`]) and travel with the ticket's own write, with a
//! `field_changed` event ("Changed: <label>") per value that moved.

use crate::directory::require_admin;
use crate::{App, AppError, OrNotFound as _};
use ferrodesk_domain::custom_fields::validate;
use ferrodesk_domain::ordering::{Move, renumbered};
use ferrodesk_domain::{
    Actor, AssetId, CategoryId, CustomField, CustomFieldId, CustomFieldSpec, EventKind, FieldInput,
    FieldKind, FieldValue, TicketId, TicketType, UserId,
};
use ferrodesk_store::{Conflict, CustomValue, DeskSettings, StoreError};
use std::collections::{BTreeMap, HashMap};

/// Changes to a field's definition; absent parts stay. Its key and kind never change
/// (stored values and filters depend on them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomFieldPatch {
    /// New label.
    pub label: Option<String>,
    /// New options (choice fields).
    pub options: Option<Vec<String>>,
    /// Required or not.
    pub required: Option<bool>,
    /// Visible to customers or staff only.
    pub customer_visible: Option<bool>,
    /// New ticket types (empty: all).
    pub ticket_types: Option<Vec<TicketType>>,
    /// New categories (empty: all).
    pub category_ids: Option<Vec<CategoryId>>,
    /// New position.
    pub position: Option<i64>,
    /// Offered or not.
    pub active: Option<bool>,
}

/// What removing a field did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Removed {
    /// No ticket had a value: the field is gone.
    Deleted,
    /// Tickets have values: the field is kept, inactive.
    Deactivated(CustomField),
}

/// A ticket's values checked for a write: what to store and the events saying so.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CheckedValues {
    /// The values to write.
    pub(crate) values: Vec<CustomValue>,
    /// One `field_changed` per value that moved, labelled by the field.
    pub(crate) changes: Vec<EventKind>,
}

/// The custom field service; get one from [`App::custom_fields`].
#[derive(Debug, Clone, Copy)]
pub struct CustomFields<'a> {
    app: &'a App,
}

impl<'a> CustomFields<'a> {
    pub(crate) fn new(app: &'a App) -> Self {
        CustomFields { app }
    }

    /// The fields the actor may see, by position: every field for staff, the active
    /// customer-visible ones for customers.
    ///
    /// # Errors
    /// `Unavailable`.
    pub async fn list(&self, actor: &Actor) -> Result<Vec<CustomField>, AppError> {
        let all = self.app.db().list_custom_fields().await?;
        Ok(all.into_iter().filter(|f| visible_to(actor, f)).collect())
    }

    /// One field the actor may see.
    ///
    /// # Errors
    /// `NotFound` (`custom_field`).
    pub async fn get(&self, actor: &Actor, id: CustomFieldId) -> Result<CustomField, AppError> {
        self.list(actor)
            .await?
            .into_iter()
            .find(|f| f.id == id)
            .ok_or_else(|| AppError::not_found("custom_field", id))
    }

    /// Defines a field (admins).
    ///
    /// # Errors
    /// `Forbidden`; `Invalid` (`key`, `label`, `options`); `Conflict` (`key_taken`).
    pub async fn create(
        &self,
        actor: &Actor,
        spec: CustomFieldSpec,
    ) -> Result<CustomField, AppError> {
        require_admin(actor, "define custom fields")?;
        let spec = checked_spec(spec)?;
        let now = self.app.now();
        self.app
            .db()
            .create_custom_field(spec, now)
            .await
            .map_err(key_taken)
    }

    /// Moves a field one place up or down (admins): the list is numbered again from 1
    /// in its new order, writing only the fields whose place changed; the first does
    /// not move up, the last not down.
    ///
    /// # Errors
    /// `Forbidden`; `NotFound`.
    pub async fn move_to(
        &self,
        actor: &Actor,
        id: CustomFieldId,
        direction: Move,
    ) -> Result<(), AppError> {
        require_admin(actor, "manage custom fields")?;
        let all = self.list(actor).await?;
        let Some(index) = all.iter().position(|f| f.id == id) else {
            return Err(AppError::not_found("custom_field", id));
        };
        let positions: Vec<i64> = all.iter().map(|f| f.spec.position).collect();
        for (item, position) in renumbered(&positions, index, direction, 1) {
            let patch = CustomFieldPatch {
                position: Some(position),
                ..CustomFieldPatch::default()
            };
            self.update(actor, all[item].id, patch).await?;
        }
        Ok(())
    }

    /// Changes a field's definition (admins).
    ///
    /// # Errors
    /// `Forbidden`; `NotFound`; `Invalid`.
    pub async fn update(
        &self,
        actor: &Actor,
        id: CustomFieldId,
        patch: CustomFieldPatch,
    ) -> Result<CustomField, AppError> {
        require_admin(actor, "define custom fields")?;
        let mut spec = self.get(actor, id).await?.spec;
        let CustomFieldPatch {
            label,
            options,
            required,
            customer_visible,
            ticket_types,
            category_ids,
            position,
            active,
        } = patch;
        spec.label = label.unwrap_or(spec.label);
        spec.options = options.unwrap_or(spec.options);
        spec.required = required.unwrap_or(spec.required);
        spec.customer_visible = customer_visible.unwrap_or(spec.customer_visible);
        spec.ticket_types = ticket_types.unwrap_or(spec.ticket_types);
        spec.category_ids = category_ids.unwrap_or(spec.category_ids);
        spec.position = position.unwrap_or(spec.position);
        spec.active = active.unwrap_or(spec.active);
        let spec = checked_spec(spec)?;
        let now = self.app.now();
        self.app
            .db()
            .save_custom_field(id, spec, now)
            .await
            .or_not_found("custom_field", id)
    }

    /// Removes a field (admins): deleted when no ticket has a value of it, otherwise
    /// deactivated so the values stay.
    ///
    /// # Errors
    /// `Forbidden`; `NotFound`.
    pub async fn remove(&self, actor: &Actor, id: CustomFieldId) -> Result<Removed, AppError> {
        require_admin(actor, "define custom fields")?;
        let field = self.get(actor, id).await?;
        match self.app.db().delete_custom_field(id).await {
            Ok(()) => Ok(Removed::Deleted),
            Err(StoreError::Conflict {
                kind: Conflict::State,
                ..
            }) => {
                let mut spec = field.spec;
                spec.active = false;
                let now = self.app.now();
                let saved = self
                    .app
                    .db()
                    .save_custom_field(id, spec, now)
                    .await
                    .or_not_found("custom_field", id)?;
                Ok(Removed::Deactivated(saved))
            }
            Err(other) => Err(other).or_not_found("custom_field", id),
        }
    }

    /// The values of a ticket the caller has already read for the actor (through
    /// [`Tickets::get`](crate::Tickets::get)), by field position, restricted to the
    /// fields the actor may see.
    ///
    /// # Errors
    /// `Unavailable`.
    pub async fn values(
        &self,
        actor: &Actor,
        ticket_id: TicketId,
    ) -> Result<Vec<(CustomField, FieldValue)>, AppError> {
        let fields = self.list(actor).await?;
        let stored = self.app.db().custom_values(&[ticket_id]).await?;
        Ok(fields
            .into_iter()
            .filter_map(|field| {
                let (_, _, text) = stored.iter().find(|(_, id, _)| *id == field.id)?;
                let value = FieldValue::from_stored(field.spec.kind, text)?;
                Some((field, value))
            })
            .collect())
    }

    /// A ticket's values as people read them, by field key in field order (a person
    /// by name, an asset by tag, choices joined by commas, a checkbox Yes/No), for
    /// the ticket pages and exports; the ticket was read for the actor by the caller
    /// and only the fields the actor may see are given.
    ///
    /// # Errors
    /// `Unavailable`.
    pub async fn display_values(
        &self,
        actor: &Actor,
        ticket_id: TicketId,
    ) -> Result<Vec<(CustomField, String)>, AppError> {
        let mut shown = Vec::new();
        let mut names = HashMap::new();
        for (field, value) in self.values(actor, ticket_id).await? {
            let text = self.readable(&value, &mut names).await?;
            shown.push((field, text));
        }
        Ok(shown)
    }

    /// Columns for a CSV export of `ticket_ids` (tickets the caller listed for the
    /// actor): one heading per field the actor may see (its label, by position), and
    /// per ticket its values in that order, empty where it has none.
    ///
    /// # Errors
    /// `Unavailable`.
    pub async fn custom_field_columns(
        &self,
        actor: &Actor,
        ticket_ids: &[TicketId],
    ) -> Result<(Vec<String>, BTreeMap<TicketId, Vec<String>>), AppError> {
        let fields = self.list(actor).await?;
        let stored: HashMap<(TicketId, CustomFieldId), String> = self
            .app
            .db()
            .custom_values(ticket_ids)
            .await?
            .into_iter()
            .map(|(ticket, field, text)| ((ticket, field), text))
            .collect();
        let headings = fields.iter().map(|f| f.spec.label.clone()).collect();
        let mut names = HashMap::new();
        let mut rows = BTreeMap::new();
        for ticket_id in ticket_ids {
            let mut row = Vec::with_capacity(fields.len());
            for field in &fields {
                let value = stored
                    .get(&(*ticket_id, field.id))
                    .and_then(|text| FieldValue::from_stored(field.spec.kind, text));
                row.push(match value {
                    Some(value) => self.readable(&value, &mut names).await?,
                    None => String::new(),
                });
            }
            rows.insert(*ticket_id, row);
        }
        Ok((headings, rows))
    }

    /// A value as people read it: a person by name, an asset by tag (each looked up
    /// once per call through `names`), the rest as written.
    async fn readable(
        &self,
        value: &FieldValue,
        names: &mut HashMap<String, String>,
    ) -> Result<String, AppError> {
        let key = match value {
            FieldValue::Person(_) | FieldValue::Asset(_) => format!("{value:?}"),
            other => return Ok(other.to_string()),
        };
        if let Some(name) = names.get(&key) {
            return Ok(name.clone());
        }
        let name = match value {
            FieldValue::Person(id) => match self.app.db().get_user(*id).await {
                Ok(user) => user.name,
                Err(StoreError::NotFound { .. }) => value.to_string(),
                Err(other) => return Err(other.into()),
            },
            FieldValue::Asset(id) => match self.app.db().get_asset(*id).await {
                Ok(asset) => asset.tag,
                Err(StoreError::NotFound { .. }) => value.to_string(),
                Err(other) => return Err(other.into()),
            },
            other => other.to_string(),
        };
        names.insert(key, name.clone());
        Ok(name)
    }

    /// `input` checked for a ticket of `ticket_type` in `category_id` with `current`
    /// values, against the definitions in the write's settings snapshot (`fields`, so
    /// a new ticket reads none from the database): for a new ticket every required
    /// field that applies must be given; for a change a required field given must not
    /// be cleared. A customer may set only customer-visible fields; a person or asset
    /// must exist.
    ///
    /// # Errors
    /// `Forbidden` (a staff-only field set by a customer); `Invalid`
    /// (`custom_fields.<key>`).
    pub(crate) async fn checked_values(
        &self,
        actor: &Actor,
        settings: &DeskSettings,
        target: (TicketType, Option<CategoryId>, Option<TicketId>),
        input: &BTreeMap<String, FieldInput>,
    ) -> Result<CheckedValues, AppError> {
        match self
            .checked_with(actor, &settings.custom_fields, target, input)
            .await
        {
            // Refused against definitions that may have changed since the snapshot was
            // read (a field added, an option renamed): when they did, the write is
            // retried with fresh settings rather than refused on stale ones.
            Err(refused @ (AppError::Invalid { .. } | AppError::Forbidden { .. })) => {
                if self.app.db().desk_settings().await?.version == settings.version {
                    Err(refused)
                } else {
                    Err(StoreError::settings_changed().into())
                }
            }
            other => other,
        }
    }

    /// [`CustomFields::checked_values`] against `fields`.
    async fn checked_with(
        &self,
        actor: &Actor,
        fields: &[CustomField],
        target: (TicketType, Option<CategoryId>, Option<TicketId>),
        input: &BTreeMap<String, FieldInput>,
    ) -> Result<CheckedValues, AppError> {
        let (ticket_type, category_id, ticket_id) = target;
        if input.is_empty() && (ticket_id.is_some() || !fields.iter().any(|f| f.spec.required)) {
            return Ok(CheckedValues::default());
        }
        if !actor.is_staff()
            && let Some(key) = input.keys().find(|key| {
                fields
                    .iter()
                    .any(|f| &f.spec.key == *key && f.spec.active && !f.spec.customer_visible)
            })
        {
            return Err(AppError::forbidden(format!(
                "only staff may set the custom field {key}"
            )));
        }
        // A change asks only for what it names: a required field it leaves alone is
        // not its concern.
        let offered: Vec<CustomField> = fields
            .iter()
            .filter(|f| actor.is_staff() || f.spec.customer_visible)
            .cloned()
            .map(|mut f| {
                f.spec.required &= ticket_id.is_none() || input.contains_key(&f.spec.key);
                f
            })
            .collect();
        let current = self.current(fields, ticket_id).await?;
        let checked =
            validate(&offered, ticket_type, category_id, &current, input).map_err(|errors| {
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
        let mut out = CheckedValues::default();
        for (field_id, value) in checked {
            let Some(field) = fields.iter().find(|f| f.id == field_id) else {
                continue;
            };
            self.check_reference(field, value.as_ref()).await?;
            let old = current.get(&field_id);
            if old == value.as_ref() {
                continue;
            }
            out.changes.push(EventKind::FieldChanged {
                field: field.spec.label.clone(),
                old: old.map(ToString::to_string),
                new: value.as_ref().map(ToString::to_string),
                reason: None,
            });
            out.values.push(CustomValue {
                field_id,
                value: value.as_ref().map(FieldValue::to_stored),
            });
        }
        Ok(out)
    }

    /// A ticket's current values by field (none for a new ticket).
    async fn current(
        &self,
        fields: &[CustomField],
        ticket_id: Option<TicketId>,
    ) -> Result<BTreeMap<CustomFieldId, FieldValue>, AppError> {
        let Some(ticket_id) = ticket_id else {
            return Ok(BTreeMap::new());
        };
        let stored = self.app.db().custom_values(&[ticket_id]).await?;
        Ok(stored
            .into_iter()
            .filter_map(|(_, field_id, text)| {
                let field = fields.iter().find(|f| f.id == field_id)?;
                Some((field_id, FieldValue::from_stored(field.spec.kind, &text)?))
            })
            .collect())
    }

    /// A person or asset value names one that exists.
    async fn check_reference(
        &self,
        field: &CustomField,
        value: Option<&FieldValue>,
    ) -> Result<(), AppError> {
        let missing = match value {
            Some(FieldValue::Person(id)) => self.person_missing(*id).await?,
            Some(FieldValue::Asset(id)) => self.asset_missing(*id).await?,
            _ => false,
        };
        if missing {
            let what = match field.spec.kind {
                FieldKind::Asset => "no such asset",
                _ => "no such person",
            };
            return Err(AppError::invalid(
                format!("custom_fields.{}", field.spec.key),
                what,
            ));
        }
        Ok(())
    }

    async fn person_missing(&self, id: UserId) -> Result<bool, AppError> {
        match self.app.db().get_user(id).await {
            Ok(_) => Ok(false),
            Err(StoreError::NotFound { .. }) => Ok(true),
            Err(other) => Err(other.into()),
        }
    }

    async fn asset_missing(&self, id: AssetId) -> Result<bool, AppError> {
        match self.app.db().get_asset(id).await {
            Ok(_) => Ok(false),
            Err(StoreError::NotFound { .. }) => Ok(true),
            Err(other) => Err(other.into()),
        }
    }
}

/// Whether the actor sees a field at all.
fn visible_to(actor: &Actor, field: &CustomField) -> bool {
    actor.is_staff() || (field.spec.active && field.spec.customer_visible)
}

/// The definition's own rules, as an `Invalid` naming the part.
fn checked_spec(mut spec: CustomFieldSpec) -> Result<CustomFieldSpec, AppError> {
    spec.label = spec.label.trim().to_owned();
    spec.options = spec.options.iter().map(|o| o.trim().to_owned()).collect();
    spec.check().map_err(|error| {
        use ferrodesk_domain::SpecError;
        let field = match error {
            SpecError::BadKey => "key",
            SpecError::BadLabel => "label",
            SpecError::BadOptions | SpecError::UnexpectedOptions => "options",
        };
        AppError::invalid(field, error.to_string())
    })?;
    Ok(spec)
}

fn key_taken(error: StoreError) -> AppError {
    match error {
        StoreError::Conflict {
            kind: Conflict::Unique("custom_fields_key_unique"),
            ..
        } => AppError::Conflict {
            code: "key_taken",
            message: "a custom field with this key already exists".to_owned(),
        },
        other => other.into(),
    }
}
