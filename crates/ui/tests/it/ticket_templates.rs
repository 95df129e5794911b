//! Ticket templates in the pages: `/admin/ticket-templates` (errors in place, nothing
//! saved on a refusal), and "Start from a template" on the agent's new-ticket form and
//! the portal's request form: `?template=` prefills server-side, an unknown or
//! not-allowed template gives the plain form with a notice, and the ticket is created
//! by the form's normal submit.

use crate::support::Desk;
use axum::http::StatusCode;
use ferrodesk_app::TemplateInput;
use ferrodesk_domain::{CategoryId, Priority, TemplateAudience, TicketTemplate, TicketType};

async fn category(desk: &Desk, name: &str) -> CategoryId {
    let admin = desk.actor(&desk.admin).await;
    desk.app
        .directory()
        .create_category(&admin, name, None)
        .await
        .unwrap()
        .id
}

async fn template(desk: &Desk, input: TemplateInput) -> TicketTemplate {
    let admin = desk.actor(&desk.admin).await;
    desk.app
        .ticket_templates()
        .create(&admin, input)
        .await
        .unwrap()
}

async fn laptop(desk: &Desk, audience: TemplateAudience) -> TicketTemplate {
    let hardware = category(desk, "Hardware").await;
    template(
        desk,
        TemplateInput {
            name: "New laptop".into(),
            description: "Order a laptop for a colleague".into(),
            subject: "New laptop for Kim".into(),
            body: "- Model:\n- For whom:\n- Needed by:".into(),
            category_id: Some(hardware),
            ticket_type: Some(TicketType::ServiceRequest),
            priority: Some(Priority::P2),
            audience,
            ..TemplateInput::default()
        },
    )
    .await
}

