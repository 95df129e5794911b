//! `/agent/queues/{queue}`: the ticket lists agents work from: my tickets, my groups'
//! unassigned tickets, all open tickets by priority, and those waiting on the customer
//! or a vendor, with sorting, subject search and paging. `.../rows` is the list alone,
//! refreshed live.

use super::Sidebar;
use super::queue_columns::{self, ColumnItem, QueueRow};
use super::queue_filter::{self, FilterParams, FilterSelect};
use crate::UiState;
use crate::chrome::Chrome;
use crate::error::{PageError, PageResult, render};
use crate::form::url_encode;
use crate::session::Staff;
use crate::view::{Choice, Names, TicketRow, Times};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use ferrodesk_app::{Cursor, PageRequest, TicketFilter, TicketQuery, TicketSort};
use ferrodesk_domain::{Actor, GroupId, QueueColumn, TicketStatus};
use serde::Deserialize;

/// Rows per page.
const PAGE_SIZE: i64 = 50;

/// How far ahead the breaching-soon queue looks.
const BREACHING_WINDOW: jiff::SignedDuration = jiff::SignedDuration::from_hours(4);

/// The breaching-soon queue's window: `within` minutes (1 to 1440, as the team view
/// links it: one hour), else four hours.
fn breaching_window(within: Option<&str>) -> jiff::SignedDuration {
    within
        .and_then(|w| w.trim().parse::<i64>().ok())
        .filter(|minutes| (1..=1440).contains(minutes))
        .map_or(BREACHING_WINDOW, jiff::SignedDuration::from_mins)
}

pub(crate) fn routes() -> Router<UiState> {
    Router::new()
        .route(
            "/queues/presence",
            get(super::ticket::presence::queue_markers),
        )
        .route(
            "/queues/bulk",
            axum::routing::post(super::queue_bulk::apply),
        )
        .route("/queues/columns", axum::routing::post(queue_columns::save))
        .route("/queues/{queue}", get(queue_page))
        .route("/queues/{queue}/rows", get(queue_rows))
}

/// The queues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Queue {
    Mine,
    Unassigned,
    Open,
    PendingCustomer,
    PendingVendor,
    Breaching,
}

impl Queue {
    fn parse(slug: &str) -> Option<Queue> {
        Some(match slug {
            "mine" => Queue::Mine,
            "unassigned" => Queue::Unassigned,
            "open" => Queue::Open,
            "pending-customer" => Queue::PendingCustomer,
            "pending-vendor" => Queue::PendingVendor,
            "breaching-soon" => Queue::Breaching,
            _ => return None,
        })
    }

    fn slug(self) -> &'static str {
        match self {
            Queue::Mine => "mine",
            Queue::Unassigned => "unassigned",
            Queue::Open => "open",
            Queue::PendingCustomer => "pending-customer",
            Queue::PendingVendor => "pending-vendor",
            Queue::Breaching => "breaching-soon",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Queue::Mine => "My tickets",
            Queue::Unassigned => "Unassigned",
            Queue::Open => "All open by priority",
            Queue::PendingCustomer => "Waiting on customer",
            Queue::PendingVendor => "Waiting on vendor",
            Queue::Breaching => "Breaching soon",
        }
    }

    fn description(self) -> &'static str {
        match self {
            Queue::Mine => "Open tickets assigned to you.",
            Queue::Unassigned => "Open tickets nobody has picked up yet.",
            Queue::Open => "Every open ticket you can see, most urgent first.",
            Queue::PendingCustomer => "Tickets waiting for the requester to answer.",
            Queue::PendingVendor => "Tickets waiting for a vendor or supplier.",
            Queue::Breaching => {
                "Open tickets due within four business-clock hours or already overdue, soonest first."
            }
        }
    }

    fn default_sort(self) -> &'static str {
        match self {
            Queue::Open | Queue::Unassigned => "priority",
            _ => "updated",
        }
    }

    fn filter(self, actor: &Actor, group: Option<GroupId>) -> TicketFilter {
        let mut filter = TicketFilter {
            group_id: group,
            ..TicketFilter::default()
        };
        match self {
            Queue::Mine => {
                filter.assignee_id = Some(actor.user_id);
                filter.open_only = true;
            }
            Queue::Unassigned => {
                filter.unassigned = true;
                filter.open_only = true;
            }
            Queue::Open | Queue::Breaching => filter.open_only = true,
            Queue::PendingCustomer => filter.statuses = vec![TicketStatus::PendingCustomer],
            Queue::PendingVendor => filter.statuses = vec![TicketStatus::PendingVendor],
        }
        filter
    }
}

