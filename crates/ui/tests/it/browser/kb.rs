//! Browser tests of search and deflection: the portal suggests articles while a
//! customer types a subject and records opening one; the agent's search box takes `/`
//! and finds inflected forms in other languages.

use super::{BROWSER, Harness, browser_available};
use thirtyfour::prelude::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_suggests_articles_while_typing_and_the_agent_searches_with_slash() {
    if !browser_available() {
        return;
    }
    let _one = BROWSER.lock().await;
    let h = Harness::start().await;
    h.app.search().sync().await.unwrap();
    let customer = h.customer(5).await;
    h.sign_in(customer.email.as_str()).await;
    h.go("/portal/new").await;
    h.driver()
        .find(By::Id("subject"))
        .await
        .unwrap()
        .send_keys("printer paper ja")
        .await
        .unwrap();
    let suggestion = h
        .wait_for_text("#suggestions a", "Printer shows a paper jam")
        .await;
    h.screenshot("portal-deflection.png").await;
    let href = suggestion.attr("href").await.unwrap().unwrap();
    assert!(href.contains("from=deflection"), "{href}");
    // Internal articles are never suggested to a customer.
    let all = h
        .driver()
        .find(By::Id("suggestions"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!all.contains("VPN drops every hour"), "{all}");

    h.go(&href).await;
    h.wait_for_text("article h1", "Printer shows a paper jam")
        .await;
    h.screenshot_sized("portal-article-phone.png", 390, 844)
        .await;
    h.driver()
        .find(By::Css("form.helpful button[value=yes]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    h.wait_for_text(".alert.success", "Thanks for your feedback")
        .await;

    let supervisor = h.user("supervisor@ferrodesk.example").await;
    let staff = h.actor(supervisor).await;
    let figures = h.app.kb().deflection(&staff, 1).await.unwrap();
    assert_eq!((figures.opened, figures.deflected), (1, 1));

    h.driver()
        .find(By::Css("form[action='/logout'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    h.wait_for_text("main", "").await;
    h.sign_in("ana.souza@ferrodesk.example").await;
    h.go("/agent/queues/mine").await;
    h.press("/").await;
    let focused = h.driver().active_element().await.unwrap();
    assert_eq!(focused.id().await.unwrap().as_deref(), Some("search"));
    focused.send_keys("impressoras" + Key::Enter).await.unwrap();
    h.wait_for_text("#search-results", "A impressora não imprime")
        .await;
    h.screenshot("agent-search.png").await;
}
