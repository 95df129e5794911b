//! The knowledge base and search through the API: who may write and read articles,
//! versions, votes, deflection, and search results that respect permissions.

use crate::support::{Person, TestApp, items};
use serde_json::{Value, json};

backend_tests!(
    public_and_internal_articles_are_found_only_by_who_may_read_them,
    articles_keep_versions_and_refuse_stale_edits,
    customers_cannot_write_or_see_drafts_and_internal_articles,
    bad_article_input_is_refused_and_writes_nothing,
    votes_count_once_per_person,
    search_never_shows_customers_internal_notes_or_others_tickets,
    search_filters_phrases_prefixes_and_typos,
    bad_search_parameters_are_refused,
    deflection_is_recorded_until_the_customer_submits,
    article_solves_a_ticket_and_a_resolved_ticket_drafts_an_article,
    article_images_are_served_to_readers_while_the_body_shows_them,
);

async fn article(t: &TestApp, who: &Person, body: Value) -> Value {
    t.post("/api/v1/kb/articles")
        .token(&who.token)
        .json(body)
        .send()
        .await
        .ok(201)
}

async fn search(t: &TestApp, who: &Person, query: &str) -> Value {
    t.app.search().sync().await.unwrap();
    t.get(&format!("/api/v1/search?{query}"))
        .token(&who.token)
        .send()
        .await
        .ok(200)
}

fn ids_of_kind(results: &Value, kind: &str) -> Vec<i64> {
    items(results)
        .iter()
        .filter(|h| h["kind"] == kind)
        .map(|h| h["id"].as_i64().unwrap())
        .collect()
}

async fn public_and_internal_articles_are_found_only_by_who_may_read_them(t: TestApp) {
    let desk = t.desk().await;
    let public = article(
        &t,
        &desk.agent,
        json!({"title": "Printer shows paper jam", "body": "Open **tray 2** and remove the paper.", "status": "published", "kind": "faq"}),
    )
    .await;
    assert_eq!(public["visibility"], "public");
    assert_eq!(public["version"], 1);
    assert!(
        public["body_html"]
            .as_str()
            .unwrap()
            .contains("<strong>tray 2</strong>")
    );
    let internal = article(
        &t,
        &desk.agent,
        json!({"title": "Printer jam: reset the fuser", "body": "Service mode code 4711.", "status": "published", "visibility": "internal"}),
    )
    .await;

    let customer = search(&t, &desk.customer, "q=printer").await;
    assert_eq!(
        ids_of_kind(&customer, "article"),
        vec![public["id"].as_i64().unwrap()]
    );
    assert_eq!(customer["total"], 1);
    let agent = search(&t, &desk.agent, "q=printer").await;
    let mut found = ids_of_kind(&agent, "article");
    found.sort_unstable();
    assert_eq!(
        found,
        vec![
            public["id"].as_i64().unwrap(),
            internal["id"].as_i64().unwrap()
        ]
    );
    let hit = items(&agent)
        .into_iter()
        .find(|h| h["id"] == public["id"])
        .unwrap();
    assert!(
        hit["title_html"]
            .as_str()
            .unwrap()
            .contains("<mark>Printer</mark>"),
        "{hit}"
    );
    assert_eq!(hit["url"], format!("/api/v1/kb/articles/{}", public["id"]));

    // The customer cannot read the internal one directly either.
    t.get(&format!("/api/v1/kb/articles/{}", internal["id"]))
        .token(&desk.customer.token)
        .send()
        .await
        .err(404, "article_not_found");
    let listed = t
        .get("/api/v1/kb/articles")
        .token(&desk.customer.token)
        .send()
        .await
        .ok(200);
    assert_eq!(
        items(&listed)
            .iter()
            .map(|a| a["id"].clone())
            .collect::<Vec<_>>(),
        vec![public["id"].clone()]
    );
}

