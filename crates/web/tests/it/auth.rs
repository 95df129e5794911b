//! Sign-in, sessions, CSRF, throttling, tokens and the audit log.

use crate::support::TestApp;
use ferrodesk_web::WebConfig;
use serde_json::{Value, json};

backend_tests!(
    sign_in_sets_a_safe_cookie_that_works_until_sign_out,
    cookie_is_secure_behind_tls,
    cross_site_cookie_requests_are_refused,
    repeated_failures_throttle_sign_in_per_account_and_address,
    missing_and_bad_credentials_are_401,
    admins_manage_tokens_and_others_may_not,
    audit_log_records_security_events_for_admins_only,
    first_admin_is_created_once,
);

const PASSWORD: &str = "correct horse battery";

fn session_of(set_cookie: &str) -> String {
    let pair = set_cookie.split(';').next().unwrap();
    assert!(pair.starts_with("ferrodesk_session="), "{set_cookie}");
    pair.to_owned()
}

async fn sign_in_sets_a_safe_cookie_that_works_until_sign_out(t: TestApp) {
    let agent = t
        .person_with_password("agent", Some(1), &[], None, Some(PASSWORD))
        .await;
    let response = t
        .post("/api/v1/auth/login")
        .json(json!({"email": agent.email, "password": PASSWORD}))
        .send()
        .await;
    let set_cookie = response.header("set-cookie").unwrap().to_owned();
    let body = response.ok(200);
    assert_eq!(body["user"]["id"], agent.id);
    assert!(body["expires_at"].is_string());
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    assert!(set_cookie.contains("Path=/"), "{set_cookie}");
    assert!(set_cookie.contains("Max-Age=43200"), "{set_cookie}");
    assert!(!set_cookie.contains("Secure"), "{set_cookie}");
    let cookie = session_of(&set_cookie);

    let me = t
        .get("/api/v1/users/me")
        .header("cookie", &cookie)
        .send()
        .await
        .ok(200);
    assert_eq!(me["email"], agent.email);
    // A state change from the desk's own page works with the cookie.
    t.post("/api/v1/tickets")
        .header("cookie", &cookie)
        .header("sec-fetch-site", "same-origin")
        .json(json!({"subject": "From the browser"}))
        .send()
        .await
        .ok(201);

    let out = t
        .post("/api/v1/auth/logout")
        .header("cookie", &cookie)
        .send()
        .await;
    assert_eq!(out.status, 204);
    assert!(out.header("set-cookie").unwrap().contains("Max-Age=0"));
    t.get("/api/v1/users/me")
        .header("cookie", &cookie)
        .send()
        .await
        .err(401, "unauthenticated");

    // Sessions end by themselves after 12 hours.
    let again = t
        .post("/api/v1/auth/login")
        .json(json!({"email": agent.email, "password": PASSWORD}))
        .send()
        .await;
    let cookie = session_of(again.header("set-cookie").unwrap());
    t.get("/api/v1/users/me")
        .header("cookie", &cookie)
        .send()
        .await
        .ok(200);
    t.clock.advance(jiff::SignedDuration::from_hours(13));
    t.get("/api/v1/users/me")
        .header("cookie", &cookie)
        .send()
        .await
        .err(401, "unauthenticated");
}

async fn cookie_is_secure_behind_tls(t: TestApp) {
    let agent = t
        .person_with_password("agent", Some(1), &[], None, Some(PASSWORD))
        .await;
    let behind_proxy = t
        .post("/api/v1/auth/login")
        .header("x-forwarded-proto", "https")
        .json(json!({"email": agent.email, "password": PASSWORD}))
        .send()
        .await;
    assert!(
        behind_proxy
            .header("set-cookie")
            .unwrap()
            .contains("; Secure")
    );
    let t = t.with_web_config(WebConfig {
        secure_cookies: true,
        ..WebConfig::default()
    });
    let configured = t
        .post("/api/v1/auth/login")
        .json(json!({"email": agent.email, "password": PASSWORD}))
        .send()
        .await;
    assert!(
        configured
            .header("set-cookie")
            .unwrap()
            .contains("; Secure")
    );
}

