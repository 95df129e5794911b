//! Saved queue filters for the sample desk's first agent, so the sidebar shows filters
//! that use the work queue's filter bar (type, channel, SLA state).

use crate::{Directory, SeedError};
use ferrodesk_store::Store;
use jiff::Timestamp;

/// The filters: name and queue query.
const FILTERS: [(&str, &str); 2] = [
    (
        "Due within 8 hours",
        "open?sort=priority&sla=due_within&sla_hours=8",
    ),
    (
        "Mailed-in incidents, unassigned",
        "open?sort=priority&assignee=none&type=incident&channel=email",
    ),
];

/// Saves the filters for the first agent; returns how many.
///
/// # Errors
/// [`SeedError::Store`] when a filter cannot be written.
pub async fn seed_queue_filters(
    store: &dyn Store,
    directory: &Directory,
    now: Timestamp,
) -> Result<usize, SeedError> {
    let Some((agent, _, _)) = directory.agents.first() else {
        return Ok(0);
    };
    for (name, query) in FILTERS {
        store
            .create_saved_filter(*agent, name.to_owned(), query.to_owned(), now)
            .await?;
    }
    Ok(FILTERS.len())
}
