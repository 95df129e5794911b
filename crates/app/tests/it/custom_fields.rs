//! Custom fields: values travel in the ticket's own write (a refused write leaves no
//! value), and defining a field never touches existing tickets.

use ferrodesk_app::{App, AppError, NewTicketInput, TicketPatch};
use ferrodesk_domain::{Actor, CustomFieldSpec, FieldInput, FieldKind, GroupId, TicketId};
use ferrodesk_store::Created;
use ferrodesk_testing::fixtures::{TestDesk, add_actor, person};
use std::collections::BTreeMap;

struct Desk {
    app: App,
    admin: Actor,
    _dir: tempfile::TempDir,
}

async fn desk() -> Desk {
    let desk = TestDesk::sqlite().await;
    let app = desk.app;
    let admin = add_actor(&app, person("boss@desk.example", "admin")).await;
    Desk {
        app,
        admin,
        _dir: desk.dir,
    }
}

fn spec(key: &str, required: bool) -> CustomFieldSpec {
    CustomFieldSpec {
        key: key.to_owned(),
        label: "Operating system".to_owned(),
        kind: FieldKind::SingleChoice,
        options: vec!["Windows".to_owned(), "Linux".to_owned()],
        required,
        customer_visible: false,
        ticket_types: Vec::new(),
        category_ids: Vec::new(),
        position: 1,
        active: true,
    }
}

fn os(value: &str) -> BTreeMap<String, FieldInput> {
    BTreeMap::from([("os".to_owned(), FieldInput::One(value.to_owned()))])
}

async fn open(desk: &Desk, custom_fields: BTreeMap<String, FieldInput>) -> TicketId {
    let created = desk
        .app
        .tickets()
        .create(
            &desk.admin,
            NewTicketInput {
                subject: "VPN drops".into(),
                custom_fields,
                ..NewTicketInput::default()
            },
            None,
        )
        .await
        .unwrap();
    let Created::New(ticket) = created else {
        panic!("no key, no replay")
    };
    ticket.id
}

async fn values(desk: &Desk, id: TicketId) -> Vec<String> {
    desk.app
        .custom_fields()
        .values(&desk.admin, id)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, value)| value.to_string())
        .collect()
}

#[tokio::test]
async fn a_refused_ticket_write_leaves_no_value() {
    let desk = desk().await;
    desk.app
        .custom_fields()
        .create(&desk.admin, spec("os", false))
        .await
        .unwrap();
    let id = open(&desk, BTreeMap::new()).await;
    // A stale version refuses the whole change, values included.
    let stale = desk
        .app
        .tickets()
        .update(
            &desk.admin,
            id,
            TicketPatch {
                version: Some(0),
                custom_fields: os("Linux"),
                ..TicketPatch::default()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(stale, AppError::Conflict { .. }), "{stale:?}");
    // An unknown group refuses it too.
    let missing = desk
        .app
        .tickets()
        .update(
            &desk.admin,
            id,
            TicketPatch {
                group_id: Some(Some(GroupId(999))),
                custom_fields: os("Linux"),
                ..TicketPatch::default()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(missing, AppError::NotFound { .. }), "{missing:?}");
    assert!(values(&desk, id).await.is_empty());
    let ticket = desk.app.tickets().get(&desk.admin, id).await.unwrap();
    assert_eq!(ticket.version, 1);
    // The same change accepted writes the value and says so on the timeline.
    desk.app
        .tickets()
        .update(
            &desk.admin,
            id,
            TicketPatch {
                custom_fields: os("Linux"),
                ..TicketPatch::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(values(&desk, id).await, ["Linux"]);
}

#[tokio::test]
async fn defining_a_field_does_not_touch_existing_tickets() {
    let desk = desk().await;
    let id = open(&desk, BTreeMap::new()).await;
    let before = desk.app.tickets().get(&desk.admin, id).await.unwrap();
    desk.app
        .custom_fields()
        .create(&desk.admin, spec("os", true))
        .await
        .unwrap();
    let after = desk.app.tickets().get(&desk.admin, id).await.unwrap();
    assert_eq!(after, before);
    // The older ticket still takes changes that do not name the new required field.
    let changed = desk
        .app
        .tickets()
        .update(
            &desk.admin,
            id,
            TicketPatch {
                subject: Some("VPN drops at home".into()),
                ..TicketPatch::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(changed.version, 2);
    // A new ticket must give it.
    let refused = desk
        .app
        .tickets()
        .create(
            &desk.admin,
            NewTicketInput {
                subject: "No OS".into(),
                ..NewTicketInput::default()
            },
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, AppError::Invalid { field, .. } if field == "custom_fields.os"),
        "{refused:?}"
    );
    let given = open(&desk, os("Windows")).await;
    assert_eq!(values(&desk, given).await, ["Windows"]);
}