async fn articles_keep_versions_and_refuse_stale_edits(t: TestApp) {
    let desk = t.desk().await;
    let created = article(
        &t,
        &desk.agent,
        json!({"title": "VPN drops", "body": "Reconnect."}),
    )
    .await;
    let path = format!("/api/v1/kb/articles/{}", created["id"]);
    let published = t
        .patch(&path)
        .token(&desk.supervisor.token)
        .json(json!({"version": 1, "status": "published", "body": "Reconnect, then update the client."}))
        .send()
        .await
        .ok(200);
    assert_eq!(published["version"], 2);
    assert_eq!(published["status"], "published");
    t.patch(&path)
        .token(&desk.agent.token)
        .json(json!({"version": 1, "title": "VPN drops hourly"}))
        .send()
        .await
        .err(409, "version_conflict");
    t.patch(&path)
        .token(&desk.agent.token)
        .json(json!({"status": "published"}))
        .send()
        .await
        .err(422, "invalid_value");
    let versions = t
        .get(&format!("{path}/versions"))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    let versions = items(&versions);
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["version"], 2);
    assert_eq!(versions[0]["actor_id"], desk.supervisor.id);
    assert_eq!(versions[0]["changed_fields"], json!(["body", "status"]));
    assert_eq!(versions[1]["actor_id"], desk.agent.id);
    assert_eq!(versions[1]["body"], "Reconnect.");
    t.get(&format!("{path}/versions"))
        .token(&desk.customer.token)
        .send()
        .await
        .err(403, "forbidden");
}

async fn customers_cannot_write_or_see_drafts_and_internal_articles(t: TestApp) {
    let desk = t.desk().await;
    t.post("/api/v1/kb/articles")
        .token(&desk.customer.token)
        .json(json!({"title": "My tip"}))
        .send()
        .await
        .err(403, "forbidden");
    let draft = article(&t, &desk.agent, json!({"title": "Unfinished"})).await;
    assert_eq!(draft["status"], "draft");
    let path = format!("/api/v1/kb/articles/{}", draft["id"]);
    t.get(&path)
        .token(&desk.customer.token)
        .send()
        .await
        .err(404, "article_not_found");
    t.patch(&path)
        .token(&desk.customer.token)
        .json(json!({"title": "Mine now"}))
        .send()
        .await
        .err(403, "forbidden");
    let drafts = t
        .get("/api/v1/kb/articles?status=draft")
        .token(&desk.customer.token)
        .send()
        .await
        .ok(200);
    assert!(items(&drafts).is_empty());
    let for_staff = t
        .get("/api/v1/kb/articles?status=draft")
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(items(&for_staff).len(), 1);
    let found = search(&t, &desk.customer, "q=unfinished").await;
    assert!(items(&found).is_empty());
}

async fn bad_article_input_is_refused_and_writes_nothing(t: TestApp) {
    let desk = t.desk().await;
    let cases = [
        (json!({"title": "  "}), 422, "invalid_value"),
        (
            json!({"title": "x", "language": "klingon!"}),
            422,
            "invalid_value",
        ),
        (json!({"title": "x", "kind": "poem"}), 422, "invalid_body"),
        (
            json!({"title": "x", "category_id": 999}),
            404,
            "category_not_found",
        ),
        (
            json!({"title": "x", "service_ids": [999]}),
            404,
            "service_not_found",
        ),
        (json!({"title": "x", "colour": "red"}), 422, "invalid_body"),
        (
            json!({"title": "x", "body": "y".repeat(100_001)}),
            422,
            "invalid_value",
        ),
    ];
    for (body, status, code) in cases {
        t.post("/api/v1/kb/articles")
            .token(&desk.agent.token)
            .json(body)
            .send()
            .await
            .err(status, code);
    }
    t.post("/api/v1/kb/articles")
        .token(&desk.agent.token)
        .raw("application/json", "{not json")
        .send()
        .await
        .err(400, "malformed_json");
    t.get("/api/v1/kb/articles/999")
        .token(&desk.agent.token)
        .send()
        .await
        .err(404, "article_not_found");
    t.get("/api/v1/kb/articles/abc")
        .token(&desk.agent.token)
        .send()
        .await
        .err(400, "invalid_path");
    let all = t
        .get("/api/v1/kb/articles")
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert!(items(&all).is_empty());
}

