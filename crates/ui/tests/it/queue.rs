//! The work queue: the filter bar (the URL holds the whole filter, rows narrow by each
//! control, a saved filter shows its own name, bad values are refused by name) and
//! bulk work on ticked rows.

use crate::support::Desk;
use axum::http::StatusCode;
use ferrodesk_app::TicketPatch;
use ferrodesk_domain::{TicketId, TicketStatus, TicketType};

async fn retag(desk: &Desk, id: TicketId, ticket_type: TicketType, tags: &[&str]) {
    let actor = desk.actor(&desk.agent).await;
    desk.app
        .tickets()
        .update(
            &actor,
            id,
            TicketPatch {
                ticket_type: Some(ticket_type),
                tags: Some(tags.iter().map(|t| (*t).to_owned()).collect()),
                ..TicketPatch::default()
            },
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn the_filter_bar_narrows_the_rows_by_each_control_and_keeps_them_in_the_url() {
    let desk = Desk::new().await;
    let vpn = desk.ticket(&desk.customer, "VPN drops every hour").await;
    let monitor = desk.ticket(&desk.customer, "Need a second monitor").await;
    let question = desk
        .ticket(&desk.other_customer, "How to share a calendar")
        .await;
    retag(&desk, vpn.id, TicketType::Incident, &["vpn", "remote"]).await;
    retag(&desk, monitor.id, TicketType::ServiceRequest, &["hardware"]).await;
    retag(&desk, question.id, TicketType::Question, &["remote"]).await;

    let page = desk.get("/agent/queues/open", Some(&desk.agent)).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains(r#"<form class="filter-bar""#);
    page.assert_contains(r#"name="type""#);
    page.assert_contains(r#"<option value="none">Unassigned</option>"#);

    let remote = desk
        .get("/agent/queues/open?tag=remote", Some(&desk.agent))
        .await;
    remote.assert_contains("VPN drops every hour");
    remote.assert_contains("How to share a calendar");
    remote.assert_lacks("Need a second monitor");

    let two = desk
        .get(
            "/agent/queues/open?tag=remote&type=question",
            Some(&desk.agent),
        )
        .await;
    two.assert_contains("How to share a calendar");
    two.assert_lacks("VPN drops every hour");
    two.assert_contains(r#"<option value="question" selected>"#);
    // The live refresh and the save form keep the whole filter.
    two.assert_contains("rows?sort=priority&#38;type=question&#38;tag=remote");

    let rows = desk
        .get(
            "/agent/queues/open/rows?type=service_request",
            Some(&desk.agent),
        )
        .await;
    rows.assert_lacks("<html");
    rows.assert_contains("Need a second monitor");
    rows.assert_lacks("VPN drops every hour");

    let none = desk
        .get("/agent/queues/open?status=closed", Some(&desk.agent))
        .await;
    none.assert_contains("No ticket matches these filters.");
}

#[tokio::test]
async fn a_saved_filter_keeps_the_whole_filter_and_shows_its_name() {
    let desk = Desk::new().await;
    let vpn = desk.ticket(&desk.customer, "VPN drops every hour").await;
    desk.ticket(&desk.customer, "Need a second monitor").await;
    retag(&desk, vpn.id, TicketType::Incident, &["vpn"]).await;
    let saved = desk
        .post(
            "/agent/filters",
            &desk.agent,
            &[
                (
                    "from",
                    "/agent/queues/open/rows?sort=priority&tag=vpn&type=incident",
                ),
                ("name", "Remote access"),
                ("share", ""),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let queue = desk.get("/agent/queues/open", Some(&desk.agent)).await;
    queue.assert_contains(
        r#"Remote access<span class="count"><span class="visually-hidden">: </span>1</span>"#,
    );
    let start = queue
        .body
        .find("?sort=priority&#38;tag=vpn&#38;type=incident&#38;view=")
        .expect("the saved filter in the sidebar");
    let id: String = queue.body[start..]
        .trim_start_matches("?sort=priority&#38;tag=vpn&#38;type=incident&#38;view=")
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let page = desk
        .get(
            &format!("/agent/queues/open?sort=priority&tag=vpn&type=incident&view={id}"),
            Some(&desk.agent),
        )
        .await;
    page.assert_contains("<h1>Remote access</h1>");
    page.assert_contains("VPN drops every hour");
    page.assert_lacks("Need a second monitor");
}

#[tokio::test]
async fn a_bad_filter_value_is_refused_by_name() {
    let desk = Desk::new().await;
    for (query, name) in [
        ("type=bug", "type"),
        ("status=sideways", "status"),
        ("assignee=someone", "assignee"),
        ("created_from=yesterday", "created_from"),
        ("sla=late", "sla"),
    ] {
        let page = desk
            .get(&format!("/agent/queues/open?{query}"), Some(&desk.agent))
            .await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{query}");
        page.assert_contains(&format!("“{name}”"));
    }
}

#[tokio::test]
async fn ticked_rows_change_together_and_the_result_names_each_refusal() {
    let desk = Desk::new().await;
    let first = desk.ticket(&desk.customer, "Printer jams").await;
    let second = desk.ticket(&desk.customer, "Printer offline").await;
    let solved = desk.ticket(&desk.customer, "Printer fixed").await;
    let agent = desk.actor(&desk.agent).await;
    desk.app
        .tickets()
        .transition(&agent, solved.id, TicketStatus::Resolved, None, None)
        .await
        .unwrap();

    let page = desk.get("/agent/queues/open", Some(&desk.agent)).await;
    page.assert_contains(r#"id="bulk-form""#);
    page.assert_contains(&format!(
        r#"name="ticket" value="{}" form="bulk-form""#,
        first.id
    ));
    page.assert_contains(r#"<option value="status:pending_customer">"#);

    let (a, b, c) = (
        first.id.to_string(),
        second.id.to_string(),
        solved.id.to_string(),
    );
    let result = desk
        .post(
            "/agent/queues/bulk",
            &desk.agent,
            &[
                ("back", "/agent/queues/open"),
                ("action", "status:pending_customer"),
                ("ticket", a.as_str()),
                ("ticket", b.as_str()),
                ("ticket", c.as_str()),
            ],
        )
        .await;
    assert_eq!(result.status, StatusCode::OK, "{}", result.body);
    result.assert_contains("2 tickets changed, 1 refused.");
    result.assert_contains(&format!(r#"<a href="/agent/tickets/{c}">#{c}</a>: "#));
    result.assert_contains(r#"href="/agent/queues/open""#);
    for id in [first.id, second.id] {
        let now = desk.app.tickets().get(&agent, id).await.unwrap();
        assert_eq!(now.status, TicketStatus::PendingCustomer);
    }

    // With htmx the result comes alone and the rows are told to refresh.
    let tagged = desk
        .post_raw(
            "/agent/queues/bulk",
            Some(&desk.agent),
            &[
                ("csrf", desk.agent.csrf.as_str()),
                ("action", "tag-add"),
                ("tag", "printer"),
                ("ticket", a.as_str()),
                ("ticket", b.as_str()),
            ],
            &[("sec-fetch-site", "same-origin"), ("hx-request", "true")],
        )
        .await;
    assert_eq!(tagged.status, StatusCode::OK);
    assert_eq!(tagged.headers["hx-trigger"], "fd:queue");
    tagged.assert_contains("2 tickets changed.");
    tagged.assert_lacks("<html");
    let now = desk.app.tickets().get(&agent, second.id).await.unwrap();
    assert_eq!(now.tags, ["printer"]);
}

#[tokio::test]
async fn a_bulk_action_without_tickets_or_a_known_action_changes_nothing() {
    let desk = Desk::new().await;
    let ticket = desk.ticket(&desk.customer, "Mouse broken").await;
    let id = ticket.id.to_string();
    let none = desk
        .post(
            "/agent/queues/bulk",
            &desk.agent,
            &[("action", "assign:me")],
        )
        .await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    none.assert_contains("Select one or more tickets first.");
    for (action, says) in [
        ("paint:red", "Choose an action from the list"),
        ("", "Choose an action"),
        ("tag-add", "Type the tag to add or remove"),
        ("merge", "Select two or more tickets to merge"),
    ] {
        let refused = desk
            .post(
                "/agent/queues/bulk",
                &desk.agent,
                &[("action", action), ("ticket", id.as_str())],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{action}");
        refused.assert_contains(says);
    }
    let customer = desk
        .post(
            "/agent/queues/bulk",
            &desk.customer,
            &[("action", "assign:me"), ("ticket", id.as_str())],
        )
        .await;
    assert_eq!(customer.status, StatusCode::FORBIDDEN);
    let agent = desk.actor(&desk.agent).await;
    let after = desk.app.tickets().get(&agent, ticket.id).await.unwrap();
    assert_eq!(after.version, ticket.version);
}