const SORTS: &[(&str, &str, TicketSort)] = &[
    ("priority", "Priority", TicketSort::PriorityDesc),
    ("updated", "Recently updated", TicketSort::UpdatedDesc),
    ("stale", "Least recently updated", TicketSort::UpdatedAsc),
    ("newest", "Newest first", TicketSort::CreatedDesc),
    ("oldest", "Oldest first", TicketSort::CreatedAsc),
];

/// A saved queue view (`open?sort=updated&q=printer`) in words: "All open by
/// priority, recently updated first, matching “printer”".
pub(crate) fn describe_view(query: &str, names: &Names) -> String {
    let (path, params) = query.split_once('?').unwrap_or((query, ""));
    let params = crate::form::FormData::parse(params.as_bytes());
    let mut words = match Queue::parse(path.trim_end_matches("/rows")) {
        Some(queue) => queue.title().to_owned(),
        None => "A queue".to_owned(),
    };
    if let Some((_, label, _)) = SORTS.iter().find(|(key, _, _)| *key == params.get("sort")) {
        words.push_str(&format!(", sorted: {}", label.to_lowercase()));
    }
    if let Some(group) = params.get("group").parse::<i64>().ok().map(GroupId) {
        words.push_str(&format!(", group {}", names.group_name(group)));
    }
    let text = params.get("q").trim();
    if !text.is_empty() {
        words.push_str(&format!(", matching “{text}”"));
    }
    words
}

/// How far a saved filter's sidebar count goes ("500+" beyond).
pub(crate) const SAVED_COUNT_CAP: i64 = 500;

/// A saved view's (`open?type=incident`) live count, capped at [`SAVED_COUNT_CAP`];
/// `None` for a view that counts nothing (breaching soon) or no longer reads.
///
/// # Errors
/// The ticket service's errors.
pub(crate) async fn saved_view_count(
    state: &UiState,
    actor: &Actor,
    view: &str,
) -> PageResult<Option<i64>> {
    let Some(filter) = view_filter(state, actor, view) else {
        return Ok(None);
    };
    let count = state
        .app
        .tickets()
        .count_capped(actor, &filter, SAVED_COUNT_CAP)
        .await?;
    Ok(Some(count))
}

/// The ticket filter of a queue view (`open?type=incident`, as saved filters and the
/// bulk bar carry it); `None` for the breaching-soon queue (read from the due-time
/// index, not a filter) and for a view that does not read.
pub(crate) fn view_filter(state: &UiState, actor: &Actor, view: &str) -> Option<TicketFilter> {
    let (slug, params) = view.split_once('?').unwrap_or((view, ""));
    let queue = match Queue::parse(slug) {
        Some(Queue::Breaching) | None => return None,
        Some(queue) => queue,
    };
    let uri = format!("/?{params}").parse::<axum::http::Uri>().ok()?;
    let Query(parsed) = Query::<QueueQuery>::try_from_uri(&uri).ok()?;
    let group = parsed.filters.group().ok()?;
    let mut filter = queue.filter(actor, group);
    parsed
        .filters
        .apply(&mut filter, actor.user_id, state.app.now())
        .ok()?;
    Some(filter)
}

#[derive(Debug, Default, Deserialize)]
struct QueueQuery {
    sort: Option<String>,
    #[serde(flatten)]
    filters: FilterParams,
    /// The saved filter this view was opened from.
    view: Option<String>,
    after: Option<String>,
    done: Option<String>,
    /// Minutes ahead, for the breaching-soon queue.
    within: Option<String>,
}

