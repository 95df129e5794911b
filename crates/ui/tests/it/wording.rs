//! Pages show words a person reads, not the stored values behind them.

use crate::support::{Desk, PASSWORD};
use axum::http::StatusCode;
use ferrodesk_app::ArticleInput;
use ferrodesk_domain::{ArticleStatus, Visibility};

#[tokio::test]
async fn the_audit_log_says_signed_in_rather_than_login() {
    let desk = Desk::new().await;
    let page = desk
        .post_raw(
            "/login",
            None,
            &[("email", "ana@desk.test"), ("password", PASSWORD)],
            &[("sec-fetch-site", "same-origin")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let audit = desk.get("/admin/audit", Some(&desk.admin)).await;
    audit.assert_contains("<td>Signed in</td>");
    audit.assert_lacks("<td>login</td>");
}

#[tokio::test]
async fn articles_show_their_status_and_language_in_words() {
    let desk = Desk::new().await;
    let actor = desk.actor(&desk.agent).await;
    desk.app
        .kb()
        .create(
            &actor,
            ArticleInput {
                title: "Skriveren skriver ikke ut".into(),
                body: "Sjekk papiret.".into(),
                status: Some(ArticleStatus::Published),
                visibility: Some(Visibility::Public),
                language: Some("nb".into()),
                ..ArticleInput::default()
            },
        )
        .await
        .unwrap();
    let list = desk.get("/agent/kb", Some(&desk.agent)).await;
    assert_eq!(list.status, StatusCode::OK);
    list.assert_contains(">Published</span>");
    list.assert_lacks(">published</span>");
    list.assert_contains("<td>Norsk (bokmål)</td>");
    list.assert_lacks("<td>nb</td>");
}

#[tokio::test]
async fn a_saved_filter_describes_its_queue_view_in_words() {
    let desk = Desk::new().await;
    let saved = desk
        .post(
            "/agent/filters",
            &desk.agent,
            &[
                ("name", "Printers"),
                ("from", "/agent/queues/open/rows?sort=updated&q=printer"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = desk.get("/agent/filters", Some(&desk.agent)).await;
    page.assert_contains(
        "<td>All open by priority, sorted: recently updated, matching “printer”</td>",
    );
    page.assert_lacks("<code>open?sort=updated");
}
