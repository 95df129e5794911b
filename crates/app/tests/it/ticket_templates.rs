//! Ticket templates: admins manage them, staff and customers each list the active
//! ones meant for them, and bad input changes nothing.

use ferrodesk_app::{App, AppError, Move, TemplateInput, TemplatePatch};
use ferrodesk_domain::{
    Actor, CategoryId, CustomFieldSpec, FieldInput, FieldKind, Priority, TemplateAudience,
    TicketTemplateId, TicketType,
};
use ferrodesk_testing::fixtures::{TestDesk, add_actor, person};
use std::collections::BTreeMap;

struct Desk {
    app: App,
    admin: Actor,
    supervisor: Actor,
    agent: Actor,
    customer: Actor,
    _dir: tempfile::TempDir,
}

async fn desk() -> Desk {
    let desk = TestDesk::sqlite().await;
    let app = desk.app;
    let admin = add_actor(&app, person("boss@desk.example", "admin")).await;
    let supervisor = add_actor(&app, person("lead@desk.example", "supervisor")).await;
    let agent = add_actor(&app, person("agent@desk.example", "agent")).await;
    let customer = add_actor(&app, person("kim@customer.example", "customer")).await;
    Desk {
        app,
        admin,
        supervisor,
        agent,
        customer,
        _dir: desk.dir,
    }
}

fn input(name: &str, audience: TemplateAudience) -> TemplateInput {
    TemplateInput {
        name: name.to_owned(),
        description: format!("{name} in a few words"),
        subject: format!("{name}: "),
        body: "- What:\n- When:".to_owned(),
        ticket_type: Some(TicketType::ServiceRequest),
        priority: Some(Priority::P3),
        audience,
        ..TemplateInput::default()
    }
}

async fn names(app: &App, actor: &Actor) -> Vec<String> {
    app.ticket_templates()
        .offered(actor)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.spec.name)
        .collect()
}

#[tokio::test]
async fn only_admins_manage_templates() {
    let desk = desk().await;
    let templates = desk.app.ticket_templates();
    for actor in [&desk.supervisor, &desk.agent, &desk.customer] {
        let err = templates
            .create(actor, input("Mine", TemplateAudience::Both))
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::Forbidden { .. }), "{err:?}");
    }
    let made = templates
        .create(&desk.admin, input("Printer", TemplateAudience::Both))
        .await
        .unwrap();
    for actor in [&desk.supervisor, &desk.agent, &desk.customer] {
        let err = templates
            .update(actor, made.id, TemplatePatch::default())
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::Forbidden { .. }), "{err:?}");
        let err = templates.delete(actor, made.id).await.unwrap_err();
        assert!(matches!(err, AppError::Forbidden { .. }), "{err:?}");
    }
    assert_eq!(templates.list(&desk.admin).await.unwrap(), vec![made]);
}

#[tokio::test]
async fn staff_and_customers_each_see_the_active_templates_meant_for_them() {
    let desk = desk().await;
    let templates = desk.app.ticket_templates();
    let onboarding = templates
        .create(&desk.admin, input("Onboarding", TemplateAudience::Staff))
        .await
        .unwrap();
    templates
        .create(&desk.admin, input("Printer", TemplateAudience::Both))
        .await
        .unwrap();
    templates
        .create(&desk.admin, input("Password", TemplateAudience::Customers))
        .await
        .unwrap();
    let mut retired = input("Fax", TemplateAudience::Both);
    retired.active = false;
    let retired = templates.create(&desk.admin, retired).await.unwrap();

    assert_eq!(
        names(&desk.app, &desk.agent).await,
        ["Onboarding", "Printer"]
    );
    assert_eq!(
        names(&desk.app, &desk.admin).await,
        ["Onboarding", "Printer"]
    );
    assert_eq!(
        names(&desk.app, &desk.customer).await,
        ["Printer", "Password"]
    );
    assert_eq!(templates.list(&desk.admin).await.unwrap().len(), 4);

    let err = templates
        .get(&desk.customer, onboarding.id)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::NotFound { .. }), "{err:?}");
    let err = templates.get(&desk.agent, retired.id).await.unwrap_err();
    assert!(matches!(err, AppError::NotFound { .. }), "{err:?}");
    let err = templates
        .start_from(&desk.admin, retired.id)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::NotFound { .. }), "{err:?}");
    assert_eq!(
        templates.get(&desk.admin, retired.id).await.unwrap(),
        retired
    );
}

