//! "Solved by this article" through the API: linking an article to a ticket records one
//! `article_linked` event; linking it again answers with that event and adds nothing,
//! also when two clicks arrive at once.

use crate::support::{TestApp, items};
use serde_json::{Value, json};

backend_tests!(linking_an_article_twice_answers_with_the_first_link_and_adds_nothing);

async fn linked_events(t: &TestApp, path: &str, token: &str) -> Vec<Value> {
    let timeline = t
        .get(&format!("{path}/events"))
        .token(token)
        .send()
        .await
        .ok(200);
    items(&timeline)
        .into_iter()
        .filter(|e| e["type"] == "article_linked")
        .collect()
}

async fn linking_an_article_twice_answers_with_the_first_link_and_adds_nothing(t: TestApp) {
    let desk = t.desk().await;
    let mut articles = Vec::new();
    for title in ["Outlook keeps crashing", "Resetting Outlook profiles"] {
        articles.push(
            t.post("/api/v1/kb/articles")
                .token(&desk.agent.token)
                .json(json!({"title": title, "body": "Disable the add-in.", "status": "published"}))
                .send()
                .await
                .ok(201),
        );
    }
    let ticket = t
        .ticket(
            &desk.customer,
            json!({"subject": "Outlook crashing", "description": "every morning"}),
        )
        .await;
    let path = format!("/api/v1/tickets/{}", ticket["id"]);
    let link = |article: &Value| {
        t.post(&format!("{path}/articles"))
            .token(&desk.supervisor.token)
            .json(json!({"article_id": article["id"]}))
            .send()
    };

    let first = link(&articles[0]).await.ok(201);
    assert_eq!(first["type"], "article_linked");
    let before = t
        .get(&path)
        .token(&desk.supervisor.token)
        .send()
        .await
        .ok(200);
    let again = link(&articles[0]).await.ok(200);
    assert_eq!(again["id"], first["id"], "{again}");
    assert_eq!(again["created_at"], first["created_at"]);
    let after = t
        .get(&path)
        .token(&desk.supervisor.token)
        .send()
        .await
        .ok(200);
    assert_eq!(after["version"], before["version"]);
    assert_eq!(after["updated_at"], before["updated_at"]);

    // Two clicks at once: one link, one event.
    let (one, two) = tokio::join!(link(&articles[1]), link(&articles[1]));
    let mut statuses = [one.status, two.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 201], "{} / {}", one.text, two.text);
    assert_eq!(one.body["id"], two.body["id"]);

    let linked = linked_events(&t, &path, &desk.customer.token).await;
    let titles: Vec<&str> = linked.iter().filter_map(|e| e["title"].as_str()).collect();
    assert_eq!(
        titles,
        ["Outlook keeps crashing", "Resetting Outlook profiles"],
        "{linked:?}"
    );
}