async fn count(desk: &Desk) -> usize {
    let admin = desk.actor(&desk.admin).await;
    desk.app
        .ticket_templates()
        .list(&admin)
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn admin_create_with_bad_input_shows_errors_in_place_and_saves_nothing() {
    let desk = Desk::new().await;
    let page = desk.get("/admin/ticket-templates", Some(&desk.admin)).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("No templates yet");
    for who in [&desk.agent, &desk.customer] {
        let page = desk.get("/admin/ticket-templates", Some(who)).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        let post = desk
            .post("/admin/ticket-templates", who, &[("name", "Mine")])
            .await;
        assert_eq!(post.status, StatusCode::FORBIDDEN);
    }

    let bad = desk
        .post(
            "/admin/ticket-templates",
            &desk.admin,
            &[
                ("name", "  "),
                ("subject", "Keep this subject"),
                ("audience", "both"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.field_error("name").is_some(), "{}", bad.body);
    bad.assert_contains("value=\"Keep this subject\"");
    let bad = desk
        .post(
            "/admin/ticket-templates",
            &desk.admin,
            &[
                ("name", "Laptop"),
                ("category_id", "999999"),
                ("audience", "both"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.field_error("category_id").is_some(), "{}", bad.body);
    let bad = desk
        .post(
            "/admin/ticket-templates",
            &desk.admin,
            &[
                ("name", "Laptop"),
                ("ticket_type", "wish"),
                ("audience", "both"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.field_error("ticket_type").is_some(), "{}", bad.body);
    assert_eq!(count(&desk).await, 0);

    let saved = desk
        .post(
            "/admin/ticket-templates",
            &desk.admin,
            &[
                ("name", "Printer problem"),
                ("description", "Jams and toner"),
                ("subject", "Printer problem: "),
                ("body", "- Which printer:"),
                ("ticket_type", "incident"),
                ("priority", "p4"),
                ("audience", "both"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let list = desk.get(saved.location(), Some(&desk.admin)).await;
    list.assert_contains("Printer problem");
    list.assert_contains("Incident · P4 low");
    assert_eq!(count(&desk).await, 1);
}

#[tokio::test]
async fn admins_edit_move_deactivate_and_delete_after_confirming() {
    let desk = Desk::new().await;
    let first = laptop(&desk, TemplateAudience::Both).await;
    let second = template(
        &desk,
        TemplateInput {
            name: "Printer problem".into(),
            ..TemplateInput::default()
        },
    )
    .await;
    let edit = desk
        .get(
            &format!("/admin/ticket-templates/{}", first.id),
            Some(&desk.admin),
        )
        .await;
    edit.assert_contains("value=\"New laptop for Kim\"");
    edit.assert_contains("<option value=\"service_request\" selected>");

    let moved = desk
        .post(
            &format!("/admin/ticket-templates/{}/move", second.id),
            &desk.admin,
            &[("direction", "up")],
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER);
    let admin = desk.actor(&desk.admin).await;
    let names: Vec<String> = desk
        .app
        .ticket_templates()
        .list(&admin)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.spec.name)
        .collect();
    assert_eq!(names, ["Printer problem", "New laptop"]);
    // A direction other than up or down is refused and moves nothing.
    let sideways = desk
        .post(
            &format!("/admin/ticket-templates/{}/move", first.id),
            &desk.admin,
            &[("direction", "sideways")],
        )
        .await;
    assert_eq!(sideways.status, StatusCode::UNPROCESSABLE_ENTITY);
    let names: Vec<String> = desk
        .app
        .ticket_templates()
        .list(&admin)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.spec.name)
        .collect();
    assert_eq!(names, ["Printer problem", "New laptop"]);

    desk.post(
        &format!("/admin/ticket-templates/{}/deactivate", first.id),
        &desk.admin,
        &[],
    )
    .await;
    let agent_form = desk.get("/agent/tickets/new", Some(&desk.agent)).await;
    agent_form.assert_lacks("New laptop");

    let confirm = desk
        .get(
            &format!("/admin/ticket-templates/{}/delete", second.id),
            Some(&desk.admin),
        )
        .await;
    confirm.assert_contains("Delete “Printer problem”?");
    assert_eq!(count(&desk).await, 2);
    let deleted = desk
        .post(
            &format!("/admin/ticket-templates/{}/delete", second.id),
            &desk.admin,
            &[],
        )
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert_eq!(count(&desk).await, 1);
}

#[tokio::test]
async fn starting_from_a_template_prefills_the_agent_form_and_creates_through_the_normal_submit() {
    let desk = Desk::new().await;
    let laptop = laptop(&desk, TemplateAudience::Staff).await;
    let plain = desk.get("/agent/tickets/new", Some(&desk.agent)).await;
    plain.assert_contains("Start from a template");
    plain.assert_contains(&format!(
        "href=\"/agent/tickets/new?template={}\"",
        laptop.id
    ));
    plain.assert_lacks("value=\"New laptop for Kim\"");

    let page = desk
        .get(
            &format!("/agent/tickets/new?template={}", laptop.id),
            Some(&desk.agent),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("value=\"New laptop for Kim\"");
    page.assert_contains("- Model:\n- For whom:\n- Needed by:</textarea>");
    page.assert_contains("<option value=\"service_request\" selected>");
    let category = laptop.spec.category_id.unwrap();
    page.assert_contains(&format!("<option value=\"{category}\" selected>"));
    // P2 is a department that cannot work.
    page.assert_contains("<option value=\"department\" selected>");
    page.assert_contains("<option value=\"high\" selected>");
    page.assert_contains("P2 High");

    let category = category.to_string();
    let created = desk
        .post(
            "/agent/tickets/new",
            &desk.agent,
            &[
                ("requester_email", "kim@customer.example"),
                ("subject", "New laptop for Kim"),
                (
                    "description",
                    "- Model: 14\"\n- For whom: Kim\n- Needed by: Monday",
                ),
                ("channel", "other"),
                ("ticket_type", "service_request"),
                ("category_id", &category),
                ("impact", "department"),
                ("urgency", "high"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let id: i64 = created
        .location()
        .trim_start_matches("/agent/tickets/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let ticket = desk.reload(ferrodesk_domain::TicketId(id)).await;
    assert_eq!(ticket.ticket_type, TicketType::ServiceRequest);
    assert_eq!(ticket.priority, Priority::P2);
    assert_eq!(ticket.category_id, laptop.spec.category_id);
}

#[tokio::test]
async fn an_unknown_template_gives_the_plain_form_with_a_notice() {
    let desk = Desk::new().await;
    laptop(&desk, TemplateAudience::Both).await;
    for query in ["424242", "abc"] {
        let page = desk
            .get(
                &format!("/agent/tickets/new?template={query}"),
                Some(&desk.agent),
            )
            .await;
        assert_eq!(page.status, StatusCode::OK);
        page.assert_contains("That template is not available.");
        page.assert_lacks("value=\"New laptop for Kim\"");
        let portal = desk
            .get(
                &format!("/portal/new?template={query}"),
                Some(&desk.customer),
            )
            .await;
        assert_eq!(portal.status, StatusCode::OK);
        portal.assert_contains("That template is not available.");
    }
}

#[tokio::test]
async fn customers_do_not_see_or_start_from_a_staff_only_template() {
    let desk = Desk::new().await;
    let staff_only = laptop(&desk, TemplateAudience::Staff).await;
    let printer = template(
        &desk,
        TemplateInput {
            name: "Printer problem".into(),
            subject: "Printer problem: 3rd floor".into(),
            body: "- Which printer:".into(),
            ticket_type: Some(TicketType::Incident),
            audience: TemplateAudience::Both,
            ..TemplateInput::default()
        },
    )
    .await;
    let portal = desk.get("/portal/new", Some(&desk.customer)).await;
    portal.assert_contains("Printer problem");
    portal.assert_lacks("New laptop");

    let refused = desk
        .get(
            &format!("/portal/new?template={}", staff_only.id),
            Some(&desk.customer),
        )
        .await;
    assert_eq!(refused.status, StatusCode::OK);
    refused.assert_contains("That template is not available.");
    refused.assert_lacks("New laptop for Kim");

    let started = desk
        .get(
            &format!("/portal/new?template={}", printer.id),
            Some(&desk.customer),
        )
        .await;
    started.assert_contains("value=\"Printer problem: 3rd floor\"");
    started.assert_contains("- Which printer:</textarea>");
    started.assert_contains("<input type=\"hidden\" name=\"ticket_type\" value=\"incident\">");
}
