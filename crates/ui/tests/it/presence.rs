//! Working on the same ticket in the agent's pages: the presence strip and its
//! heartbeat, the queue rows' markers, the warning before a reply talks over another,
//! and `@name` completion, through the router.

use crate::support::{Desk, Page, Session};
use axum::http::StatusCode;
use ferrodesk_app::InteractionInput;
use ferrodesk_domain::{EventId, Role};

async fn ola(desk: &Desk) -> Session {
    desk.person(
        "ola.nordmann@desk.test",
        "Ola Nordmann",
        Role::Agent,
        Some(desk.service_desk),
    )
    .await
}

async fn report(desk: &Desk, who: &Session, ticket: i64, activity: &str) -> Page {
    desk.post(
        &format!("/agent/tickets/{ticket}/presence"),
        who,
        &[("activity", activity)],
    )
    .await
}

/// The value of the composer's hidden `seen_event_id`.
fn seen_event_id(page: &Page) -> String {
    let marker = "name=\"seen_event_id\" value=\"";
    let start = page.body.find(marker).expect("a seen event id") + marker.len();
    let end = page.body[start..].find('"').expect("closing quote") + start;
    page.body[start..end].to_owned()
}

#[tokio::test]
async fn the_strip_names_the_others_on_a_ticket_and_never_the_viewer() {
    let desk = Desk::new().await;
    let ola = ola(&desk).await;
    let ticket = desk.ticket(&desk.customer, "Laptop will not boot").await;
    let id = ticket.id.get();

    let alone = report(&desk, &desk.agent, id, "viewing").await;
    assert_eq!(alone.status, StatusCode::OK, "{}", alone.body);
    alone.assert_lacks("presence-item");
    // The composer's copy of the strip is swapped in with it.
    alone.assert_contains(r#"id="composer-presence""#);
    alone.assert_contains(r#"hx-swap-oob="true""#);

    // Ola types a reply: Ana's next heartbeat says so, and never names Ana.
    report(&desk, &ola, id, "replying").await;
    let strip = report(&desk, &desk.agent, id, "viewing").await;
    strip.assert_contains("<strong>Ola Nordmann</strong> is replying");
    strip.assert_contains(r#"class="presence-item replying""#);
    strip.assert_lacks("Ana Souza");
    // Ola sees Ana viewing.
    let theirs = report(&desk, &ola, id, "replying").await;
    theirs.assert_contains("<strong>Ana Souza</strong> is viewing");

    // The page itself shows the strip with its heartbeat.
    let page = desk
        .get(&format!("/agent/tickets/{id}"), Some(&desk.agent))
        .await;
    page.assert_contains(&format!(r#"hx-post="/agent/tickets/{id}/presence""#));
    page.assert_contains("<strong>Ola Nordmann</strong> is replying");

    // Ola closes the page: gone at once for Ana.
    let left = desk
        .post(&format!("/agent/tickets/{id}/presence/leave"), &ola, &[])
        .await;
    assert_eq!(left.status, StatusCode::NO_CONTENT, "{}", left.body);
    let after = report(&desk, &desk.agent, id, "viewing").await;
    after.assert_lacks("Ola Nordmann");
}

#[tokio::test]
async fn presence_and_mentions_refuse_customers_other_groups_and_bad_input() {
    let desk = Desk::new().await;
    let ticket = desk.ticket(&desk.customer, "Laptop will not boot").await;
    let id = ticket.id.get();

    let customer = report(&desk, &desk.customer, id, "viewing").await;
    assert_eq!(customer.status, StatusCode::FORBIDDEN);
    let other_group = report(&desk, &desk.network_agent, id, "viewing").await;
    assert_eq!(other_group.status, StatusCode::NOT_FOUND);
    let unknown = report(&desk, &desk.agent, 99_999, "viewing").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let bad = report(&desk, &desk.agent, id, "typing").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    // Without the form's secret nothing is recorded.
    let forged = desk
        .post_raw(
            &format!("/agent/tickets/{id}/presence"),
            Some(&desk.agent),
            &[("activity", "viewing")],
            &[("sec-fetch-site", "same-origin")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let mentions = desk
        .get(
            &format!("/agent/tickets/{id}/mentions?q=a"),
            Some(&desk.customer),
        )
        .await;
    assert_eq!(mentions.status, StatusCode::FORBIDDEN);
    let mentions = desk
        .get(
            &format!("/agent/tickets/{id}/mentions?q=a"),
            Some(&desk.network_agent),
        )
        .await;
    assert_eq!(mentions.status, StatusCode::NOT_FOUND);

    // None of the refused reports shows up.
    let ola = ola(&desk).await;
    let strip = report(&desk, &ola, id, "viewing").await;
    strip.assert_lacks("presence-item");
}

#[tokio::test]
async fn queue_rows_mark_the_tickets_someone_else_is_on() {
    let desk = Desk::new().await;
    let ola = ola(&desk).await;
    let busy = desk.ticket(&desk.customer, "Laptop will not boot").await;
    let quiet = desk.ticket(&desk.customer, "Printer out of toner").await;
    report(&desk, &ola, busy.id.get(), "replying").await;
    report(&desk, &desk.agent, quiet.id.get(), "viewing").await;

    let queue = desk
        .get("/agent/queues/unassigned", Some(&desk.agent))
        .await;
    assert_eq!(queue.status, StatusCode::OK);
    queue.assert_contains(&format!(r#"id="presence-{}""#, busy.id.get()));
    queue.assert_contains(r#"<span class="visually-hidden">Ola Nordmann is replying</span>"#);
    queue.assert_contains(r#"title="Ola Nordmann is replying""#);
    // Ana's own presence marks nothing.
    queue.assert_lacks("Ana Souza is viewing");

    // The page's poll gets each row's marker, swapped in by id.
    let poll = desk
        .get(
            &format!(
                "/agent/queues/presence?ticket={}&ticket={}&ticket=garbage",
                busy.id.get(),
                quiet.id.get()
            ),
            Some(&desk.agent),
        )
        .await;
    assert_eq!(poll.status, StatusCode::OK);
    poll.assert_contains(&format!(
        r#"id="presence-{}" hx-swap-oob="true""#,
        busy.id.get()
    ));
    poll.assert_contains(&format!(
        r#"id="presence-{}" hx-swap-oob="true"></span>"#,
        quiet.id.get()
    ));
    poll.assert_contains("Ola Nordmann is replying");

    // Someone who may not see the ticket learns nothing about it.
    let outsider = desk
        .get(
            &format!("/agent/queues/presence?ticket={}", busy.id.get()),
            Some(&desk.network_agent),
        )
        .await;
    outsider.assert_lacks("Ola Nordmann");
    let customer = desk
        .get(
            &format!("/agent/queues/presence?ticket={}", busy.id.get()),
            Some(&desk.customer),
        )
        .await;
    assert_eq!(customer.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_reply_over_anothers_is_held_back_with_the_draft_until_sent_anyway() {
    let desk = Desk::new().await;
    let ola = ola(&desk).await;
    let ticket = desk.ticket(&desk.customer, "Laptop will not boot").await;
    let path = format!("/agent/tickets/{}", ticket.id.get());
    let page = desk.get(&path, Some(&desk.agent)).await;
    let seen = seen_event_id(&page);

    // Ola answers while Ana writes.
    let ola_actor = desk.actor(&ola).await;
    let theirs = desk
        .app
        .tickets()
        .add_interaction(
            &ola_actor,
            ticket.id,
            InteractionInput::Reply {
                body: "Hold the power button for ten seconds.".into(),
            },
            None,
        )
        .await
        .unwrap()
        .into_inner();
    let agent = desk.actor(&desk.agent).await;
    let events_before = desk
        .app
        .tickets()
        .events(&agent, ticket.id, &Default::default())
        .await
        .unwrap()
        .len();

    let held = desk
        .post(
            &format!("{path}/reply"),
            &desk.agent,
            &[
                ("kind", "reply"),
                ("body", "Try restarting it."),
                ("seen_event_id", &seen),
            ],
        )
        .await;
    assert_eq!(held.status, StatusCode::CONFLICT, "{}", held.body);
    held.assert_contains("Ola Nordmann replied while you were writing.");
    held.assert_contains("Hold the power button for ten seconds.");
    held.assert_contains(">Try restarting it.</textarea>");
    held.assert_contains(">Send anyway</button>");
    assert_eq!(seen_event_id(&held), theirs.id.get().to_string());
    let events_after = desk
        .app
        .tickets()
        .events(&agent, ticket.id, &Default::default())
        .await
        .unwrap();
    assert_eq!(events_after.len(), events_before, "nothing was sent");

    // "Send anyway" sends the draft against the newest event.
    let sent = desk
        .post(
            &format!("{path}/reply"),
            &desk.agent,
            &[
                ("kind", "reply"),
                ("body", "Try restarting it."),
                ("seen_event_id", &seen_event_id(&held)),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let events = desk
        .app
        .tickets()
        .events(&agent, ticket.id, &Default::default())
        .await
        .unwrap();
    let last = events.last().unwrap();
    assert_eq!(last.actor_id, Some(desk.agent.user_id));
    assert!(last.id > EventId(theirs.id.get()));

    // A garbled hidden field is an error on the composer, and sends nothing.
    let garbled = desk
        .post(
            &format!("{path}/reply"),
            &desk.agent,
            &[
                ("kind", "reply"),
                ("body", "Again"),
                ("seen_event_id", "yesterday"),
            ],
        )
        .await;
    assert_eq!(garbled.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        garbled.field_error("body").as_deref(),
        Some("This page is out of date; reload it and send again")
    );
}

#[tokio::test]
async fn mention_completion_offers_the_staff_who_may_see_the_ticket() {
    let desk = Desk::new().await;
    ola(&desk).await;
    desk.person(
        "olav.berg@desk.test",
        "Olav Berg",
        Role::Agent,
        Some(desk.network),
    )
    .await;
    let ticket = desk.ticket(&desk.customer, "Laptop will not boot").await;
    let path = format!("/agent/tickets/{}/mentions", ticket.id.get());

    let found = desk.get(&format!("{path}?q=ol"), Some(&desk.agent)).await;
    assert_eq!(found.status, StatusCode::OK);
    found.assert_contains(r#"role="option""#);
    found.assert_contains(r#"data-handle="ola.nordmann""#);
    found.assert_contains("<strong>Ola Nordmann</strong>");
    // Olav works in Network and cannot see this Service Desk ticket.
    found.assert_lacks("olav.berg");
    // By a word of the name, in any case; never the writer.
    let by_name = desk.get(&format!("{path}?q=NORD"), Some(&desk.agent)).await;
    by_name.assert_contains(r#"data-handle="ola.nordmann""#);
    let me = desk.get(&format!("{path}?q=ana"), Some(&desk.agent)).await;
    me.assert_lacks("ana@desk.test");
    me.assert_lacks(r#"data-handle="ana""#);
    // Customers are never offered.
    let customers = desk.get(&format!("{path}?q=mar"), Some(&desk.agent)).await;
    customers.assert_lacks("maria");
}
