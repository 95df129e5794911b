//! How a queue listing reads its tickets: which ordered index ranges, or which few
//! candidate tickets.
//!
//! A listing is one page in sort order. Read naively, it would sort every ticket in
//! scope that matches the filter. The plan reads instead:
//!
//! - **ranges**: one ordered index range per way a ticket can be in scope (an agent's
//!   groups, assignments and ownerships; a customer's own and organization's tickets),
//!   each split into open and closed tickets when the filter allows both (the queue
//!   indexes lead with `is_open`, so only a range with `is_open` fixed comes out in sort
//!   order and can stop at the end of the page);
//! - **unassigned**: a filter on unassigned tickets reads the range of tickets without
//!   an assignee (few, in a working desk) and checks the scope on each row, instead of
//!   walking every ticket of the agent's groups for the few without one;
//! - **candidates**: a filter condition an index serves (a tag, a running SLA target in
//!   a window, a custom field's value, priorities, statuses, a category, a creation or
//!   change time range) that names at most [`CANDIDATE_CAP`] tickets reads those
//!   tickets by id and sorts them: a rare tag or "P1 chats" never walk the whole queue.
//!   Whether a set is small is counted first, reading at most `CANDIDATE_CAP + 1`
//!   entries of its index; the smallest small set wins, and when every set is large
//!   the filter is dense enough for the ranges to fill a page quickly.
//!
//! Every condition of the filter is still checked on each row read, whichever way it
//! was found: the plan only decides where the reading starts.

use crate::sql::convert::micros;
use crate::sql::error;
use crate::sql::fetch;
use crate::{Db, DbConn};
use ferrodesk_domain::{CustomFieldId, GroupId, OrganizationId, TicketScope, UserId};
use ferrodesk_store::{SlaCondition, StoreResult, TicketFilter};
use jiff::Timestamp;
use sqlx::QueryBuilder;

/// The largest candidate set read by id and sorted (see the module documentation).
pub(super) const CANDIDATE_CAP: i64 = 2_000;

/// One way a ticket can be in scope: a column equal to a value, or every ticket.
pub(super) type Branch = Option<(&'static str, i64)>;

/// Where one index range starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RangeKey {
    /// A queue column equal to a value.
    Equals(&'static str, i64),
    /// Tickets without an assignee.
    Unassigned,
    /// Every ticket.
    All,
}

/// One ordered index range: its key and, when the filter does not fix it, open or
/// closed tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Range {
    pub key: RangeKey,
    pub open: Option<bool>,
}

/// A small set of tickets a filter names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Candidates {
    /// The tickets carrying a tag.
    Tag(String),
    /// The tickets with a running SLA target in the condition's window.
    Sla(SlaCondition),
    /// The tickets with a custom field's value.
    Custom(CustomFieldId, String),
    /// The tickets of some priorities (ranks), open or closed.
    Priorities(Vec<i64>),
    /// The tickets in some statuses.
    Statuses(Vec<&'static str>),
    /// The tickets of a category.
    Category(i64),
    /// The tickets created within a range (from, before).
    Created(Option<Timestamp>, Option<Timestamp>),
    /// The tickets last changed within a range (from, before).
    Updated(Option<Timestamp>, Option<Timestamp>),
}

/// How a listing reads its tickets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Plan {
    /// The scope and the filter contradict each other: nothing matches.
    Empty,
    /// Ordered index ranges, merged; `scope` is checked on each row when the ranges
    /// are not the scope's own branches.
    Ranges {
        ranges: Vec<Range>,
        scope: Option<Vec<Branch>>,
    },
    /// A few tickets by id, the scope checked on each.
    Candidates {
        candidates: Candidates,
        scope: Vec<Branch>,
    },
}

/// The scope as a union of branches, each served by one index read in sort order. A
/// branch the filter contradicts (another group, or an assignee when asking for
/// unassigned tickets) is left out.
pub(super) fn scope_branches(scope: &TicketScope, filter: &TicketFilter) -> Vec<Branch> {
    let branches: Vec<(&'static str, i64)> = match scope {
        // A filter on a queue column is read as that queue, through its index.
        TicketScope::All => {
            let queue = [
                ("group_id", filter.group_id.map(GroupId::get)),
                ("assignee_id", filter.assignee_id.map(UserId::get)),
                ("owner_id", filter.owner_id.map(UserId::get)),
                ("requester_id", filter.requester_id.map(UserId::get)),
                (
                    "organization_id",
                    filter.organization_id.map(OrganizationId::get),
                ),
            ]
            .into_iter()
            .find_map(|(column, value)| value.map(|v| (column, v)));
            return vec![queue];
        }
        TicketScope::Agent { user_id, group_ids } => {
            let mut groups: Vec<i64> = group_ids.iter().map(|g| g.get()).collect();
            groups.sort_unstable();
            groups.dedup();
            [("assignee_id", user_id.get()), ("owner_id", user_id.get())]
                .into_iter()
                .chain(groups.into_iter().map(|g| ("group_id", g)))
                .collect()
        }
        TicketScope::Customer {
            user_id,
            shared_organization,
        } => [("requester_id", user_id.get())]
            .into_iter()
            .chain(shared_organization.map(|o| ("organization_id", o.get())))
            .collect(),
    };
    let fixed = |column: &str| -> Option<i64> {
        match column {
            "group_id" => filter.group_id.map(GroupId::get),
            "assignee_id" => filter.assignee_id.map(UserId::get),
            "owner_id" => filter.owner_id.map(UserId::get),
            "requester_id" => filter.requester_id.map(UserId::get),
            "organization_id" => filter.organization_id.map(OrganizationId::get),
            _ => None,
        }
    };
    branches
        .into_iter()
        .filter(|(column, value)| fixed(column).is_none_or(|f| f == *value))
        .filter(|(column, _)| !(filter.unassigned && *column == "assignee_id"))
        .map(Some)
        .collect()
}

