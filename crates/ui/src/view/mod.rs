//! View models: domain values turned into the words, badges, names and times the
//! templates show. Nothing here decides access; it only formats what the services
//! returned.
//! The timeline has its own module, [`timeline`].

mod timeline;

pub(crate) use timeline::{TimelineItem, mentioned_users, timeline};

use crate::UiState;
use crate::error::PageResult;
use ferrodesk_app::AppError;
use ferrodesk_domain::{
    Actor, CategoryId, Channel, GroupId, Impact, LinkKind, OrganizationId, Priority, ServiceId,
    Ticket, TicketStatus, TicketType, Urgency, User, UserId,
};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use std::collections::{BTreeSet, HashMap};

/// A coloured label: text plus a CSS class.
#[derive(Debug, Clone)]
pub(crate) struct Badge {
    /// The text.
    pub label: &'static str,
    /// The CSS class that colours it.
    pub class: &'static str,
}

/// A moment shown three ways: "5 min ago", "23 Nov 2025, 14:02" in the viewer's zone,
/// and ISO 8601 for `<time datetime>`.
#[derive(Debug, Clone)]
pub(crate) struct When {
    /// Relative to now.
    pub relative: String,
    /// Absolute, in the viewer's time zone.
    pub absolute: String,
    /// Machine-readable.
    pub iso: String,
}

/// Formats times for one viewer.
#[derive(Debug, Clone)]
pub(crate) struct Times {
    zone: TimeZone,
    now: Timestamp,
}

impl Times {
    /// Times in `user`'s zone (UTC when the zone is unknown), relative to `now`.
    pub(crate) fn new(user: &User, now: Timestamp) -> Times {
        Times {
            zone: TimeZone::get(&user.time_zone).unwrap_or(TimeZone::UTC),
            now,
        }
    }

    /// One moment.
    pub(crate) fn at(&self, at: Timestamp) -> When {
        let zoned = at.to_zoned(self.zone.clone());
        let seconds = self.now.as_second() - at.as_second();
        let relative = match seconds {
            ..60 => "just now".to_owned(),
            60..3_600 => format!("{} min ago", seconds / 60),
            3_600..86_400 => format!("{} h ago", seconds / 3_600),
            86_400..604_800 => {
                let days = seconds / 86_400;
                if days == 1 {
                    "yesterday".to_owned()
                } else {
                    format!("{days} days ago")
                }
            }
            _ => zoned.strftime("%-d %b %Y").to_string(),
        };
        When {
            relative,
            absolute: zoned.strftime("%-d %b %Y, %H:%M").to_string(),
            iso: at.to_string(),
        }
    }
}

/// A ticket status for staff.
pub(crate) fn status_badge(status: TicketStatus) -> Badge {
    let (label, class) = match status {
        TicketStatus::New => ("New", "st-new"),
        TicketStatus::Open => ("Open", "st-open"),
        TicketStatus::PendingCustomer => ("Waiting on customer", "st-pending"),
        TicketStatus::PendingVendor => ("Waiting on vendor", "st-pending"),
        TicketStatus::PendingScheduled => ("Scheduled", "st-pending"),
        TicketStatus::Resolved => ("Resolved", "st-resolved"),
        TicketStatus::Closed => ("Closed", "st-closed"),
    };
    Badge { label, class }
}

/// A ticket status in the customer's words.
pub(crate) fn portal_status_badge(status: TicketStatus) -> Badge {
    let (label, class) = match status {
        TicketStatus::New => ("Received", "st-new"),
        TicketStatus::Open => ("In progress", "st-open"),
        TicketStatus::PendingCustomer => ("Waiting for your reply", "st-action"),
        TicketStatus::PendingVendor => ("Waiting on a supplier", "st-pending"),
        TicketStatus::PendingScheduled => ("Scheduled", "st-pending"),
        TicketStatus::Resolved => ("Resolved", "st-resolved"),
        TicketStatus::Closed => ("Closed", "st-closed"),
    };
    Badge { label, class }
}

