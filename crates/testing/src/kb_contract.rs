//! The knowledge-base part of the store contract: articles and versions, votes,
//! deflection records and the search feed. Run by both adapters through
//! [`store_contract_tests!`](crate::store_contract_tests), which expands
//! [`kb_contract_tests!`](crate::kb_contract_tests) too.
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

use crate::contract::{TestStore, at, create, note, ticket, user};
use ferrodesk_domain::{
    ArticleContent, ArticleId, ArticleKind, ArticleStatus, Role, TicketId, UserId, Visibility,
};
use ferrodesk_store::{
    ArticleFilter, ArticleUpdate, EventAppend, NewArticle, NewCategory, PageRequest, StoreError,
};

/// Expands to one `#[tokio::test]` per knowledge-base contract test.
#[macro_export]
macro_rules! kb_contract_tests {
    ($make:expr) => {
        $crate::contract_test_fns!(kb_contract, $make;
            articles_keep_every_version_with_who_changed_what,
            stale_article_update_is_a_conflict_and_writes_nothing,
            articles_are_listed_newest_first_with_filters,
            article_with_unknown_category_is_not_found,
            bulk_articles_are_all_or_nothing,
            one_vote_per_person_and_a_second_replaces_the_first,
            deflections_count_until_the_customer_submits,
            search_feed_reads_events_versions_tickets_and_people_in_order,
            an_article_is_linked_to_a_ticket_once_also_when_two_links_race,
        );
    };
}

fn content(title: &str, visibility: Visibility, status: ArticleStatus) -> ArticleContent {
    ArticleContent {
        title: title.into(),
        body: format!("How to fix: {title}"),
        kind: ArticleKind::Troubleshooting,
        status,
        visibility,
        language: "en".into(),
        category_id: None,
        service_ids: vec![],
    }
}

async fn article(
    store: &TestStore,
    title: &str,
    author: Option<UserId>,
) -> ferrodesk_domain::Article {
    store
        .create_article(NewArticle {
            content: content(title, Visibility::Public, ArticleStatus::Draft),
            actor_id: author,
            now: at(10),
        })
        .await
        .unwrap()
}

/// Creating gives version 1; each update adds a version recording actor and fields.
pub async fn articles_keep_every_version_with_who_changed_what(store: TestStore) {
    let writer = user(&store, "writer@example.com", Role::Agent).await;
    let editor = user(&store, "editor@example.com", Role::Agent).await;
    let created = article(&store, "Printer jams", Some(writer.id)).await;
    assert_eq!(created.version, 1);
    assert_eq!(created.author_id, Some(writer.id));
    assert_eq!(created.content.title, "Printer jams");
    assert_eq!(store.get_article(created.id).await.unwrap(), created);

    let mut next = created.content.clone();
    next.status = ArticleStatus::Published;
    next.body = "Open tray 2".into();
    let updated = store
        .update_article(ArticleUpdate {
            id: created.id,
            expected_version: 1,
            content: next.clone(),
            changed_fields: vec!["body".into(), "status".into()],
            actor_id: Some(editor.id),
            now: at(20),
        })
        .await
        .unwrap();
    assert_eq!(updated.version, 2);
    assert_eq!(updated.content, next);
    assert_eq!(updated.updated_at, at(20));
    assert_eq!(updated.created_at, at(10));
    assert_eq!(updated.author_id, Some(writer.id));

    let versions = store.list_article_versions(created.id).await.unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0].version, 2);
    assert_eq!(versions[0].actor_id, Some(editor.id));
    assert_eq!(versions[0].changed_fields, vec!["body", "status"]);
    assert_eq!(versions[0].content.body, "Open tray 2");
    assert_eq!(versions[1].version, 1);
    assert_eq!(versions[1].actor_id, Some(writer.id));
    assert_eq!(versions[1].content.body, "How to fix: Printer jams");
    assert!(versions[1].changed_fields.contains(&"title".to_owned()));
    assert!(versions[0].id > versions[1].id);

    assert!(matches!(
        store.get_article(ArticleId(999_999)).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.list_article_versions(ArticleId(999_999)).await,
        Err(StoreError::NotFound { .. })
    ));
}

