//! Who speaks in the portal's conversation: a colleague on a request shared within an
//! organization, and the first message of a part split from another request.

use crate::support::{Desk, NowForTests as _, PASSWORD};
use axum::http::StatusCode;
use ferrodesk_domain::{EmailAddress, Role, Ticket};
use ferrodesk_store::{NewOrganization, NewUser};

#[tokio::test]
async fn a_colleague_s_own_messages_are_not_labelled_service_desk() {
    let desk = Desk::new().await;
    let now = desk.clock.now_for_tests();
    let org = desk
        .store
        .create_organization(NewOrganization {
            name: "Nordlys Logistics".into(),
            shares_tickets: true,
            now,
        })
        .await
        .unwrap();
    let mut sessions = Vec::new();
    for (email, name) in [
        ("kari@nordlys.test", "Kari Nord"),
        ("ola@nordlys.test", "Ola Lys"),
    ] {
        let user = desk
            .store
            .create_user(NewUser {
                email: EmailAddress::parse(email).unwrap(),
                name: name.into(),
                role: Role::Customer,
                organization_id: Some(org.id),
                phone: None,
                location: None,
                employee_id: None,
                locale: "en".into(),
                time_zone: "Europe/Oslo".into(),
                tier: None,
                group_ids: vec![],
                password_hash: Some(ferrodesk_app::hash_password(PASSWORD).await.unwrap()),
                now,
            })
            .await
            .unwrap();
        sessions.push(desk.session_for(user.id).await);
    }
    let (kari, ola) = (&sessions[0], &sessions[1]);
    let ticket: Ticket = desk.ticket(kari, "Scanner on floor 2 is offline").await;
    let reply = desk
        .post(
            &format!("/portal/tickets/{}/reply", ticket.id),
            kari,
            &[("body", "It still shows a red light this morning")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);

    let page = desk
        .get(&format!("/portal/tickets/{}", ticket.id), Some(ola))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("It still shows a red light this morning");
    page.assert_contains("<strong>Your colleague</strong> <span>wrote</span>");
    page.assert_lacks("<strong>Service desk</strong> <span>wrote</span>");
    // Kari sees her own words as hers.
    let own = desk
        .get(&format!("/portal/tickets/{}", ticket.id), Some(kari))
        .await;
    own.assert_contains("<strong>You</strong> <span>wrote</span>");
}

#[tokio::test]
async fn a_split_part_opens_with_where_it_came_from_in_the_portal() {
    let desk = Desk::new().await;
    let ticket = desk
        .ticket(&desk.customer, "Laptop and phone both broken")
        .await;
    let page = desk
        .post(
            &format!("/agent/tickets/{}/split", ticket.id),
            &desk.agent,
            &[("parts", "Phone screen cracked")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let actor = desk.actor(&desk.customer).await;
    let mine = desk
        .app
        .tickets()
        .list(&actor, &ferrodesk_app::TicketQuery::default())
        .await
        .unwrap()
        .items;
    let part = mine
        .iter()
        .find(|t| t.subject == "Phone screen cracked")
        .expect("the part is the requester's");
    let portal = desk
        .get(
            &format!("/portal/tickets/{}", part.id),
            Some(&desk.customer),
        )
        .await;
    assert_eq!(portal.status, StatusCode::OK);
    portal.assert_contains(&format!(
        "split this from your request {}",
        ticket.id.display_number()
    ));
    portal.assert_lacks(r#"<div class="body"></div>"#);
}
