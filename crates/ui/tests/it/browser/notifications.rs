//! Browser test of notifications: an agent's bell counts up live while a colleague
//! (through the services, as the API or another page would) mentions her and a
//! customer answers on her ticket; the list links to the ticket and opening it marks
//! the notification read. Screenshots at 1440×900 and 390×844.

use super::{BROWSER, Harness, POLL, WAIT, browser_available, open_for, wait_for_bell};
use ferrodesk_app::{InteractionInput, TicketPatch};
use ferrodesk_domain::{Impact, Urgency};
use thirtyfour::prelude::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bell_counts_up_live_and_the_list_leads_to_the_ticket() {
    if !browser_available() {
        return;
    }
    let _one = BROWSER.lock().await;
    let h = Harness::start().await;
    let marta = h.user("marta.nowak@ferrodesk.example").await;
    let ana = h.actor(h.user("ana.souza@ferrodesk.example").await).await;
    let customer = h.customer(0).await;
    let customer_actor = h.actor(customer.id).await;
    let ticket = open_for(
        &h.app,
        &ana,
        customer.id,
        "Docking station does not charge the laptop",
        Impact::Individual,
        Urgency::Medium,
    )
    .await;
    // Marta and Ana start with nothing unread, whatever the demo data told them.
    let marta_actor = h.actor(marta).await;
    for person in [&marta_actor, &ana] {
        h.app.service_levels().mark_read(person, &[]).await.unwrap();
    }

    h.sign_in("marta.nowak@ferrodesk.example").await;
    h.wait_for_text("main h1", "").await;
    wait_for_bell(&h, 0).await;

    // Ana gives Marta the ticket: her open page counts one, without a reload.
    h.app
        .tickets()
        .update(
            &ana,
            ticket.id,
            TicketPatch {
                assignee_id: Some(Some(marta)),
                ..TicketPatch::default()
            },
        )
        .await
        .unwrap();
    wait_for_bell(&h, 1).await;

    // The customer answers, and Ana mentions Marta in a note: three.
    h.app
        .tickets()
        .add_interaction(
            &customer_actor,
            ticket.id,
            InteractionInput::Reply {
                body: "It charges only when the lid is open.".into(),
            },
            None,
        )
        .await
        .unwrap();
    h.app
        .tickets()
        .add_interaction(
            &ana,
            ticket.id,
            InteractionInput::Note {
                body: "@marta.nowak the firmware update fixed this for me last week.".into(),
            },
            None,
        )
        .await
        .unwrap();
    wait_for_bell(&h, 3).await;
    // Ana, who made those changes, was told nothing about them.
    assert_eq!(
        h.app
            .service_levels()
            .unread_notifications(&ana)
            .await
            .unwrap(),
        0
    );

    // The list: newest first, each saying why.
    h.driver()
        .find(By::Id("bell"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    h.wait_for_text("main h1", "Notifications").await;
    let kinds: Vec<String> = {
        let mut kinds = Vec::new();
        for kind in h
            .driver()
            .find_all(By::Css(".notification-kind"))
            .await
            .unwrap()
        {
            kinds.push(kind.text().await.unwrap());
        }
        kinds
    };
    assert_eq!(
        kinds.get(..3),
        Some(
            &[
                "MENTIONED".to_owned(),
                "CUSTOMER REPLIED".to_owned(),
                "ASSIGNED TO YOU".to_owned()
            ][..]
        ),
        "{kinds:?}"
    );
    h.screenshot_sized("notifications-1440.png", 1440, 900)
        .await;
    h.screenshot_sized("notifications-390.png", 390, 844).await;

    // Opening one goes to the ticket and marks it read.
    h.driver()
        .find(By::Css(".notification.is-unread a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    h.driver()
        .query(By::Css(format!("[data-ticket-id='{}']", ticket.id.get())))
        .wait(WAIT, POLL)
        .first()
        .await
        .unwrap();
    wait_for_bell(&h, 2).await;

    // "Mark all read" clears the bell.
    h.go("/agent/notifications").await;
    h.driver()
        .find(By::Css("form[action='/agent/notifications/read'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    h.wait_for_text("main h1", "Notifications").await;
    wait_for_bell(&h, 0).await;
    assert!(
        h.driver()
            .find_all(By::Css(".notification.is-unread"))
            .await
            .unwrap()
            .is_empty()
    );
    h.stop().await;
}
