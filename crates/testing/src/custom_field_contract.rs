//! The custom-field part of the store contract. Run by both adapters through
//! [`store_contract_tests!`](crate::store_contract_tests), which expands
//! [`custom_field_contract_tests!`](crate::custom_field_contract_tests) too.
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

use crate::contract::{TestStore, at, create, created_event, ticket, user};
use ferrodesk_domain::{
    CategoryId, CustomFieldId, CustomFieldSpec, FieldKind, Role, TicketScope, TicketType,
};
use ferrodesk_store::{
    Conflict, Created, CustomValue, NewTicket, PageRequest, StoreError, TicketChange, TicketFilter,
    TicketQuery, TicketWrite,
};

/// Expands to one `#[tokio::test]` per custom-field contract test.
#[macro_export]
macro_rules! custom_field_contract_tests {
    ($make:expr) => {
        $crate::contract_test_fns!(custom_field_contract, $make;
            a_custom_field_is_saved_listed_by_position_and_changed,
            a_custom_field_key_is_unique,
            values_travel_with_the_ticket_write_and_filter_the_listing,
            a_refused_ticket_write_leaves_no_value,
            a_field_in_use_cannot_be_deleted,
            custom_field_definitions_ride_in_the_settings_snapshot,
        );
    };
}

fn spec(key: &str, kind: FieldKind, position: i64) -> CustomFieldSpec {
    CustomFieldSpec {
        key: key.to_owned(),
        label: key.replace('_', " "),
        kind,
        options: if kind.has_options() {
            vec!["Windows".to_owned(), "Linux".to_owned()]
        } else {
            Vec::new()
        },
        required: false,
        customer_visible: false,
        ticket_types: Vec::new(),
        category_ids: Vec::new(),
        position,
        active: true,
    }
}

fn value(field_id: CustomFieldId, text: &str) -> CustomValue {
    CustomValue {
        field_id,
        value: Some(text.to_owned()),
    }
}

fn filtered(field_id: CustomFieldId, text: &str) -> TicketQuery {
    TicketQuery {
        filter: TicketFilter {
            custom_value: Some((field_id, text.to_owned())),
            ..TicketFilter::default()
        },
        page: PageRequest::first(50),
        ..TicketQuery::default()
    }
}

/// Everything defined comes back, fields list by position, a save replaces the spec.
pub async fn a_custom_field_is_saved_listed_by_position_and_changed(store: TestStore) {
    let mut os = spec("operating_system", FieldKind::SingleChoice, 2);
    os.required = true;
    os.customer_visible = true;
    os.ticket_types = vec![TicketType::Incident];
    os.category_ids = vec![CategoryId(4)];
    let os = store.create_custom_field(os, at(10)).await.unwrap();
    let users = store
        .create_custom_field(spec("affected_users", FieldKind::Number, 1), at(20))
        .await
        .unwrap();
    let listed = store.list_custom_fields().await.unwrap();
    assert_eq!(listed, vec![users.clone(), os.clone()]);
    let mut changed = os.spec.clone();
    changed.label = "OS".to_owned();
    changed.active = false;
    let saved = store
        .save_custom_field(os.id, changed.clone(), at(30))
        .await
        .unwrap();
    assert_eq!((saved.spec, saved.created_at), (changed, at(10)));
    let err = store
        .save_custom_field(CustomFieldId(9999), users.spec, at(40))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
}

/// Two fields cannot share a key.
pub async fn a_custom_field_key_is_unique(store: TestStore) {
    store
        .create_custom_field(spec("asset", FieldKind::Asset, 1), at(0))
        .await
        .unwrap();
    let err = store
        .create_custom_field(spec("asset", FieldKind::Text, 2), at(1))
        .await
        .unwrap_err();
    assert_eq!(
        err.conflict_kind(),
        Some(Conflict::Unique("custom_fields_key_unique")),
        "{err:?}"
    );
}

