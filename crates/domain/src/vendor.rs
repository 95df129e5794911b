//! Outside vendors: the suppliers and carriers a ticket is handed off to, each with its
//! own promise of a response time.
//!
//! A hand-off opens a [`VendorCase`] with a [`VendorReference`] (`V-10042-1`: the
//! ticket's number and which hand-off of the ticket it is), due by the vendor's
//! promise ([`due_at`]). The vendor's answer by mail is recognised by that reference
//! or by the thread, when it comes from the vendor's address or domain
//! ([`Vendor::sent`]).

use crate::id::{TicketId, VendorId};
use crate::value::{EmailAddress, InvalidValue, NonEmpty};
use jiff::{SignedDuration, Timestamp};
use std::fmt;

/// The longest vendor name.
pub const MAX_NAME_CHARS: usize = 200;
/// The longest contract reference.
pub const MAX_CONTRACT_CHARS: usize = 200;
/// The longest notes.
pub const MAX_NOTES_CHARS: usize = 4_000;
/// The longest response promise: a year, in hours.
pub const MAX_RESPONSE_HOURS: i64 = 24 * 366;

/// A vendor in the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vendor {
    /// Id.
    pub id: VendorId,
    /// Unique name ("Acme Printer Service").
    pub name: String,
    /// Where hand-offs are mailed.
    pub email: EmailAddress,
    /// The contract or customer number the vendor knows the desk by.
    pub contract_ref: Option<String>,
    /// The vendor's promise: a first answer within this many hours.
    pub response_hours: i64,
    /// Anything staff should know (hours of the hotline, escalation contacts).
    pub notes: Option<String>,
    /// Whether tickets may be handed off to it.
    pub is_active: bool,
    /// Created.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

impl Vendor {
    /// Whether mail from `from` comes from this vendor: its contact address, or any
    /// address of the contact's domain (a colleague at the vendor answering the case).
    pub fn sent(&self, from: &EmailAddress) -> bool {
        let domain = |address: &EmailAddress| {
            address
                .as_str()
                .rsplit_once('@')
                .map(|(_, d)| d.to_ascii_lowercase())
        };
        from.as_str().eq_ignore_ascii_case(self.email.as_str())
            || (domain(from).is_some() && domain(from) == domain(&self.email))
    }
}

/// A vendor's fields, checked: what the directory stores on create and edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendorFields {
    /// Name, trimmed.
    pub name: String,
    /// Contact address.
    pub email: EmailAddress,
    /// Contract reference, trimmed; blank is none.
    pub contract_ref: Option<String>,
    /// The response promise in hours.
    pub response_hours: i64,
    /// Notes, trimmed; blank is none.
    pub notes: Option<String>,
}

impl VendorFields {
    /// Checks a vendor's fields as a person typed them.
    ///
    /// # Errors
    /// [`InvalidValue`] naming the first wrong field: `name` (blank or too long),
    /// `email`, `contract_ref`, `response_hours` (not 1 to a year) or `notes`.
    pub fn parse(
        name: &str,
        email: &str,
        contract_ref: Option<&str>,
        response_hours: i64,
        notes: Option<&str>,
    ) -> Result<Self, InvalidValue> {
        let name = NonEmpty::parse("name", name, MAX_NAME_CHARS)?.into_string();
        let email =
            EmailAddress::parse(email).map_err(|e| InvalidValue::new("email", e.message))?;
        let optional = |field, text: Option<&str>, max| match text.map(str::trim) {
            None | Some("") => Ok(None),
            Some(text) => NonEmpty::parse(field, text, max).map(|t| Some(t.into_string())),
        };
        let contract_ref = optional("contract_ref", contract_ref, MAX_CONTRACT_CHARS)?;
        let notes = optional("notes", notes, MAX_NOTES_CHARS)?;
        if !(1..=MAX_RESPONSE_HOURS).contains(&response_hours) {
            return Err(InvalidValue::new(
                "response_hours",
                format!("must be between 1 and {MAX_RESPONSE_HOURS} hours"),
            ));
        }
        Ok(VendorFields {
            name,
            email,
            contract_ref,
            response_hours,
            notes,
        })
    }
}

/// When a vendor's answer is due: the hand-off time plus the vendor's promise, in
/// wall-clock hours (vendors promise "within 8 hours", not business hours of the desk).
pub fn due_at(opened_at: Timestamp, response_hours: i64) -> Timestamp {
    let hours = response_hours.clamp(0, MAX_RESPONSE_HOURS);
    opened_at
        .checked_add(SignedDuration::from_hours(hours))
        .unwrap_or(opened_at)
}

/// The reference of a hand-off, `V-10042-1`: the ticket's number and the hand-off's
/// position among the ticket's hand-offs. Unique across the desk, short enough to read
/// on the phone, and found again in the subject of the vendor's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VendorReference {
    /// The ticket.
    pub ticket_id: TicketId,
    /// Which hand-off of the ticket, from 1.
    pub sequence: i64,
}

impl VendorReference {
    /// The reference of the `sequence`-th hand-off of `ticket_id`.
    pub fn new(ticket_id: TicketId, sequence: i64) -> Self {
        VendorReference {
            ticket_id,
            sequence,
        }
    }

    /// The reference of the hand-off after `earlier` hand-offs of the ticket.
    pub fn next(ticket_id: TicketId, earlier: usize) -> Self {
        let earlier = i64::try_from(earlier).unwrap_or(i64::MAX - 1);
        VendorReference::new(ticket_id, earlier.saturating_add(1))
    }

