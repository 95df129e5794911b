//! The ticket view's suggested articles: only articles that match well, in the
//! requester's language first, the others labelled with their language, and stop
//! words never marked.

use crate::support::{Desk, NowForTests as _};
use axum::http::StatusCode;
use ferrodesk_app::{ArticleInput, NewTicketInput, RequesterRef};
use ferrodesk_domain::{ArticleStatus, EmailAddress, Role, Visibility};
use ferrodesk_store::NewUser;

async fn article(desk: &Desk, language: &str, title: &str, body: &str) -> i64 {
    let actor = desk.actor(&desk.agent).await;
    desk.app
        .kb()
        .create(
            &actor,
            ArticleInput {
                title: title.into(),
                body: body.into(),
                status: Some(ArticleStatus::Published),
                visibility: Some(Visibility::Public),
                language: Some(language.into()),
                ..ArticleInput::default()
            },
        )
        .await
        .expect("article")
        .id
        .get()
}

#[tokio::test]
async fn suggestions_match_well_come_in_the_requesters_language_first_and_mark_no_stop_words() {
    let desk = Desk::new().await;
    let english = article(
        &desk,
        "en",
        "Printer paper jam (papel encravado)",
        "When the impressora says papel encravado, open tray 2 and remove the paper.",
    )
    .await;
    let portuguese = article(
        &desk,
        "pt",
        "A impressora não imprime: papel encravado",
        "Retire o papel encravado da impressora.",
    )
    .await;
    let unrelated = article(
        &desk,
        "pt",
        "Pedir um portátil novo",
        "A equipa não demora: o portátil chega numa semana.",
    )
    .await;
    let requester = desk
        .store
        .create_user(NewUser {
            email: EmailAddress::parse("ana@example.com").unwrap(),
            name: "Ana Sousa".into(),
            role: Role::Customer,
            organization_id: None,
            phone: None,
            location: None,
            employee_id: None,
            locale: "pt-PT".into(),
            time_zone: "Europe/Lisbon".into(),
            tier: None,
            group_ids: Vec::new(),
            password_hash: None,
            now: desk.clock.now_for_tests(),
        })
        .await
        .unwrap();
    let actor = desk.actor(&desk.agent).await;
    let ticket = desk
        .app
        .tickets()
        .create(
            &actor,
            NewTicketInput {
                subject: "A impressora não imprime".into(),
                description: "Diz papel encravado e não imprime nada.".into(),
                requester: Some(RequesterRef::Id(requester.id)),
                group_id: Some(desk.service_desk),
                ..NewTicketInput::default()
            },
            None,
        )
        .await
        .unwrap()
        .into_inner();
    desk.app.search().sync().await.unwrap();

    let panel = desk
        .get(
            &format!("/agent/tickets/{}/knowledge", ticket.id.get()),
            Some(&desk.agent),
        )
        .await;
    assert_eq!(panel.status, StatusCode::OK);
    let at = |id: i64| {
        panel
            .body
            .find(&format!(r#"href="/agent/kb/{id}""#))
            .unwrap_or_else(|| panic!("article {id} is suggested: {}", panel.body))
    };
    assert!(at(portuguese) < at(english), "{}", panel.body);
    panel.assert_lacks(&format!(r#"href="/agent/kb/{unrelated}""#));
    panel.assert_contains(r#"<span class="badge language""#);
    panel.assert_contains(">English</span>");
    panel.assert_lacks(">Português</span>");
    panel.assert_contains("<mark>impressora</mark>");
    panel.assert_lacks("<mark>não</mark>");
    panel.assert_lacks("<mark>A</mark>");
}
