//! Storage of the desk's directory: organizations, groups, the category tree and the
//! products and services tickets are about.

use crate::{Page, PageRequest, StoreResult};
use async_trait::async_trait;
use ferrodesk_domain::{
    Category, CategoryId, Group, GroupId, Organization, OrganizationId, Service, ServiceId, Tier,
};
use jiff::Timestamp;

/// An organization to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrganization {
    /// Unique name.
    pub name: String,
    /// Whether members see each other's tickets.
    pub shares_tickets: bool,
    /// Creation time.
    pub now: Timestamp,
}

/// Changes to an organization.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrganizationPatch {
    /// New name.
    pub name: Option<String>,
    /// New sharing setting.
    pub shares_tickets: Option<bool>,
}

/// A group to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGroup {
    /// Unique name.
    pub name: String,
    /// Tier served.
    pub tier: Tier,
    /// What it is for.
    pub description: String,
    /// Escalation target.
    pub escalates_to: Option<GroupId>,
    /// Creation time.
    pub now: Timestamp,
}

/// Changes to a group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupPatch {
    /// New name.
    pub name: Option<String>,
    /// New tier.
    pub tier: Option<Tier>,
    /// New description.
    pub description: Option<String>,
    /// New escalation target.
    pub escalates_to: Option<Option<GroupId>>,
}

/// A category to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCategory {
    /// Name, unique among siblings.
    pub name: String,
    /// Parent.
    pub parent_id: Option<CategoryId>,
    /// Creation time.
    pub now: Timestamp,
}

/// A service to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewService {
    /// Unique name.
    pub name: String,
    /// What it is.
    pub description: String,
    /// Owning group.
    pub owner_group_id: Option<GroupId>,
    /// Support hours as text.
    pub support_hours: String,
    /// Whether supported.
    pub is_supported: bool,
    /// End of support.
    pub end_of_support: Option<jiff::civil::Date>,
    /// Creation time.
    pub now: Timestamp,
}

/// Changes to a service.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServicePatch {
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

/// Organizations, groups, categories and services.
#[async_trait]
pub trait DirectoryStore: Send + Sync {
    /// Creates an organization.
    ///
    /// # Errors
    /// `Conflict` when the name is taken.
    async fn create_organization(&self, org: NewOrganization) -> StoreResult<Organization>;

    /// Reads an organization.
    ///
    /// # Errors
    /// `NotFound`.
    async fn get_organization(&self, id: OrganizationId) -> StoreResult<Organization>;

    /// Changes an organization.
    ///
    /// # Errors
    /// `NotFound`, `Conflict` on a taken name.
    async fn update_organization(
        &self,
        id: OrganizationId,
        patch: OrganizationPatch,
        now: Timestamp,
    ) -> StoreResult<Organization>;

    /// Lists organizations by name.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_organizations(&self, page: &PageRequest) -> StoreResult<Page<Organization>>;

    /// Creates a group.
    ///
    /// # Errors
    /// `Conflict` when the name is taken; `NotFound` for an unknown escalation target.
    async fn create_group(&self, group: NewGroup) -> StoreResult<Group>;

    /// Reads a group.
    ///
    /// # Errors
    /// `NotFound`.
    async fn get_group(&self, id: GroupId) -> StoreResult<Group>;

    /// Changes a group.
    ///
    /// # Errors
    /// `NotFound`, `Conflict`.
    async fn update_group(
        &self,
        id: GroupId,
        patch: GroupPatch,
        now: Timestamp,
    ) -> StoreResult<Group>;

    /// Every group (a desk has tens, not thousands), by tier then name.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_groups(&self) -> StoreResult<Vec<Group>>;

    /// Creates a category.
    ///
    /// # Errors
    /// `Conflict` when a sibling has the name; `NotFound` for an unknown parent.
    async fn create_category(&self, category: NewCategory) -> StoreResult<Category>;

    /// Reads a category.
    ///
    /// # Errors
    /// `NotFound`.
    async fn get_category(&self, id: CategoryId) -> StoreResult<Category>;

    /// Every category (the tree is small), by name.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_categories(&self) -> StoreResult<Vec<Category>>;

    /// Renames a category.
    ///
    /// # Errors
    /// `NotFound`; `Conflict` when a sibling has the name.
    async fn rename_category(
        &self,
        id: CategoryId,
        name: String,
        now: Timestamp,
    ) -> StoreResult<Category>;

    /// Deletes a category no ticket uses and that has no children.
    ///
    /// # Errors
    /// `NotFound`; `Conflict` naming why it is still in use.
    async fn delete_category(&self, id: CategoryId) -> StoreResult<()>;

    /// Creates a product or service.
    ///
    /// # Errors
    /// `Conflict` when the name is taken.
    async fn create_service(&self, service: NewService) -> StoreResult<Service>;

    /// Reads a service.
    ///
    /// # Errors
    /// `NotFound`.
    async fn get_service(&self, id: ServiceId) -> StoreResult<Service>;

    /// Changes a service.
    ///
    /// # Errors
    /// `NotFound`, `Conflict`.
    async fn update_service(
        &self,
        id: ServiceId,
        patch: ServicePatch,
        now: Timestamp,
    ) -> StoreResult<Service>;

    /// Every service, by name.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_services(&self) -> StoreResult<Vec<Service>>;
}
