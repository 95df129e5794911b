//! Notifications by mail to staff: what each person's preferences mail at once, in
//! their language, through the outbox; what a digest gathers instead; and who is
//! never mailed (the person who made the change, a person who may no longer see the
//! ticket).

use ferrodesk_app::NewUserInput;
use ferrodesk_app::{InteractionInput, NewTicketInput, TicketPatch};
use ferrodesk_domain::notify::{Digest, Preferences};
use ferrodesk_domain::{Actor, NotificationKind, Ticket};
use ferrodesk_store::UserPatch;
use ferrodesk_testing::fixtures::mail::{CapturedTransport, MailDesk as Desk, deliver_all, header};
use ferrodesk_testing::fixtures::{add_actor, person};
use jiff::SignedDuration;

/// The desk with Ola, an agent who reads Norwegian, and a ticket of Ana's.
async fn desk() -> (Desk, Actor, Ticket) {
    let desk = Desk::sqlite().await;
    let ola = add_actor(
        &desk.app,
        NewUserInput {
            name: "Ola Nordmann".into(),
            ..person("ola@desk.example", "agent")
        },
    )
    .await;
    desk.app
        .store()
        .update_user(
            ola.user_id,
            UserPatch {
                locale: Some("nb-NO".into()),
                ..UserPatch::default()
            },
            desk.app.now(),
        )
        .await
        .unwrap();
    let ticket = desk
        .app
        .tickets()
        .create(
            &desk.admin,
            NewTicketInput {
                subject: "VPN drops every hour".into(),
                description: "Since the update.".into(),
                requester: Some(ferrodesk_app::RequesterRef::Email {
                    email: "ana@example.com".into(),
                    name: Some("Ana".into()),
                }),
                ..NewTicketInput::default()
            },
            None,
        )
        .await
        .unwrap()
        .into_inner();
    (desk, ola, ticket)
}

async fn assign(desk: &Desk, by: &Actor, ticket: &Ticket, to: &Actor) {
    desk.app
        .tickets()
        .update(
            by,
            ticket.id,
            TicketPatch {
                assignee_id: Some(Some(to.user_id)),
                ..TicketPatch::default()
            },
        )
        .await
        .unwrap();
}

/// The staff mail among what was sent, raw.
fn staff_mail(transport: &CapturedTransport) -> Vec<String> {
    transport
        .messages()
        .into_iter()
        .filter(|raw| header(raw, "X-Ferrodesk-Notification").is_some())
        .collect()
}

#[tokio::test]
async fn an_assignment_is_mailed_to_the_assignee_in_their_language_never_to_the_actor() {
    let (desk, ola, ticket) = desk().await;
    let transport = CapturedTransport::default();
    assign(&desk, &desk.admin, &ticket, &ola).await;
    deliver_all(&desk.app, &transport).await;
    let mail = staff_mail(&transport);
    assert_eq!(mail.len(), 1, "one mail, to Ola only: {mail:?}");
    let raw = &mail[0];
    let parsed = ferrodesk_channels::email::parse(raw.as_bytes()).unwrap();
    assert_eq!(parsed.to[0].address.as_str(), "ola@desk.example");
    assert_eq!(
        header(raw, "X-Ferrodesk-Notification").as_deref(),
        Some("assigned")
    );
    assert_eq!(
        header(raw, "Auto-Submitted").as_deref(),
        Some("auto-generated")
    );
    let text = &parsed.text_body;
    assert!(text.contains("VPN drops every hour"), "{text}");
    assert!(
        text.contains(&format!("/agent/tickets/{}", ticket.id.get())),
        "{text}"
    );
    assert!(text.contains("/agent/notifications/preferences"), "{text}");
    assert!(
        header(raw, "Subject").is_some_and(|s| !s.contains(&format!("[#{}]", ticket.id.get()))),
        "staff mail carries no ticket tag, so an answer does not join the conversation"
    );
    // Now Ola gives it to the admin: the admin is told, Ola (who did it) is not mailed.
    let before = staff_mail(&transport).len();
    assign(&desk, &ola, &ticket, &desk.admin).await;
    deliver_all(&desk.app, &transport).await;
    let after = staff_mail(&transport);
    assert_eq!(after.len(), before + 1);
    let to = ferrodesk_channels::email::parse(after[before].as_bytes())
        .unwrap()
        .to;
    assert_eq!(to[0].address.as_str(), "admin@example.com");
}

