//! Splitting a ticket into several, linking tickets, and merging a duplicate.

use super::commit::Drafted;
use super::{
    MAX_BODY_CHARS, MAX_SUBJECT_CHARS, Tickets, changed_concurrently, for_actor, pipeline,
};
use crate::AppError;
use crate::input::{body, optional, required, tags};
use ferrodesk_domain::{
    Actor, CategoryId, EventKind, GroupId, Impact, LinkKind, Priority, ServiceId, Ticket, TicketId,
    TicketStatus, TicketType, Tier, TransitionError, Urgency, UserId,
};
use ferrodesk_store::{NewLink, TicketLink, TicketSplit};
use jiff::Timestamp;

/// The most parts one split may create.
pub const MAX_SPLIT_PARTS: usize = 20;

/// One ticket split off another, routed on its own.
#[derive(Debug, Clone, Default)]
pub struct SplitPartInput {
    /// Subject.
    pub subject: String,
    /// Description (empty unless given).
    pub description: Option<String>,
    /// Type (the original's unless given).
    pub ticket_type: Option<TicketType>,
    /// Impact (the original's unless given).
    pub impact: Option<Impact>,
    /// Urgency (the original's unless given).
    pub urgency: Option<Urgency>,
    /// Category.
    pub category_id: Option<CategoryId>,
    /// Service.
    pub service_id: Option<ServiceId>,
    /// Group (routing rule unless given).
    pub group_id: Option<GroupId>,
    /// Owner.
    pub owner_id: Option<UserId>,
    /// Assignee.
    pub assignee_id: Option<UserId>,
    /// Location (the original's unless given).
    pub location: Option<String>,
    /// Device.
    pub device: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
}

ferrodesk_domain::string_enum!(
    /// How to link a ticket to another, read from the ticket the request is about.
    LinkRequestKind {
        /// This ticket duplicates the other.
        DuplicateOf = "duplicate_of",
        /// Loosely related.
        Related = "related",
        /// This ticket is the other's parent.
        ParentOf = "parent_of",
        /// This ticket is the other's child (stored as the other's `parent_of`).
        ChildOf = "child_of",
        /// This incident is caused by the other (a problem).
        CausedBy = "caused_by",
    }
);

