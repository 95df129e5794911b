//! The values that cross the storage interface besides domain types: new rows, patches,
//! queries and pages.

use base64::Engine as _;
use ferrodesk_domain::{
    CategoryId, Channel, EmailAddress, EventId, GroupId, LinkKind, NewEvent, OrganizationId,
    Priority, Role, ServiceId, Ticket, TicketId, TicketStatus, Tier, TokenId, UserId,
};
use jiff::Timestamp;
use std::collections::BTreeMap;

/// The largest page any listing returns.
pub const MAX_PAGE_SIZE: i64 = 200;
/// The page size when none is asked for.
pub const DEFAULT_PAGE_SIZE: i64 = 50;

/// Which page of a listing: rows after the cursor, at most `limit` of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// Opaque position returned as [`Page::next_cursor`] by the previous page.
    pub cursor: Option<Cursor>,
    /// Rows wanted, already clamped to 1..=[`MAX_PAGE_SIZE`].
    pub limit: i64,
}

impl PageRequest {
    /// The first page with `limit` rows, clamped to 1..=[`MAX_PAGE_SIZE`].
    pub fn first(limit: i64) -> Self {
        PageRequest {
            cursor: None,
            limit: limit.clamp(1, MAX_PAGE_SIZE),
        }
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest::first(DEFAULT_PAGE_SIZE)
    }
}

/// A position in a keyset-paginated listing: the sort key of the last row seen and its
/// id (the tie-breaker). Encoded as URL-safe base64 text for clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// The sort key of the last row (a number: a time in microseconds, a rank, an id).
    pub key: i64,
    /// The id of the last row.
    pub id: i64,
}

impl Cursor {
    /// The text form handed to clients.
    pub fn encode(&self) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{}:{}", self.key, self.id))
    }

    /// Reads the text form back; `None` when it was tampered with.
    pub fn decode(text: &str) -> Option<Cursor> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text)
            .ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let (key, id) = text.split_once(':')?;
        Some(Cursor {
            key: key.parse().ok()?,
            id: id.parse().ok()?,
        })
    }
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The rows.
    pub items: Vec<T>,
    /// Where the next page starts; `None` on the last page.
    pub next_cursor: Option<Cursor>,
}

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

/// An API token to store. The secret itself is never stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken {
    /// Owner; requests with the token act as this person.
    pub user_id: UserId,
    /// A label ("ci", "monitoring").
    pub name: String,
    /// Hex SHA-256 of the secret.
    pub token_hash: String,
    /// Expiry, if any.
    pub expires_at: Option<Timestamp>,
    /// Creation time.
    pub now: Timestamp,
}

/// A stored API token, without its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// Id.
    pub id: TokenId,
    /// Owner.
    pub user_id: UserId,
    /// Label.
    pub name: String,
    /// Expiry.
    pub expires_at: Option<Timestamp>,
    /// When revoked.
    pub revoked_at: Option<Timestamp>,
    /// Creation time.
    pub created_at: Timestamp,
}

/// A browser session to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    /// Hex SHA-256 of the cookie value.
    pub session_hash: String,
    /// Who signed in.
    pub user_id: UserId,
    /// Secret for CSRF tokens in forms.
    pub csrf_secret: String,
    /// When the session ends.
    pub expires_at: Timestamp,
    /// Creation time.
    pub now: Timestamp,
}

/// What a live session carries besides its actor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// Secret for CSRF tokens.
    pub csrf_secret: String,
    /// When it ends.
    pub expires_at: Timestamp,
}

/// An entry for the security audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEntry {
    /// Who acted (`None` for anonymous, e.g. a failed sign-in for an unknown account).
    pub actor_id: Option<UserId>,
    /// What happened: `login`, `login_failed`, `token_created`, `role_changed`, ...
    pub action: String,
    /// What it happened to ("user 12", an email).
    pub subject: String,
    /// The client address, when known.
    pub address: Option<String>,
    /// Details as text.
    pub detail: String,
    /// When.
    pub now: Timestamp,
}

