//! The timeline: an append-only list of everything that happened to a ticket.
//!
//! Every change, reply, note and interaction is an [`Event`] with an actor, a time, a
//! channel and a visibility. Events are never edited or deleted; reports, search and
//! notifications are built from them. Internal events never reach a customer.

use crate::attachment::Attachment;
use crate::id::{ArticleId, AssetId, EventId, GroupId, TicketId, UserId, VendorId};
use crate::sla::TargetKind;
use crate::string_enum;
use crate::ticket::{Channel, LinkKind, TicketStatus};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

string_enum!(
    /// Who may see an event.
    Visibility {
        /// The requester (and their organization, where shared) sees it.
        Public = "public",
        /// Staff only.
        Internal = "internal",
    }
);

string_enum!(
    /// Which way a phone call went.
    CallDirection {
        /// The requester called the desk.
        Inbound = "inbound",
        /// The desk called the requester.
        Outbound = "outbound",
    }
);

string_enum!(
    /// The kind of an escalation.
    EscalationKind {
        /// To a higher tier or a specialist group.
        Functional = "functional",
        /// To a supervisor or manager.
        Hierarchical = "hierarchical",
        /// To an outside vendor or consultant.
        External = "external",
    }
);

/// What happened. The serialized form (`{"type": "reply", ...}`) is what the store keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// The ticket was opened.
    Created {
        /// The subject it was opened with.
        subject: String,
    },
    /// A public message to or from the requester.
    Reply {
        /// The message.
        body: String,
    },
    /// A note for staff only.
    Note {
        /// The note.
        body: String,
    },
    /// A phone call, logged by an agent.
    Call {
        /// Who called whom.
        direction: CallDirection,
        /// The other party's number.
        number: Option<String>,
        /// How long the call took.
        duration_seconds: i64,
        /// What was said and done.
        body: String,
    },
    /// A visit at the desk.
    WalkIn {
        /// Where the visit took place.
        location: Option<String>,
        /// What was said and done.
        body: String,
    },
    /// The status changed.
    StatusChanged {
        /// Before.
        from: TicketStatus,
        /// After.
        to: TicketStatus,
    },
    /// Another field changed.
    FieldChanged {
        /// The field, as named in the API.
        field: String,
        /// Before, as text.
        old: Option<String>,
        /// After, as text.
        new: Option<String>,
        /// Why, when the change needs a reason (a priority override).
        reason: Option<String>,
    },
    /// The ticket moved up: another tier, group, a manager or a vendor.
    Escalated {
        /// Which kind.
        kind: EscalationKind,
        /// Group before.
        from_group: Option<GroupId>,
        /// Group after.
        to_group: Option<GroupId>,
        /// Tier before.
        from_tier: i64,
        /// Tier after.
        to_tier: i64,
        /// Why.
        reason: String,
        /// The vendor's case number, for external escalations.
        external_ref: Option<String>,
    },
    /// A link to another ticket was added.
    Linked {
        /// How they relate, read from this ticket.
        link: LinkKind,
        /// The other ticket.
        other: TicketId,
    },
    /// Part of this ticket became a ticket of its own.
    SplitInto {
        /// The new ticket.
        other: TicketId,
    },
    /// This ticket was merged into another; its timeline stays here.
    MergedInto {
        /// The surviving ticket.
        other: TicketId,
    },
    /// Another ticket was merged into this one.
    MergedFrom {
        /// The merged ticket.
        other: TicketId,
    },
    /// An SLA target reached its warning share.
    SlaWarning {
        /// Which target.
        target: TargetKind,
        /// When it is due.
        due_at: Timestamp,
    },
    /// An SLA target was breached.
    SlaBreached {
        /// Which target.
        target: TargetKind,
        /// When it was due.
        due_at: Timestamp,
    },
    /// A routing rule changed the ticket.
    RuleApplied {
        /// The rule's name.
        rule: String,
        /// What it changed (`"group_id: 3"`).
        changes: Vec<String>,
    },
    /// Staff members were notified in the desk.
    Notified {
        /// Who.
        user_ids: Vec<UserId>,
        /// What they were told.
        message: String,
    },
    /// A knowledge-base article solved (or documents) the problem.
    ArticleLinked {
        /// The article.
        article_id: ArticleId,
        /// Its title when it was linked.
        title: String,
    },
    /// Someone now follows the ticket (gets its public updates).
    WatcherAdded {
        /// The watcher.
        user_id: UserId,
    },
    /// Someone no longer follows the ticket.
    WatcherRemoved {
        /// The former watcher.
        user_id: UserId,
    },
    /// An asset was linked to the ticket.
    AssetLinked {
        /// The asset.
        asset_id: AssetId,
        /// Its label when linked (tag, type, model).
        label: String,
    },
    /// An asset link was removed.
    AssetUnlinked {
        /// The asset.
        asset_id: AssetId,
        /// Its label when unlinked.
        label: String,
    },
    /// The requester rated how the ticket was resolved.
    Rated {
        /// 1 (very unhappy) to 5 (very happy).
        score: i64,
        /// What they said.
        comment: Option<String>,
    },
    /// The ticket was handed off to an outside vendor, who is mailed the message; the
    /// ticket waits on the vendor.
    VendorHandoff {
        /// The vendor.
        vendor_id: VendorId,
        /// Its name at the hand-off.
        vendor_name: String,
        /// The case's reference (`V-10042-1`).
        reference: String,
        /// What the vendor is asked.
        message: String,
        /// When the answer is due by the vendor's promise.
        due_at: Timestamp,
    },
    /// The vendor answered a hand-off by mail.
    VendorMessage {
        /// The vendor.
        vendor_id: VendorId,
        /// Its name when it answered.
        vendor_name: String,
        /// The reference of the case it answers.
        reference: String,
        /// What the vendor wrote (the new text, quotes cut).
        body: String,
    },
}

