//! End-to-end tests of the `ferrodesk` binary: the real executable, started the way
//! the README says, driven over HTTP on 127.0.0.1 and stopped with real signals.

#![allow(clippy::unwrap_used)] // tests may unwrap (docs/STYLE.md, "Errors")

mod api_fuzz;
mod channels;
mod desk;
mod mail;
mod mailio;
mod vendors;

use desk::{Backend, Desk, cli};
use serde_json::{Value, json};
use std::collections::BTreeSet;

#[tokio::test]
async fn fresh_desk_prints_first_admin_once_and_answers_healthz() {
    let Some(backend) = Backend::sqlite() else {
        return;
    };
    let desk = Desk::start(&backend, &[]).await;
    let admin = desk
        .admin
        .clone()
        .expect("first start prints the admin login");
    assert!(admin.0.contains('@'));
    assert!(admin.1.len() >= 12, "the generated password is long");
    let health = desk.client.get(desk.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    // The browser UI and the API are served by the same binary on the same port.
    let sign_in = desk.client.get(desk.url("/login")).send().await.unwrap();
    assert_eq!(sign_in.status(), 200);
    assert!(
        sign_in.text().await.unwrap().contains("<form"),
        "the sign-in page has a form"
    );
    let openapi = desk
        .client
        .get(desk.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(openapi.status(), 200);
    let status = desk.stop().await;
    assert!(
        status.success(),
        "SIGTERM ends the desk cleanly: {status:?}"
    );

    let again = Desk::start(&backend, &[]).await;
    assert!(
        again.admin.is_none(),
        "the admin login is printed only once"
    );
    again.stop().await;
}

#[tokio::test]
async fn cli_token_drives_the_ticket_api_on_sqlite() {
    if let Some(backend) = Backend::sqlite() {
        ticket_flow_through_the_api(backend).await;
    }
}

#[tokio::test]
async fn cli_token_drives_the_ticket_api_on_postgres() {
    if let Some(backend) = Backend::postgres().await {
        ticket_flow_through_the_api(backend).await;
    }
}

/// The "must show": a token from `ferrodesk tokens create` creates, lists,
/// transitions, splits and reads back a ticket with its timeline.
async fn ticket_flow_through_the_api(backend: Backend) {
    let desk = Desk::start(&backend, &[]).await;
    let (admin_email, _) = desk.admin.clone().expect("admin printed");
    let token = cli(
        &backend,
        &["tokens", "create", "--email", &admin_email],
        None,
    );
    assert!(
        token.status.success(),
        "tokens create failed: {}",
        token.stderr
    );
    let token = token.stdout.trim().to_owned();

    let created: Value = desk
        .post(
            &token,
            "/api/v1/tickets",
            json!({
                "subject": "Printer on floor 3 jams and VPN drops",
                "description": "Two problems in one call",
                "impact": "department",
                "urgency": "high",
            }),
        )
        .await
        .expect_status(201)
        .json();
    let id = created["id"].as_i64().expect("ticket id");
    assert!(id >= 10001, "ticket numbers start at 10001");
    assert_eq!(created["priority"], "p2", "department × high is P2");

    let listed: Value = desk
        .get(&token, "/api/v1/tickets?status=new")
        .await
        .expect_status(200)
        .json();
    assert!(
        listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == id)
    );

    desk.post(
        &token,
        &format!("/api/v1/tickets/{id}/transition"),
        json!({"status": "open"}),
    )
    .await
    .expect_status(200);
    let refused = desk
        .post(
            &token,
            &format!("/api/v1/tickets/{id}/transition"),
            json!({"status": "new"}),
        )
        .await
        .expect_status(409)
        .json();
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("resolved")
    );

    let split: Value = desk
        .post(&token, &format!("/api/v1/tickets/{id}/split"), json!({
            "parts": [{"subject": "VPN drops every five minutes", "description": "Split from the printer call"}]
        }))
        .await
        .expect_status(201)
        .json();
    let part = split["tickets"][0]["id"].as_i64().expect("split part id");

    let timeline: Value = desk
        .get(&token, &format!("/api/v1/tickets/{id}/events"))
        .await
        .expect_status(200)
        .json();
    let kinds: Vec<&str> = timeline["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["type"].as_str())
        .collect();
    assert!(kinds.contains(&"created"), "{kinds:?}");
    assert!(kinds.contains(&"status_changed"), "{kinds:?}");
    assert!(kinds.contains(&"split_into"), "{kinds:?}");
    let part_view: Value = desk
        .get(&token, &format!("/api/v1/tickets/{part}"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(part_view["subject"], "VPN drops every five minutes");
    desk.stop().await;
}

#[tokio::test]
async fn acknowledged_tickets_survive_kill_9() {
    let Some(backend) = Backend::sqlite() else {
        return;
    };
    let desk = Desk::start(&backend, &[]).await;
    let token = desk.admin_token(&backend);
    let mut tasks = Vec::new();
    for worker in 0..16 {
        let client = desk.client.clone();
        let url = desk.url("/api/v1/tickets");
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for n in 0..25 {
                let response = client
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&json!({"subject": format!("Crash test {worker}-{n}"), "impact": "individual", "urgency": "low"}))
                    .send()
                    .await;
                if let Ok(response) = response
                    && response.status() == 201
                    && let Ok(body) = response.json::<Value>().await
                    && let Some(id) = body["id"].as_i64()
                {
                    ids.push(id);
                }
            }
            ids
        }));
    }
    let mut acknowledged = Vec::new();
    for task in tasks {
        acknowledged.extend(task.await.unwrap());
    }
    // SIGKILL right after the last answer: no chance to flush anything.
    desk.kill_9();
    assert_eq!(acknowledged.len(), 400, "every create was answered 201");

    let desk = Desk::start(&backend, &[]).await;
    let mut missing = Vec::new();
    for id in &acknowledged {
        let status = desk
            .get(&token, &format!("/api/v1/tickets/{id}"))
            .await
            .status;
        if status != 200 {
            missing.push(*id);
        }
    }
    assert!(
        missing.is_empty(),
        "acknowledged tickets lost after kill -9: {missing:?}"
    );
    desk.stop().await;
}