/// The list part of the page (also the live-refresh fragment).
#[derive(Template)]
#[template(path = "agent/queue_rows.html")]
struct QueueRows {
    /// The person's columns, in order.
    columns: Vec<QueueColumn>,
    rows: Vec<QueueRow>,
    next_href: Option<String>,
    empty_message: &'static str,
}

#[derive(Template)]
#[template(path = "agent/queue.html")]
struct QueuePage {
    chrome: Chrome,
    sidebar: Sidebar,
    title: String,
    description: String,
    slug: &'static str,
    /// The breaching-soon window in minutes when the link named one.
    within: String,
    sorts: Vec<Choice>,
    q: String,
    /// The filter bar's selects.
    selects: Vec<FilterSelect>,
    /// The filter's other values, for the bar's inputs.
    filters: FilterParams,
    /// Whether the bar narrows the queue (its "More filters" opens).
    is_narrowed: bool,
    /// The saved filter shown, for the form that saves the view.
    view: String,
    rows_href: String,
    is_later_page: bool,
    /// The person's columns, in order.
    columns: Vec<QueueColumn>,
    /// The Columns menu.
    column_menu: Vec<ColumnItem>,
    /// Whether the Columns menu opens (just after it was used).
    is_columns_open: bool,
    rows: Vec<QueueRow>,
    next_href: Option<String>,
    empty_message: &'static str,
    /// The bulk bar's actions.
    bulk: super::queue_bulk::BulkBar,
    /// This page's address, to come back to after a bulk action without JS.
    here: String,
    /// The CSV export of this view.
    export_href: String,
}

struct Listing {
    queue: Queue,
    sort: String,
    q: String,
    group: Option<GroupId>,
    filters: FilterParams,
    columns: ferrodesk_domain::QueueColumns,
    rows: Vec<QueueRow>,
    next_href: Option<String>,
    names: Names,
}

async fn list(
    state: &UiState,
    staff: &Staff,
    slug: &str,
    query: &QueueQuery,
) -> PageResult<Listing> {
    let viewer = &staff.0;
    let queue = Queue::parse(slug).ok_or(PageError::NotFound)?;
    let sort_key = query
        .sort
        .as_deref()
        .filter(|s| SORTS.iter().any(|(key, _, _)| key == s))
        .unwrap_or(queue.default_sort())
        .to_owned();
    let sort = SORTS
        .iter()
        .find(|(key, _, _)| *key == sort_key)
        .map(|(_, _, sort)| *sort)
        .unwrap_or_default();
    let group = query.filters.group()?;
    let q = query.filters.text();
    let mut filter = queue.filter(&viewer.actor, group);
    query
        .filters
        .apply(&mut filter, viewer.actor.user_id, state.app.now())?;
    let cursor = match query.after.as_deref().filter(|a| !a.is_empty()) {
        // A tampered cursor starts again from the first page.
        Some(text) => Cursor::decode(text),
        None => None,
    };
    let ticket_query = TicketQuery {
        filter,
        sort,
        page: PageRequest {
            cursor,
            limit: PAGE_SIZE,
        },
    };
    let page = if queue == Queue::Breaching {
        // Read from the due-time index; one page, soonest first.
        let levels = state.app.service_levels();
        let window = breaching_window(query.within.as_deref());
        let items = match group {
            Some(group) => {
                levels
                    .breaching_in_group(&viewer.actor, group, window, PAGE_SIZE)
                    .await?
            }
            None => levels.breaching(&viewer.actor, window, PAGE_SIZE).await?,
        };
        ferrodesk_app::Page {
            items,
            next_cursor: None,
        }
    } else {
        state
            .app
            .tickets()
            .list(&viewer.actor, &ticket_query)
            .await?
    };
    let mut names = Names::load(state, &viewer.actor).await?;
    let people = queue_columns::people(&page.items);
    names.add_users(state, &viewer.actor, people).await?;
    let times = Times::new(&viewer.user, state.app.now());
    let mut rows: Vec<TicketRow> = page
        .items
        .iter()
        .map(|t| TicketRow::new(t, &names, &times))
        .collect();
    crate::sla::add_row_badges(state, &viewer.actor, &mut rows).await?;
    super::ticket::presence::mark_rows(state, &viewer.actor, &page.items, &mut rows).await?;
    let columns = state
        .app
        .saved_filters()
        .queue_columns(&viewer.actor)
        .await?;
    let rows = rows
        .into_iter()
        .zip(&page.items)
        .map(|(row, ticket)| QueueRow::new(row, ticket, &columns, &names, &times))
        .collect();
    let next_href = page.next_cursor.map(|cursor| {
        queue_href(
            queue,
            &sort_key,
            &query.filters,
            Some(&cursor.encode()),
            false,
        )
    });
    Ok(Listing {
        queue,
        sort: sort_key,
        q,
        group,
        filters: query.filters.clone(),
        columns,
        rows,
        next_href,
        names,
    })
}