async fn votes_count_once_per_person(t: TestApp) {
    let desk = t.desk().await;
    let a = article(
        &t,
        &desk.agent,
        json!({"title": "Map a drive", "status": "published"}),
    )
    .await;
    let path = format!("/api/v1/kb/articles/{}/votes", a["id"]);
    let voted = t
        .post(&path)
        .token(&desk.customer.token)
        .json(json!({"helpful": true}))
        .send()
        .await
        .ok(200);
    assert_eq!(
        (
            voted["helpful_votes"].as_i64(),
            voted["unhelpful_votes"].as_i64()
        ),
        (Some(1), Some(0))
    );
    let again = t
        .post(&path)
        .token(&desk.customer.token)
        .json(json!({"helpful": false}))
        .send()
        .await
        .ok(200);
    assert_eq!(
        (
            again["helpful_votes"].as_i64(),
            again["unhelpful_votes"].as_i64()
        ),
        (Some(0), Some(1))
    );
    t.post(&path)
        .token(&desk.customer.token)
        .json(json!({"helpful": "yes"}))
        .send()
        .await
        .err(422, "invalid_body");
    let internal = article(
        &t,
        &desk.agent,
        json!({"title": "Secret", "status": "published", "visibility": "internal"}),
    )
    .await;
    t.post(&format!("/api/v1/kb/articles/{}/votes", internal["id"]))
        .token(&desk.customer.token)
        .json(json!({"helpful": true}))
        .send()
        .await
        .err(404, "article_not_found");
}

async fn search_never_shows_customers_internal_notes_or_others_tickets(t: TestApp) {
    let desk = t.desk().await;
    let mine = t
        .ticket(
            &desk.customer,
            json!({"subject": "Laptop overheating", "description": "fan is loud"}),
        )
        .await;
    let other_customer = t.person("customer", None, &[], None).await;
    let theirs = t
        .ticket(
            &other_customer,
            json!({"subject": "Laptop overheating too"}),
        )
        .await;
    let events = format!("/api/v1/tickets/{}/events", mine["id"]);
    t.post(&events)
        .token(&desk.agent.token)
        .json(json!({"type": "note", "body": "suspect thermalpaste degradation"}))
        .send()
        .await
        .ok(201);
    t.post(&events)
        .token(&desk.agent.token)
        .json(json!({"type": "reply", "body": "please bring it to the desk for cleaning"}))
        .send()
        .await
        .ok(201);

    let customer = search(&t, &desk.customer, "q=laptop").await;
    assert_eq!(
        ids_of_kind(&customer, "ticket"),
        vec![mine["id"].as_i64().unwrap()]
    );
    let note = search(&t, &desk.customer, "q=thermalpaste").await;
    assert!(items(&note).is_empty(), "{note}");
    let reply = search(&t, &desk.customer, "q=cleaning").await;
    assert_eq!(
        ids_of_kind(&reply, "ticket"),
        vec![mine["id"].as_i64().unwrap()]
    );
    assert_eq!(items(&reply)[0]["snippet_source"], "public_reply");

    let agent = search(&t, &desk.supervisor, "q=thermalpaste").await;
    assert_eq!(
        ids_of_kind(&agent, "ticket"),
        vec![mine["id"].as_i64().unwrap()]
    );
    assert_eq!(items(&agent)[0]["snippet_source"], "internal_note");
    assert!(
        items(&agent)[0]["snippet_html"]
            .as_str()
            .unwrap()
            .contains("<mark>")
    );
    let all = search(&t, &desk.supervisor, "q=laptop&kind=ticket").await;
    assert_eq!(all["total"], 2);
    assert!(ids_of_kind(&all, "ticket").contains(&theirs["id"].as_i64().unwrap()));
    // People are for staff only.
    let people = search(&t, &desk.customer, "kind=person").await;
    assert!(items(&people).is_empty());
    let staff_people = search(&t, &desk.supervisor, "kind=person&limit=100").await;
    assert!(ids_of_kind(&staff_people, "person").contains(&desk.customer.id));
}

