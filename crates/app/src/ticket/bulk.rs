//! Bulk work: one action (assign, set status, priority or group, add or remove tags,
//! apply a macro, merge into one ticket) on many tickets, chosen by id or by a queue
//! filter.
//!
//! Each ticket changes in its own transaction through the same use case a single change
//! takes ([`Tickets::update`], [`Tickets::transition`], [`Tickets::merge`],
//! `Macros::apply`), so the same permissions, status machine, routing, notifications
//! and SLA apply. One refused ticket does not stop the others: the report says, per
//! ticket, whether it changed, needed no change, or was refused and why.

use super::{TicketPatch, Tickets};
use crate::{AppError, IdempotencyKey};
use ferrodesk_domain::{Actor, GroupId, MacroId, Priority, TicketId, TicketStatus, UserId};
use ferrodesk_store::{MAX_PAGE_SIZE, PageRequest, TicketQuery};

/// The most tickets one bulk request changes.
pub const MAX_BULK_TICKETS: usize = 1000;

/// What to do to each chosen ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkAction {
    /// Assign to this person, or unassign.
    Assign(Option<UserId>),
    /// Move through the status machine.
    SetStatus(TicketStatus),
    /// Override the priority (with the reason staff give).
    SetPriority {
        /// The new priority.
        priority: Priority,
        /// Why it differs from the matrix.
        reason: Option<String>,
    },
    /// Move to this group.
    SetGroup(GroupId),
    /// Add these tags.
    AddTags(Vec<String>),
    /// Remove these tags.
    RemoveTags(Vec<String>),
    /// Apply this macro (its reply and its changes, one write per ticket).
    ApplyMacro(MacroId),
    /// Merge every other chosen ticket into this one.
    MergeInto(TicketId),
}

/// Which tickets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkSelection {
    /// These, in this order (repeats are taken once).
    Ids(Vec<TicketId>),
    /// Every ticket the actor sees that matches this queue filter (its sort and paging
    /// are ignored).
    Filter(Box<TicketQuery>),
}

/// What happened to one ticket.
#[derive(Debug)]
pub enum BulkOutcome {
    /// Changed, now at this version.
    Changed {
        /// The ticket's version after the change.
        version: i64,
    },
    /// Already as asked: nothing written.
    Unchanged,
    /// Not changed, and why.
    Refused(AppError),
}

/// One ticket's line of the report.
#[derive(Debug)]
pub struct BulkItem {
    /// The ticket.
    pub ticket_id: TicketId,
    /// What happened.
    pub outcome: BulkOutcome,
}

/// The report of a bulk action, in the order the tickets were taken.
#[derive(Debug, Default)]
pub struct BulkReport {
    /// One line per ticket.
    pub items: Vec<BulkItem>,
}

impl BulkReport {
    /// How many changed.
    pub fn changed(&self) -> usize {
        self.count(|o| matches!(o, BulkOutcome::Changed { .. }))
    }

    /// How many needed no change.
    pub fn unchanged(&self) -> usize {
        self.count(|o| matches!(o, BulkOutcome::Unchanged))
    }

    /// How many were refused.
    pub fn refused(&self) -> usize {
        self.count(|o| matches!(o, BulkOutcome::Refused(_)))
    }

    fn count(&self, test: impl Fn(&BulkOutcome) -> bool) -> usize {
        self.items.iter().filter(|i| test(&i.outcome)).count()
    }
}

