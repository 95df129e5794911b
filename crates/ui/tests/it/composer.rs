//! The ticket composer: its reply and note modes, the Markdown preview that renders
//! what the timeline shows once sent, and a message sent with a status change.

use crate::support::Desk;
use axum::http::StatusCode;
use ferrodesk_app::InteractionInput;
use ferrodesk_domain::TicketStatus;

#[tokio::test]
async fn reply_and_note_are_two_modes_with_their_own_labels() {
    let desk = Desk::new().await;
    let ticket = desk.ticket(&desk.customer, "Headset crackles").await;
    let requester = desk.store.get_user(desk.customer.user_id).await.unwrap();
    let path = format!("/agent/tickets/{}", ticket.id);

    let page = desk.get(&path, Some(&desk.agent)).await;
    page.assert_contains(r#"value="reply" checked><span>Reply</span>"#);
    page.assert_contains("Internal note</span>");
    page.assert_contains(
        r#"<span class="when-reply">Send reply</span><span class="when-note">Add note</span>"#,
    );
    // Reply mode names whom the reply goes to; note mode says who reads it.
    page.assert_contains(&format!("To <strong>{}</strong>", requester.name));
    page.assert_contains("only staff see this note");
    page.assert_contains(&format!(r#"placeholder="Write to {}"#, requester.name));
    page.assert_contains(r#"data-placeholder-note="Add a note only the team sees"#);
    page.assert_contains(r#"role="toolbar" aria-label="Formatting""#);

    // A refused note comes back as a note: its mode, its placeholder, its error.
    let refused = desk
        .post(
            &format!("{path}/reply"),
            &desk.agent,
            &[("kind", "note"), ("body", " ")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains(r#"value="note" checked>"#);
    refused.assert_contains(r#"placeholder="Add a note only the team sees"#);
    assert_eq!(
        refused.field_error("body").as_deref(),
        Some("Write the note first")
    );
}

#[tokio::test]
async fn the_preview_is_the_html_the_timeline_shows_once_sent() {
    let desk = Desk::new().await;
    let ticket = desk.ticket(&desk.customer, "VPN drops every hour").await;
    let path = format!("/agent/tickets/{}", ticket.id);
    let text = "Hello,\nplease try **these steps**:\n\n1. Quit the client\n2. Open `vpn.example`\n\n> from the runbook <script>alert(1)</script>";

    let preview = desk
        .post(
            &format!("{path}/composer/preview"),
            &desk.agent,
            &[("body", text)],
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK);
    preview.assert_contains("<strong>these steps</strong>");
    preview.assert_contains("<li>Quit the client</li>");
    preview.assert_contains("Hello,<br>");
    preview.assert_lacks("<script");
    let rendered = preview
        .body
        .split_once(r#"<div class="body md">"#)
        .and_then(|(_, rest)| rest.rsplit_once("</div>"))
        .map(|(html, _)| html.to_owned())
        .expect("the preview's message");

    let sent = desk
        .post(
            &format!("{path}/reply"),
            &desk.agent,
            &[("kind", "reply"), ("body", text)],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    let page = desk.get(&path, Some(&desk.agent)).await;
    page.assert_contains(&format!(r#"<div class="body md">{rendered}</div>"#));

    let empty = desk
        .post(
            &format!("{path}/composer/preview"),
            &desk.agent,
            &[("body", "")],
        )
        .await;
    empty.assert_contains("Nothing to preview yet.");
}

#[tokio::test]
async fn a_preview_needs_a_ticket_the_agent_may_see_and_the_form_secret() {
    let desk = Desk::new().await;
    let ticket = desk.ticket(&desk.customer, "Monitor flickers").await;
    let path = format!("/agent/tickets/{}/composer/preview", ticket.id);
    let body = [("body", "**hi**")];

    let outside = desk.post(&path, &desk.network_agent, &body).await;
    assert_eq!(outside.status, StatusCode::NOT_FOUND);
    let unknown = desk
        .post("/agent/tickets/99999/composer/preview", &desk.agent, &body)
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let customer = desk.post(&path, &desk.customer, &body).await;
    assert_eq!(customer.status, StatusCode::FORBIDDEN);
    let no_secret = desk
        .post_raw(
            &path,
            Some(&desk.agent),
            &body,
            &[("sec-fetch-site", "same-origin")],
        )
        .await;
    assert_eq!(no_secret.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn messages_from_the_portal_are_not_read_as_markdown() {
    let desk = Desk::new().await;
    let ticket = desk.ticket(&desk.customer, "Keyboard missing keys").await;
    let customer = desk.actor(&desk.customer).await;
    desk.app
        .tickets()
        .via(ferrodesk_domain::Channel::Portal)
        .add_interaction(
            &customer,
            ticket.id,
            InteractionInput::Reply {
                body: "the *F* and **G** keys".into(),
            },
            None,
        )
        .await
        .unwrap();
    let page = desk
        .get(&format!("/agent/tickets/{}", ticket.id), Some(&desk.agent))
        .await;
    page.assert_contains(r#"<div class="body">the *F* and **G** keys</div>"#);
}

#[tokio::test]
async fn a_note_with_a_status_is_one_write() {
    let desk = Desk::new().await;
    let ticket = desk.ticket(&desk.customer, "Laptop battery swells").await;
    let path = format!("/agent/tickets/{}", ticket.id);
    let sent = desk
        .post(
            &format!("{path}/reply"),
            &desk.agent,
            &[
                ("kind", "note"),
                ("body", "Ordered a replacement battery"),
                ("then_status", "open"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    assert_eq!(sent.location(), format!("{path}?done=note#composer"));
    let after = desk.reload(ticket.id).await;
    assert_eq!(after.status, TicketStatus::Open);
    assert_eq!(after.version, ticket.version + 1);
    let page = desk.get(&path, Some(&desk.agent)).await;
    page.assert_contains(r#"<div class="body md"><p>Ordered a replacement battery</p>"#);
}

#[tokio::test]
async fn time_spent_is_stored_with_the_reply_and_bad_time_sends_nothing() {
    let desk = Desk::new().await;
    let ticket = desk.ticket(&desk.customer, "Docking station dead").await;
    let path = format!("/agent/tickets/{}", ticket.id);
    for (time, error) in [
        ("abc", "Enter minutes (45) or hours and minutes (1:30)"),
        ("0", "Must be between 1 and 1440 minutes"),
        ("24:01", "Must be between 1 and 1440 minutes"),
    ] {
        let refused = desk
            .post(
                &format!("{path}/reply"),
                &desk.agent,
                &[
                    ("kind", "reply"),
                    ("body", "Swapped the dock"),
                    ("time_spent", time),
                    ("then_status", "pending_customer"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{time}");
        assert_eq!(refused.field_error("time_spent").as_deref(), Some(error));
        refused.assert_contains("Swapped the dock</textarea>");
    }
    assert_eq!(desk.reload(ticket.id).await.version, ticket.version);
    assert!(
        desk.store
            .list_time_entries(ticket.id)
            .await
            .unwrap()
            .is_empty()
    );

    let sent = desk
        .post(
            &format!("{path}/reply"),
            &desk.agent,
            &[
                ("kind", "reply"),
                ("body", "Swapped the dock"),
                ("time_spent", "1:15"),
                ("then_status", "pending_customer"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    let after = desk.reload(ticket.id).await;
    assert_eq!(after.version, ticket.version + 1);
    assert_eq!(after.status, TicketStatus::PendingCustomer);
    let entries = desk.store.list_time_entries(ticket.id).await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].minutes, 75);
    assert_eq!(entries[0].user_id, desk.agent.user_id);
    let events = desk
        .store
        .list_events(ticket.id, true, &ferrodesk_app::EventPage::default())
        .await
        .unwrap();
    let reply = events.iter().find(|e| e.kind.is_interaction()).unwrap();
    assert_eq!(entries[0].event_id, Some(reply.id));

    let page = desk.get(&path, Some(&desk.agent)).await;
    page.assert_contains("Time logged on this ticket: <strong>1 h 15 min</strong>");
    let reports = desk.get("/agent/reports", Some(&desk.agent)).await;
    reports.assert_contains(r#"<section class="card" id="time-spent">"#);
    reports.assert_contains(r#"<td class="num">1 h 15 min</td><td class="num">1</td>"#);
}

#[tokio::test]
async fn a_macro_chosen_in_the_composer_is_filled_in_and_its_actions_go_with_the_send() {
    let desk = Desk::new().await;
    let ticket = desk.ticket(&desk.customer, "Expense portal login").await;
    let requester = desk.store.get_user(desk.customer.user_id).await.unwrap();
    let agent = desk.actor(&desk.agent).await;
    let chosen = desk
        .app
        .macros()
        .create(
            &agent,
            ferrodesk_app::MacroInput {
                name: "Waiting for your answer".into(),
                body: "Hello {{requester.name}}, which browser do you use?".into(),
                internal: false,
                actions: ferrodesk_domain::MacroActions {
                    status: Some(TicketStatus::PendingCustomer),
                    add_tags: vec!["waiting".into()],
                    ..ferrodesk_domain::MacroActions::default()
                },
                shared: false,
                group_ids: Vec::new(),
            },
        )
        .await
        .unwrap();
    let path = format!("/agent/tickets/{}", ticket.id);
    let page = desk.get(&path, Some(&desk.agent)).await;
    page.assert_contains(&format!(
        r#"data-macro-id="{}" aria-selected="false">Waiting for your answer</li>"#,
        chosen.id.get()
    ));
    let filled = desk
        .get(
            &format!("{path}/composer/macros/{}", chosen.id.get()),
            Some(&desk.agent),
        )
        .await;
    assert_eq!(filled.status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&filled.body).unwrap();
    let body = format!("Hello {}, which browser do you use?", requester.name);
    assert_eq!(json["body"], body.as_str());
    assert_eq!(json["chips"][0], "Status: Waiting on customer");
    let unknown = desk
        .get(&format!("{path}/composer/macros/99999"), Some(&desk.agent))
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    let id = chosen.id.get().to_string();
    let sent = desk
        .post(
            &format!("{path}/reply"),
            &desk.agent,
            &[("kind", "reply"), ("body", &body), ("macro_id", &id)],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    let after = desk.reload(ticket.id).await;
    assert_eq!(after.status, TicketStatus::PendingCustomer);
    assert_eq!(after.tags, vec!["waiting".to_owned()]);
    assert_eq!(after.version, ticket.version + 1);
}

#[tokio::test]
async fn insert_article_is_for_staff_on_tickets_they_see() {
    let desk = Desk::new().await;
    let ticket = desk.ticket(&desk.customer, "Projector in room 4").await;
    let path = format!("/agent/tickets/{}/composer/articles?q=", ticket.id);
    let empty = desk.get(&path, Some(&desk.agent)).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert_eq!(empty.body, "[]");
    let customer = desk
        .get(&format!("{path}projector"), Some(&desk.customer))
        .await;
    assert_eq!(customer.status, StatusCode::FORBIDDEN);
    let outside = desk
        .get(&format!("{path}projector"), Some(&desk.network_agent))
        .await;
    assert_eq!(outside.status, StatusCode::NOT_FOUND);
    let unknown = desk
        .get(
            "/agent/tickets/99999/composer/articles?q=x",
            Some(&desk.agent),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}