#[tokio::test]
async fn staff_mail_speaks_the_persons_language() {
    let (desk, ola, ticket) = desk().await;
    let transport = CapturedTransport::default();
    assign(&desk, &desk.admin, &ticket, &ola).await;
    deliver_all(&desk.app, &transport).await;
    let raw = staff_mail(&transport).remove(0);
    let text = ferrodesk_channels::email::parse(raw.as_bytes())
        .unwrap()
        .text_body;
    assert!(text.contains("Åpne saken:"), "{text}");
    assert!(
        text.contains("Velg hvilke varsler du får på e-post:"),
        "{text}"
    );
}

#[tokio::test]
async fn a_kind_the_person_does_not_mail_stays_in_the_bell_only() {
    let (desk, ola, ticket) = desk().await;
    let transport = CapturedTransport::default();
    desk.app
        .service_levels()
        .set_notification_preferences(
            &ola,
            Preferences::new(&[NotificationKind::Mentioned], Digest::Off),
        )
        .await
        .unwrap();
    assign(&desk, &desk.admin, &ticket, &ola).await;
    deliver_all(&desk.app, &transport).await;
    assert!(staff_mail(&transport).is_empty());
    assert_eq!(
        desk.app
            .service_levels()
            .unread_notifications(&ola)
            .await
            .unwrap(),
        1,
        "still in the bell"
    );
    // A mention is mailed.
    desk.app
        .tickets()
        .add_interaction(
            &desk.admin,
            ticket.id,
            InteractionInput::Note {
                body: "@ola please check the tunnel logs".into(),
            },
            None,
        )
        .await
        .unwrap();
    deliver_all(&desk.app, &transport).await;
    let mail = staff_mail(&transport);
    assert_eq!(mail.len(), 1);
    assert_eq!(
        header(&mail[0], "X-Ferrodesk-Notification").as_deref(),
        Some("mentioned")
    );
}

#[tokio::test]
async fn a_digest_gathers_the_unread_once_a_period_instead_of_mailing_at_once() {
    let (desk, ola, ticket) = desk().await;
    let transport = CapturedTransport::default();
    desk.app
        .service_levels()
        .set_notification_preferences(
            &ola,
            Preferences::new(
                &[NotificationKind::Assigned, NotificationKind::Mentioned],
                Digest::Daily,
            ),
        )
        .await
        .unwrap();
    assign(&desk, &desk.admin, &ticket, &ola).await;
    deliver_all(&desk.app, &transport).await;
    assert!(staff_mail(&transport).is_empty(), "nothing at once");
    desk.clock.advance(SignedDuration::from_hours(25));
    deliver_all(&desk.app, &transport).await;
    let mail = staff_mail(&transport);
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert_eq!(
        header(&mail[0], "X-Ferrodesk-Notification").as_deref(),
        Some("digest")
    );
    let digest = ferrodesk_channels::email::parse(mail[0].as_bytes()).unwrap();
    assert_eq!(digest.subject, "1 uleste varsler");
    assert!(
        digest
            .text_body
            .contains(&format!("/agent/tickets/{}", ticket.id.get()))
    );
    // Read since: the next day's digest has nothing to gather and is not sent.
    desk.app
        .service_levels()
        .mark_read(&ola, &[])
        .await
        .unwrap();
    desk.clock.advance(SignedDuration::from_hours(24));
    deliver_all(&desk.app, &transport).await;
    assert_eq!(staff_mail(&transport).len(), 1);
}

#[tokio::test]
async fn nobody_is_mailed_about_a_ticket_they_may_no_longer_see() {
    let (desk, ola, ticket) = desk().await;
    let transport = CapturedTransport::default();
    assign(&desk, &desk.admin, &ticket, &ola).await;
    // Before the mail goes out, the ticket is given to someone else: Ola, an agent of no
    // group, may no longer see it.
    assign(&desk, &desk.admin, &ticket, &desk.agent).await;
    deliver_all(&desk.app, &transport).await;
    let to: Vec<String> = staff_mail(&transport)
        .iter()
        .map(|raw| {
            ferrodesk_channels::email::parse(raw.as_bytes()).unwrap().to[0]
                .address
                .to_string()
        })
        .collect();
    assert!(!to.iter().any(|t| t == "ola@desk.example"), "{to:?}");
}

#[tokio::test]
async fn customers_have_no_notification_preferences() {
    let (desk, _ola, _ticket) = desk().await;
    let ana = add_actor(&desk.app, person("bea@example.com", "customer")).await;
    let error = desk
        .app
        .service_levels()
        .notification_preferences(&ana)
        .await
        .unwrap_err();
    assert!(
        matches!(error, ferrodesk_app::AppError::Forbidden { .. }),
        "{error:?}"
    );
}
