//! The sample desk's outside vendors: a printer maintenance company and a telecom
//! carrier, and open tickets waiting on them, handed off a few hours ago through the
//! same ticket write as the desk's (so each has its case, due by the vendor's promise;
//! the carrier's is overdue).

use crate::SeedError;
use ferrodesk_domain::vendor::{VendorReference, due_at};
use ferrodesk_domain::{Channel, EventKind, NewEvent, TicketScope, TicketStatus, VendorFields};
use ferrodesk_store::{PageRequest, Store, TicketChange, TicketFilter, TicketQuery, TicketWrite};
use jiff::{SignedDuration, Timestamp};

/// A sample vendor and the ticket handed off to it.
struct SampleVendor {
    name: &'static str,
    email: &'static str,
    contract: &'static str,
    hours: i64,
    notes: &'static str,
    /// A word of the subject of the open ticket handed to it (any when empty).
    subject: &'static str,
    /// How many hours ago it was handed off.
    ago: i64,
    /// What the vendor was asked.
    message: &'static str,
}

const VENDORS: [SampleVendor; 2] = [
    SampleVendor {
        name: "Nordic Print Care",
        email: "service@nordicprint.example",
        contract: "NPC-4471",
        hours: 8,
        notes: "Maintenance contract for every multifunction printer. Hotline weekdays 07-17.",
        subject: "rint",
        ago: 3,
        message: "The printer smears toner on every page after the last service. Please send a technician with a fuser unit.",
    },
    SampleVendor {
        name: "Fjord Telecom",
        email: "noc@fjordtelecom.example",
        contract: "FT-88120",
        hours: 24,
        notes: "Carrier for the office lines and the branch VPN circuits. Quote the circuit id.",
        subject: "",
        ago: 30,
        message: "The branch circuit drops several times an hour since Monday. Please check the line from your side.",
    },
];

/// Adds the vendors and hands one open ticket off to each.
///
/// # Errors
/// [`SeedError::Store`] when a vendor or a hand-off cannot be written.
pub async fn seed_vendors(store: &dyn Store, now: Timestamp) -> Result<usize, SeedError> {
    let mut handed = Vec::new();
    for sample in VENDORS {
        let SampleVendor {
            name,
            email,
            contract,
            hours,
            notes,
            subject,
            ago,
            message,
        } = sample;
        let fields = VendorFields::parse(name, email, Some(contract), hours, Some(notes))?;
        let vendor = store.create_vendor(fields, now).await?;
        let query = TicketQuery {
            filter: TicketFilter {
                statuses: vec![TicketStatus::Open],
                subject_contains: (!subject.is_empty()).then(|| subject.to_owned()),
                ..TicketFilter::default()
            },
            page: PageRequest::first(10),
            ..TicketQuery::default()
        };
        let tickets = store.list_tickets(&TicketScope::All, &query).await?.items;
        let Some(before) = tickets.into_iter().find(|t| !handed.contains(&t.id)) else {
            continue;
        };
        handed.push(before.id);
        let at = now - SignedDuration::from_hours(ago);
        let mut after = before.clone();
        after.status = TicketStatus::PendingVendor;
        after.updated_at = before.updated_at.max(at);
        let actor = before.assignee_id;
        let events = vec![
            NewEvent::new(
                EventKind::StatusChanged {
                    from: before.status,
                    to: TicketStatus::PendingVendor,
                },
                actor,
                Channel::Agent,
                at,
            ),
            NewEvent::new(
                EventKind::VendorHandoff {
                    vendor_id: vendor.id,
                    vendor_name: vendor.name.clone(),
                    reference: VendorReference::next(before.id, 0).to_string(),
                    message: message.to_owned(),
                    due_at: due_at(at, vendor.response_hours),
                },
                actor,
                Channel::Agent,
                at,
            ),
        ];
        store
            .save_tickets(TicketWrite {
                changes: vec![TicketChange::new(before, after, events)],
                links: Vec::new(),
                idempotency: None,
                settings_version: None,
            })
            .await?;
    }
    Ok(handed.len())
}
