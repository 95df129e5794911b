//! Browser test of the composer: its two modes (screenshots at 1440×900 and 390×844 in
//! each), `/` opening the macro picker, a file dropped on the composer, the timer
//! filling "Time spent", bold from the toolbar and the server's preview; the send
//! puts the filled-in reply, the file and the status on the timeline in one write.

use super::{BROWSER, Harness, POLL, WAIT, browser_available, open_for, screenshot_dir};
use ferrodesk_domain::{Impact, TicketStatus, Urgency};
use thirtyfour::prelude::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_macro_reply_with_a_dropped_file_timer_and_preview_is_sent_in_one_write() {
    if !browser_available() {
        return;
    }
    let _one = BROWSER.lock().await;
    let h = Harness::start().await;
    let marta = h.actor(h.user("marta.nowak@ferrodesk.example").await).await;
    let customer = h.customer(1).await;
    let ticket = open_for(
        &h.app,
        &marta,
        customer.id,
        "Docking station shows no picture",
        Impact::Individual,
        Urgency::Medium,
    )
    .await;
    h.sign_in("marta.nowak@ferrodesk.example").await;
    h.go(&format!("/agent/tickets/{}", ticket.id.get())).await;
    h.wait_for_text("#composer .composer-to", &customer.name)
        .await;
    h.wait_for_text("#composer-send", "Send reply").await;
    composer_shot(&h, "composer-reply-1440.png", 1440, 900).await;
    composer_shot(&h, "composer-reply-390.png", 390, 844).await;
    click(&h, "#composer label.mode-note span").await;
    h.wait_for_text("#composer-send", "Add note").await;
    h.wait_for_text("#composer .composer-internal", "only staff see this note")
        .await;
    composer_shot(&h, "composer-note-1440.png", 1440, 900).await;
    composer_shot(&h, "composer-note-390.png", 390, 844).await;
    click(&h, "#composer label.mode-reply span").await;
    h.wait_for_text("#composer-send", "Send reply").await;

    // "/" at the start of the text opens the picker; Enter inserts the filled-in macro.
    let body = h.driver().find(By::Css("#body")).await.unwrap();
    body.send_keys("/").await.unwrap();
    let filter = h
        .driver()
        .query(By::Css("#composer-macro-filter"))
        .wait(WAIT, POLL)
        .and_displayed()
        .first()
        .await
        .unwrap();
    filter.send_keys("waiting for").await.unwrap();
    filter.send_keys(Key::Enter).await.unwrap();
    let greeting = format!("Hello {},", customer.name);
    wait_for_value(&h, "#body", &greeting).await;
    h.wait_for_text("#composer-macro-chips", "Status: Waiting on customer")
        .await;

    // A file dropped on the composer is listed before sending.
    h.driver()
        .execute(
            "const data = new DataTransfer();
             data.items.add(new File(['dock serial D-4411'], 'dock-notes.txt', {type: 'text/plain'}));
             const form = document.getElementById('composer');
             form.dispatchEvent(new DragEvent('dragover', {dataTransfer: data, bubbles: true, cancelable: true}));
             form.dispatchEvent(new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true}));",
            vec![],
        )
        .await
        .unwrap();
    h.wait_for_text("#composer-file-list", "dock-notes.txt")
        .await;

    // The timer fills "Time spent" when stopped (a started minute counts).
    click(&h, "#composer-timer").await;
    h.wait_for_text("#composer-timer", "Stop").await;
    click(&h, "#composer-timer").await;
    wait_for_value(&h, "#time_spent", "1").await;

    // Bold from the toolbar, then the server's preview shows it rendered.
    body.send_keys(Key::End).await.unwrap();
    h.driver()
        .execute(
            "const a = document.getElementById('body'); a.focus(); a.setSelectionRange(a.value.length, a.value.length);",
            vec![],
        )
        .await
        .unwrap();
    click(&h, "#composer [data-md=bold]").await;
    wait_for_value(&h, "#body", "**bold text**").await;
    click(&h, "#composer-preview-toggle").await;
    h.wait_for_text("#composer-preview strong", "bold text")
        .await;
    h.wait_for_text("#composer-preview", &greeting).await;
    click(&h, "#composer-preview-toggle").await;

    click(&h, "#composer-send").await;
    h.wait_for_text(".alert.success", "Reply sent").await;
    h.wait_for_text("#timeline", &greeting).await;
    h.wait_for_text("#timeline .body.md strong", "bold text")
        .await;
    h.wait_for_text("#timeline", "dock-notes.txt").await;
    let read = h.app.tickets().get(&marta, ticket.id).await.unwrap();
    assert_eq!(read.status, TicketStatus::PendingCustomer);
    let entries = h.store.list_time_entries(ticket.id).await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].minutes, 1);
    h.stop().await;
}

async fn click(h: &Harness, css: &str) {
    let element = h
        .driver()
        .query(By::Css(css))
        .wait(WAIT, POLL)
        .and_displayed()
        .first()
        .await
        .unwrap();
    h.driver()
        .execute(
            "arguments[0].scrollIntoView({block: 'center'});",
            vec![element.to_json().unwrap()],
        )
        .await
        .unwrap();
    element.click().await.unwrap();
}

/// Waits until the form field matching `css` holds `text`.
async fn wait_for_value(h: &Harness, css: &str, text: &str) {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let value = h
            .driver()
            .find(By::Css(css))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default();
        if value.contains(text) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{css} never held {text:?}: {value:?}"
        );
        tokio::time::sleep(POLL).await;
    }
}

/// A screenshot at `width`×`height` with the composer in view.
async fn composer_shot(h: &Harness, name: &str, width: u32, height: u32) {
    h.driver()
        .set_window_rect(0, 0, width, height)
        .await
        .unwrap();
    h.driver()
        .execute(
            "document.getElementById('composer').scrollIntoView({block: 'start'}); window.scrollBy(0, -70);
             return document.fonts.ready.then(() => true);",
            vec![],
        )
        .await
        .unwrap();
    h.driver()
        .screenshot(&screenshot_dir().join(name))
        .await
        .unwrap();
    h.driver().set_window_rect(0, 0, 1360, 900).await.unwrap();
}
