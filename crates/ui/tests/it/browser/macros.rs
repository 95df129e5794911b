//! Browser test of canned responses: an agent picks a macro in the ticket's Macros
//! panel, previews it filled in, applies it, and the timeline shows the reply with the
//! requester's name while the ticket waits on the customer; the management page lists
//! the desk's macros. Screenshots at 1440×900 and 390×844.

use super::{BROWSER, Harness, POLL, WAIT, browser_available, open_for, screenshot_dir};
use ferrodesk_domain::{Impact, TicketStatus, Urgency};
use thirtyfour::prelude::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_applies_a_macro_and_the_timeline_shows_the_filled_in_reply() {
    if !browser_available() {
        return;
    }
    let _one = BROWSER.lock().await;
    let h = Harness::start().await;
    let marta = h.actor(h.user("marta.nowak@ferrodesk.example").await).await;
    let customer = h.customer(0).await;
    let ticket = open_for(
        &h.app,
        &marta,
        customer.id,
        "Cannot sign in to the expense portal",
        Impact::Individual,
        Urgency::Medium,
    )
    .await;
    h.sign_in("marta.nowak@ferrodesk.example").await;
    h.go(&format!("/agent/tickets/{}", ticket.id.get())).await;
    // The panel loads on its own with the macros Marta may use.
    let option = h
        .driver()
        .query(By::XPath(
            "//select[@id='macro_id']/option[contains(., 'Waiting for your answer')]",
        ))
        .wait(WAIT, POLL)
        .first()
        .await
        .unwrap();
    let value = option.value().await.unwrap().unwrap();
    h.select("#macro_id", &value).await;
    h.driver()
        .find(By::Css("#macro-panel form.macro-pick button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let greeting = format!("Hello {},", customer.name);
    h.wait_for_text("#macro-preview", &greeting).await;
    h.wait_for_text("#macro-preview", "Status: Waiting on customer")
        .await;
    panel_shot(&h, "macros-panel-1440.png", 1440, 900).await;
    panel_shot(&h, "macros-panel-390.png", 390, 844).await;

    let apply = h.driver().find(By::Css("#apply-macro")).await.unwrap();
    // In the middle of the window, clear of the sticky header.
    h.driver()
        .execute(
            "arguments[0].scrollIntoView({block: 'center'});",
            vec![apply.to_json().unwrap()],
        )
        .await
        .unwrap();
    apply.click().await.unwrap();
    h.wait_for_text(".alert.success", "Macro applied").await;
    h.wait_for_text("#timeline", &greeting).await;
    let read = h.app.tickets().get(&marta, ticket.id).await.unwrap();
    assert_eq!(read.status, TicketStatus::PendingCustomer);

    h.go("/agent/macros").await;
    h.wait_for_text("h1", "Macros").await;
    h.wait_for_text(".macro-list", "Password reset instructions")
        .await;
    h.screenshot_sized("macros-page-1440.png", 1440, 900).await;
    h.screenshot_sized("macros-page-390.png", 390, 844).await;
}

/// A screenshot at `width`×`height` with the Macros panel's preview in view.
async fn panel_shot(h: &Harness, name: &str, width: u32, height: u32) {
    h.driver()
        .set_window_rect(0, 0, width, height)
        .await
        .unwrap();
    let preview = h.driver().find(By::Css("#macro-panel")).await.unwrap();
    preview.scroll_into_view().await.unwrap();
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