fn queue_href(
    queue: Queue,
    sort: &str,
    filters: &FilterParams,
    after: Option<&str>,
    rows: bool,
) -> String {
    let mut href = format!(
        "/agent/queues/{}{}?sort={}{}",
        queue.slug(),
        if rows { "/rows" } else { "" },
        url_encode(sort),
        filters.query_string()
    );
    if let Some(after) = after {
        href.push_str(&format!("&after={}", url_encode(after)));
    }
    href
}

/// The API's CSV export of this view: the queue's own conditions and the filter bar's
/// parameters under the names `GET /api/v1/tickets` gives them.
fn export_href(queue: Queue, sort: &str, filters: &FilterParams) -> String {
    let mut pairs: Vec<(&str, &str)> = match queue {
        Queue::Mine => vec![("assignee_id", "me"), ("open", "true")],
        Queue::Unassigned => vec![("assignee_id", "none"), ("open", "true")],
        Queue::Open | Queue::Breaching => vec![("open", "true")],
        Queue::PendingCustomer => vec![("status", "pending_customer")],
        Queue::PendingVendor => vec![("status", "pending_vendor")],
    };
    for (name, value) in filters.pairs() {
        let name = match name {
            "group" => "group_id",
            "assignee" => "assignee_id",
            "owner" => "owner_id",
            "category" => "category_id",
            other => other,
        };
        if name == "status" {
            // A chosen status replaces the queue's own status condition.
            pairs.retain(|(n, _)| *n != "status" && *n != "open");
        }
        pairs.retain(|(n, _)| *n != name);
        pairs.push((name, value));
    }
    let sort = match sort {
        "priority" => "priority",
        "stale" => "updated_asc",
        "newest" => "created_desc",
        "oldest" => "created_asc",
        _ => "updated_desc",
    };
    pairs.push(("sort", sort));
    let query: Vec<String> = pairs
        .into_iter()
        .map(|(name, value)| format!("{name}={}", url_encode(value)))
        .collect();
    format!("/api/v1/tickets/export.csv?{}", query.join("&"))
}

fn empty_message(queue: Queue, filters: &FilterParams) -> &'static str {
    if filters.narrows() {
        return "No ticket matches these filters.";
    }
    if !filters.text().is_empty() {
        return "No ticket subject matches that search.";
    }
    match queue {
        Queue::Mine => "Nothing assigned to you. Pick something up from Unassigned.",
        Queue::Unassigned => "Every open ticket has someone on it.",
        Queue::Open => "No open tickets. Enjoy the quiet.",
        Queue::PendingCustomer => "No ticket is waiting on a customer.",
        Queue::PendingVendor => "No ticket is waiting on a vendor.",
        Queue::Breaching => "No ticket is close to its SLA due time.",
    }
}

