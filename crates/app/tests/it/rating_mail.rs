//! The resolution mail carries a signed rating link that rates without signing in.

use ferrodesk_app::{NewTicketInput, RequesterRef};
use ferrodesk_domain::TicketStatus;
use ferrodesk_testing::fixtures::mail::{CapturedTransport, MailDesk, deliver_all};
use ferrodesk_testing::fixtures::person;

#[tokio::test]
async fn the_resolution_mail_links_to_a_rating_that_works_once() {
    let desk = MailDesk::sqlite().await;
    let (app, admin) = (&desk.app, &desk.admin);
    let customer = app
        .add_user_as_system(person("kari@example.com", "customer"))
        .await
        .unwrap();
    let ticket = app
        .tickets()
        .create(
            admin,
            NewTicketInput {
                subject: "Scanner offline".into(),
                description: "It shows no network".into(),
                requester: Some(RequesterRef::Id(customer.id)),
                ..NewTicketInput::default()
            },
            None,
        )
        .await
        .unwrap()
        .into_inner();
    app.tickets()
        .transition(admin, ticket.id, TicketStatus::Resolved, None, None)
        .await
        .unwrap();
    let transport = CapturedTransport::default();
    deliver_all(app, &transport).await;
    let texts: Vec<String> = transport
        .messages()
        .iter()
        .map(|raw| {
            ferrodesk_channels::email::parse(raw.as_bytes())
                .unwrap()
                .text_body
        })
        .collect();
    let resolution = texts
        .iter()
        .find(|t| t.contains("was resolved"))
        .unwrap_or_else(|| panic!("no resolution mail in {texts:?}"));
    assert!(resolution.contains("How did we do?"), "{resolution}");
    let link = resolution
        .split_whitespace()
        .find(|w| w.contains("/rate/"))
        .unwrap();
    assert!(link.starts_with("http://127.0.0.1:8080/rate/"), "{link}");
    let token = link.rsplit('/').next().unwrap();
    let rating = app
        .ratings()
        .rate_with_link(token, 5, Some("fast"))
        .await
        .unwrap();
    assert_eq!(rating.requester_id, customer.id);
    assert!(app.ratings().rate_with_link(token, 3, None).await.is_err());
    // Other mails carry no link.
    assert!(
        texts
            .iter()
            .filter(|t| !t.contains("was resolved"))
            .all(|t| !t.contains("/rate/"))
    );
}
