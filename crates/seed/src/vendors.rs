//! The sample desk's outside vendors: a printer maintenance company and a telecom
//! carrier, and open tickets waiting on them, handed off a few hours ago through the
//! same ticket write as the desk's (so each has its case, due by the vendor's promise;
//! the carrier's is overdue).

use crate::SeedError;
use ferrodesk_domain::vendor::{VendorReference, due_at};
use ferrodesk_domain::{Channel, EventKind, NewEvent, TicketScope, TicketStatus, VendorFields};
use ferrodesk_store::{PageRequest, Store, TicketChange, TicketFilter, TicketQuery, TicketWrite};
use jiff::{SignedDuration, Timestamp};

/// Name, address, contract, promise in hours, notes; the subject word of the ticket
/// handed to it; how many hours ago; the message.
const VENDORS: [(&str, &str, &str, i64, &str, &str, i64, &str); 2] = [
    (
        "Nordic Print Care",
        "service@nordicprint.example",
        "NPC-4471",
        8,
        "Maintenance contract for every multifunction printer. Hotline weekdays 07-17.",
        "rint",
        3,
        "The printer smears toner on every page after the last service. Please send a technician with a fuser unit.",
    ),
    (
        "Fjord Telecom",
        "noc@fjordtelecom.example",
        "FT-88120",
        24,
        "Carrier for the office lines and the branch VPN circuits. Quote the circuit id.",
        "",
        30,
        "The branch circuit drops several times an hour since Monday. Please check the line from your side.",
    ),
];

/// Adds the vendors and hands one open ticket off to each.
///
/// # Errors
/// [`SeedError::Store`] when a vendor or a hand-off cannot be written.
pub async fn seed_vendors(store: &dyn Store, now: Timestamp) -> Result<usize, SeedError> {
    let mut handed = Vec::new();
    for (name, email, contract, hours, notes, subject, ago, message) in VENDORS {
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
