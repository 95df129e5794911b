//! No page answers 500 on bad input: every form, sent garbage by every role.

use crate::support::Desk;
use axum::http::StatusCode;

#[tokio::test]
async fn garbage_sent_to_every_form_never_answers_500() {
    let desk = Desk::new().await;
    let ticket = desk.ticket(&desk.customer, "Robustness").await;
    let id = ticket.id.to_string();
    let paths: Vec<String> = [
        "/agent/tickets/{id}/reply",
        "/agent/tickets/{id}/status",
        "/agent/tickets/{id}/details",
        "/agent/tickets/{id}/escalate",
        "/agent/tickets/{id}/log",
        "/agent/tickets/{id}/split",
        "/agent/tickets/{id}/link",
        "/agent/tickets/{id}/merge",
        "/agent/tickets/{id}/presence",
        "/agent/tickets/{id}/presence/leave",
        "/agent/tickets/new",
        "/portal/new",
        "/portal/tickets/{id}/reply",
        "/portal/tickets/{id}/reopen",
        "/admin/users/new",
        "/admin/users/1",
        "/admin/organizations",
        "/admin/organizations/1",
        "/admin/groups",
        "/admin/groups/1",
        "/admin/categories",
        "/admin/services",
        "/admin/services/1",
        "/admin/tokens",
        "/admin/tokens/1/revoke",
        "/logout",
    ]
    .iter()
    .map(|p| p.replace("{id}", &id))
    .collect();
    let long = "x".repeat(60_000);
    let garbage: Vec<Vec<(&str, &str)>> = vec![
        vec![],
        vec![
            ("kind", "\u{0}"),
            ("body", &long),
            ("status", "💥"),
            ("then_status", "closed"),
            ("activity", "💥"),
            ("seen_event_id", "-1x"),
        ],
        vec![
            ("was_priority", "p9"),
            ("priority", "p1"),
            ("priority_reason", &long),
            ("group_id", "-1"),
            ("assignee_id", "99999999999999999999"),
            ("owner_id", "1"),
            ("category_id", "x"),
            ("impact", "all"),
        ],
        vec![
            ("escalate_group_id", "1"),
            ("escalate_reason", "r"),
            ("log_kind", "call"),
            ("log_minutes", "-5"),
            ("parts", &long),
            ("link_kind", "child_of"),
            ("link_to", "#1"),
            ("merge_into", "10001"),
        ],
        vec![
            ("email", "a@b.c"),
            ("name", &long),
            ("role", "admin"),
            ("tier", "9"),
            ("group_ids", "x"),
            ("organization_id", "7"),
            ("time_zone", "Nowhere/Else"),
            ("locale", "!!"),
            ("password", "short"),
            ("end_of_support", "2026-02-30"),
            ("expires_on", "1999-01-01"),
            ("owner_email", "admin@desk.test"),
            ("requester_email", "x@y.test"),
            ("subject", &long),
            ("channel", "fax"),
            ("urgency", "now"),
        ],
    ];
    for session in [&desk.customer, &desk.agent, &desk.admin] {
        for path in &paths {
            for fields in &garbage {
                let page = desk.post(path, session, fields).await;
                assert!(
                    page.status.as_u16() < 500,
                    "{path} answered {} to {fields:?}:\n{}",
                    page.status,
                    page.body
                );
            }
        }
        for path in [
            "/agent/tickets/%00",
            "/agent/queues/open?after=%FF%FE&sort=%00&group=1",
            "/portal?show=x&after=zz",
            "/admin/audit?after=!!",
            "/admin/users?role=x&q=%25",
        ] {
            let page = desk.get(path, Some(session)).await;
            assert!(
                page.status != StatusCode::INTERNAL_SERVER_ERROR,
                "{path}: {}",
                page.body
            );
        }
    }
}

/// A NUL character in a form is refused before anything is written: PostgreSQL cannot
/// store it in text, and no browser sends one from a text field.
#[tokio::test]
async fn a_form_with_a_nul_character_is_refused_and_writes_nothing() {
    let desk = Desk::new().await;
    let ticket = desk.ticket(&desk.customer, "Printer jams").await;
    let events = || async {
        desk.store
            .list_events(ticket.id, true, &ferrodesk_app::EventPage::default())
            .await
            .unwrap()
            .len()
    };
    let before = events().await;
    for (path, session) in [
        (format!("/agent/tickets/{}/reply", ticket.id), &desk.agent),
        (
            format!("/portal/tickets/{}/reply", ticket.id),
            &desk.customer,
        ),
    ] {
        let page = desk
            .post(
                &path,
                session,
                &[("body", "paper\u{0} jam"), ("kind", "reply")],
            )
            .await;
        assert_eq!(
            page.status,
            StatusCode::BAD_REQUEST,
            "{path}: {}",
            page.body
        );
        page.assert_contains("NUL");
    }
    assert_eq!(events().await, before, "a refused form wrote an event");
    // The same reply without the NUL is taken.
    let page = desk
        .post(
            &format!("/portal/tickets/{}/reply", ticket.id),
            &desk.customer,
            &[("body", "paper jam")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(events().await, before + 1);
}
