//! Browser test of the team view: a supervisor signs in, lands on it, sees the three
//! parts, and follows a group's count to the queue it summarizes. Screenshots at
//! 1440×900 and 390×844.

use super::{BROWSER, Harness, POLL, WAIT, always_open_policy, browser_available};
use ferrodesk_app::{NewTicketInput, NewUserInput, RequesterRef};
use thirtyfour::prelude::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_lands_on_the_team_view_and_follows_a_count_to_its_queue() {
    if !browser_available() {
        return;
    }
    let _one = BROWSER.lock().await;
    let h = Harness::start().await;
    h.app
        .add_user_as_system(NewUserInput {
            email: "lead@ferrodesk.example".into(),
            name: "Lena Okafor".into(),
            role: "supervisor".into(),
            groups: vec!["Service Desk".into()],
            password: Some(crate::support::PASSWORD.into()),
            ..NewUserInput::default()
        })
        .await
        .unwrap();
    // First responses due in 30 minutes: the tickets opened below are breaching soon.
    always_open_policy(&h, 30).await;
    let admin = h.actor(h.user("admin@ferrodesk.example").await).await;
    let customer = h.customer(0).await.id;
    let groups = h.store.list_groups().await.unwrap();
    let service_desk = groups.iter().find(|g| g.name == "Service Desk").unwrap().id;
    for subject in [
        "Badge reader rejects every card",
        "Payroll export fails at 98 %",
    ] {
        h.app
            .tickets()
            .create(
                &admin,
                NewTicketInput {
                    subject: subject.into(),
                    description: "Started after this morning's update.".into(),
                    requester: Some(RequesterRef::Id(customer)),
                    group_id: Some(service_desk),
                    ..NewTicketInput::default()
                },
                None,
            )
            .await
            .unwrap();
    }

    h.sign_in("lead@ferrodesk.example").await;
    let driver = h.driver();
    assert!(
        driver.current_url().await.unwrap().path() == "/agent/team",
        "a supervisor lands on the team view"
    );
    h.wait_for_text("h1", "Team").await;
    h.wait_for_text("[data-team=groups]", "Service Desk").await;
    h.wait_for_text("[data-team=agents]", "Load per agent")
        .await;
    h.wait_for_text("[data-team=breaching]", "Badge reader rejects every card")
        .await;
    h.wait_for_text("[data-team=breaching]", "in 30 min").await;
    // Only the supervisor's group is listed.
    let groups = driver.find(By::Css("[data-team=groups]")).await.unwrap();
    assert!(!groups.text().await.unwrap().contains("Network"));
    // The sidebar's Team entry is current.
    let entry = driver
        .find(By::Css("#sidebar a[data-queue-link=team]"))
        .await
        .unwrap();
    assert_eq!(
        entry.attr("aria-current").await.unwrap().as_deref(),
        Some("page")
    );

    h.screenshot_sized("team-1440.png", 1440, 900).await;
    h.screenshot_sized("team-390.png", 390, 844).await;

    // A new ticket in the group shows in the open page, without a reload.
    h.app
        .tickets()
        .create(
            &admin,
            NewTicketInput {
                subject: "Scanner on floor 2 is offline".into(),
                description: "Nobody can scan since lunch.".into(),
                requester: Some(RequesterRef::Id(customer)),
                group_id: Some(service_desk),
                ..NewTicketInput::default()
            },
            None,
        )
        .await
        .unwrap();
    h.wait_for_text("[data-team=breaching]", "Scanner on floor 2 is offline")
        .await;

    // The group's breaching count leads to that group's breaching-soon queue.
    driver
        .find(By::Css(
            "[data-group='Service Desk'] a[data-count=breaching]",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    driver
        .query(By::Css("table.queue"))
        .wait(WAIT, POLL)
        .first()
        .await
        .unwrap();
    h.wait_for_text("h1", "Breaching soon in Service Desk")
        .await;
    h.wait_for_text("table.queue", "Payroll export fails at 98 %")
        .await;
    h.stop().await;
}