/// The word for a status inside a sentence.
pub(crate) fn status_word(status: TicketStatus) -> &'static str {
    match status {
        TicketStatus::New => "New",
        TicketStatus::Open => "Open",
        TicketStatus::PendingCustomer => "Waiting on customer",
        TicketStatus::PendingVendor => "Waiting on vendor",
        TicketStatus::PendingScheduled => "Scheduled",
        TicketStatus::Resolved => "Resolved",
        TicketStatus::Closed => "Closed",
    }
}

/// A priority.
pub(crate) fn priority_badge(priority: Priority) -> Badge {
    let (label, class) = match priority {
        Priority::P1 => ("P1 Critical", "pr-1"),
        Priority::P2 => ("P2 High", "pr-2"),
        Priority::P3 => ("P3 Medium", "pr-3"),
        Priority::P4 => ("P4 Low", "pr-4"),
    };
    Badge { label, class }
}

/// An article's status in words.
pub(crate) fn article_status_label(status: ferrodesk_domain::ArticleStatus) -> &'static str {
    match status {
        ferrodesk_domain::ArticleStatus::Draft => "Draft",
        ferrodesk_domain::ArticleStatus::Published => "Published",
        ferrodesk_domain::ArticleStatus::Archived => "Archived",
    }
}

/// A language tag in the language's own words: `nb` (and the older `no`) is
/// "Norsk (bokmål)"; a tag the desk has no name for is shown as it is.
pub(crate) fn language_name(tag: &str) -> String {
    let name = match tag.to_ascii_lowercase().as_str() {
        "en" => "English",
        "pt" => "Português",
        "pt-br" => "Português (Brasil)",
        "es" => "Español",
        "nb" | "no" => "Norsk (bokmål)",
        "nn" => "Norsk (nynorsk)",
        "hu" => "Magyar",
        "pl" => "Polski",
        "de" => "Deutsch",
        "fr" => "Français",
        _ => return tag.to_owned(),
    };
    name.to_owned()
}

/// A count with its noun, singular for one: "1 person", "3 people".
pub(crate) fn count_of(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {many}")
    }
}

/// Impact in words.
pub(crate) fn impact_label(impact: Impact) -> &'static str {
    match impact {
        Impact::Organization => "Whole organization",
        Impact::Department => "A department or team",
        Impact::Individual => "One person",
    }
}

/// Urgency in words.
pub(crate) fn urgency_label(urgency: Urgency) -> &'static str {
    match urgency {
        Urgency::High => "High: work has stopped",
        Urgency::Medium => "Medium: work is impaired",
        Urgency::Low => "Low: work can go on",
    }
}

/// A ticket type in words.
pub(crate) fn type_label(ticket_type: TicketType) -> &'static str {
    match ticket_type {
        TicketType::Incident => "Incident",
        TicketType::ServiceRequest => "Service request",
        TicketType::Question => "Question",
        TicketType::Complaint => "Complaint",
        TicketType::Problem => "Problem",
    }
}

/// A channel in words.
pub(crate) fn channel_label(channel: Channel) -> &'static str {
    match channel {
        Channel::Email => "Email",
        Channel::Portal => "Portal",
        Channel::Chat => "Chat",
        Channel::Phone => "Phone",
        Channel::WalkIn => "Walk-in",
        Channel::Agent => "Agent",
        Channel::Api => "API",
    }
}

