//! `/agent/...`: the agent workspace. Queues with live counts in the sidebar, the ticket
//! view with its actions, the "new ticket" form for calls and walk-ins, and the
//! server-sent event stream that keeps open pages current.
//!
//! Staff only: customers who open these pages get the 403 page. Which tickets an agent
//! sees is decided by the ticket service (their groups, their assignments).

mod custom_fields_panel;
mod macros;
mod new_ticket;
pub(crate) mod queue;
mod queue_bulk;
mod queue_columns;
pub(crate) use queue_columns::{QueueRow, people as queue_people};
mod queue_filter;
mod reports;
mod team;
pub(crate) mod ticket;

pub(crate) use team::workspace_start;

pub(crate) use ticket::ticket_id;

use crate::UiState;
use crate::error::PageResult;
use crate::session::Staff;
use crate::view::{Names, priority_badge};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Redirect, Response};
use axum::routing::get;
use ferrodesk_app::{PageRequest, QueueCounts, UserFilter};
use ferrodesk_domain::{
    Actor, GroupId, Impact, Priority, Role, TicketScope, TicketStatus, Urgency, User,
};
use futures::Stream;
use serde::Deserialize;
use std::convert::Infallible;

pub(crate) fn routes() -> Router<UiState> {
    Router::new()
        .route("/", get(workspace_home))
        .route("/sidebar", get(sidebar_fragment))
        .route("/live", get(live))
        .route("/priority", get(priority_preview))
        .route("/people", get(people_search))
        .merge(queue::routes())
        .merge(macros::routes())
        .merge(ticket::routes())
        .merge(new_ticket::routes())
        .merge(custom_fields_panel::routes())
        .merge(reports::routes())
        .merge(team::routes())
        .merge(crate::knowledge::agent_routes())
        .merge(crate::desk::agent_routes())
}

/// `GET /agent`: supervisors and admins land on the team view, agents on their tickets.
async fn workspace_home(Staff(viewer): Staff) -> Redirect {
    Redirect::to(workspace_start(viewer.actor.role))
}

/// One entry of the sidebar.
#[derive(Debug, Clone)]
pub(crate) struct NavItem {
    /// Identifies the entry for highlighting (`mine`, `group-3`...).
    pub key: String,
    /// Where it goes.
    pub href: String,
    /// What it says.
    pub label: String,
    /// How many tickets, when the counts can say so for this viewer.
    pub count: Option<i64>,
    /// Whether it is the current page.
    pub active: bool,
}

impl NavItem {
    /// The count as shown, "500+" past the cap of a saved filter's count; empty
    /// without a count.
    pub(crate) fn capped_count(&self) -> String {
        match self.count {
            Some(n) if n > queue::SAVED_COUNT_CAP => format!("{}+", queue::SAVED_COUNT_CAP),
            Some(n) => n.to_string(),
            None => String::new(),
        }
    }
}

/// The agent sidebar: queues and the viewer's groups, with counts.
#[derive(Debug, Clone)]
pub(crate) struct Sidebar {
    /// The queues.
    pub queues: Vec<NavItem>,
    /// Unassigned tickets per group.
    pub groups: Vec<NavItem>,
    /// The active key, for the live refresh.
    pub active: String,
    /// The team view, for supervisors and admins.
    pub team: Option<NavItem>,
    /// The viewer's saved filters and those shared with their groups.
    pub filters: Vec<NavItem>,
}

impl Sidebar {
    /// Builds the sidebar from the live queue counts.
    ///
    /// Counts come from `Store::queue_counts` (kept on write). They are per status,
    /// group and assignee across the whole desk, so an agent (who sees only their
    /// groups) gets counts for their own work and their groups, and the desk-wide
    /// status counts are shown only to supervisors and admins.
    pub(crate) async fn load(
        state: &UiState,
        actor: &Actor,
        names: &Names,
        active: &str,
    ) -> PageResult<Sidebar> {
        let counts = state.app.tickets().counts(actor).await?;
        let mut sidebar = Sidebar::build(actor, &counts, names, active);
        sidebar.filters = crate::desk::filter_items(state, actor, active).await?;
        Ok(sidebar)
    }

