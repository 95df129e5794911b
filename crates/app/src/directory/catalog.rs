//! The catalog customers pick from when reporting: the category tree and the
//! products and services the desk supports.

use super::{Directory, name_taken, require_admin};
use crate::input::{optional, required};
use crate::{AppError, OrNotFound as _};
use ferrodesk_domain::{Actor, Category, CategoryId, Group, GroupId, Service, ServiceId};
use ferrodesk_store::{Conflict, NewCategory, NewService, ServicePatch, StoreError};

/// A product or service to create.
#[derive(Debug, Clone, Default)]
pub struct ServiceInput {
    /// Unique name.
    pub name: String,
    /// What it is.
    pub description: Option<String>,
    /// The group that owns its support.
    pub owner_group_id: Option<GroupId>,
    /// Support hours as text (default `24/7`).
    pub support_hours: Option<String>,
    /// Whether the desk supports it (default yes).
    pub is_supported: Option<bool>,
    /// When support ends.
    pub end_of_support: Option<jiff::civil::Date>,
}

/// Changes to a service.
#[derive(Debug, Clone, Default)]
pub struct ServiceUpdate {
    /// New name.
    pub name: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New owner group.
    pub owner_group_id: Option<Option<GroupId>>,
    /// New hours.
    pub support_hours: Option<String>,
    /// New support status.
    pub is_supported: Option<bool>,
    /// New end of support.
    pub end_of_support: Option<Option<jiff::civil::Date>>,
}

