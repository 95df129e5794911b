//! The ticket page built for work: the properties panel saves each field on its own
//! (one write, one event, against the version it was drawn from), tags are edited in
//! place, the requester card, the merge confirmation and honest role labels.

use crate::support::{Desk, Page, Session};
use axum::http::StatusCode;
use ferrodesk_app::{EventPage, TicketPatch};
use ferrodesk_domain::{Event, Priority, Ticket, TicketStatus};

/// Posts a field of the panel as htmx does.
async fn save(desk: &Desk, session: &Session, ticket: &Ticket, fields: &[(&str, &str)]) -> Page {
    let path = format!("/agent/tickets/{}/field", ticket.id);
    htmx_post(desk, session, &path, fields).await
}

async fn htmx_post(desk: &Desk, session: &Session, path: &str, fields: &[(&str, &str)]) -> Page {
    let mut all: Vec<(&str, &str)> = vec![("csrf", session.csrf.as_str())];
    all.extend_from_slice(fields);
    desk.post_raw(
        path,
        Some(session),
        &all,
        &[("sec-fetch-site", "same-origin"), ("hx-request", "true")],
    )
    .await
}

async fn events(desk: &Desk, ticket: &Ticket) -> Vec<Event> {
    let admin = desk.actor(&desk.admin).await;
    desk.app
        .tickets()
        .events(&admin, ticket.id, &EventPage::default())
        .await
        .unwrap()
}

