//! The contract of [`OutboxStore`](ferrodesk_store::OutboxStore) and
//! [`MailboxLeaseStore`](ferrodesk_store::MailboxLeaseStore), run on both backends through
//! [`mail_outbox_contract_tests!`](crate::mail_outbox_contract_tests) (which
//! [`store_contract_tests!`](crate::store_contract_tests) expands).
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

use ferrodesk_domain::{
    Channel, EmailAddress, EventKind, Impact, NewEvent, Priority, Role, Ticket, TicketId,
    TicketStatus, TicketType, Tier, Urgency,
};
use ferrodesk_store::mail::{Filing, InboundFiling, InboundRecord};
use ferrodesk_store::{NewTicket, NewUser, Store, StoreError};
use std::sync::Arc;

use crate::contract::at;

/// Expands to one `#[tokio::test]` per outbox and mailbox-lease contract test.
#[macro_export]
macro_rules! mail_outbox_contract_tests {
    ($make:expr) => {
        $crate::contract_test_fns!(mail_outbox_contract, $make;
            failed_outbox_rows_are_listed_and_requeued_once,
            a_mailbox_is_leased_to_one_node_at_a_time,
        );
    };
}

/// Files `count` new tickets by mail; each queues one receipt.
async fn tickets_by_mail(store: &Arc<dyn Store>, count: usize) -> Vec<TicketId> {
    let address = EmailAddress::parse("ana@example.com").unwrap();
    let ana = store
        .create_user(NewUser {
            email: address.clone(),
            name: "Ana".into(),
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
        .unwrap();
    let mut ids = Vec::new();
    for n in 0..count {
        let ticket = Ticket {
            id: TicketId(0),
            version: 0,
            subject: format!("request {n}"),
            description: "body".into(),
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
            requester_id: ana.id,
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
        };
        let filed = store
            .file_inbound(InboundFiling {
                record: InboundRecord {
                    message_id: format!("outbox-{n}@example.com"),
                    mailbox_id: None,
                    sender: address.clone(),
                    subject: format!("request {n}"),
                    html_body: None,
                    full_text: "body".into(),
                    may_auto_reply: true,
                    participants: vec![address.clone()],
                    now: at(10),
                },
                filing: Filing::NewTicket(Box::new(NewTicket {
                    events: vec![NewEvent::new(
                        EventKind::Created {
                            subject: format!("request {n}"),
                        },
                        Some(ana.id),
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
            })
            .await
            .unwrap();
        ids.push(filed.ticket_id());
    }
    ids
}

/// Failed rows are listed by state and bounded, with their ticket's subject and the
/// kind of event they mail; a requeued one is due again with its
/// attempts reset, and only a failed row can be requeued.
pub async fn failed_outbox_rows_are_listed_and_requeued_once(store: Arc<dyn Store>) {
    let tickets = tickets_by_mail(&store, 3).await;
    // Two fail for good, one is sent.
    for n in 0..3 {
        let item = store.claim_outbox(at(100), at(400)).await.unwrap().unwrap();
        if n < 2 {
            store
                .outbox_failed(item.id, "550 relay denied", None, at(100 + n))
                .await
                .unwrap();
        } else {
            store.outbox_sent(item.id, at(100)).await.unwrap();
        }
    }
    let failed = store.list_outbox_in_state("failed", 50).await.unwrap();
    assert_eq!(failed.len(), 2);
    assert!(
        failed
            .iter()
            .all(|e| e.state == "failed" && e.attempts == 1)
    );
    assert!(
        failed
            .iter()
            .all(|e| e.about.ticket_id().is_some_and(|t| tickets.contains(&t)))
    );
    // Each says what it mails: the ticket's subject and the event's kind.
    assert!(failed.iter().all(|e| {
        e.ticket_subject
            .as_deref()
            .is_some_and(|s| s.starts_with("request "))
            && e.topic.as_deref() == Some("created")
    }));
    assert_eq!(
        store.list_outbox_in_state("failed", 1).await.unwrap().len(),
        1
    );
    assert_eq!(
        store.list_outbox_in_state("sent", 50).await.unwrap().len(),
        1
    );
    assert!(
        store
            .list_outbox_in_state("pending", 50)
            .await
            .unwrap()
            .is_empty()
    );

    let again = failed[0].id;
    store.requeue_outbox(again, at(500)).await.unwrap();
    let pending = store.list_outbox_in_state("pending", 50).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(
        (
            pending[0].id,
            pending[0].attempts,
            pending[0].next_attempt_at
        ),
        (again, 0, at(500))
    );
    assert_eq!(pending[0].last_error.as_deref(), Some("550 relay denied"));
    let claimed = store.claim_outbox(at(500), at(800)).await.unwrap().unwrap();
    assert_eq!(claimed.id, again);
    // Only failed rows go back: not a pending (claimed) one, not a sent one, not a
    // missing one.
    for id in [
        again,
        store.list_outbox_in_state("sent", 1).await.unwrap()[0].id,
    ] {
        assert!(matches!(
            store.requeue_outbox(id, at(600)).await,
            Err(StoreError::NotFound { .. })
        ));
    }
    assert!(matches!(
        store
            .requeue_outbox(ferrodesk_store::mail::OutboxId(999_999), at(600))
            .await,
        Err(StoreError::NotFound { .. })
    ));
}

/// One holder at a time: a lease is renewed by its holder, refused to others until it
/// runs out or is released.
pub async fn a_mailbox_is_leased_to_one_node_at_a_time(store: Arc<dyn Store>) {
    let mailbox = store
        .create_mailbox(ferrodesk_store::mail::MailboxWrite {
            name: "Support".into(),
            address: EmailAddress::parse("support@desk.example").unwrap(),
            is_default: true,
            group_id: None,
            category_id: None,
            allows_unknown_senders: true,
            imap: None,
            is_enabled: true,
            now: at(0),
        })
        .await
        .unwrap();
    let id = mailbox.id;
    assert!(
        store
            .lease_mailbox(id, "node-a", at(10), at(100))
            .await
            .unwrap()
    );
    assert!(
        !store
            .lease_mailbox(id, "node-b", at(20), at(120))
            .await
            .unwrap()
    );
    assert!(
        store
            .lease_mailbox(id, "node-a", at(50), at(150))
            .await
            .unwrap()
    );
    // Run out: another node takes it.
    assert!(
        store
            .lease_mailbox(id, "node-b", at(150), at(250))
            .await
            .unwrap()
    );
    assert!(
        !store
            .lease_mailbox(id, "node-a", at(160), at(260))
            .await
            .unwrap()
    );
    // Released by its holder only.
    store.release_mailbox(id, "node-a").await.unwrap();
    assert!(
        !store
            .lease_mailbox(id, "node-a", at(170), at(270))
            .await
            .unwrap()
    );
    store.release_mailbox(id, "node-b").await.unwrap();
    assert!(
        store
            .lease_mailbox(id, "node-a", at(180), at(280))
            .await
            .unwrap()
    );
    assert!(matches!(
        store
            .lease_mailbox(
                ferrodesk_store::mail::MailboxId(999_999),
                "node-a",
                at(0),
                at(1)
            )
            .await,
        Err(StoreError::NotFound { .. })
    ));
}
