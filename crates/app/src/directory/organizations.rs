//! Organizations in the directory: customers' companies and whether their people share tickets.

use super::{Directory, name_taken, require_admin, require_staff};
use crate::input::required;
use crate::{AppError, OrNotFound as _};
use ferrodesk_domain::{Actor, Organization, OrganizationId};
use ferrodesk_store::{NewOrganization, OrganizationPatch, Page, PageRequest, StoreError};

/// An organization to create.
#[derive(Debug, Clone, Default)]
pub struct OrganizationInput {
    /// Unique name.
    pub name: String,
    /// Whether members see each other's tickets.
    pub shares_tickets: bool,
}

/// Changes to an organization.
#[derive(Debug, Clone, Default)]
pub struct OrganizationUpdate {
    /// New name.
    pub name: Option<String>,
    /// New sharing setting.
    pub shares_tickets: Option<bool>,
}

impl Directory<'_> {
    /// Creates an organization (admins).
    ///
    /// # Errors
    /// `Forbidden`, `Invalid`, `Conflict` (`name_taken`).
    pub async fn create_organization(
        &self,
        actor: &Actor,
        input: OrganizationInput,
    ) -> Result<Organization, AppError> {
        require_admin(actor, "create organizations")?;
        let name = required("name", &input.name, 200)?;
        self.app
            .db()
            .create_organization(NewOrganization {
                name: name.clone(),
                shares_tickets: input.shares_tickets,
                now: self.app.now(),
            })
            .await
            .map_err(|e| name_taken(e, "organization", &name))
    }

    /// Reads an organization: staff any, customers their own.
    ///
    /// # Errors
    /// `NotFound`.
    pub async fn get_organization(
        &self,
        actor: &Actor,
        id: OrganizationId,
    ) -> Result<Organization, AppError> {
        if !actor.is_staff() && actor.organization_id != Some(id) {
            return Err(AppError::not_found("organization", id));
        }
        self.app
            .db()
            .get_organization(id)
            .await
            .or_not_found("organization", id)
    }

    /// Lists organizations (staff).
    ///
    /// # Errors
    /// `Forbidden`.
    pub async fn list_organizations(
        &self,
        actor: &Actor,
        page: &PageRequest,
    ) -> Result<Page<Organization>, AppError> {
        require_staff(actor, "list organizations")?;
        Ok(self.app.db().list_organizations(page).await?)
    }

    /// Changes an organization (admins).
    ///
    /// # Errors
    /// `Forbidden`, `NotFound`, `Invalid`, `Conflict`.
    pub async fn update_organization(
        &self,
        actor: &Actor,
        id: OrganizationId,
        input: OrganizationUpdate,
    ) -> Result<Organization, AppError> {
        require_admin(actor, "change organizations")?;
        let name = input
            .name
            .as_deref()
            .map(|n| required("name", n, 200))
            .transpose()?;
        let shown = name.clone().unwrap_or_default();
        self.app
            .db()
            .update_organization(
                id,
                OrganizationPatch {
                    name,
                    shares_tickets: input.shares_tickets,
                },
                self.app.now(),
            )
            .await
            .map_err(|e| match e {
                StoreError::NotFound { .. } => AppError::not_found("organization", id),
                other => name_taken(other, "organization", &shown),
            })
    }

    /// Finds an organization by exact name (the CLI names organizations).
    pub(crate) async fn organization_by_name(&self, name: &str) -> Result<Organization, AppError> {
        let mut page = PageRequest::first(ferrodesk_store::MAX_PAGE_SIZE);
        loop {
            let found = self.app.db().list_organizations(&page).await?;
            if let Some(org) = found.items.into_iter().find(|o| o.name == name) {
                return Ok(org);
            }
            match found.next_cursor {
                Some(cursor) => page.cursor = Some(cursor),
                None => return Err(AppError::not_found("organization", format!("'{name}'"))),
            }
        }
    }
}
