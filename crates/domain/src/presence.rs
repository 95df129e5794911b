//! Working on the same ticket: who else has it open ("Ola is viewing", "Ola is
//! replying"), and which messages arrived while a reply was being written.
//!
//! A page reports its viewer's activity every few seconds; a presence is alive while
//! its last report is younger than [`PRESENCE_TIMEOUT`], so a closed tab or a lost
//! network drops out on its own, also when it never said goodbye.

use crate::event::{Event, EventKind, Visibility};
use crate::id::{EventId, TicketId, UserId};
use crate::string_enum;
use jiff::{SignedDuration, Timestamp};

/// How long a report of presence counts. Pages report every few seconds (the agent
/// page every five), so a presence survives a few missed reports but not a tab closed
/// without a goodbye for longer than this.
pub const PRESENCE_TIMEOUT: SignedDuration = SignedDuration::from_secs(30);

string_enum!(
    /// What a member of staff is doing on a ticket.
    Activity {
        /// The ticket is open in front of them.
        Viewing = "viewing",
        /// They are writing a reply or note on it.
        Replying = "replying",
    }
);

/// One person on one ticket, as last reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presence {
    /// The ticket.
    pub ticket_id: TicketId,
    /// Who.
    pub user_id: UserId,
    /// What they are doing.
    pub activity: Activity,
    /// When they last reported it.
    pub seen_at: Timestamp,
}

impl Presence {
    /// Whether the report still counts at `now` (younger than [`PRESENCE_TIMEOUT`]).
    pub fn is_alive(&self, now: Timestamp) -> bool {
        now.duration_since(self.seen_at) < PRESENCE_TIMEOUT
    }
}

/// The oldest report that still counts at `now`.
pub fn alive_since(now: Timestamp) -> Timestamp {
    now.checked_sub(PRESENCE_TIMEOUT).unwrap_or(now)
}

/// The others alive on a ticket at `now`, without `me`: replying first, then by who
/// reported last.
pub fn others(presences: &[Presence], me: UserId, now: Timestamp) -> Vec<Presence> {
    let mut found: Vec<Presence> = presences
        .iter()
        .filter(|p| p.user_id != me && p.is_alive(now))
        .cloned()
        .collect();
    found.sort_by(|a, b| {
        (b.activity == Activity::Replying)
            .cmp(&(a.activity == Activity::Replying))
            .then(b.seen_at.cmp(&a.seen_at))
            .then(a.user_id.cmp(&b.user_id))
    });
    found
}

/// The public replies (a staff member's answer or the requester's message) that
/// someone other than `me` added after `seen`, the newest event a reply was written
/// against: what a reply sent now would talk over.
pub fn replies_since(events: &[Event], seen: EventId, me: UserId) -> Vec<&Event> {
    events
        .iter()
        .filter(|e| {
            e.id > seen
                && e.actor_id != Some(me)
                && e.visibility == Visibility::Public
                && matches!(e.kind, EventKind::Reply { .. })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ticket::Channel;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_735_689_600 + seconds).unwrap_or(Timestamp::UNIX_EPOCH)
    }

    fn presence(user: i64, activity: Activity, seconds: i64) -> Presence {
        Presence {
            ticket_id: TicketId(10001),
            user_id: UserId(user),
            activity,
            seen_at: at(seconds),
        }
    }

    fn event(id: i64, actor: i64, kind: EventKind, visibility: Visibility) -> Event {
        Event {
            id: EventId(id),
            ticket_id: TicketId(10001),
            kind,
            actor_id: Some(UserId(actor)),
            channel: Channel::Agent,
            visibility,
            created_at: at(id),
            attachments: Vec::new(),
        }
    }

    #[test]
    fn a_presence_counts_for_thirty_seconds() {
        let seen = presence(1, Activity::Viewing, 0);
        assert!(seen.is_alive(at(29)));
        assert!(!seen.is_alive(at(30)));
        assert_eq!(alive_since(at(100)), at(70));
    }

    #[test]
    fn others_leave_me_and_the_stale_out_and_put_replying_first() {
        let all = [
            presence(1, Activity::Viewing, 90),
            presence(2, Activity::Viewing, 95),
            presence(3, Activity::Replying, 80),
            presence(4, Activity::Replying, 10),
        ];
        let users: Vec<i64> = others(&all, UserId(1), at(100))
            .iter()
            .map(|p| p.user_id.get())
            .collect();
        assert_eq!(users, [3, 2]);
    }

    #[test]
    fn replies_since_are_public_replies_of_others_after_the_seen_event() {
        let reply = |body: &str| EventKind::Reply { body: body.into() };
        let events = [
            event(5, 2, reply("before"), Visibility::Public),
            event(6, 1, reply("mine"), Visibility::Public),
            event(
                7,
                2,
                EventKind::Note { body: "n".into() },
                Visibility::Internal,
            ),
            event(8, 3, reply("customer"), Visibility::Public),
        ];
        let ids: Vec<i64> = replies_since(&events, EventId(5), UserId(1))
            .iter()
            .map(|e| e.id.get())
            .collect();
        assert_eq!(ids, [8]);
    }
}