/// How a link reads from the ticket it is seen from.
pub(crate) fn link_label(kind: LinkKind, is_source: bool) -> &'static str {
    match (kind, is_source) {
        (LinkKind::DuplicateOf, true) => "Duplicate of",
        (LinkKind::DuplicateOf, false) => "Duplicated by",
        (LinkKind::Related, _) => "Related to",
        (LinkKind::ParentOf, true) => "Parent of",
        (LinkKind::ParentOf, false) => "Child of",
        (LinkKind::SplitFrom, true) => "Split from",
        (LinkKind::SplitFrom, false) => "Split into",
        (LinkKind::FollowUpOf, true) => "Follow-up of",
        (LinkKind::FollowUpOf, false) => "Followed up by",
        (LinkKind::CausedBy, true) => "Caused by",
        (LinkKind::CausedBy, false) => "Causes",
    }
}

/// Initials for an avatar ("Ana Souza" → "AS").
pub(crate) fn initials(name: &str) -> String {
    let mut words = name.split_whitespace().filter_map(|w| w.chars().next());
    let first = words.next();
    let last = words.next_back();
    first
        .into_iter()
        .chain(last)
        .flat_map(char::to_uppercase)
        .collect()
}

/// Names of the things tickets point at, loaded once per page (groups, categories and
/// services are small tables; people are fetched by id as needed).
#[derive(Debug, Clone, Default)]
pub(crate) struct Names {
    groups: HashMap<GroupId, ferrodesk_domain::Group>,
    categories: HashMap<CategoryId, String>,
    services: HashMap<ServiceId, String>,
    users: HashMap<UserId, User>,
    organizations: HashMap<OrganizationId, String>,
}

impl Names {
    /// Categories and services for anyone; groups for staff.
    ///
    /// # Errors
    /// The services' errors.
    pub(crate) async fn load(state: &UiState, actor: &Actor) -> PageResult<Names> {
        let directory = state.app.directory();
        let groups = if actor.is_staff() {
            directory.list_groups(actor).await?
        } else {
            Vec::new()
        };
        let categories = directory.list_categories(actor).await?;
        let services = directory.list_services(actor).await?;
        Ok(Names {
            groups: groups.into_iter().map(|g| (g.id, g)).collect(),
            categories: category_paths(&categories),
            services: services.into_iter().map(|s| (s.id, s.name)).collect(),
            users: HashMap::new(),
            organizations: HashMap::new(),
        })
    }

    /// Fetches the people among `ids` that are not known yet. People the viewer may not
    /// read stay unknown and show as "Service desk" (customers cannot read staff).
    ///
    /// # Errors
    /// The services' errors other than not-found.
    pub(crate) async fn add_users(
        &mut self,
        state: &UiState,
        actor: &Actor,
        ids: impl IntoIterator<Item = UserId>,
    ) -> PageResult<()> {
        let missing: BTreeSet<UserId> = ids
            .into_iter()
            .filter(|id| !self.users.contains_key(id))
            .collect();
        let directory = state.app.directory();
        let found =
            futures::future::join_all(missing.iter().map(|id| directory.get_user(actor, *id)))
                .await;
        for result in found {
            match result {
                Ok(user) => {
                    self.users.insert(user.id, user);
                }
                Err(AppError::NotFound { .. }) => {}
                Err(other) => return Err(other.into()),
            }
        }
        Ok(())
    }

    /// Adds one person already loaded.
    pub(crate) fn insert_user(&mut self, user: User) {
        self.users.insert(user.id, user);
    }

    /// Fetches organization names the viewer may read.
    ///
    /// # Errors
    /// The services' errors other than not-found.
    pub(crate) async fn add_organizations(
        &mut self,
        state: &UiState,
        actor: &Actor,
        ids: impl IntoIterator<Item = OrganizationId>,
    ) -> PageResult<()> {
        for id in ids {
            if self.organizations.contains_key(&id) {
                continue;
            }
            match state.app.directory().get_organization(actor, id).await {
                Ok(org) => {
                    self.organizations.insert(org.id, org.name);
                }
                Err(AppError::NotFound { .. }) => {}
                Err(other) => return Err(other.into()),
            }
        }
        Ok(())
    }

    /// A person, when known.
    pub(crate) fn user(&self, id: UserId) -> Option<&User> {
        self.users.get(&id)
    }