async fn search_filters_phrases_prefixes_and_typos(t: TestApp) {
    let desk = t.desk().await;
    let blue = t
        .ticket(
            &desk.customer,
            json!({"subject": "Blue screen after update", "description": "the screen turns blue"}),
        )
        .await;
    let printer = t
        .ticket(&desk.customer, json!({"subject": "Printer offline"}))
        .await;
    let phrase = search(&t, &desk.supervisor, "q=%22blue%20screen%22").await;
    assert_eq!(
        ids_of_kind(&phrase, "ticket"),
        vec![blue["id"].as_i64().unwrap()]
    );
    let prefix = search(&t, &desk.supervisor, "q=print*").await;
    assert_eq!(
        ids_of_kind(&prefix, "ticket"),
        vec![printer["id"].as_i64().unwrap()]
    );
    let typo = search(&t, &desk.supervisor, "q=printr").await;
    assert_eq!(
        ids_of_kind(&typo, "ticket"),
        vec![printer["id"].as_i64().unwrap()]
    );
    let open = search(&t, &desk.supervisor, "q=&kind=ticket&status=resolved").await;
    assert!(items(&open).is_empty());
    let new = search(&t, &desk.supervisor, "q=&kind=ticket&status=new").await;
    assert_eq!(new["total"], 2);
    let dated = search(
        &t,
        &desk.supervisor,
        "q=&kind=ticket&created_from=2030-01-01T00:00:00Z",
    )
    .await;
    assert!(items(&dated).is_empty());
    let grouped = search(
        &t,
        &desk.supervisor,
        &format!("q=&kind=ticket&group_id={}", desk.network),
    )
    .await;
    assert!(items(&grouped).is_empty());
}

async fn bad_search_parameters_are_refused(t: TestApp) {
    let desk = t.desk().await;
    for query in [
        "q=x&kind=invoice",
        "q=x&status=sleeping",
        "q=x&limit=0",
        "q=x&limit=101",
        "q=x&offset=10001",
        "q=x&created_from=yesterday",
        "q=x&colour=red",
    ] {
        t.get(&format!("/api/v1/search?{query}"))
            .token(&desk.agent.token)
            .send()
            .await
            .err(400, "invalid_query");
    }
    t.get("/api/v1/search?q=x")
        .send()
        .await
        .err(401, "unauthenticated");
}

async fn deflection_is_recorded_until_the_customer_submits(t: TestApp) {
    let desk = t.desk().await;
    let a = article(&t, &desk.agent, json!({"title": "Reset your password", "body": "Use the self-service page.", "status": "published"})).await;
    t.app.search().sync().await.unwrap();
    let suggestions = t
        .get("/api/v1/kb/suggestions?q=forgot%20my%20passw")
        .token(&desk.customer.token)
        .send()
        .await
        .ok(200);
    assert_eq!(items(&suggestions)[0]["id"], a["id"]);
    t.get("/api/v1/kb/suggestions?q=x&limit=50")
        .token(&desk.customer.token)
        .send()
        .await
        .err(400, "invalid_query");
    let path = format!("/api/v1/kb/articles/{}/deflections", a["id"]);
    for who in [&desk.customer, &desk.other_customer] {
        t.post(&path)
            .token(&who.token)
            .json(json!({"query": "forgot my passw"}))
            .send()
            .await
            .ok(204);
    }
    t.post(&path)
        .token(&desk.agent.token)
        .json(json!({}))
        .send()
        .await
        .err(403, "forbidden");
    let figures = t
        .get("/api/v1/kb/deflection")
        .token(&desk.supervisor.token)
        .send()
        .await
        .ok(200);
    assert_eq!(
        (figures["opened"].as_i64(), figures["deflected"].as_i64()),
        (Some(2), Some(2))
    );
    // The portal closes the record when the customer submits after all.
    let ticket = t
        .ticket(&desk.customer, json!({"subject": "Still locked out"}))
        .await;
    let customer = t
        .app
        .auth()
        .authenticate_token(&desk.customer.token)
        .await
        .unwrap();
    t.app
        .kb()
        .request_submitted(
            &customer,
            ferrodesk_domain::TicketId(ticket["id"].as_i64().unwrap()),
        )
        .await
        .unwrap();
    let figures = t
        .get("/api/v1/kb/deflection")
        .token(&desk.supervisor.token)
        .send()
        .await
        .ok(200);
    assert_eq!(
        (figures["opened"].as_i64(), figures["deflected"].as_i64()),
        (Some(2), Some(1))
    );
    t.get("/api/v1/kb/deflection")
        .token(&desk.customer.token)
        .send()
        .await
        .err(403, "forbidden");
}

