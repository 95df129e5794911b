//! The queue's columns: the rows in the columns a person chose, and the Columns menu
//! (`POST /agent/queues/columns`) where they tick columns and move them up or down.
//! The menu is a plain form: each change posts the whole list in order and comes back
//! to the queue.

use crate::UiState;
use crate::error::{PageError, PageResult};
use crate::form::{Form, FormData};
use crate::session::{Staff, Viewer};
use crate::view::{Names, TicketRow, Times, When};
use axum::extract::State;
use axum::response::{IntoResponse as _, Redirect, Response};
use ferrodesk_app::AppError;
use ferrodesk_domain::{QueueColumn, QueueColumns, Ticket, UserId};

/// A queue row: the common ticket row and what the other columns show.
pub(crate) struct QueueRow {
    /// Number, subject, status, priority, requester, assignee, group, SLA, updated.
    pub(crate) row: TicketRow,
    /// The owner's name, or "No owner".
    pub(crate) owner: String,
    /// The category's path, or "None".
    pub(crate) category: String,
    /// The ticket type in words.
    pub(crate) kind: &'static str,
    /// The channel in words.
    pub(crate) channel: &'static str,
    /// The tags.
    pub(crate) tags: Vec<String>,
    /// When it was reported.
    pub(crate) created: When,
    /// The requester and group under the subject, those not shown in columns of
    /// their own.
    pub(crate) note: String,
}

/// The people a page of rows names (requesters, assignees, owners), to load at once.
pub(crate) fn people(tickets: &[Ticket]) -> Vec<UserId> {
    tickets
        .iter()
        .flat_map(|t| [Some(t.requester_id), t.assignee_id, t.owner_id])
        .flatten()
        .collect()
}

impl QueueRow {
    /// `ticket`'s common `row` with the other columns, named with `names` (which hold
    /// its people).
    pub(crate) fn new(
        row: TicketRow,
        ticket: &Ticket,
        columns: &QueueColumns,
        names: &Names,
        times: &Times,
    ) -> QueueRow {
        let shows = |column| columns.columns().contains(&column);
        let mut note = Vec::new();
        if !shows(QueueColumn::Requester) {
            note.push(row.requester.clone());
        }
        if !shows(QueueColumn::Group) {
            note.push(format!("{} · T{}", row.group, row.tier));
        }
        QueueRow {
            note: note.join(" · "),
            row,
            owner: names.user_or(ticket.owner_id, "No owner"),
            category: names.category_or(ticket.category_id, "None"),
            kind: crate::view::type_label(ticket.ticket_type),
            channel: crate::view::channel_label(ticket.channel),
            tags: ticket.tags.clone(),
            created: times.at(ticket.created_at),
        }
    }
}

/// One line of the Columns menu.
pub(crate) struct ColumnItem {
    /// The column's key.
    pub(crate) key: &'static str,
    /// Its heading.
    pub(crate) label: &'static str,
    /// Whether it is shown.
    pub(crate) is_shown: bool,
    /// Whether it can move up (a shown column below another).
    pub(crate) can_rise: bool,
    /// Whether it can move down.
    pub(crate) can_sink: bool,
}

/// The Columns menu: the shown columns in order, then the others.
pub(crate) fn menu(columns: &QueueColumns) -> Vec<ColumnItem> {
    let shown = columns.columns();
    let mut items: Vec<ColumnItem> = shown
        .iter()
        .enumerate()
        .map(|(i, c)| ColumnItem {
            key: c.key(),
            label: c.label(),
            is_shown: true,
            can_rise: i > 0,
            can_sink: i + 1 < shown.len(),
        })
        .collect();
    items.extend(
        QueueColumn::ALL
            .into_iter()
            .filter(|c| !shown.contains(c))
            .map(|c| ColumnItem {
                key: c.key(),
                label: c.label(),
                is_shown: false,
                can_rise: false,
                can_sink: false,
            }),
    );
    items
}

