//! The queue listing: a page of the tickets a scope allows, filtered and sorted, read
//! with keyset pagination as a union of index ranges.

use super::plan::{self, Plan, Range, RangeKey};
use super::rows::ticket_from_row;
use crate::sql::convert::{contains_pattern, micros};
use crate::sql::error;
use crate::sql::fetch;
use crate::{Db, DbConn};
use ferrodesk_domain::{Ticket, TicketScope};
use ferrodesk_store::{
    Cursor, MAX_PAGE_SIZE, Page, SlaCondition, StoreResult, TicketFilter, TicketQuery, TicketSort,
};
use sqlx::QueryBuilder;

/// The cursor key of the priority order packs (rank, created_at): rank × 2⁶⁰ plus the
/// creation time in microseconds, which jiff bounds to ±3.8 × 10¹⁷ (< 2⁵⁹).
const PRIORITY_KEY_FACTOR: i64 = 1 << 60;

fn priority_key(rank: i64, created_micros: i64) -> i64 {
    rank.saturating_mul(PRIORITY_KEY_FACTOR)
        .saturating_add(created_micros)
}

fn unpack_priority_key(key: i64) -> (i64, i64) {
    let rank = key
        .saturating_add(PRIORITY_KEY_FACTOR / 2)
        .div_euclid(PRIORITY_KEY_FACTOR);
    (rank, key - rank * PRIORITY_KEY_FACTOR)
}

fn cursor_of(sort: TicketSort, ticket: &Ticket) -> Cursor {
    let id = ticket.id.get();
    let key = match sort {
        TicketSort::UpdatedDesc | TicketSort::UpdatedAsc => micros(ticket.updated_at),
        TicketSort::CreatedDesc | TicketSort::CreatedAsc => micros(ticket.created_at),
        TicketSort::PriorityDesc => priority_key(ticket.priority.rank(), micros(ticket.created_at)),
        TicketSort::IdDesc => id,
    };
    Cursor { key, id }
}

/// Appends ` and ...` for every filter and the cursor.
fn push_conditions(query: &mut QueryBuilder<Db>, request: &TicketQuery) {
    let filter = &request.filter;
    if !filter.statuses.is_empty() {
        query.push(" and t.status in (");
        fetch::push_list(query, filter.statuses.iter().map(|status| status.as_str()));
        query.push(")");
        // Lets the queue indexes, which lead with is_open, serve a status filter.
        if filter.statuses.iter().all(|s| s.is_open()) {
            query.push(" and t.is_open = true");
        } else if filter.statuses.iter().all(|s| !s.is_open()) {
            query.push(" and t.is_open = false");
        }
    }
    if filter.open_only {
        query.push(" and t.is_open = true");
    }
    if !filter.priorities.is_empty() {
        query.push(" and t.priority_rank in (");
        fetch::push_list(
            query,
            filter.priorities.iter().map(|priority| priority.rank()),
        );
        query.push(")");
    }
    if let Some(group) = filter.group_id {
        query.push(" and t.group_id = ").push_bind(group.get());
    }
    if let Some(assignee) = filter.assignee_id {
        query
            .push(" and t.assignee_id = ")
            .push_bind(assignee.get());
    }
    if filter.unassigned {
        query.push(" and t.assignee_id is null");
    }
    if let Some(owner) = filter.owner_id {
        query.push(" and t.owner_id = ").push_bind(owner.get());
    }
    if let Some(requester) = filter.requester_id {
        query
            .push(" and t.requester_id = ")
            .push_bind(requester.get());
    }
    if let Some(org) = filter.organization_id {
        query.push(" and t.organization_id = ").push_bind(org.get());
    }
    if let Some(category) = filter.category_id {
        query
            .push(" and t.category_id = ")
            .push_bind(category.get());
    }
    if let Some(service) = filter.service_id {
        query.push(" and t.service_id = ").push_bind(service.get());
    }
    if let Some(channel) = filter.channel {
        query.push(" and t.channel = ").push_bind(channel.as_str());
    }
    if let Some(text) = filter.subject_contains.as_deref().filter(|t| !t.is_empty()) {
        query
            .push(" and t.subject_search like ")
            .push_bind(contains_pattern(text))
            .push(" escape '\\'");
    }
    if let Some((field, value)) = &filter.custom_value {
        // Served by `ticket_custom_values_filter` (field_id, value, ticket_id).
        query
            .push(" and exists (select 1 from ticket_custom_values v where v.ticket_id = t.id and v.field_id = ")
            .push_bind(field.get())
            .push(" and v.value = ")
            .push_bind(value.clone())
            .push(")");
    }
    push_added_conditions(query, filter);
    let Some(cursor) = &request.page.cursor else {
        return;
    };
    let (columns, after) = match request.sort {
        TicketSort::UpdatedDesc => ("(t.updated_at, t.id) < (", false),
        TicketSort::UpdatedAsc => ("(t.updated_at, t.id) > (", false),
        TicketSort::CreatedDesc => ("(t.created_at, t.id) < (", false),
        TicketSort::CreatedAsc => ("(t.created_at, t.id) > (", false),
        TicketSort::PriorityDesc => ("(t.priority_rank, t.created_at, t.id) > (", true),
        TicketSort::IdDesc => {
            query.push(" and t.id < ").push_bind(cursor.id);
            return;
        }
    };
    query.push(" and ").push(columns);
    if after {
        let (rank, created) = unpack_priority_key(cursor.key);
        query.push_bind(rank).push(", ").push_bind(created);
    } else {
        query.push_bind(cursor.key);
    }
    query.push(", ").push_bind(cursor.id).push(")");
}

