//! The contract of [`MailStore`](ferrodesk_store::MailStore), run on both backends through
//! [`mail_contract_tests!`](crate::mail_contract_tests) (which
//! [`store_contract_tests!`](crate::store_contract_tests) expands).
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

use ferrodesk_domain::{
    Channel, EventKind, Impact, NewEvent, Priority, Role, Ticket, TicketId, TicketStatus,
    TicketType, Tier, Urgency, User, Visibility,
};
use ferrodesk_store::mail::{
    AfterImport, Filed, Filing, ImapAccount, ImapSecurity, InboundFiling, InboundRecord,
    MailboxWrite, NewQuarantine, RenderedMail,
};
use ferrodesk_store::{EventAppend, NewTicket, NewUser, StoreError, TicketChange};
use jiff::Timestamp;

use crate::contract::{at, email};

/// A store under test.
pub use crate::contract::TestStore;

/// Expands to one `#[tokio::test]` per mail contract test (see `store_contract_tests!`).
#[macro_export]
macro_rules! mail_contract_tests {
    ($make:expr) => {
        $crate::contract_test_fns!(mail_contract, $make;
            inbound_mail_is_filed_once_with_its_thread_and_participants,
            reply_to_a_ticket_is_filed_as_a_change_and_found_by_any_thread_id,
            public_events_fill_the_outbox_in_their_transaction,
            outbox_rows_are_claimed_once_rendered_and_retried,
            quarantine_keeps_the_raw_message_until_deleted_or_filed,
            mailboxes_keep_their_password_and_progress,
        );
    };
}

async fn customer(store: &TestStore, address: &str) -> User {
    store
        .create_user(NewUser {
            email: email(address),
            name: address.into(),
            role: Role::Customer,
            organization_id: None,
            phone: None,
            location: None,
            employee_id: None,
            locale: "en".into(),
            time_zone: "UTC".into(),
            tier: None,
            group_ids: vec![],
            password_hash: None,
            now: at(0),
        })
        .await
        .unwrap()
}

fn ticket(requester: &User, subject: &str) -> Ticket {
    Ticket {
        id: TicketId(0),
        version: 0,
        subject: subject.into(),
        description: "the body".into(),
        ticket_type: TicketType::Incident,
        status: TicketStatus::New,
        impact: Impact::Individual,
        urgency: Urgency::Medium,
        priority: Priority::P4,
        priority_reason: None,
        category_id: None,
        service_id: None,
        location: None,
        device: None,
        requester_id: requester.id,
        organization_id: None,
        channel: Channel::Email,
        group_id: None,
        tier: Tier::FIRST,
        owner_id: None,
        assignee_id: None,
        tags: vec![],
        escalation_level: 0,
        external_ref: None,
        merged_into: None,
        created_at: at(10),
        updated_at: at(10),
        first_response_at: None,
        resolved_at: None,
        closed_at: None,
    }
}

fn record(message_id: &str, sender: &User, now: Timestamp) -> InboundRecord {
    InboundRecord {
        message_id: message_id.into(),
        mailbox_id: None,
        sender: sender.email.clone(),
        subject: "Printer jam".into(),
        html_body: Some("<p>hello</p>".into()),
        full_text: "hello\n> quoted".into(),
        may_auto_reply: true,
        participants: vec![sender.email.clone(), email("colleague@example.com")],
        now,
    }
}

fn new_ticket_filing(message_id: &str, requester: &User) -> InboundFiling {
    let ticket = ticket(requester, "Printer jam");
    InboundFiling {
        record: record(message_id, requester, at(10)),
        filing: Filing::NewTicket(Box::new(NewTicket {
            events: vec![NewEvent::new(
                EventKind::Created {
                    subject: ticket.subject.clone(),
                },
                Some(requester.id),
                Channel::Email,
                at(10),
            )],
            ticket,
            links: vec![],
            idempotency: None,
            settings_version: None,
            notices: Vec::new(),
            round_robin: None,
            custom_values: Vec::new(),
        })),
        retry_of: None,
        settings_version: None,
    }
}

