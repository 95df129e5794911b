//! When an SLA clock starts: a first response logged with the new ticket meets the
//! first-response target at once, and a policy applies from the moment it exists (or
//! its terms change), never to history before it.

use ferrodesk_app::{
    App, AppConfig, CalendarSpec, InteractionInput, ManualClock, NewTicketInput, PolicySpec,
    RequesterRef, RunnerConfig, TargetSpec,
};
use ferrodesk_domain::{Actor, CallDirection, ClockPhase, Impact, TicketId, Urgency};
use ferrodesk_store::{EventPage, Store};
use ferrodesk_testing::fixtures::{TestDesk, add_actor, at, person};
use jiff::{SignedDuration, Timestamp};
use std::sync::Arc;

struct Desk {
    app: App,
    clock: Arc<ManualClock>,
    admin: Actor,
    agent: Actor,
    customer: Actor,
    _dir: tempfile::TempDir,
}

async fn desk(start: Timestamp) -> Desk {
    let TestDesk { app, clock, dir } = TestDesk::sqlite_with(start, AppConfig::default()).await;
    Desk {
        admin: add_actor(&app, person("boss@example.com", "admin")).await,
        agent: add_actor(&app, person("ana@example.com", "agent")).await,
        customer: add_actor(&app, person("cy@example.com", "customer")).await,
        app,
        clock,
        _dir: dir,
    }
}

fn spec(calendar_id: i64, first_response: i64, resolution: i64) -> PolicySpec {
    let targets = TargetSpec {
        first_response_minutes: Some(first_response),
        update_interval_minutes: None,
        resolution_minutes: Some(resolution),
    };
    PolicySpec {
        name: "Standard".into(),
        calendar_id,
        targets: [targets; 4],
        warning_percent: 80,
        is_default: true,
        ..PolicySpec::default()
    }
}

/// A round-the-clock calendar and the default policy: first response 30 minutes,
/// resolution 4 hours, warnings at 80 %. Open tickets get their clocks before this
/// returns (the service also starts that in the background).
async fn first_policy(desk: &Desk) -> i64 {
    let levels = desk.app.service_levels();
    let calendar = levels
        .create_calendar(
            &desk.admin,
            &CalendarSpec {
                name: "24/7".into(),
                always_open: true,
                time_zone: "UTC".into(),
                ..CalendarSpec::default()
            },
        )
        .await
        .unwrap();
    levels
        .create_policy(&desk.admin, &spec(calendar.id.get(), 30, 240))
        .await
        .unwrap();
    levels.refresh_open_tickets().await.unwrap();
    calendar.id.get()
}

async fn ticket(desk: &Desk, subject: &str, interaction: Option<InteractionInput>) -> TicketId {
    let by_agent = interaction.is_some();
    let (actor, requester) = if by_agent {
        (&desk.agent, Some(RequesterRef::Id(desk.customer.user_id)))
    } else {
        (&desk.customer, None)
    };
    desk.app
        .tickets()
        .create(
            actor,
            NewTicketInput {
                subject: subject.into(),
                description: "it does not work".into(),
                impact: Some(Impact::Organization),
                urgency: Some(Urgency::High),
                requester,
                interaction,
                ..NewTicketInput::default()
            },
            None,
        )
        .await
        .unwrap()
        .into_inner()
        .id
}

async fn sla_events(store: &dyn Store, id: TicketId) -> Vec<String> {
    store
        .list_events(id, true, &EventPage::default())
        .await
        .unwrap()
        .iter()
        .map(|e| e.kind.name())
        .filter(|name| name.starts_with("sla_"))
        .map(String::from)
        .collect()
}

async fn run_jobs(desk: &Desk) {
    let jobs = desk.app.jobs(RunnerConfig::default());
    // Each pass fires what is due; a second pass sees whatever the first scheduled.
    for _ in 0..3 {
        jobs.run_due().await.unwrap();
    }
}

#[tokio::test]
async fn a_call_logged_with_a_new_ticket_meets_its_first_response_target() {
    let desk = desk(at("2026-03-02T09:00:00Z")).await;
    first_policy(&desk).await;
    let call = InteractionInput::Call {
        direction: CallDirection::Outbound,
        number: Some("+47 22 00 00 00".into()),
        duration_seconds: 180,
        body: "Called back; walked them through a restart.".into(),
        visibility: None,
    };
    let id = ticket(&desk, "VPN drops", Some(call)).await;
    let created = desk.app.store().get_ticket(id).await.unwrap();
    assert_eq!(created.first_response_at, Some(desk.app.now()));

    let sla = desk.app.store().ticket_slas(&[id]).await.unwrap().remove(0);
    let first = sla.first_response.unwrap();
    assert_eq!(first.phase, ClockPhase::Met, "{sla:?}");
    assert_eq!(first.due_at, None, "{sla:?}");
    // Only the resolution target runs: it is the next due time.
    let resolution_due = desk.app.now() + SignedDuration::from_hours(4);
    assert_eq!(sla.next_due_at, Some(resolution_due));

    // Past the first-response due time and its warning: nothing fires for it.
    desk.clock.advance(SignedDuration::from_hours(1));
    run_jobs(&desk).await;
    assert!(
        sla_events(desk.app.store().as_ref(), id).await.is_empty(),
        "{:?}",
        sla_events(desk.app.store().as_ref(), id).await
    );
    let after = desk.app.store().get_ticket(id).await.unwrap();
    assert_eq!(after.updated_at, created.updated_at);

    // A ticket opened without an answer still runs against its target.
    let unanswered = ticket(&desk, "Printer jammed", None).await;
    desk.clock.advance(SignedDuration::from_hours(1));
    run_jobs(&desk).await;
    assert_eq!(
        sla_events(desk.app.store().as_ref(), unanswered).await,
        ["sla_warning", "sla_breached"]
    );
}

