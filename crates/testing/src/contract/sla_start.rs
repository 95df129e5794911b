//! Contract tests for where a ticket's stored SLA clock starts: the recorded first
//! response meets the first-response target whatever answered (a logged call too), and
//! a policy applies from when its terms took effect, not to history before it.

use super::sla::{calendar, policy_input};
use super::*;
use ferrodesk_domain::schedule::calendar_from_text;
use ferrodesk_domain::{BusinessCalendar, BusinessMinutes, CallDirection, ClockPhase};
use ferrodesk_store::{CalendarInput, PolicyInput};

const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;

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
    let created = create_with_events(&store, single, events).await;
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

/// A policy created after a ticket measures it from the policy's creation; changing
/// its targets or its calendar's hours starts the new terms then, and a change of
/// anything else (a name) moves nothing.
pub async fn a_policy_applies_to_older_tickets_from_when_its_terms_took_effect(store: TestStore) {
    let customer = user(&store, "c@example.com", Role::Customer).await;
    let old = create(&store, ticket(&customer, "Old printer", at(0))).await;
    let always = calendar(&store, "24/7", BusinessCalendar::always_open()).await;
    let mut input = policy_input("Standard", always, true);
    input.now = at(10 * DAY);
    let policy = store.create_policy(input.clone()).await.unwrap();
    store
        .refresh_open_ticket_slas(None, 10, at(10 * DAY))
        .await
        .unwrap();
    let first_response = |store: TestStore| async move {
        store
            .ticket_slas(&[old.id])
            .await
            .unwrap()
            .remove(0)
            .first_response
            .unwrap()
    };
    let first = first_response(store.clone()).await;
    assert_eq!(first.started_at, at(10 * DAY));
    assert_eq!(first.due_at, Some(at(10 * DAY + HOUR)));
    assert!(
        store
            .claim_jobs(at(10 * DAY), 60, 10)
            .await
            .unwrap()
            .is_empty(),
        "nothing is due when the policy is created"
    );

    // Renamed half an hour later: the terms stand.
    let rename = |name: &str, now: i64, input: &PolicyInput| PolicyInput {
        name: name.into(),
        now: at(now),
        ..input.clone()
    };
    let renamed = rename("Standard desk", 10 * DAY + HOUR / 2, &input);
    store
        .update_policy(policy.id, renamed.clone())
        .await
        .unwrap();
    store
        .refresh_open_ticket_slas(None, 10, at(10 * DAY + HOUR / 2))
        .await
        .unwrap();
    assert_eq!(first_response(store.clone()).await, first);

    // Tightened to 20 minutes: due 20 minutes after the change, not 40 minutes ago.
    let mut tighter = rename("Standard desk", 10 * DAY + HOUR / 2, &renamed);
    tighter.targets.p4.first_response = Some(BusinessMinutes::new(20).unwrap());
    store.update_policy(policy.id, tighter).await.unwrap();
    store
        .refresh_open_ticket_slas(None, 10, at(10 * DAY + HOUR / 2))
        .await
        .unwrap();
    let first = first_response(store.clone()).await;
    assert_eq!(first.started_at, at(10 * DAY + HOUR / 2));
    assert_eq!(first.due_at, Some(at(10 * DAY + HOUR / 2 + 20 * 60)));
    assert!(
        store
            .claim_jobs(at(10 * DAY + HOUR / 2), 60, 10)
            .await
            .unwrap()
            .is_empty()
    );

    // The calendar's hours change: the policy counting in them starts again too; its
    // name alone does not.
    let later = 10 * DAY + HOUR;
    store
        .update_calendar(
            always,
            CalendarInput {
                name: "Round the clock".into(),
                calendar: BusinessCalendar::always_open(),
                now: at(later),
            },
        )
        .await
        .unwrap();
    store
        .refresh_open_ticket_slas(None, 10, at(later))
        .await
        .unwrap();
    assert_eq!(
        first_response(store.clone()).await.started_at,
        at(10 * DAY + HOUR / 2)
    );
    let weekdays = calendar_from_text(
        false,
        "UTC",
        &[
            "monday 08:00-16:00",
            "tuesday 08:00-16:00",
            "wednesday 08:00-16:00",
            "thursday 08:00-16:00",
            "friday 08:00-16:00",
        ],
        &[],
    )
    .unwrap();
    store
        .update_calendar(
            always,
            CalendarInput {
                name: "Weekdays".into(),
                calendar: weekdays,
                now: at(later),
            },
        )
        .await
        .unwrap();
    store
        .refresh_open_ticket_slas(None, 10, at(later))
        .await
        .unwrap();
    assert_eq!(first_response(store.clone()).await.started_at, at(later));
}