impl Directory<'_> {
    /// Creates a category under `parent_id` (admins).
    ///
    /// # Errors
    /// `Forbidden`, `Invalid`, `Conflict`, `NotFound` for an unknown parent.
    pub async fn create_category(
        &self,
        actor: &Actor,
        name: &str,
        parent_id: Option<CategoryId>,
    ) -> Result<Category, AppError> {
        require_admin(actor, "create categories")?;
        let name = required("name", name, 100)?;
        if let Some(parent) = parent_id {
            self.app
                .db()
                .get_category(parent)
                .await
                .or_not_found("category", parent)?;
        }
        self.app
            .db()
            .create_category(NewCategory {
                name: name.clone(),
                parent_id,
                now: self.app.now(),
            })
            .await
            .map_err(|e| match e {
                StoreError::Conflict { .. } => AppError::conflict(
                    "name_taken",
                    format!("a category named '{name}' already exists at that place in the tree"),
                ),
                other => other.into(),
            })
    }

    /// Renames a category (admins); tickets keep it, so they show the new name.
    ///
    /// # Errors
    /// `Forbidden`, `Invalid`, `NotFound`, `Conflict` (`name_taken`: a sibling has it).
    pub async fn rename_category(
        &self,
        actor: &Actor,
        id: CategoryId,
        name: &str,
    ) -> Result<Category, AppError> {
        require_admin(actor, "rename categories")?;
        let name = required("name", name, 100)?;
        self.app
            .db()
            .rename_category(id, name.clone(), self.app.now())
            .await
            .map_err(|e| match e {
                StoreError::NotFound { .. } => AppError::not_found("category", id),
                StoreError::Conflict { .. } => AppError::conflict(
                    "name_taken",
                    format!("a category named '{name}' already exists at that place in the tree"),
                ),
                other => other.into(),
            })
    }

    /// Deletes a category (admins) that no ticket uses and that has no children;
    /// otherwise refuses, saying why (reassign the tickets or move the children first).
    ///
    /// # Errors
    /// `Forbidden`, `NotFound`, `Conflict` (`category_in_use`).
    pub async fn delete_category(&self, actor: &Actor, id: CategoryId) -> Result<(), AppError> {
        require_admin(actor, "delete categories")?;
        self.app
            .db()
            .delete_category(id)
            .await
            .map_err(|e| match e {
                StoreError::NotFound { .. } => AppError::not_found("category", id),
                StoreError::Conflict {
                    kind: Conflict::State,
                    what,
                } => AppError::conflict("category_in_use", what),
                other => other.into(),
            })
    }

    /// Reads a category (anyone signed in: customers pick categories when reporting).
    ///
    /// # Errors
    /// `NotFound`.
    pub async fn get_category(&self, _actor: &Actor, id: CategoryId) -> Result<Category, AppError> {
        self.app
            .db()
            .get_category(id)
            .await
            .or_not_found("category", id)
    }

    /// Every category; the tree is rebuilt by the caller from `parent_id`.
    ///
    /// # Errors
    /// `Unavailable`.
    pub async fn list_categories(&self, _actor: &Actor) -> Result<Vec<Category>, AppError> {
        Ok(self.app.db().list_categories().await?)
    }

    // --- services -----------------------------------------------------------------------

    /// Creates a supported product or service (admins).
    ///
    /// # Errors
    /// `Forbidden`, `Invalid`, `Conflict`, `NotFound` for an unknown owner group.
    pub async fn create_service(
        &self,
        actor: &Actor,
        input: ServiceInput,
    ) -> Result<Service, AppError> {
        require_admin(actor, "create services")?;
        let name = required("name", &input.name, 200)?;
        if let Some(group) = input.owner_group_id {
            self.app
                .db()
                .get_group(group)
                .await
                .or_not_found("group", group)?;
        }
        self.app
            .db()
            .create_service(NewService {
                name: name.clone(),
                description: crate::input::body(
                    "description",
                    input.description.as_deref().unwrap_or(""),
                    2000,
                )?,
                owner_group_id: input.owner_group_id,
                support_hours: optional("support_hours", input.support_hours.as_deref(), 100)?
                    .unwrap_or_else(|| "24/7".to_owned()),
                is_supported: input.is_supported.unwrap_or(true),
                end_of_support: input.end_of_support,
                now: self.app.now(),
            })
            .await
            .map_err(|e| name_taken(e, "service", &name))
    }

    /// Reads a service (anyone signed in).
    ///
    /// # Errors
    /// `NotFound`.
    pub async fn get_service(&self, _actor: &Actor, id: ServiceId) -> Result<Service, AppError> {
        self.app
            .db()
            .get_service(id)
            .await
            .or_not_found("service", id)
    }

    /// Every service by name (anyone signed in).
    ///
    /// # Errors
    /// `Unavailable`.
    pub async fn list_services(&self, _actor: &Actor) -> Result<Vec<Service>, AppError> {
        Ok(self.app.db().list_services().await?)
    }

    /// Changes a service (admins).
    ///
    /// # Errors
    /// `Forbidden`, `NotFound`, `Invalid`, `Conflict`.
    pub async fn update_service(
        &self,
        actor: &Actor,
        id: ServiceId,
        input: ServiceUpdate,
    ) -> Result<Service, AppError> {
        require_admin(actor, "change services")?;
        let name = input
            .name
            .as_deref()
            .map(|n| required("name", n, 200))
            .transpose()?;
        if let Some(Some(group)) = input.owner_group_id {
            self.app
                .db()
                .get_group(group)
                .await
                .or_not_found("group", group)?;
        }
        let shown = name.clone().unwrap_or_default();
        self.app
            .db()
            .update_service(
                id,
                ServicePatch {
                    name,
                    description: input
                        .description
                        .as_deref()
                        .map(|d| crate::input::body("description", d, 2000))
                        .transpose()?,
                    owner_group_id: input.owner_group_id,
                    support_hours: input
                        .support_hours
                        .as_deref()
                        .map(|h| required("support_hours", h, 100))
                        .transpose()?,
                    is_supported: input.is_supported,
                    end_of_support: input.end_of_support,
                },
                self.app.now(),
            )
            .await
            .map_err(|e| match e {
                StoreError::NotFound { .. } => AppError::not_found("service", id),
                other => name_taken(other, "service", &shown),
            })
    }

    /// Finds a group by exact name (the CLI names groups).
    pub(crate) async fn group_by_name(&self, name: &str) -> Result<Group, AppError> {
        self.app
            .db()
            .list_groups()
            .await?
            .into_iter()
            .find(|g| g.name == name)
            .ok_or_else(|| AppError::not_found("group", format!("'{name}'")))
    }
}