#[tokio::test]
async fn each_property_saves_on_its_own_in_one_write_with_its_event() {
    let desk = Desk::new().await;
    let ticket = desk.ticket(&desk.customer, "Laptop fan is loud").await;
    let before = events(&desk, &ticket).await.len();
    let version = ticket.version.to_string();
    let agent = desk.agent.user_id.to_string();

    let page = save(
        &desk,
        &desk.agent,
        &ticket,
        &[
            ("field", "assignee_id"),
            ("version", &version),
            ("assignee_id", &agent),
        ],
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    // The answer is the panel, drawn from the saved ticket, and it refreshes the timeline.
    page.assert_contains(r#"id="properties""#);
    page.assert_contains("Saved");
    assert_eq!(
        page.headers.get("hx-trigger").unwrap(),
        &format!("fd:ticket-{}", ticket.id)
    );
    let saved = desk.reload(ticket.id).await;
    assert_eq!(saved.assignee_id, Some(desk.agent.user_id));
    assert_eq!(saved.version, ticket.version + 1, "one write");
    assert_eq!(events(&desk, &ticket).await.len(), before + 1, "one event");
    page.assert_contains(&format!(r#"name="version" value="{}""#, saved.version));

    // The status goes through the transition, on the new version.
    let version = saved.version.to_string();
    let page = save(
        &desk,
        &desk.agent,
        &ticket,
        &[
            ("field", "status"),
            ("version", &version),
            ("status", "open"),
        ],
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let saved = desk.reload(ticket.id).await;
    assert_eq!(saved.status, TicketStatus::Open);
    assert_eq!(events(&desk, &ticket).await.len(), before + 2);

    // A manual priority takes its reason with it.
    let version = saved.version.to_string();
    let page = save(
        &desk,
        &desk.agent,
        &ticket,
        &[
            ("field", "priority"),
            ("version", &version),
            ("priority", "p2"),
            ("priority_reason", "Board meeting at noon"),
        ],
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let saved = desk.reload(ticket.id).await;
    assert_eq!(saved.priority, Priority::P2);
    assert_eq!(
        saved.assignee_id,
        Some(desk.agent.user_id),
        "other fields stay"
    );
}

#[tokio::test]
async fn a_stale_version_shows_the_conflict_in_place_and_changes_nothing() {
    let desk = Desk::new().await;
    let ticket = desk.ticket(&desk.customer, "Monitor flickers").await;
    // Someone else changes the ticket after the panel was drawn.
    let admin = desk.actor(&desk.admin).await;
    desk.app
        .tickets()
        .update(
            &admin,
            ticket.id,
            TicketPatch {
                device: Some(Some("Dell U2720Q".into())),
                ..TicketPatch::default()
            },
        )
        .await
        .unwrap();
    let changed = desk.reload(ticket.id).await;
    let stale = ticket.version.to_string();
    let page = save(
        &desk,
        &desk.agent,
        &ticket,
        &[
            ("field", "device"),
            ("version", &stale),
            ("device", "HP E24"),
        ],
    )
    .await;
    assert_eq!(page.status, StatusCode::CONFLICT, "{}", page.body);
    page.assert_contains("changed while this request was made");
    // The panel shows the current value and version, ready for another try.
    page.assert_contains(r#"value="Dell U2720Q""#);
    page.assert_contains(&format!(r#"name="version" value="{}""#, changed.version));
    assert_eq!(desk.reload(ticket.id).await.version, changed.version);

    // Without JavaScript the same refusal is the page with the panel's message.
    let page = desk
        .post(
            &format!("/agent/tickets/{}/field", ticket.id),
            &desk.agent,
            &[
                ("field", "device"),
                ("version", &stale),
                ("device", "HP E24"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    page.assert_contains("changed while this request was made");
    assert_eq!(
        desk.reload(ticket.id).await.device.as_deref(),
        Some("Dell U2720Q")
    );
}

#[tokio::test]
async fn an_invalid_value_is_refused_in_place_with_a_422() {
    let desk = Desk::new().await;
    let ticket = desk.ticket(&desk.customer, "Cannot print to floor 2").await;
    let version = ticket.version.to_string();
    for (field, value, error) in [
        ("priority", "p9", "Choose a priority from the list"),
        ("group_id", "987654", "There is no group 987654"),
        ("assignee_id", "someone", "Choose an entry from the list"),
        ("status", "sleeping", "Choose a status from the list"),
        (
            "priority",
            "p1",
            "Choosing a priority other than P4, which single-person impact and medium urgency give, needs a reason",
        ),
    ] {
        let page = save(
            &desk,
            &desk.agent,
            &ticket,
            &[("field", field), ("version", &version), (field, value)],
        )
        .await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}={value}"
        );
        let shown = page
            .field_error(field)
            .or_else(|| page.field_error("priority_reason"));
        assert_eq!(shown.as_deref(), Some(error), "{}", page.body);
    }
    // A field the panel does not have, and a garbled version.
    let page = save(
        &desk,
        &desk.agent,
        &ticket,
        &[("field", "requester_id"), ("version", &version)],
    )
    .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("Choose a field of the panel");
    let page = save(
        &desk,
        &desk.agent,
        &ticket,
        &[("field", "device"), ("version", "x"), ("device", "HP")],
    )
    .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("This page is out of date");
    assert_eq!(desk.reload(ticket.id).await.version, ticket.version);

    // A ticket the agent may not see is not found.
    let page = save(
        &desk,
        &desk.customer,
        &ticket,
        &[("field", "device"), ("version", &version), ("device", "HP")],
    )
    .await;
    assert!(page.status.is_client_error());
    assert_eq!(desk.reload(ticket.id).await.version, ticket.version);
}

#[tokio::test]
async fn tags_are_added_and_removed_in_place() {
    let desk = Desk::new().await;
    let ticket = desk.ticket(&desk.customer, "VPN drops every hour").await;
    let path = format!("/agent/tickets/{}/tags", ticket.id);
    let version = ticket.version.to_string();
    let page = htmx_post(
        &desk,
        &desk.agent,
        &path,
        &[("version", &version), ("add_tag", "vpn, remote-work")],
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.assert_contains(r#"aria-label="Remove tag vpn""#);
    let saved = desk.reload(ticket.id).await;
    assert_eq!(saved.tags, vec!["vpn".to_owned(), "remote-work".to_owned()]);

    let version = saved.version.to_string();
    let page = htmx_post(
        &desk,
        &desk.agent,
        &path,
        &[("version", &version), ("remove_tag", "vpn")],
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.assert_lacks(r#"aria-label="Remove tag vpn""#);
    assert_eq!(
        desk.reload(ticket.id).await.tags,
        vec!["remote-work".to_owned()]
    );

    let page = htmx_post(
        &desk,
        &desk.agent,
        &path,
        &[("version", &version), ("add_tag", "  ")],
    )
    .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.field_error("add_tag").as_deref(),
        Some("Type a tag first")
    );
}

#[tokio::test]
async fn the_page_puts_the_conversation_first_and_one_properties_panel_beside_it() {
    let desk = Desk::new().await;
    let ticket = desk.ticket(&desk.customer, "Docking station dead").await;
    let page = desk
        .get(&format!("/agent/tickets/{}", ticket.id), Some(&desk.agent))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_lacks("Save details");
    page.assert_contains(r#"<section id="properties""#);
    page.assert_contains(r#"class="actions-menu""#);
    for dialog in ["log", "escalate", "link", "split", "merge"] {
        page.assert_contains(&format!(r#"data-dialog="{dialog}-dialog""#));
        page.assert_contains(&format!(r#"<dialog id="{dialog}-dialog""#));
    }
    // The requester card and the honest labels of staff in the assignee list.
    page.assert_contains(r#"id="requester-card""#);
    page.assert_contains("Ada Admin · admin");
    page.assert_lacks("Ada Admin · tier 1");
    page.assert_contains("Ana Souza · tier 1");
    // The call fields and the walk-in field are marked for the chosen kind only.
    page.assert_contains(r#"<div class="only-walk_in">"#);
    page.assert_contains(r#"<div class="row only-call">"#);
}

#[tokio::test]
async fn a_refused_dialog_comes_back_open_and_the_merge_asks_first() {
    let desk = Desk::new().await;
    let ticket = desk.ticket(&desk.customer, "Printer jams").await;
    let target = desk.ticket(&desk.customer, "Printer jams again").await;
    // A refused escalation: the page comes back with that dialog open.
    let page = desk
        .post(
            &format!("/agent/tickets/{}/escalate", ticket.id),
            &desk.agent,
            &[("escalate_group_id", ""), ("escalate_reason", "")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains(r#"<dialog id="escalate-dialog" class="action-dialog" aria-labelledby="escalate-dialog-title" open>"#);
    page.assert_lacks(r#"aria-labelledby="log-dialog-title" open>"#);

    // The merge names both tickets and says what happens before it is done.
    let review = desk
        .get(
            &format!(
                "/agent/tickets/{}?panel=merge&merge_into={}",
                ticket.id, target.id
            ),
            Some(&desk.agent),
        )
        .await;
    assert_eq!(review.status, StatusCode::OK);
    review.assert_contains(&format!("Merge #{} into #{}?", ticket.id, target.id));
    review.assert_contains("Printer jams again");
    review.assert_contains("is closed and marked as merged into");
    assert_eq!(desk.reload(ticket.id).await.status, TicketStatus::New);

    let unknown = desk
        .get(
            &format!("/agent/tickets/{}?panel=merge&merge_into=999999", ticket.id),
            Some(&desk.agent),
        )
        .await;
    assert_eq!(
        unknown.field_error("merge_into").as_deref(),
        Some("There is no ticket #999999")
    );
}
