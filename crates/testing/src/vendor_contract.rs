//! The contract of [`VendorStore`](ferrodesk_store::VendorStore), run on both backends
//! through [`vendor_contract_tests!`](crate::vendor_contract_tests) (which
//! [`store_contract_tests!`](crate::store_contract_tests) expands).
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

use ferrodesk_domain::{
    Channel, EventKind, NewEvent, Role, TicketStatus, Vendor, VendorFields, VendorId,
};
use ferrodesk_store::{Conflict, PageRequest, StoreError, TicketChange, TicketWrite};
use jiff::Timestamp;

use crate::contract::{TestStore, at, create, ticket, user};

/// Expands to one `#[tokio::test]` per vendor contract test.
#[macro_export]
macro_rules! vendor_contract_tests {
    ($make:expr) => {
        $crate::contract_test_fns!(vendor_contract, $make;
            vendors_are_created_changed_listed_and_unique,
            a_hand_off_opens_a_case_with_its_ticket_and_the_answer_closes_it,
            a_reference_is_unique_and_a_refused_hand_off_writes_nothing,
            threads_are_found_by_ticket_or_reference,
        );
    };
}

fn fields(name: &str, email: &str, hours: i64) -> VendorFields {
    VendorFields::parse(name, email, Some("C-1"), hours, None).unwrap()
}

async fn vendor(store: &TestStore, name: &str) -> Vendor {
    store
        .create_vendor(fields(name, "cases@acme.example", 8), at(0))
        .await
        .unwrap()
}

fn handoff(vendor: &Vendor, reference: &str, now: Timestamp) -> NewEvent {
    NewEvent::new(
        EventKind::VendorHandoff {
            vendor_id: vendor.id,
            vendor_name: vendor.name.clone(),
            reference: reference.into(),
            message: "please repair".into(),
            due_at: ferrodesk_domain::vendor::due_at(now, vendor.response_hours),
        },
        None,
        Channel::Agent,
        now,
    )
}

fn write(change: TicketChange) -> TicketWrite {
    TicketWrite {
        changes: vec![change],
        links: vec![],
        idempotency: None,
        settings_version: None,
    }
}

/// Vendors are created, read, changed and listed by name; a name is unique.
pub async fn vendors_are_created_changed_listed_and_unique(store: TestStore) {
    let acme = vendor(&store, "Acme").await;
    assert!(acme.is_active);
    assert_eq!(store.get_vendor(acme.id).await.unwrap(), acme);
    let taken = store
        .create_vendor(fields("Acme", "other@acme.example", 4), at(1))
        .await
        .unwrap_err();
    assert_eq!(
        taken.conflict_kind(),
        Some(Conflict::Unique("vendors_name_key"))
    );
    let telco = vendor(&store, "Telco").await;
    let saved = store
        .save_vendor(
            telco.id,
            fields("Telco Carrier", "noc@telco.example", 24),
            false,
            at(5),
        )
        .await
        .unwrap();
    assert_eq!(saved.name, "Telco Carrier");
    assert!(!saved.is_active);
    assert_eq!(saved.created_at, at(0));
    assert_eq!(store.get_vendor(telco.id).await.unwrap(), saved);
    let renamed = store
        .save_vendor(
            telco.id,
            fields("Acme", "noc@telco.example", 24),
            true,
            at(6),
        )
        .await
        .unwrap_err();
    assert!(matches!(renamed, StoreError::Conflict { .. }));
    let missing = store
        .save_vendor(VendorId(999), fields("X", "x@x.example", 1), true, at(6))
        .await
        .unwrap_err();
    assert!(matches!(missing, StoreError::NotFound { .. }));
    assert!(matches!(
        store.get_vendor(VendorId(999)).await.unwrap_err(),
        StoreError::NotFound { .. }
    ));
    let first = store.list_vendors(&PageRequest::first(1)).await.unwrap();
    assert_eq!(first.items, vec![acme]);
    let mut next = PageRequest::first(1);
    next.cursor = first.next_cursor;
    let second = store.list_vendors(&next).await.unwrap();
    assert_eq!(second.items, vec![saved]);
    assert!(second.next_cursor.is_none());
}