/// Appends the work queue's filters: type, tag, SLA state and time ranges.
fn push_added_conditions(query: &mut QueryBuilder<Db>, filter: &TicketFilter) {
    if let Some(kind) = filter.ticket_type {
        query.push(" and t.ticket_type = ").push_bind(kind.as_str());
    }
    if let Some(tag) = filter.tag.as_deref() {
        crate::dialect::push_has_tag(query, tag);
    }
    match filter.sla {
        Some(SlaCondition::Breached { now }) => {
            query
                .push(
                    " and exists (select 1 from ticket_sla s where s.ticket_id = t.id \
                     and s.next_due_at < ",
                )
                .push_bind(micros(now))
                .push(")");
        }
        Some(SlaCondition::DueBefore { now, until }) => {
            query
                .push(
                    " and exists (select 1 from ticket_sla s where s.ticket_id = t.id \
                     and s.next_due_at >= ",
                )
                .push_bind(micros(now))
                .push(" and s.next_due_at < ")
                .push_bind(micros(until))
                .push(")");
        }
        None => {}
    }
    let ranges = [
        ("created_at >= ", filter.created_from),
        ("created_at < ", filter.created_before),
        ("updated_at >= ", filter.updated_from),
        ("updated_at < ", filter.updated_before),
    ];
    for (condition, moment) in ranges {
        if let Some(moment) = moment {
            // `condition` is one of the fixed texts above, never input.
            query
                .push(" and t.")
                .push(condition)
                .push_bind(micros(moment));
        }
    }
}

fn order_by(sort: TicketSort) -> &'static str {
    match sort {
        TicketSort::UpdatedDesc => " order by t.updated_at desc, t.id desc",
        TicketSort::UpdatedAsc => " order by t.updated_at, t.id",
        TicketSort::CreatedDesc => " order by t.created_at desc, t.id desc",
        TicketSort::CreatedAsc => " order by t.created_at, t.id",
        TicketSort::PriorityDesc => " order by t.priority_rank, t.created_at, t.id",
        TicketSort::IdDesc => " order by t.id desc",
    }
}

/// The sort key columns a branch of a union reads besides the id (`, t.a, t.b`), and
/// the order of the merged branches by them.
fn sort_keys(sort: TicketSort) -> (&'static str, &'static str) {
    match sort {
        TicketSort::UpdatedDesc => (", t.updated_at", " order by updated_at desc, id desc"),
        TicketSort::UpdatedAsc => (", t.updated_at", " order by updated_at, id"),
        TicketSort::CreatedDesc => (", t.created_at", " order by created_at desc, id desc"),
        TicketSort::CreatedAsc => (", t.created_at", " order by created_at, id"),
        TicketSort::PriorityDesc => (
            ", t.priority_rank, t.created_at",
            " order by priority_rank, created_at, id",
        ),
        TicketSort::IdDesc => ("", " order by id desc"),
    }
}

/// Appends `from tickets t where <range>` with the backend's index hint for it.
fn push_range(query: &mut QueryBuilder<Db>, range: Range, sort: TicketSort) {
    query.push(" from tickets t");
    match range.key {
        RangeKey::Equals(column, value) => {
            // `column` is one of the fixed names in `scope_branches`, never input.
            query
                .push(crate::dialect::ticket_index_hint(column, sort))
                .push(" where t.")
                .push(column)
                .push(" = ")
                .push_bind(value);
        }
        RangeKey::Unassigned => {
            query
                .push(crate::dialect::ticket_index_hint("assignee_id", sort))
                .push(" where t.assignee_id is null");
        }
        RangeKey::All => {
            query
                .push(crate::dialect::ticket_index_hint("is_open", sort))
                .push(" where true");
        }
    }
    match range.open {
        Some(true) => query.push(" and t.is_open = true"),
        Some(false) => query.push(" and t.is_open = false"),
        None => query,
    };
}

