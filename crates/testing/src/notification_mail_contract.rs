//! The contract of mail to staff: notices mailed at once are queued in the outbox with
//! the ticket write that makes them, preferences are stored and move the settings'
//! version, and digests are queued once when due, covering what came since the last.
//! Run on both backends through
//! [`notification_mail_contract_tests!`](crate::notification_mail_contract_tests)
//! (which [`store_contract_tests!`](crate::store_contract_tests) expands).
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

use ferrodesk_domain::notify::{Digest, Preferences};
use ferrodesk_domain::{NotificationKind, Role, TicketId};
use ferrodesk_store::mail::Outbound;
use ferrodesk_store::{NewNotification, NewTicket, Notice, Store, StoreError};
use std::sync::Arc;

use crate::contract::{at, created_event, new_user, ticket};

/// Expands to one `#[tokio::test]` per staff-mail contract test.
#[macro_export]
macro_rules! notification_mail_contract_tests {
    ($make:expr) => {
        $crate::contract_test_fns!(notification_mail_contract, $make;
            a_notice_mailed_at_once_is_queued_with_its_ticket_write,
            preferences_are_stored_per_person_and_move_the_settings_version,
            digests_are_queued_once_when_due_with_what_came_since_the_last,
        );
    };
}

fn notice(user: ferrodesk_domain::UserId, kind: NotificationKind, mail: bool) -> Notice {
    Notice {
        user_id: user,
        kind,
        message: format!("{} for {}", kind.as_str(), user.get()),
        mail,
    }
}

/// Only the notice marked `mail` gets an outbox row, naming its notification and
/// ticket; the ticket's receipt keeps its own row.
pub async fn a_notice_mailed_at_once_is_queued_with_its_ticket_write(store: Arc<dyn Store>) {
    let ana = store
        .create_user(new_user("ana@example.com", "Ana", Role::Customer))
        .await
        .unwrap();
    let ola = store
        .create_user(new_user("ola@desk.example", "Ola", Role::Agent))
        .await
        .unwrap();
    let eva = store
        .create_user(new_user("eva@desk.example", "Eva", Role::Agent))
        .await
        .unwrap();
    let new = ticket(&ana, "Printer jams", at(10));
    let created = store
        .create_ticket(NewTicket {
            events: vec![created_event(&new)],
            ticket: new,
            links: vec![],
            idempotency: None,
            settings_version: None,
            notices: vec![
                notice(ola.id, NotificationKind::Assigned, true),
                notice(eva.id, NotificationKind::GroupQueued, false),
            ],
            round_robin: None,
            custom_values: Vec::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let pending = store.list_outbox_in_state("pending", 50).await.unwrap();
    let staff: Vec<_> = pending
        .iter()
        .filter_map(|e| match e.about {
            Outbound::Notification {
                notification_id,
                ticket_id,
            } => Some((notification_id, ticket_id)),
            _ => None,
        })
        .collect();
    assert_eq!(
        staff.len(),
        1,
        "only the mailed notice is queued: {pending:?}"
    );
    let (notification_id, ticket_id) = staff[0];
    assert_eq!(ticket_id, Some(created.id));
    let mailed = store.get_notification(notification_id).await.unwrap();
    assert_eq!(
        (mailed.user_id, mailed.kind, mailed.ticket_id),
        (ola.id, NotificationKind::Assigned, Some(created.id))
    );
    assert!(
        pending.iter().any(
            |e| matches!(e.about, Outbound::Event { ticket_id, .. } if ticket_id == created.id)
        ),
        "the requester's receipt stays queued"
    );
    assert_eq!(
        store.count_unread_notifications(eva.id).await.unwrap(),
        1,
        "the notice not mailed still shows in the bell"
    );
}

/// Stored preferences read back, are the snapshot's for that person (others have the
/// defaults), move the settings' version, and need a person who exists.
pub async fn preferences_are_stored_per_person_and_move_the_settings_version(
    store: Arc<dyn Store>,
) {
    let ola = store
        .create_user(new_user("ola@desk.example", "Ola", Role::Agent))
        .await
        .unwrap();
    assert_eq!(
        store.find_notification_preferences(ola.id).await.unwrap(),
        None
    );
    let before = store.desk_settings().await.unwrap();
    assert_eq!(before.preferences(ola.id), Preferences::default());
    let chosen = Preferences::new(&[NotificationKind::Mentioned], Digest::Daily);
    store
        .set_notification_preferences(ola.id, chosen.clone(), Some(at(86_400)), at(0))
        .await
        .unwrap();
    assert_eq!(
        store.find_notification_preferences(ola.id).await.unwrap(),
        Some(chosen.clone())
    );
    let after = store.desk_settings().await.unwrap();
    assert!(
        after.version > before.version,
        "a write routed before must be refused"
    );
    assert_eq!(after.preferences(ola.id), chosen);
    let error = store
        .set_notification_preferences(ferrodesk_domain::UserId(999_999), chosen, None, at(0))
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::NotFound { .. }), "{error:?}");
}

/// A digest is queued once when due, covering from the last one (or the choice) to
/// now; choosing the same digest again keeps its schedule.
pub async fn digests_are_queued_once_when_due_with_what_came_since_the_last(store: Arc<dyn Store>) {
    let ola = store
        .create_user(new_user("ola@desk.example", "Ola", Role::Agent))
        .await
        .unwrap();
    let hourly = Preferences::new(&[NotificationKind::Assigned], Digest::Hourly);
    store
        .set_notification_preferences(ola.id, hourly.clone(), Some(at(3_600)), at(0))
        .await
        .unwrap();
    let note = |message: &str| NewNotification {
        user_id: ola.id,
        ticket_id: None::<TicketId>,
        kind: NotificationKind::Assigned,
        message: message.into(),
        mail: false,
    };
    store.notify(vec![note("first")], at(100)).await.unwrap();
    assert_eq!(
        store.queue_digests(at(3_599)).await.unwrap(),
        0,
        "not due yet"
    );
    assert_eq!(store.queue_digests(at(3_600)).await.unwrap(), 1);
    assert_eq!(
        store.queue_digests(at(3_600)).await.unwrap(),
        0,
        "queued once"
    );
    // Choosing the same digest again keeps its schedule.
    store
        .set_notification_preferences(ola.id, hourly, Some(at(9_999)), at(3_700))
        .await
        .unwrap();
    store.notify(vec![note("second")], at(4_000)).await.unwrap();
    assert_eq!(store.queue_digests(at(7_200)).await.unwrap(), 1);
    let mut digests: Vec<_> = store
        .list_outbox_in_state("pending", 50)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|e| match e.about {
            Outbound::Digest {
                user_id,
                since,
                until,
            } => Some((user_id, since, until)),
            _ => None,
        })
        .collect();
    digests.sort_by_key(|(_, _, until)| *until);
    assert_eq!(
        digests,
        vec![
            (ola.id, Some(at(0)), at(3_600)),
            (ola.id, Some(at(3_600)), at(7_200)),
        ]
    );
    let second = store
        .list_unread_between(ola.id, Some(at(3_600)), at(7_200), 50)
        .await
        .unwrap();
    assert_eq!(
        second
            .iter()
            .map(|n| n.message.as_str())
            .collect::<Vec<_>>(),
        vec!["second"]
    );
}