/// A stored audit entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Id, increasing.
    pub id: i64,
    /// Who acted.
    pub actor_id: Option<UserId>,
    /// What happened.
    pub action: String,
    /// What it happened to.
    pub subject: String,
    /// Client address.
    pub address: Option<String>,
    /// Details.
    pub detail: String,
    /// When.
    pub created_at: Timestamp,
}

/// A retry key from an `Idempotency-Key` header, scoped to the actor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Idempotency {
    /// Who sent the request.
    pub actor_id: UserId,
    /// The client's key.
    pub key: String,
    /// A hash of the request body, so a key reused for another request is refused.
    pub fingerprint: String,
}

/// The outcome of a create that may be a replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created<T> {
    /// Written now.
    New(T),
    /// The idempotency key was seen before with the same request; this is the result
    /// of that first request, and nothing was written now.
    Replayed(T),
}

impl<T> Created<T> {
    /// The value, new or replayed.
    pub fn into_inner(self) -> T {
        match self {
            Created::New(value) | Created::Replayed(value) => value,
        }
    }

    /// Whether this is a replay.
    pub fn is_replayed(&self) -> bool {
        matches!(self, Created::Replayed(_))
    }
}

/// A ticket to create with its first events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTicket {
    /// The ticket; `id` and `version` are ignored.
    pub ticket: Ticket,
    /// Its first events (at least `created`).
    pub events: Vec<NewEvent>,
    /// Links from the new ticket to existing ones.
    pub links: Vec<(LinkKind, TicketId)>,
    /// Retry key.
    pub idempotency: Option<Idempotency>,
    /// The version of the [`DeskSettings`](crate::DeskSettings) the ticket was routed
    /// with; the write is refused when the settings changed since.
    pub settings_version: Option<i64>,
    /// In-app notifications the ticket causes, written in its transaction.
    pub notices: Vec<Notice>,
    /// Round robin's pick for the ticket, remembered in its transaction.
    pub round_robin: Option<RoundRobinPick>,
}

/// The agent round robin handed a ticket to: the next pick in the group starts after
/// them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoundRobinPick {
    /// The group that assigns by round robin.
    pub group_id: GroupId,
    /// The agent picked.
    pub user_id: UserId,
}

/// A change to one ticket: its state when read, its new state, and the events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketChange {
    /// The ticket as read (its `version` guards the write).
    pub before: Ticket,
    /// The ticket as it should be saved.
    pub after: Ticket,
    /// Events explaining the change.
    pub events: Vec<NewEvent>,
    /// In-app notifications the change causes, written in its transaction.
    pub notices: Vec<Notice>,
    /// Round robin's pick for the ticket, remembered in its transaction.
    pub round_robin: Option<RoundRobinPick>,
}

impl TicketChange {
    /// A change with its events and no notifications.
    pub fn new(before: Ticket, after: Ticket, events: Vec<NewEvent>) -> Self {
        TicketChange {
            before,
            after,
            events,
            notices: Vec::new(),
            round_robin: None,
        }
    }
}

/// An in-app notification about the ticket it travels with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// To whom.
    pub user_id: UserId,
    /// What.
    pub message: String,
}

/// A link to add between two existing tickets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLink {
    /// Source.
    pub source: TicketId,
    /// How the source relates to the target.
    pub kind: LinkKind,
    /// Target.
    pub target: TicketId,
    /// Who linked them.
    pub actor_id: Option<UserId>,
    /// When.
    pub now: Timestamp,
}

/// Several ticket changes and links, written together or not at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketWrite {
    /// Changes.
    pub changes: Vec<TicketChange>,
    /// New links.
    pub links: Vec<NewLink>,
    /// Retry key.
    pub idempotency: Option<Idempotency>,
    /// The version of the [`DeskSettings`](crate::DeskSettings) the changes were routed
    /// with; the write is refused when the settings changed since.
    pub settings_version: Option<i64>,
}

