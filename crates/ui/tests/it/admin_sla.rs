//! The service-level admin screens: calendars, SLA policies and automations.

use crate::support::Desk;
use axum::http::StatusCode;
use ferrodesk_domain::{Priority, TargetKind};

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
                ("p1_resolution", "4h"),
                ("p2_first_response", "60m"),
                ("p2_resolution", "1h 30m"),
                ("p3_first_response", "240"),
                ("p3_resolution", "24h"),
                ("p4_first_response", "8 hours"),
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
    // Targets are typed and shown as hours and minutes.
    let minutes = |p: Priority, kind: TargetKind| policy.targets.get(p).get(kind).map(|m| m.get());
    assert_eq!(minutes(Priority::P1, TargetKind::Resolution), Some(240));
    assert_eq!(minutes(Priority::P2, TargetKind::Resolution), Some(90));
    assert_eq!(minutes(Priority::P3, TargetKind::Resolution), Some(1440));
    assert_eq!(minutes(Priority::P4, TargetKind::FirstResponse), Some(480));
    for (field, shown) in [
        ("p1_first_response", "30m"),
        ("p2_resolution", "1h 30m"),
        ("p3_resolution", "24h"),
    ] {
        let input = edit
            .body
            .split(&format!(r#"<input id="{field}""#))
            .nth(1)
            .and_then(|rest| rest.split('>').next())
            .unwrap_or_else(|| panic!("{field} is on the form"));
        assert!(input.contains(r#"type="text""#), "{input}");
        assert!(input.contains(&format!(r#"value="{shown}""#)), "{input}");
    }
    policies.assert_contains("1h 30m");

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

#[tokio::test]
async fn a_routing_rule_set_up_in_the_browser_routes_the_next_ticket() {
    let desk = Desk::new().await;
    let bad = desk
        .post(
            "/admin/routing-rules",
            &desk.admin,
            &[
                ("name", "Printers"),
                ("position", "10"),
                ("text", "printer"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.field_error("action_group_id").is_some(),
        "a rule must do something"
    );
    let bad = desk
        .post(
            "/admin/routing-rules",
            &desk.admin,
            &[("name", "Printers"), ("position", "first")],
        )
        .await;
    assert!(bad.field_error("position").is_some());
    assert!(desk.store.list_routing_rules().await.unwrap().is_empty());

    let page = desk
        .post(
            "/admin/routing-rules",
            &desk.admin,
            &[
                ("name", "Printers to network"),
                ("position", "10"),
                ("is_enabled", "on"),
                ("text", "printer, toner"),
                ("action_group_id", &desk.network.to_string()),
                ("action_tags", "hardware"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let list = desk.get("/admin/routing-rules", Some(&desk.admin)).await;
    list.assert_contains("Printers to network");
    list.assert_contains("tags hardware");

    let routed = desk.ticket(&desk.customer, "The printer jams").await;
    assert_eq!(routed.group_id, Some(desk.network));
    assert!(routed.tags.contains(&"hardware".to_owned()));
    let other = desk.ticket(&desk.customer, "Password expired").await;
    assert_ne!(other.group_id, Some(desk.network));

    let rule = desk.store.list_routing_rules().await.unwrap()[0].clone();
    let edit = desk
        .get(
            &format!("/admin/routing-rules/{}", rule.id),
            Some(&desk.admin),
        )
        .await;
    edit.assert_contains(r#"value="printer, toner""#);
    let page = desk
        .post(
            &format!("/admin/routing-rules/{}/delete", rule.id),
            &desk.admin,
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(desk.store.list_routing_rules().await.unwrap().is_empty());
}

#[tokio::test]
async fn escalation_rules_are_managed_and_a_rule_must_act() {
    let desk = Desk::new().await;
    let bad = desk
        .post(
            "/admin/escalation-rules",
            &desk.admin,
            &[
                ("name", "Ping-pong"),
                ("trigger", "reassigned"),
                ("threshold", "3"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.field_error("escalates").is_some());
    let bad = desk
        .post(
            "/admin/escalation-rules",
            &desk.admin,
            &[
                ("name", "Ping-pong"),
                ("trigger", "sometimes"),
                ("escalates", "on"),
            ],
        )
        .await;
    assert!(bad.field_error("trigger").is_some());
    assert!(desk.store.list_escalation_rules().await.unwrap().is_empty());

    let page = desk
        .post(
            "/admin/escalation-rules",
            &desk.admin,
            &[
                ("name", "Ping-pong"),
                ("is_enabled", "on"),
                ("trigger", "reassigned"),
                ("threshold", "3"),
                ("escalates", "on"),
                ("notifies_supervisor", "on"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let list = desk.get("/admin/escalation-rules", Some(&desk.admin)).await;
    list.assert_contains("Reassigned 3 times");
    list.assert_contains("Escalate and notify the supervisors");
    let rule = desk.store.list_escalation_rules().await.unwrap()[0].clone();
    assert_eq!(rule.rule.threshold, Some(3));
    let page = desk
        .post(
            &format!("/admin/escalation-rules/{}", rule.id),
            &desk.admin,
            &[
                ("name", "Ping-pong"),
                ("trigger", "complaint"),
                ("notifies_supervisor", "on"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let rule = desk.store.list_escalation_rules().await.unwrap()[0].clone();
    assert!(!rule.is_enabled, "an unticked box turns the rule off");
    assert!(!rule.rule.escalates);
    assert_eq!(
        desk.get("/admin/escalation-rules/424242", Some(&desk.admin))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn sla_badges_count_down_in_the_ticket_view_and_the_queues_and_turn_breached() {
    let desk = Desk::new().await;
    let page = desk
        .post(
            "/admin/calendars",
            &desk.admin,
            &[("name", "Always"), ("always_open", "on")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let calendar = desk.store.list_calendars().await.unwrap()[0].id;
    let mut fields = vec![
        ("name".to_owned(), "Standard".to_owned()),
        ("calendar_id".to_owned(), calendar.to_string()),
        ("warning_percent".to_owned(), "80".to_owned()),
        ("is_default".to_owned(), "on".to_owned()),
    ];
    for p in 1..=4 {
        fields.push((format!("p{p}_first_response"), "60".to_owned()));
        fields.push((format!("p{p}_resolution"), "480".to_owned()));
    }
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let page = desk.post("/admin/sla-policies", &desk.admin, &fields).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);

    let ticket = desk.ticket(&desk.customer, "Scanner offline").await;
    let path = format!("/agent/tickets/{}", ticket.id);
    let view = desk.get(&path, Some(&desk.agent)).await;
    view.assert_contains(r#"data-sla="ok""#);
    view.assert_contains("First response · ");
    view.assert_contains("min left");
    let queue = desk
        .get("/agent/queues/breaching-soon", Some(&desk.agent))
        .await;
    queue.assert_contains("Scanner offline");
    queue.assert_contains(r#"data-sla="ok""#);

    // 50 minutes on, the first response is past its 80 % warning.
    desk.clock.advance(jiff::SignedDuration::from_mins(50));
    let view = desk.get(&path, Some(&desk.agent)).await;
    view.assert_contains(r#"data-sla="warning""#);
    // Two hours on, it is breached, and the badge says by how much.
    desk.clock.advance(jiff::SignedDuration::from_mins(70));
    let view = desk.get(&path, Some(&desk.agent)).await;
    view.assert_contains(r#"data-sla="breached""#);
    // A customer never sees the desk's internal targets.
    let portal = desk
        .get(
            &format!("/portal/tickets/{}", ticket.id),
            Some(&desk.customer),
        )
        .await;
    assert_eq!(portal.status, StatusCode::OK);
    portal.assert_lacks("data-sla");
}

#[tokio::test]
async fn assignment_modes_availability_and_the_away_switch_are_set_in_the_browser() {
    let desk = Desk::new().await;
    let path = format!("/admin/groups/{}/assignment", desk.service_desk);
    assert_eq!(
        desk.get(&path, Some(&desk.agent)).await.status,
        StatusCode::FORBIDDEN
    );
    let bad = desk.post(&path, &desk.admin, &[("mode", "lottery")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.field_error("mode").is_some());
    let page = desk
        .post(&path, &desk.admin, &[("mode", "least_loaded")])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        desk.store
            .assignment_mode(desk.service_desk)
            .await
            .unwrap()
            .as_str(),
        "least_loaded"
    );
    desk.get(&path, Some(&desk.admin))
        .await
        .assert_contains(r#"value="least_loaded" checked"#);

    let agent = desk.agent.user_id;
    let path = format!("/admin/users/{agent}/availability");
    let bad = desk.post(&path, &desk.admin, &[("load_limit", "0")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.field_error("load_limit").is_some());
    let page = desk.post(&path, &desk.admin, &[("load_limit", "12")]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let settings = desk.store.agent_settings(agent).await.unwrap();
    assert_eq!(settings.load_limit, Some(12));
    assert!(!settings.is_away);

    // The agent switches themselves away and back; the limit the admin set stays.
    let page = desk
        .post("/agent/availability", &desk.agent, &[("is_away", "on")])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let settings = desk.store.agent_settings(agent).await.unwrap();
    assert!(settings.is_away);
    assert_eq!(settings.load_limit, Some(12));
    desk.get("/agent/availability", Some(&desk.agent))
        .await
        .assert_contains("You are <strong>away</strong>");
    let page = desk.post("/agent/availability", &desk.agent, &[]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(!desk.store.agent_settings(agent).await.unwrap().is_away);
    // Customers have no availability.
    assert_eq!(
        desk.get("/agent/availability", Some(&desk.customer))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}
