//! The service-level admin screens: calendars, SLA policies and automations.

use crate::support::Desk;
use axum::http::StatusCode;

#[tokio::test]
async fn only_admins_open_the_service_level_screens() {
    let desk = Desk::new().await;
    for path in [
        "/admin/calendars",
        "/admin/calendars/new",
        "/admin/sla-policies",
        "/admin/automation",
    ] {
        assert_eq!(
            desk.get(path, Some(&desk.agent)).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
        assert_eq!(
            desk.get(path, Some(&desk.admin)).await.status,
            StatusCode::OK,
            "{path}"
        );
    }
    let page = desk
        .post(
            "/admin/calendars",
            &desk.agent,
            &[("name", "Sneaky"), ("always_open", "on")],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(
        desk.store.list_calendars().await.unwrap().is_empty(),
        "an agent's post writes nothing"
    );
}

#[tokio::test]
async fn a_calendar_and_a_policy_are_set_up_and_a_ticket_gets_due_times() {
    let desk = Desk::new().await;
    // Bad input stays on the form, next to its field.
    let bad = desk
        .post(
            "/admin/calendars",
            &desk.admin,
            &[
                ("name", "Office hours"),
                ("time_zone", "Mars/Olympus"),
                ("hours", "monday 08:00-16:00"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.field_error("time_zone").is_some());
    let bad = desk
        .post(
            "/admin/calendars",
            &desk.admin,
            &[
                ("name", "Office hours"),
                ("time_zone", "Europe/Oslo"),
                ("hours", "funday 08:00-16:00"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.field_error("hours").unwrap().contains("funday"));
    assert!(desk.store.list_calendars().await.unwrap().is_empty());

    let page = desk
        .post(
            "/admin/calendars",
            &desk.admin,
            &[("name", "Around the clock"), ("always_open", "on")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let calendars = desk.get("/admin/calendars", Some(&desk.admin)).await;
    calendars.assert_contains("Around the clock");
    let calendar = desk.store.list_calendars().await.unwrap()[0].id;

    // A target that is not a number, then a policy that is right.
    let bad = desk
        .post(
            "/admin/sla-policies",
            &desk.admin,
            &[
                ("name", "Standard"),
                ("calendar_id", &calendar.to_string()),
                ("warning_percent", "80"),
                ("p1_first_response", "soon"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.field_error("p1_first_response").is_some());
    let page = desk
        .post(
            "/admin/sla-policies",
            &desk.admin,
            &[
                ("name", "Standard"),
                ("calendar_id", &calendar.to_string()),
                ("warning_percent", "80"),
                ("is_default", "on"),
                ("p1_first_response", "30"),
                ("p1_resolution", "240"),
                ("p2_first_response", "60"),
                ("p3_first_response", "240"),
                ("p3_resolution", "1440"),
                ("p4_first_response", "480"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let policies = desk.get("/admin/sla-policies", Some(&desk.admin)).await;
    policies.assert_contains("Standard");
    policies.assert_contains("default");
    let policy = desk.store.list_policies().await.unwrap()[0].clone();
    assert!(policy.is_default);
    let edit = desk
        .get(
            &format!("/admin/sla-policies/{}", policy.id),
            Some(&desk.admin),
        )
        .await;
    edit.assert_contains(
        r#"name="p3_resolution" type="number" min="1" inputmode="numeric" value="1440""#,
    );

    // The default policy now gives a new ticket its due times.
    let ticket = desk.ticket(&desk.customer, "Printer on fire").await;
    let slas = desk.store.ticket_slas(&[ticket.id]).await.unwrap();
    assert_eq!(slas.len(), 1);
    assert!(
        slas[0]
            .first_response
            .as_ref()
            .and_then(|t| t.due_at)
            .is_some(),
        "{slas:?}"
    );

    // A calendar a policy uses cannot go; once the policy is gone, it can.
    let refused = desk
        .post(
            &format!("/admin/calendars/{calendar}/delete"),
            &desk.admin,
            &[],
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(desk.store.list_calendars().await.unwrap().len(), 1);
    let page = desk
        .post(
            &format!("/admin/sla-policies/{}/delete", policy.id),
            &desk.admin,
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let page = desk
        .post(
            &format!("/admin/calendars/{calendar}/delete"),
            &desk.admin,
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(desk.store.list_calendars().await.unwrap().is_empty());
    assert_eq!(
        desk.get("/admin/calendars/99999", Some(&desk.admin))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn automations_are_saved_and_a_resolve_before_the_reminder_is_refused() {
    let desk = Desk::new().await;
    let bad = desk
        .post(
            "/admin/automation",
            &desk.admin,
            &[
                ("pending_reminder_minutes", "600"),
                ("pending_resolve_minutes", "300"),
                ("resolved_close_minutes", "4320"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.field_error("pending_resolve_minutes").is_some());
    let before = desk.store.automation_settings().await.unwrap();
    assert_ne!(before.pending_reminder_minutes, Some(600));

    let page = desk
        .post(
            "/admin/automation",
            &desk.admin,
            &[
                ("pending_reminder_minutes", "600"),
                ("pending_resolve_minutes", "1200"),
                ("resolved_close_minutes", ""),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let saved = desk.store.automation_settings().await.unwrap();
    assert_eq!(saved.pending_reminder_minutes, Some(600));
    assert_eq!(saved.pending_resolve_minutes, Some(1200));
    assert_eq!(saved.resolved_close_minutes, None, "blank turns a step off");
    let form = desk.get("/admin/automation", Some(&desk.admin)).await;
    form.assert_contains(r#"value="1200""#);
}