impl EventKind {
    /// The stable name of the kind, as stored and filtered on.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Created { .. } => "created",
            EventKind::Reply { .. } => "reply",
            EventKind::Note { .. } => "note",
            EventKind::Call { .. } => "call",
            EventKind::WalkIn { .. } => "walk_in",
            EventKind::StatusChanged { .. } => "status_changed",
            EventKind::FieldChanged { .. } => "field_changed",
            EventKind::Escalated { .. } => "escalated",
            EventKind::Linked { .. } => "linked",
            EventKind::SplitInto { .. } => "split_into",
            EventKind::MergedInto { .. } => "merged_into",
            EventKind::MergedFrom { .. } => "merged_from",
            EventKind::SlaWarning { .. } => "sla_warning",
            EventKind::SlaBreached { .. } => "sla_breached",
            EventKind::RuleApplied { .. } => "rule_applied",
            EventKind::Notified { .. } => "notified",
            EventKind::ArticleLinked { .. } => "article_linked",
            EventKind::WatcherAdded { .. } => "watcher_added",
            EventKind::WatcherRemoved { .. } => "watcher_removed",
            EventKind::AssetLinked { .. } => "asset_linked",
            EventKind::AssetUnlinked { .. } => "asset_unlinked",
            EventKind::Rated { .. } => "rated",
            EventKind::VendorHandoff { .. } => "vendor_handoff",
            EventKind::VendorMessage { .. } => "vendor_message",
        }
    }

    /// Who sees this kind unless the author chose otherwise: notes, escalations and
    /// changes to internal fields are for staff; the rest is public.
    pub fn default_visibility(&self) -> Visibility {
        match self {
            EventKind::Note { .. }
            | EventKind::Escalated { .. }
            | EventKind::Linked { .. }
            | EventKind::SplitInto { .. }
            | EventKind::SlaWarning { .. }
            | EventKind::SlaBreached { .. }
            | EventKind::RuleApplied { .. }
            | EventKind::Notified { .. }
            | EventKind::ArticleLinked { .. }
            | EventKind::AssetLinked { .. }
            | EventKind::AssetUnlinked { .. }
            | EventKind::VendorHandoff { .. }
            | EventKind::VendorMessage { .. } => Visibility::Internal,
            EventKind::FieldChanged { field, .. } if !PUBLIC_FIELDS.contains(&field.as_str()) => {
                Visibility::Internal
            }
            _ => Visibility::Public,
        }
    }

    /// Whether the desk mails someone about an event of this kind with `visibility`:
    /// a new ticket (the receipt), a public reply, or a public status change to the
    /// requester; a hand-off to the vendor. Other internal events never leave the desk,
    /// and the requester is never mailed vendor traffic.
    pub fn announces_mail(&self, visibility: Visibility) -> bool {
        if matches!(self, EventKind::VendorHandoff { .. }) {
            return true;
        }
        visibility == Visibility::Public
            && matches!(
                self,
                EventKind::Created { .. }
                    | EventKind::Reply { .. }
                    | EventKind::StatusChanged { .. }
            )
    }

    /// Whether this event is a person speaking (reply, note, call, visit) rather than a
    /// change of state.
    pub fn is_interaction(&self) -> bool {
        matches!(
            self,
            EventKind::Reply { .. }
                | EventKind::Note { .. }
                | EventKind::Call { .. }
                | EventKind::WalkIn { .. }
        )
    }
}

