//! Browser test of outside vendors: an admin adds a vendor on `/admin/vendors`, an
//! agent hands a ticket off from its Vendor panel, and the vendor's answer shows on
//! the timeline as a vendor message while the panel marks the case answered.
//! Screenshots at 1440×900 and 390×844.

use super::{BROWSER, Harness, POLL, WAIT, browser_available, open_for, screenshot_dir};
use ferrodesk_app::mail::{FiledAs, IntakeOptions, IntakeOutcome};
use ferrodesk_domain::{Impact, TicketStatus, Urgency};
use thirtyfour::prelude::*;

impl Harness {
    /// A screenshot at `width`×`height` with the element `css` scrolled into view.
    async fn screenshot_of(&self, name: &str, css: &str, width: u32, height: u32) {
        self.driver()
            .set_window_rect(0, 0, width, height)
            .await
            .unwrap();
        let element = self.driver().find(By::Css(css)).await.unwrap();
        element.scroll_into_view().await.unwrap();
        let _ = self
            .driver()
            .execute(
                "window.scrollBy(0, -12); return document.fonts.ready.then(() => true);",
                vec![],
            )
            .await;
        self.driver()
            .screenshot(&screenshot_dir().join(name))
            .await
            .unwrap();
        self.driver()
            .set_window_rect(0, 0, 1360, 900)
            .await
            .unwrap();
    }

    async fn fill(&self, css: &str, text: &str) {
        let field = self.driver().find(By::Css(css)).await.unwrap();
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    async fn click(&self, css: &str) {
        self.driver()
            .find(By::Css(css))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_adds_a_vendor_and_an_agent_hands_a_ticket_off_to_it() {
    if !browser_available() {
        return;
    }
    let _one = BROWSER.lock().await;
    let h = Harness::start().await;

    h.sign_in("admin@ferrodesk.example").await;
    h.go("/admin/vendors").await;
    h.wait_for_text("h1", "Vendors").await;
    h.fill("#name", "Baltic Office Repair").await;
    h.fill("#email", "cases@balticrepair.example").await;
    h.fill("#contract_ref", "BOR-1180").await;
    h.fill("#response_hours", "8").await;
    h.fill("#notes", "Hotline weekdays 07-17").await;
    h.click("form[action='/admin/vendors'] button[type=submit]")
        .await;
    h.wait_for_text(".alert.success", "Changes saved").await;
    h.wait_for_text("table.table", "Baltic Office Repair").await;
    h.wait_for_text("table.table", "cases@balticrepair.example")
        .await;
    h.screenshot_sized("vendors-admin-1440.png", 1440, 900)
        .await;
    h.screenshot_sized("vendors-admin-390.png", 390, 844).await;

    let marta = h.actor(h.user("marta.nowak@ferrodesk.example").await).await;
    let customer = h.customer(0).await;
    let ticket = open_for(
        &h.app,
        &marta,
        customer.id,
        "Floor 3 printer smears every page",
        Impact::Department,
        Urgency::Medium,
    )
    .await;
    h.driver().delete_all_cookies().await.unwrap();
    h.sign_in("marta.nowak@ferrodesk.example").await;
    h.go(&format!("/agent/tickets/{}", ticket.id.get())).await;
    // The panel loads on its own; its form is folded until asked for.
    h.wait_for_text("#vendor-panel", "Not handed off to a vendor")
        .await;
    h.click("#vendor-panel details.handoff summary").await;
    let vendor = h
        .driver()
        .query(By::XPath(
            "//select[@id='vendor_id']/option[contains(., 'Baltic Office Repair')]",
        ))
        .wait(WAIT, POLL)
        .first()
        .await
        .unwrap();
    let value = vendor.value().await.unwrap().unwrap();
    h.select("#vendor_id", &value).await;
    h.fill(
        "#message",
        "The fuser smears toner on every page; please send a technician.",
    )
    .await;
    h.click("form[action$='/vendor-handoff'] button[type=submit]")
        .await;
    h.wait_for_text(".alert.success", "Ticket handed off").await;
    let reference = format!("V-{}-1", ticket.id.get());
    h.wait_for_text("#vendor-panel", &reference).await;
    h.wait_for_text("#vendor-panel", "Waiting").await;
    h.wait_for_text("#timeline", "handed the ticket off to Baltic Office Repair")
        .await;
    let read = h.app.tickets().get(&marta, ticket.id).await.unwrap();
    assert_eq!(read.status, TicketStatus::PendingVendor);
    h.screenshot_of("vendor-handoff-1440.png", "#vendor-panel", 1440, 900)
        .await;

    // The vendor answers by mail with the reference in the subject.
    let answer = format!(
        "From: Baltic Office Repair <service@balticrepair.example>\r\nTo: support@ferrodesk.example\r\n\
         Subject: Re: [{reference}] Floor 3 printer smears every page\r\nMessage-ID: <bor-1@balticrepair.example>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         A technician is booked for tomorrow 09:00 with a new fuser unit.\r\n"
    );
    let filed = h
        .app
        .mail_intake()
        .file(answer.as_bytes(), IntakeOptions::default())
        .await
        .unwrap();
    assert!(
        matches!(
            filed,
            IntakeOutcome::Filed {
                kind: FiledAs::VendorAnswer,
                ..
            }
        ),
        "{filed:?}"
    );
    // The open page follows the change live.
    h.wait_for_text(
        "#timeline li.vendor-in",
        "A technician is booked for tomorrow",
    )
    .await;
    h.wait_for_text("#timeline li.vendor-in", "Baltic Office Repair")
        .await;
    h.go(&format!("/agent/tickets/{}", ticket.id.get())).await;
    h.wait_for_text("#vendor-panel", "Answered").await;
    h.screenshot_of("vendor-ticket-1440.png", "#vendor-panel", 1440, 900)
        .await;
    h.screenshot_of("vendor-ticket-390.png", "#vendor-panel", 390, 844)
        .await;
    h.screenshot_of(
        "vendor-timeline-1440.png",
        "#timeline li.vendor-in",
        1440,
        900,
    )
    .await;
    h.screenshot_of(
        "vendor-timeline-390.png",
        "#timeline li.vendor-in",
        390,
        844,
    )
    .await;
    h.stop().await;
}
