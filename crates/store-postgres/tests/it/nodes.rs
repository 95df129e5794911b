//! Two stores on one database behave as two server nodes: no state is kept in either.

use ferrodesk_domain::{
    Channel, EventKind, Impact, NewEvent, Priority, Role, Ticket, TicketId, TicketStatus,
    TicketType, Tier, Urgency,
};
use ferrodesk_store::{
    Idempotency, NewTicket, NewUser, Store, StoreError, TicketChange, TicketWrite,
};
use ferrodesk_store_postgres::PgStore;
use ferrodesk_store_postgres::testing::TestDatabase;

fn ticket(requester: ferrodesk_domain::UserId) -> Ticket {
    let now = jiff::Timestamp::from_second(1_735_689_600).unwrap();
    Ticket {
        id: TicketId(0),
        version: 0,
        subject: "Shared".into(),
        description: String::new(),
        ticket_type: TicketType::Incident,
        status: TicketStatus::New,
        impact: Impact::Individual,
        urgency: Urgency::Low,
        priority: Priority::P4,
        priority_reason: None,
        category_id: None,
        service_id: None,
        location: None,
        device: None,
        requester_id: requester,
        organization_id: None,
        channel: Channel::Api,
        group_id: None,
        tier: Tier::FIRST,
        owner_id: None,
        assignee_id: None,
        tags: vec![],
        escalation_level: 0,
        external_ref: None,
        merged_into: None,
        created_at: now,
        updated_at: now,
        first_response_at: None,
        resolved_at: None,
        closed_at: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_share_versions_keys_and_counts() {
    let Some(database) = TestDatabase::create().await else {
        return;
    };
    let first = PgStore::connect(database.url()).await.unwrap();
    let second = PgStore::connect(database.url()).await.unwrap();
    let carla = first
        .create_user(NewUser {
            email: ferrodesk_domain::EmailAddress::parse("carla@example.com").unwrap(),
            name: "Carla".into(),
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
            now: jiff::Timestamp::UNIX_EPOCH,
        })
        .await
        .unwrap();
    let request = |key: &str| {
        let t = ticket(carla.id);
        NewTicket {
            events: vec![NewEvent::new(
                EventKind::Created {
                    subject: t.subject.clone(),
                },
                Some(carla.id),
                Channel::Api,
                t.created_at,
            )],
            ticket: t,
            links: vec![],
            idempotency: Some(Idempotency {
                actor_id: carla.id,
                key: key.into(),
                fingerprint: "fp".into(),
            }),
            settings_version: None,
            notices: Vec::new(),
            round_robin: None,
        }
    };
    // The same retry reaching both nodes at once creates one ticket.
    let (a, b) = tokio::join!(
        first.create_ticket(request("k1")),
        second.create_ticket(request("k1"))
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.is_replayed() as u8 + b.is_replayed() as u8, 1);
    let created = a.into_inner();
    assert_eq!(created, b.into_inner());

    // Both nodes save against the same version: exactly one wins.
    let change = |subject: &str| {
        let mut after = created.clone();
        after.subject = subject.into();
        TicketWrite {
            changes: vec![TicketChange::new(created.clone(), after, vec![])],
            links: vec![],
            idempotency: None,
            settings_version: None,
        }
    };
    let (a, b) = tokio::join!(
        first.save_tickets(change("from one")),
        second.save_tickets(change("from two"))
    );
    let conflicts = [&a, &b]
        .iter()
        .filter(|r| matches!(r, Err(StoreError::Conflict { .. })))
        .count();
    assert_eq!(conflicts, 1, "{a:?} {b:?}");
    assert_eq!(second.get_ticket(created.id).await.unwrap().version, 2);
    let counts = second.queue_counts().await.unwrap();
    assert_eq!(counts.by_status.get(&TicketStatus::New), Some(&1));
    drop(first);
    drop(second);
}
