//! Custom fields in the screens: `/admin/custom-fields` with errors next to their
//! fields, the fields in the agent's and the portal's new-ticket forms, the ticket
//! view's panel that saves each field at once, search and the reports page.

use crate::support::Desk;
use axum::http::StatusCode;
use ferrodesk_domain::{CustomField, CustomFieldSpec, FieldKind, TicketType};

async fn field(desk: &Desk, key: &str, kind: FieldKind, customer_visible: bool) -> CustomField {
    let admin = desk.actor(&desk.admin).await;
    let spec = CustomFieldSpec {
        key: key.to_owned(),
        label: key.replace('_', " "),
        kind,
        options: if kind.has_options() {
            vec!["Windows".into(), "Linux".into(), "macOS".into()]
        } else {
            Vec::new()
        },
        required: false,
        customer_visible,
        ticket_types: Vec::new(),
        category_ids: Vec::new(),
        position: 1,
        active: true,
    };
    desk.app.custom_fields().create(&admin, spec).await.unwrap()
}

async fn all_fields(desk: &Desk) -> Vec<CustomField> {
    let admin = desk.actor(&desk.admin).await;
    desk.app.custom_fields().list(&admin).await.unwrap()
}

#[tokio::test]
async fn admins_define_fields_and_bad_input_is_shown_in_place_and_changes_nothing() {
    let desk = Desk::new().await;
    assert_eq!(
        desk.get("/admin/custom-fields", Some(&desk.agent))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let page = desk.get("/admin/custom-fields", Some(&desk.admin)).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains(r#"href="/admin/custom-fields" aria-current="page""#);
    page.assert_contains("No custom fields yet.");

    let no_label = desk
        .post(
            "/admin/custom-fields",
            &desk.admin,
            &[("label", " "), ("key", "os"), ("kind", "text")],
        )
        .await;
    assert_eq!(no_label.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_label.field_error("label").is_some(), "{}", no_label.body);
    let no_options = desk
        .post(
            "/admin/custom-fields",
            &desk.admin,
            &[
                ("label", "Operating system"),
                ("key", "operating_system"),
                ("kind", "single_choice"),
                ("options", "\n  \n"),
            ],
        )
        .await;
    assert_eq!(no_options.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_options.field_error("options").is_some());
    no_options.assert_contains(r#"value="operating_system""#);
    assert!(all_fields(&desk).await.is_empty());

    let added = desk
        .post(
            "/admin/custom-fields",
            &desk.admin,
            &[
                ("label", "Operating system"),
                ("key", "operating_system"),
                ("kind", "single_choice"),
                ("options", "Windows\nLinux\n\nmacOS"),
                ("ticket_types", "incident"),
                ("customer_visible", "on"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let taken = desk
        .post(
            "/admin/custom-fields",
            &desk.admin,
            &[
                ("label", "Another OS"),
                ("key", "operating_system"),
                ("kind", "text"),
            ],
        )
        .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(taken.field_error("key").unwrap().contains("already exists"));
    let added = desk
        .post(
            "/admin/custom-fields",
            &desk.admin,
            &[
                ("label", "Affected users"),
                ("key", "affected_users"),
                ("kind", "number"),
                ("required", "on"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let fields = all_fields(&desk).await;
    assert_eq!(fields.len(), 2);
    let (os, users) = (&fields[0], &fields[1]);
    assert_eq!(os.spec.options, ["Windows", "Linux", "macOS"]);
    assert_eq!(os.spec.ticket_types, [TicketType::Incident]);
    assert!(os.spec.customer_visible && !os.spec.required);
    assert!(users.spec.required && !users.spec.customer_visible);

    let list = desk.get("/admin/custom-fields", Some(&desk.admin)).await;
    list.assert_contains(r#"<code class="muted">operating_system</code>"#);
    list.assert_contains("Single choice");
    list.assert_contains("Incident");
    list.assert_contains("Staff only");

    // Editing: an option list emptied is refused in place and keeps the field.
    let edit = format!("/admin/custom-fields/{}", os.id);
    desk.get(&edit, Some(&desk.admin))
        .await
        .assert_contains("Windows\nLinux\nmacOS");
    let emptied = desk
        .post(
            &edit,
            &desk.admin,
            &[("label", "OS"), ("options", ""), ("active", "on")],
        )
        .await;
    assert_eq!(emptied.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(emptied.field_error("options").is_some());
    assert_eq!(all_fields(&desk).await[0], *os);
    let saved = desk
        .post(
            &edit,
            &desk.admin,
            &[
                ("label", "OS"),
                ("options", "Windows\nLinux"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let fields = all_fields(&desk).await;
    assert_eq!(fields[0].spec.label, "OS");
    assert_eq!(fields[0].spec.options, ["Windows", "Linux"]);
    assert!(fields[0].spec.ticket_types.is_empty());

    // Moving the second field up puts it first.
    let moved = desk
        .post(
            &format!("/admin/custom-fields/{}/move", users.id),
            &desk.admin,
            &[("direction", "up")],
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER);
    let order: Vec<_> = all_fields(&desk).await.iter().map(|f| f.id).collect();
    assert_eq!(order, [users.id, os.id]);
    // A direction other than up or down is refused and moves nothing.
    let sideways = desk
        .post(
            &format!("/admin/custom-fields/{}/move", os.id),
            &desk.admin,
            &[("direction", "sideways")],
        )
        .await;
    assert_eq!(sideways.status, StatusCode::UNPROCESSABLE_ENTITY);
    let order: Vec<_> = all_fields(&desk).await.iter().map(|f| f.id).collect();
    assert_eq!(order, [users.id, os.id]);

    // Deactivated and reactivated.
    let active = format!("/admin/custom-fields/{}/active", os.id);
    desk.post(&active, &desk.admin, &[("active", "off")]).await;
    assert!(!all_fields(&desk).await[1].spec.active);
    desk.get("/admin/custom-fields", Some(&desk.admin))
        .await
        .assert_contains("Reactivate");
    desk.post(&active, &desk.admin, &[("active", "on")]).await;
    assert!(all_fields(&desk).await[1].spec.active);
    let agent_try = desk.post(&active, &desk.agent, &[("active", "off")]).await;
    assert_eq!(agent_try.status, StatusCode::FORBIDDEN);
    assert!(all_fields(&desk).await[1].spec.active);
}

fn new_ticket_form<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("requester_email", "caller@example.test"),
        ("channel", "other"),
        ("subject", "Laptop will not boot"),
        ("description", "Black screen"),
        ("ticket_type", "incident"),
        ("impact", "individual"),
        ("urgency", "medium"),
    ];
    form.extend_from_slice(extra);
    form
}

#[tokio::test]
async fn the_agent_form_asks_for_the_fields_keeps_what_was_typed_and_the_panel_saves_at_once() {
    let desk = Desk::new().await;
    let os = field(&desk, "operating_system", FieldKind::SingleChoice, true).await;
    let users = field(&desk, "affected_users", FieldKind::Number, false).await;
    let admin = desk.actor(&desk.admin).await;
    let patch = ferrodesk_app::CustomFieldPatch {
        required: Some(true),
        ..Default::default()
    };
    desk.app
        .custom_fields()
        .update(&admin, users.id, patch)
        .await
        .unwrap();

    let form = desk.get("/agent/tickets/new", Some(&desk.agent)).await;
    form.assert_contains(r#"<select id="cf-operating_system" name="cf.operating_system""#);
    form.assert_contains(r#"name="cf.affected_users" type="number""#);
    form.assert_contains(r#"hx-get="/custom-fields/inputs""#);

    // A wrong number and a missing required value: both next to their fields, the
    // typed values kept, nothing created.
    let refused = desk
        .post(
            "/agent/tickets/new",
            &desk.agent,
            &new_ticket_form(&[
                ("cf.operating_system", "Linux"),
                ("cf.affected_users", "lots"),
            ]),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.field_error("cf-affected_users").is_some(),
        "{}",
        refused.body
    );
    refused.assert_contains(r#"value="lots""#);
    refused.assert_contains(r#"<option value="Linux" selected>"#);
    refused.assert_contains(r#"value="Laptop will not boot""#);
    let missing = desk
        .post(
            "/agent/tickets/new",
            &desk.agent,
            &new_ticket_form(&[("cf.operating_system", "Linux")]),
        )
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.field_error("cf-affected_users").is_some());
    assert!(
        desk.store
            .ticket_ids_after(None, 10)
            .await
            .unwrap()
            .is_empty()
    );

    let created = desk
        .post(
            "/agent/tickets/new",
            &desk.agent,
            &new_ticket_form(&[
                ("cf.operating_system", "Linux"),
                ("cf.affected_users", "12"),
            ]),
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    // A field added after the desk's settings were first read is known at once.
    field(&desk, "floor", FieldKind::Text, false).await;
    let later = desk
        .post(
            "/agent/tickets/new",
            &desk.agent,
            &new_ticket_form(&[("cf.affected_users", "1"), ("cf.floor", "Third")]),
        )
        .await;
    assert_eq!(later.status, StatusCode::SEE_OTHER, "{}", later.body);
    let view = desk
        .get(
            created.location().split('?').next().unwrap(),
            Some(&desk.agent),
        )
        .await;
    view.assert_contains(r#"id="cf-panel""#);
    view.assert_contains(r#"<option value="Linux" selected>"#);
    view.assert_contains(r#"value="12""#);

    // The panel saves one field through the ticket update: the value and its event.
    let id: i64 = created
        .location()
        .split('/')
        .nth(3)
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let saved = desk
        .post(
            &format!("/agent/tickets/{id}/custom-fields"),
            &desk.agent,
            &[
                ("field", "cf.operating_system"),
                ("cf.operating_system", "macOS"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let agent = desk.actor(&desk.agent).await;
    let values = desk
        .app
        .custom_fields()
        .display_values(&agent, ferrodesk_domain::TicketId(id))
        .await
        .unwrap();
    let shown: Vec<(String, String)> = values.into_iter().map(|(f, v)| (f.spec.key, v)).collect();
    assert!(shown.contains(&(os.spec.key.clone(), "macOS".to_owned())));
    let view = desk
        .get(&format!("/agent/tickets/{id}"), Some(&desk.agent))
        .await;
    view.assert_contains("operating system");
    view.assert_contains("macOS");

    // Clearing a required field is refused and keeps the value.
    let cleared = desk
        .post(
            &format!("/agent/tickets/{id}/custom-fields"),
            &desk.agent,
            &[("field", "cf.affected_users"), ("cf.affected_users", "")],
        )
        .await;
    assert_eq!(cleared.status, StatusCode::SEE_OTHER);
    let values = desk
        .app
        .custom_fields()
        .display_values(&agent, ferrodesk_domain::TicketId(id))
        .await
        .unwrap();
    assert!(values.iter().any(|(f, v)| f.id == users.id && v == "12"));
}

#[tokio::test]
async fn customers_see_and_set_only_customer_visible_fields_in_the_portal() {
    let desk = Desk::new().await;
    let os = field(&desk, "operating_system", FieldKind::SingleChoice, true).await;
    let secret = field(&desk, "internal_code", FieldKind::Text, false).await;
    let form = desk.get("/portal/new", Some(&desk.customer)).await;
    form.assert_contains(r#"name="cf.operating_system""#);
    form.assert_lacks("cf.internal_code");
    let refresh = desk
        .get("/custom-fields/inputs?category_id=", Some(&desk.customer))
        .await;
    refresh.assert_contains(r#"name="cf.operating_system""#);
    refresh.assert_lacks("internal_code");

    let bad = desk
        .post_multipart(
            "/portal/new",
            &desk.customer,
            &[
                ("subject", "Cannot print"),
                ("description", "Offline"),
                ("urgency", "medium"),
                ("impact", "individual"),
                ("cf.operating_system", "Plan 9"),
            ],
            &[],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.field_error("cf-operating_system").is_some(),
        "{}",
        bad.body
    );

    let page = desk
        .post_multipart(
            "/portal/new",
            &desk.customer,
            &[
                ("subject", "Cannot print"),
                ("description", "Offline"),
                ("urgency", "medium"),
                ("impact", "individual"),
                ("cf.operating_system", "Windows"),
                ("cf.internal_code", "sneaky"),
            ],
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let id = desk.store.ticket_ids_after(None, 10).await.unwrap()[0];
    let stored = desk.store.custom_values(&[id]).await.unwrap();
    assert_eq!(stored, vec![(id, os.id, "Windows".to_owned())]);
    assert!(stored.iter().all(|(_, f, _)| *f != secret.id));
    let view = desk.get(page.location(), Some(&desk.customer)).await;
    view.assert_contains("<dt>operating system</dt><dd>Windows</dd>");
}

#[tokio::test]
async fn a_value_finds_its_ticket_and_reports_count_tickets_per_option() {
    let desk = Desk::new().await;
    let os = field(&desk, "operating_system", FieldKind::SingleChoice, true).await;
    let note = field(&desk, "asset_note", FieldKind::Text, false).await;
    for (subject, choice, text) in [
        ("Slow laptop", "Linux", "quokkaboard"),
        ("Printer jam", "Linux", "other"),
        ("Mail down", "Windows", "other"),
    ] {
        let created = desk
            .post(
                "/agent/tickets/new",
                &desk.agent,
                &[
                    ("requester_email", "caller@example.test"),
                    ("channel", "other"),
                    ("subject", subject),
                    ("ticket_type", "incident"),
                    ("impact", "individual"),
                    ("urgency", "medium"),
                    ("cf.operating_system", choice),
                    ("cf.asset_note", text),
                ],
            )
            .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    }
    desk.app.search().sync().await.unwrap();
    let found = desk
        .get("/agent/search?q=quokkaboard", Some(&desk.agent))
        .await;
    assert_eq!(found.status, StatusCode::OK);
    found.assert_contains("Slow laptop");
    found.assert_lacks("Printer jam");
    // A staff-only value is not a customer's search word.
    let theirs = desk
        .get("/portal/search?q=quokkaboard", Some(&desk.customer))
        .await;
    theirs.assert_lacks("Slow laptop");

    let page = desk.get("/agent/reports", Some(&desk.admin)).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("By custom field");
    page.assert_contains("<tr><td>Linux</td><td class=\"num\">2</td></tr>");
    page.assert_contains("<tr><td>Windows</td><td class=\"num\">1</td></tr>");
    page.assert_contains("<tr><td>macOS</td><td class=\"num\">0</td></tr>");
    let admin = desk.actor(&desk.admin).await;
    let request = ferrodesk_app::ReportRequest {
        from: None,
        to: None,
        days: Some(7),
        group: None,
    };
    let wrong = desk
        .app
        .reports()
        .by_custom_field(&admin, &request, &note.spec.key)
        .await
        .unwrap_err();
    assert!(matches!(wrong, ferrodesk_app::AppError::Invalid { .. }));
    let customer = desk.actor(&desk.customer).await;
    let refused = desk
        .app
        .reports()
        .by_custom_field(&customer, &request, &os.spec.key)
        .await
        .unwrap_err();
    assert!(matches!(refused, ferrodesk_app::AppError::Forbidden { .. }));
}