/// A create and a change write their values; a cleared value is gone; the listing
/// filters by a field's value.
pub async fn values_travel_with_the_ticket_write_and_filter_the_listing(store: TestStore) {
    let carla = user(&store, "carla@example.com", Role::Customer).await;
    let os = store
        .create_custom_field(spec("os", FieldKind::SingleChoice, 1), at(0))
        .await
        .unwrap();
    let note = store
        .create_custom_field(spec("note", FieldKind::Text, 2), at(0))
        .await
        .unwrap();
    let new = ticket(&carla, "VPN drops", at(5));
    let events = vec![created_event(&new)];
    let Created::New(first) = store
        .create_ticket(NewTicket {
            ticket: new,
            events,
            links: vec![],
            idempotency: None,
            settings_version: None,
            notices: vec![],
            round_robin: None,
            custom_values: vec![value(os.id, "Linux"), value(note.id, "since Monday")],
        })
        .await
        .unwrap()
    else {
        panic!("no key, no replay")
    };
    let other = create(&store, ticket(&carla, "Printer", at(6))).await;
    let values = store.custom_values(&[first.id, other.id]).await.unwrap();
    assert_eq!(
        values,
        vec![
            (first.id, os.id, "Linux".to_owned()),
            (first.id, note.id, "since Monday".to_owned())
        ]
    );
    let linux = store
        .list_tickets(&TicketScope::All, &filtered(os.id, "Linux"))
        .await
        .unwrap();
    assert_eq!(
        linux.items.iter().map(|t| t.id).collect::<Vec<_>>(),
        [first.id]
    );
    let mut after = first.clone();
    after.updated_at = at(60);
    let mut change = TicketChange::new(first.clone(), after, vec![]);
    change.custom_values = vec![
        value(os.id, "Windows"),
        CustomValue {
            field_id: note.id,
            value: None,
        },
    ];
    store
        .save_tickets(TicketWrite {
            changes: vec![change],
            links: vec![],
            idempotency: None,
            settings_version: None,
        })
        .await
        .unwrap();
    let values = store.custom_values(&[first.id]).await.unwrap();
    assert_eq!(values, vec![(first.id, os.id, "Windows".to_owned())]);
    let linux = store
        .list_tickets(&TicketScope::All, &filtered(os.id, "Linux"))
        .await
        .unwrap();
    assert!(linux.items.is_empty());
}

/// A change refused as stale writes none of its values; an unknown field refuses the
/// write.
pub async fn a_refused_ticket_write_leaves_no_value(store: TestStore) {
    let carla = user(&store, "carla@example.com", Role::Customer).await;
    let os = store
        .create_custom_field(spec("os", FieldKind::SingleChoice, 1), at(0))
        .await
        .unwrap();
    let read = create(&store, ticket(&carla, "VPN drops", at(5))).await;
    let mut stale = read.clone();
    stale.version = 0;
    let mut change = TicketChange::new(stale, read.clone(), vec![]);
    change.custom_values = vec![value(os.id, "Linux")];
    let err = store
        .save_tickets(TicketWrite {
            changes: vec![change],
            links: vec![],
            idempotency: None,
            settings_version: None,
        })
        .await
        .unwrap_err();
    assert_eq!(err.conflict_kind(), Some(Conflict::Stale), "{err:?}");
    let mut unknown = TicketChange::new(read.clone(), read.clone(), vec![]);
    unknown.custom_values = vec![value(os.id, "Linux"), value(CustomFieldId(9999), "x")];
    let err = store
        .save_tickets(TicketWrite {
            changes: vec![unknown],
            links: vec![],
            idempotency: None,
            settings_version: None,
        })
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    assert!(store.custom_values(&[read.id]).await.unwrap().is_empty());
    assert_eq!(store.get_ticket(read.id).await.unwrap().version, 1);
}

