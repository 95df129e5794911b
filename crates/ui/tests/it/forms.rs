//! A refused form shows its error where the form is: beside the field, on the page it
//! came from, and the browser lands on that spot.

use crate::support::Desk;
use axum::http::StatusCode;

#[tokio::test]
async fn an_unknown_asset_tag_is_a_field_error_on_the_ticket_page() {
    let desk = Desk::new().await;
    let ticket = desk.ticket(&desk.customer, "Laptop fan is loud").await;
    let page = desk
        .post(
            &format!("/agent/tickets/{}/assets/link", ticket.id),
            &desk.agent,
            &[("asset_tag", "NOPE-1")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_lacks("Error 422");
    page.assert_contains("Laptop fan is loud");
    assert_eq!(
        page.field_error("asset_tag").as_deref(),
        Some("No asset has the tag &#39;NOPE-1&#39;")
    );
    // The link form sends the browser to where that error is.
    page.assert_contains(r#"id="asset-error""#);
    let panel = desk
        .get(
            &format!("/agent/tickets/{}/desk", ticket.id),
            Some(&desk.agent),
        )
        .await;
    panel.assert_contains(&format!(
        r#"action="/agent/tickets/{}/assets/link#asset-error""#,
        ticket.id
    ));
}

#[tokio::test]
async fn the_ticket_page_forms_land_on_their_own_panel() {
    let desk = Desk::new().await;
    let ticket = desk.ticket(&desk.customer, "Printer offline").await;
    let page = desk
        .get(&format!("/agent/tickets/{}", ticket.id), Some(&desk.agent))
        .await;
    for (form, panel) in [
        ("field", "properties"),
        ("tags", "properties"),
        ("escalate", "escalate-dialog"),
        ("log", "log-dialog"),
        ("link", "link-dialog"),
        ("split", "split-dialog"),
    ] {
        page.assert_contains(&format!(
            r#"action="/agent/tickets/{}/{form}#{panel}""#,
            ticket.id
        ));
        page.assert_contains(&format!(r#"id="{panel}""#));
    }
    // The merge is confirmed first: the review names the target, and its form lands
    // back on the dialog.
    let other = desk.ticket(&desk.customer, "Printer still offline").await;
    let review = desk
        .get(
            &format!(
                "/agent/tickets/{}?panel=merge&merge_into={}",
                ticket.id, other.id
            ),
            Some(&desk.agent),
        )
        .await;
    review.assert_contains(&format!(
        r#"action="/agent/tickets/{}/merge#merge-dialog""#,
        ticket.id
    ));
    review.assert_contains(r#"id="merge-dialog""#);

    // An empty reply in the portal comes back on the reply form with its error.
    let refused = desk
        .post(
            &format!("/portal/tickets/{}/reply", ticket.id),
            &desk.customer,
            &[("body", "  ")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains(&format!(
        r#"<form id="reply" class="card composer" method="post" action="/portal/tickets/{}/reply#reply""#,
        ticket.id
    ));
    assert!(refused.field_error("body").is_some(), "{}", refused.body);
}