    fn build(actor: &Actor, counts: &QueueCounts, names: &Names, active: &str) -> Sidebar {
        let sees_all = actor.ticket_scope() == TicketScope::All;
        let my_groups: Vec<GroupId> = if actor.group_ids.is_empty() && sees_all {
            names.groups().iter().map(|g| g.id).collect()
        } else {
            actor.group_ids.clone()
        };
        let in_my_groups = |map: &std::collections::BTreeMap<Option<GroupId>, i64>| -> i64 {
            if sees_all {
                map.values().sum()
            } else {
                my_groups
                    .iter()
                    .map(|g| map.get(&Some(*g)).copied().unwrap_or(0))
                    .sum()
            }
        };
        let status =
            |s: TicketStatus| sees_all.then(|| counts.by_status.get(&s).copied().unwrap_or(0));
        let item = |key: &str, href: &str, label: &str, count: Option<i64>| NavItem {
            key: key.to_owned(),
            href: href.to_owned(),
            label: label.to_owned(),
            count,
            active: key == active,
        };
        let queues = vec![
            item(
                "mine",
                "/agent/queues/mine",
                "My tickets",
                Some(
                    counts
                        .open_by_assignee
                        .get(&actor.user_id)
                        .copied()
                        .unwrap_or(0),
                ),
            ),
            item(
                "unassigned",
                "/agent/queues/unassigned",
                if sees_all {
                    "Unassigned"
                } else {
                    "Unassigned in my groups"
                },
                Some(in_my_groups(&counts.unassigned_by_group)),
            ),
            item(
                "open",
                "/agent/queues/open",
                "All open by priority",
                Some(in_my_groups(&counts.open_by_group)),
            ),
            item(
                "pending-customer",
                "/agent/queues/pending-customer",
                "Waiting on customer",
                status(TicketStatus::PendingCustomer),
            ),
            item(
                "pending-vendor",
                "/agent/queues/pending-vendor",
                "Waiting on vendor",
                status(TicketStatus::PendingVendor),
            ),
            item(
                "breaching-soon",
                "/agent/queues/breaching-soon",
                "Breaching soon",
                None,
            ),
        ];
        let groups = my_groups
            .iter()
            .filter_map(|id| names.group(*id))
            .map(|group| {
                item(
                    &format!("group-{}", group.id),
                    &format!("/agent/queues/unassigned?group={}", group.id),
                    &group.name,
                    Some(
                        counts
                            .unassigned_by_group
                            .get(&Some(group.id))
                            .copied()
                            .unwrap_or(0),
                    ),
                )
            })
            .collect();
        let team = matches!(actor.role, Role::Supervisor | Role::Admin)
            .then(|| item("team", "/agent/team", "Team", None));
        Sidebar {
            queues,
            groups,
            team,
            active: active.to_owned(),
            filters: Vec::new(),
        }
    }
}

#[derive(Template)]
#[template(path = "agent/sidebar.html")]
struct SidebarFragment {
    sidebar: Sidebar,
}

#[derive(Debug, Deserialize)]
struct SidebarQuery {
    active: Option<String>,
}

/// `GET /agent/sidebar`: the sidebar alone, for the live refresh.
async fn sidebar_fragment(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Query(query): Query<SidebarQuery>,
) -> PageResult {
    let names = Names::load(&state, &viewer.actor).await?;
    let active = query.active.unwrap_or_default();
    let sidebar = Sidebar::load(&state, &viewer.actor, &names, &active).await?;
    Ok(crate::error::render(
        axum::http::StatusCode::OK,
        &SidebarFragment { sidebar },
    ))
}