impl Tickets<'_> {
    /// Splits a contact with several problems into several tickets. Each part keeps the
    /// requester and channel, is linked `split_from` the original, and is routed on its
    /// own (its own group, category and priority).
    ///
    /// # Errors
    /// `NotFound`, `Forbidden`, `Invalid` (no parts, too many), `InvalidTransition`
    /// for a closed original, `Conflict` (`ticket_changed`).
    pub async fn split(
        &self,
        actor: &Actor,
        id: TicketId,
        parts: Vec<SplitPartInput>,
    ) -> Result<Vec<Ticket>, AppError> {
        let original = self.workable(actor, id).await?;
        if original.status == TicketStatus::Closed {
            return Err(TransitionError::AlreadyClosed.into());
        }
        if parts.is_empty() || parts.len() > MAX_SPLIT_PARTS {
            return Err(AppError::invalid(
                "parts",
                format!("give between 1 and {MAX_SPLIT_PARTS} parts"),
            ));
        }
        let now = self.app.now();
        let drafts = parts
            .iter()
            .map(|part| self.split_part(actor, &original, part, now))
            .collect::<Result<Vec<_>, _>>()?;
        let (original, parts, drafts) = (&original, &parts, &drafts);
        let created = self
            .app
            .with_settings(|settings| async move {
                let mut news = Vec::with_capacity(drafts.len());
                for (part, draft) in parts.iter().zip(drafts) {
                    self.check_refs(
                        &settings,
                        part.category_id,
                        part.service_id,
                        part.owner_id,
                        part.assignee_id,
                    )
                    .await?;
                    news.push(pipeline::open(self.app, &settings, draft.clone()).await?);
                }
                let mut after = original.clone();
                after.updated_at = now;
                let change =
                    pipeline::change(self.app, &settings, original.clone(), after, Vec::new())
                        .await?;
                self.app
                    .db()
                    .split_ticket(TicketSplit {
                        original: change,
                        parts: news,
                        actor_id: Some(actor.user_id),
                        channel: self.channel,
                        now,
                    })
                    .await
                    .map_err(|e| changed_concurrently(e, id))
            })
            .await?;
        Ok(created.into_iter().map(|t| for_actor(actor, t)).collect())
    }

    /// One part of a split as a draft for the pipeline: the original's requester and
    /// channel, its type, impact, urgency and location unless the part gives its own.
    fn split_part(
        &self,
        actor: &Actor,
        original: &Ticket,
        part: &SplitPartInput,
        now: Timestamp,
    ) -> Result<pipeline::Draft, AppError> {
        let subject = required("subject", &part.subject, MAX_SUBJECT_CHARS)?;
        let impact = part.impact.unwrap_or(original.impact);
        let urgency = part.urgency.unwrap_or(original.urgency);
        let ticket = Ticket {
            id: TicketId(0),
            version: 0,
            subject: subject.clone(),
            description: body(
                "description",
                part.description.as_deref().unwrap_or(""),
                MAX_BODY_CHARS,
            )?,
            ticket_type: part.ticket_type.unwrap_or(original.ticket_type),
            status: TicketStatus::New,
            impact,
            urgency,
            priority: Priority::from_matrix(impact, urgency),
            priority_reason: None,
            category_id: part.category_id,
            service_id: part.service_id,
            location: optional("location", part.location.as_deref(), 200)?
                .or_else(|| original.location.clone()),
            device: optional("device", part.device.as_deref(), 200)?,
            requester_id: original.requester_id,
            organization_id: original.organization_id,
            channel: original.channel,
            group_id: None,
            tier: Tier::FIRST,
            owner_id: part.owner_id,
            assignee_id: part.assignee_id,
            tags: tags(&part.tags)?,
            escalation_level: 0,
            external_ref: None,
            merged_into: None,
            created_at: now,
            updated_at: now,
            first_response_at: None,
            resolved_at: None,
            closed_at: None,
        };
        let events = vec![
            self.event(actor, EventKind::Created { subject }, now),
            self.event(
                actor,
                EventKind::Linked {
                    link: LinkKind::SplitFrom,
                    other: original.id,
                },
                now,
            ),
        ];
        Ok(pipeline::Draft {
            ticket,
            events,
            links: Vec::new(),
            idempotency: None,
            group_id: part.group_id,
            custom_values: Vec::new(),
        })
    }

    /// Links a ticket to another; both must be visible to and workable by the actor.
    /// Returns the ticket's links afterwards.
    ///
    /// # Errors
    /// `NotFound`, `Forbidden`, `Invalid` (a ticket linked to itself), `Conflict`
    /// (`already_linked`).
    pub async fn link(
        &self,
        actor: &Actor,
        id: TicketId,
        kind: LinkRequestKind,
        other: TicketId,
    ) -> Result<Vec<TicketLink>, AppError> {
        if id == other {
            return Err(AppError::invalid(
                "ticket_id",
                "a ticket cannot be linked to itself",
            ));
        }
        let this = self.workable(actor, id).await?;
        let that = self.workable(actor, other).await?;
        let (source, link, target) = match kind {
            LinkRequestKind::DuplicateOf => (this, LinkKind::DuplicateOf, that),
            LinkRequestKind::Related => (this, LinkKind::Related, that),
            LinkRequestKind::ParentOf => (this, LinkKind::ParentOf, that),
            LinkRequestKind::ChildOf => (that, LinkKind::ParentOf, this),
            LinkRequestKind::CausedBy => (this, LinkKind::CausedBy, that),
        };
        let existing = self.app.db().list_links(source.id).await?;
        if existing.iter().any(|l| l.other == target.id) {
            return Err(AppError::conflict(
                "already_linked",
                format!(
                    "tickets {} and {} are already linked",
                    source.id.display_number(),
                    target.id.display_number()
                ),
            ));
        }
        let now = self.app.now();
        let mut after = source.clone();
        after.updated_at = now;
        let events = vec![self.event(
            actor,
            EventKind::Linked {
                link,
                other: target.id,
            },
            now,
        )];
        let new_link = NewLink {
            source: source.id,
            kind: link,
            target: target.id,
            actor_id: Some(actor.user_id),
            now,
        };
        self.commit(
            source.id,
            vec![Drafted::new(source, after, events)],
            vec![new_link],
            None,
        )
        .await?;
        self.links(actor, id).await
    }

    /// The links of a ticket, leaving out tickets the actor may not see.
    ///
    /// # Errors
    /// `NotFound`.
    pub async fn links(&self, actor: &Actor, id: TicketId) -> Result<Vec<TicketLink>, AppError> {
        self.visible(actor, id).await?;
        let links = self.app.db().list_links(id).await?;
        let others: Vec<TicketId> = links.iter().map(|l| l.other).collect();
        let visible: Vec<TicketId> = self
            .app
            .db()
            .get_tickets(&others)
            .await?
            .into_iter()
            .filter(|t| actor.can_view(t))
            .map(|t| t.id)
            .collect();
        Ok(links
            .into_iter()
            .filter(|l| visible.contains(&l.other))
            .collect())
    }

    /// Merges a duplicate into another ticket: the source is closed with a
    /// `merged_into` event and linked `duplicate_of` the target, which gets a
    /// `merged_from` event. Both timelines stay. Returns the target.
    ///
    /// # Errors
    /// `NotFound`, `Forbidden`, `Invalid` (merging into itself), `InvalidTransition`
    /// (a closed source, open children), `Conflict` (`ticket_closed` target,
    /// `ticket_changed`).
    pub async fn merge(
        &self,
        actor: &Actor,
        id: TicketId,
        into: TicketId,
    ) -> Result<Ticket, AppError> {
        if id == into {
            return Err(AppError::invalid(
                "into",
                "a ticket cannot be merged into itself",
            ));
        }
        let source = self.workable(actor, id).await?;
        let target = self.workable(actor, into).await?;
        if source.status == TicketStatus::Closed {
            return Err(TransitionError::AlreadyClosed.into());
        }
        if target.status == TicketStatus::Closed {
            return Err(AppError::conflict(
                "ticket_closed",
                format!("cannot merge into {}: it is closed", into.display_number()),
            ));
        }
        let children = self.app.db().open_children(id).await?;
        if !children.is_empty() {
            return Err(TransitionError::OpenChildren { children }.into());
        }
        let now = self.app.now();
        let mut source_after = source.clone();
        source_after.status = TicketStatus::Closed;
        source_after.closed_at = Some(now);
        source_after.merged_into = Some(into);
        source_after.updated_at = now;
        let source_events = vec![
            self.event(
                actor,
                EventKind::StatusChanged {
                    from: source.status,
                    to: TicketStatus::Closed,
                },
                now,
            ),
            self.event(actor, EventKind::MergedInto { other: into }, now),
        ];
        let mut target_after = target.clone();
        target_after.updated_at = now;
        let target_events = vec![self.event(actor, EventKind::MergedFrom { other: id }, now)];
        let already_linked = self
            .app
            .db()
            .list_links(id)
            .await?
            .iter()
            .any(|l| l.other == into && l.kind == LinkKind::DuplicateOf && l.is_source);
        let links = if already_linked {
            Vec::new()
        } else {
            vec![NewLink {
                source: id,
                kind: LinkKind::DuplicateOf,
                target: into,
                actor_id: Some(actor.user_id),
                now,
            }]
        };
        self.commit(
            id,
            vec![
                Drafted::new(source, source_after, source_events),
                Drafted::new(target, target_after, target_events),
            ],
            links,
            None,
        )
        .await?;
        self.reread(actor, into).await
    }
}
