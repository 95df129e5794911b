//! Browser test of the page frames at desktop and phone widths: the portal header
//! keeps its search box usable beside the person's avatar, nothing is wider than the
//! window, and the agent queue fits a phone. Screenshots at 1440×900 and 390×844.

use super::drive::sign_in_on;
use super::{BROWSER, Harness, browser_available};
use serde_json::Value;
use thirtyfour::prelude::*;

/// Measures the page's header and width in the browser.
const MEASURE: &str = r#"
const box = (el) => el ? el.getBoundingClientRect() : null;
const input = document.querySelector('#search');
const r = box(input);
const user = box(document.querySelector('header .user'));
const hit = r ? document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) : null;
const nav = box(document.querySelector('.portal-nav'));
const faq = box(document.querySelector('.portal-nav a[href="/portal/kb/faq"]'));
const viewport = document.documentElement.clientWidth;
const overflowing = [...document.querySelectorAll('main *')]
  .filter((el) => {
    // What scrolls inside a box of its own does not widen the page.
    for (let up = el.parentElement; up; up = up.parentElement) {
      if (['auto', 'scroll'].includes(getComputedStyle(up).overflowX)) return false;
    }
    // Within its card when it has one, else within the window.
    const card = el.parentElement && el.parentElement.closest('.card');
    const limit = card ? Math.min(viewport, card.getBoundingClientRect().right) : viewport;
    return el.getBoundingClientRect().right > limit + 0.5;
  })
  .slice(0, 5)
  .map((el) => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : '') + ' ' + Math.round(el.getBoundingClientRect().right));
return {
  viewport,
  overflowing,
  page: document.documentElement.scrollWidth,
  search: r ? r.width : 0,
  search_reachable: hit === input,
  search_overlaps_user: !!(r && user) && !(r.right <= user.left || r.left >= user.right || r.bottom <= user.top || r.top >= user.bottom),
  nav: nav ? nav.width : 0,
  nav_right: nav ? nav.right : 0,
  faq_right: faq ? faq.right : 0,
};
"#;

async fn measure(driver: &WebDriver) -> Value {
    driver
        .execute(MEASURE, vec![])
        .await
        .unwrap()
        .json()
        .clone()
}

fn number(v: &Value, key: &str) -> f64 {
    v[key].as_f64().unwrap_or_else(|| panic!("{key} in {v}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_portal_header_and_the_agent_queue_fit_desktop_and_phone_widths() {
    if !browser_available() {
        return;
    }
    let _one = BROWSER.lock().await;
    let h = Harness::start().await;
    let customer = h.customer(0).await;
    h.sign_in(customer.email.as_str()).await;
    let driver = h.driver();

    driver.set_window_rect(0, 0, 1440, 900).await.unwrap();
    h.go("/portal").await;
    let desk = measure(driver).await;
    assert!(
        number(&desk, "search") >= 200.0,
        "search box at 1440: {desk}"
    );
    assert_eq!(
        desk["search_reachable"], true,
        "a click reaches the search box: {desk}"
    );
    assert_eq!(desk["search_overlaps_user"], false, "{desk}");
    assert!(number(&desk, "page") <= number(&desk, "viewport"), "{desk}");
    h.screenshot("layout-portal-desktop.png").await;

    driver.set_window_rect(0, 0, 390, 844).await.unwrap();
    h.go("/portal").await;
    let phone = measure(driver).await;
    let width = number(&phone, "viewport");
    assert!(
        number(&phone, "page") <= width,
        "the page scrolls sideways: {phone}"
    );
    assert_eq!(phone["overflowing"], Value::Array(vec![]), "{phone}");
    assert!(number(&phone, "nav") <= width, "navigation at 390: {phone}");
    assert!(
        number(&phone, "faq_right") <= width,
        "FAQ off screen: {phone}"
    );
    assert_eq!(phone["search_reachable"], true, "{phone}");
    h.screenshot("layout-portal-phone.png").await;

    // The agent's queue on a phone, in a browser of its own.
    let (agent, _profile) = h.second_browser().await;
    agent.set_window_rect(0, 0, 390, 844).await.unwrap();
    sign_in_on(&agent, &h.base, "ana.souza@ferrodesk.example").await;
    agent
        .goto(format!("{}/agent/queues/open", h.base))
        .await
        .unwrap();
    let queue = measure(&agent).await;
    assert!(
        number(&queue, "page") <= number(&queue, "viewport"),
        "the agent queue at 390: {queue}"
    );
    assert_eq!(
        queue["overflowing"],
        Value::Array(vec![]),
        "nothing in the queue reaches past the window: {queue}"
    );
    agent
        .screenshot(&super::screenshot_dir().join("layout-queue-phone.png"))
        .await
        .unwrap();
    agent.set_window_rect(0, 0, 1440, 900).await.unwrap();
    agent.refresh().await.unwrap();
    agent
        .screenshot(&super::screenshot_dir().join("layout-queue-desktop.png"))
        .await
        .unwrap();

    // The reports chart: its day labels are read whole at both widths.
    for (width, height, name) in [(1440, 900, "desktop"), (390, 844, "phone")] {
        agent.set_window_rect(0, 0, width, height).await.unwrap();
        agent
            .goto(format!("{}/agent/reports", h.base))
            .await
            .unwrap();
        let clipped: Value = agent
            .execute(
                "return [...document.querySelectorAll('.chart-days li')]
                   .filter((li) => getComputedStyle(li).visibility !== 'hidden')
                   .filter((li) => li.scrollWidth > li.clientWidth + 0.5)
                   .map((li) => li.textContent);",
                vec![],
            )
            .await
            .unwrap()
            .json()
            .clone();
        assert_eq!(
            clipped,
            Value::Array(vec![]),
            "clipped day labels at {width}"
        );
        let page = measure(&agent).await;
        assert!(number(&page, "page") <= number(&page, "viewport"), "{page}");
        agent
            .screenshot(&super::screenshot_dir().join(format!("layout-reports-{name}.png")))
            .await
            .unwrap();
    }
    agent.quit().await.unwrap();
    h.stop().await;
}
