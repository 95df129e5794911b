//! The presence part of the store contract: who has which ticket open. Run by both
//! adapters through [`store_contract_tests!`](crate::store_contract_tests), which
//! expands [`presence_contract_tests!`](crate::presence_contract_tests) too.
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

use crate::contract::{TestStore, at, create, ticket, user};
use ferrodesk_domain::{Activity, Presence, Role, TicketId, UserId};
use ferrodesk_store::StoreError;

/// Expands to one `#[tokio::test]` per presence contract test.
#[macro_export]
macro_rules! presence_contract_tests {
    ($make:expr) => {
        $crate::contract_test_fns!(presence_contract, $make;
            a_report_replaces_the_last_one_of_the_person_on_the_ticket,
            presence_is_read_for_a_page_of_tickets_since_a_time,
            leaving_forgets_the_ticket_and_the_persons_stale_reports,
            a_report_on_an_unknown_ticket_is_not_found,
        );
    };
}

fn report(ticket: TicketId, user: UserId, activity: Activity, seconds: i64) -> Presence {
    Presence {
        ticket_id: ticket,
        user_id: user,
        activity,
        seen_at: at(seconds),
    }
}

/// A second report of a person on a ticket replaces the first.
pub async fn a_report_replaces_the_last_one_of_the_person_on_the_ticket(store: TestStore) {
    let customer = user(&store, "ann@example.com", Role::Customer).await;
    let ola = user(&store, "ola@desk.example", Role::Agent).await;
    let t = create(&store, ticket(&customer, "VPN", at(0))).await;
    store
        .save_presence(report(t.id, ola.id, Activity::Viewing, 10))
        .await
        .unwrap();
    store
        .save_presence(report(t.id, ola.id, Activity::Replying, 15))
        .await
        .unwrap();
    let found = store.list_presence(&[t.id], at(0)).await.unwrap();
    assert_eq!(found, [report(t.id, ola.id, Activity::Replying, 15)]);
}

/// Reports are read for a set of tickets at once, only those since the given time.
pub async fn presence_is_read_for_a_page_of_tickets_since_a_time(store: TestStore) {
    let customer = user(&store, "ann@example.com", Role::Customer).await;
    let ola = user(&store, "ola@desk.example", Role::Agent).await;
    let kari = user(&store, "kari@desk.example", Role::Agent).await;
    let first = create(&store, ticket(&customer, "VPN", at(0))).await;
    let second = create(&store, ticket(&customer, "Printer", at(0))).await;
    let elsewhere = create(&store, ticket(&customer, "Mail", at(0))).await;
    for presence in [
        report(first.id, ola.id, Activity::Viewing, 100),
        report(first.id, kari.id, Activity::Replying, 40),
        report(second.id, kari.id, Activity::Viewing, 95),
        report(elsewhere.id, ola.id, Activity::Viewing, 100),
    ] {
        store.save_presence(presence).await.unwrap();
    }
    let found = store
        .list_presence(&[second.id, first.id, first.id], at(70))
        .await
        .unwrap();
    assert_eq!(
        found,
        [
            report(first.id, ola.id, Activity::Viewing, 100),
            report(second.id, kari.id, Activity::Viewing, 95),
        ]
    );
    assert!(store.list_presence(&[], at(0)).await.unwrap().is_empty());
}

/// Leaving forgets that ticket and the person's reports that no longer count, not
/// others' reports or the person's live ones.
pub async fn leaving_forgets_the_ticket_and_the_persons_stale_reports(store: TestStore) {
    let customer = user(&store, "ann@example.com", Role::Customer).await;
    let ola = user(&store, "ola@desk.example", Role::Agent).await;
    let kari = user(&store, "kari@desk.example", Role::Agent).await;
    let left = create(&store, ticket(&customer, "VPN", at(0))).await;
    let open = create(&store, ticket(&customer, "Printer", at(0))).await;
    let abandoned = create(&store, ticket(&customer, "Mail", at(0))).await;
    for presence in [
        report(left.id, ola.id, Activity::Replying, 100),
        report(open.id, ola.id, Activity::Viewing, 100),
        report(abandoned.id, ola.id, Activity::Viewing, 10),
        report(left.id, kari.id, Activity::Viewing, 100),
        report(abandoned.id, kari.id, Activity::Viewing, 10),
    ] {
        store.save_presence(presence).await.unwrap();
    }
    store
        .remove_presence(left.id, ola.id, at(70))
        .await
        .unwrap();
    // Leaving again, or a ticket never reported on, changes nothing.
    store
        .remove_presence(left.id, ola.id, at(70))
        .await
        .unwrap();
    let ids = [left.id, open.id, abandoned.id];
    let found = store.list_presence(&ids, at(0)).await.unwrap();
    assert_eq!(
        found,
        [
            report(left.id, kari.id, Activity::Viewing, 100),
            report(open.id, ola.id, Activity::Viewing, 100),
            report(abandoned.id, kari.id, Activity::Viewing, 10),
        ]
    );
}

/// A report on a ticket that does not exist is refused as not found.
pub async fn a_report_on_an_unknown_ticket_is_not_found(store: TestStore) {
    let ola = user(&store, "ola@desk.example", Role::Agent).await;
    let error = store
        .save_presence(report(TicketId(99_999), ola.id, Activity::Viewing, 10))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, StoreError::NotFound { what, .. } if what.contains("ticket")),
        "{error:?}"
    );
    assert!(
        store
            .list_presence(&[TicketId(99_999)], at(0))
            .await
            .unwrap()
            .is_empty()
    );
}