/// A page of the tickets `scope` allows, filtered and sorted, read with keyset pagination.
///
/// The reading follows [`plan`]: ordered index ranges cut at the page's end and merged
/// (a union of an agent's groups, assignments and ownerships never sorts the whole
/// scope, however many tickets it holds), or a few candidates by id.
pub(crate) async fn list_tickets(
    conn: &mut DbConn,
    scope: &TicketScope,
    request: &TicketQuery,
) -> StoreResult<Page<Ticket>> {
    let limit = request.page.limit.clamp(1, MAX_PAGE_SIZE);
    let sort = request.sort;
    let mut query = QueryBuilder::<Db>::new(ticket_columns!());
    match plan::plan(conn, scope, &request.filter).await? {
        Plan::Empty => {
            return Ok(Page {
                items: Vec::new(),
                next_cursor: None,
            });
        }
        Plan::Candidates { candidates, scope } => {
            query.push(" from (");
            plan::push_candidates(&mut query, &candidates);
            // `cross join` makes SQLite read the candidates first, then each by id.
            query.push(") as c cross join tickets t where t.id = c.ticket_id");
            plan::push_scope_check(&mut query, &scope);
            push_conditions(&mut query, request);
        }
        Plan::Ranges { ranges, scope } => {
            // Each range reads its ids with their sort keys from its index; the
            // merged page of ids is cut before any whole row is read.
            let (keys, merged_order) = sort_keys(sort);
            query.push(" from tickets t where t.id in (select id from (");
            for (index, range) in ranges.iter().enumerate() {
                if index > 0 {
                    query.push(" union ");
                }
                query.push(format_args!("select * from (select t.id{keys}"));
                push_range(&mut query, *range, sort);
                if let Some(scope) = &scope {
                    plan::push_scope_check(&mut query, scope);
                }
                push_conditions(&mut query, request);
                query
                    .push(order_by(sort))
                    .push(" limit ")
                    .push_bind(limit + 1);
                query.push(format_args!(") as range{index}"));
            }
            query
                .push(") as merged")
                .push(merged_order)
                .push(" limit ")
                .push_bind(limit + 1)
                .push(")");
        }
    }
    query.push(order_by(sort));
    query.push(" limit ").push_bind(limit + 1);
    let rows = query
        .build()
        .fetch_all(&mut *conn)
        .await
        .map_err(error::plain)?;
    let mut items = rows
        .iter()
        .map(ticket_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|t| cursor_of(sort, t))
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

/// How many tickets in scope match the filter, reading at most `cap + 1` of them.
pub(crate) async fn count_tickets_capped(
    conn: &mut DbConn,
    scope: &TicketScope,
    filter: &TicketFilter,
    cap: i64,
) -> StoreResult<i64> {
    let request = TicketQuery {
        filter: filter.clone(),
        ..TicketQuery::default()
    };
    let mut query = QueryBuilder::<Db>::new("select count(*) from (select t.id from ");
    match plan::plan(conn, scope, filter).await? {
        Plan::Empty => return Ok(0),
        Plan::Candidates { candidates, scope } => {
            query.push("(");
            plan::push_candidates(&mut query, &candidates);
            query.push(") as c cross join tickets t where t.id = c.ticket_id");
            plan::push_scope_check(&mut query, &scope);
        }
        Plan::Ranges {
            ranges,
            scope: Some(scope),
        } if ranges.iter().all(|r| r.key == RangeKey::Unassigned) => {
            query.push("tickets t where t.assignee_id is null");
            plan::push_scope_check(&mut query, &scope);
        }
        Plan::Ranges { .. } => {
            query.push("tickets t where true");
            plan::push_scope_check(&mut query, &plan::scope_branches(scope, filter));
        }
    }
    push_conditions(&mut query, &request);
    query
        .push(" limit ")
        .push_bind(cap.max(0).saturating_add(1))
        .push(") as capped");
    query
        .build_query_scalar::<i64>()
        .fetch_one(&mut *conn)
        .await
        .map_err(error::plain)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::Timestamp;

    #[test]
    fn priority_keys_round_trip_over_the_whole_time_range() {
        for rank in 1..=4 {
            for created in [
                micros(Timestamp::MIN),
                -1,
                0,
                1_700_000_000_000_000,
                micros(Timestamp::MAX),
            ] {
                assert_eq!(
                    unpack_priority_key(priority_key(rank, created)),
                    (rank, created)
                );
            }
        }
    }

    #[test]
    fn priority_keys_sort_by_rank_then_time() {
        let early_p1 = priority_key(1, micros(Timestamp::MAX));
        let late_p2 = priority_key(2, micros(Timestamp::MIN));
        assert!(early_p1 < late_p2);
    }
}