async fn cross_site_cookie_requests_are_refused(t: TestApp) {
    let desk = t.desk().await;
    let agent = t
        .person_with_password("agent", Some(1), &["Service Desk"], None, Some(PASSWORD))
        .await;
    let login = t
        .post("/api/v1/auth/login")
        .json(json!({"email": agent.email, "password": PASSWORD}))
        .send()
        .await;
    let cookie = session_of(login.header("set-cookie").unwrap());
    let body = json!({"subject": "Forged"});
    t.post("/api/v1/tickets")
        .header("cookie", &cookie)
        .header("sec-fetch-site", "cross-site")
        .json(body.clone())
        .send()
        .await
        .err(403, "cross_site_request");
    t.post("/api/v1/tickets")
        .header("cookie", &cookie)
        .header("host", "desk.example.com")
        .header("origin", "https://evil.example.net")
        .json(body.clone())
        .send()
        .await
        .err(403, "cross_site_request");
    assert_eq!(t.ticket_count(&desk.admin).await, 0);
    // Reads are not state changes; bearer tokens are exempt.
    t.get("/api/v1/users/me")
        .header("cookie", &cookie)
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .ok(200);
    t.post("/api/v1/tickets")
        .token(&desk.agent.token)
        .header("sec-fetch-site", "cross-site")
        .json(body.clone())
        .send()
        .await
        .ok(201);
    // Same origin by Origin and Host when no Fetch Metadata is sent.
    t.post("/api/v1/tickets")
        .header("cookie", &cookie)
        .header("host", "desk.example.com")
        .header("origin", "https://desk.example.com")
        .json(body)
        .send()
        .await
        .ok(201);
    // Signing in from another site is refused too.
    t.post("/api/v1/auth/login")
        .header("sec-fetch-site", "cross-site")
        .json(json!({"email": agent.email, "password": PASSWORD}))
        .send()
        .await
        .err(403, "cross_site_request");
}

async fn repeated_failures_throttle_sign_in_per_account_and_address(t: TestApp) {
    let agent = t
        .person_with_password("agent", Some(1), &[], None, Some(PASSWORD))
        .await;
    // Every test request comes from 127.0.0.1.
    let login = |email: String, password: &'static str| {
        t.post("/api/v1/auth/login")
            .json(json!({"email": email, "password": password}))
            .send()
    };
    for _ in 0..5 {
        login(agent.email.clone(), "wrong password")
            .await
            .err(401, "unauthenticated");
    }
    // The sixth try is refused even with the right password.
    let throttled = login(agent.email.clone(), PASSWORD).await;
    assert_eq!(throttled.header("retry-after"), Some("900"));
    throttled.err(429, "too_many_attempts");
    // Unknown accounts fail the same way.
    let unknown = login("nobody@example.com".into(), "x")
        .await
        .err(401, "unauthenticated");
    assert_eq!(unknown["error"]["message"], "email or password is wrong");

    // After the window the right password works again, and clears the account's count.
    t.clock.advance(jiff::SignedDuration::from_mins(16));
    login(agent.email.clone(), PASSWORD).await.ok(200);

    // Per address: 20 failures across many accounts block the address.
    t.clock.advance(jiff::SignedDuration::from_mins(16));
    for i in 0..20 {
        login(format!("guess{i}@example.com"), "x")
            .await
            .err(401, "unauthenticated");
    }
    login(agent.email.clone(), PASSWORD)
        .await
        .err(429, "too_many_attempts");
}

async fn missing_and_bad_credentials_are_401(t: TestApp) {
    let desk = t.desk().await;
    let missing = t.get("/api/v1/tickets").send().await;
    assert!(missing.header("www-authenticate").is_some());
    missing.err(401, "unauthenticated");
    t.get("/api/v1/tickets")
        .token("fd_not-a-real-token")
        .send()
        .await
        .err(401, "unauthenticated");
    t.get("/api/v1/tickets")
        .header("authorization", "Basic dXNlcjpwYXNz")
        .send()
        .await
        .err(401, "unauthenticated");
    t.get("/api/v1/tickets")
        .header("cookie", "ferrodesk_session=forged")
        .send()
        .await
        .err(401, "unauthenticated");
    // A deactivated person's token stops working at once.
    t.patch(&format!("/api/v1/users/{}", desk.customer.id))
        .token(&desk.admin.token)
        .json(json!({"is_active": false}))
        .send()
        .await
        .ok(200);
    t.get("/api/v1/users/me")
        .token(&desk.customer.token)
        .send()
        .await
        .err(401, "unauthenticated");
}

