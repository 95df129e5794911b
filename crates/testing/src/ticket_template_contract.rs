//! The ticket-template part of the store contract. Run by both adapters through
//! [`store_contract_tests!`](crate::store_contract_tests), which expands
//! [`ticket_template_contract_tests!`](crate::ticket_template_contract_tests) too.
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

use crate::contract::{TestStore, at};
use ferrodesk_domain::{
    CategoryId, Priority, TemplateAudience, TemplateSpec, TicketTemplateId, TicketType,
};
use ferrodesk_store::StoreError;
use std::collections::BTreeMap;

/// Expands to one `#[tokio::test]` per ticket-template contract test.
#[macro_export]
macro_rules! ticket_template_contract_tests {
    ($make:expr) => {
        $crate::contract_test_fns!(ticket_template_contract, $make;
            a_ticket_template_is_saved_listed_by_position_and_changed,
            a_ticket_template_without_optional_parts_round_trips,
            a_ticket_template_is_deleted_and_then_not_found,
        );
    };
}

fn spec(name: &str, position: i64) -> TemplateSpec {
    TemplateSpec {
        name: name.to_owned(),
        description: format!("{name}, described"),
        subject: format!("{name}: "),
        body: "- Model:\n- User:\n- Needed by:".to_owned(),
        category_id: Some(CategoryId(7)),
        ticket_type: Some(TicketType::ServiceRequest),
        priority: Some(Priority::P3),
        custom_values: BTreeMap::from([
            ("operating_system".to_owned(), "Linux".to_owned()),
            ("ram_gb".to_owned(), "16".to_owned()),
        ]),
        audience: TemplateAudience::Both,
        active: true,
        position,
    }
}

/// Everything saved comes back, templates list by position then id, a save replaces
/// the spec and keeps the creation time; an unknown id is not found.
pub async fn a_ticket_template_is_saved_listed_by_position_and_changed(store: TestStore) {
    let laptop = store
        .create_ticket_template(spec("New laptop", 2), at(10))
        .await
        .unwrap();
    let printer = store
        .create_ticket_template(spec("Printer problem", 1), at(20))
        .await
        .unwrap();
    let listed = store.list_ticket_templates().await.unwrap();
    assert_eq!(listed, vec![printer.clone(), laptop.clone()]);
    assert_eq!(store.get_ticket_template(laptop.id).await.unwrap(), laptop);

    let mut changed = laptop.spec.clone();
    changed.name = "New laptop or desktop".to_owned();
    changed.audience = TemplateAudience::Staff;
    changed.active = false;
    changed.custom_values.remove("ram_gb");
    changed.position = 0;
    let saved = store
        .save_ticket_template(laptop.id, changed.clone(), at(30))
        .await
        .unwrap();
    assert_eq!((saved.spec.clone(), saved.created_at), (changed, at(10)));
    assert_eq!(store.get_ticket_template(laptop.id).await.unwrap(), saved);
    assert_eq!(
        store.list_ticket_templates().await.unwrap(),
        vec![saved, printer.clone()]
    );
    let err = store
        .save_ticket_template(TicketTemplateId(9999), printer.spec, at(40))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
}

/// No category, type or priority and no custom values is a template too.
pub async fn a_ticket_template_without_optional_parts_round_trips(store: TestStore) {
    let mut bare = spec("Question", 0);
    bare.category_id = None;
    bare.ticket_type = None;
    bare.priority = None;
    bare.custom_values = BTreeMap::new();
    bare.audience = TemplateAudience::Customers;
    bare.body = "Unicode outline: ü, 日本, ✓".to_owned();
    let saved = store
        .create_ticket_template(bare.clone(), at(5))
        .await
        .unwrap();
    let read = store.get_ticket_template(saved.id).await.unwrap();
    assert_eq!(read.spec, bare);
}

/// Deleting removes the template; deleting it again is not found.
pub async fn a_ticket_template_is_deleted_and_then_not_found(store: TestStore) {
    let kept = store
        .create_ticket_template(spec("Kept", 1), at(1))
        .await
        .unwrap();
    let gone = store
        .create_ticket_template(spec("Gone", 2), at(2))
        .await
        .unwrap();
    store.delete_ticket_template(gone.id).await.unwrap();
    assert_eq!(store.list_ticket_templates().await.unwrap(), vec![kept]);
    let err = store.get_ticket_template(gone.id).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    let err = store.delete_ticket_template(gone.id).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
}
