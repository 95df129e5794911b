//! The search index as a projection: it catches up after a restart from the
//! checkpoint kept in the index, and a rebuild from the database gives the same
//! results, on SQLite and on PostgreSQL.

use ferrodesk_app::{App, AppConfig, ArticleInput, NewTicketInput, NewUserInput};
use ferrodesk_domain::{ArticleStatus, Visibility};
use ferrodesk_search::{SearchIndex, SearchRequest};
use ferrodesk_store::Store;
use ferrodesk_testing::fixtures;
use std::sync::Arc;

fn app(store: Arc<dyn Store>) -> App {
    App::new(store, fixtures::clock(), AppConfig::default())
}

async fn titles(app: &App, actor: &ferrodesk_domain::Actor, text: &str) -> Vec<String> {
    let mut titles: Vec<String> = app
        .search()
        .search(actor, SearchRequest::new(text))
        .await
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.title)
        .collect();
    titles.sort();
    titles
}

async fn index_catches_up_after_a_restart_and_rebuilds_the_same(store: Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let first = app(store.clone());
    first
        .attach_search_index(SearchIndex::open(dir.path()).unwrap())
        .unwrap();
    let agent = first
        .add_user_as_system(NewUserInput {
            email: "agent@example.com".into(),
            name: "Agent".into(),
            role: "supervisor".into(),
            ..NewUserInput::default()
        })
        .await
        .unwrap();
    let actor = store.actor_for_user(agent.id).await.unwrap();
    let open = |subject: &str| NewTicketInput {
        subject: subject.into(),
        description: "printer trouble on floor 3".into(),
        ..NewTicketInput::default()
    };
    first
        .tickets()
        .create(&actor, open("Printer jams"), None)
        .await
        .unwrap();
    first.search().sync().await.unwrap();
    assert_eq!(titles(&first, &actor, "jams").await, vec!["Printer jams"]);
    let checkpoint = first.search().status().unwrap().1;
    assert!(checkpoint.is_some());
    first.search().stop().await;
    drop(first);

    // Written while no index was running: the next start catches up from the
    // checkpoint it finds in the index.
    let writer = app(store.clone());
    writer
        .tickets()
        .create(&actor, open("Printer offline"), None)
        .await
        .unwrap();
    writer
        .kb()
        .create(
            &actor,
            ArticleInput {
                title: "Printer troubleshooting".into(),
                status: Some(ArticleStatus::Published),
                visibility: Some(Visibility::Internal),
                ..ArticleInput::default()
            },
        )
        .await
        .unwrap();
    drop(writer);

    let second = app(store.clone());
    let reopened = SearchIndex::open(dir.path()).unwrap();
    assert_eq!(reopened.last_event_id(), checkpoint);
    second.attach_search_index(reopened).unwrap();
    second.search().sync().await.unwrap();
    let expected = vec!["Printer jams", "Printer offline", "Printer troubleshooting"];
    assert_eq!(titles(&second, &actor, "printer").await, expected);

    let rebuilt = second.search().rebuild().await.unwrap();
    // The tickets at least; articles and people may be re-applied by the background task.
    assert!(rebuilt.documents >= 2, "{rebuilt:?}");
    assert_eq!(titles(&second, &actor, "printer").await, expected);
    assert_eq!(
        second.search().status().unwrap().1,
        store.latest_event_id().await.unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_index_catches_up_after_a_restart_and_rebuilds_the_same() {
    let database = fixtures::TempStore::sqlite().await;
    index_catches_up_after_a_restart_and_rebuilds_the_same(database.store.clone()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_index_catches_up_after_a_restart_and_rebuilds_the_same() {
    let Some(database) = ferrodesk_testing::postgres::TestDatabase::create().await else {
        eprintln!("SKIPPED postgres_index_catches_up_after_a_restart: PostgreSQL is not available");
        return;
    };
    let store = ferrodesk_store_postgres::PgStore::connect(database.url())
        .await
        .unwrap();
    index_catches_up_after_a_restart_and_rebuilds_the_same(Arc::new(store)).await;
}

/// The demo desk's Portuguese and Hungarian tickets and articles are found by other
/// inflected forms of their words (the stemmers of their languages), and a word in
/// none of them finds nothing.
#[tokio::test]
async fn demo_data_is_found_by_inflected_forms_in_other_languages() {
    let store: Arc<dyn Store> = Arc::new(
        ferrodesk_store_sqlite::SqliteStore::open_temporary()
            .await
            .unwrap(),
    );
    let now = "2026-03-02T09:00:00Z".parse().unwrap();
    ferrodesk_seed::seed(
        store.as_ref(),
        &ferrodesk_seed::SeedOptions::demo(now, None),
    )
    .await
    .unwrap();
    let desk = app(store.clone());
    desk.search().rebuild().await.unwrap();
    let supervisor = desk
        .add_user_as_system(NewUserInput {
            email: "lead@example.com".into(),
            name: "Lead".into(),
            role: "supervisor".into(),
            ..NewUserInput::default()
        })
        .await
        .unwrap();
    let actor = store.actor_for_user(supervisor.id).await.unwrap();

    // The demo says "impressora" (and "impressoras") and "nyomtató" (and "nyomtatók").
    let portuguese = titles(&desk, &actor, "impressoras").await;
    assert!(
        portuguese.iter().any(|t| t == "A impressora não imprime"),
        "{portuguese:?}"
    );
    let hungarian = titles(&desk, &actor, "nyomtatót").await;
    assert!(
        hungarian.iter().any(|t| t == "A nyomtató nem nyomtat"),
        "{hungarian:?}"
    );
    assert!(
        hungarian
            .iter()
            .any(|t| t.contains("nyomtató folyton elakad")),
        "the ticket as well: {hungarian:?}"
    );
    assert!(titles(&desk, &actor, "quetzalcoatl").await.is_empty());
}

/// Assets join the index through their own feed: staff find them by tag, model or the
/// holder's name, the holder finds their own, another customer finds none, and a
/// deleted asset is gone from the results.
#[tokio::test]
async fn assets_are_found_by_staff_and_by_their_holder_only() {
    let store: Arc<dyn Store> = Arc::new(
        ferrodesk_store_sqlite::SqliteStore::open_temporary()
            .await
            .unwrap(),
    );
    let desk = app(store.clone());
    let person = |email: &str, name: &str, role: &str| NewUserInput {
        email: email.into(),
        name: name.into(),
        role: role.into(),
        ..NewUserInput::default()
    };
    let agent = desk
        .add_user_as_system(person("agent@example.com", "Agent", "agent"))
        .await
        .unwrap();
    let holder = desk
        .add_user_as_system(person("marta@example.com", "Marta Nowak", "customer"))
        .await
        .unwrap();
    let other = desk
        .add_user_as_system(person("olek@example.com", "Olek", "customer"))
        .await
        .unwrap();
    let staff = store.actor_for_user(agent.id).await.unwrap();
    let asset = desk
        .assets()
        .create(
            &staff,
            ferrodesk_store::AssetFields {
                tag: "PC-00123".into(),
                serial: Some("SN-77".into()),
                asset_type: ferrodesk_domain::AssetType::Computer,
                manufacturer: Some("Lenovo".into()),
                model: Some("ThinkPad T14".into()),
                location: None,
                assigned_to: Some(holder.id),
                purchase_date: None,
                warranty_end: None,
                contract: None,
            },
        )
        .await
        .unwrap();
    desk.search().sync().await.unwrap();
    let found = |who: ferrodesk_domain::UserId, text: &'static str| {
        let desk = desk.clone();
        let store = store.clone();
        async move {
            let actor = store.actor_for_user(who).await.unwrap();
            desk.search()
                .search(&actor, SearchRequest::new(text))
                .await
                .unwrap()
                .hits
                .into_iter()
                .filter(|h| h.key.kind == ferrodesk_search::DocKind::Asset)
                .count()
        }
    };
    assert_eq!(found(agent.id, "PC-00123").await, 1);
    assert_eq!(found(agent.id, "thinkpad").await, 1);
    assert_eq!(found(agent.id, "marta").await, 1, "by the holder's name");
    assert_eq!(found(holder.id, "thinkpad").await, 1, "the holder's own");
    assert_eq!(found(other.id, "thinkpad").await, 0, "not someone else's");

    desk.assets().delete(&staff, asset.id).await.unwrap();
    assert_eq!(found(agent.id, "PC-00123").await, 0, "deleted");
}