/// Open and closed tickets as separate ranges, unless the filter's statuses are all
/// open or all closed (then its conditions fix `is_open` already).
fn open_split(filter: &TicketFilter) -> Vec<Option<bool>> {
    let fixed = filter.open_only
        || (!filter.statuses.is_empty()
            && (filter.statuses.iter().all(|s| s.is_open())
                || filter.statuses.iter().all(|s| !s.is_open())));
    if fixed {
        vec![None]
    } else {
        vec![Some(true), Some(false)]
    }
}

fn ranges(keys: impl IntoIterator<Item = RangeKey>, filter: &TicketFilter) -> Vec<Range> {
    let split = open_split(filter);
    keys.into_iter()
        .flat_map(|key| split.iter().map(move |open| Range { key, open: *open }))
        .collect()
}

/// The sets the filter names, each a candidate source.
fn candidate_sources(filter: &TicketFilter) -> Vec<Candidates> {
    let mut sources = Vec::new();
    if let Some(tag) = &filter.tag {
        sources.push(Candidates::Tag(tag.clone()));
    }
    if let Some(sla) = filter.sla {
        sources.push(Candidates::Sla(sla));
    }
    if let Some((field, value)) = &filter.custom_value {
        sources.push(Candidates::Custom(*field, value.clone()));
    }
    if !filter.priorities.is_empty() {
        sources.push(Candidates::Priorities(
            filter.priorities.iter().map(|p| p.rank()).collect(),
        ));
    }
    // Open statuses are served by the open ranges, whose indexes carry the status: a
    // queue of new and open tickets is read along them without counting first.
    if !filter.statuses.is_empty() && !filter.statuses.iter().all(|s| s.is_open()) {
        sources.push(Candidates::Statuses(
            filter.statuses.iter().map(|s| s.as_str()).collect(),
        ));
    }
    if let Some(category) = filter.category_id {
        sources.push(Candidates::Category(category.get()));
    }
    if filter.created_from.is_some() || filter.created_before.is_some() {
        sources.push(Candidates::Created(
            filter.created_from,
            filter.created_before,
        ));
    }
    if filter.updated_from.is_some() || filter.updated_before.is_some() {
        sources.push(Candidates::Updated(
            filter.updated_from,
            filter.updated_before,
        ));
    }
    sources
}

/// Decides how to read a listing of `filter` within `scope`; counts candidate sets
/// (each at most [`CANDIDATE_CAP`] + 1 index entries).
pub(super) async fn plan(
    conn: &mut DbConn,
    scope: &TicketScope,
    filter: &TicketFilter,
) -> StoreResult<Plan> {
    let branches = scope_branches(scope, filter);
    if branches.is_empty() {
        return Ok(Plan::Empty);
    }
    let mut smallest: Option<(i64, Candidates)> = None;
    for candidates in candidate_sources(filter) {
        let count = count_candidates(conn, &candidates).await?;
        if count <= CANDIDATE_CAP && smallest.as_ref().is_none_or(|(n, _)| count < *n) {
            smallest = Some((count, candidates));
        }
    }
    if let Some((_, candidates)) = smallest {
        return Ok(Plan::Candidates {
            candidates,
            scope: branches,
        });
    }
    // A requester's or organization's tickets are fewer than the unassigned ones.
    let wide = branches
        .iter()
        .all(|b| b.is_none_or(|(column, _)| matches!(column, "group_id" | "owner_id")));
    if filter.unassigned && wide {
        return Ok(Plan::Ranges {
            ranges: ranges([RangeKey::Unassigned], filter),
            scope: Some(branches),
        });
    }
    let keys = branches.iter().map(|branch| match branch {
        Some((column, value)) => RangeKey::Equals(column, *value),
        None => RangeKey::All,
    });
    Ok(Plan::Ranges {
        ranges: ranges(keys, filter),
        scope: None,
    })
}

