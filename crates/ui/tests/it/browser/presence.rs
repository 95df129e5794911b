//! Browser tests of working on the same ticket: two agents, each in a browser of their
//! own, see each other on a ticket, see the other start replying, and the one whose
//! page was open before the other's reply is warned instead of sending; "Send anyway"
//! sends. And `@` completion in a note, whose mention notifies the colleague.
//! Screenshots of the strip and the warning at 1440×900 and 390×844.

use super::{
    BROWSER, Harness, POLL, WAIT, browser_available, open_for, sign_in_on, wait_for_text_on,
};
use ferrodesk_app::TicketPatch;
use ferrodesk_domain::{
    Actor, EventKind, Impact, NotificationKind, Ticket, Urgency, UserId, Visibility,
};
use thirtyfour::prelude::*;

/// A ticket of the Service Desk, where Marta and Ola both work.
async fn shared_ticket(h: &Harness, marta: &Actor, ola: &Actor) -> Ticket {
    let customer = h.customer(0).await;
    let ticket = open_for(
        &h.app,
        marta,
        customer.id,
        "Laptop shows a black screen after the update",
        Impact::Individual,
        Urgency::High,
    )
    .await;
    let service_desk = ola.group_ids[0];
    h.app
        .tickets()
        .update(
            marta,
            ticket.id,
            TicketPatch {
                group_id: Some(Some(service_desk)),
                ..TicketPatch::default()
            },
        )
        .await
        .unwrap()
}

/// The public replies on the ticket, by author and text.
async fn replies(h: &Harness, ticket: &Ticket, by: &Actor) -> Vec<(Option<UserId>, String)> {
    h.app
        .tickets()
        .events(by, ticket.id, &Default::default())
        .await
        .unwrap()
        .into_iter()
        .filter_map(|e| match e.kind {
            EventKind::Reply { body } if e.visibility == Visibility::Public => {
                Some((e.actor_id, body))
            }
            _ => None,
        })
        .collect()
}

/// A screenshot at `width`×`height` with the element of id `element` at the top.
async fn screenshot_at(driver: &WebDriver, element: &str, name: &str, width: u32, height: u32) {
    driver.set_window_rect(0, 0, width, height).await.unwrap();
    let script = format!(
        "document.getElementById('{element}').scrollIntoView({{block: 'start'}}); \
         return document.fonts.ready.then(() => true);"
    );
    let _ = driver.execute(&script, vec![]).await;
    driver
        .screenshot(&super::screenshot_dir().join(name))
        .await
        .unwrap();
    driver.set_window_rect(0, 0, 1360, 900).await.unwrap();
}