/// `GET /agent/live`: server-sent events, one `change` event per change the viewer may
/// see: `{"tickets": [10042], "counts": true}`. The page's script refreshes what shows
/// those tickets and the sidebar.
async fn live(
    State(state): State<UiState>,
    Staff(viewer): Staff,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let receiver = state.live.subscribe().await;
    let actor = viewer.actor;
    let expires_at = viewer.expires_at;
    let app = state.app.clone();
    let stream = futures::stream::unfold((receiver, actor), move |(mut receiver, actor)| {
        let app = app.clone();
        async move {
            use tokio::sync::broadcast::error::RecvError;
            loop {
                let next = receiver.recv().await;
                // An ended session hears nothing more; the page's next request signs in.
                if app.now() >= expires_at {
                    return None;
                }
                match next {
                    Ok(change) => {
                        let tickets: Vec<i64> = change
                            .tickets
                            .iter()
                            .filter(|t| actor.can_view(t))
                            .map(|t| t.id.get())
                            .collect();
                        if tickets.is_empty() && !change.counts {
                            continue;
                        }
                        let data =
                            serde_json::json!({ "tickets": tickets, "counts": change.counts });
                        let event = Event::default().event("change").data(data.to_string());
                        return Some((Ok(event), (receiver, actor)));
                    }
                    Err(RecvError::Lagged(_)) => {
                        let event = Event::default()
                            .event("change")
                            .data(r#"{"tickets":[],"counts":true,"all":true}"#);
                        return Some((Ok(event), (receiver, actor)));
                    }
                    Err(RecvError::Closed) => return None,
                }
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

#[derive(Template)]
#[template(path = "agent/priority.html")]
struct PriorityPreview {
    label: &'static str,
    class: &'static str,
}

#[derive(Debug, Deserialize)]
struct PriorityQuery {
    impact: Option<String>,
    urgency: Option<String>,
}

/// The priority the matrix gives an impact and urgency.
pub(crate) fn derived_priority(impact: &str, urgency: &str) -> Priority {
    Priority::from_matrix(
        Impact::parse(impact).unwrap_or(Impact::Individual),
        Urgency::parse(urgency).unwrap_or(Urgency::Medium),
    )
}

/// `GET /agent/priority?impact=..&urgency=..`: the derived priority, shown live while
/// an agent fills in the new-ticket form.
async fn priority_preview(Staff(_viewer): Staff, Query(query): Query<PriorityQuery>) -> Response {
    let badge = priority_badge(derived_priority(
        query.impact.as_deref().unwrap_or(""),
        query.urgency.as_deref().unwrap_or(""),
    ));
    crate::error::render(
        axum::http::StatusCode::OK,
        &PriorityPreview {
            label: badge.label,
            class: badge.class,
        },
    )
}

/// A person found by the caller search.
#[derive(Debug, Clone)]
struct PersonMatch {
    name: String,
    email: String,
    phone: String,
    location: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "agent/people.html")]
struct PeopleFragment {
    query: String,
    people: Vec<PersonMatch>,
}

#[derive(Debug, Deserialize)]
struct PeopleQuery {
    q: Option<String>,
}

/// `GET /agent/people?q=..`: people whose name or email contains the text, to pick the
/// caller on the new-ticket form.
async fn people_search(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Query(query): Query<PeopleQuery>,
) -> PageResult {
    let text = query.q.unwrap_or_default().trim().to_owned();
    let people = if text.chars().count() < 2 {
        Vec::new()
    } else {
        let filter = UserFilter {
            text: Some(text.clone()),
            ..UserFilter::default()
        };
        state
            .app
            .directory()
            .list_users(&viewer.actor, &filter, &PageRequest::first(8))
            .await?
            .items
            .into_iter()
            .filter(|u| u.is_active)
            .map(|u| person_match(&u))
            .collect()
    };
    Ok(crate::error::render(
        axum::http::StatusCode::OK,
        &PeopleFragment {
            query: text,
            people,
        },
    ))
}

fn person_match(user: &User) -> PersonMatch {
    let mut detail = user.email.to_string();
    if let Some(phone) = &user.phone {
        detail.push_str(" · ");
        detail.push_str(phone);
    }
    if user.role != Role::Customer {
        detail.push_str(" · staff");
    }
    PersonMatch {
        name: user.name.clone(),
        email: user.email.to_string(),
        phone: user.phone.clone().unwrap_or_default(),
        location: user.location.clone().unwrap_or_default(),
        detail,
    }
}

/// Active staff who can be owners and assignees, by name.
pub(crate) async fn staff_members(state: &UiState, actor: &Actor) -> PageResult<Vec<User>> {
    let mut staff = Vec::new();
    for role in [Role::Agent, Role::Supervisor, Role::Admin] {
        let filter = UserFilter {
            role: Some(role),
            ..UserFilter::default()
        };
        let mut page = PageRequest::first(ferrodesk_app::MAX_PAGE_SIZE);
        // A desk has tens of staff; the bound keeps a huge directory from stalling a page.
        for _ in 0..5 {
            let found = state
                .app
                .directory()
                .list_users(actor, &filter, &page)
                .await?;
            staff.extend(found.items.into_iter().filter(|u| u.is_active));
            match found.next_cursor {
                Some(cursor) => page.cursor = Some(cursor),
                None => break,
            }
        }
    }
    staff.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(staff)
}
