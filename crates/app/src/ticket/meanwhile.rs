//! The warning before a reply talks over another: a reply written against an older
//! timeline (the newest event its page showed) is refused with
//! [`AppError::RepliedMeanwhile`] when someone else has replied since, publicly, or
//! the requester has written. Which events count is the domain's rule
//! ([`ferrodesk_domain::presence::replies_since`]).
//!
//! The check reads before the write and is not part of its transaction: it warns a
//! person about what they have not seen, it does not order two replies sent in the
//! same instant, which both stay on the timeline.

use super::Tickets;
use crate::AppError;
use crate::error::{MeanwhileReply, RepliedMeanwhile};
use ferrodesk_domain::presence::replies_since;
use ferrodesk_domain::{Actor, EventId, EventKind, Ticket, UserId};
use ferrodesk_store::EventPage;
use std::collections::BTreeMap;

/// The most events after the seen one that are read to look for replies: a timeline
/// that grew by more while one reply was written is a conversation that moved on, and
/// the first thousand show it.
const MAX_EVENTS_READ: i64 = 1000;

impl Tickets<'_> {
    /// Refuses a reply written against `seen` when someone else replied since.
    pub(super) async fn check_replied_meanwhile(
        &self,
        actor: &Actor,
        ticket: &Ticket,
        seen: EventId,
    ) -> Result<(), AppError> {
        let page = EventPage {
            after: Some(seen),
            limit: MAX_EVENTS_READ,
        };
        let events: Vec<_> = self
            .app
            .db()
            .list_events(ticket.id, actor.is_staff(), &page)
            .await?
            .into_iter()
            .filter(|e| actor.can_see_event(e))
            .collect();
        let replies = replies_since(&events, seen, actor.user_id);
        if replies.is_empty() {
            return Ok(());
        }
        let names = self
            .author_names(replies.iter().filter_map(|e| e.actor_id))
            .await?;
        let replies = replies
            .into_iter()
            .map(|event| MeanwhileReply {
                event_id: event.id,
                author_id: event.actor_id,
                author: event
                    .actor_id
                    .and_then(|id| names.get(&id).cloned())
                    .unwrap_or_else(|| "The desk".to_owned()),
                created_at: event.created_at,
                body: match &event.kind {
                    EventKind::Reply { body } => body.clone(),
                    _ => String::new(),
                },
            })
            .collect();
        let newest_event_id = events.last().map_or(seen, |e| e.id);
        Err(AppError::RepliedMeanwhile(Box::new(RepliedMeanwhile {
            replies,
            newest_event_id,
        })))
    }

    /// Names of the authors: staff from the settings snapshot, anyone else (the
    /// requester, a colleague of theirs) read once each.
    async fn author_names(
        &self,
        ids: impl Iterator<Item = UserId>,
    ) -> Result<BTreeMap<UserId, String>, AppError> {
        let settings = self.app.settings().await?;
        let mut names = BTreeMap::new();
        for id in ids {
            if names.contains_key(&id) {
                continue;
            }
            let name = match settings.staff.iter().find(|u| u.id == id) {
                Some(user) => user.name.clone(),
                None => self.app.db().get_user(id).await?.name,
            };
            names.insert(id, name);
        }
        Ok(names)
    }
}