async fn queue_page(
    State(state): State<UiState>,
    staff: Staff,
    Path(slug): Path<String>,
    Query(query): Query<QueueQuery>,
) -> PageResult {
    let listing = list(&state, &staff, &slug, &query).await?;
    let viewer = &staff.0;
    let active = match listing.group {
        Some(group) if listing.queue == Queue::Unassigned => format!("group-{group}"),
        _ => listing.queue.slug().to_owned(),
    };
    let view = query
        .view
        .as_deref()
        .and_then(|v| v.trim().parse::<i64>().ok());
    let active = view.map_or(active, |id| format!("filter-{id}"));
    let sidebar = Sidebar::load(&state, &viewer.actor, &listing.names, &active).await?;
    let saved = sidebar.filters.iter().find(|f| f.active);
    let mut title = listing.queue.title().to_owned();
    if let Some(group) = listing.group {
        title = format!("{title} in {}", listing.names.group_name(group));
    }
    if !listing.q.is_empty() {
        title = format!("{title}: “{}”", listing.q);
    }
    if let Some(saved) = saved {
        title.clone_from(&saved.label);
    }
    let view = saved.and(view).map(|id| id.to_string()).unwrap_or_default();
    let staff_list = super::staff_members(&state, &viewer.actor).await?;
    let selects = queue_filter::selects(&listing.filters, &listing.names, &staff_list);
    let sorts = SORTS
        .iter()
        .map(|(key, label, _)| Choice::new(key, *label, *key == listing.sort))
        .collect();
    // The team view links its one-hour counts to a one-hour window of this queue.
    let within = query
        .within
        .as_deref()
        .filter(|_| listing.queue == Queue::Breaching)
        .map(|w| breaching_window(Some(w)))
        .filter(|window| *window != BREACHING_WINDOW)
        .map(|window| window.as_mins().to_string())
        .unwrap_or_default();
    let description = if within.is_empty() {
        listing.queue.description().to_owned()
    } else {
        format!("Open tickets due within {within} minutes or already overdue, soonest first.")
    };
    let mut rows_href = queue_href(listing.queue, &listing.sort, &listing.filters, None, true);
    if !within.is_empty() {
        rows_href.push_str(&format!("&within={within}"));
    }
    let here = rows_href.replacen("/rows?", "?", 1);
    let mut bulk = super::queue_bulk::bulk_bar(&state, viewer, &listing.names).await?;
    if listing.next_href.is_some() {
        // Offer "all N matching" only when there is more than this page.
        let view = here.trim_start_matches("/agent/queues/");
        bulk.matching = super::queue_bulk::matching(&state, viewer, view).await?;
    }
    let export_href = export_href(listing.queue, &listing.sort, &listing.filters);
    let page = QueuePage {
        chrome: Chrome::new(viewer, "agent", title.clone())
            .nav(active)
            .search(listing.q.clone())
            .notice(query.done.as_deref()),
        sidebar,
        title,
        description,
        slug: listing.queue.slug(),
        within,
        rows_href,
        is_later_page: query.after.as_deref().is_some_and(|a| !a.is_empty()),
        sorts,
        q: listing.q.clone(),
        selects,
        is_narrowed: listing.filters.narrows(),
        view,
        empty_message: empty_message(listing.queue, &listing.filters),
        filters: listing.filters,
        columns: listing.columns.columns().to_vec(),
        column_menu: queue_columns::menu(&listing.columns),
        is_columns_open: query
            .done
            .as_deref()
            .is_some_and(|done| done.starts_with("columns_")),
        rows: listing.rows,
        next_href: listing.next_href,
        bulk,
        export_href,
        here,
    };
    Ok(render(StatusCode::OK, &page))
}

async fn queue_rows(
    State(state): State<UiState>,
    staff: Staff,
    Path(slug): Path<String>,
    Query(query): Query<QueueQuery>,
) -> PageResult {
    let listing = list(&state, &staff, &slug, &query).await?;
    Ok(render(
        StatusCode::OK,
        &QueueRows {
            empty_message: empty_message(listing.queue, &listing.filters),
            columns: listing.columns.columns().to_vec(),
            rows: listing.rows,
            next_href: listing.next_href,
        },
    ))
}