/// A message is filed with its ticket; the same Message-ID again is a duplicate that
/// writes nothing; its participants are recorded.
pub async fn inbound_mail_is_filed_once_with_its_thread_and_participants(store: TestStore) {
    let ana = customer(&store, "ana@example.com").await;
    let filed = store
        .file_inbound(new_ticket_filing("first@example.com", &ana))
        .await
        .unwrap();
    let Filed::Stored(id) = filed else {
        panic!("not stored: {filed:?}")
    };
    let again = store
        .file_inbound(new_ticket_filing("first@example.com", &ana))
        .await
        .unwrap();
    assert_eq!(again, Filed::Duplicate(id));
    assert_eq!(
        store.find_inbound("first@example.com").await.unwrap(),
        Some(id)
    );
    assert_eq!(store.find_inbound("other@example.com").await.unwrap(), None);
    assert!(
        store
            .is_participant(id, &email("colleague@example.com"))
            .await
            .unwrap()
    );
    assert!(
        !store
            .is_participant(id, &email("stranger@example.com"))
            .await
            .unwrap()
    );
    let thread = store.list_thread(id).await.unwrap();
    assert_eq!(thread.len(), 1);
    assert!(thread[0].is_inbound);
    assert_eq!(thread[0].html_body.as_deref(), Some("<p>hello</p>"));
    let event = thread[0].event_id.unwrap();
    let inbound = store.inbound_for_event(event).await.unwrap().unwrap();
    assert!(inbound.may_auto_reply);
    assert_eq!(
        store
            .count_inbound_since(&ana.email, at(0), 5)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .count_inbound_since(&ana.email, at(11), 5)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .count_inbound_since(&ana.email, at(0), 0)
            .await
            .unwrap(),
        0,
        "counted up to the cap"
    );
}

/// A reply is a ticket change; any id of the thread finds the ticket, and a stale
/// change, or one routed with settings that changed since, is refused without storing
/// the message.
pub async fn reply_to_a_ticket_is_filed_as_a_change_and_found_by_any_thread_id(store: TestStore) {
    let ana = customer(&store, "ana@example.com").await;
    let id = store
        .file_inbound(new_ticket_filing("root@example.com", &ana))
        .await
        .unwrap()
        .ticket_id();
    let before = store.get_ticket(id).await.unwrap();
    let mut after = before.clone();
    after.updated_at = at(20);
    let reply = NewEvent::new(
        EventKind::Reply {
            body: "still broken".into(),
        },
        Some(ana.id),
        Channel::Email,
        at(20),
    );
    let change = TicketChange::new(before.clone(), after.clone(), vec![reply.clone()]);
    // Routed with settings that changed since: refused, and nothing of it is stored.
    let current = store.desk_settings().await.unwrap().version;
    let outdated = store
        .file_inbound(InboundFiling {
            record: record("reply@example.com", &ana, at(20)),
            filing: Filing::Change(Box::new(change.clone())),
            retry_of: None,
            settings_version: Some(current - 1),
        })
        .await
        .unwrap_err();
    assert!(outdated.is_settings_changed(), "{outdated:?}");
    assert_eq!(store.find_inbound("reply@example.com").await.unwrap(), None);
    assert_eq!(store.get_ticket(id).await.unwrap().version, before.version);
    let filed = store
        .file_inbound(InboundFiling {
            record: record("reply@example.com", &ana, at(20)),
            filing: Filing::Change(Box::new(change.clone())),
            retry_of: None,
            settings_version: Some(current),
        })
        .await
        .unwrap();
    assert_eq!(filed, Filed::Stored(id));
    let found = store
        .find_thread(&["unknown@x".into(), "reply@example.com".into()])
        .await
        .unwrap();
    assert_eq!(found, Some(id));
    // The same change again is stale: nothing of it is stored.
    let stale = store
        .file_inbound(InboundFiling {
            record: record("late@example.com", &ana, at(30)),
            filing: Filing::Change(Box::new(change)),
            retry_of: None,
            settings_version: None,
        })
        .await;
    assert!(
        matches!(stale, Err(StoreError::Conflict { .. })),
        "{stale:?}"
    );
    assert_eq!(store.find_inbound("late@example.com").await.unwrap(), None);
    assert_eq!(store.list_thread(id).await.unwrap().len(), 2);
}