#[tokio::test]
async fn a_first_policy_does_not_breach_tickets_older_than_it() {
    let start = at("2026-03-02T09:00:00Z");
    let desk = desk(start).await;
    let old = ticket(&desk, "Old printer", None).await;
    let older = ticket(&desk, "Old laptop", None).await;
    let before = desk.app.store().get_tickets(&[old, older]).await.unwrap();

    // A month later the desk sets up its first SLA policy.
    desk.clock.advance(SignedDuration::from_hours(30 * 24));
    let policy_created = desk.app.now();
    first_policy(&desk).await;
    run_jobs(&desk).await;
    for id in [old, older] {
        assert!(
            sla_events(desk.app.store().as_ref(), id).await.is_empty(),
            "{:?}",
            sla_events(desk.app.store().as_ref(), id).await
        );
        // Their targets count from the policy, not from a month ago.
        let sla = desk.app.store().ticket_slas(&[id]).await.unwrap().remove(0);
        let first = sla.first_response.unwrap();
        assert_eq!(first.started_at, policy_created);
        assert_eq!(
            first.due_at,
            Some(policy_created + SignedDuration::from_mins(30))
        );
    }
    let after = desk.app.store().get_tickets(&[old, older]).await.unwrap();
    assert_eq!(
        after.iter().map(|t| t.updated_at).collect::<Vec<_>>(),
        before.iter().map(|t| t.updated_at).collect::<Vec<_>>()
    );

    // A ticket opened under the policy is warned and breached as before.
    desk.clock.advance(SignedDuration::from_mins(1));
    let new = ticket(&desk, "New monitor", None).await;
    desk.clock.advance(SignedDuration::from_mins(24));
    run_jobs(&desk).await;
    assert_eq!(
        sla_events(desk.app.store().as_ref(), new).await,
        ["sla_warning"]
    );
    desk.clock.advance(SignedDuration::from_mins(6));
    run_jobs(&desk).await;
    assert_eq!(
        sla_events(desk.app.store().as_ref(), new).await,
        ["sla_warning", "sla_breached"]
    );
}

#[tokio::test]
async fn tightening_a_policy_does_not_breach_open_tickets_in_the_past() {
    let desk = desk(at("2026-03-02T09:00:00Z")).await;
    let calendar_id = first_policy(&desk).await;
    let id = ticket(&desk, "Slow network", None).await;
    // Answered in time; three hours into its four-hour resolution target...
    desk.clock.advance(SignedDuration::from_mins(10));
    desk.app
        .tickets()
        .add_interaction(
            &desk.admin,
            id,
            InteractionInput::Reply {
                body: "Looking into it.".into(),
            },
            None,
        )
        .await
        .unwrap();
    desk.clock.advance(SignedDuration::from_mins(170));
    run_jobs(&desk).await;
    assert_eq!(
        sla_events(desk.app.store().as_ref(), id).await,
        Vec::<String>::new()
    );
    let before = desk.app.store().get_ticket(id).await.unwrap();

    // ...the desk tightens resolution to one hour: the new terms apply from now.
    let levels = desk.app.service_levels();
    let policy = levels.policies(&desk.admin).await.unwrap().remove(0);
    levels
        .update_policy(&desk.admin, policy.id.get(), &spec(calendar_id, 30, 60))
        .await
        .unwrap();
    levels.refresh_open_tickets().await.unwrap();
    let edited = desk.app.now();
    run_jobs(&desk).await;
    assert!(
        sla_events(desk.app.store().as_ref(), id).await.is_empty(),
        "{:?}",
        sla_events(desk.app.store().as_ref(), id).await
    );
    assert_eq!(
        desk.app.store().get_ticket(id).await.unwrap().updated_at,
        before.updated_at
    );
    let sla = desk.app.store().ticket_slas(&[id]).await.unwrap().remove(0);
    assert_eq!(
        sla.resolution.unwrap().due_at,
        Some(edited + SignedDuration::from_hours(1))
    );
}
