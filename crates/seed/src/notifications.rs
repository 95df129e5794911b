//! A few notifications for each agent of the sample desk, so the bell and the list
//! show what a working day brings: a customer's answer, a ticket given to them, a
//! colleague's mention, on the open tickets assigned to them. The supervisor has chosen
//! a daily digest of breaches, escalations and mentions instead of mail at once.

use crate::{Directory, SeedError};
use ferrodesk_domain::notify::{Digest, Preferences, message};
use ferrodesk_domain::{NotificationKind, TicketScope};
use ferrodesk_store::{NewNotification, PageRequest, Store, TicketFilter, TicketQuery};
use jiff::{SignedDuration, Timestamp};

/// What each agent hears about their most recently changed open tickets, newest last.
const KINDS: [NotificationKind; 3] = [
    NotificationKind::Assigned,
    NotificationKind::Mentioned,
    NotificationKind::CustomerReplied,
];

/// Writes up to three notifications per agent, a few minutes apart before `now`.
///
/// # Errors
/// [`SeedError::Store`] when the tickets cannot be read or the notifications written.
pub async fn seed_notifications(
    store: &dyn Store,
    directory: &Directory,
    now: Timestamp,
) -> Result<usize, SeedError> {
    if let Some(supervisor) = directory.supervisor {
        let digest = Preferences::new(
            &[
                NotificationKind::SlaBreached,
                NotificationKind::Escalated,
                NotificationKind::Mentioned,
            ],
            Digest::Daily,
        );
        store
            .set_notification_preferences(supervisor, digest, Digest::Daily.first_due(now), now)
            .await?;
    }
    let mut written = 0;
    for (agent, _, _) in &directory.agents {
        let query = TicketQuery {
            filter: TicketFilter {
                assignee_id: Some(*agent),
                open_only: true,
                ..TicketFilter::default()
            },
            page: PageRequest::first(KINDS.len() as i64),
            ..TicketQuery::default()
        };
        let mut tickets = store.list_tickets(&TicketScope::All, &query).await?.items;
        tickets.reverse();
        for (n, (ticket, kind)) in tickets.iter().zip(KINDS).enumerate() {
            let minutes = 7 * (KINDS.len() - n) as i64;
            let note = NewNotification {
                user_id: *agent,
                ticket_id: Some(ticket.id),
                kind,
                message: message(kind, ticket),
                // Sample history: nobody is mailed about it.
                mail: false,
            };
            let at = now - SignedDuration::from_mins(minutes);
            store.notify(vec![note], at).await?;
            written += 1;
        }
    }
    Ok(written)
}