/// A hand-off event opens its case in the ticket's write; the vendor's message marks
/// it answered.
pub async fn a_hand_off_opens_a_case_with_its_ticket_and_the_answer_closes_it(store: TestStore) {
    let ana = user(&store, "ana@example.com", Role::Customer).await;
    let acme = vendor(&store, "Acme").await;
    let before = create(&store, ticket(&ana, "Printer jam", at(10))).await;
    let mut after = before.clone();
    after.status = TicketStatus::PendingVendor;
    after.updated_at = at(20);
    store
        .save_tickets(write(TicketChange::new(
            before.clone(),
            after,
            vec![handoff(&acme, "V-10001-1", at(20))],
        )))
        .await
        .unwrap();
    let cases = store.list_vendor_cases(before.id).await.unwrap();
    assert_eq!(cases.len(), 1);
    let case = &cases[0];
    assert_eq!(case.reference, "V-10001-1");
    assert_eq!(case.vendor_name, "Acme");
    assert_eq!(case.opened_at, at(20));
    assert_eq!(case.due_at, at(20 + 8 * 3600));
    assert_eq!(case.answered_at, None);

    let current = store.get_ticket(before.id).await.unwrap();
    let mut reopened = current.clone();
    reopened.status = TicketStatus::Open;
    reopened.updated_at = at(30);
    let answer = NewEvent::new(
        EventKind::VendorMessage {
            vendor_id: acme.id,
            vendor_name: acme.name.clone(),
            reference: "V-10001-1".into(),
            body: "fixed".into(),
        },
        None,
        Channel::Email,
        at(30),
    );
    store
        .save_tickets(write(TicketChange::new(current, reopened, vec![answer])))
        .await
        .unwrap();
    let cases = store.list_vendor_cases(before.id).await.unwrap();
    assert_eq!(cases[0].answered_at, Some(at(30)));
}

/// A reference is used once; a hand-off refused for it or for an unknown vendor
/// leaves the ticket as it was.
pub async fn a_reference_is_unique_and_a_refused_hand_off_writes_nothing(store: TestStore) {
    let ana = user(&store, "ana@example.com", Role::Customer).await;
    let acme = vendor(&store, "Acme").await;
    let before = create(&store, ticket(&ana, "Printer jam", at(10))).await;
    store
        .save_tickets(write(TicketChange::new(
            before.clone(),
            before.clone(),
            vec![handoff(&acme, "V-10001-1", at(20))],
        )))
        .await
        .unwrap();
    let current = store.get_ticket(before.id).await.unwrap();
    let again = store
        .save_tickets(write(TicketChange::new(
            current.clone(),
            current.clone(),
            vec![handoff(&acme, "V-10001-1", at(30))],
        )))
        .await
        .unwrap_err();
    assert_eq!(
        again.conflict_kind(),
        Some(Conflict::Unique("vendor_cases_reference_key"))
    );
    assert_eq!(
        store.get_ticket(before.id).await.unwrap().version,
        current.version
    );
    let ghost = Vendor {
        id: VendorId(999),
        ..acme.clone()
    };
    let unknown = store
        .save_tickets(write(TicketChange::new(
            current.clone(),
            current.clone(),
            vec![handoff(&ghost, "V-10001-2", at(30))],
        )))
        .await
        .unwrap_err();
    assert!(matches!(unknown, StoreError::NotFound { .. }), "{unknown}");
    assert_eq!(store.list_vendor_cases(before.id).await.unwrap().len(), 1);
}

/// An answer's cases are found by its ticket or by the reference in its subject.
pub async fn threads_are_found_by_ticket_or_reference(store: TestStore) {
    let ana = user(&store, "ana@example.com", Role::Customer).await;
    let acme = vendor(&store, "Acme").await;
    let one = create(&store, ticket(&ana, "Printer jam", at(10))).await;
    let two = create(&store, ticket(&ana, "Line down", at(11))).await;
    for (t, reference) in [(&one, "V-10001-1"), (&two, "V-10002-1")] {
        store
            .save_tickets(write(TicketChange::new(
                t.clone(),
                t.clone(),
                vec![handoff(&acme, reference, at(20))],
            )))
            .await
            .unwrap();
    }
    let by_ticket = store.find_vendor_threads(Some(one.id), None).await.unwrap();
    assert_eq!(by_ticket.len(), 1);
    assert_eq!(by_ticket[0].case.reference, "V-10001-1");
    assert_eq!(by_ticket[0].vendor, acme);
    let by_reference = store
        .find_vendor_threads(None, Some("V-10002-1".into()))
        .await
        .unwrap();
    assert_eq!(by_reference.len(), 1);
    assert_eq!(by_reference[0].case.ticket_id, two.id);
    let none = store
        .find_vendor_threads(None, Some("V-10009-1".into()))
        .await
        .unwrap();
    assert!(none.is_empty());
}