#[tokio::test]
async fn sigterm_lets_requests_in_flight_finish() {
    let Some(backend) = Backend::sqlite() else {
        return;
    };
    let desk = Desk::start(&backend, &[]).await;
    let token = desk.admin_token(&backend);
    let mut tasks = Vec::new();
    for n in 0..64 {
        let client = desk.client.clone();
        let url = desk.url("/api/v1/tickets");
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            let response = client
                .post(&url)
                .bearer_auth(&token)
                .json(&json!({"subject": format!("In flight {n}"), "impact": "individual", "urgency": "low"}))
                .send()
                .await
                .ok()?;
            let status = response.status().as_u16();
            let body: Value = response.json().await.ok()?;
            Some((status, body["id"].as_i64()))
        }));
    }
    desk.signal("TERM");
    let mut answered = BTreeSet::new();
    for task in tasks {
        if let Some((status, id)) = task.await.unwrap() {
            assert_eq!(
                status, 201,
                "a request that got an answer during shutdown succeeded"
            );
            answered.insert(id.expect("201 carries an id"));
        }
    }
    let status = desk.wait().await;
    assert!(status.success(), "graceful shutdown exits 0: {status:?}");

    let desk = Desk::start(&backend, &[]).await;
    for id in answered {
        assert_eq!(
            desk.get(&token, &format!("/api/v1/tickets/{id}"))
                .await
                .status,
            200,
            "ticket {id}"
        );
    }
    desk.stop().await;
}

