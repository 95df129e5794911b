//! Colleagues on tickets of the sample desk, so a desk opened just after seeding shows
//! the presence strip and the queue rows' markers: on the most recently changed open
//! tickets of the first agents' group, one colleague is replying and another viewing.
//! The reports are made at seeding time and count for
//! [`ferrodesk_domain::PRESENCE_TIMEOUT`], like any report a page stops sending.

use crate::{Directory, SeedError};
use ferrodesk_domain::{Activity, Presence, TicketScope};
use ferrodesk_store::{PageRequest, Store, TicketFilter, TicketQuery, TicketSort};
use jiff::Timestamp;

/// How many tickets get colleagues on them.
const TICKETS: i64 = 3;

/// Writes the reports; returns how many.
///
/// # Errors
/// [`SeedError::Store`] when the tickets cannot be read or the reports written.
pub async fn seed_presence(
    store: &dyn Store,
    directory: &Directory,
    now: Timestamp,
) -> Result<usize, SeedError> {
    let Some((_, _, groups)) = directory.agents.first() else {
        return Ok(0);
    };
    let colleagues: Vec<_> = directory
        .agents
        .iter()
        .filter(|(_, _, theirs)| theirs.iter().any(|g| groups.contains(g)))
        .map(|(id, _, _)| *id)
        .take(2)
        .collect();
    let query = TicketQuery {
        filter: TicketFilter {
            group_id: groups.first().copied(),
            open_only: true,
            ..TicketFilter::default()
        },
        sort: TicketSort::UpdatedDesc,
        page: PageRequest::first(TICKETS),
    };
    let tickets = store.list_tickets(&TicketScope::All, &query).await?.items;
    let mut written = 0;
    for (n, ticket) in tickets.iter().enumerate() {
        for (c, user_id) in colleagues.iter().enumerate() {
            let activity = if n == 0 && c == 0 {
                Activity::Replying
            } else {
                Activity::Viewing
            };
            store
                .save_presence(Presence {
                    ticket_id: ticket.id,
                    user_id: *user_id,
                    activity,
                    seen_at: now,
                })
                .await?;
            written += 1;
        }
    }
    Ok(written)
}