    /// Reads a reference written exactly (`V-10042-1`, any case).
    pub fn parse(text: &str) -> Option<Self> {
        let rest = text
            .trim()
            .strip_prefix('V')
            .or_else(|| text.trim().strip_prefix('v'))?;
        let rest = rest.strip_prefix('-')?;
        let (ticket, sequence) = rest.split_once('-')?;
        let all_digits =
            |s: &str| !s.is_empty() && s.len() <= 18 && s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(ticket) || !all_digits(sequence) {
            return None;
        }
        let ticket_id = TicketId::parse_number(ticket)?;
        let sequence: i64 = sequence.parse().ok()?;
        (sequence >= 1).then_some(VendorReference::new(ticket_id, sequence))
    }

    /// The first reference in a subject line (`Re: [V-10042-1] Printer jam [#10042]`).
    pub fn find_in(subject: &str) -> Option<Self> {
        subject
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .find_map(VendorReference::parse)
    }
}

impl fmt::Display for VendorReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "V-{}-{}", self.ticket_id.get(), self.sequence)
    }
}

/// A ticket's case with a vendor: opened by a hand-off, answered by the vendor's first
/// message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendorCase {
    /// Id.
    pub id: i64,
    /// The ticket.
    pub ticket_id: TicketId,
    /// The vendor.
    pub vendor_id: VendorId,
    /// The vendor's name now.
    pub vendor_name: String,
    /// The reference (`V-10042-1`).
    pub reference: String,
    /// When the ticket was handed off.
    pub opened_at: Timestamp,
    /// When the vendor first answered.
    pub answered_at: Option<Timestamp>,
    /// When the answer is due by the vendor's promise.
    pub due_at: Timestamp,
}

impl VendorCase {
    /// Whether the vendor owes an answer past its promise at `now`.
    pub fn is_overdue(&self, now: Timestamp) -> bool {
        self.answered_at.is_none() && now > self.due_at
    }

    /// Whether the vendor has not answered yet.
    pub fn is_open(&self) -> bool {
        self.answered_at.is_none()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // a test reports failure by panicking
    use super::*;

    fn vendor(email: &str) -> Vendor {
        Vendor {
            id: VendorId(1),
            name: "Acme".into(),
            email: EmailAddress::parse(email).unwrap(),
            contract_ref: None,
            response_hours: 8,
            notes: None,
            is_active: true,
            created_at: Timestamp::UNIX_EPOCH,
            updated_at: Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn a_reference_names_the_ticket_and_the_hand_off() {
        let reference = VendorReference::next(TicketId(10042), 0);
        assert_eq!(reference.to_string(), "V-10042-1");
        assert_eq!(
            VendorReference::next(TicketId(10042), 2).to_string(),
            "V-10042-3"
        );
        assert_eq!(VendorReference::parse("V-10042-1"), Some(reference));
        assert_eq!(VendorReference::parse("v-10042-1"), Some(reference));
    }

    #[test]
    fn malformed_references_are_not_read() {
        for text in [
            "V-10042",
            "V-42-1",
            "V-10042-0",
            "X-10042-1",
            "V-10042-x",
            "V--1",
            "",
        ] {
            assert_eq!(VendorReference::parse(text), None, "{text}");
        }
    }

    #[test]
    fn the_reference_is_found_in_an_answers_subject() {
        assert_eq!(
            VendorReference::find_in("Re: [V-10042-2] Printer jam [#10042]"),
            Some(VendorReference::new(TicketId(10042), 2))
        );
        assert_eq!(VendorReference::find_in("Re: Printer jam [#10042]"), None);
    }

    #[test]
    fn the_answer_is_due_after_the_vendors_promise_in_wall_clock_hours() {
        let opened: Timestamp = "2026-03-06T16:00:00Z".parse().unwrap();
        let due: Timestamp = "2026-03-07T00:00:00Z".parse().unwrap();
        assert_eq!(due_at(opened, 8), due);
        let case = VendorCase {
            id: 1,
            ticket_id: TicketId(10042),
            vendor_id: VendorId(1),
            vendor_name: "Acme".into(),
            reference: "V-10042-1".into(),
            opened_at: opened,
            answered_at: None,
            due_at: due,
        };
        assert!(!case.is_overdue(due));
        assert!(case.is_overdue(due.checked_add(SignedDuration::from_secs(1)).unwrap()));
        let answered = VendorCase {
            answered_at: Some(opened),
            ..case
        };
        assert!(!answered.is_overdue(due.checked_add(SignedDuration::from_hours(1)).unwrap()));
    }

    #[test]
    fn mail_from_the_vendors_address_or_domain_is_the_vendors() {
        let acme = vendor("cases@acme.example");
        let from = |a: &str| EmailAddress::parse(a).unwrap();
        assert!(acme.sent(&from("cases@acme.example")));
        assert!(acme.sent(&from("CASES@ACME.example")));
        assert!(acme.sent(&from("jane@acme.example")));
        assert!(!acme.sent(&from("cases@acme.example.org")));
        assert!(!acme.sent(&from("mallory@evil.example")));
    }

    #[test]
    fn vendor_fields_are_checked() {
        let ok = VendorFields::parse(" Acme ", "cases@acme.example", Some(" "), 8, None).unwrap();
        assert_eq!(ok.name, "Acme");
        assert_eq!(ok.contract_ref, None);
        let field = |r: Result<VendorFields, InvalidValue>| r.unwrap_err().field;
        assert_eq!(
            field(VendorFields::parse("", "a@b.example", None, 8, None)),
            "name"
        );
        assert_eq!(
            field(VendorFields::parse("Acme", "nope", None, 8, None)),
            "email"
        );
        assert_eq!(
            field(VendorFields::parse("Acme", "a@b.example", None, 0, None)),
            "response_hours"
        );
    }
}
