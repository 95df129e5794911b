//! The canned-response part of the store contract. Run by both adapters through
//! [`store_contract_tests!`](crate::store_contract_tests), which expands
//! [`macro_contract_tests!`](crate::macro_contract_tests) too.
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

use crate::contract::{TestStore, at, user};
use ferrodesk_domain::{
    GroupId, MacroActions, MacroFields, MacroId, MacroScope, Priority, Role, TicketStatus, UserId,
};
use ferrodesk_store::StoreError;

/// Expands to one `#[tokio::test]` per macro contract test.
#[macro_export]
macro_rules! macro_contract_tests {
    ($make:expr) => {
        $crate::contract_test_fns!(macro_contract, $make;
            a_macro_is_saved_and_read_back_with_its_actions_and_scope,
            a_person_lists_their_own_macros_and_the_shared_ones_by_name,
            a_saved_macro_replaces_its_fields_and_a_deleted_one_is_gone,
            unknown_macros_and_owners_are_not_found,
        );
    };
}

fn fields(name: &str, scope: MacroScope) -> MacroFields {
    MacroFields {
        name: name.to_owned(),
        body: "Hello {{requester.name}}".to_owned(),
        internal: false,
        actions: MacroActions::default(),
        scope,
    }
}

fn personal(owner: UserId) -> MacroScope {
    MacroScope::Personal { owner_id: owner }
}

/// Everything saved comes back: body, internal flag, every action, the groups.
pub async fn a_macro_is_saved_and_read_back_with_its_actions_and_scope(store: TestStore) {
    let ola = user(&store, "ola@desk.example", Role::Agent).await;
    let mut shared = fields(
        "Waiting for you",
        MacroScope::Shared {
            group_ids: vec![GroupId(3), GroupId(5)],
        },
    );
    shared.internal = true;
    shared.actions = MacroActions {
        status: Some(TicketStatus::PendingCustomer),
        priority: Some(Priority::P2),
        group_id: Some(GroupId(3)),
        assignee_id: Some(ola.id),
        add_tags: vec!["waiting".to_owned()],
        remove_tags: vec!["new".to_owned()],
    };
    let created = store.create_macro(shared.clone(), at(10)).await.unwrap();
    assert_eq!(created.fields, shared);
    assert_eq!(store.get_macro(created.id).await.unwrap(), created);
    let own = store
        .create_macro(fields("Mine", personal(ola.id)), at(20))
        .await
        .unwrap();
    let read = store.get_macro(own.id).await.unwrap();
    assert_eq!(read.fields.scope, personal(ola.id));
    assert_eq!((read.created_at, read.updated_at), (at(20), at(20)));
}

/// A person's list holds their own and the shared macros, not someone else's.
pub async fn a_person_lists_their_own_macros_and_the_shared_ones_by_name(store: TestStore) {
    let ola = user(&store, "ola@desk.example", Role::Agent).await;
    let kari = user(&store, "kari@desk.example", Role::Agent).await;
    let everyone = MacroScope::Shared { group_ids: vec![] };
    for (name, scope) in [
        ("Toner", everyone.clone()),
        ("Kari's own", personal(kari.id)),
        ("Ola's own", personal(ola.id)),
        ("Password reset", everyone),
    ] {
        store
            .create_macro(fields(name, scope), at(0))
            .await
            .unwrap();
    }
    let names: Vec<String> = store
        .list_macros(ola.id)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.fields.name)
        .collect();
    assert_eq!(names, ["Ola's own", "Password reset", "Toner"]);
}

/// Saving replaces every field (also the scope); deleting removes the macro.
pub async fn a_saved_macro_replaces_its_fields_and_a_deleted_one_is_gone(store: TestStore) {
    let ola = user(&store, "ola@desk.example", Role::Agent).await;
    let created = store
        .create_macro(fields("Draft", personal(ola.id)), at(0))
        .await
        .unwrap();
    let mut changed = fields("Final", MacroScope::Shared { group_ids: vec![] });
    changed.body = "Bye {{agent.name}}".to_owned();
    changed.actions.status = Some(TicketStatus::Resolved);
    let saved = store
        .save_macro(created.id, changed.clone(), at(30))
        .await
        .unwrap();
    assert_eq!((saved.created_at, saved.updated_at), (at(0), at(30)));
    assert_eq!(store.get_macro(created.id).await.unwrap(), saved);
    store.delete_macro(created.id).await.unwrap();
    assert!(matches!(
        store.get_macro(created.id).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(store.list_macros(ola.id).await.unwrap().is_empty());
}

/// Unknown macros and owners are `NotFound`, and nothing is written.
pub async fn unknown_macros_and_owners_are_not_found(store: TestStore) {
    let ola = user(&store, "ola@desk.example", Role::Agent).await;
    let unknown = MacroId(999_999);
    let any = fields("X", personal(ola.id));
    assert!(matches!(
        store.get_macro(unknown).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.save_macro(unknown, any.clone(), at(0)).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.delete_macro(unknown).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store
            .create_macro(fields("Ghost", personal(UserId(999_999))), at(0))
            .await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(store.list_macros(ola.id).await.unwrap().is_empty());
}