/// A link as seen from one ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketLink {
    /// The ticket it is seen from.
    pub ticket_id: TicketId,
    /// The other ticket.
    pub other: TicketId,
    /// The stored kind (read from the source).
    pub kind: LinkKind,
    /// Whether `ticket_id` is the stored source (`true`) or target.
    pub is_source: bool,
    /// The other ticket's subject.
    pub other_subject: String,
    /// The other ticket's status.
    pub other_status: TicketStatus,
    /// When linked.
    pub created_at: Timestamp,
}

/// A split: the original's change and the new parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketSplit {
    /// The original (usually unchanged fields plus events).
    pub original: TicketChange,
    /// The new tickets, each routed on its own, with their own first events.
    pub parts: Vec<NewTicket>,
    /// Who split.
    pub actor_id: Option<UserId>,
    /// Through which channel.
    pub channel: Channel,
    /// When.
    pub now: Timestamp,
}

/// How to order a ticket listing. Every order ends with the id as tie-breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TicketSort {
    /// Most recently changed first (the default queue order).
    #[default]
    UpdatedDesc,
    /// Least recently changed first.
    UpdatedAsc,
    /// Newest first.
    CreatedDesc,
    /// Oldest first.
    CreatedAsc,
    /// P1 first, then oldest first within a priority.
    PriorityDesc,
    /// Highest id first.
    IdDesc,
}

/// Filters for a ticket listing; all given filters must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketFilter {
    /// Any of these statuses.
    pub statuses: Vec<TicketStatus>,
    /// Only open ones (anything before resolved).
    pub open_only: bool,
    /// Any of these priorities.
    pub priorities: Vec<Priority>,
    /// This group.
    pub group_id: Option<GroupId>,
    /// This assignee.
    pub assignee_id: Option<UserId>,
    /// Only unassigned tickets.
    pub unassigned: bool,
    /// This owner.
    pub owner_id: Option<UserId>,
    /// This requester.
    pub requester_id: Option<UserId>,
    /// This organization.
    pub organization_id: Option<OrganizationId>,
    /// This category.
    pub category_id: Option<CategoryId>,
    /// This service.
    pub service_id: Option<ServiceId>,
    /// This channel.
    pub channel: Option<Channel>,
    /// Subject contains this text (case-insensitive).
    pub subject_contains: Option<String>,
}

/// A ticket listing request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketQuery {
    /// Filters.
    pub filter: TicketFilter,
    /// Order.
    pub sort: TicketSort,
    /// Page.
    pub page: PageRequest,
}

/// Live queue counts, kept on write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueCounts {
    /// Tickets per status, all groups.
    pub by_status: BTreeMap<TicketStatus, i64>,
    /// Open tickets per group (`None`: no group yet).
    pub open_by_group: BTreeMap<Option<GroupId>, i64>,
    /// Open unassigned tickets per group.
    pub unassigned_by_group: BTreeMap<Option<GroupId>, i64>,
    /// Open tickets per assignee.
    pub open_by_assignee: BTreeMap<UserId, i64>,
}

/// Which part of a timeline: events after `after`, at most `limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventPage {
    /// Only events with a larger id.
    pub after: Option<EventId>,
    /// At most this many (clamped to 1..=1000 by adapters).
    pub limit: i64,
}

impl Default for EventPage {
    fn default() -> Self {
        EventPage {
            after: None,
            limit: 500,
        }
    }
}

/// One event appended to a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventAppend {
    /// The ticket.
    pub ticket_id: TicketId,
    /// The event.
    pub event: NewEvent,
    /// Set the ticket's first response time to the event's time if not yet set (a
    /// staff member's first public reply).
    pub marks_first_response: bool,
    /// Retry key.
    pub idempotency: Option<Idempotency>,
}