impl Tickets<'_> {
    /// Applies one action to each chosen ticket, each in its own write (module docs).
    ///
    /// # Errors
    /// `Forbidden` for customers; `Invalid` (`ids`) for an empty choice or more than
    /// [`MAX_BULK_TICKETS`]; `Invalid` (`into`) when a merge's target is not among the
    /// chosen; a store error when the filter cannot be read. Errors of single tickets
    /// are in the report.
    pub async fn bulk(
        &self,
        actor: &Actor,
        selection: BulkSelection,
        action: &BulkAction,
    ) -> Result<BulkReport, AppError> {
        if !actor.is_staff() {
            return Err(AppError::forbidden(
                "only staff work on many tickets at once",
            ));
        }
        let ids = self.chosen(actor, selection).await?;
        if ids.is_empty() {
            return Err(AppError::invalid("ids", "choose at least one ticket"));
        }
        if let BulkAction::MergeInto(target) = action
            && !ids.contains(target)
        {
            return Err(AppError::invalid(
                "into",
                "merge into one of the chosen tickets",
            ));
        }
        let mut report = BulkReport::default();
        for id in ids {
            if matches!(action, BulkAction::MergeInto(target) if *target == id) {
                continue;
            }
            let outcome = match self.bulk_one(actor, id, action).await {
                Ok(outcome) => outcome,
                Err(error) => BulkOutcome::Refused(error),
            };
            report.items.push(BulkItem {
                ticket_id: id,
                outcome,
            });
        }
        Ok(report)
    }

    /// The chosen ids, each once, at most [`MAX_BULK_TICKETS`].
    async fn chosen(
        &self,
        actor: &Actor,
        selection: BulkSelection,
    ) -> Result<Vec<TicketId>, AppError> {
        let too_many = || {
            AppError::invalid(
                "ids",
                format!("choose at most {MAX_BULK_TICKETS} tickets at once"),
            )
        };
        match selection {
            BulkSelection::Ids(ids) => {
                let mut seen = std::collections::HashSet::new();
                let ids: Vec<TicketId> = ids.into_iter().filter(|id| seen.insert(*id)).collect();
                if ids.len() > MAX_BULK_TICKETS {
                    return Err(too_many());
                }
                Ok(ids)
            }
            BulkSelection::Filter(query) => {
                let mut query = *query;
                query.page = PageRequest::first(MAX_PAGE_SIZE);
                let mut ids = Vec::new();
                loop {
                    let page = self.list(actor, &query).await?;
                    ids.extend(page.items.iter().map(|t| t.id));
                    if ids.len() > MAX_BULK_TICKETS {
                        return Err(too_many());
                    }
                    match page.next_cursor {
                        Some(cursor) => query.page.cursor = Some(cursor),
                        None => return Ok(ids),
                    }
                }
            }
        }
    }

    /// One ticket's change through its single-ticket use case.
    async fn bulk_one(
        &self,
        actor: &Actor,
        id: TicketId,
        action: &BulkAction,
    ) -> Result<BulkOutcome, AppError> {
        let before = self.get(actor, id).await?;
        let after = match action {
            BulkAction::SetStatus(status) => {
                if before.status == *status {
                    return Ok(BulkOutcome::Unchanged);
                }
                self.transition(actor, id, *status, None, Some(before.version))
                    .await?
            }
            BulkAction::MergeInto(target) => self.merge(actor, id, *target).await?,
            BulkAction::ApplyMacro(macro_id) => {
                let applied = self
                    .app
                    .macros()
                    .apply(actor, id, *macro_id, None::<IdempotencyKey>)
                    .await?;
                applied.into_inner().ticket
            }
            patchable => {
                let patch = patch_for(patchable, &before.tags, before.version);
                self.update(actor, id, patch).await?
            }
        };
        Ok(if after.version == before.version {
            BulkOutcome::Unchanged
        } else {
            BulkOutcome::Changed {
                version: after.version,
            }
        })
    }
}

/// The field change an action makes to a ticket with these tags, at this version.
fn patch_for(action: &BulkAction, tags: &[String], version: i64) -> TicketPatch {
    let mut patch = TicketPatch {
        version: Some(version),
        ..TicketPatch::default()
    };
    match action {
        BulkAction::Assign(assignee) => patch.assignee_id = Some(*assignee),
        BulkAction::SetPriority { priority, reason } => {
            patch.priority = Some(Some(*priority));
            patch.priority_reason.clone_from(reason);
        }
        BulkAction::SetGroup(group) => patch.group_id = Some(Some(*group)),
        BulkAction::AddTags(add) => {
            let mut all = tags.to_vec();
            all.extend(add.iter().filter(|t| !tags.contains(t)).cloned());
            patch.tags = Some(all);
        }
        BulkAction::RemoveTags(remove) => {
            patch.tags = Some(
                tags.iter()
                    .filter(|t| !remove.contains(t))
                    .cloned()
                    .collect(),
            );
        }
        BulkAction::SetStatus(_) | BulkAction::MergeInto(_) | BulkAction::ApplyMacro(_) => {}
    }
    patch
}
