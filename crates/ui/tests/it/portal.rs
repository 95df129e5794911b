//! The self-service portal: submit, follow, reply, reopen; never an internal note.

use crate::support::Desk;
use axum::http::StatusCode;
use ferrodesk_domain::{Channel, TicketStatus};

#[tokio::test]
async fn a_customer_submits_a_request_and_sees_it_with_its_status() {
    let desk = Desk::new().await;
    let page = desk.get("/portal/new", Some(&desk.customer)).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains(r#"<label for="subject">What is wrong?"#);
    page.assert_lacks("Attach");

    let bad = desk
        .post(
            "/portal/new",
            &desk.customer,
            &[
                ("subject", ""),
                ("description", ""),
                ("urgency", "extreme"),
                ("impact", "individual"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.field_error("subject").is_some());
    assert!(bad.field_error("description").is_some());
    assert!(bad.field_error("urgency").is_some());

    let page = desk
        .post(
            "/portal/new",
            &desk.customer,
            &[
                ("subject", "Cannot print payslips"),
                ("description", "The printer says offline"),
                ("device", "HP M404"),
                ("urgency", "high"),
                ("impact", "individual"),
                ("category_id", ""),
                ("service_id", ""),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert!(page.location().starts_with("/portal/tickets/"));
    let view = desk.get(page.location(), Some(&desk.customer)).await;
    view.assert_contains("Thanks! Your request has been received.");
    view.assert_contains("Cannot print payslips");
    view.assert_contains("Received");
    view.assert_contains("The printer says offline");

    let list = desk.get("/portal", Some(&desk.customer)).await;
    list.assert_contains("Cannot print payslips");
    let other = desk.get("/portal", Some(&desk.other_customer)).await;
    other.assert_lacks("Cannot print payslips");

    let id: i64 = page
        .location()
        .trim_start_matches("/portal/tickets/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let ticket = desk.reload(ferrodesk_domain::TicketId(id)).await;
    assert_eq!(ticket.channel, Channel::Portal);
    assert_eq!(ticket.requester_id, desk.customer.user_id);
    assert_eq!(ticket.device.as_deref(), Some("HP M404"));
}

#[tokio::test]
async fn the_customer_sees_public_replies_but_never_internal_notes() {
    let desk = Desk::new().await;
    let ticket = desk.ticket(&desk.customer, "Email bounces").await;
    let base = format!("/agent/tickets/{}", ticket.id);
    desk.post(
        &format!("{base}/reply"),
        &desk.agent,
        &[("kind", "reply"), ("body", "We fixed the mailbox quota.")],
    )
    .await;
    desk.post(
        &format!("{base}/reply"),
        &desk.agent,
        &[
            ("kind", "note"),
            ("body", "SECRET: quota raised without approval"),
        ],
    )
    .await;
    desk.post(
        &format!("{base}/log"),
        &desk.agent,
        &[("log_kind", "call"), ("log_body", "INTERNAL CALL NOTES")],
    )
    .await;

    let page = desk
        .get(
            &format!("/portal/tickets/{}", ticket.id),
            Some(&desk.customer),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("We fixed the mailbox quota.");
    page.assert_lacks("SECRET");
    page.assert_lacks("INTERNAL CALL NOTES");
    page.assert_lacks("Internal");
}

#[tokio::test]
async fn customers_cannot_open_other_peoples_requests() {
    let desk = Desk::new().await;
    let ticket = desk.ticket(&desk.customer, "Private matter").await;
    let page = desk
        .get(
            &format!("/portal/tickets/{}", ticket.id),
            Some(&desk.other_customer),
        )
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let page = desk
        .post(
            &format!("/portal/tickets/{}/reply", ticket.id),
            &desk.other_customer,
            &[("body", "hi")],
        )
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_eq!(
        desk.get("/portal/tickets/x1", Some(&desk.customer))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_customer_replies_and_reopens_a_resolved_request() {
    let desk = Desk::new().await;
    let ticket = desk.ticket(&desk.customer, "Keyboard missing keys").await;
    let base = format!("/portal/tickets/{}", ticket.id);
    let empty = desk
        .post(&format!("{base}/reply"), &desk.customer, &[("body", "")])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        empty.field_error("body").as_deref(),
        Some("Write your message first")
    );
    let reply = desk
        .post(
            &format!("{base}/reply"),
            &desk.customer,
            &[("body", "The Q key is gone too")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);

    // Reopening an open request is refused next to the field.
    let refused = desk
        .post(&format!("{base}/reopen"), &desk.customer, &[("reason", "")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("Customers may only reopen their resolved tickets");

    let actor = desk.actor(&desk.agent).await;
    desk.app
        .tickets()
        .transition(&actor, ticket.id, TicketStatus::Resolved, None, None)
        .await
        .unwrap();
    let page = desk.get(&base, Some(&desk.customer)).await;
    page.assert_contains("Reopen request");
    page.assert_contains("Resolved");
    let page = desk
        .post(
            &format!("{base}/reopen"),
            &desk.customer,
            &[("reason", "Still broken")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(desk.reload(ticket.id).await.status, TicketStatus::Open);
    let page = desk
        .get(&format!("{base}?done=reopened"), Some(&desk.customer))
        .await;
    page.assert_contains("Your request has been reopened.");
    page.assert_contains("Still broken");
    page.assert_contains("The Q key is gone too");
}