/// A field with values is refused deletion; an unused one is deleted.
pub async fn a_field_in_use_cannot_be_deleted(store: TestStore) {
    let carla = user(&store, "carla@example.com", Role::Customer).await;
    let used = store
        .create_custom_field(spec("used", FieldKind::Text, 1), at(0))
        .await
        .unwrap();
    let unused = store
        .create_custom_field(spec("unused", FieldKind::Text, 2), at(0))
        .await
        .unwrap();
    let read = create(&store, ticket(&carla, "VPN drops", at(5))).await;
    let mut change = TicketChange::new(read.clone(), read, vec![]);
    change.custom_values = vec![value(used.id, "yes")];
    store
        .save_tickets(TicketWrite {
            changes: vec![change],
            links: vec![],
            idempotency: None,
            settings_version: None,
        })
        .await
        .unwrap();
    assert!(store.is_custom_field_used(used.id).await.unwrap());
    assert!(!store.is_custom_field_used(unused.id).await.unwrap());
    let err = store.delete_custom_field(used.id).await.unwrap_err();
    assert_eq!(err.conflict_kind(), Some(Conflict::State), "{err:?}");
    store.delete_custom_field(unused.id).await.unwrap();
    assert_eq!(store.list_custom_fields().await.unwrap(), vec![used]);
    let err = store.delete_custom_field(unused.id).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
}

/// The settings snapshot carries every definition; creating, changing and deleting one
/// moves the settings version, so a ticket checked against older definitions is
/// refused as stale, while a value written with a ticket does not move it.
pub async fn custom_field_definitions_ride_in_the_settings_snapshot(store: TestStore) {
    let carla = user(&store, "carla@example.com", Role::Customer).await;
    let start = store.desk_settings().await.unwrap();
    assert!(start.custom_fields.is_empty());
    let os = store
        .create_custom_field(spec("os", FieldKind::SingleChoice, 1), at(0))
        .await
        .unwrap();
    let created = store.desk_settings().await.unwrap();
    assert!(
        created.version > start.version,
        "a new field did not move it"
    );
    assert_eq!(created.custom_fields, vec![os.clone()]);

    let mut relabelled = os.spec.clone();
    relabelled.label = "Operating system".to_owned();
    let os = store
        .save_custom_field(os.id, relabelled, at(1))
        .await
        .unwrap();
    let changed = store.desk_settings().await.unwrap();
    assert!(
        changed.version > created.version,
        "a change did not move it"
    );
    assert_eq!(changed.custom_fields, vec![os.clone()]);

    let err = store
        .create_ticket(new_ticket(
            ticket(&carla, "Stale definitions", at(2)),
            created.version,
            vec![value(os.id, "Linux")],
        ))
        .await
        .unwrap_err();
    assert!(err.is_settings_changed(), "{err:?}");

    let current = new_ticket(
        ticket(&carla, "Current definitions", at(3)),
        changed.version,
        vec![value(os.id, "Linux")],
    );
    let Created::New(read) = store.create_ticket(current).await.unwrap() else {
        panic!("replayed without a key");
    };
    assert_eq!(
        store.desk_settings().await.unwrap().version,
        changed.version
    );
    assert_eq!(
        store.custom_values(&[read.id]).await.unwrap(),
        vec![(read.id, os.id, "Linux".to_owned())]
    );

    let unused = store
        .create_custom_field(spec("unused", FieldKind::Text, 2), at(4))
        .await
        .unwrap();
    let before_delete = store.desk_settings().await.unwrap();
    store.delete_custom_field(unused.id).await.unwrap();
    let deleted = store.desk_settings().await.unwrap();
    assert!(
        deleted.version > before_delete.version,
        "a delete did not move it"
    );
    assert_eq!(deleted.custom_fields, vec![os]);
}

fn new_ticket(
    ticket: ferrodesk_domain::Ticket,
    settings_version: i64,
    custom_values: Vec<CustomValue>,
) -> NewTicket {
    NewTicket {
        events: vec![created_event(&ticket)],
        ticket,
        links: vec![],
        idempotency: None,
        settings_version: Some(settings_version),
        notices: vec![],
        round_robin: None,
        custom_values,
    }
}