    /// A person's name; staff the viewer may not read are "Service desk".
    pub(crate) fn user_name(&self, id: UserId) -> String {
        self.users
            .get(&id)
            .map(|u| u.name.clone())
            .unwrap_or_else(|| "Service desk".to_owned())
    }

    /// An optional person's name, or `none`.
    pub(crate) fn user_or(&self, id: Option<UserId>, none: &str) -> String {
        id.map(|id| self.user_name(id))
            .unwrap_or_else(|| none.to_owned())
    }

    /// A group's name.
    pub(crate) fn group_name(&self, id: GroupId) -> String {
        self.groups
            .get(&id)
            .map(|g| g.name.clone())
            .unwrap_or_else(|| format!("group {id}"))
    }

    /// An optional group's name, or `none`.
    pub(crate) fn group_or(&self, id: Option<GroupId>, none: &str) -> String {
        id.map(|id| self.group_name(id))
            .unwrap_or_else(|| none.to_owned())
    }

    /// Every group, by tier then name.
    pub(crate) fn groups(&self) -> Vec<&ferrodesk_domain::Group> {
        let mut groups: Vec<_> = self.groups.values().collect();
        groups.sort_by(|a, b| a.tier.cmp(&b.tier).then(a.name.cmp(&b.name)));
        groups
    }

    /// A group by id.
    pub(crate) fn group(&self, id: GroupId) -> Option<&ferrodesk_domain::Group> {
        self.groups.get(&id)
    }

    /// A category's path ("Hardware › Printer").
    pub(crate) fn category_or(&self, id: Option<CategoryId>, none: &str) -> String {
        id.map(|id| {
            self.categories
                .get(&id)
                .cloned()
                .unwrap_or_else(|| format!("category {id}"))
        })
        .unwrap_or_else(|| none.to_owned())
    }

    /// Every category as (id, path), sorted by path.
    pub(crate) fn categories(&self) -> Vec<(i64, String)> {
        let mut all: Vec<(i64, String)> = self
            .categories
            .iter()
            .map(|(id, path)| (id.get(), path.clone()))
            .collect();
        all.sort_by(|a, b| a.1.cmp(&b.1));
        all
    }

    /// A service's name.
    pub(crate) fn service_or(&self, id: Option<ServiceId>, none: &str) -> String {
        id.map(|id| {
            self.services
                .get(&id)
                .cloned()
                .unwrap_or_else(|| format!("service {id}"))
        })
        .unwrap_or_else(|| none.to_owned())
    }

    /// Every service as (id, name), sorted by name.
    pub(crate) fn services(&self) -> Vec<(i64, String)> {
        let mut all: Vec<(i64, String)> = self
            .services
            .iter()
            .map(|(id, name)| (id.get(), name.clone()))
            .collect();
        all.sort_by(|a, b| a.1.cmp(&b.1));
        all
    }

    /// An organization's name.
    pub(crate) fn organization_or(&self, id: Option<OrganizationId>, none: &str) -> String {
        id.map(|id| {
            self.organizations
                .get(&id)
                .cloned()
                .unwrap_or_else(|| format!("organization {id}"))
        })
        .unwrap_or_else(|| none.to_owned())
    }
}

/// Full paths of every category ("Hardware › Printer"); a broken parent chain stops
/// at the node itself.
fn category_paths(categories: &[ferrodesk_domain::Category]) -> HashMap<CategoryId, String> {
    let by_id: HashMap<CategoryId, &ferrodesk_domain::Category> =
        categories.iter().map(|c| (c.id, c)).collect();
    categories
        .iter()
        .map(|category| {
            let mut parts = vec![category.name.as_str()];
            let mut parent = category.parent_id;
            // The tree is shallow; the bound guards against a cycle in bad data.
            for _ in 0..16 {
                let Some(node) = parent.and_then(|id| by_id.get(&id)) else {
                    break;
                };
                parts.push(node.name.as_str());
                parent = node.parent_id;
            }
            parts.reverse();
            (category.id, parts.join(" › "))
        })
        .collect()
}

