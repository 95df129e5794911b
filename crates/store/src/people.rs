//! Storage of people: their records, group memberships and password hashes.

use crate::{Page, PageRequest, StoreResult};
use async_trait::async_trait;
use ferrodesk_domain::{EmailAddress, GroupId, OrganizationId, Role, Tier, User, UserId};
use jiff::Timestamp;

/// A person to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    /// Unique address.
    pub email: EmailAddress,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Organization (customers).
    pub organization_id: Option<OrganizationId>,
    /// Phone.
    pub phone: Option<String>,
    /// Location.
    pub location: Option<String>,
    /// Employee number.
    pub employee_id: Option<String>,
    /// Language tag.
    pub locale: String,
    /// IANA zone.
    pub time_zone: String,
    /// Staff tier.
    pub tier: Option<Tier>,
    /// Staff groups.
    pub group_ids: Vec<GroupId>,
    /// Password hash (PHC string), when a password is set.
    pub password_hash: Option<String>,
    /// Creation time.
    pub now: Timestamp,
}

/// Changes to a person. `None` leaves a field alone; `Some(None)` clears an optional one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserPatch {
    /// New email.
    pub email: Option<EmailAddress>,
    /// New name.
    pub name: Option<String>,
    /// New role.
    pub role: Option<Role>,
    /// New organization.
    pub organization_id: Option<Option<OrganizationId>>,
    /// New phone.
    pub phone: Option<Option<String>>,
    /// New location.
    pub location: Option<Option<String>>,
    /// New employee number.
    pub employee_id: Option<Option<String>>,
    /// New language.
    pub locale: Option<String>,
    /// New zone.
    pub time_zone: Option<String>,
    /// New tier.
    pub tier: Option<Option<Tier>>,
    /// Replaces the group memberships.
    pub group_ids: Option<Vec<GroupId>>,
    /// Enables or disables sign-in.
    pub is_active: Option<bool>,
}

/// Which people to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFilter {
    /// Only this role.
    pub role: Option<Role>,
    /// Only this organization.
    pub organization_id: Option<OrganizationId>,
    /// Only members of this group.
    pub group_id: Option<GroupId>,
    /// Name or email contains this text (case-insensitive).
    pub text: Option<String>,
}

/// People: create, read, change, list, and their password hashes.
#[async_trait]
pub trait PeopleStore: Send + Sync {
    /// Creates a person with their group memberships.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the email is taken; `NotFound` for an unknown
    /// group or organization.
    async fn create_user(&self, user: NewUser) -> StoreResult<User>;

    /// Reads a person.
    ///
    /// # Errors
    /// `NotFound` when missing.
    async fn get_user(&self, id: UserId) -> StoreResult<User>;

    /// Reads the people of `ids` that exist, in id order (a missing id is left out;
    /// a repeated one read once).
    async fn get_users(&self, ids: &[UserId]) -> StoreResult<Vec<User>>;

    /// Finds a person by email (exact, after normalization).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn find_user_by_email(&self, email: &EmailAddress) -> StoreResult<Option<User>>;

    /// Changes a person; `None` fields stay as they are.
    ///
    /// # Errors
    /// `NotFound`, or `Conflict` when the new email is taken.
    async fn update_user(&self, id: UserId, patch: UserPatch, now: Timestamp) -> StoreResult<User>;

    /// Lists people, ordered by id.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_users(&self, filter: &UserFilter, page: &PageRequest) -> StoreResult<Page<User>>;

    /// How many people exist (to know whether the first admin must be created).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn count_users(&self) -> StoreResult<i64>;

    /// The stored password hash (PHC string), if the person has a password.
    ///
    /// # Errors
    /// `NotFound` for an unknown person.
    async fn password_hash(&self, id: UserId) -> StoreResult<Option<String>>;

    /// Replaces the stored password hash.
    ///
    /// # Errors
    /// `NotFound` for an unknown person.
    async fn set_password_hash(&self, id: UserId, hash: &str, now: Timestamp) -> StoreResult<()>;
}
