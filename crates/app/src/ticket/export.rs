//! Exporting the tickets a filter matches (the queue's "Export CSV"): every matching
//! ticket the actor may see, with the names its ids stand for, up to
//! [`MAX_EXPORT_ROWS`]. Writing the file is the caller's (the API writes CSV).

use super::Tickets;
use crate::AppError;
use crate::directory::require_staff;
use ferrodesk_domain::{Actor, CategoryId, GroupId, Ticket, TicketId, UserId};
use ferrodesk_store::{MAX_PAGE_SIZE, PageRequest, TicketFilter, TicketQuery, TicketSort};
use jiff::Timestamp;
use std::collections::{BTreeMap, HashMap};

/// The most tickets one export holds. A filter matching more is refused rather than
/// cut short, so a file never looks complete when it is not; 50,000 rows of a dozen
/// columns stay a few megabytes.
pub const MAX_EXPORT_ROWS: i64 = 50_000;

/// The tickets an export writes and what their ids are called.
#[derive(Debug, Clone, Default)]
pub struct TicketExport {
    /// The matching tickets, in the order asked for.
    pub tickets: Vec<Ticket>,
    /// People's names (requesters, assignees, owners).
    pub people: HashMap<UserId, String>,
    /// Groups' names.
    pub groups: HashMap<GroupId, String>,
    /// Categories' names.
    pub categories: HashMap<CategoryId, String>,
    /// Each ticket's earliest running SLA due time.
    pub sla_due: HashMap<TicketId, Timestamp>,
    /// The labels of the custom fields the actor sees, in the desk's order: one
    /// column each after the chosen ones.
    pub custom_headings: Vec<String>,
    /// Each ticket's custom values as people read them, in the headings' order (empty
    /// where a ticket has no value).
    pub custom_values: BTreeMap<TicketId, Vec<String>>,
}

impl Tickets<'_> {
    /// Every ticket the actor may see that `filter` matches, in `sort` order, with
    /// the names of their people, groups and categories and their custom values
    /// (staff).
    ///
    /// # Errors
    /// `Forbidden` for customers; `Invalid` (`filter`) when more than
    /// [`MAX_EXPORT_ROWS`] tickets match.
    pub async fn export(
        &self,
        actor: &Actor,
        filter: TicketFilter,
        sort: TicketSort,
    ) -> Result<TicketExport, AppError> {
        require_staff(actor, "export tickets")?;
        let matching = self
            .count_capped(actor, &filter, MAX_EXPORT_ROWS + 1)
            .await?;
        if matching > MAX_EXPORT_ROWS {
            return Err(AppError::invalid(
                "filter",
                format!(
                    "the filter matches more than {MAX_EXPORT_ROWS} tickets; narrow it to export"
                ),
            ));
        }
        let mut export = TicketExport::default();
        let mut query = TicketQuery {
            filter,
            sort,
            page: PageRequest {
                cursor: None,
                limit: MAX_PAGE_SIZE,
            },
        };
        loop {
            let page = self.list(actor, &query).await?;
            let ids: Vec<TicketId> = page.items.iter().map(|t| t.id).collect();
            let slas = self.app.service_levels().ticket_slas(actor, &ids).await?;
            export.sla_due.extend(
                slas.iter()
                    .filter_map(|sla| sla.next_due_at.map(|due| (sla.ticket_id, due))),
            );
            export.tickets.extend(page.items);
            let reached_cap =
                export.tickets.len() >= usize::try_from(MAX_EXPORT_ROWS).unwrap_or(usize::MAX);
            match page.next_cursor {
                Some(cursor) if !reached_cap => query.page.cursor = Some(cursor),
                _ => break,
            }
        }
        self.name_everything(&mut export).await?;
        let ids: Vec<TicketId> = export.tickets.iter().map(|t| t.id).collect();
        (export.custom_headings, export.custom_values) = self
            .app
            .custom_fields()
            .custom_field_columns(actor, &ids)
            .await?;
        Ok(export)
    }

    async fn name_everything(&self, export: &mut TicketExport) -> Result<(), AppError> {
        let db = self.app.db();
        export.groups = db
            .list_groups()
            .await?
            .into_iter()
            .map(|g| (g.id, g.name))
            .collect();
        export.categories = db
            .list_categories()
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect();
        let mut people: Vec<UserId> = export
            .tickets
            .iter()
            .flat_map(|t| [Some(t.requester_id), t.assignee_id, t.owner_id])
            .flatten()
            .collect();
        people.sort_unstable();
        people.dedup();
        // One read per few hundred people, not one per person.
        export.people = db
            .get_users(&people)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect();
        Ok(())
    }
}
