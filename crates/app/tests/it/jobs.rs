//! The job runner against real stores: a due time that passed while the desk was
//! down fires exactly once after start, and several runners (nodes) against one
//! PostgreSQL fire each due job exactly once.

use ferrodesk_app::{
    App, AppConfig, CalendarSpec, EscalationSpec, GroupInput, NewTicketInput, NewUserInput,
    PolicySpec, RunnerConfig, TargetSpec,
};
use ferrodesk_domain::{
    Actor, EscalationRule, EscalationTrigger, Impact, TargetKind, TicketId, Urgency,
};
use ferrodesk_store::{EventPage, Store};
use ferrodesk_testing::fixtures::{TestDesk, at, clock_at, open_sqlite};
use jiff::Timestamp;
use std::sync::Arc;

/// Sets up an admin, tier 1 and 2 groups, business hours in Oslo, a default policy
/// (P1: first response 30 min, resolution 4 h) and "breach of resolution escalates".
async fn configure(app: &App) -> Actor {
    let admin = app
        .add_user_as_system(NewUserInput {
            email: "boss@example.com".into(),
            name: "Boss".into(),
            role: "admin".into(),
            ..NewUserInput::default()
        })
        .await
        .unwrap();
    let actor = app.store().actor_for_user(admin.id).await.unwrap();
    let directory = app.directory();
    let second = directory
        .create_group(
            &actor,
            GroupInput {
                name: "Network".into(),
                tier: 2,
                ..GroupInput::default()
            },
        )
        .await
        .unwrap();
    directory
        .create_group(
            &actor,
            GroupInput {
                name: "Service Desk".into(),
                tier: 1,
                escalates_to: Some(second.id),
                ..GroupInput::default()
            },
        )
        .await
        .unwrap();
    let levels = app.service_levels();
    let hours = ["monday", "tuesday", "wednesday", "thursday", "friday"]
        .iter()
        .map(|d| format!("{d} 08:00-16:00"))
        .collect();
    let calendar = levels
        .create_calendar(
            &actor,
            &CalendarSpec {
                name: "Oslo office".into(),
                time_zone: "Europe/Oslo".into(),
                hours,
                ..CalendarSpec::default()
            },
        )
        .await
        .unwrap();
    let p1 = TargetSpec {
        first_response_minutes: Some(30),
        update_interval_minutes: None,
        resolution_minutes: Some(240),
    };
    levels
        .create_policy(
            &actor,
            &PolicySpec {
                name: "Standard".into(),
                calendar_id: calendar.id.get(),
                targets: [p1, p1, p1, p1],
                warning_percent: 80,
                is_default: true,
                ..PolicySpec::default()
            },
        )
        .await
        .unwrap();
    levels
        .create_escalation_rule(
            &actor,
            &EscalationSpec {
                name: "Breach goes to tier 2".into(),
                is_enabled: true,
                rule: EscalationRule {
                    trigger: EscalationTrigger::SlaBreach,
                    target: Some(TargetKind::Resolution),
                    threshold: None,
                    escalates: true,
                    notifies_supervisor: false,
                },
            },
        )
        .await
        .unwrap();
    actor
}

async fn p1_ticket(app: &App, actor: &Actor, subject: &str) -> TicketId {
    app.tickets()
        .create(
            actor,
            NewTicketInput {
                subject: subject.into(),
                description: "everything is down".into(),
                impact: Some(Impact::Organization),
                urgency: Some(Urgency::High),
                ..NewTicketInput::default()
            },
            None,
        )
        .await
        .unwrap()
        .into_inner()
        .id
}

async fn kinds(store: &dyn Store, id: TicketId) -> Vec<&'static str> {
    store
        .list_events(id, true, &EventPage::default())
        .await
        .unwrap()
        .iter()
        .map(|e| e.kind.name())
        .collect()
}

fn count(kinds: &[&str], kind: &str) -> usize {
    kinds.iter().filter(|k| **k == kind).count()
}

