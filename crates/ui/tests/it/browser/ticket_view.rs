//! Browser test of the ticket view built for work: the properties panel saves the
//! priority and the assignee at once and the timeline gains the events without a
//! reload; tags are added and removed as chips; the log dialog shows only the call
//! fields for a call; the merge dialog asks first and lands on the target.
//! Screenshots of the ticket view at 1440×900 and 390×844.

use super::{BROWSER, Harness, POLL, WAIT, browser_available, open_for, screenshot_dir};
use ferrodesk_domain::{Impact, Priority, TicketStatus, Urgency};
use thirtyfour::prelude::*;

/// Clicks `css`, in the middle of the window (clear of the sticky top bar).
async fn press(h: &Harness, css: &str) {
    let element = h.driver().find(By::Css(css)).await.unwrap();
    h.driver()
        .execute(
            "arguments[0].scrollIntoView({block: 'center'});",
            vec![element.to_json().unwrap()],
        )
        .await
        .unwrap();
    element.click().await.unwrap();
}

async fn type_into(h: &Harness, css: &str, text: &str) {
    let field = h.driver().find(By::Css(css)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// Waits until `css` matches nothing (a removed chip).
async fn wait_gone(h: &Harness, css: &str) {
    h.driver()
        .query(By::Css(css))
        .wait(WAIT, POLL)
        .not_exists()
        .await
        .unwrap();
}

async fn is_shown(h: &Harness, css: &str) -> bool {
    h.driver()
        .find(By::Css(css))
        .await
        .unwrap()
        .is_displayed()
        .await
        .unwrap()
}

async fn shot(h: &Harness, name: &str, width: u32, height: u32) {
    h.driver()
        .set_window_rect(0, 0, width, height)
        .await
        .unwrap();
    let _ = h
        .driver()
        .execute(
            "window.scrollTo(0, 0); return document.fonts.ready.then(() => true);",
            vec![],
        )
        .await;
    h.driver()
        .screenshot(&screenshot_dir().join(name))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_works_a_ticket_from_the_properties_panel_and_the_actions_menu() {
    if !browser_available() {
        return;
    }
    let _one = BROWSER.lock().await;
    let h = Harness::start().await;
    let marta_id = h.user("marta.nowak@ferrodesk.example").await;
    let marta = h.actor(marta_id).await;
    let customer = h.customer(0).await;
    let ticket = open_for(
        &h.app,
        &marta,
        customer.id,
        "Second screen stays black after docking",
        Impact::Individual,
        Urgency::Medium,
    )
    .await;
    let target = open_for(
        &h.app,
        &marta,
        customer.id,
        "External monitor not detected",
        Impact::Individual,
        Urgency::Medium,
    )
    .await;
    h.sign_in("marta.nowak@ferrodesk.example").await;
    h.driver().set_window_rect(0, 0, 1440, 900).await.unwrap();
    h.go(&format!("/agent/tickets/{}", ticket.id.get())).await;
    h.wait_for_text("#properties", "Properties").await;
    assert!(
        !is_shown(&h, "#properties .prop-save").await,
        "saves at once"
    );

    // Priority and assignee change in the panel; the timeline gains both events.
    h.select("#prop-priority", "p2").await;
    h.wait_for_text("#priority_reason-error", "needs a reason")
        .await;
    type_into(
        &h,
        "#prop-priority_reason",
        "Presenting to the board at noon",
    )
    .await;
    h.press(Key::Enter).await;
    h.wait_for_text(".timeline", "changed the priority").await;
    h.wait_for_text("#ticket-header", "P2").await;
    h.select("#prop-assignee_id", &marta_id.to_string()).await;
    h.wait_for_text(".timeline", "Marta").await;
    h.wait_for_text("#ticket-header", "Marta").await;
    let saved = h.store.get_ticket(ticket.id).await.unwrap();
    assert_eq!(saved.priority, Priority::P2);
    assert_eq!(saved.assignee_id, Some(marta_id));

    // Tags: add two, remove one.
    type_into(&h, "#add_tag", "docking, hardware").await;
    h.press(Key::Enter).await;
    h.wait_for_text("#properties .tag-chips", "hardware").await;
    press(&h, "button[aria-label='Remove tag docking']").await;
    wait_gone(&h, "button[aria-label='Remove tag docking']").await;
    h.wait_for_text("#properties .tag-chips", "hardware").await;
    assert_eq!(
        h.store.get_ticket(ticket.id).await.unwrap().tags,
        vec!["hardware".to_owned()]
    );
    shot(&h, "ticket-view-1440.png", 1440, 900).await;

    // The log dialog shows the call fields for a call, the place for a walk-in.
    press(&h, ".actions-menu summary").await;
    press(&h, "a[data-dialog=log-dialog]").await;
    h.driver()
        .query(By::Css("#log-dialog[open]"))
        .wait(WAIT, POLL)
        .first()
        .await
        .unwrap();
    assert!(
        !h.driver()
            .current_url()
            .await
            .unwrap()
            .as_str()
            .contains("panel="),
        "the dialog opens in place"
    );
    assert!(is_shown(&h, "#log_number").await);
    assert!(is_shown(&h, "#log_minutes").await);
    assert!(!is_shown(&h, "#log_location").await);
    press(&h, "#log-dialog input[value=walk_in] + span").await;
    assert!(is_shown(&h, "#log_location").await);
    assert!(!is_shown(&h, "#log_number").await);
    press(&h, "#log-dialog [data-close]").await;

    // Merge: the dialog asks first, naming both tickets, then lands on the target.
    press(&h, ".actions-menu summary").await;
    press(&h, "a[data-dialog=merge-dialog]").await;
    type_into(&h, "#merge_into", &target.id.get().to_string()).await;
    press(&h, "#merge-dialog button.primary").await;
    h.wait_for_text("#merge-dialog", "External monitor not detected")
        .await;
    h.wait_for_text("#merge-dialog", "Both timelines are kept")
        .await;
    h.driver()
        .screenshot(&screenshot_dir().join("ticket-view-merge-1440.png"))
        .await
        .unwrap();
    press(&h, "#merge-dialog button.danger").await;
    h.wait_for_text("#ticket-title", "External monitor not detected")
        .await;
    let merged = h.store.get_ticket(ticket.id).await.unwrap();
    assert_eq!(merged.status, TicketStatus::Closed);
    assert_eq!(merged.merged_into, Some(target.id));

    // The phone: the properties fold away after the header, the conversation first.
    h.go(&format!("/agent/tickets/{}", target.id.get())).await;
    h.wait_for_text("#properties", "Properties").await;
    shot(&h, "ticket-view-1440-target.png", 1440, 900).await;
    h.driver().set_window_rect(0, 0, 390, 844).await.unwrap();
    h.go(&format!("/agent/tickets/{}", target.id.get())).await;
    h.wait_for_text("#properties", "Properties").await;
    assert!(!is_shown(&h, "#prop-status").await, "folded on a phone");
    shot(&h, "ticket-view-390.png", 390, 844).await;
    h.stop().await;
}
