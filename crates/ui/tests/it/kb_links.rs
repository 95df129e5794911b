//! "Solved by this" in the ticket view's knowledge panel: once an article is linked
//! the panel says so instead of offering the button again, and a second click adds
//! nothing.

use crate::support::Desk;
use axum::http::StatusCode;
use ferrodesk_store::EventPage;

#[tokio::test]
async fn a_linked_article_shows_as_linked_and_a_second_click_adds_nothing() {
    let desk = Desk::new().await;
    let article = desk
        .published_article(
            "Printer shows paper jam",
            "Open tray 2 and remove the paper.",
        )
        .await;
    let ticket = desk.ticket(&desk.customer, "Printer paper jam").await;
    desk.app.search().sync().await.unwrap();
    let panel_path = format!("/agent/tickets/{}/knowledge", ticket.id.get());
    let link_path = format!("/agent/tickets/{}/knowledge/link", ticket.id.get());
    let button = format!(r#"name="article_id" value="{}""#, article.id);
    let suggested = format!(r#"href="/agent/kb/{}""#, article.id);

    let panel = desk.get(&panel_path, Some(&desk.agent)).await;
    assert_eq!(panel.status, StatusCode::OK);
    panel.assert_contains(&suggested);
    panel.assert_contains(&button);
    panel.assert_contains("Solved by this");

    let id = article.id.to_string();
    for _ in 0..2 {
        let done = desk
            .post(&link_path, &desk.agent, &[("article_id", id.as_str())])
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    }
    let events = desk
        .store
        .list_events(ticket.id, true, &EventPage::default())
        .await
        .unwrap();
    assert_eq!(
        events
            .iter()
            .filter(|e| e.kind.name() == "article_linked")
            .count(),
        1
    );

    let panel = desk.get(&panel_path, Some(&desk.agent)).await;
    assert_eq!(panel.status, StatusCode::OK);
    panel.assert_contains(&suggested);
    panel.assert_lacks(&button);
    panel.assert_lacks("Solved by this");
    panel.assert_contains("Linked");
}
