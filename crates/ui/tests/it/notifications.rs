//! The notification pages answer bad and foreign requests plainly: an id that is no
//! number goes back to the list, another person's notification is not found (and
//! stays unread), customers are refused, and "mark all read" needs the form's token.

use crate::support::Desk;
use axum::http::StatusCode;
use ferrodesk_app::InteractionInput;
use ferrodesk_store::PageRequest;

#[tokio::test]
async fn notification_pages_refuse_what_is_not_the_viewers() {
    let desk = Desk::new().await;
    let ticket = desk.ticket(&desk.customer, "Monitor flickers").await;
    // The admin mentions the agent, so the agent has one notification.
    let agent_id = desk.agent.user_id;
    let agent = desk.store.get_user(agent_id).await.unwrap();
    let handle = agent
        .email
        .as_str()
        .split('@')
        .next()
        .unwrap_or_default()
        .to_owned();
    let admin = desk.store.actor_for_user(desk.admin.user_id).await.unwrap();
    desk.app
        .tickets()
        .add_interaction(
            &admin,
            ticket.id,
            InteractionInput::Note {
                body: format!("@{handle} please have a look"),
            },
            None,
        )
        .await
        .unwrap();
    let mine = desk
        .store
        .list_notifications(agent_id, &PageRequest::first(10))
        .await
        .unwrap();
    let first = mine.first().expect("the mention was notified");

    let list = desk.get("/agent/notifications", Some(&desk.agent)).await;
    assert_eq!(list.status, StatusCode::OK);
    list.assert_contains("You were mentioned on");

    let garbage = desk
        .get("/agent/notifications/abc", Some(&desk.agent))
        .await;
    assert_eq!(garbage.status, StatusCode::SEE_OTHER);
    assert_eq!(garbage.location(), "/agent/notifications");

    let foreign = desk
        .get(
            &format!("/agent/notifications/{}", first.id.get()),
            Some(&desk.admin),
        )
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    assert_eq!(
        desk.store
            .count_unread_notifications(agent_id)
            .await
            .unwrap(),
        1,
        "another person's click marks nothing read"
    );

    let customer = desk.get("/agent/notifications", Some(&desk.customer)).await;
    assert_eq!(customer.status, StatusCode::FORBIDDEN);

    let forged = desk
        .post_raw(
            "/agent/notifications/read",
            Some(&desk.agent),
            &[],
            &[("sec-fetch-site", "same-origin")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(
        desk.store
            .count_unread_notifications(agent_id)
            .await
            .unwrap(),
        1
    );

    let opened = desk
        .get(
            &format!("/agent/notifications/{}", first.id.get()),
            Some(&desk.agent),
        )
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER);
    assert_eq!(
        opened.location(),
        format!("/agent/tickets/{}", ticket.id.get())
    );
    assert_eq!(
        desk.store
            .count_unread_notifications(agent_id)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn the_preferences_form_stores_a_choice_and_refuses_a_forged_one() {
    let desk = Desk::new().await;
    let page = desk
        .get("/agent/notifications/preferences", Some(&desk.agent))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Mail me when");

    let saved = desk
        .post(
            "/agent/notifications/preferences",
            &desk.agent,
            &[
                ("email", "mentioned"),
                ("email", "sla_breached"),
                ("digest", "daily"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(
        saved.location(),
        "/agent/notifications/preferences?done=preferences"
    );
    let stored = desk
        .store
        .find_notification_preferences(desk.agent.user_id)
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(stored.email_text(), "mentioned,sla_breached");
    assert_eq!(stored.digest.as_str(), "daily");
    let shown = desk
        .get(
            "/agent/notifications/preferences?done=preferences",
            Some(&desk.agent),
        )
        .await;
    shown.assert_contains("Notification preferences saved.");
    shown.assert_contains(r#"value="daily" checked"#);

    for forged in [
        &[("email", "gossip"), ("digest", "off")][..],
        &[("email", "assigned"), ("digest", "weekly")][..],
    ] {
        let refused = desk
            .post("/agent/notifications/preferences", &desk.agent, forged)
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    }
    let unchanged = desk
        .store
        .find_notification_preferences(desk.agent.user_id)
        .await
        .unwrap();
    assert_eq!(unchanged, Some(stored), "nothing stored by a forged form");

    let customer = desk
        .get("/agent/notifications/preferences", Some(&desk.customer))
        .await;
    assert_eq!(customer.status, StatusCode::FORBIDDEN);
}
