//! How each staff member wants to hear of their notifications beyond the bell: which
//! kinds are mailed, and whether mail comes at once or gathered in a digest.
//!
//! Every notification shows in the bell. A kind the person mails goes out as its own
//! message when the digest is off; with a digest, the unread notifications of mailed
//! kinds are gathered into one message per period, and nothing is mailed at once.
//! People who never chose have [`Preferences::default`]: the kinds that ask them to act
//! (a customer's answer, an assignment, a mention, a breach, an escalation, a reopened
//! ticket, a vendor's answer, a rule's call) are mailed at once; the group queue, SLA warnings and the
//! changes of watched tickets stay in the bell.

use super::NotificationKind;
use crate::InvalidValue;
use crate::string_enum;
use jiff::{SignedDuration, Timestamp};

string_enum!(
    /// How often a digest gathers a person's notifications.
    Digest {
        /// No digest: mailed kinds go out one by one.
        Off = "off",
        /// One message an hour at most.
        Hourly = "hourly",
        /// One message a day at most.
        Daily = "daily",
    }
);

impl Digest {
    /// The time between two digests (`None`: no digest).
    pub fn period(self) -> Option<SignedDuration> {
        match self {
            Digest::Off => None,
            Digest::Hourly => Some(SignedDuration::from_hours(1)),
            Digest::Daily => Some(SignedDuration::from_hours(24)),
        }
    }

    /// When the first digest is due for preferences chosen at `now`.
    pub fn first_due(self, now: Timestamp) -> Option<Timestamp> {
        self.period().and_then(|p| now.checked_add(p).ok())
    }
}

/// A staff member's choices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preferences {
    /// The kinds that are mailed, each once, in [`NotificationKind::ALL`] order.
    pub email: Vec<NotificationKind>,
    /// Whether mailed kinds are gathered.
    pub digest: Digest,
}

/// The kinds mailed to a person who never chose.
const MAILED_BY_DEFAULT: &[NotificationKind] = &[
    NotificationKind::CustomerReplied,
    NotificationKind::Assigned,
    NotificationKind::Mentioned,
    NotificationKind::Reopened,
    NotificationKind::Escalated,
    NotificationKind::SlaBreached,
    NotificationKind::VendorAnswered,
    NotificationKind::Rule,
];

impl Default for Preferences {
    fn default() -> Self {
        Preferences {
            email: MAILED_BY_DEFAULT.to_vec(),
            digest: Digest::Off,
        }
    }
}

impl Preferences {
    /// Preferences mailing `kinds` (duplicates dropped, put in the canonical order).
    pub fn new(kinds: &[NotificationKind], digest: Digest) -> Self {
        Preferences {
            email: NotificationKind::ALL
                .iter()
                .copied()
                .filter(|k| kinds.contains(k))
                .collect(),
            digest,
        }
    }

    /// Whether a notification of `kind` is mailed as its own message when it is made.
    pub fn mails_at_once(&self, kind: NotificationKind) -> bool {
        self.digest == Digest::Off && self.email.contains(&kind)
    }

    /// Whether a notification of `kind` belongs in the person's digest.
    pub fn in_digest(&self, kind: NotificationKind) -> bool {
        self.digest != Digest::Off && self.email.contains(&kind)
    }

    /// The mailed kinds as stored: `customer_replied,assigned`.
    pub fn email_text(&self) -> String {
        self.email
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Preferences read back from [`Preferences::email_text`] and a digest name.
    ///
    /// # Errors
    /// [`InvalidValue`] for an unknown kind or digest.
    pub fn parse(email: &str, digest: &str) -> Result<Self, InvalidValue> {
        let kinds = email
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(NotificationKind::parse)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Preferences::new(&kinds, Digest::parse(digest)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_mail_what_asks_to_act_at_once_and_keep_the_rest_in_the_bell() {
        let prefs = Preferences::default();
        assert!(prefs.mails_at_once(NotificationKind::Assigned));
        assert!(prefs.mails_at_once(NotificationKind::CustomerReplied));
        assert!(!prefs.mails_at_once(NotificationKind::GroupQueued));
        assert!(!prefs.mails_at_once(NotificationKind::WatchedChanged));
        assert!(!prefs.in_digest(NotificationKind::Assigned));
    }

    #[test]
    fn a_digest_gathers_the_mailed_kinds_instead_of_mailing_them_at_once() {
        let prefs = Preferences::new(&[NotificationKind::Mentioned], Digest::Daily);
        assert!(!prefs.mails_at_once(NotificationKind::Mentioned));
        assert!(prefs.in_digest(NotificationKind::Mentioned));
        assert!(!prefs.in_digest(NotificationKind::Assigned));
    }

    #[test]
    fn stored_text_reads_back_in_canonical_order_without_duplicates() {
        let prefs = Preferences::new(
            &[
                NotificationKind::SlaBreached,
                NotificationKind::Assigned,
                NotificationKind::Assigned,
            ],
            Digest::Hourly,
        );
        assert_eq!(prefs.email_text(), "assigned,sla_breached");
        assert_eq!(
            Preferences::parse(&prefs.email_text(), "hourly").ok(),
            Some(prefs)
        );
        assert_eq!(
            Preferences::parse("", "off").ok(),
            Some(Preferences::new(&[], Digest::Off))
        );
        assert!(Preferences::parse("assigned,nonsense", "off").is_err());
        assert!(Preferences::parse("assigned", "weekly").is_err());
    }

    #[test]
    fn digests_fall_due_one_period_after_they_are_chosen() {
        let now: Timestamp = "2026-03-02T08:00:00Z"
            .parse()
            .unwrap_or(Timestamp::UNIX_EPOCH);
        assert_eq!(Digest::Off.first_due(now), None);
        assert_eq!(
            Digest::Hourly.first_due(now).map(|t| t.to_string()),
            Some("2026-03-02T09:00:00Z".to_owned())
        );
        assert_eq!(
            Digest::Daily.first_due(now).map(|t| t.to_string()),
            Some("2026-03-03T08:00:00Z".to_owned())
        );
    }
}