#[tokio::test]
async fn bad_input_names_the_field_and_saves_nothing() {
    let desk = desk().await;
    let templates = desk.app.ticket_templates();
    desk.app
        .custom_fields()
        .create(
            &desk.admin,
            CustomFieldSpec {
                key: "ram_gb".to_owned(),
                label: "Memory".to_owned(),
                kind: FieldKind::Number,
                options: Vec::new(),
                required: true,
                customer_visible: false,
                ticket_types: Vec::new(),
                category_ids: Vec::new(),
                position: 1,
                active: true,
            },
        )
        .await
        .unwrap();
    let cases = [
        (input("  ", TemplateAudience::Both), "name"),
        (
            TemplateInput {
                category_id: Some(CategoryId(999)),
                ..input("Laptop", TemplateAudience::Both)
            },
            "category_id",
        ),
        (
            TemplateInput {
                custom_fields: BTreeMap::from([(
                    "colour".to_owned(),
                    FieldInput::One("red".to_owned()),
                )]),
                ..input("Laptop", TemplateAudience::Both)
            },
            "custom_fields.colour",
        ),
        (
            TemplateInput {
                custom_fields: BTreeMap::from([(
                    "ram_gb".to_owned(),
                    FieldInput::One("lots".to_owned()),
                )]),
                ..input("Laptop", TemplateAudience::Both)
            },
            "custom_fields.ram_gb",
        ),
    ];
    for (given, expected) in cases {
        let err = templates.create(&desk.admin, given).await.unwrap_err();
        let AppError::Invalid { field, .. } = err else {
            panic!("{expected}: {err:?}");
        };
        assert_eq!(field, expected);
    }
    assert!(templates.list(&desk.admin).await.unwrap().is_empty());

    // A required field may be left for the person; a good value is kept typed.
    let laptop = templates
        .create(
            &desk.admin,
            TemplateInput {
                custom_fields: BTreeMap::from([(
                    "ram_gb".to_owned(),
                    FieldInput::One("16".to_owned()),
                )]),
                ..input("Laptop", TemplateAudience::Staff)
            },
        )
        .await
        .unwrap();
    assert_eq!(laptop.spec.custom_values["ram_gb"], "16");
    let values = templates.custom_values(&desk.agent, &laptop).await.unwrap();
    assert_eq!(values.len(), 1);
    assert_eq!(values[0].1.to_string(), "16");

    // A staff-only value cannot go to a template only customers use.
    let err = templates
        .update(
            &desk.admin,
            laptop.id,
            TemplatePatch {
                audience: Some(TemplateAudience::Customers),
                ..TemplatePatch::default()
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AppError::Invalid { field, .. } if field == "custom_fields.ram_gb"),
        "{err:?}"
    );
    let kept = templates.get(&desk.admin, laptop.id).await.unwrap();
    assert_eq!(kept, laptop);
}

#[tokio::test]
async fn templates_move_up_and_down_and_are_deleted() {
    let desk = desk().await;
    let templates = desk.app.ticket_templates();
    let mut ids = Vec::new();
    for name in ["A", "B", "C"] {
        let made = templates
            .create(&desk.admin, input(name, TemplateAudience::Both))
            .await
            .unwrap();
        ids.push(made.id);
    }
    templates
        .move_to(&desk.admin, ids[2], Move::Up)
        .await
        .unwrap();
    assert_eq!(names(&desk.app, &desk.agent).await, ["A", "C", "B"]);
    templates
        .move_to(&desk.admin, ids[0], Move::Up)
        .await
        .unwrap();
    templates
        .move_to(&desk.admin, ids[0], Move::Down)
        .await
        .unwrap();
    assert_eq!(names(&desk.app, &desk.agent).await, ["C", "A", "B"]);
    let err = templates
        .move_to(&desk.agent, ids[0], Move::Down)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Forbidden { .. }), "{err:?}");

    templates.delete(&desk.admin, ids[1]).await.unwrap();
    assert_eq!(names(&desk.app, &desk.agent).await, ["C", "A"]);
    let err = templates.delete(&desk.admin, ids[1]).await.unwrap_err();
    assert!(matches!(err, AppError::NotFound { .. }), "{err:?}");
    let err = templates
        .delete(&desk.admin, TicketTemplateId(4242))
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::NotFound { .. }), "{err:?}");
}
