//! Browser test of the work queue: at least 20 rows fit a 1440×900 window, ticked rows
//! change together through the bulk bar and the result says what changed, and the
//! queue fits a phone. Screenshots of the queue at both widths.

use super::{BROWSER, Harness, browser_available};
use ferrodesk_domain::TicketStatus;
use serde_json::Value;
use thirtyfour::prelude::*;

/// Rows wholly inside the window.
const ROWS_IN_VIEW: &str = r#"
const height = window.innerHeight;
return [...document.querySelectorAll('#queue tbody tr')]
  .filter((tr) => { const r = tr.getBoundingClientRect(); return r.top >= 0 && r.bottom <= height; })
  .length;
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_rows_fit_and_ticked_rows_change_together() {
    if !browser_available() {
        return;
    }
    let _one = BROWSER.lock().await;
    let h = Harness::start().await;
    h.sign_in("ana.souza@ferrodesk.example").await;
    let driver = h.driver();
    driver.set_window_rect(0, 0, 1440, 900).await.unwrap();
    h.go("/agent/queues/open").await;
    h.screenshot("queue-1440.png").await;
    let in_view: Value = driver
        .execute(ROWS_IN_VIEW, vec![])
        .await
        .unwrap()
        .json()
        .clone();
    assert!(
        in_view.as_i64().unwrap_or(0) >= 20,
        "rows wholly visible at 1440×900: {in_view}"
    );

    // Tick three rows, set them waiting on the customer.
    let boxes = driver
        .find_all(By::Css(r#"#queue input[name="ticket"]"#))
        .await
        .unwrap();
    assert!(boxes.len() >= 3);
    let mut ids = Vec::new();
    for tick in &boxes[..3] {
        tick.click().await.unwrap();
        ids.push(tick.attr("value").await.unwrap().unwrap());
    }
    h.wait_for_text("[data-bulk-count]", "3 tickets selected")
        .await;
    let action = driver.find(By::Id("bulk-action")).await.unwrap();
    action
        .find(By::Css(r#"option[value="status:pending_customer"]"#))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    driver
        .find(By::Css("#bulk-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let result = h.wait_for_text("#bulk-result", "changed").await;
    let text = result.text().await.unwrap();
    assert!(text.contains("3 tickets changed"), "{text}");
    h.screenshot("queue-bulk-1440.png").await;
    let agent = h.actor(h.user("ana.souza@ferrodesk.example").await).await;
    for id in ids {
        let id = ferrodesk_domain::TicketId(id.parse().unwrap());
        let ticket = h.app.tickets().get(&agent, id).await.unwrap();
        assert_eq!(ticket.status, TicketStatus::PendingCustomer, "{id:?}");
    }

    driver.set_window_rect(0, 0, 390, 844).await.unwrap();
    h.go("/agent/queues/open").await;
    let width: Value = driver
        .execute(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];",
            vec![],
        )
        .await
        .unwrap()
        .json()
        .clone();
    assert!(
        width[0].as_f64() <= width[1].as_f64(),
        "sideways at 390: {width}"
    );
    h.screenshot("queue-390.png").await;
    h.stop().await;
}