/// One row of a ticket list.
#[derive(Debug, Clone)]
pub(crate) struct TicketRow {
    /// The number.
    pub id: i64,
    /// `#10042`.
    pub number: String,
    /// Subject.
    pub subject: String,
    /// Status badge.
    pub status: Badge,
    /// Priority badge.
    pub priority: Badge,
    /// Requester's name.
    pub requester: String,
    /// Assignee's name, or "Unassigned".
    pub assignee: String,
    /// Whether nobody is assigned.
    pub is_unassigned: bool,
    /// Group name.
    pub group: String,
    /// Tier number.
    pub tier: i64,
    /// Last change.
    pub updated: When,
    /// The most urgent SLA target (filled in by `sla::add_row_badges`).
    pub sla: Option<crate::sla::SlaBadge>,
    /// The others on the ticket (filled in by the queue from
    /// `agent::ticket::presence::row_markers`).
    pub present: Vec<PresentView>,
}

/// Someone else on a ticket, as the ticket page's strip and the queue markers show
/// them.
#[derive(Debug, Clone)]
pub(crate) struct PresentView {
    /// Their name.
    pub name: String,
    /// Their initials, for the avatar.
    pub initials: String,
    /// `viewing` or `replying`.
    pub activity: &'static str,
}

impl PresentView {
    /// `name` doing `activity`.
    pub(crate) fn new(name: &str, activity: &'static str) -> PresentView {
        PresentView {
            name: name.to_owned(),
            initials: initials(name),
            activity,
        }
    }
}

/// A queue row's presence marker, swapped into the row by the ticket's id.
#[derive(Debug, Clone)]
pub(crate) struct RowMarker {
    /// The ticket.
    pub id: i64,
    /// The others on it.
    pub present: Vec<PresentView>,
}

impl TicketRow {
    /// The row's presence marker.
    pub(crate) fn marker(&self) -> RowMarker {
        RowMarker {
            id: self.id,
            present: self.present.clone(),
        }
    }
}

impl TicketRow {
    /// A row for staff.
    pub(crate) fn new(ticket: &Ticket, names: &Names, times: &Times) -> TicketRow {
        TicketRow {
            id: ticket.id.get(),
            number: ticket.id.display_number(),
            subject: ticket.subject.clone(),
            status: status_badge(ticket.status),
            priority: priority_badge(ticket.priority),
            requester: names.user_name(ticket.requester_id),
            assignee: names.user_or(ticket.assignee_id, "Unassigned"),
            is_unassigned: ticket.assignee_id.is_none(),
            group: names.group_or(ticket.group_id, "No group"),
            tier: ticket.tier.get(),
            updated: times.at(ticket.updated_at),
            sla: None,
            present: Vec::new(),
        }
    }
}

/// A ticket mentioned on a page.
#[derive(Debug, Clone)]
pub(crate) struct TicketRef {
    /// The number.
    pub id: i64,
    /// `#10042`.
    pub number: String,
}

impl TicketRef {
    /// The reference for `id`.
    pub(crate) fn new(id: ferrodesk_domain::TicketId) -> TicketRef {
        TicketRef {
            id: id.get(),
            number: id.display_number(),
        }
    }
}

/// An `<option>`: value, label, whether selected.
#[derive(Debug, Clone)]
pub(crate) struct Choice {
    /// The submitted value.
    pub value: String,
    /// What the person reads.
    pub label: String,
    /// Whether it is the current value.
    pub selected: bool,
}

impl Choice {
    /// One option.
    pub(crate) fn new(value: impl ToString, label: impl Into<String>, selected: bool) -> Choice {
        Choice {
            value: value.to_string(),
            label: label.into(),
            selected,
        }
    }
}