async fn type_into(driver: &WebDriver, css: &str, text: &str) {
    driver
        .find(By::Css(css))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

/// Clicks an element brought to the middle of the window, clear of the sticky top bar.
async fn click(driver: &WebDriver, css: &str) {
    let element = driver.find(By::Css(css)).await.unwrap();
    driver
        .execute(
            "arguments[0].scrollIntoView({block: 'center'});",
            vec![element.to_json().unwrap()],
        )
        .await
        .unwrap();
    element.click().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_agents_see_each_other_and_a_reply_over_anothers_warns_first() {
    if !browser_available() {
        return;
    }
    let _one = BROWSER.lock().await;
    let h = Harness::start().await;
    let marta = h.actor(h.user("marta.nowak@ferrodesk.example").await).await;
    let ola = h
        .actor(h.user("ola.nordmann@ferrodesk.example").await)
        .await;
    let ticket = shared_ticket(&h, &marta, &ola).await;
    let path = format!("/agent/tickets/{}", ticket.id.get());
    let (other, _profile) = h.second_browser().await;

    // Marta (the harness's browser) and Ola (a second one) open the ticket.
    h.sign_in("marta.nowak@ferrodesk.example").await;
    h.go(&path).await;
    sign_in_on(&other, &h.base, "ola.nordmann@ferrodesk.example").await;
    other.goto(format!("{}{path}", h.base)).await.unwrap();

    // Each sees the other viewing, never themselves.
    h.wait_for_text("#presence", "Ola Nordmann is viewing")
        .await;
    wait_for_text_on(&other, "#presence", "Marta Nowak is viewing").await;
    let own = h.driver().find(By::Id("presence")).await.unwrap();
    assert!(!own.text().await.unwrap().contains("Marta Nowak"));

    // Marta starts writing: Ola sees her replying within seconds.
    type_into(
        h.driver(),
        "#body",
        "Hold the power button for ten seconds, then start it again.",
    )
    .await;
    wait_for_text_on(&other, "#presence", "Marta Nowak is replying").await;

    // Ola writes too, while Marta sends hers.
    type_into(
        &other,
        "#body",
        "Please bring the laptop to the service desk.",
    )
    .await;
    click(h.driver(), "#composer button[type=submit]").await;
    h.wait_for_text("main", "Hold the power button for ten seconds")
        .await;
    let sent = replies(&h, &ticket, &marta).await;
    assert_eq!(sent.len(), 1, "{sent:?}");

    // Ola's page was open before Marta's reply: sending warns and sends nothing.
    click(&other, "#composer button[type=submit]").await;
    wait_for_text_on(
        &other,
        "#meanwhile",
        "Marta Nowak replied while you were writing",
    )
    .await;
    wait_for_text_on(
        &other,
        "#meanwhile",
        "Hold the power button for ten seconds",
    )
    .await;
    assert_eq!(replies(&h, &ticket, &marta).await, sent, "nothing was sent");
    let draft = other
        .find(By::Id("body"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(draft, "Please bring the laptop to the service desk.");
    let button = other
        .find(By::Css("#composer button[type=submit]"))
        .await
        .unwrap();
    assert_eq!(button.text().await.unwrap(), "Send anyway");
    // Marta's page came back and says she is viewing again.
    wait_for_text_on(&other, "#presence", "Marta Nowak is").await;

    // Screenshots: the warning in Ola's composer, and the strip on Marta's page.
    for (driver, element, name, width, height) in [
        (
            &other,
            "composer",
            "ticket-presence-warning-1440.png",
            1440,
            900,
        ),
        (
            &other,
            "composer",
            "ticket-presence-warning-390.png",
            390,
            844,
        ),
        (
            h.driver(),
            "ticket-header",
            "ticket-presence-1440.png",
            1440,
            900,
        ),
        (h.driver(), "presence", "ticket-presence-390.png", 390, 844),
    ] {
        screenshot_at(driver, element, name, width, height).await;
    }

    // "Send anyway" sends the draft.
    click(&other, "#composer button[type=submit]").await;
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let now = replies(&h, &ticket, &marta).await;
        if now.len() == 2 {
            assert_eq!(
                now[1],
                (
                    Some(ola.user_id),
                    "Please bring the laptop to the service desk.".to_owned()
                )
            );
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{now:?}");
        tokio::time::sleep(POLL).await;
    }

    // Ola goes to the queue: the page said goodbye, so Marta's strip empties at once
    // (long before a report times out), and Ola's queue marks the ticket Marta is on.
    other
        .goto(format!("{}/agent/queues/open?sort=newest", h.base))
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let strip = h.driver().find(By::Id("presence")).await.unwrap();
        if !strip.text().await.unwrap().contains("Ola Nordmann") {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "Ola never left");
        tokio::time::sleep(POLL).await;
    }
    let marker = other
        .query(By::Css(format!(
            "#presence-{} .presence-dot",
            ticket.id.get()
        )))
        .wait(WAIT, POLL)
        .first()
        .await
        .unwrap();
    let title = marker.attr("title").await.unwrap().unwrap_or_default();
    assert!(title.starts_with("Marta Nowak is "), "{title}");
    screenshot_at(&other, "queue", "queue-presence-1440.png", 1440, 900).await;
    screenshot_at(&other, "queue", "queue-presence-390.png", 390, 844).await;
    other.quit().await.unwrap();
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typing_at_in_a_note_offers_colleagues_and_the_mention_notifies_them() {
    if !browser_available() {
        return;
    }
    let _one = BROWSER.lock().await;
    let h = Harness::start().await;
    let marta = h.actor(h.user("marta.nowak@ferrodesk.example").await).await;
    let ola = h
        .actor(h.user("ola.nordmann@ferrodesk.example").await)
        .await;
    let ticket = shared_ticket(&h, &marta, &ola).await;
    h.app.service_levels().mark_read(&ola, &[]).await.unwrap();

    h.sign_in("marta.nowak@ferrodesk.example").await;
    h.go(&format!("/agent/tickets/{}", ticket.id.get())).await;
    click(h.driver(), "#composer input[value=note] + span").await;
    type_into(h.driver(), "#body", "@ol").await;
    let option = h
        .wait_for_text("#mention-list [role=option]", "Ola Nordmann")
        .await;
    assert_eq!(
        option.attr("aria-selected").await.unwrap().as_deref(),
        Some("true")
    );
    let body = h.driver().find(By::Id("body")).await.unwrap();
    let list = h.driver().find(By::Id("mention-list")).await.unwrap();
    assert!(list.is_displayed().await.unwrap());
    assert_eq!(
        body.attr("aria-activedescendant").await.unwrap(),
        option.attr("id").await.unwrap()
    );
    h.screenshot_sized("ticket-mention-1440.png", 1440, 900)
        .await;
    h.press(Key::Enter).await;
    type_into(h.driver(), "#body", "can you check the BIOS version?").await;
    let value = body.prop("value").await.unwrap().unwrap_or_default();
    assert_eq!(value, "@ola.nordmann can you check the BIOS version?");
    assert!(
        h.driver()
            .find(By::Id("mention-list"))
            .await
            .unwrap()
            .attr("hidden")
            .await
            .unwrap()
            .is_some()
    );
    click(h.driver(), "#composer button[type=submit]").await;
    h.wait_for_text("main", "can you check the BIOS version?")
        .await;

    // The note names Ola, and Ola is told.
    let notes: Vec<String> = h
        .app
        .tickets()
        .events(&marta, ticket.id, &Default::default())
        .await
        .unwrap()
        .into_iter()
        .filter_map(|e| match e.kind {
            EventKind::Note { body } => Some(body),
            _ => None,
        })
        .collect();
    assert_eq!(notes, ["@ola.nordmann can you check the BIOS version?"]);
    let told = h
        .app
        .service_levels()
        .notifications(&ola, &Default::default())
        .await
        .unwrap();
    assert!(
        told.iter().any(|n| n.kind == NotificationKind::Mentioned
            && n.ticket_id == Some(ticket.id)
            && n.read_at.is_none()),
        "{told:?}"
    );
    h.stop().await;
}