async fn article_solves_a_ticket_and_a_resolved_ticket_drafts_an_article(t: TestApp) {
    let desk = t.desk().await;
    let a = article(&t, &desk.agent, json!({"title": "Outlook keeps crashing", "body": "Disable the add-in.", "status": "published"})).await;
    let old = t.ticket(&desk.customer, json!({"subject": "Outlook crashing on start", "description": "outlook crashes every morning"})).await;
    let old_path = format!("/api/v1/tickets/{}", old["id"]);
    t.post(&format!("{old_path}/events"))
        .token(&desk.supervisor.token)
        .json(json!({"type": "reply", "body": "Disabled the PDF add-in; it works now."}))
        .send()
        .await
        .ok(201);
    t.app.search().sync().await.unwrap();
    t.get(&format!("{old_path}/article-draft"))
        .token(&desk.supervisor.token)
        .send()
        .await
        .err(422, "invalid_value");
    t.post(&format!("{old_path}/transition"))
        .token(&desk.supervisor.token)
        .json(json!({"status": "resolved"}))
        .send()
        .await
        .ok(200);
    let draft = t
        .get(&format!("{old_path}/article-draft"))
        .token(&desk.supervisor.token)
        .send()
        .await
        .ok(200);
    assert_eq!(draft["title"], "Outlook crashing on start");
    assert!(
        draft["body"]
            .as_str()
            .unwrap()
            .contains("Disabled the PDF add-in"),
        "{draft}"
    );
    assert_eq!(draft["visibility"], "internal");

    let new = t
        .ticket(
            &desk.customer,
            json!({"subject": "Outlook crashing again", "description": "outlook crashes"}),
        )
        .await;
    let new_path = format!("/api/v1/tickets/{}", new["id"]);
    t.app.search().sync().await.unwrap();
    let suggestions = t
        .get(&format!("{new_path}/suggestions"))
        .token(&desk.supervisor.token)
        .send()
        .await
        .ok(200);
    assert_eq!(suggestions["articles"][0]["id"], a["id"], "{suggestions}");
    assert_eq!(
        suggestions["similar_tickets"][0]["id"], old["id"],
        "{suggestions}"
    );
    assert!(
        suggestions["similar_tickets"][0]["resolution"]
            .as_str()
            .unwrap()
            .contains("PDF add-in")
    );
    t.get(&format!("{new_path}/suggestions"))
        .token(&desk.customer.token)
        .send()
        .await
        .err(403, "forbidden");

    let linked = t
        .post(&format!("{new_path}/articles"))
        .token(&desk.supervisor.token)
        .json(json!({"article_id": a["id"]}))
        .send()
        .await
        .ok(201);
    assert_eq!(linked["type"], "article_linked");
    assert_eq!(linked["visibility"], "public");
    t.post(&format!("{new_path}/articles"))
        .token(&desk.supervisor.token)
        .json(json!({"article_id": 999_999}))
        .send()
        .await
        .err(404, "article_not_found");
    t.post(&format!("{new_path}/articles"))
        .token(&desk.customer.token)
        .json(json!({"article_id": a["id"]}))
        .send()
        .await
        .err(403, "forbidden");
    let timeline = t
        .get(&format!("{new_path}/events"))
        .token(&desk.customer.token)
        .send()
        .await
        .ok(200);
    assert!(
        items(&timeline)
            .iter()
            .any(|e| e["type"] == "article_linked" && e["title"] == "Outlook keeps crashing")
    );
}