/// Options of a multiple select, with the chosen values selected.
pub(crate) fn multi_choices<V: ToString>(
    options: Vec<(V, String)>,
    chosen: &[&str],
) -> Vec<Choice> {
    options
        .into_iter()
        .map(|(value, label)| {
            let value = value.to_string();
            let selected = chosen.contains(&value.as_str());
            Choice::new(value, label, selected)
        })
        .collect()
}

/// Options for impact, with `current` selected.
pub(crate) fn impact_choices(current: &str) -> Vec<Choice> {
    Impact::ALL
        .iter()
        .map(|i| Choice::new(i, impact_label(*i), i.as_str() == current))
        .collect()
}

/// Options for urgency, with `current` selected.
pub(crate) fn urgency_choices(current: &str) -> Vec<Choice> {
    Urgency::ALL
        .iter()
        .map(|u| Choice::new(u, urgency_label(*u), u.as_str() == current))
        .collect()
}

/// Options for the ticket type, with `current` selected.
pub(crate) fn type_choices(current: &str) -> Vec<Choice> {
    TicketType::ALL
        .iter()
        .map(|t| Choice::new(t, type_label(*t), t.as_str() == current))
        .collect()
}

/// Options for categories with a leading "none" entry.
pub(crate) fn category_choices(names: &Names, current: &str, none: &str) -> Vec<Choice> {
    std::iter::once(Choice::new("", none, current.is_empty()))
        .chain(
            names
                .categories()
                .into_iter()
                .map(|(id, path)| Choice::new(id, path, id.to_string() == current)),
        )
        .collect()
}

/// Options for services with a leading "none" entry.
pub(crate) fn service_choices(names: &Names, current: &str, none: &str) -> Vec<Choice> {
    std::iter::once(Choice::new("", none, current.is_empty()))
        .chain(
            names
                .services()
                .into_iter()
                .map(|(id, name)| Choice::new(id, name, id.to_string() == current)),
        )
        .collect()
}

/// Options for groups ("Service Desk · tier 1") with a leading "none" entry.
pub(crate) fn group_choices(names: &Names, current: &str, none: &str) -> Vec<Choice> {
    std::iter::once(Choice::new("", none, current.is_empty()))
        .chain(names.groups().into_iter().map(|g| {
            Choice::new(
                g.id,
                format!("{} · tier {}", g.name, g.tier.get()),
                g.id.to_string() == current,
            )
        }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_take_the_first_and_last_word() {
        assert_eq!(initials("Ana Souza"), "AS");
        assert_eq!(initials("Kovács Eszter Mária"), "KM");
        assert_eq!(initials("admin"), "A");
        assert_eq!(initials(""), "");
    }

    #[test]
    fn relative_times_read_naturally() {
        let now = Timestamp::from_second(1_700_000_000).unwrap();
        let times = Times {
            zone: TimeZone::UTC,
            now,
        };
        let ago = |s: i64| times.at(Timestamp::from_second(1_700_000_000 - s).unwrap());
        assert_eq!(ago(5).relative, "just now");
        assert_eq!(ago(300).relative, "5 min ago");
        assert_eq!(ago(7_200).relative, "2 h ago");
        assert_eq!(ago(90_000).relative, "yesterday");
        assert_eq!(ago(3 * 86_400).relative, "3 days ago");
        assert_eq!(ago(0).absolute, "14 Nov 2023, 22:13");
    }

    #[test]
    fn counts_say_one_person_and_languages_their_own_name() {
        assert_eq!(count_of(1, "person", "people"), "1 person");
        assert_eq!(count_of(3, "person", "people"), "3 people");
        assert_eq!(language_name("nb"), "Norsk (bokmål)");
        assert_eq!(language_name("no"), "Norsk (bokmål)");
        assert_eq!(language_name("pt-BR"), "Português (Brasil)");
        assert_eq!(language_name("xx"), "xx");
    }
}