/// Appends `select ticket_id from ...` for a candidate set.
pub(super) fn push_candidates(query: &mut QueryBuilder<Db>, candidates: &Candidates) {
    match candidates {
        Candidates::Tag(tag) => {
            query
                .push("select ticket_id from ticket_tags where tag = ")
                .push_bind(tag.clone());
        }
        Candidates::Sla(SlaCondition::Breached { now }) => {
            query
                .push("select ticket_id from ticket_sla where next_due_at < ")
                .push_bind(micros(*now));
        }
        Candidates::Sla(SlaCondition::DueBefore { now, until }) => {
            query
                .push("select ticket_id from ticket_sla where next_due_at >= ")
                .push_bind(micros(*now))
                .push(" and next_due_at < ")
                .push_bind(micros(*until));
        }
        Candidates::Custom(field, value) => {
            query
                .push("select ticket_id from ticket_custom_values where field_id = ")
                .push_bind(field.get())
                .push(" and value = ")
                .push_bind(value.clone());
        }
        // Served by `tickets_open_priority` (is_open, priority_rank, ...).
        Candidates::Priorities(ranks) => {
            query.push(
                "select id as ticket_id from tickets where is_open in (true, false) \
                 and priority_rank in (",
            );
            fetch::push_list(query, ranks.iter().copied());
            query.push(")");
        }
        // Served by `tickets_status` (status, updated_at, id).
        Candidates::Statuses(statuses) => {
            query.push("select id as ticket_id from tickets where status in (");
            fetch::push_list(query, statuses.iter().copied());
            query.push(")");
        }
        Candidates::Category(category) => {
            query
                .push("select id as ticket_id from tickets where category_id = ")
                .push_bind(*category);
        }
        Candidates::Created(from, before) => {
            query.push("select id as ticket_id from tickets where true");
            push_time_range(query, "created_at", *from, *before);
        }
        Candidates::Updated(from, before) => {
            query.push("select id as ticket_id from tickets where true");
            push_time_range(query, "updated_at", *from, *before);
        }
    }
}

/// Appends ` and <column> >= from and <column> < before` for the bounds given;
/// `column` is a fixed name, never input.
fn push_time_range(
    query: &mut QueryBuilder<Db>,
    column: &'static str,
    from: Option<Timestamp>,
    before: Option<Timestamp>,
) {
    if let Some(from) = from {
        query
            .push(" and ")
            .push(column)
            .push(" >= ")
            .push_bind(micros(from));
    }
    if let Some(before) = before {
        query
            .push(" and ")
            .push(column)
            .push(" < ")
            .push_bind(micros(before));
    }
}

async fn count_candidates(conn: &mut DbConn, candidates: &Candidates) -> StoreResult<i64> {
    let mut query = QueryBuilder::<Db>::new("select count(*) from (");
    push_candidates(&mut query, candidates);
    query
        .push(" limit ")
        .push_bind(CANDIDATE_CAP + 1)
        .push(") as candidates");
    query
        .build_query_scalar::<i64>()
        .fetch_one(&mut *conn)
        .await
        .map_err(error::plain)
}

/// Appends ` and (<branch> or ...)`: the scope checked on a row read another way.
pub(super) fn push_scope_check(query: &mut QueryBuilder<Db>, branches: &[Branch]) {
    if branches.iter().any(Option::is_none) {
        return;
    }
    query.push(" and (");
    for (index, (column, value)) in branches.iter().flatten().enumerate() {
        if index > 0 {
            query.push(" or ");
        }
        // `column` is one of the fixed names in `scope_branches`, never input.
        query.push("t.").push(*column).push(" = ").push_bind(*value);
    }
    query.push(")");
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrodesk_domain::TicketStatus;

    fn agent() -> TicketScope {
        TicketScope::Agent {
            user_id: UserId(2),
            group_ids: vec![GroupId(6), GroupId(5)],
        }
    }

    #[test]
    fn a_filter_allowing_open_and_closed_tickets_reads_them_as_two_ranges() {
        let filter = TicketFilter::default();
        assert_eq!(open_split(&filter), vec![Some(true), Some(false)]);
        let open = TicketFilter {
            statuses: vec![TicketStatus::New, TicketStatus::Open],
            ..TicketFilter::default()
        };
        assert_eq!(open_split(&open), vec![None]);
        let mixed = TicketFilter {
            statuses: vec![TicketStatus::Open, TicketStatus::Closed],
            ..TicketFilter::default()
        };
        assert_eq!(open_split(&mixed), vec![Some(true), Some(false)]);
    }

    #[test]
    fn an_agent_scope_is_one_branch_per_assignment_ownership_and_group() {
        let branches = scope_branches(&agent(), &TicketFilter::default());
        assert_eq!(
            branches,
            vec![
                Some(("assignee_id", 2)),
                Some(("owner_id", 2)),
                Some(("group_id", 5)),
                Some(("group_id", 6)),
            ]
        );
        let unassigned = TicketFilter {
            unassigned: true,
            group_id: Some(GroupId(6)),
            ..TicketFilter::default()
        };
        assert_eq!(
            scope_branches(&agent(), &unassigned),
            vec![Some(("owner_id", 2)), Some(("group_id", 6))]
        );
    }
}