async fn admins_manage_tokens_and_others_may_not(t: TestApp) {
    let desk = t.desk().await;
    let created = t
        .post("/api/v1/tokens")
        .token(&desk.admin.token)
        .json(json!({"user_id": desk.agent.id, "name": "monitoring"}))
        .send()
        .await
        .ok(201);
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("fd_"));
    assert_eq!(created["token"]["user_id"], desk.agent.id);
    let me = t
        .get("/api/v1/users/me")
        .token(&secret)
        .send()
        .await
        .ok(200);
    assert_eq!(me["id"], desk.agent.id);

    let listed = t
        .get(&format!("/api/v1/tokens?user_id={}", desk.agent.id))
        .token(&desk.admin.token)
        .send()
        .await
        .ok(200);
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(
        !listed.to_string().contains(&secret),
        "secrets are shown once"
    );

    let id = created["token"]["id"].as_i64().unwrap();
    let revoked = t
        .delete(&format!("/api/v1/tokens/{id}"))
        .token(&desk.admin.token)
        .send()
        .await
        .ok(200);
    assert!(revoked["revoked_at"].is_string());
    t.get("/api/v1/users/me")
        .token(&secret)
        .send()
        .await
        .err(401, "unauthenticated");
    // Revoking again is fine.
    t.post(&format!("/api/v1/tokens/{id}/revoke"))
        .token(&desk.admin.token)
        .send()
        .await
        .ok(200);
    t.delete("/api/v1/tokens/999999")
        .token(&desk.admin.token)
        .send()
        .await
        .err(404, "token_not_found");

    for who in [&desk.agent, &desk.supervisor, &desk.customer] {
        t.post("/api/v1/tokens")
            .token(&who.token)
            .json(json!({"user_id": who.id, "name": "mine"}))
            .send()
            .await
            .err(403, "forbidden");
        t.get("/api/v1/tokens")
            .token(&who.token)
            .send()
            .await
            .err(403, "forbidden");
    }
    t.post("/api/v1/tokens")
        .token(&desk.admin.token)
        .json(json!({"user_id": 999999, "name": "ghost"}))
        .send()
        .await
        .err(404, "user_not_found");
    t.post("/api/v1/tokens")
        .token(&desk.admin.token)
        .json(
            json!({"user_id": desk.agent.id, "name": "old", "expires_at": "2020-01-01T00:00:00Z"}),
        )
        .send()
        .await
        .err(422, "invalid_value");
}

async fn audit_log_records_security_events_for_admins_only(t: TestApp) {
    let desk = t.desk().await;
    let agent = t
        .person_with_password("agent", Some(1), &[], None, Some(PASSWORD))
        .await;
    t.post("/api/v1/auth/login")
        .json(json!({"email": agent.email, "password": "nope"}))
        .send()
        .await
        .err(401, "unauthenticated");
    t.post("/api/v1/auth/login")
        .json(json!({"email": agent.email, "password": PASSWORD}))
        .send()
        .await
        .ok(200);
    t.patch(&format!("/api/v1/users/{}", agent.id))
        .token(&desk.admin.token)
        .json(json!({"role": "supervisor"}))
        .send()
        .await
        .ok(200);
    t.post("/api/v1/tokens")
        .token(&desk.admin.token)
        .json(json!({"user_id": agent.id, "name": "ci"}))
        .send()
        .await
        .ok(201);

    let mut actions: Vec<String> = Vec::new();
    let mut path = "/api/v1/audit?limit=5".to_owned();
    loop {
        let page = t.get(&path).token(&desk.admin.token).send().await.ok(200);
        actions.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["action"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/audit?limit=5&cursor={cursor}"),
            None => break,
        }
    }
    for action in [
        "user_created",
        "token_created",
        "login_failed",
        "login",
        "role_changed",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} missing from {actions:?}"
        );
    }
    // Newest first.
    assert_eq!(actions[0], "token_created");
    let role_change = t
        .get("/api/v1/audit?limit=200")
        .token(&desk.admin.token)
        .send()
        .await
        .ok(200);
    let entry: &Value = role_change["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "role_changed")
        .unwrap();
    assert_eq!(entry["actor_id"], desk.admin.id);
    assert_eq!(entry["detail"], "agent -> supervisor");
    for who in [&desk.agent, &desk.supervisor, &desk.customer] {
        t.get("/api/v1/audit")
            .token(&who.token)
            .send()
            .await
            .err(403, "forbidden");
    }
}

async fn first_admin_is_created_once(t: TestApp) {
    let first = t
        .app
        .ensure_first_admin()
        .await
        .unwrap()
        .expect("an empty desk gets an admin");
    assert!(first.password.len() >= 20);
    assert!(t.app.ensure_first_admin().await.unwrap().is_none());
    let login = t
        .post("/api/v1/auth/login")
        .json(json!({"email": first.email.as_str(), "password": first.password}))
        .send()
        .await
        .ok(200);
    assert_eq!(login["user"]["role"], "admin");
}
