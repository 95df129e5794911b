//! Support groups in the directory: members, tiers and escalation targets.

use super::{Directory, name_taken, require_admin, require_staff};
use crate::input::required;
use crate::{AppError, OrNotFound as _};
use ferrodesk_domain::{Actor, Group, GroupId, Tier};
use ferrodesk_store::{GroupPatch, NewGroup, StoreError};

/// A group to create.
#[derive(Debug, Clone, Default)]
pub struct GroupInput {
    /// Unique name.
    pub name: String,
    /// Tier served (1-3).
    pub tier: i64,
    /// What the group is for.
    pub description: Option<String>,
    /// Where its tickets escalate to.
    pub escalates_to: Option<GroupId>,
}

/// Changes to a group.
#[derive(Debug, Clone, Default)]
pub struct GroupUpdate {
    /// New name.
    pub name: Option<String>,
    /// New tier.
    pub tier: Option<i64>,
    /// New description.
    pub description: Option<String>,
    /// New escalation target.
    pub escalates_to: Option<Option<GroupId>>,
}

impl Directory<'_> {
    /// Creates a group (admins).
    ///
    /// # Errors
    /// `Forbidden`, `Invalid`, `Conflict`, `NotFound` for an unknown escalation target.
    pub async fn create_group(&self, actor: &Actor, input: GroupInput) -> Result<Group, AppError> {
        require_admin(actor, "create groups")?;
        let name = required("name", &input.name, 100)?;
        if let Some(target) = input.escalates_to {
            self.app
                .db()
                .get_group(target)
                .await
                .or_not_found("group", target)?;
        }
        self.app
            .db()
            .create_group(NewGroup {
                name: name.clone(),
                tier: Tier::new(input.tier)?,
                description: crate::input::body(
                    "description",
                    input.description.as_deref().unwrap_or(""),
                    2000,
                )?,
                escalates_to: input.escalates_to,
                now: self.app.now(),
            })
            .await
            .map_err(|e| name_taken(e, "group", &name))
    }

    /// Reads a group (staff).
    ///
    /// # Errors
    /// `Forbidden`, `NotFound`.
    pub async fn get_group(&self, actor: &Actor, id: GroupId) -> Result<Group, AppError> {
        require_staff(actor, "read groups")?;
        self.app.db().get_group(id).await.or_not_found("group", id)
    }

    /// Lists every group by tier, then name (staff).
    ///
    /// # Errors
    /// `Forbidden`.
    pub async fn list_groups(&self, actor: &Actor) -> Result<Vec<Group>, AppError> {
        require_staff(actor, "list groups")?;
        Ok(self.app.db().list_groups().await?)
    }

    /// Changes a group (admins).
    ///
    /// # Errors
    /// `Forbidden`, `NotFound`, `Invalid`, `Conflict`.
    pub async fn update_group(
        &self,
        actor: &Actor,
        id: GroupId,
        input: GroupUpdate,
    ) -> Result<Group, AppError> {
        require_admin(actor, "change groups")?;
        let name = input
            .name
            .as_deref()
            .map(|n| required("name", n, 100))
            .transpose()?;
        if let Some(Some(target)) = input.escalates_to {
            if target == id {
                return Err(AppError::invalid(
                    "escalates_to",
                    "a group cannot escalate to itself",
                ));
            }
            self.app
                .db()
                .get_group(target)
                .await
                .or_not_found("group", target)?;
        }
        let shown = name.clone().unwrap_or_default();
        self.app
            .db()
            .update_group(
                id,
                GroupPatch {
                    name,
                    tier: input.tier.map(Tier::new).transpose()?,
                    description: input
                        .description
                        .as_deref()
                        .map(|d| crate::input::body("description", d, 2000))
                        .transpose()?,
                    escalates_to: input.escalates_to,
                },
                self.app.now(),
            )
            .await
            .map_err(|e| match e {
                StoreError::NotFound { .. } => AppError::not_found("group", id),
                other => name_taken(other, "group", &shown),
            })
    }
}