/// Fields whose changes the requester sees on their ticket.
const PUBLIC_FIELDS: &[&str] = &["subject", "priority", "ticket_type"];

/// One entry of a ticket's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Id; increases with time across all tickets.
    pub id: EventId,
    /// The ticket.
    pub ticket_id: TicketId,
    /// What happened.
    pub kind: EventKind,
    /// Who did it; `None` for the desk itself (rules, timers).
    pub actor_id: Option<UserId>,
    /// Through which channel.
    pub channel: Channel,
    /// Who may see it.
    pub visibility: Visibility,
    /// When.
    pub created_at: Timestamp,
    /// Files that came with it (ticket created, reply, note, call, visit).
    pub attachments: Vec<Attachment>,
}

/// An event about to be appended: everything but the id the store assigns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// What happened.
    pub kind: EventKind,
    /// Who did it.
    pub actor_id: Option<UserId>,
    /// Through which channel.
    pub channel: Channel,
    /// Who may see it.
    pub visibility: Visibility,
    /// When.
    pub created_at: Timestamp,
    /// Files that came with it (ticket created, reply, note, call, visit).
    pub attachments: Vec<Attachment>,
}

impl NewEvent {
    /// An event with the kind's default visibility.
    pub fn new(
        kind: EventKind,
        actor_id: Option<UserId>,
        channel: Channel,
        now: Timestamp,
    ) -> Self {
        let visibility = kind.default_visibility();
        NewEvent {
            kind,
            actor_id,
            channel,
            visibility,
            created_at: now,
            attachments: Vec::new(),
        }
    }

    /// The same event carrying `attachments`.
    pub fn with_attachments(mut self, attachments: Vec<Attachment>) -> Self {
        self.attachments = attachments;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_receipts_replies_and_status_changes_announce_mail() {
        let created = EventKind::Created {
            subject: "Printer".into(),
        };
        let reply = EventKind::Reply { body: "Hi".into() };
        let status = EventKind::StatusChanged {
            from: crate::TicketStatus::New,
            to: crate::TicketStatus::Open,
        };
        let note = EventKind::Note { body: "x".into() };
        for kind in [&created, &reply, &status] {
            assert!(kind.announces_mail(Visibility::Public));
            assert!(!kind.announces_mail(Visibility::Internal));
        }
        assert!(!note.announces_mail(Visibility::Public));
    }

    #[test]
    fn a_vendor_hand_off_is_internal_and_mails_the_vendor_and_its_answer_mails_nobody() {
        let handoff = EventKind::VendorHandoff {
            vendor_id: VendorId(1),
            vendor_name: "Acme".into(),
            reference: "V-10042-1".into(),
            message: "Please repair".into(),
            due_at: Timestamp::UNIX_EPOCH,
        };
        let answer = EventKind::VendorMessage {
            vendor_id: VendorId(1),
            vendor_name: "Acme".into(),
            reference: "V-10042-1".into(),
            body: "Technician on Monday".into(),
        };
        assert_eq!(handoff.default_visibility(), Visibility::Internal);
        assert_eq!(answer.default_visibility(), Visibility::Internal);
        assert!(handoff.announces_mail(Visibility::Internal));
        assert!(!answer.announces_mail(Visibility::Internal));
        assert!(!answer.announces_mail(Visibility::Public));
    }

    #[test]
    fn notes_and_escalations_are_internal_by_default() {
        assert_eq!(
            EventKind::Note { body: "x".into() }.default_visibility(),
            Visibility::Internal
        );
        let escalation = EventKind::Escalated {
            kind: EscalationKind::Functional,
            from_group: None,
            to_group: None,
            from_tier: 1,
            to_tier: 2,
            reason: "needs network team".into(),
            external_ref: None,
        };
        assert_eq!(escalation.default_visibility(), Visibility::Internal);
    }

    #[test]
    fn assignee_changes_are_internal_but_priority_changes_are_public() {
        let change = |field: &str| EventKind::FieldChanged {
            field: field.into(),
            old: None,
            new: None,
            reason: None,
        };
        assert_eq!(
            change("assignee_id").default_visibility(),
            Visibility::Internal
        );
        assert_eq!(change("priority").default_visibility(), Visibility::Public);
    }

    #[test]
    fn event_kinds_serialize_with_their_name_as_type() {
        let kind = EventKind::Reply {
            body: "hello".into(),
        };
        let json = serde_json::to_value(&kind).unwrap();
        assert_eq!(json["type"], kind.name());
        let back: EventKind = serde_json::from_value(json).unwrap();
        assert_eq!(back, kind);
    }
}
