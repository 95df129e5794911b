//! Changing a ticket's fields: which fields change, how priority follows impact and
//! urgency, and the `field_changed` entries that record each change on the timeline.
//! Closed is final: a closed ticket takes no change at all.
//!
//! Values arrive validated (trimmed, within their lengths); what the domain decides
//! here is what a combination of values means.

use crate::id::{CategoryId, GroupId, OrganizationId, ServiceId, UserId};
use crate::person::Tier;
use crate::priority::{Impact, Priority, Urgency};
use crate::ticket::{Ticket, TicketStatus, TicketType, TransitionError};
use jiff::Timestamp;

/// One field's change, as the timeline records it (a `field_changed` event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    /// The field, as named in the API (`subject`, `group_id`, ...).
    pub field: &'static str,
    /// The value before (`None`: empty, or not shown on the timeline).
    pub old: Option<String>,
    /// The value after.
    pub new: Option<String>,
    /// Why (a priority override's reason).
    pub reason: Option<String>,
}

/// New values for a ticket's fields, already validated; `None` leaves a field alone
/// and `Some(None)` clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketEdit {
    /// New subject.
    pub subject: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New type.
    pub ticket_type: Option<TicketType>,
    /// New impact (priority follows unless overridden).
    pub impact: Option<Impact>,
    /// New urgency (priority follows unless overridden).
    pub urgency: Option<Urgency>,
    /// `Some(Some(p))` overrides (with a reason); `Some(None)` returns to the matrix.
    pub priority: Option<Option<Priority>>,
    /// Why the priority is overridden.
    pub priority_reason: Option<String>,
    /// New category.
    pub category_id: Option<Option<CategoryId>>,
    /// New service.
    pub service_id: Option<Option<ServiceId>>,
    /// New location.
    pub location: Option<Option<String>>,
    /// New device.
    pub device: Option<Option<String>>,
    /// New group with its tier (`None` group keeps the tier).
    pub group: Option<(Option<GroupId>, Option<Tier>)>,
    /// New owner.
    pub owner_id: Option<Option<UserId>>,
    /// New assignee.
    pub assignee_id: Option<Option<UserId>>,
    /// New requester with their organization.
    pub requester: Option<(UserId, Option<OrganizationId>)>,
    /// New tags (replace the old ones).
    pub tags: Option<Vec<String>>,
    /// New vendor reference.
    pub external_ref: Option<Option<String>>,
}

/// How far an impact reaches, as the override message says it.
fn impact_words(impact: Impact) -> &'static str {
    match impact {
        Impact::Organization => "organization-wide",
        Impact::Department => "department-wide",
        Impact::Individual => "single-person",
    }
}

/// An edit the rules refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// Closed tickets never change.
    #[error(transparent)]
    Closed(#[from] TransitionError),
    /// A priority other than impact × urgency gives needs a reason.
    #[error(
        "choosing a priority other than {}, which {} impact and {} urgency give, needs a reason",
        derived.as_str().to_uppercase(),
        impact_words(*impact),
        urgency.as_str()
    )]
    OverrideWithoutReason {
        /// What the matrix gives.
        derived: Priority,
        /// The impact.
        impact: Impact,
        /// The urgency.
        urgency: Urgency,
    },
    /// A reason came without a priority to override.
    #[error("give a reason only together with a priority")]
    ReasonWithoutPriority,
}

impl EditError {
    /// The field the error is about, as named in the API.
    pub fn field(&self) -> &'static str {
        match self {
            EditError::Closed(_) => "status",
            EditError::OverrideWithoutReason { .. } | EditError::ReasonWithoutPriority => {
                "priority_reason"
            }
        }
    }
}

/// The priority for impact × urgency, or an override with its reason: a requested
/// priority equal to the matrix's is no override.
///
/// # Errors
/// [`EditError::OverrideWithoutReason`], [`EditError::ReasonWithoutPriority`].
pub fn resolve_priority(
    impact: Impact,
    urgency: Urgency,
    requested: Option<Priority>,
    reason: Option<String>,
) -> Result<(Priority, Option<String>), EditError> {
    let derived = Priority::from_matrix(impact, urgency);
    match requested {
        None if reason.is_some() => Err(EditError::ReasonWithoutPriority),
        None => Ok((derived, None)),
        Some(priority) if priority == derived => Ok((derived, None)),
        Some(priority) => match reason {
            Some(reason) => Ok((priority, Some(reason))),
            None => Err(EditError::OverrideWithoutReason {
                derived,
                impact,
                urgency,
            }),
        },
    }
}

fn text(value: Option<impl ToString>) -> Option<String> {
    value.map(|v| v.to_string())
}

/// Collects the changes of one edit, keeping only fields whose value moved.
#[derive(Default)]
struct Changes(Vec<FieldChange>);

impl Changes {
    fn record(&mut self, field: &'static str, old: Option<String>, new: Option<String>) {
        if old != new {
            self.0.push(FieldChange {
                field,
                old,
                new,
                reason: None,
            });
        }
    }
}

