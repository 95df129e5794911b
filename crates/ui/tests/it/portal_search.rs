//! The portal's search: the customer's words for statuses, help articles above
//! tickets (a colleague's closed ticket never above them), and an empty query that
//! explains what to type instead of listing every ticket.

use crate::support::{Desk, NowForTests as _};
use axum::http::StatusCode;
use ferrodesk_domain::{EmailAddress, Role, TicketStatus};
use ferrodesk_store::{NewOrganization, NewUser};

#[tokio::test]
async fn portal_search_puts_articles_first_speaks_the_customers_words_and_starts_empty() {
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
                password_hash: None,
                now,
            })
            .await
            .unwrap();
        sessions.push(desk.session_for(user.id).await);
    }
    let (kari, ola) = (&sessions[0], &sessions[1]);
    let agent = desk.actor(&desk.agent).await;
    // A colleague's closed ticket that says "printer" three times ranks high on its own.
    let colleague = desk.ticket(ola, "Printer printer printer offline").await;
    for to in [TicketStatus::Resolved, TicketStatus::Closed] {
        desk.app
            .tickets()
            .transition(&agent, colleague.id, to, None, None)
            .await
            .unwrap();
    }
    let own = desk.ticket(kari, "Printer toner low").await;
    desk.app
        .tickets()
        .transition(&agent, own.id, TicketStatus::PendingCustomer, None, None)
        .await
        .unwrap();
    let article = desk
        .published_article("Fix an offline printer", "Turn the printer off and on.")
        .await;
    desk.app.search().sync().await.unwrap();

    let page = desk.get("/portal/search?q=printer", Some(kari)).await;
    assert_eq!(page.status, StatusCode::OK);
    let at = |text: &str| {
        page.body
            .find(text)
            .unwrap_or_else(|| panic!("{text} is on the page: {}", page.body))
    };
    let article_at = at(&format!(r#"href="/portal/kb/{}""#, article.id));
    assert!(article_at < at(&format!(r#"href="/portal/tickets/{}""#, colleague.id)));
    assert!(article_at < at(&format!(r#"href="/portal/tickets/{}""#, own.id)));
    page.assert_contains("Waiting for your reply");
    page.assert_lacks("Waiting on customer");

    let empty = desk.get("/portal/search?q=", Some(kari)).await;
    assert_eq!(empty.status, StatusCode::OK);
    empty.assert_contains(r#"id="search-empty""#);
    empty.assert_contains(r#"href="/portal/kb""#);
    empty.assert_lacks("/portal/tickets/");
    empty.assert_lacks("results for");
}
