//! The queue's columns without JavaScript: the Columns form saves the ticked columns
//! in order, moves one up, refuses a choice without number or subject, and the rows
//! show exactly the chosen columns; the queue links its CSV export with its filter.

use crate::support::Desk;
use axum::http::StatusCode;

#[tokio::test]
async fn the_columns_form_saves_moves_and_refuses_and_rows_follow() {
    let desk = Desk::new().await;
    desk.ticket(&desk.customer, "VPN drops every hour").await;
    let back = "/agent/queues/open?sort=priority";

    let page = desk.get(back, Some(&desk.agent)).await;
    page.assert_contains(r#"<details class="card columns-menu">"#);
    page.assert_contains(r#"<th scope="col" class="c-sla_due">SLA due</th>"#);
    page.assert_lacks(r#"class="c-tags""#);

    let saved = desk
        .post(
            "/agent/queues/columns",
            &desk.agent,
            &[
                ("back", back),
                ("column", "subject"),
                ("column", "status"),
                ("column", "tags"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(saved.location(), format!("{back}&done=columns_saved"));
    let page = desk.get(saved.location(), Some(&desk.agent)).await;
    page.assert_contains("Columns saved.");
    page.assert_contains(r#"<details class="card columns-menu" open>"#);
    page.assert_contains(
        r#"<th scope="col" class="c-subject">Subject</th><th scope="col" class="c-status">Status</th><th scope="col" class="c-tags">Tags</th>"#,
    );
    page.assert_lacks(r#"class="c-sla_due""#);

    let moved = desk
        .post(
            "/agent/queues/columns",
            &desk.agent,
            &[
                ("back", back),
                ("column", "subject"),
                ("column", "status"),
                ("column", "tags"),
                ("up", "tags"),
            ],
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER);
    let page = desk.get(back, Some(&desk.agent)).await;
    page.assert_contains(
        r#"<th scope="col" class="c-subject">Subject</th><th scope="col" class="c-tags">Tags</th><th scope="col" class="c-status">Status</th>"#,
    );

    let refused = desk
        .post(
            "/agent/queues/columns",
            &desk.agent,
            &[("back", back), ("column", "status")],
        )
        .await;
    assert_eq!(refused.location(), format!("{back}&done=columns_refused"));
    let page = desk.get(back, Some(&desk.agent)).await;
    page.assert_contains(r#"class="c-tags">Tags</th>"#);

    // Somebody else's queue keeps the standard columns.
    let theirs = desk.get(back, Some(&desk.network_agent)).await;
    theirs.assert_contains(r#"<input type="checkbox" name="column" value="sla_due" checked>"#);
}

#[tokio::test]
async fn the_queue_links_its_csv_export_with_its_filter() {
    let desk = Desk::new().await;
    desk.ticket(&desk.customer, "VPN drops every hour").await;
    let page = desk
        .get("/agent/queues/mine?tag=vpn&sort=oldest", Some(&desk.agent))
        .await;
    page.assert_contains(
        r#"href="/api/v1/tickets/export.csv?assignee_id=me&#38;open=true&#38;tag=vpn&#38;sort=created_asc""#,
    );
}
