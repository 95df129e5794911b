//! Storage of tickets: the tickets themselves, their timelines (events), links between
//! them, splits, the queue listing and the queue counts kept on write.
//!
//! Every write that belongs together (a ticket change and its timeline events, a split,
//! a merge) is one call, so an adapter makes it one transaction. Each ticket write also
//! recomputes the ticket's stored SLA clock and schedules its next jobs in that
//! transaction (see [`SlaStore`](crate::SlaStore)).

use crate::{Created, CustomValue, Idempotency, Page, PageRequest, StoreResult};
use async_trait::async_trait;
use ferrodesk_domain::{
    CategoryId, Channel, CustomFieldId, Event, EventId, GroupId, LinkKind, NewEvent,
    NotificationKind, OrganizationId, Priority, ServiceId, Ticket, TicketId, TicketScope,
    TicketStatus, TicketType, UserId,
};
use jiff::Timestamp;
use std::collections::BTreeMap;

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
    /// Its custom fields' values.
    pub custom_values: Vec<CustomValue>,
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
    /// Time spent, logged with the change's reply or note (its first interaction
    /// event) in its transaction.
    pub time_entry: Option<crate::NewTimeEntry>,
    /// Custom field values set or cleared.
    pub custom_values: Vec<CustomValue>,
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
            time_entry: None,
            custom_values: Vec::new(),
        }
    }
}

/// An in-app notification about the ticket it travels with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// To whom.
    pub user_id: UserId,
    /// Why.
    pub kind: NotificationKind,
    /// What.
    pub message: String,
    /// Whether it is also mailed at once (the person's preferences).
    pub mail: bool,
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
    /// This custom field has exactly this stored value.
    pub custom_value: Option<(CustomFieldId, String)>,
    /// This kind of request.
    pub ticket_type: Option<TicketType>,
    /// Carries this tag (exactly as written).
    pub tag: Option<String>,
    /// Where the ticket stands against its service levels.
    pub sla: Option<SlaCondition>,
    /// Created at or after this moment.
    pub created_from: Option<Timestamp>,
    /// Created before this moment.
    pub created_before: Option<Timestamp>,
    /// Last changed at or after this moment.
    pub updated_from: Option<Timestamp>,
    /// Last changed before this moment.
    pub updated_before: Option<Timestamp>,
}

/// A ticket's standing against its service levels, as of `now`: read from the running
/// targets of its stored clock (`ticket_sla.next_due_at`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaCondition {
    /// A running target was due before `now`.
    Breached {
        /// The moment the filter is read at.
        now: Timestamp,
    },
    /// A running target falls due from `now` up to (not including) `until`.
    DueBefore {
        /// The moment the filter is read at.
        now: Timestamp,
        /// The end of the window.
        until: Timestamp,
    },
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
    /// In-app notifications the event causes, written in its transaction.
    pub notices: Vec<Notice>,
}

/// Tickets, their events and links, splits, the queue and its counts.
#[async_trait]
pub trait TicketStore: Send + Sync {
    /// Creates a ticket with its first events and links, in one transaction.
    ///
    /// `ticket.id` and `ticket.version` are assigned by the store; the values passed are
    /// ignored. When `idempotency` names a key this actor already used with the same
    /// fingerprint, nothing is written and the earlier ticket comes back as
    /// [`Created::Replayed`].
    ///
    /// # Errors
    /// `Conflict` when the key was used with a different request; `NotFound` when a
    /// referenced row is missing.
    async fn create_ticket(&self, ticket: NewTicket) -> StoreResult<Created<Ticket>>;

    /// Reads a ticket.
    ///
    /// # Errors
    /// `NotFound`.
    async fn get_ticket(&self, id: TicketId) -> StoreResult<Ticket>;

    /// Reads several tickets (missing ones are left out), in id order.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn get_tickets(&self, ids: &[TicketId]) -> StoreResult<Vec<Ticket>>;

    /// Saves changes to one or more tickets with their events and new links, atomically.
    ///
    /// Each change carries the version it was read at; if any ticket changed since,
    /// nothing is written and the call fails with `Conflict`, so two agents never
    /// overwrite each other. Queue counts follow every change in the same transaction.
    ///
    /// # Errors
    /// `Conflict` on a concurrent change or a reused idempotency key; `NotFound`.
    async fn save_tickets(&self, write: TicketWrite) -> StoreResult<Created<Vec<Event>>>;

    /// Creates the parts of a split: each new ticket gets a `split_from` link to the
    /// original and its own events; the original gets one `split_into` event per part.
    /// One transaction.
    ///
    /// # Errors
    /// `Conflict` when the original changed since it was read.
    async fn split_ticket(&self, split: TicketSplit) -> StoreResult<Vec<Ticket>>;

    /// A page of tickets the scope allows, filtered and sorted.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_tickets(
        &self,
        scope: &TicketScope,
        query: &TicketQuery,
    ) -> StoreResult<Page<Ticket>>;

    /// How many tickets the scope allows match `filter`, counting no further than
    /// `cap` (a result above `cap` means "more than `cap`").
    ///
    /// # Errors
    /// `Unavailable`.
    async fn count_tickets_capped(
        &self,
        scope: &TicketScope,
        filter: &TicketFilter,
        cap: i64,
    ) -> StoreResult<i64>;

    /// Queue counts, maintained on write (never counted by scanning tickets).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn queue_counts(&self) -> StoreResult<QueueCounts>;

    /// A ticket's timeline in order, internal events only when asked for.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_events(
        &self,
        ticket_id: TicketId,
        include_internal: bool,
        page: &EventPage,
    ) -> StoreResult<Vec<Event>>;

    /// Reads one event.
    ///
    /// # Errors
    /// `NotFound`.
    async fn get_event(&self, id: EventId) -> StoreResult<Event>;

    /// Every link touching a ticket, as seen from that ticket.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_links(&self, ticket_id: TicketId) -> StoreResult<Vec<TicketLink>>;

    /// Children (`parent_of` targets) of a ticket that are not yet resolved or closed.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn open_children(&self, ticket_id: TicketId) -> StoreResult<Vec<TicketId>>;

    /// Appends one event to a ticket without changing its fields (a reply, note,
    /// call). Convenience over [`TicketStore::save_tickets`]; bumps the ticket's version and
    /// `updated_at`, and sets `first_response_at` when asked.
    ///
    /// # Errors
    /// `NotFound`, `Conflict` on a reused idempotency key.
    async fn append_event(&self, append: EventAppend) -> StoreResult<Created<Event>>;

    /// Writes many tickets with their events in large transactions: the bulk path used
    /// by demo data and the bench tool. No idempotency, no per-ticket answer.
    ///
    /// # Errors
    /// `NotFound` when a referenced row is missing.
    async fn bulk_create_tickets(
        &self,
        tickets: Vec<(Ticket, Vec<NewEvent>)>,
    ) -> StoreResult<Vec<TicketId>>;
}
