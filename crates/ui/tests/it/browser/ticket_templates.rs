//! Browser test of ticket templates: an admin creates a template on
//! `/admin/ticket-templates`, an agent starts a new ticket from it and creates the
//! ticket, and a customer starts a request from the demo desk's "Printer problem" in
//! the portal. Screenshots of the admin page and both forms at 1440×900 and 390×844.

use super::{BROWSER, Harness, POLL, WAIT, browser_available};
use ferrodesk_domain::{TicketId, TicketType};
use thirtyfour::prelude::*;

impl Harness {
    async fn type_into(&self, css: &str, text: &str) {
        let field = self.driver().find(By::Css(css)).await.unwrap();
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    async fn press_on(&self, css: &str) {
        self.driver()
            .find(By::Css(css))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

    /// The id of the ticket page the browser is on.
    async fn ticket_on_screen(&self, prefix: &str) -> TicketId {
        let url = self.driver().current_url().await.unwrap();
        let id = url
            .path()
            .trim_start_matches(prefix)
            .parse::<i64>()
            .unwrap();
        TicketId(id)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_makes_a_template_an_agent_and_a_customer_start_tickets_from_templates() {
    if !browser_available() {
        return;
    }
    let _one = BROWSER.lock().await;
    let h = Harness::start().await;

    h.sign_in("admin@ferrodesk.example").await;
    h.go("/admin/ticket-templates").await;
    h.wait_for_text("h1", "Ticket templates").await;
    h.wait_for_text("table.table", "New employee onboarding")
        .await;
    h.press_on("a[href='/admin/ticket-templates/new']").await;
    h.wait_for_text("h1", "New ticket template").await;
    h.type_into("#name", "VPN access").await;
    h.type_into("#description", "Remote access for a colleague")
        .await;
    h.type_into("#subject", "VPN access for ").await;
    h.type_into("#body", "- For whom:\n- From when:").await;
    h.select("#ticket_type", "service_request").await;
    h.select("#priority", "p3").await;
    h.press_on("input[name=audience][value=staff] + span").await;
    h.press_on("form[action='/admin/ticket-templates'] button.primary")
        .await;
    h.wait_for_text(".alert.success", "Changes saved").await;
    h.wait_for_text("table.table", "VPN access").await;
    h.screenshot_sized("ticket-templates-admin-1440.png", 1440, 900)
        .await;
    h.screenshot_sized("ticket-templates-admin-390.png", 390, 844)
        .await;

    h.driver().delete_all_cookies().await.unwrap();
    h.sign_in("marta.nowak@ferrodesk.example").await;
    h.go("/agent/tickets/new").await;
    h.wait_for_text(".tt-picker", "Start from a template").await;
    h.screenshot_sized("ticket-templates-agent-new-1440.png", 1440, 900)
        .await;
    h.screenshot_sized("ticket-templates-agent-new-390.png", 390, 844)
        .await;
    h.driver()
        .find(By::XPath(
            "//ul[@class='tt-list']//a[.//strong[text()='VPN access']]",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let subject = h
        .driver()
        // The template's subject is stored trimmed.
        .query(By::Css("#subject[value='VPN access for']"))
        .wait(WAIT, POLL)
        .first()
        .await
        .unwrap();
    subject.send_keys(" Kim Berg").await.unwrap();
    let customer = h.customer(0).await;
    h.type_into("#requester_email", customer.email.as_str())
        .await;
    h.press_on("input[name=channel][value=other] + span").await;
    h.press_on("form[action='/agent/tickets/new'] button.primary")
        .await;
    h.wait_for_text(".alert.success", "Ticket created").await;
    let id = h.ticket_on_screen("/agent/tickets/").await;
    let ticket = h.app.store().get_ticket(id).await.unwrap();
    assert_eq!(ticket.subject, "VPN access for Kim Berg");
    assert_eq!(ticket.ticket_type, TicketType::ServiceRequest);

    h.driver().delete_all_cookies().await.unwrap();
    h.sign_in(customer.email.as_str()).await;
    h.go("/portal/new").await;
    h.wait_for_text(".tt-picker", "Printer problem").await;
    let list = h
        .driver()
        .find(By::Css(".tt-picker"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!list.contains("New employee onboarding"), "{list}");
    assert!(!list.contains("VPN access"), "{list}");
    h.screenshot_sized("ticket-templates-portal-new-1440.png", 1440, 900)
        .await;
    h.screenshot_sized("ticket-templates-portal-new-390.png", 390, 844)
        .await;
    h.driver()
        .find(By::XPath(
            "//ul[@class='tt-list']//a[.//strong[text()='Printer problem']]",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let subject = h
        .driver()
        .query(By::Css("#subject[value='Printer problem: ']"))
        .wait(WAIT, POLL)
        .first()
        .await
        .unwrap();
    subject.send_keys("3rd floor jams").await.unwrap();
    h.wait_for_text("#description", "Which printer").await;
    h.press_on("form[action='/portal/new'] button.primary")
        .await;
    h.wait_for_text(".alert.success", "Your request has been received")
        .await;
    let id = h.ticket_on_screen("/portal/tickets/").await;
    let ticket = h.app.store().get_ticket(id).await.unwrap();
    assert_eq!(ticket.subject, "Printer problem: 3rd floor jams");
    assert_eq!(ticket.ticket_type, TicketType::Incident);
    h.stop().await;
}
