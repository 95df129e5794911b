//! The desk's routing settings as one versioned snapshot.
//!
//! Routing a ticket reads the groups, the routing rules, the groups' assignment modes,
//! the categories and the services, telling people about it reads the staff and
//! their groups, and checking its custom values reads the custom field definitions. They change rarely and are read on every create,
//! so a server keeps them in memory. The database keeps a counter that every change
//! to those tables moves (by trigger, so a change made by another process or another
//! node counts too). A write routed with a snapshot names the snapshot's version, and
//! the store refuses it with [`StoreError::settings_changed`] when the counter has
//! moved since: the caller reads the settings again and routes again.

use crate::{AssignmentMode, RoutingRule, StoreError};
use ferrodesk_domain::notify::Preferences;
use ferrodesk_domain::{
    Category, CategoryId, CustomField, Group, GroupId, Service, ServiceId, User, UserId,
};

/// What a [`StoreError::Conflict`] says when the settings changed under a write.
pub const SETTINGS_CHANGED: &str = "desk settings changed";

impl StoreError {
    /// The settings a write was routed with are no longer current.
    pub fn settings_changed() -> Self {
        StoreError::conflict(crate::Conflict::SettingsChanged, SETTINGS_CHANGED)
    }

    /// Whether this is [`StoreError::settings_changed`].
    pub fn is_settings_changed(&self) -> bool {
        self.conflict_kind() == Some(crate::Conflict::SettingsChanged)
    }
}

/// The routing settings at one version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeskSettings {
    /// The settings counter when they were read.
    pub version: i64,
    /// Every group.
    pub groups: Vec<Group>,
    /// Every routing rule, by position.
    pub routing_rules: Vec<RoutingRule>,
    /// The groups whose assignment mode is not manual.
    pub assignment_modes: Vec<(GroupId, AssignmentMode)>,
    /// Every category.
    pub categories: Vec<Category>,
    /// Every service.
    pub services: Vec<Service>,
    /// Every staff member (agents, supervisors, admins, also deactivated ones) with
    /// their groups, by id; a change to a staff member's role, name, address, activity or
    /// groups moves the version.
    pub staff: Vec<User>,
    /// The notification preferences staff members chose (the others have the
    /// defaults); a change moves the version.
    pub preferences: Vec<(UserId, Preferences)>,
    /// Every custom field definition, active or not, by position then id; a change to
    /// one moves the version (a new ticket's values are checked against these).
    pub custom_fields: Vec<CustomField>,
}

impl DeskSettings {
    /// A group by id.
    pub fn group(&self, id: GroupId) -> Option<&Group> {
        self.groups.iter().find(|g| g.id == id)
    }

    /// A category by id.
    pub fn category(&self, id: CategoryId) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }

    /// A service by id.
    pub fn service(&self, id: ServiceId) -> Option<&Service> {
        self.services.iter().find(|s| s.id == id)
    }

    /// A staff member's notification preferences (the defaults when never chosen).
    pub fn preferences(&self, user: UserId) -> Preferences {
        self.preferences
            .iter()
            .find(|(id, _)| *id == user)
            .map_or_else(Preferences::default, |(_, p)| p.clone())
    }

    /// A group's assignment mode (manual when never set).
    pub fn assignment_mode(&self, id: GroupId) -> AssignmentMode {
        self.assignment_modes
            .iter()
            .find(|(group, _)| *group == id)
            .map_or(AssignmentMode::Manual, |(_, mode)| *mode)
    }
}