/// The columns a Columns form asks for: the ticked ones in the form's order, with a
/// column moved when an up or down button was pressed.
fn chosen(form: &FormData) -> Vec<String> {
    let mut keys: Vec<String> = form.all("column").into_iter().map(str::to_owned).collect();
    let moved = |name: &str| {
        form.opt(name)
            .and_then(|key| keys.iter().position(|k| k == key))
    };
    if let Some(i) = moved("up").filter(|i| *i > 0) {
        keys.swap(i, i - 1);
    } else if let Some(i) = moved("down").filter(|i| i + 1 < keys.len()) {
        keys.swap(i, i + 1);
    }
    keys
}

/// Where to go back to: a queue page, else My tickets.
fn back(form: &FormData) -> String {
    let back = form.get("back");
    if back.starts_with("/agent/queues/") && !back.starts_with("/agent/queues//") {
        back.to_owned()
    } else {
        "/agent/queues/mine".to_owned()
    }
}

/// Adds `done=` to a queue address.
fn with_notice(back: &str, done: &str) -> String {
    let joiner = if back.contains('?') { '&' } else { '?' };
    format!("{back}{joiner}done={done}")
}

/// `POST /agent/queues/columns`: saves the ticked columns in order and returns to
/// the queue, with the menu open; a choice the rules refuse returns with a notice.
pub(crate) async fn save(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Form(form): Form,
) -> PageResult<Response> {
    let back = back(&form);
    let keys = chosen(&form);
    let done = match save_keys(&state, &viewer, &keys).await {
        Ok(()) => "columns_saved",
        Err(AppError::Invalid { .. }) => "columns_refused",
        Err(error) => return Err(PageError::from(error)),
    };
    Ok(Redirect::to(&with_notice(&back, done)).into_response())
}

async fn save_keys(state: &UiState, viewer: &Viewer, keys: &[String]) -> Result<(), AppError> {
    state
        .app
        .saved_filters()
        .save_queue_columns(&viewer.actor, keys)
        .await
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // a test reports failure by panicking
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> FormData {
        FormData::from_pairs(pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect())
    }

    #[test]
    fn ticked_columns_keep_the_form_order() {
        let form = form(&[
            ("column", "subject"),
            ("column", "status"),
            ("column", "tags"),
        ]);
        assert_eq!(chosen(&form), ["subject", "status", "tags"]);
    }

    #[test]
    fn up_and_down_swap_with_the_neighbour() {
        let up = form(&[
            ("column", "subject"),
            ("column", "status"),
            ("up", "status"),
        ]);
        assert_eq!(chosen(&up), ["status", "subject"]);
        let down = form(&[
            ("column", "subject"),
            ("column", "status"),
            ("down", "subject"),
        ]);
        assert_eq!(chosen(&down), ["status", "subject"]);
        let top = form(&[
            ("column", "subject"),
            ("column", "status"),
            ("up", "subject"),
        ]);
        assert_eq!(chosen(&top), ["subject", "status"]);
    }

    #[test]
    fn the_menu_lists_shown_columns_first_and_every_column_once() {
        let columns = QueueColumns::parse(["tags", "subject"]).unwrap();
        let items = menu(&columns);
        assert_eq!(items.len(), QueueColumn::ALL.len());
        assert_eq!(items[0].key, "tags");
        assert!(items[0].is_shown && !items[0].can_rise && items[0].can_sink);
        assert_eq!(items[1].key, "subject");
        assert!(!items[2].is_shown);
    }

    #[test]
    fn only_queue_pages_are_gone_back_to() {
        assert_eq!(
            back(&form(&[("back", "/agent/queues/open?sort=priority")])),
            "/agent/queues/open?sort=priority"
        );
        assert_eq!(
            back(&form(&[("back", "https://evil.example")])),
            "/agent/queues/mine"
        );
    }
}
