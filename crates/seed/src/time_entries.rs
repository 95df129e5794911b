//! Time spent on the sample desk's tickets, so the ticket view shows a total and the
//! reports' "Time spent" section has figures: on the most recently changed tickets,
//! their assignee (or an agent of the desk) logged a few entries over the last days.

use crate::{Directory, SeedError};
use ferrodesk_domain::TicketScope;
use ferrodesk_store::{NewTimeEntry, PageRequest, Store, TicketQuery, TicketSort};
use jiff::{SignedDuration, Timestamp};

/// How many tickets get time entries.
const TICKETS: i64 = 40;

/// Minutes of the entries, in turn.
const MINUTES: &[i32] = &[15, 30, 5, 45, 20, 10, 60, 25, 90, 35];

/// Writes the entries; returns how many.
///
/// # Errors
/// [`SeedError::Store`] when the tickets cannot be read or the entries written.
pub async fn seed_time_entries(
    store: &dyn Store,
    directory: &Directory,
    now: Timestamp,
) -> Result<usize, SeedError> {
    if directory.agents.is_empty() {
        return Ok(0);
    }
    let query = TicketQuery {
        sort: TicketSort::UpdatedDesc,
        page: PageRequest::first(TICKETS),
        ..TicketQuery::default()
    };
    let tickets = store.list_tickets(&TicketScope::All, &query).await?.items;
    let mut written = 0;
    for (n, ticket) in tickets.iter().enumerate() {
        let fallback = directory.agents[n % directory.agents.len()].0;
        let user_id = ticket.assignee_id.unwrap_or(fallback);
        for k in 0..=(n % 3) {
            let minutes = MINUTES[(n + k) % MINUTES.len()];
            let hours_ago = i64::try_from(n * 5 + k * 2).unwrap_or(0);
            let created_at = now
                .checked_sub(SignedDuration::from_hours(hours_ago))
                .unwrap_or(now);
            let entry = NewTimeEntry {
                user_id,
                minutes,
                created_at,
            };
            store.add_time_entry(ticket.id, entry).await?;
            written += 1;
        }
    }
    Ok(written)
}
