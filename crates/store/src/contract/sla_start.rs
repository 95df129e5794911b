//! Contract tests for where a ticket's stored SLA clock starts and what meets it: the
//! recorded first response meets the first-response target whatever answered (a logged
//! call too).

use super::sla::{calendar, policy_input};
use super::*;
use ferrodesk_domain::{BusinessCalendar, CallDirection, ClockPhase};

const HOUR: i64 = 3600;

/// A public outbound call logged by `agent` with the ticket, which records it as the
/// first response.
fn called_back(agent: &User, ticket: &mut Ticket) -> Vec<NewEvent> {
    ticket.first_response_at = Some(ticket.created_at);
    let mut call = NewEvent::new(
        EventKind::Call {
            direction: CallDirection::Outbound,
            number: None,
            duration_seconds: 120,
            body: "Called back and restarted the router.".into(),
        },
        Some(agent.id),
        Channel::Phone,
        ticket.created_at,
    );
    call.visibility = Visibility::Public;
    vec![created_event(ticket), call]
}

/// A call logged with a new ticket meets its first-response target, in a single
/// create and in a bulk one, and the update interval runs from it.
pub async fn a_call_logged_with_a_new_ticket_meets_its_first_response_target(store: TestStore) {
    let always = calendar(&store, "24/7", BusinessCalendar::always_open()).await;
    store
        .create_policy(policy_input("Standard", always, true))
        .await
        .unwrap();
    let customer = user(&store, "c@example.com", Role::Customer).await;
    let agent = user(&store, "a@example.com", Role::Agent).await;

    let mut single = ticket(&customer, "Router", at(100));
    let events = called_back(&agent, &mut single);
    let created = store
        .create_ticket(NewTicket {
            ticket: single,
            events,
            links: vec![],
            idempotency: None,
            settings_version: None,
        })
        .await
        .unwrap();
    let Created::New(created) = created else {
        panic!("a create without a key was replayed");
    };
    let mut bulk = ticket(&customer, "Router again", at(100));
    let events = called_back(&agent, &mut bulk);
    let bulk = store
        .bulk_create_tickets(vec![(bulk, events)])
        .await
        .unwrap();

    for id in [created.id, bulk[0]] {
        let sla = store.ticket_slas(&[id]).await.unwrap().remove(0);
        let first = sla.first_response.unwrap();
        assert_eq!(first.phase, ClockPhase::Met, "{sla:?}");
        assert_eq!(first.due_at, None);
        let update = sla.next_update.unwrap();
        assert_eq!(update.started_at, at(100));
        // P4: update interval 120 minutes, resolution 480.
        assert_eq!(update.due_at, Some(at(100 + 2 * HOUR)));
        assert_eq!(sla.next_due_at, Some(at(100 + 2 * HOUR)));
    }
    // The first job is the update interval's warning, not a first-response one.
    assert_eq!(
        store.next_job_due().await.unwrap(),
        Some(at(100 + 2 * HOUR * 8 / 10))
    );
}
