//! The sample desk is consistent: timelines replay to their tickets' states, every
//! working status is represented, and a desk with data is never seeded twice.

#![allow(clippy::unwrap_used)] // tests may unwrap (docs/STYLE.md, "Errors")

use ferrodesk_domain::{EventKind, TicketScope, TicketStatus};
use ferrodesk_seed::{SeedError, SeedOptions, seed};
use ferrodesk_store::{EventPage, PageRequest, TicketQuery, TicketStore};

async fn store() -> (tempfile::TempDir, ferrodesk_store_sqlite::SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = ferrodesk_store_sqlite::SqliteStore::open(&dir.path().join("desk.db"))
        .await
        .unwrap();
    (dir, store)
}

#[tokio::test]
async fn demo_desk_has_tickets_in_every_working_status_and_timelines_that_replay() {
    let (_dir, store) = store().await;
    let now = jiff::Timestamp::now();
    let summary = seed(&store, &SeedOptions::demo(now, None)).await.unwrap();
    assert_eq!(summary.tickets, 400);

    let counts = store.queue_counts().await.unwrap();
    let total: i64 = counts.by_status.values().sum();
    assert_eq!(total, 400, "queue counts follow the bulk path");
    for status in [
        TicketStatus::New,
        TicketStatus::Open,
        TicketStatus::PendingCustomer,
        TicketStatus::PendingVendor,
        TicketStatus::Resolved,
        TicketStatus::Closed,
    ] {
        assert!(
            counts.by_status.get(&status).copied().unwrap_or(0) > 0,
            "no {status} ticket"
        );
    }

    let page = store
        .list_tickets(
            &TicketScope::All,
            &TicketQuery {
                page: PageRequest::first(100),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    for ticket in page.items {
        assert!(
            ticket.created_at <= now && ticket.updated_at <= now,
            "no ticket lives in the future"
        );
        let events = store
            .list_events(ticket.id, true, &EventPage::default())
            .await
            .unwrap();
        assert!(matches!(
            events.first().map(|e| &e.kind),
            Some(EventKind::Created { .. })
        ));
        let replayed = events
            .iter()
            .filter_map(|e| match e.kind {
                EventKind::StatusChanged { to, .. } => Some(to),
                _ => None,
            })
            .next_back()
            .unwrap_or(TicketStatus::New);
        assert_eq!(
            replayed, ticket.status,
            "timeline of {} replays to its status",
            ticket.id
        );
    }
}

#[tokio::test]
async fn a_desk_with_tickets_is_never_seeded_again() {
    let (_dir, store) = store().await;
    let options = SeedOptions {
        tickets: 5,
        customers: 3,
        ..SeedOptions::demo(jiff::Timestamp::now(), None)
    };
    seed(&store, &options).await.unwrap();
    assert!(matches!(
        seed(&store, &options).await,
        Err(SeedError::NotEmpty)
    ));
}

#[test]
fn the_catalog_covers_complaints_and_problems() {
    let types = ferrodesk_seed::ticket_types_in_catalog();
    assert!(types.contains(&ferrodesk_domain::TicketType::Complaint));
    assert!(types.contains(&ferrodesk_domain::TicketType::Problem));
}
