//! The reports page: figures, the daily chart and breakdowns, per the viewer's groups.

use crate::support::Desk;
use axum::http::StatusCode;

#[tokio::test]
async fn the_reports_page_shows_volume_and_breakdowns_for_the_viewers_groups() {
    let desk = Desk::new().await;
    desk.ticket(&desk.customer, "Printer out of toner").await;
    desk.ticket(&desk.other_customer, "Cannot reach the wiki")
        .await;

    let page = desk.get("/agent/reports", Some(&desk.admin)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.assert_contains(r#"<strong data-figure="Created">2</strong>"#);
    page.assert_contains("Tickets created and resolved per day");
    page.assert_contains("By channel");
    page.assert_contains(r#"aria-current="page">Reports</a>"#);
    // Thirty bars, one a day, each with its numbers for screen readers and tooltips.
    assert_eq!(page.body.matches(r#"<rect class="created""#).count(), 30);
    page.assert_contains(" created, 0 resolved</title>");

    let week = desk.get("/agent/reports?days=7", Some(&desk.admin)).await;
    assert_eq!(week.body.matches(r#"<rect class="created""#).count(), 7);
    // A period that is not offered, or a day that is not a date, is refused and says
    // why, instead of quietly showing thirty days.
    for query in ["days=banana", "from=2026-13-40", "to=yesterday"] {
        let odd = desk
            .get(&format!("/agent/reports?{query}"), Some(&desk.admin))
            .await;
        assert_eq!(odd.status, StatusCode::BAD_REQUEST, "{query}");
        odd.assert_lacks("data-figure");
    }
    let odd = desk
        .get("/agent/reports?from=2026-13-40", Some(&desk.admin))
        .await;
    odd.assert_contains("The first day &#39;2026-13-40&#39; is not a date like 2026-11-30");
    // A period of one's own: from and to as days.
    let own = desk
        .get(
            "/agent/reports?from=2026-11-01&to=2026-11-10",
            Some(&desk.admin),
        )
        .await;
    assert_eq!(own.status, StatusCode::OK);
    assert_eq!(own.body.matches(r#"<rect class="created""#).count(), 10);
    // Tickets have no assignee when they are created: "by agent" shows no created
    // column that could only ever say 0.
    let by_agent = page.body.split("<h2>By agent</h2>").nth(1).unwrap_or("");
    let by_agent = by_agent.split("</section>").next().unwrap_or("");
    assert!(!by_agent.contains(">Created<"), "{by_agent}");

    let customer = desk.get("/agent/reports", Some(&desk.customer)).await;
    assert_eq!(customer.status, StatusCode::FORBIDDEN);
    // An agent asking for another group's report gets the 404 page, not its figures.
    let other = desk
        .get(
            &format!("/agent/reports?group={}", desk.network.get()),
            Some(&desk.agent),
        )
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
}
