//! Changing one's own password, and renaming and deleting categories.

use crate::support::TestApp;
use serde_json::json;

backend_tests!(
    a_password_change_needs_the_current_one_and_ends_other_sessions,
    categories_are_renamed_and_deleted_only_when_unused,
);

const PASSWORD: &str = "correct horse battery";

fn session_of(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_owned()
}

async fn a_password_change_needs_the_current_one_and_ends_other_sessions(t: TestApp) {
    let agent = t
        .person_with_password("agent", Some(1), &[], None, Some(PASSWORD))
        .await;
    let mut cookies = Vec::new();
    for _ in 0..2 {
        let response = t
            .post("/api/v1/auth/login")
            .json(json!({"email": agent.email, "password": PASSWORD}))
            .send()
            .await;
        cookies.push(session_of(response.header("set-cookie").unwrap()));
    }
    let change = |body| {
        t.post("/api/v1/me/password")
            .header("cookie", &cookies[0])
            .header("sec-fetch-site", "same-origin")
            .json(body)
    };
    let wrong = change(json!({"current_password": "guess", "new_password": "a brand new secret"}))
        .send()
        .await
        .err(422, "invalid_value");
    assert_eq!(wrong["error"]["field"], "current_password");
    let short = change(json!({"current_password": PASSWORD, "new_password": "short"}))
        .send()
        .await
        .err(422, "invalid_value");
    assert_eq!(short["error"]["field"], "new_password");
    change(json!({"current_password": PASSWORD, "new_password": PASSWORD}))
        .send()
        .await
        .err(422, "invalid_value");
    t.post("/api/v1/me/password")
        .header("cookie", &cookies[0])
        .header("sec-fetch-site", "same-origin")
        .raw("application/json", "{")
        .send()
        .await
        .err(400, "malformed_json");
    change(json!({"current_password": PASSWORD}))
        .send()
        .await
        .err(422, "invalid_body");
    // Nothing changed so far: both sessions work and the old password signs in.
    for cookie in &cookies {
        t.get("/api/v1/users/me")
            .header("cookie", cookie)
            .send()
            .await
            .ok(200);
    }

    let changed =
        change(json!({"current_password": PASSWORD, "new_password": "a brand new secret"}))
            .send()
            .await
            .ok(200);
    assert_eq!(changed["sessions_ended"], 1);
    t.get("/api/v1/users/me")
        .header("cookie", &cookies[0])
        .send()
        .await
        .ok(200);
    t.get("/api/v1/users/me")
        .header("cookie", &cookies[1])
        .send()
        .await
        .err(401, "unauthenticated");
    t.post("/api/v1/auth/login")
        .json(json!({"email": agent.email, "password": PASSWORD}))
        .send()
        .await
        .err(401, "unauthenticated");
    t.post("/api/v1/auth/login")
        .json(json!({"email": agent.email, "password": "a brand new secret"}))
        .send()
        .await
        .ok(200);
    // With a token, every session ends.
    let with_token = t
        .post("/api/v1/me/password")
        .token(&agent.token)
        .json(json!({"current_password": "a brand new secret", "new_password": "another long secret"}))
        .send()
        .await
        .ok(200);
    assert_eq!(with_token["sessions_ended"], 2);
    t.post("/api/v1/me/password")
        .json(json!({"current_password": "x", "new_password": "y"}))
        .send()
        .await
        .err(401, "unauthenticated");
}

async fn categories_are_renamed_and_deleted_only_when_unused(t: TestApp) {
    let desk = t.desk().await;
    let create = |name: &str, parent: Option<i64>| {
        t.post("/api/v1/categories")
            .token(&desk.admin.token)
            .json(json!({"name": name, "parent_id": parent}))
    };
    let hardware = create("Hardware", None).send().await.ok(201);
    let printer = create("Printer", hardware["id"].as_i64())
        .send()
        .await
        .ok(201);
    create("Scanner", hardware["id"].as_i64())
        .send()
        .await
        .ok(201);
    let path = |c: &serde_json::Value| format!("/api/v1/categories/{}", c["id"]);

    let renamed = t
        .patch(&path(&printer))
        .token(&desk.admin.token)
        .json(json!({"name": "Printers"}))
        .send()
        .await
        .ok(200);
    assert_eq!(renamed["path"], json!(["Hardware", "Printers"]));
    t.patch(&path(&printer))
        .token(&desk.admin.token)
        .json(json!({"name": "Scanner"}))
        .send()
        .await
        .err(409, "name_taken");
    t.patch(&path(&printer))
        .token(&desk.agent.token)
        .json(json!({"name": "Mine"}))
        .send()
        .await
        .err(403, "forbidden");
    let blank = t
        .patch(&path(&printer))
        .token(&desk.admin.token)
        .json(json!({"name": "  "}))
        .send()
        .await
        .err(422, "invalid_value");
    assert_eq!(blank["error"]["field"], "name");
    t.patch(&path(&printer))
        .token(&desk.admin.token)
        .raw("application/json", "{")
        .send()
        .await
        .err(400, "malformed_json");
    t.patch("/api/v1/categories/999999")
        .token(&desk.admin.token)
        .json(json!({"name": "Ghost"}))
        .send()
        .await
        .err(404, "category_not_found");

    // In use by a ticket, or with children: refused.
    t.ticket(
        &desk.agent,
        json!({"subject": "Paper jam", "category_id": printer["id"]}),
    )
    .await;
    let used = t
        .delete(&path(&printer))
        .token(&desk.admin.token)
        .send()
        .await
        .err(409, "category_in_use");
    assert!(!used["error"]["message"].as_str().unwrap().is_empty());
    t.delete(&path(&hardware))
        .token(&desk.admin.token)
        .send()
        .await
        .err(409, "category_in_use");
    t.delete(&path(&printer))
        .token(&desk.agent.token)
        .send()
        .await
        .err(403, "forbidden");
    let unused = create("Fax", None).send().await.ok(201);
    let gone = t
        .delete(&path(&unused))
        .token(&desk.admin.token)
        .send()
        .await;
    assert_eq!(gone.status, 204);
    t.get(&path(&unused))
        .token(&desk.admin.token)
        .send()
        .await
        .err(404, "category_not_found");
    t.delete(&path(&unused))
        .token(&desk.admin.token)
        .send()
        .await
        .err(404, "category_not_found");
}
