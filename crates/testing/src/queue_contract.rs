//! The work queue's part of the store contract: each person's queue columns. Run by
//! both adapters through [`store_contract_tests!`](crate::store_contract_tests), which
//! expands [`queue_contract_tests!`](crate::queue_contract_tests) too.
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

use crate::contract::{TestStore, at, user};
use ferrodesk_domain::{Role, UserId};
use ferrodesk_store::StoreError;

/// Expands to one `#[tokio::test]` per queue contract test.
#[macro_export]
macro_rules! queue_contract_tests {
    ($make:expr) => {
        $crate::contract_test_fns!(queue_contract, $make;
            queue_columns_are_per_person_and_replaced_on_save,
            queue_columns_of_an_unknown_person_are_not_found,
        );
    };
}

/// Nothing is stored until a person chooses; a second choice replaces the first; one
/// person's choice is not another's.
pub async fn queue_columns_are_per_person_and_replaced_on_save(store: TestStore) {
    let ola = user(&store, "ola@desk.example", Role::Agent).await;
    let kari = user(&store, "kari@desk.example", Role::Agent).await;
    assert_eq!(store.find_queue_columns(ola.id).await.unwrap(), None);

    store
        .save_queue_columns(ola.id, "subject,status".into(), at(1))
        .await
        .unwrap();
    store
        .save_queue_columns(ola.id, "number,tags,subject".into(), at(2))
        .await
        .unwrap();
    assert_eq!(
        store.find_queue_columns(ola.id).await.unwrap().as_deref(),
        Some("number,tags,subject")
    );
    assert_eq!(store.find_queue_columns(kari.id).await.unwrap(), None);
}

/// Columns for a person who does not exist are refused and nothing is stored.
pub async fn queue_columns_of_an_unknown_person_are_not_found(store: TestStore) {
    let err = store
        .save_queue_columns(UserId(987_654), "subject".into(), at(1))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    assert_eq!(
        store.find_queue_columns(UserId(987_654)).await.unwrap(),
        None
    );
}
