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
const viewport = document.documentElement.clientWidth;
const hit = r ? document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) : null;
const nav = box(document.querySelector('.portal-nav'));
const faq = box(document.querySelector('.portal-nav a[href="/portal/kb/faq"]'));
const scrolls = (el) => {
  for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
    if (['auto', 'scroll'].includes(getComputedStyle(up).overflowX)) return true;
  }
  return false;
};
const widening = [...document.querySelectorAll('body *')]
  .filter((el) => el.getBoundingClientRect().right > viewport + 0.5 && !scrolls(el))
  .slice(0, 5)
  .map((el) => el.tagName.toLowerCase() + '.' + String(el.className) + ' ' + Math.round(el.getBoundingClientRect().right));
const overflowing = [...document.querySelectorAll('main *')]
  .filter((el) => {
    // What scrolls inside a box of its own does not widen the page.
    if (scrolls(el)) return false;
    // Within its card when it has one, else within the window.
    const card = el.parentElement && el.parentElement.closest('.card');
    const limit = card ? Math.min(viewport, card.getBoundingClientRect().right) : viewport;
    return el.getBoundingClientRect().right > limit + 0.5;
  })
  .slice(0, 5)
  .map((el) => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : '') + ' ' + Math.round(el.getBoundingClientRect().right));
return {
  viewport,
  widening,
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

/// Pictures a page at 1440×900 and 390×844 and, when `must_fit`, checks that it never
/// scrolls sideways (the admin screens still do on a phone: their tables are wider).
async fn picture_both(driver: &WebDriver, base: &str, path: &str, name: &str, must_fit: bool) {
    for (width, height, size) in [(1440, 900, "desktop"), (390, 844, "phone")] {
        driver.set_window_rect(0, 0, width, height).await.unwrap();
        driver.goto(format!("{base}{path}")).await.unwrap();
        let page = measure(driver).await;
        driver
            .screenshot(&super::screenshot_dir().join(format!("{name}-{size}.png")))
            .await
            .unwrap();
        assert!(
            !must_fit || number(&page, "page") <= number(&page, "viewport"),
            "{path} at {width}: {page}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_outbox_search_filters_and_audit_screens_read_in_words_at_both_widths() {
    if !browser_available() {
        return;
    }
    let _one = BROWSER.lock().await;
    let h = Harness::start().await;
    h.app.search().sync().await.unwrap();
    h.sign_in("admin@ferrodesk.example").await;
    let driver = h.driver();
    picture_both(driver, &h.base, "/admin/outbox", "defects-outbox", false).await;
    let text = driver
        .find(By::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!text.contains("not rendered"), "{text}");
    picture_both(driver, &h.base, "/admin/audit", "defects-audit", false).await;
    let text = driver
        .find(By::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("Signed in"), "{text}");

    let (agent, _profile) = h.second_browser().await;
    sign_in_on(&agent, &h.base, "ana.souza@ferrodesk.example").await;
    picture_both(
        &agent,
        &h.base,
        "/agent/search?q=printer",
        "defects-search",
        true,
    )
    .await;
    let empty_links = agent
        .find_all(By::Css("#search-results a[href='']"))
        .await
        .unwrap();
    assert!(empty_links.is_empty(), "results link nowhere");
    let ana = h.actor(h.user("ana.souza@ferrodesk.example").await).await;
    h.app
        .saved_filters()
        .create(&ana, "Printers", "open?sort=updated&q=printer", None)
        .await
        .unwrap();
    picture_both(&agent, &h.base, "/agent/filters", "defects-filters", true).await;
    let text = agent
        .find(By::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains("All open by priority, sorted: recently updated, matching “printer”"),
        "{text}"
    );

    // An unknown asset tag: the ticket page comes back with the error in sight.
    let customer = h.customer(0).await.id;
    let ticket = super::open_for(
        &h.app,
        &ana,
        customer,
        "Docking station not detected",
        ferrodesk_domain::Impact::Individual,
        ferrodesk_domain::Urgency::Medium,
    )
    .await;
    for (width, height, size) in [(1440, 900, "desktop"), (390, 844, "phone")] {
        agent.set_window_rect(0, 0, width, height).await.unwrap();
        agent
            .goto(format!("{}/agent/tickets/{}", h.base, ticket.id))
            .await
            .unwrap();
        let field = agent
            .query(By::Id("asset_tag"))
            .wait(super::WAIT, super::POLL)
            .first()
            .await
            .unwrap();
        field.send_keys("NOPE-404").await.unwrap();
        field.send_keys(Key::Enter).await.unwrap();
        let error = agent
            .query(By::Id("asset_tag-error"))
            .wait(super::WAIT, super::POLL)
            .first()
            .await
            .unwrap();
        assert!(error.text().await.unwrap().contains("NOPE-404"));
        // The panels above it load after the page; look once they are in.
        for loaded in ["#kb-panel .kb-suggestions", "#desk-panel form"] {
            agent
                .query(By::Css(loaded))
                .wait(super::WAIT, super::POLL)
                .first()
                .await
                .unwrap();
        }
        let in_view: Value = agent
            .execute(
                "const r = arguments[0].getBoundingClientRect(); \
                 return r.top >= 0 && r.bottom <= window.innerHeight;",
                vec![error.to_json().unwrap()],
            )
            .await
            .unwrap()
            .json()
            .clone();
        agent
            .screenshot(&super::screenshot_dir().join(format!("defects-asset-error-{size}.png")))
            .await
            .unwrap();
        assert_eq!(
            in_view,
            Value::Bool(true),
            "the error is in sight at {width}"
        );
    }
    agent.quit().await.unwrap();
    h.stop().await;
}
