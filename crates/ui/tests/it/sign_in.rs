//! Sign-in, sign-out, session expiry, CSRF and cross-site checks, assets.

use crate::support::{Desk, PASSWORD};
use axum::http::StatusCode;
use jiff::SignedDuration;

#[tokio::test]
async fn the_start_page_sends_each_role_to_its_home() {
    let desk = Desk::new().await;
    assert_eq!(desk.get("/", None).await.location(), "/login");
    assert_eq!(
        desk.get("/", Some(&desk.agent)).await.location(),
        "/agent/queues/mine"
    );
    assert_eq!(
        desk.get("/", Some(&desk.customer)).await.location(),
        "/portal"
    );
    // Admins (like supervisors) land on the team view.
    assert_eq!(
        desk.get("/", Some(&desk.admin)).await.location(),
        "/agent/team"
    );
}

#[tokio::test]
async fn signing_in_sets_a_safe_session_cookie_and_follows_next() {
    let desk = Desk::new().await;
    let page = desk.get("/login?next=/agent/queues/open", None).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains(r#"<label for="email">Email</label>"#);
    page.assert_contains(r#"name="next" value="/agent/queues/open""#);

    let page = desk
        .post_raw(
            "/login",
            None,
            &[
                ("email", "ana@desk.test"),
                ("password", PASSWORD),
                ("next", "/agent/queues/open"),
            ],
            &[("sec-fetch-site", "same-origin")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(page.location(), "/agent/queues/open");
    let cookie = page
        .headers
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("ferrodesk_session="), "{cookie}");
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(flag), "{cookie} lacks {flag}");
    }
    let value = cookie
        .trim_start_matches("ferrodesk_session=")
        .split(';')
        .next()
        .unwrap();
    let (actor, _) = desk.app.auth().authenticate_session(value).await.unwrap();
    assert_eq!(actor.user_id, desk.agent.user_id);
}

#[tokio::test]
async fn a_foreign_next_is_ignored_after_sign_in() {
    let desk = Desk::new().await;
    let page = desk
        .post_raw(
            "/login",
            None,
            &[
                ("email", "maria@example.test"),
                ("password", PASSWORD),
                ("next", "//evil.example/x"),
            ],
            &[],
        )
        .await;
    assert_eq!(page.location(), "/portal");
}

#[tokio::test]
async fn a_wrong_password_shows_one_message_and_sets_no_cookie() {
    let desk = Desk::new().await;
    let page = desk
        .post_raw(
            "/login",
            None,
            &[("email", "ana@desk.test"), ("password", "nope")],
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("do not match an account");
    page.assert_contains(r#"value="ana@desk.test""#);
    assert!(page.headers.get("set-cookie").is_none());

    let page = desk
        .post_raw("/login", None, &[("email", ""), ("password", "")], &[])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.field_error("email").as_deref(),
        Some("Enter your email address")
    );
    assert_eq!(
        page.field_error("password").as_deref(),
        Some("Enter your password")
    );
}

#[tokio::test]
async fn sign_in_from_another_site_is_refused() {
    let desk = Desk::new().await;
    let page = desk
        .post_raw(
            "/login",
            None,
            &[("email", "ana@desk.test"), ("password", PASSWORD)],
            &[("sec-fetch-site", "cross-site")],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let page = desk
        .post_raw(
            "/login",
            None,
            &[("email", "ana@desk.test"), ("password", PASSWORD)],
            &[("origin", "https://evil.example"), ("host", "desk.test")],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_ended_session_sends_pages_to_sign_in_and_htmx_gets_a_redirect_header() {
    let desk = Desk::new().await;
    assert_eq!(
        desk.get("/agent/queues/mine", Some(&desk.agent))
            .await
            .status,
        StatusCode::OK
    );
    desk.clock.advance(SignedDuration::from_hours(13));
    let page = desk
        .get("/agent/queues/open?sort=oldest", Some(&desk.agent))
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        page.location(),
        "/login?next=%2Fagent%2Fqueues%2Fopen%3Fsort%3Doldest"
    );

    let request = axum::http::Request::get("/agent/sidebar")
        .header("cookie", format!("ferrodesk_session={}", desk.agent.cookie))
        .header("hx-request", "true")
        .body(axum::body::Body::empty())
        .unwrap();
    let page = desk.send(request).await;
    assert_eq!(page.headers.get("hx-redirect").unwrap(), "/login?next=%2F");
}

#[tokio::test]
async fn signing_out_needs_the_csrf_token_and_ends_the_session() {
    let desk = Desk::new().await;
    let page = desk
        .post_raw(
            "/logout",
            Some(&desk.agent),
            &[("csrf", "forged")],
            &[("sec-fetch-site", "same-origin")],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    page.assert_contains("This form has expired");
    assert_eq!(
        desk.get("/agent/queues/mine", Some(&desk.agent))
            .await
            .status,
        StatusCode::OK
    );

    let page = desk.post("/logout", &desk.agent, &[]).await;
    assert_eq!(page.location(), "/login?signed_out=1");
    assert!(
        page.headers
            .get("set-cookie")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(
        desk.get("/agent/queues/mine", Some(&desk.agent))
            .await
            .status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn state_changing_forms_refuse_missing_foreign_and_cross_site_tokens() {
    let desk = Desk::new().await;
    let ticket = desk.ticket(&desk.customer, "Printer jams").await;
    let path = format!("/agent/tickets/{}/reply", ticket.id);
    let reply = ("body", "hello");

    let missing = desk
        .post_raw(
            &path,
            Some(&desk.agent),
            &[reply],
            &[("sec-fetch-site", "same-origin")],
        )
        .await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);

    // Another session's token does not fit this session.
    let other = desk
        .post_raw(
            &path,
            Some(&desk.agent),
            &[("csrf", desk.admin.csrf.as_str()), reply],
            &[("sec-fetch-site", "same-origin")],
        )
        .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);

    // The right token from another site is still refused (Fetch Metadata).
    let cross = desk
        .post_raw(
            &path,
            Some(&desk.agent),
            &[("csrf", desk.agent.csrf.as_str()), reply],
            &[("sec-fetch-site", "cross-site")],
        )
        .await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN);
    cross.assert_contains("came from another site");

    let events = desk
        .app
        .tickets()
        .events(
            &desk.actor(&desk.agent).await,
            ticket.id,
            &Default::default(),
        )
        .await
        .unwrap();
    assert_eq!(events.len(), 1, "nothing but the creation was written");
}

#[tokio::test]
async fn a_malformed_form_is_a_400_page_not_a_500() {
    let desk = Desk::new().await;
    let request = axum::http::Request::post("/portal/new")
        .header(
            "cookie",
            format!("ferrodesk_session={}", desk.customer.cookie),
        )
        .header("content-type", "application/json")
        .body(axum::body::Body::from("{}"))
        .unwrap();
    let page = desk.send(request).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    page.assert_contains("Bad request");
}

#[tokio::test]
async fn unknown_pages_are_404_pages_and_pages_carry_security_headers() {
    let desk = Desk::new().await;
    let page = desk.get("/nothing/here", Some(&desk.agent)).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    page.assert_contains("Page not found");
    let csp = page
        .headers
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert_eq!(page.headers.get("x-frame-options").unwrap(), "DENY");
    let page = desk.get("/agent/queues/mine", Some(&desk.agent)).await;
    assert_eq!(page.headers.get("cache-control").unwrap(), "no-store");
}

#[tokio::test]
async fn assets_are_embedded_with_types_and_etags() {
    let desk = Desk::new().await;
    let css = desk.get("/assets/app.css", None).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(
        css.headers
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    let htmx = desk.get("/assets/htmx-2.0.11.min.js", None).await;
    assert_eq!(htmx.status, StatusCode::OK);
    assert!(htmx.body.contains("htmx"));
    let etag = htmx
        .headers
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let request = axum::http::Request::get("/assets/htmx-2.0.11.min.js")
        .header("if-none-match", etag)
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(desk.send(request).await.status, StatusCode::NOT_MODIFIED);
    assert_eq!(
        desk.get("/assets/nope.js", None).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn in_front_of_the_api_unknown_ui_paths_stay_html_and_the_rest_reaches_the_api() {
    use axum::routing::get;
    let desk = Desk::new().await;
    let api = axum::Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .fallback(|| async {
            (
                StatusCode::NOT_FOUND,
                "{\"error\":{\"code\":\"route_not_found\"}}",
            )
        });
    let both = desk.router.clone().fallback_service(api);
    let call = |path: &'static str| {
        let router = both.clone();
        let cookie = format!("ferrodesk_session={}", desk.agent.cookie);
        async move {
            use tower::ServiceExt as _;
            let request = axum::http::Request::get(path)
                .header("cookie", cookie)
                .body(axum::body::Body::empty())
                .unwrap();
            let response = router.oneshot(request).await.unwrap();
            let status = response.status();
            let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap();
            (status, String::from_utf8_lossy(&body).into_owned())
        }
    };
    assert_eq!(call("/healthz").await, (StatusCode::OK, "ok".to_owned()));
    let (status, body) = call("/api/v1/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("route_not_found"));
    for path in ["/agent/nope", "/portal/nope/deeper", "/admin/nope"] {
        let (status, body) = call(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(body.contains("Page not found"), "{path}: {body}");
    }
    let (status, body) = call("/agent/queues/mine").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("My tickets"));
}
