//! The time-tracking part of the store contract. Run by both adapters through
//! [`store_contract_tests!`](crate::store_contract_tests), which expands
//! [`time_contract_tests!`](crate::time_contract_tests) too.
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

use crate::contract::{TestStore, at, change, create, group, reply, ticket, user, write};
use ferrodesk_domain::{Role, TicketId, UserId};
use ferrodesk_store::{NewTimeEntry, StoreError, TimeTotal};

/// Expands to one `#[tokio::test]` per time-tracking contract test.
#[macro_export]
macro_rules! time_contract_tests {
    ($make:expr) => {
        $crate::contract_test_fns!(time_contract, $make;
            time_logged_with_a_reply_is_written_with_it_and_points_at_it,
            time_is_logged_on_its_own_listed_and_summed,
            time_totals_are_per_agent_and_per_group_within_the_period,
            time_on_an_unknown_ticket_or_person_is_not_found,
        );
    };
}

fn entry(user_id: UserId, minutes: i32, seconds: i64) -> NewTimeEntry {
    NewTimeEntry {
        user_id,
        minutes,
        created_at: at(seconds),
    }
}

/// A change carrying time writes the entry in its transaction, naming its reply; a
/// stale change writes neither.
pub async fn time_logged_with_a_reply_is_written_with_it_and_points_at_it(store: TestStore) {
    let carla = user(&store, "carla@example.com", Role::Customer).await;
    let ola = user(&store, "ola@desk.example", Role::Agent).await;
    let created = create(&store, ticket(&carla, "Printer jams", at(0))).await;

    let mut sent = change(
        &created,
        |t| t.updated_at = at(60),
        vec![reply(&ola, "Fixed", at(60))],
    );
    sent.time_entry = Some(entry(ola.id, 25, 60));
    let events = store
        .save_tickets(write(vec![sent.clone()]))
        .await
        .unwrap()
        .into_inner();
    let entries = store.list_time_entries(created.id).await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].minutes, 25);
    assert_eq!(entries[0].user_id, ola.id);
    assert_eq!(entries[0].ticket_id, created.id);
    assert_eq!(entries[0].event_id, Some(events[0].id));
    assert_eq!(entries[0].created_at, at(60));

    // The same change again is stale (its version is old): nothing more is written.
    let err = store.save_tickets(write(vec![sent])).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    assert_eq!(store.ticket_time_total(created.id).await.unwrap(), 25);
}

/// Entries logged on their own come back oldest first and add up.
pub async fn time_is_logged_on_its_own_listed_and_summed(store: TestStore) {
    let carla = user(&store, "carla@example.com", Role::Customer).await;
    let ola = user(&store, "ola@desk.example", Role::Agent).await;
    let created = create(&store, ticket(&carla, "VPN", at(0))).await;
    let other = create(&store, ticket(&carla, "Mouse", at(0))).await;
    assert_eq!(store.ticket_time_total(created.id).await.unwrap(), 0);
    assert!(
        store
            .list_time_entries(created.id)
            .await
            .unwrap()
            .is_empty()
    );

    let first = store
        .add_time_entry(created.id, entry(ola.id, 30, 10))
        .await
        .unwrap();
    assert_eq!(first.event_id, None);
    store
        .add_time_entry(created.id, entry(ola.id, 1440, 20))
        .await
        .unwrap();
    store
        .add_time_entry(other.id, entry(ola.id, 5, 30))
        .await
        .unwrap();
    let entries = store.list_time_entries(created.id).await.unwrap();
    let minutes: Vec<i32> = entries.iter().map(|e| e.minutes).collect();
    assert_eq!(minutes, vec![30, 1440]);
    assert_eq!(entries[0], first);
    assert_eq!(store.ticket_time_total(created.id).await.unwrap(), 1470);
}

/// Totals count only the period, per agent and per the ticket's group, most first.
pub async fn time_totals_are_per_agent_and_per_group_within_the_period(store: TestStore) {
    let carla = user(&store, "carla@example.com", Role::Customer).await;
    let ola = user(&store, "ola@desk.example", Role::Agent).await;
    let kari = user(&store, "kari@desk.example", Role::Agent).await;
    let desk = group(&store, "Service Desk").await;
    let mut grouped = ticket(&carla, "Grouped", at(0));
    grouped.group_id = Some(desk.id);
    let grouped = create(&store, grouped).await;
    let loose = create(&store, ticket(&carla, "Loose", at(0))).await;
    for (id, who, minutes, seconds) in [
        (grouped.id, ola.id, 20, 100),
        (grouped.id, kari.id, 50, 200),
        (loose.id, ola.id, 15, 300),
        // Outside the period.
        (grouped.id, ola.id, 600, 5_000),
    ] {
        store
            .add_time_entry(id, entry(who, minutes, seconds))
            .await
            .unwrap();
    }
    let by_agent = store.time_by_agent(at(0), at(1_000)).await.unwrap();
    assert_eq!(
        by_agent,
        vec![
            TimeTotal {
                key: kari.id,
                minutes: 50,
                entries: 1
            },
            TimeTotal {
                key: ola.id,
                minutes: 35,
                entries: 2
            },
        ]
    );
    let by_group = store.time_by_group(at(0), at(1_000)).await.unwrap();
    assert_eq!(
        by_group,
        vec![
            TimeTotal {
                key: Some(desk.id),
                minutes: 70,
                entries: 2
            },
            TimeTotal {
                key: None,
                minutes: 15,
                entries: 1
            },
        ]
    );
    assert!(
        store
            .time_by_agent(at(10_000), at(20_000))
            .await
            .unwrap()
            .is_empty()
    );
}

/// An entry for a ticket or person that does not exist is refused and not written.
pub async fn time_on_an_unknown_ticket_or_person_is_not_found(store: TestStore) {
    let carla = user(&store, "carla@example.com", Role::Customer).await;
    let ola = user(&store, "ola@desk.example", Role::Agent).await;
    let created = create(&store, ticket(&carla, "Laptop", at(0))).await;
    let err = store
        .add_time_entry(TicketId(999_999), entry(ola.id, 5, 1))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    let err = store
        .add_time_entry(created.id, entry(UserId(999_999), 5, 1))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    assert!(
        store
            .list_time_entries(created.id)
            .await
            .unwrap()
            .is_empty()
    );
}