impl Ticket {
    /// Applies `edit` at `now`: the ticket takes the new values and the changes that
    /// took effect come back in field order. Nothing changes (not even `updated_at`)
    /// when every value equals the current one.
    ///
    /// # Errors
    /// [`EditError::Closed`] for a closed ticket; the priority rules of
    /// [`resolve_priority`]. On an error the ticket is left as it was.
    pub fn apply(
        &mut self,
        edit: TicketEdit,
        now: Timestamp,
    ) -> Result<Vec<FieldChange>, EditError> {
        if self.status == TicketStatus::Closed {
            return Err(TransitionError::AlreadyClosed.into());
        }
        let before = self.clone();
        let mut after = self.clone();
        let mut changes = Changes::default();
        if let Some(subject) = edit.subject {
            after.subject = subject;
            changes.record(
                "subject",
                Some(before.subject.clone()),
                Some(after.subject.clone()),
            );
        }
        if let Some(description) = edit.description
            && description != before.description
        {
            after.description = description;
            // The text itself stays in the ticket; the event only says it changed.
            changes.record("description", None, Some("changed".into()));
        }
        if let Some(ticket_type) = edit.ticket_type {
            after.ticket_type = ticket_type;
            changes.record(
                "ticket_type",
                text(Some(before.ticket_type)),
                text(Some(ticket_type)),
            );
        }
        if let Some(impact) = edit.impact {
            after.impact = impact;
            changes.record("impact", text(Some(before.impact)), text(Some(impact)));
        }
        if let Some(urgency) = edit.urgency {
            after.urgency = urgency;
            changes.record("urgency", text(Some(before.urgency)), text(Some(urgency)));
        }
        let (priority, reason) = match edit.priority {
            Some(requested) => {
                resolve_priority(after.impact, after.urgency, requested, edit.priority_reason)?
            }
            None if edit.priority_reason.is_some() => return Err(EditError::ReasonWithoutPriority),
            // An override stays; a derived priority follows impact and urgency.
            None if before.priority_reason.is_some() => {
                (before.priority, before.priority_reason.clone())
            }
            None => (Priority::from_matrix(after.impact, after.urgency), None),
        };
        after.priority = priority;
        after.priority_reason = reason.clone();
        if after.priority != before.priority
            || (reason.is_some() && reason != before.priority_reason)
        {
            changes.0.push(FieldChange {
                field: "priority",
                old: text(Some(before.priority)),
                new: text(Some(priority)),
                reason,
            });
        }
        if let Some(category_id) = edit.category_id {
            after.category_id = category_id;
            changes.record("category_id", text(before.category_id), text(category_id));
        }
        if let Some(service_id) = edit.service_id {
            after.service_id = service_id;
            changes.record("service_id", text(before.service_id), text(service_id));
        }
        if let Some(location) = edit.location {
            after.location = location;
            changes.record("location", before.location.clone(), after.location.clone());
        }
        if let Some(device) = edit.device {
            after.device = device;
            changes.record("device", before.device.clone(), after.device.clone());
        }
        if let Some(owner_id) = edit.owner_id {
            after.owner_id = owner_id;
            changes.record("owner_id", text(before.owner_id), text(owner_id));
        }
        if let Some(assignee_id) = edit.assignee_id {
            after.assignee_id = assignee_id;
            changes.record("assignee_id", text(before.assignee_id), text(assignee_id));
        }
        if let Some(tags) = edit.tags {
            after.tags = tags;
            changes.record(
                "tags",
                Some(before.tags.join(", ")),
                Some(after.tags.join(", ")),
            );
        }
        if let Some(external_ref) = edit.external_ref {
            after.external_ref = external_ref;
            changes.record(
                "external_ref",
                before.external_ref.clone(),
                after.external_ref.clone(),
            );
        }
        if let Some((group, tier)) = edit.group {
            after.group_id = group;
            after.tier = tier.unwrap_or(before.tier);
            changes.record("group_id", text(before.group_id), text(group));
            changes.record(
                "tier",
                Some(before.tier.get().to_string()),
                Some(after.tier.get().to_string()),
            );
        }
        if let Some((requester, organization)) = edit.requester
            && requester != before.requester_id
        {
            after.requester_id = requester;
            after.organization_id = organization;
            changes.record(
                "requester_id",
                text(Some(before.requester_id)),
                text(Some(requester)),
            );
            changes.record(
                "organization_id",
                text(before.organization_id),
                text(organization),
            );
        }
        if !changes.0.is_empty() {
            after.updated_at = now;
            *self = after;
        }
        Ok(changes.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ticket::tests_support::sample;
    use proptest::prelude::*;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(seconds).unwrap_or(Timestamp::UNIX_EPOCH)
    }

    #[test]
    fn a_closed_ticket_takes_no_change_of_any_field() {
        let mut ticket = sample();
        ticket.status = TicketStatus::Closed;
        let before = ticket.clone();
        let edit = TicketEdit {
            subject: Some("Renamed".into()),
            ..TicketEdit::default()
        };
        assert_eq!(
            ticket.apply(edit, at(10)),
            Err(EditError::Closed(TransitionError::AlreadyClosed))
        );
        assert_eq!(ticket, before, "nothing changed");
    }

    #[test]
    fn an_edit_that_changes_nothing_records_nothing_and_keeps_the_update_time() {
        let mut ticket = sample();
        let before = ticket.clone();
        let edit = TicketEdit {
            subject: Some(before.subject.clone()),
            impact: Some(before.impact),
            ..TicketEdit::default()
        };
        assert_eq!(ticket.apply(edit, at(10)), Ok(Vec::new()));
        assert_eq!(ticket, before);
    }

    #[test]
    fn impact_moves_a_derived_priority_but_not_an_override() {
        let mut ticket = sample();
        let changes = ticket
            .apply(
                TicketEdit {
                    impact: Some(Impact::Organization),
                    urgency: Some(Urgency::High),
                    ..TicketEdit::default()
                },
                at(10),
            )
            .unwrap();
        assert_eq!(ticket.priority, Priority::P1);
        assert!(changes.iter().any(|c| c.field == "priority"));
        assert_eq!(ticket.updated_at, at(10));

        let mut overridden = sample();
        overridden
            .apply(
                TicketEdit {
                    priority: Some(Some(Priority::P2)),
                    priority_reason: Some("the CEO's laptop".into()),
                    ..TicketEdit::default()
                },
                at(10),
            )
            .unwrap();
        overridden
            .apply(
                TicketEdit {
                    urgency: Some(Urgency::Low),
                    ..TicketEdit::default()
                },
                at(20),
            )
            .unwrap();
        assert_eq!(overridden.priority, Priority::P2, "the override stays");
        assert_eq!(
            overridden.priority_reason.as_deref(),
            Some("the CEO's laptop")
        );
    }

    #[test]
    fn an_override_needs_a_reason_and_a_reason_needs_an_override() {
        let mut ticket = sample();
        let missing = ticket.apply(
            TicketEdit {
                priority: Some(Some(Priority::P1)),
                ..TicketEdit::default()
            },
            at(10),
        );
        assert!(matches!(
            missing,
            Err(EditError::OverrideWithoutReason { .. })
        ));
        let stray = ticket.apply(
            TicketEdit {
                priority_reason: Some("because".into()),
                ..TicketEdit::default()
            },
            at(10),
        );
        assert_eq!(stray, Err(EditError::ReasonWithoutPriority));
        assert_eq!(
            ticket,
            sample(),
            "a refused edit leaves the ticket as it was"
        );
    }

    #[test]
    fn a_new_group_moves_the_tier_and_records_both() {
        let mut ticket = sample();
        let changes = ticket
            .apply(
                TicketEdit {
                    group: Some((Some(GroupId(7)), Some(Tier::new(2).unwrap_or(Tier::FIRST)))),
                    ..TicketEdit::default()
                },
                at(10),
            )
            .unwrap();
        let fields: Vec<&str> = changes.iter().map(|c| c.field).collect();
        assert_eq!(fields, ["group_id", "tier"]);
        assert_eq!(ticket.group_id, Some(GroupId(7)));
        assert_eq!(ticket.tier.get(), 2);
    }

    fn impacts() -> impl Strategy<Value = Impact> {
        prop_oneof![
            Just(Impact::Organization),
            Just(Impact::Department),
            Just(Impact::Individual)
        ]
    }

    fn urgencies() -> impl Strategy<Value = Urgency> {
        prop_oneof![
            Just(Urgency::High),
            Just(Urgency::Medium),
            Just(Urgency::Low)
        ]
    }

    proptest! {
        /// However impact and urgency are edited, a ticket without an override has the
        /// matrix's priority, and the timeline names every field that moved.
        #[test]
        fn without_an_override_priority_always_follows_the_matrix(
            steps in proptest::collection::vec((impacts(), urgencies()), 1..8)
        ) {
            let mut ticket = sample();
            ticket.priority = Priority::from_matrix(ticket.impact, ticket.urgency);
            for (n, (impact, urgency)) in steps.into_iter().enumerate() {
                let before = ticket.clone();
                let changes = ticket
                    .apply(
                        TicketEdit { impact: Some(impact), urgency: Some(urgency), ..TicketEdit::default() },
                        at(i64::try_from(n).unwrap_or(0) + 1),
                    )
                    .unwrap();
                prop_assert_eq!(ticket.priority, Priority::from_matrix(impact, urgency));
                prop_assert_eq!(
                    changes.iter().any(|c| c.field == "priority"),
                    ticket.priority != before.priority
                );
                prop_assert_eq!(changes.is_empty(), ticket == before);
            }
        }
    }
}
