//! Canned responses: who may use and manage which macro, and applying one as a single
//! ticket write (the reply and its actions together, or nothing at all).

use crate::staffed::{Desk, desk};
use ferrodesk_app::{AppError, MacroInput, MacroPatch, NewTicketInput};
use ferrodesk_domain::{EventKind, MacroActions, TicketId, TicketStatus, TransitionError};
use ferrodesk_store::{Created, EventPage};

async fn ticket(desk: &Desk) -> TicketId {
    let created = desk
        .app
        .tickets()
        .create(
            &desk.customer,
            NewTicketInput {
                subject: "Printer out of toner".into(),
                description: "Third floor.".into(),
                ..NewTicketInput::default()
            },
            None,
        )
        .await
        .unwrap();
    let id = created.into_inner().id;
    desk.app
        .tickets()
        .update(
            &desk.admin,
            id,
            ferrodesk_app::TicketPatch {
                group_id: Some(Some(desk.group)),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    id
}

fn input(name: &str, body: &str, actions: MacroActions) -> MacroInput {
    MacroInput {
        name: name.into(),
        body: body.into(),
        actions,
        ..MacroInput::default()
    }
}

async fn timeline_len(desk: &Desk, id: TicketId) -> usize {
    desk.app
        .tickets()
        .events(&desk.admin, id, &EventPage::default())
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn applying_a_macro_writes_the_reply_status_assignee_and_tags_in_one_write() {
    let desk = desk().await;
    let id = ticket(&desk).await;
    let before = desk.app.tickets().get(&desk.admin, id).await.unwrap();
    let waiting = desk
        .app
        .macros()
        .create(
            &desk.agent,
            input(
                "Waiting for you",
                "Hello {{requester.name}}, about {{ticket.number}}: {{portal.link}}\n{{agent.name}}",
                MacroActions {
                    status: Some(TicketStatus::PendingCustomer),
                    assignee_id: Some(desk.agent.user_id),
                    add_tags: vec!["waiting".into()],
                    ..MacroActions::default()
                },
            ),
        )
        .await
        .unwrap();
    let applied = desk
        .app
        .macros()
        .apply(&desk.agent, id, waiting.id, None)
        .await
        .unwrap();
    let Created::New(applied) = applied else {
        panic!("replayed");
    };
    let ticket = applied.ticket;
    assert_eq!(ticket.status, TicketStatus::PendingCustomer);
    assert_eq!(ticket.assignee_id, Some(desk.agent.user_id));
    assert_eq!(ticket.tags, ["waiting"]);
    // One write: the ticket's version moved once and every event shares its time.
    assert_eq!(ticket.version, before.version + 1);
    let times: Vec<_> = applied.events.iter().map(|e| e.created_at).collect();
    assert!(times.iter().all(|t| *t == times[0]), "{times:?}");
    let reply = applied
        .events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Reply { body } => Some(body.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        reply,
        format!(
            "Hello Ana Berg, about #{}: http://127.0.0.1:8080/portal/tickets/{}\nOla Nordmann",
            id.get(),
            id.get()
        )
    );
    assert!(applied.events.iter().any(|e| matches!(
        e.kind,
        EventKind::StatusChanged {
            to: TicketStatus::PendingCustomer,
            ..
        }
    )));
}

#[tokio::test]
async fn a_status_move_the_machine_refuses_writes_nothing() {
    let desk = desk().await;
    let id = ticket(&desk).await;
    let before = desk.app.tickets().get(&desk.admin, id).await.unwrap();
    let events_before = timeline_len(&desk, id).await;
    let close = desk
        .app
        .macros()
        .create(
            &desk.agent,
            input(
                "Close at once",
                "Closing this.",
                MacroActions {
                    status: Some(TicketStatus::Closed),
                    assignee_id: Some(desk.agent.user_id),
                    ..MacroActions::default()
                },
            ),
        )
        .await
        .unwrap();
    let refused = desk
        .app
        .macros()
        .apply(&desk.agent, id, close.id, None)
        .await
        .unwrap_err();
    assert!(
        matches!(
            refused,
            AppError::InvalidTransition(TransitionError::NotAllowed { .. })
        ),
        "{refused:?}"
    );
    let after = desk.app.tickets().get(&desk.admin, id).await.unwrap();
    assert_eq!(after, before);
    assert_eq!(timeline_len(&desk, id).await, events_before);
}

#[tokio::test]
async fn staff_use_their_own_and_shared_macros_and_only_managers_edit_shared_ones() {
    let desk = desk().await;
    let macros = desk.app.macros();
    let own = macros
        .create(&desk.agent, input("Mine", "Hi", MacroActions::default()))
        .await
        .unwrap();
    let shared_input = MacroInput {
        shared: true,
        group_ids: vec![desk.group],
        ..input("Toner", "Toner is on its way.", MacroActions::default())
    };
    let refused = macros
        .create(&desk.agent, shared_input.clone())
        .await
        .unwrap_err();
    assert!(matches!(refused, AppError::Forbidden { .. }), "{refused:?}");
    let shared = macros.create(&desk.admin, shared_input).await.unwrap();

    let names = |list: Vec<ferrodesk_domain::Macro>| {
        list.into_iter().map(|m| m.fields.name).collect::<Vec<_>>()
    };
    assert_eq!(
        names(macros.list(&desk.agent).await.unwrap()),
        ["Mine", "Toner"]
    );
    // Kari is in no group: neither Ola's macro nor the group's is hers.
    assert!(macros.list(&desk.outsider).await.unwrap().is_empty());
    let hidden = macros.get(&desk.outsider, own.id).await.unwrap_err();
    assert!(matches!(hidden, AppError::NotFound { .. }), "{hidden:?}");
    let hidden = macros.delete(&desk.outsider, own.id).await.unwrap_err();
    assert!(matches!(hidden, AppError::NotFound { .. }), "{hidden:?}");

    let patch = MacroPatch {
        name: Some("Renamed".into()),
        ..MacroPatch::default()
    };
    let forbidden = macros
        .update(&desk.agent, shared.id, patch.clone())
        .await
        .unwrap_err();
    assert!(
        matches!(forbidden, AppError::Forbidden { .. }),
        "{forbidden:?}"
    );
    let renamed = macros.update(&desk.admin, shared.id, patch).await.unwrap();
    assert_eq!(renamed.fields.name, "Renamed");

    let customer = macros.list(&desk.customer).await.unwrap_err();
    assert!(
        matches!(customer, AppError::Forbidden { .. }),
        "{customer:?}"
    );
}

#[tokio::test]
async fn a_macro_naming_an_unknown_placeholder_or_no_name_is_refused() {
    let desk = desk().await;
    let macros = desk.app.macros();
    let unknown = macros
        .create(
            &desk.agent,
            input("Bad", "Dear {{customer.name}}", MacroActions::default()),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&unknown, AppError::Invalid { field, message } if field == "body" && message.contains("customer.name")),
        "{unknown:?}"
    );
    let unnamed = macros
        .create(&desk.agent, input("  ", "Hi", MacroActions::default()))
        .await
        .unwrap_err();
    assert!(
        matches!(&unnamed, AppError::Invalid { field, .. } if field == "name"),
        "{unnamed:?}"
    );
    assert!(macros.list(&desk.agent).await.unwrap().is_empty());
}