/// A PNG's signature and the start of its header: enough to be recognized as one.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";

async fn article_images_are_served_to_readers_while_the_body_shows_them(t: TestApp) {
    let desk = t.desk().await;
    let public = article(
        &t,
        &desk.agent,
        json!({"title": "Clearing a paper jam", "body": "Open tray 2.", "status": "published"}),
    )
    .await;
    let internal = article(
        &t,
        &desk.agent,
        json!({"title": "Fuser reset", "body": "Service mode.", "status": "published", "visibility": "internal"}),
    )
    .await;
    let upload = |id: &Value, who: &Person, bytes: &[u8]| {
        t.post(&format!(
            "/api/v1/kb/articles/{id}/images?filename=tray.png"
        ))
        .token(&who.token)
        .raw("image/png", bytes.to_vec())
    };
    // Customers add nothing; text is not an image; an SVG (script-capable) neither.
    upload(&public["id"], &desk.customer, PNG)
        .send()
        .await
        .err(403, "forbidden");
    upload(&public["id"], &desk.agent, b"just text")
        .send()
        .await
        .err(422, "invalid_value");
    upload(
        &public["id"],
        &desk.agent,
        b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
    )
    .send()
    .await
    .err(422, "invalid_value");
    t.post("/api/v1/kb/articles/999999/images?filename=a.png")
        .token(&desk.agent.token)
        .raw("image/png", PNG.to_vec())
        .send()
        .await
        .err(404, "article_not_found");

    let image = upload(&public["id"], &desk.agent, PNG).send().await.ok(201);
    assert_eq!(image["content_type"], "image/png");
    let url = image["url"].as_str().unwrap().to_owned();
    assert_eq!(image["markdown"], format!("![tray]({url})"));
    // Not shown by the body yet: not served.
    t.get(&url)
        .token(&desk.agent.token)
        .send()
        .await
        .err(404, "image_not_found");

    let id = public["id"].as_i64().unwrap();
    t.patch(&format!("/api/v1/kb/articles/{id}"))
        .token(&desk.agent.token)
        .json(json!({"body": format!("Open tray 2.\n\n{}", image["markdown"].as_str().unwrap())}))
        .send()
        .await
        .ok(200);
    let served = t.get(&url).token(&desk.customer.token).send().await;
    assert_eq!(served.status, 200, "{}", served.text);
    assert_eq!(served.header("content-type"), Some("image/png"));
    assert_eq!(served.header("x-content-type-options"), Some("nosniff"));
    let rendered = t
        .get(&format!("/api/v1/kb/articles/{id}"))
        .token(&desk.customer.token)
        .send()
        .await
        .ok(200);
    assert!(
        rendered
            .to_string()
            .contains(&format!("<img src=\\\"{url}\\\"")),
        "{rendered}"
    );

    // The internal article's image never reaches a customer.
    let inner = upload(&internal["id"], &desk.agent, PNG)
        .send()
        .await
        .ok(201);
    let inner_id = internal["id"].as_i64().unwrap();
    t.patch(&format!("/api/v1/kb/articles/{inner_id}"))
        .token(&desk.agent.token)
        .json(json!({"body": inner["markdown"]}))
        .send()
        .await
        .ok(200);
    let inner_url = inner["url"].as_str().unwrap();
    t.get(inner_url)
        .token(&desk.customer.token)
        .send()
        .await
        .err(404, "article_not_found");
    t.get(inner_url)
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    t.get(&format!("/api/v1/kb/articles/{id}/images/not-a-hash"))
        .token(&desk.agent.token)
        .send()
        .await
        .err(404, "image_not_found");
}
