//! Browser test of custom fields: an admin adds a single-choice field for incidents
//! on `/admin/custom-fields`, an agent opens an incident filling it in, the value shows
//! in the ticket's custom fields panel and a change there saves at once; a customer
//! sees a customer-visible field in the portal's form. Screenshots at 1440×900 and
//! 390×844 of the admin page, the new-ticket form and the panel.

use super::{BROWSER, Harness, browser_available, screenshot_dir};
use thirtyfour::prelude::*;

async fn fill(h: &Harness, css: &str, text: &str) {
    let field = h.driver().find(By::Css(css)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

async fn click(h: &Harness, css: &str) {
    h.driver()
        .find(By::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// A screenshot at `width`×`height` with the element `css` scrolled into view.
async fn shot(h: &Harness, name: &str, css: &str, width: u32, height: u32) {
    h.driver()
        .set_window_rect(0, 0, width, height)
        .await
        .unwrap();
    let element = h.driver().find(By::Css(css)).await.unwrap();
    element.scroll_into_view().await.unwrap();
    let _ = h
        .driver()
        .execute(
            "window.scrollBy(0, -12); return document.fonts.ready.then(() => true);",
            vec![],
        )
        .await;
    h.driver()
        .screenshot(&screenshot_dir().join(name))
        .await
        .unwrap();
    h.driver().set_window_rect(0, 0, 1360, 900).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_adds_a_field_an_agent_fills_it_and_changes_it_in_the_panel() {
    if !browser_available() {
        return;
    }
    let _one = BROWSER.lock().await;
    let h = Harness::start().await;

    h.sign_in("admin@ferrodesk.example").await;
    h.go("/admin/custom-fields").await;
    h.wait_for_text("h1", "Custom fields").await;
    fill(&h, "#label", "Business area").await;
    fill(&h, "#key", "business_area").await;
    h.select("#kind", "single_choice").await;
    fill(&h, "#options", "Finance\nSales\nWarehouse").await;
    click(
        &h,
        "form[action='/admin/custom-fields'] input[name=ticket_types][value=incident]",
    )
    .await;
    click(
        &h,
        "form[action='/admin/custom-fields'] button[type=submit]",
    )
    .await;
    h.wait_for_text(".alert.success", "Changes saved").await;
    h.wait_for_text("table.table", "Business area").await;
    h.screenshot_sized("custom-fields-admin-1440.png", 1440, 900)
        .await;
    h.screenshot_sized("custom-fields-admin-390.png", 390, 844)
        .await;

    h.driver().delete_all_cookies().await.unwrap();
    h.sign_in("marta.nowak@ferrodesk.example").await;
    h.go("/agent/tickets/new").await;
    h.wait_for_text("#cf-inputs", "Business area").await;
    fill(&h, "#requester_email", "new.caller@example.test").await;
    fill(&h, "#subject", "Invoices stuck in the print queue").await;
    h.select("#cf-business_area", "Finance").await;
    shot(
        &h,
        "custom-fields-new-ticket-1440.png",
        "#cf-inputs",
        1440,
        900,
    )
    .await;
    shot(
        &h,
        "custom-fields-new-ticket-390.png",
        "#cf-inputs",
        390,
        844,
    )
    .await;
    // A service request is not asked for the incident's field.
    h.select("#ticket_type", "service_request").await;
    h.wait_for_text("#cf-inputs", "Needed by").await;
    assert!(
        h.driver()
            .find_all(By::Css("#cf-business_area"))
            .await
            .unwrap()
            .is_empty()
    );
    h.select("#ticket_type", "incident").await;
    h.wait_for_text("#cf-inputs", "Business area").await;
    h.select("#cf-business_area", "Finance").await;
    click(
        &h,
        "form[action='/agent/tickets/new'] button[type=submit].primary",
    )
    .await;
    h.wait_for_text(".alert.success", "Ticket created").await;
    let chosen = h
        .driver()
        .find(By::Css("#cf-panel #cf-business_area option:checked"))
        .await
        .unwrap();
    assert_eq!(chosen.text().await.unwrap(), "Finance");

    h.select("#cf-panel #cf-business_area", "Warehouse").await;
    h.wait_for_text("#cf-panel", "Saved: Business area").await;
    h.wait_for_text("#timeline", "Business area").await;
    shot(&h, "custom-fields-panel-1440.png", "#cf-panel", 1440, 900).await;
    shot(&h, "custom-fields-panel-390.png", "#cf-panel", 390, 844).await;
    h.driver().refresh().await.unwrap();
    let chosen = h
        .driver()
        .find(By::Css("#cf-panel #cf-business_area option:checked"))
        .await
        .unwrap();
    assert_eq!(chosen.text().await.unwrap(), "Warehouse");

    let customer = h.customer(0).await;
    h.driver().delete_all_cookies().await.unwrap();
    h.sign_in(customer.email.as_str()).await;
    h.go("/portal/new").await;
    h.wait_for_text("#cf-inputs", "Operating system").await;
    let page = h.driver().source().await.unwrap();
    assert!(!page.contains("Business area"), "staff-only field shown");
    h.stop().await;
}