/// Creating a ticket and a public reply queue notifications; an internal note does not.
pub async fn public_events_fill_the_outbox_in_their_transaction(store: TestStore) {
    let ana = customer(&store, "ana@example.com").await;
    let id = store
        .file_inbound(new_ticket_filing("root@example.com", &ana))
        .await
        .unwrap()
        .ticket_id();
    let mut note = NewEvent::new(
        EventKind::Note {
            body: "internal".into(),
        },
        None,
        Channel::Agent,
        at(30),
    );
    note.visibility = Visibility::Internal;
    for event in [
        note,
        NewEvent::new(
            EventKind::Reply {
                body: "public".into(),
            },
            None,
            Channel::Agent,
            at(31),
        ),
    ] {
        store
            .append_event(EventAppend {
                ticket_id: id,
                event,
                marks_first_response: false,
                idempotency: None,
                notices: Vec::new(),
            })
            .await
            .unwrap();
    }
    let outbox = store.list_outbox(id).await.unwrap();
    assert_eq!(outbox.len(), 2, "{outbox:?}");
    assert!(outbox.iter().all(|entry| entry.state == "pending"));
}

/// A due row is claimed by one worker; rendering records its Message-ID on the thread;
/// a failure is retried later; sending ends it.
pub async fn outbox_rows_are_claimed_once_rendered_and_retried(store: TestStore) {
    let ana = customer(&store, "ana@example.com").await;
    let id = store
        .file_inbound(new_ticket_filing("root@example.com", &ana))
        .await
        .unwrap()
        .ticket_id();
    let item = store.claim_outbox(at(100), at(400)).await.unwrap().unwrap();
    assert_eq!(item.about.ticket_id(), Some(id));
    assert!(item.rendered.is_none());
    assert!(
        store
            .claim_outbox(at(100), at(400))
            .await
            .unwrap()
            .is_none()
    );
    let rendered = RenderedMail {
        message_id: "ticket-10001.abc@desk.example".into(),
        recipients: vec![ana.email.clone()],
        sender: email("support@desk.example"),
        raw: b"Subject: hi\r\n\r\nbody".to_vec(),
    };
    store
        .render_outbox(item.id, rendered.clone(), at(100))
        .await
        .unwrap();
    assert_eq!(
        store
            .find_thread(&["ticket-10001.abc@desk.example".into()])
            .await
            .unwrap(),
        Some(id)
    );
    store
        .outbox_failed(item.id, "connection refused", Some(at(500)), at(100))
        .await
        .unwrap();
    assert!(
        store
            .claim_outbox(at(499), at(800))
            .await
            .unwrap()
            .is_none()
    );
    let again = store.claim_outbox(at(500), at(800)).await.unwrap().unwrap();
    assert_eq!(again.id, item.id);
    assert_eq!(again.attempts, 1);
    assert_eq!(again.rendered, Some(rendered));
    store.outbox_sent(item.id, at(501)).await.unwrap();
    let entries = store.list_outbox(id).await.unwrap();
    assert_eq!(entries[0].state, "sent");
    assert_eq!(entries[0].sent_at, Some(at(501)));
    assert!(
        store
            .claim_outbox(at(9_000), at(9_100))
            .await
            .unwrap()
            .is_none()
    );
}

