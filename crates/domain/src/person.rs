//! People, organizations and support groups.

use crate::id::{CategoryId, GroupId, OrganizationId, ServiceId, UserId};
use crate::string_enum;
use crate::value::{EmailAddress, InvalidValue};
use jiff::Timestamp;

string_enum!(
    /// What a person may do at the desk.
    Role {
        /// An end user who reports problems and follows their own tickets.
        Customer = "customer",
        /// Works tickets of their groups and those assigned to them.
        Agent = "agent",
        /// Sees and changes every ticket; runs reports.
        Supervisor = "supervisor",
        /// Everything a supervisor does, plus configuration, users and tokens.
        Admin = "admin",
    }
);

impl Role {
    /// Agents, supervisors and admins.
    pub fn is_staff(self) -> bool {
        !matches!(self, Role::Customer)
    }

    /// Supervisors and admins see every ticket.
    pub fn sees_all_tickets(self) -> bool {
        matches!(self, Role::Supervisor | Role::Admin)
    }
}

/// A support tier: 1 is the first line, 3 the specialists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Tier(u8);

impl Tier {
    /// The first line, where every new ticket lands unless a rule says otherwise.
    pub const FIRST: Tier = Tier(1);

    /// Validates a tier number.
    ///
    /// # Errors
    /// [`InvalidValue`] outside 1..=3.
    pub fn new(tier: i64) -> Result<Tier, InvalidValue> {
        match tier {
            1..=3 => Ok(Tier(tier as u8)),
            other => Err(InvalidValue::new(
                "tier",
                format!("{other} is not a tier; tiers are 1, 2 and 3"),
            )),
        }
    }

    /// The tier number.
    pub fn get(self) -> i64 {
        i64::from(self.0)
    }

    /// The next tier up, if there is one.
    pub fn next(self) -> Option<Tier> {
        (self.0 < 3).then_some(Tier(self.0 + 1))
    }
}

impl<'de> serde::Deserialize<'de> for Tier {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = i64::deserialize(deserializer)?;
        Tier::new(raw).map_err(serde::de::Error::custom)
    }
}

/// A person who uses the desk: a customer or a member of staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Id.
    pub id: UserId,
    /// Sign-in and notification address; unique.
    pub email: EmailAddress,
    /// Display name.
    pub name: String,
    /// What the person may do.
    pub role: Role,
    /// The customer's organization.
    pub organization_id: Option<OrganizationId>,
    /// Phone number, as given.
    pub phone: Option<String>,
    /// Where the person sits (building, floor, room).
    pub location: Option<String>,
    /// Employee number, for walk-ins who don't know their email.
    pub employee_id: Option<String>,
    /// Preferred language (BCP 47 tag).
    pub locale: String,
    /// IANA time zone name.
    pub time_zone: String,
    /// Staff tier; `None` for customers.
    pub tier: Option<Tier>,
    /// Groups a staff member works in.
    pub group_ids: Vec<GroupId>,
    /// Whether the person may sign in.
    pub is_active: bool,
    /// When the account was created.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

/// A customer organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    /// Id.
    pub id: OrganizationId,
    /// Name; unique.
    pub name: String,
    /// Whether members see each other's tickets in the portal.
    pub shares_tickets: bool,
    /// When it was created.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

/// A support group (support centre, queue) serving one tier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Id.
    pub id: GroupId,
    /// Name; unique.
    pub name: String,
    /// The tier this group serves.
    pub tier: Tier,
    /// What the group is for.
    pub description: String,
    /// Where tickets go when this group escalates.
    pub escalates_to: Option<GroupId>,
    /// When it was created.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

/// A node of the category tree (for example Hardware › Printer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    /// Id.
    pub id: CategoryId,
    /// Name, unique among its siblings.
    pub name: String,
    /// Parent node; `None` at the root.
    pub parent_id: Option<CategoryId>,
    /// When it was created.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

/// A product or service the desk supports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// Id.
    pub id: ServiceId,
    /// Name; unique.
    pub name: String,
    /// What it is.
    pub description: String,
    /// The group that owns its support.
    pub owner_group_id: Option<GroupId>,
    /// Support hours as people read them ("24/7", "Mon-Fri 8-17").
    pub support_hours: String,
    /// Whether the desk still supports it.
    pub is_supported: bool,
    /// When support ends, if announced.
    pub end_of_support: Option<jiff::civil::Date>,
    /// When it was created.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_are_one_to_three_and_three_has_no_next() {
        assert!(Tier::new(0).is_err());
        assert!(Tier::new(4).is_err());
        assert_eq!(Tier::FIRST.next(), Some(Tier::new(2).unwrap()));
        assert_eq!(Tier::new(3).unwrap().next(), None);
    }

    #[test]
    fn only_supervisors_and_admins_see_all_tickets() {
        assert!(!Role::Customer.sees_all_tickets());
        assert!(!Role::Agent.sees_all_tickets());
        assert!(Role::Supervisor.sees_all_tickets());
        assert!(Role::Admin.sees_all_tickets());
    }
}