#[tokio::test]
async fn a_breach_that_passed_while_the_desk_was_down_fires_once_after_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.db");
    // Friday 6 March 2026, 18:00 in Oslo: after hours.
    let friday_evening = at("2026-03-06T17:00:00Z");
    let id = {
        let app = App::new(
            open_sqlite(&path).await,
            clock_at(friday_evening),
            AppConfig::default(),
        );
        let actor = configure(&app).await;
        let id = p1_ticket(&app, &actor, "Mail is down").await;
        let sla = app.store().ticket_slas(&[id]).await.unwrap().remove(0);
        // Business time: Monday 08:30 and 12:00 in Oslo.
        let first = sla.first_response.unwrap();
        assert_eq!(first.due_at, Some(at("2026-03-09T07:30:00Z")));
        assert_eq!(
            sla.resolution.unwrap().due_at,
            Some(at("2026-03-09T11:00:00Z"))
        );
        id
    };
    // The desk is down over the weekend and Monday; it starts again on Tuesday.
    let app = App::new(
        open_sqlite(&path).await,
        clock_at(at("2026-03-10T10:00:00Z")),
        AppConfig::default(),
    );
    let jobs = app.jobs(RunnerConfig::default());
    let report = jobs.run_due().await.unwrap();
    assert_eq!(report.finished, 1, "{report:?}");
    let after = kinds(app.store().as_ref(), id).await;
    assert_eq!(count(&after, "sla_breached"), 2, "{after:?}");
    assert_eq!(count(&after, "sla_warning"), 2, "{after:?}");
    assert_eq!(count(&after, "escalated"), 1, "{after:?}");
    let ticket = app.store().get_ticket(id).await.unwrap();
    assert_eq!(ticket.tier.get(), 2);
    // Nothing is left to fire: later passes record nothing more.
    for _ in 0..3 {
        jobs.run_due().await.unwrap();
    }
    assert_eq!(kinds(app.store().as_ref(), id).await, after);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn several_nodes_against_one_postgres_fire_each_due_job_exactly_once() {
    let Some(database) = ferrodesk_testing::postgres::TestDatabase::create().await else {
        return;
    };
    let start = at("2026-03-09T08:00:00Z");
    let mut nodes = Vec::new();
    for _ in 0..3 {
        let store = ferrodesk_store_postgres::PgStore::connect(database.url())
            .await
            .unwrap();
        let clock = clock_at(start);
        nodes.push((
            App::new(Arc::new(store), clock.clone(), AppConfig::default()),
            clock,
        ));
    }
    let actor = configure(&nodes[0].0).await;
    let mut ids = Vec::new();
    for n in 0..20 {
        ids.push(p1_ticket(&nodes[0].0, &actor, &format!("Outage {n}")).await);
    }
    // A day later every ticket is past its warnings and breaches.
    for (_, clock) in &nodes {
        clock.set(at("2026-03-10T15:00:00Z"));
    }
    let run = |app: &App| {
        let jobs = app.jobs(RunnerConfig {
            batch: 3,
            ..RunnerConfig::default()
        });
        async move {
            let mut finished = 0;
            loop {
                let report = jobs.run_due().await.unwrap();
                finished += report.finished;
                if report.claimed == 0 {
                    return finished;
                }
            }
        }
    };
    let (a, b, c) = tokio::join!(run(&nodes[0].0), run(&nodes[1].0), run(&nodes[2].0));
    let finished = a + b + c;
    assert!(finished >= ids.len(), "{finished}");
    for id in ids {
        let kinds = kinds(nodes[0].0.store().as_ref(), id).await;
        assert_eq!(count(&kinds, "sla_breached"), 2, "{id}: {kinds:?}");
        assert_eq!(count(&kinds, "sla_warning"), 2, "{id}: {kinds:?}");
        assert_eq!(count(&kinds, "escalated"), 1, "{id}: {kinds:?}");
    }
}

async fn add_rule(app: &App, actor: &Actor, name: &str, rule: EscalationRule) {
    app.service_levels()
        .create_escalation_rule(
            actor,
            &EscalationSpec {
                name: name.into(),
                is_enabled: true,
                rule,
            },
        )
        .await
        .unwrap();
}

async fn sqlite_desk(now: Timestamp) -> (App, tempfile::TempDir) {
    let desk = TestDesk::sqlite_with(now, AppConfig::default()).await;
    (desk.app, desk.dir)
}

