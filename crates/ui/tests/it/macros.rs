//! The macro pages: `/agent/macros` to write, change and delete one's macros (shared
//! ones only for supervisors and admins), errors next to their fields; the ticket's
//! Macros panel previewing a macro filled in and applying it in one write.

use crate::support::Desk;
use axum::http::StatusCode;
use ferrodesk_domain::TicketStatus;

#[tokio::test]
async fn an_agent_writes_edits_and_deletes_a_macro_and_bad_input_is_shown_on_the_form() {
    let desk = Desk::new().await;
    let empty = desk.get("/agent/macros", Some(&desk.agent)).await;
    assert_eq!(empty.status, StatusCode::OK);
    empty.assert_contains("No macros yet");
    empty.assert_contains("href=\"/agent/macros\" aria-current=\"page\"");

    let unknown = desk
        .post(
            "/agent/macros",
            &desk.agent,
            &[("name", "Toner"), ("body", "Dear {{customer}}")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown.field_error("body").unwrap().contains("customer"),
        "{}",
        unknown.body
    );
    let unnamed = desk
        .post(
            "/agent/macros",
            &desk.agent,
            &[("name", " "), ("body", "Hi")],
        )
        .await;
    assert_eq!(unnamed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unnamed.field_error("name").is_some(), "{}", unnamed.body);
    let bad_status = desk
        .post(
            "/agent/macros",
            &desk.agent,
            &[("name", "X"), ("body", "Hi"), ("status", "sleeping")],
        )
        .await;
    assert_eq!(bad_status.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_status.field_error("status").is_some());
    // An agent cannot share: the box is not offered, and a forged one is refused.
    desk.get("/agent/macros/new", Some(&desk.agent))
        .await
        .assert_lacks("name=\"shared\"");
    let shared = desk
        .post(
            "/agent/macros",
            &desk.agent,
            &[("name", "Everyone"), ("body", "Hi"), ("shared", "on")],
        )
        .await;
    assert_eq!(shared.status, StatusCode::UNPROCESSABLE_ENTITY);
    let agent = desk.actor(&desk.agent).await;
    assert!(desk.app.macros().list(&agent).await.unwrap().is_empty());

    let saved = desk
        .post(
            "/agent/macros",
            &desk.agent,
            &[
                ("name", "Toner on its way"),
                ("body", "Hello {{requester.name}}, new toner is on its way."),
                ("status", "pending_customer"),
                ("add_tags", "printer, toner"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let list = desk.get("/agent/macros", Some(&desk.agent)).await;
    list.assert_contains("Toner on its way");
    list.assert_contains("Status: Waiting on customer");
    list.assert_contains("Adds tag toner");
    let id = desk.app.macros().list(&agent).await.unwrap()[0].id.get();
    let edit = format!("/agent/macros/{id}");
    desk.get(&edit, Some(&desk.agent))
        .await
        .assert_contains("printer, toner");
    let changed = desk
        .post(
            &edit,
            &desk.agent,
            &[("name", "Toner"), ("body", "Toner for {{requester.name}}.")],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    let list = desk.get("/agent/macros", Some(&desk.agent)).await;
    list.assert_contains("Toner for {{requester.name}}.");
    list.assert_lacks("Status: Waiting on customer");

    // Someone else's macro does not exist for them.
    let theirs = desk.get(&edit, Some(&desk.network_agent)).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    let gone = desk
        .post(&format!("{edit}/delete"), &desk.network_agent, &[])
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(
        desk.get("/agent/macros", Some(&desk.customer)).await.status,
        StatusCode::FORBIDDEN
    );

    let deleted = desk.post(&format!("{edit}/delete"), &desk.agent, &[]).await;
    assert_eq!(deleted.status, StatusCode::OK);
    deleted.assert_contains("Macro deleted.");
    assert!(desk.app.macros().list(&agent).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_shared_macro_is_limited_to_chosen_groups_and_moves_and_assigns_the_ticket() {
    let desk = Desk::new().await;
    let network = desk.network.get().to_string();
    let assignee = desk.network_agent.user_id.to_string();
    let form = desk.get("/agent/macros/new", Some(&desk.admin)).await;
    form.assert_contains("name=\"share_groups\"");
    form.assert_contains("Move to group");
    let saved = desk
        .post(
            "/agent/macros",
            &desk.admin,
            &[
                ("name", "To the network team"),
                ("body", "Passed to the network team."),
                ("group", network.as_str()),
                ("assignee", assignee.as_str()),
                ("shared", "on"),
                ("share_groups", network.as_str()),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    // Only the network group's members (and supervisors and admins) may use it.
    let network_agent = desk.actor(&desk.network_agent).await;
    let theirs = desk.app.macros().list(&network_agent).await.unwrap();
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0].fields.actions.group_id, Some(desk.network));
    assert_eq!(
        theirs[0].fields.actions.assignee_id,
        Some(desk.network_agent.user_id)
    );
    let agent = desk.actor(&desk.agent).await;
    assert!(desk.app.macros().list(&agent).await.unwrap().is_empty());

    // The edit page shows the choices, and saving without the group widens it to all.
    let edit = format!("/agent/macros/{}", theirs[0].id.get());
    let page = desk.get(&edit, Some(&desk.admin)).await;
    page.assert_contains(&format!(
        "name=\"share_groups\" value=\"{network}\" checked"
    ));
    page.assert_contains(&format!("value=\"{assignee}\" selected"));
    let widened = desk
        .post(
            &edit,
            &desk.admin,
            &[
                ("name", "To the network team"),
                ("body", "Passed to the network team."),
                ("group", network.as_str()),
                ("shared", "on"),
            ],
        )
        .await;
    assert_eq!(widened.status, StatusCode::SEE_OTHER, "{}", widened.body);
    let mine = desk.app.macros().list(&agent).await.unwrap();
    assert_eq!(mine.len(), 1, "shared with the whole desk now");
    assert_eq!(mine[0].fields.actions.assignee_id, None);

    // A group that is not a number is a field error, and nothing changes.
    let bad = desk
        .post(
            &edit,
            &desk.admin,
            &[("name", "X"), ("body", "Hi"), ("group", "network")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.field_error("group").is_some(), "{}", bad.body);
    let unknown = desk
        .post(
            &edit,
            &desk.admin,
            &[("name", "X"), ("body", "Hi"), ("assignee", "999999")],
        )
        .await;
    assert_eq!(
        unknown.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unknown.body
    );
    assert_eq!(
        desk.app.macros().list(&agent).await.unwrap()[0].fields.name,
        "To the network team"
    );
}

#[tokio::test]
async fn the_macros_panel_previews_and_applies_a_macro_to_the_ticket() {
    let desk = Desk::new().await;
    let ticket = desk.ticket(&desk.customer, "Printer out of toner").await;
    let saved = desk
        .post(
            "/agent/macros",
            &desk.agent,
            &[
                ("name", "Waiting for you"),
                (
                    "body",
                    "Hello {{requester.name}}, is {{ticket.number}} solved?",
                ),
                ("status", "pending_customer"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let agent = desk.actor(&desk.agent).await;
    let id = desk.app.macros().list(&agent).await.unwrap()[0].id.get();
    let number = ticket.id.get();
    desk.get(&format!("/agent/tickets/{number}"), Some(&desk.agent))
        .await
        .assert_contains(&format!("hx-get=\"/agent/tickets/{number}/macros\""));
    let preview = desk
        .get(
            &format!("/agent/tickets/{number}/macros?macro_id={id}"),
            Some(&desk.agent),
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK);
    let filled = format!("Hello Maria Silva, is #{number} solved?");
    preview.assert_contains(&filled);
    preview.assert_contains("Status: Waiting on customer");
    assert_eq!(desk.reload(ticket.id).await.version, ticket.version);

    let bad = desk
        .get(
            &format!("/agent/tickets/{number}/macros?macro_id=abc"),
            Some(&desk.agent),
        )
        .await;
    assert!(bad.field_error("macro_id").is_some(), "{}", bad.body);

    let applied = desk
        .post(
            &format!("/agent/tickets/{number}/macros/{id}"),
            &desk.agent,
            &[],
        )
        .await;
    assert_eq!(applied.status, StatusCode::SEE_OTHER, "{}", applied.body);
    let after = desk.reload(ticket.id).await;
    assert_eq!(after.status, TicketStatus::PendingCustomer);
    let page = desk
        .get(&format!("/agent/tickets/{number}"), Some(&desk.agent))
        .await;
    page.assert_contains(&filled);

    let unknown = desk
        .post(
            &format!("/agent/tickets/{number}/macros/999999"),
            &desk.agent,
            &[],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown.field_error("macro_id").is_some(),
        "{}",
        unknown.body
    );
}
