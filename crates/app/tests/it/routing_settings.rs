//! The routing settings a server keeps in memory follow changes made elsewhere: by
//! another process on the same database file (or another node on PostgreSQL).

use ferrodesk_app::{App, AppConfig, GroupInput, ManualClock, NewTicketInput, TicketPatch};
use ferrodesk_domain::{Actor, EventKind, Group, Ticket};
use ferrodesk_store::RoutingRule;
use ferrodesk_testing::fixtures::{self, open_sqlite};
use std::path::Path;
use std::sync::Arc;

async fn open(path: &Path, clock: &Arc<ManualClock>) -> App {
    App::new(open_sqlite(path).await, clock.clone(), AppConfig::default())
}

async fn admin_of(app: &App, user: ferrodesk_domain::UserId) -> Actor {
    app.store().actor_for_user(user).await.unwrap()
}

async fn group(app: &App, admin: &Actor, name: &str) -> Group {
    app.directory()
        .create_group(
            admin,
            GroupInput {
                name: name.into(),
                tier: 1,
                ..GroupInput::default()
            },
        )
        .await
        .unwrap()
}

async fn open_ticket(app: &App, actor: &Actor, subject: &str) -> Ticket {
    app.tickets()
        .create(
            actor,
            NewTicketInput {
                subject: subject.into(),
                description: "Please have a look.".into(),
                ..NewTicketInput::default()
            },
            None,
        )
        .await
        .unwrap()
        .into_inner()
}

#[tokio::test]
async fn a_routing_rule_made_by_another_process_routes_this_servers_next_ticket() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.db");
    let clock = fixtures::clock();
    let server = open(&path, &clock).await;
    let other = open(&path, &clock).await;
    let boss = server
        .add_user_as_system(ferrodesk_app::NewUserInput {
            email: "boss@example.com".into(),
            name: "Boss".into(),
            role: "admin".into(),
            ..ferrodesk_app::NewUserInput::default()
        })
        .await
        .unwrap();
    let here = admin_of(&server, boss.id).await;
    let there = admin_of(&other, boss.id).await;
    let desk = group(&server, &here, "Service Desk").await;
    let printers = group(&server, &here, "Toner and printers").await;

    // The server routes a ticket, and so holds the settings of that moment.
    let laptop = open_ticket(&server, &here, "Laptop is slow").await;
    assert_eq!(laptop.group_id, Some(desk.id));

    // The other process adds a rule the server has not seen.
    let rule = other
        .service_levels()
        .create_routing_rule(
            &there,
            RoutingRule {
                id: ferrodesk_store::RuleId(0),
                name: "Printers".into(),
                position: 1,
                is_enabled: true,
                conditions: ferrodesk_domain::RuleConditions {
                    text: vec!["printer".into()],
                    ..ferrodesk_domain::RuleConditions::default()
                },
                actions: ferrodesk_domain::RuleActions {
                    group_id: Some(printers.id),
                    ..ferrodesk_domain::RuleActions::default()
                },
            },
        )
        .await
        .unwrap();
    let jam = open_ticket(&server, &here, "The printer jams").await;
    assert_eq!(
        jam.group_id,
        Some(printers.id),
        "the new rule was not applied"
    );
    let events = server
        .store()
        .list_events(jam.id, true, &Default::default())
        .await
        .unwrap();
    assert!(
        events
            .iter()
            .any(|e| matches!(&e.kind, EventKind::RuleApplied { rule, .. } if rule == "Printers")),
        "the timeline does not say which rule routed the ticket"
    );

    // The other process removes the rule again: a change on this server that would
    // have matched it leaves the ticket where it is.
    other
        .service_levels()
        .delete_routing_rule(&there, rule.id.0)
        .await
        .unwrap();
    let changed = server
        .tickets()
        .update(
            &here,
            laptop.id,
            TicketPatch {
                subject: Some("Laptop slow when printing to the printer".into()),
                ..TicketPatch::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        changed.group_id,
        Some(desk.id),
        "a deleted rule was applied"
    );
}