#[tokio::test]
async fn editing_a_policy_gives_open_tickets_new_due_times() {
    let (app, _dir) = sqlite_desk(at("2026-03-06T17:00:00Z")).await;
    let actor = configure(&app).await;
    let id = p1_ticket(&app, &actor, "Mail is down").await;
    let due = |app: App| async move {
        let sla = app.store().ticket_slas(&[id]).await.unwrap().remove(0);
        sla.first_response.and_then(|t| t.due_at)
    };
    // Monday 08:30 in Oslo.
    assert_eq!(due(app.clone()).await, Some(at("2026-03-09T07:30:00Z")));

    let levels = app.service_levels();
    let policy = levels.policies(&actor).await.unwrap().remove(0);
    let slower = TargetSpec {
        first_response_minutes: Some(60),
        update_interval_minutes: None,
        resolution_minutes: Some(480),
    };
    levels
        .update_policy(
            &actor,
            policy.id.get(),
            &PolicySpec {
                name: "Standard".into(),
                calendar_id: policy.calendar_id.get(),
                targets: [slower; 4],
                warning_percent: 80,
                is_default: true,
                ..PolicySpec::default()
            },
        )
        .await
        .unwrap();
    // The recomputation runs in the background; wait for it (bounded).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while due(app.clone()).await != Some(at("2026-03-09T08:00:00Z")) {
        assert!(
            std::time::Instant::now() < deadline,
            "the open ticket kept its old due time"
        );
        tokio::task::yield_now().await;
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_complaint_escalates_on_arrival_when_a_rule_says_so() {
    let (app, _dir) = sqlite_desk(at("2026-03-09T09:00:00Z")).await;
    let actor = configure(&app).await;
    add_rule(
        &app,
        &actor,
        "Complaints go up",
        EscalationRule {
            trigger: EscalationTrigger::Complaint,
            target: None,
            threshold: None,
            escalates: true,
            notifies_supervisor: false,
        },
    )
    .await;
    let plain = p1_ticket(&app, &actor, "Printer jams").await;
    let complaint = app
        .tickets()
        .create(
            &actor,
            NewTicketInput {
                subject: "Nobody answers my calls".into(),
                description: "Third time I report this".into(),
                ticket_type: Some(ferrodesk_domain::TicketType::Complaint),
                ..NewTicketInput::default()
            },
            None,
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(complaint.tier.get(), 2, "{complaint:?}");
    let kinds_of = kinds(app.store().as_ref(), complaint.id).await;
    assert_eq!(count(&kinds_of, "escalated"), 1, "{kinds_of:?}");
    let plain = app.store().get_ticket(plain).await.unwrap();
    assert_eq!(plain.tier.get(), 1, "only complaints");
}

#[tokio::test]
async fn the_second_reassignment_escalates_when_a_rule_says_so() {
    let (app, _dir) = sqlite_desk(at("2026-03-09T09:00:00Z")).await;
    let actor = configure(&app).await;
    add_rule(
        &app,
        &actor,
        "Ping-pong",
        EscalationRule {
            trigger: EscalationTrigger::Reassigned,
            target: None,
            threshold: Some(2),
            escalates: true,
            notifies_supervisor: false,
        },
    )
    .await;
    let mut agents = Vec::new();
    for name in ["ana", "bo"] {
        agents.push(
            app.add_user_as_system(NewUserInput {
                email: format!("{name}@example.com"),
                name: name.into(),
                role: "agent".into(),
                tier: Some(1),
                groups: vec!["Service Desk".into()],
                ..NewUserInput::default()
            })
            .await
            .unwrap()
            .id,
        );
    }
    let id = p1_ticket(&app, &actor, "VPN drops").await;
    let assign = |to: ferrodesk_domain::UserId| ferrodesk_app::TicketPatch {
        assignee_id: Some(Some(to)),
        ..ferrodesk_app::TicketPatch::default()
    };
    // The first assignment is no reassignment; then a, b: one; b, a: two.
    for (step, to) in [agents[0], agents[1]].into_iter().enumerate() {
        let ticket = app.tickets().update(&actor, id, assign(to)).await.unwrap();
        assert_eq!(ticket.tier.get(), 1, "step {step}");
    }
    let ticket = app
        .tickets()
        .update(&actor, id, assign(agents[0]))
        .await
        .unwrap();
    assert_eq!(ticket.tier.get(), 2, "{ticket:?}");
    let kinds_of = kinds(app.store().as_ref(), id).await;
    assert_eq!(count(&kinds_of, "escalated"), 1, "{kinds_of:?}");
}