/// An update from an old version is refused and leaves the article as it was.
pub async fn stale_article_update_is_a_conflict_and_writes_nothing(store: TestStore) {
    let created = article(&store, "VPN drops", None).await;
    let update = |expected_version| ArticleUpdate {
        id: created.id,
        expected_version,
        content: content("VPN drops hourly", Visibility::Public, ArticleStatus::Draft),
        changed_fields: vec!["title".into()],
        actor_id: None,
        now: at(30),
    };
    store.update_article(update(1)).await.unwrap();
    assert!(matches!(
        store.update_article(update(1)).await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(store.get_article(created.id).await.unwrap().version, 2);
    assert_eq!(
        store.list_article_versions(created.id).await.unwrap().len(),
        2
    );
    let missing = ArticleUpdate {
        id: ArticleId(999_999),
        ..update(1)
    };
    assert!(matches!(
        store.update_article(missing).await,
        Err(StoreError::NotFound { .. })
    ));
}

/// Listings are newest first, filter by each field, and page.
pub async fn articles_are_listed_newest_first_with_filters(store: TestStore) {
    let category = store
        .create_category(NewCategory {
            name: "Printing".into(),
            parent_id: None,
            now: at(0),
        })
        .await
        .unwrap();
    let mut ids = Vec::new();
    for (i, (visibility, status)) in [
        (Visibility::Public, ArticleStatus::Published),
        (Visibility::Internal, ArticleStatus::Published),
        (Visibility::Public, ArticleStatus::Draft),
    ]
    .into_iter()
    .enumerate()
    {
        let mut c = content(&format!("Article {i}"), visibility, status);
        if i == 0 {
            c.category_id = Some(category.id);
            c.kind = ArticleKind::Faq;
            c.language = "pt".into();
        }
        let a = store
            .create_article(NewArticle {
                content: c,
                actor_id: None,
                now: at(i64::try_from(i).unwrap()),
            })
            .await
            .unwrap();
        ids.push(a.id);
    }
    let list = |filter: ArticleFilter| {
        let store = store.clone();
        async move {
            store
                .list_articles(&filter, &PageRequest::first(50))
                .await
                .unwrap()
                .items
                .into_iter()
                .map(|a| a.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        list(ArticleFilter::default()).await,
        vec![ids[2], ids[1], ids[0]]
    );
    let public_published = ArticleFilter {
        status: Some(ArticleStatus::Published),
        visibility: Some(Visibility::Public),
        ..ArticleFilter::default()
    };
    assert_eq!(list(public_published).await, vec![ids[0]]);
    for filter in [
        ArticleFilter {
            category_id: Some(category.id),
            ..ArticleFilter::default()
        },
        ArticleFilter {
            kind: Some(ArticleKind::Faq),
            ..ArticleFilter::default()
        },
        ArticleFilter {
            language: Some("pt".into()),
            ..ArticleFilter::default()
        },
    ] {
        assert_eq!(list(filter).await, vec![ids[0]]);
    }
    let first = store
        .list_articles(&ArticleFilter::default(), &PageRequest::first(2))
        .await
        .unwrap();
    assert_eq!(first.items.len(), 2);
    let second = store
        .list_articles(
            &ArticleFilter::default(),
            &PageRequest {
                cursor: first.next_cursor,
                limit: 2,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        second.items.iter().map(|a| a.id).collect::<Vec<_>>(),
        vec![ids[0]]
    );
    assert!(second.next_cursor.is_none());
}

/// A missing category is `NotFound`, and nothing is written.
pub async fn article_with_unknown_category_is_not_found(store: TestStore) {
    let mut c = content("Orphan", Visibility::Public, ArticleStatus::Draft);
    c.category_id = Some(ferrodesk_domain::CategoryId(4242));
    let result = store
        .create_article(NewArticle {
            content: c,
            actor_id: None,
            now: at(0),
        })
        .await;
    assert!(
        matches!(result, Err(StoreError::NotFound { .. })),
        "{result:?}"
    );
    let all = store
        .list_articles(&ArticleFilter::default(), &PageRequest::first(10))
        .await
        .unwrap();
    assert!(all.items.is_empty());
    assert!(
        store
            .article_versions_after(None, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

/// The bulk path writes every article with its first version, or none.
pub async fn bulk_articles_are_all_or_nothing(store: TestStore) {
    let new = |title: &str| NewArticle {
        content: content(title, Visibility::Public, ArticleStatus::Published),
        actor_id: None,
        now: at(1),
    };
    let ids = store
        .bulk_create_articles(vec![new("One"), new("Two"), new("Three")])
        .await
        .unwrap();
    assert_eq!(ids.len(), 3);
    assert_eq!(
        store.get_article(ids[2]).await.unwrap().content.title,
        "Three"
    );
    assert_eq!(
        store.article_versions_after(None, 10).await.unwrap().len(),
        3
    );
    let mut broken = new("Broken");
    broken.content.category_id = Some(ferrodesk_domain::CategoryId(4242));
    assert!(matches!(
        store.bulk_create_articles(vec![new("Four"), broken]).await,
        Err(StoreError::NotFound { .. })
    ));
    let all = store
        .list_articles(&ArticleFilter::default(), &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(
        all.items.len(),
        3,
        "nothing of the failed batch was written"
    );
}

/// Votes count once per person; changing one's mind moves the vote.
pub async fn one_vote_per_person_and_a_second_replaces_the_first(store: TestStore) {
    let ana = user(&store, "ana@example.com", Role::Customer).await;
    let bo = user(&store, "bo@example.com", Role::Customer).await;
    let a = article(&store, "Reset password", None).await;
    let voted = store.vote_article(a.id, ana.id, true, at(1)).await.unwrap();
    assert_eq!((voted.helpful_votes, voted.unhelpful_votes), (1, 0));
    let again = store.vote_article(a.id, ana.id, true, at(2)).await.unwrap();
    assert_eq!((again.helpful_votes, again.unhelpful_votes), (1, 0));
    let bo_no = store.vote_article(a.id, bo.id, false, at(3)).await.unwrap();
    assert_eq!((bo_no.helpful_votes, bo_no.unhelpful_votes), (1, 1));
    let changed = store
        .vote_article(a.id, ana.id, false, at(4))
        .await
        .unwrap();
    assert_eq!((changed.helpful_votes, changed.unhelpful_votes), (0, 2));
    assert_eq!(changed.version, 1, "votes are not versions");
    assert!(matches!(
        store
            .vote_article(ArticleId(999_999), ana.id, true, at(5))
            .await,
        Err(StoreError::NotFound { .. })
    ));
}

/// An opened suggestion counts as deflected until the same customer submits.
pub async fn deflections_count_until_the_customer_submits(store: TestStore) {
    let ana = user(&store, "ana@example.com", Role::Customer).await;
    let bo = user(&store, "bo@example.com", Role::Customer).await;
    let a = article(&store, "Reset password", None).await;
    store
        .record_deflection(ana.id, a.id, "reset pass", at(100))
        .await
        .unwrap();
    store
        .record_deflection(bo.id, a.id, "password", at(100))
        .await
        .unwrap();
    let counts = store.deflection_counts(at(0)).await.unwrap();
    assert_eq!((counts.opened, counts.deflected), (2, 2));
    let t = create(&store, ticket(&bo, "Still locked out", at(110))).await;
    store.close_deflections(bo.id, t.id, at(50)).await.unwrap();
    let counts = store.deflection_counts(at(0)).await.unwrap();
    assert_eq!((counts.opened, counts.deflected), (2, 1));
    assert_eq!(store.deflection_counts(at(200)).await.unwrap().opened, 0);
    assert!(matches!(
        store
            .record_deflection(ana.id, ArticleId(999_999), "x", at(1))
            .await,
        Err(StoreError::NotFound { .. })
    ));
}

/// The feed hands out events, versions, tickets and people after a position, in order.
pub async fn search_feed_reads_events_versions_tickets_and_people_in_order(store: TestStore) {
    assert_eq!(store.latest_event_id().await.unwrap(), None);
    let agent = user(&store, "agent@example.com", Role::Agent).await;
    let customer = user(&store, "ana@example.com", Role::Customer).await;
    let first = create(&store, ticket(&customer, "Printer jams", at(1))).await;
    let second = create(&store, ticket(&customer, "VPN drops", at(2))).await;
    store
        .append_event(EventAppend {
            ticket_id: first.id,
            event: note(&agent, "tray 2 is broken", at(3)),
            marks_first_response: false,
            idempotency: None,
            notices: Vec::new(),
        })
        .await
        .unwrap();
    let all = store.events_after(None, 100).await.unwrap();
    let tickets: Vec<TicketId> = all.iter().map(|(_, t)| *t).collect();
    assert_eq!(tickets, vec![first.id, second.id, first.id]);
    assert!(all.windows(2).all(|w| w[0].0 < w[1].0));
    assert_eq!(store.latest_event_id().await.unwrap(), Some(all[2].0));
    assert_eq!(
        store.events_after(Some(all[0].0), 1).await.unwrap(),
        vec![all[1]]
    );

    assert_eq!(
        store.ticket_ids_after(None, 10).await.unwrap(),
        vec![first.id, second.id]
    );
    assert_eq!(
        store.ticket_ids_after(Some(first.id), 10).await.unwrap(),
        vec![second.id]
    );
    let sources = store
        .ticket_sources(&[second.id, first.id, TicketId(999_999)])
        .await
        .unwrap();
    assert_eq!(sources.len(), 2);
    assert_eq!(sources[0].ticket.id, first.id);
    assert_eq!(sources[0].events.len(), 2, "internal notes included");
    assert_eq!(sources[0].requester_locale.as_deref(), Some("en"));

    let a = article(&store, "Reset password", None).await;
    let b = article(&store, "Map a drive", None).await;
    let versions = store.article_versions_after(None, 10).await.unwrap();
    assert_eq!(
        versions.iter().map(|v| v.1).collect::<Vec<_>>(),
        vec![a.id, b.id]
    );
    assert_eq!(
        store
            .article_versions_after(Some(versions[0].0), 10)
            .await
            .unwrap(),
        vec![versions[1]]
    );

    let people = store.users_changed_after(None, 10).await.unwrap();
    assert_eq!(people.len(), 2);
    let last = people.last().unwrap();
    assert!(
        store
            .users_changed_after(Some((last.updated_at, last.id)), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

/// "Solved by this article" links an article to a ticket once: a second link, or two
/// racing ones, write one event and answer with it.
pub async fn an_article_is_linked_to_a_ticket_once_also_when_two_links_race(store: TestStore) {
    let agent = user(&store, "agent@example.com", Role::Agent).await;
    let customer = user(&store, "c@example.com", Role::Customer).await;
    let printer = article(&store, "Printer jams", Some(agent.id)).await;
    let toner = article(&store, "Toner streaks", Some(agent.id)).await;
    let created = create(&store, ticket(&customer, "Printer", at(20))).await;
    let link = |article: ArticleId, seconds: i64| {
        let store = store.clone();
        async move {
            let event = ferrodesk_domain::NewEvent::new(
                ferrodesk_domain::EventKind::ArticleLinked {
                    article_id: article,
                    title: "Printer jams".into(),
                },
                Some(agent.id),
                ferrodesk_domain::Channel::Agent,
                at(seconds),
            );
            let append = EventAppend {
                ticket_id: created.id,
                event,
                marks_first_response: false,
                idempotency: None,
                notices: Vec::new(),
            };
            store.link_article(article, append).await.unwrap()
        }
    };
    assert!(store.linked_articles(created.id).await.unwrap().is_empty());
    let first = link(printer.id, 30).await;
    assert!(!first.is_replayed());
    let first = first.into_inner();
    let again = link(printer.id, 40).await;
    assert!(again.is_replayed());
    assert_eq!(again.into_inner(), first);
    assert_eq!(store.get_ticket(created.id).await.unwrap().version, 2);

    let (one, two) = tokio::join!(link(toner.id, 50), link(toner.id, 50));
    assert_eq!(
        [one.is_replayed(), two.is_replayed()]
            .iter()
            .filter(|r| **r)
            .count(),
        1
    );
    assert_eq!(one.into_inner().id, two.into_inner().id);
    let linked = store
        .list_events(created.id, true, &ferrodesk_store::EventPage::default())
        .await
        .unwrap()
        .iter()
        .filter(|e| e.kind.name() == "article_linked")
        .count();
    assert_eq!(linked, 2);
    assert_eq!(
        store.linked_articles(created.id).await.unwrap(),
        vec![printer.id, toner.id]
    );
    let missing = store.link_article(ArticleId(999_999), {
        EventAppend {
            ticket_id: created.id,
            event: ferrodesk_domain::NewEvent::new(
                ferrodesk_domain::EventKind::ArticleLinked {
                    article_id: ArticleId(999_999),
                    title: "Gone".into(),
                },
                Some(agent.id),
                ferrodesk_domain::Channel::Agent,
                at(60),
            ),
            marks_first_response: false,
            idempotency: None,
            notices: Vec::new(),
        }
    });
    assert!(
        matches!(missing.await, Err(StoreError::NotFound { .. })),
        "an unknown article is not linked"
    );
}
