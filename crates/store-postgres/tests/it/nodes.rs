//! Two stores on one database behave as two server nodes: no state is kept in either.

use ferrodesk_domain::{Role, TicketStatus};
use ferrodesk_store::{
    Idempotency, NewTicket, PeopleStore, StoreError, TicketChange, TicketStore, TicketWrite,
};
use ferrodesk_store_postgres::PgStore;
use ferrodesk_testing::contract::{at, created_event, new_user, ticket};
use ferrodesk_testing::postgres::TestDatabase;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_share_versions_keys_and_counts() {
    let Some(database) = TestDatabase::create().await else {
        return;
    };
    let first = PgStore::connect(database.url()).await.unwrap();
    let second = PgStore::connect(database.url()).await.unwrap();
    let carla = first
        .create_user(new_user("carla@example.com", "Carla", Role::Customer))
        .await
        .unwrap();
    let request = |key: &str| {
        let t = ticket(&carla, "Shared", at(0));
        NewTicket {
            events: vec![created_event(&t)],
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
            custom_values: Vec::new(),
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