#[tokio::test]
async fn users_add_reads_the_password_from_stdin_and_the_person_can_sign_in() {
    let Some(backend) = Backend::sqlite() else {
        return;
    };
    let added = cli(
        &backend,
        &[
            "users",
            "add",
            "--email",
            "kari@example.com",
            "--name",
            "Kari Nordmann",
            "--role",
            "agent",
            "--tier",
            "1",
            "--password-stdin",
        ],
        Some("correct horse battery staple\n"),
    );
    assert!(added.status.success(), "users add failed: {}", added.stderr);
    let desk = Desk::start(&backend, &[]).await;
    let good = desk
        .client
        .post(desk.url("/api/v1/auth/login"))
        .json(&json!({"email": "kari@example.com", "password": "correct horse battery staple"}))
        .send()
        .await
        .unwrap();
    assert_eq!(good.status(), 200);
    let cookie = good
        .headers()
        .get("set-cookie")
        .expect("session cookie")
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite"), "{cookie}");
    let bad = desk
        .client
        .post(desk.url("/api/v1/auth/login"))
        .json(&json!({"email": "kari@example.com", "password": "wrong"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);

    let duplicate = cli(
        &backend,
        &[
            "users",
            "add",
            "--email",
            "kari@example.com",
            "--name",
            "Kari again",
            "--role",
            "agent",
            "--password-stdin",
        ],
        Some("another password\n"),
    );
    assert!(
        !duplicate.status.success(),
        "a second person with the same email is refused"
    );
    assert!(duplicate.stderr.contains("email"), "{}", duplicate.stderr);
    desk.stop().await;
}

#[tokio::test]
async fn an_unknown_database_url_is_refused_before_anything_starts() {
    let Some(backend) = Backend::sqlite() else {
        return;
    };
    let out = cli(
        &backend,
        &["--database", "mysql://localhost/desk", "migrate"],
        None,
    );
    assert!(!out.status.success());
    assert!(out.stderr.contains("postgres://"), "{}", out.stderr);
}

#[tokio::test]
async fn demo_fills_an_empty_desk_with_tickets_in_every_status() {
    let Some(backend) = Backend::sqlite() else {
        return;
    };
    let desk = Desk::start(&backend, &["--demo"]).await;
    let token = desk.admin_token(&backend);
    let mut statuses = BTreeSet::new();
    let mut cursor: Option<String> = None;
    let mut total = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/tickets?limit=200&cursor={c}"),
            None => "/api/v1/tickets?limit=200".to_owned(),
        };
        let page: Value = desk.get(&token, &path).await.expect_status(200).json();
        for ticket in page["items"].as_array().unwrap() {
            statuses.insert(ticket["status"].as_str().unwrap().to_owned());
            total += 1;
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert!(total >= 300, "a few hundred tickets, got {total}");
    for status in [
        "new",
        "open",
        "pending_customer",
        "pending_vendor",
        "resolved",
        "closed",
    ] {
        assert!(
            statuses.contains(status),
            "no {status} ticket in {statuses:?}"
        );
    }
    desk.stop().await;
    let again = Desk::start(&backend, &["--demo"]).await;
    assert!(
        again.stdout_contains("already has tickets"),
        "--demo never adds to a desk with data"
    );
    again.stop().await;
}

mod bench_smoke {
    //! A small run of the bench tool, so it cannot rot. It asserts that every scenario
    //! ran and succeeded, never a time.

    use std::time::Duration;

    #[tokio::test]
    async fn every_bench_scenario_runs_against_a_small_desk() {
        let data = tempfile::tempdir().unwrap();
        let options = ferrodesk_bench::BenchOptions {
            tickets: 300,
            data_dir: data.path().to_owned(),
            database: None,
            server_binary: env!("CARGO_BIN_EXE_ferrodesk").into(),
            duration: Duration::from_secs(30),
            max_requests: 20,
            only: vec![],
        };
        let report = ferrodesk_bench::run(&options).await.expect("bench run");
        assert_eq!(report.tickets, 300);
        assert_eq!(
            report.scenarios.len(),
            // the HTTP scenarios plus the in-process mail intake
            ferrodesk_bench::scenarios::all().len() + 1
        );
        for scenario in &report.scenarios {
            assert_eq!(
                scenario.requests, 20,
                "{} did not run all its requests",
                scenario.name
            );
            assert_eq!(scenario.errors, 0, "{} had failing requests", scenario.name);
        }
        assert!(
            report.process.idle_rss_mb > 0.0,
            "memory is read from /proc"
        );
        assert!(report.to_markdown().contains("queue listing"));
    }
}