/// Quarantined mail keeps its raw bytes; filing it as a retry removes it.
pub async fn quarantine_keeps_the_raw_message_until_deleted_or_filed(store: TestStore) {
    let held = store
        .quarantine(NewQuarantine {
            mailbox_id: None,
            code: "parse_error".into(),
            reason: "message has no From header".into(),
            sender: None,
            subject: Some("hi".into()),
            message_id: None,
            raw: b"Subject: hi\r\n\r\n\xff body".to_vec(),
            now: at(5),
        })
        .await
        .unwrap();
    let listed = store.list_quarantine(50).await.unwrap();
    assert_eq!(listed, vec![held.clone()]);
    let (read, raw) = store.get_quarantined(held.id).await.unwrap();
    assert_eq!(read.size, raw.len() as i64);
    assert_eq!(raw, b"Subject: hi\r\n\r\n\xff body".to_vec());
    let ana = customer(&store, "ana@example.com").await;
    let mut filing = new_ticket_filing("retried@example.com", &ana);
    filing.retry_of = Some(held.id);
    store.file_inbound(filing).await.unwrap();
    assert!(store.list_quarantine(50).await.unwrap().is_empty());
    assert!(matches!(
        store.delete_quarantined(held.id).await,
        Err(StoreError::NotFound { .. })
    ));
}

/// A mailbox keeps its password when an update leaves it blank, one default at a
/// time, and its IMAP progress and failures.
pub async fn mailboxes_keep_their_password_and_progress(store: TestStore) {
    let write = |name: &str, address: &str, password: &str| MailboxWrite {
        name: name.into(),
        address: email(address),
        is_default: true,
        group_id: None,
        category_id: None,
        allows_unknown_senders: false,
        imap: Some(ImapAccount {
            host: "127.0.0.1".into(),
            port: 993,
            security: ImapSecurity::Tls,
            user: "support".into(),
            password: password.into(),
            folder: "INBOX".into(),
            after_import: AfterImport::Flag,
            move_to: None,
        }),
        is_enabled: true,
        now: at(1),
    };
    let first = store
        .create_mailbox(write("Support", "support@desk.example", "secret"))
        .await
        .unwrap();
    assert!(first.is_default);
    let taken = store
        .create_mailbox(write("Other", "support@desk.example", "x"))
        .await;
    assert!(
        matches!(taken, Err(StoreError::Conflict { .. })),
        "{taken:?}"
    );
    let second = store
        .create_mailbox(write("Billing", "billing@desk.example", "pw"))
        .await
        .unwrap();
    assert!(!store.get_mailbox(first.id).await.unwrap().is_default);
    let updated = store
        .update_mailbox(first.id, write("Support desk", "support@desk.example", ""))
        .await
        .unwrap();
    assert_eq!(updated.imap.unwrap().password, "secret");
    assert!(!store.get_mailbox(second.id).await.unwrap().is_default);
    store
        .record_mailbox_failure(first.id, "authentication failed", at(2))
        .await
        .unwrap();
    store
        .record_mailbox_failure(first.id, "authentication failed", at(3))
        .await
        .unwrap();
    let failing = store.get_mailbox(first.id).await.unwrap();
    assert_eq!(failing.failure_count, 2);
    assert_eq!(failing.last_error.as_deref(), Some("authentication failed"));
    store
        .record_mailbox_progress(first.id, 7, 42, at(4))
        .await
        .unwrap();
    let progressed = store.get_mailbox(first.id).await.unwrap();
    assert_eq!(
        (
            progressed.uid_validity,
            progressed.last_uid,
            progressed.failure_count
        ),
        (Some(7), 42, 0)
    );
    assert_eq!(store.list_mailboxes().await.unwrap().len(), 2);
    store.delete_mailbox(second.id).await.unwrap();
    assert!(matches!(
        store.get_mailbox(second.id).await,
        Err(StoreError::NotFound { .. })
    ));
}
