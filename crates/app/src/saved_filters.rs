//! Saved filters: an agent names the queue view they are looking at (the queue and its
//! sort, search and group) to come back to it from the sidebar, privately or shared
//! with one of their groups.
//!
//! Access: staff only. An agent shares only with a group they work in (supervisors and
//! admins with any group); everyone sees their own filters and those shared with their
//! groups; only the owner deletes a filter (anyone else's reads as not found).
//!
//! The same service keeps each person's queue columns: which they chose and in what
//! order, or the standard set until they choose.

use crate::directory::require_staff;
use crate::input::required;
use crate::{App, AppError, OrNotFound as _};
use ferrodesk_domain::{Actor, GroupId, QueueColumns, TicketScope};
use ferrodesk_store::{Conflict, SharedFilter, StoreError};

/// The longest filter name.
pub const MAX_NAME_CHARS: usize = 60;
/// The longest stored query.
pub const MAX_QUERY_CHARS: usize = 500;

/// Checks a queue query: a queue's slug (`open`, `pending-customer`...) optionally
/// followed by `?` and URL-encoded parameters; nothing that could leave the queue
/// pages (no `/`, `:`, `#`, spaces or control characters).
fn queue_query(text: &str) -> Result<String, AppError> {
    let text = text.trim().trim_start_matches('/');
    let (slug, params) = text.split_once('?').unwrap_or((text, ""));
    let is_slug = !slug.is_empty()
        && slug.len() <= 40
        && slug.chars().all(|c| c.is_ascii_lowercase() || c == '-');
    let is_params = params.len() <= MAX_QUERY_CHARS
        && params
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '/' | ':' | '#' | '\\'));
    if is_slug && is_params {
        Ok(text.to_owned())
    } else {
        Err(AppError::invalid(
            "query",
            "give a queue and its parameters, like 'open?sort=priority&q=vpn'",
        ))
    }
}

/// The saved-filter service; get one from [`App::saved_filters`].
#[derive(Debug, Clone, Copy)]
pub struct SavedFilters<'a> {
    app: &'a App,
}

impl<'a> SavedFilters<'a> {
    pub(crate) fn new(app: &'a App) -> Self {
        SavedFilters { app }
    }

    /// The filters the actor sees: their own and those shared with their groups (every
    /// group for supervisors and admins), by name.
    ///
    /// # Errors
    /// `Forbidden` for customers.
    pub async fn list(&self, actor: &Actor) -> Result<Vec<SharedFilter>, AppError> {
        require_staff(actor, "save queue filters")?;
        let groups = if actor.ticket_scope() == TicketScope::All {
            self.app
                .db()
                .list_groups()
                .await?
                .iter()
                .map(|g| g.id)
                .collect()
        } else {
            actor.group_ids.clone()
        };
        Ok(self.app.db().list_filters(actor.user_id, &groups).await?)
    }

    /// Saves the current queue view under a name, private or shared with a group.
    ///
    /// # Errors
    /// `Forbidden` for customers and for sharing with a group the agent is not in;
    /// `NotFound` (`group`); `Invalid` (`name`, `query`); `Conflict`
    /// (`filter_name_taken`).
    pub async fn create(
        &self,
        actor: &Actor,
        name: &str,
        query: &str,
        group: Option<GroupId>,
    ) -> Result<SharedFilter, AppError> {
        require_staff(actor, "save queue filters")?;
        let name = required("name", name, MAX_NAME_CHARS)?;
        let query = queue_query(query)?;
        if let Some(group) = group {
            self.app
                .db()
                .get_group(group)
                .await
                .or_not_found("group", group)?;
            if actor.ticket_scope() != TicketScope::All && !actor.group_ids.contains(&group) {
                return Err(AppError::forbidden(
                    "you may share filters only with a group you work in",
                ));
            }
        }
        self.app
            .db()
            .create_filter(actor.user_id, name, query, group, self.app.now())
            .await
            .map_err(|e| match e {
                StoreError::Conflict {
                    kind: Conflict::Unique(_),
                    what,
                } => AppError::conflict("filter_name_taken", what),
                StoreError::NotFound { .. } => AppError::not_found("group", "given"),
                other => other.into(),
            })
    }

    /// Deletes one of the actor's own filters.
    ///
    /// # Errors
    /// `Forbidden` for customers; `NotFound` (`saved_filter`), also for someone else's.
    pub async fn delete(&self, actor: &Actor, id: i64) -> Result<(), AppError> {
        require_staff(actor, "save queue filters")?;
        self.app
            .db()
            .delete_saved_filter(actor.user_id, id)
            .await
            .or_not_found("saved_filter", id)
    }

    /// The queue columns the actor chose, or the standard set until they choose (or
    /// when their choice names a column that no longer exists).
    ///
    /// # Errors
    /// `Forbidden` for customers.
    pub async fn queue_columns(&self, actor: &Actor) -> Result<QueueColumns, AppError> {
        require_staff(actor, "choose queue columns")?;
        let stored = self.app.db().find_queue_columns(actor.user_id).await?;
        Ok(stored
            .as_deref()
            .and_then(QueueColumns::from_text)
            .unwrap_or_default())
    }

    /// Saves the actor's queue columns, in the order given.
    ///
    /// # Errors
    /// `Forbidden` for customers; `Invalid` (`columns`) naming an unknown or repeated
    /// column, or a choice with neither the number nor the subject.
    pub async fn save_queue_columns(
        &self,
        actor: &Actor,
        keys: &[String],
    ) -> Result<QueueColumns, AppError> {
        require_staff(actor, "choose queue columns")?;
        let columns = QueueColumns::parse(keys.iter().map(String::as_str))
            .map_err(|e| AppError::invalid("columns", e.to_string()))?;
        self.app
            .db()
            .save_queue_columns(actor.user_id, columns.to_text(), self.app.now())
            .await?;
        Ok(columns)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_queries_stay_on_the_queue_pages() {
        assert_eq!(
            queue_query("open?sort=priority&q=vpn%20down").unwrap(),
            "open?sort=priority&q=vpn%20down"
        );
        assert_eq!(queue_query("/mine").unwrap(), "mine");
        for bad in [
            "",
            "?q=x",
            "https://evil.example",
            "open/../admin",
            "open?q=a b",
            "Open",
            "open?next=//evil",
        ] {
            assert!(queue_query(bad).is_err(), "{bad}");
        }
    }
}
