//! Browser test of the queue's columns: a person ticks
//! and orders columns in the Columns menu and the rows follow (still 20 rows at
//! 1440×900, cards that do not scroll sideways at 390 px). Screenshots of the menu at
//! both widths.

use super::{BROWSER, Harness, browser_available};
use serde_json::Value;
use thirtyfour::prelude::*;

const AGENT: &str = "ana.souza@ferrodesk.example";

/// Rows wholly inside the window.
const ROWS_IN_VIEW: &str = r#"
const height = window.innerHeight;
return [...document.querySelectorAll('#queue tbody tr')]
  .filter((tr) => { const r = tr.getBoundingClientRect(); return r.top >= 0 && r.bottom <= height; })
  .length;
"#;

/// The column headings' classes, in order.
const HEADINGS: &str = r#"
return [...document.querySelectorAll('#queue thead th:not(.pick)')].map((th) => th.className);
"#;

/// Whether the page scrolls sideways, and whether every row is a card inside it.
const PHONE_FIT: &str = r#"
const width = document.documentElement.clientWidth;
const rows = [...document.querySelectorAll('#queue tbody tr')];
return {
  sideways: document.documentElement.scrollWidth > width,
  cards: rows.every((tr) => getComputedStyle(tr).display === 'flex'),
  inside: rows.every((tr) => tr.getBoundingClientRect().right <= width + 0.5),
  rows: rows.length,
};
"#;

async fn run(driver: &WebDriver, script: &str) -> Value {
    driver.execute(script, vec![]).await.unwrap().json().clone()
}

async fn click(driver: &WebDriver, css: &str) {
    driver
        .find(By::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Waits (a bounded poll) until the column headings are `expected`, in order.
async fn wait_for_headings(driver: &WebDriver, expected: &[&str]) {
    let mut last = Vec::new();
    for _ in 0..100 {
        let headings = run(driver, HEADINGS).await;
        last = headings
            .as_array()
            .map(|all| {
                all.iter()
                    .filter_map(|c| {
                        c.as_str()?
                            .split(' ')
                            .find_map(|c| c.strip_prefix("c-"))
                            .map(str::to_owned)
                    })
                    .collect()
            })
            .unwrap_or_default();
        if last == expected {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("column headings stayed {last:?}, expected {expected:?}");
}

async fn open_menu(driver: &WebDriver) {
    let menu = driver.find(By::Css(".columns-menu")).await.unwrap();
    if menu.attr("open").await.unwrap().is_none() {
        click(driver, ".columns-menu > summary").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chosen_columns_show_in_order_at_both_widths() {
    if !browser_available() {
        return;
    }
    let _one = BROWSER.lock().await;
    let h = Harness::start().await;
    h.sign_in(AGENT).await;
    let driver = h.driver();
    driver.set_window_rect(0, 0, 1440, 900).await.unwrap();
    h.go("/agent/queues/open").await;
    open_menu(driver).await;
    // Show requester and tags, hide the SLA column; then move Requester up once.
    click(driver, r#".columns-form input[value="requester"]"#).await;
    click(driver, r#".columns-form input[value="tags"]"#).await;
    click(driver, r#".columns-form input[value="sla_due"]"#).await;
    click(driver, ".columns-form > button[type=submit]").await;
    wait_for_headings(
        driver,
        &[
            "priority",
            "number",
            "subject",
            "status",
            "assignee",
            "updated",
            "requester",
            "tags",
        ],
    )
    .await;
    h.wait_for_text(".alert", "Columns saved").await;
    open_menu(driver).await;
    click(
        driver,
        r#".columns-form button[name="up"][value="requester"]"#,
    )
    .await;
    wait_for_headings(
        driver,
        &[
            "priority",
            "number",
            "subject",
            "status",
            "assignee",
            "requester",
            "updated",
            "tags",
        ],
    )
    .await;
    h.go("/agent/queues/open").await;
    let in_view = run(driver, ROWS_IN_VIEW).await;
    assert!(
        in_view.as_i64().unwrap_or(0) >= 20,
        "rows wholly visible at 1440×900 with eight columns: {in_view}"
    );
    open_menu(driver).await;
    h.screenshot("queue-columns-1440.png").await;
    let tags = driver
        .find_all(By::Css("#queue tbody td.c-tags"))
        .await
        .unwrap();
    assert!(!tags.is_empty());

    driver.set_window_rect(0, 0, 390, 844).await.unwrap();
    h.go("/agent/queues/open").await;
    let fit = run(driver, PHONE_FIT).await;
    assert_eq!(fit["sideways"], false, "{fit}");
    assert_eq!(fit["cards"], true, "{fit}");
    assert_eq!(fit["inside"], true, "{fit}");
    open_menu(driver).await;
    h.screenshot("queue-columns-390.png").await;
    let fit = run(driver, PHONE_FIT).await;
    assert_eq!(fit["sideways"], false, "menu open at 390: {fit}");
    h.stop().await;
}
