use super::*;
use crate::{CustomFieldId, CustomFieldSpec, FieldKind};

fn spec() -> TemplateSpec {
    TemplateSpec {
        name: "New laptop".to_owned(),
        description: "Order a laptop for someone".to_owned(),
        subject: "New laptop for ".to_owned(),
        body: "- Model:\n- User:\n- Needed by:".to_owned(),
        category_id: Some(CategoryId(3)),
        ticket_type: Some(TicketType::ServiceRequest),
        priority: Some(Priority::P3),
        custom_values: BTreeMap::new(),
        audience: TemplateAudience::Both,
        active: true,
        position: 0,
    }
}

fn field(id: i64, key: &str, kind: FieldKind) -> CustomField {
    CustomField {
        id: CustomFieldId(id),
        spec: CustomFieldSpec {
            key: key.to_owned(),
            label: key.to_owned(),
            kind,
            options: if kind.has_options() {
                vec!["Windows".to_owned(), "macOS".to_owned()]
            } else {
                Vec::new()
            },
            required: true,
            customer_visible: true,
            ticket_types: Vec::new(),
            category_ids: Vec::new(),
            position: id,
            active: true,
        },
        created_at: Timestamp::UNIX_EPOCH,
        updated_at: Timestamp::UNIX_EPOCH,
    }
}

fn one(key: &str, text: &str) -> BTreeMap<String, FieldInput> {
    BTreeMap::from([(key.to_owned(), FieldInput::One(text.to_owned()))])
}

fn problem_of(result: Result<BTreeMap<String, String>, FieldErrors>) -> FieldProblem {
    let errors = result.expect_err("the value should be refused");
    errors.0[0].problem.clone()
}

#[test]
fn a_template_needs_a_name_of_at_most_80_characters() {
    let mut blank = spec();
    blank.name = "   ".to_owned();
    assert_eq!(blank.check(), Err(TemplateError::BadName));
    let mut long = spec();
    long.name = "x".repeat(81);
    assert_eq!(long.check(), Err(TemplateError::BadName));
    long.name = "x".repeat(80);
    assert_eq!(long.check(), Ok(()));
}

#[test]
fn the_subject_is_one_line_within_a_tickets_limit_and_the_other_texts_are_bounded() {
    let mut two_lines = spec();
    two_lines.subject = "one\ntwo".to_owned();
    assert_eq!(two_lines.check(), Err(TemplateError::BadSubject));
    let mut long_subject = spec();
    long_subject.subject = "s".repeat(201);
    assert_eq!(long_subject.check().map_err(|e| e.field()), Err("subject"));
    let mut long_description = spec();
    long_description.description = "d".repeat(301);
    assert_eq!(
        long_description.check().map_err(|e| e.field()),
        Err("description")
    );
    let mut long_body = spec();
    long_body.body = "b".repeat(20_001);
    assert_eq!(long_body.check().map_err(|e| e.field()), Err("body"));
}

#[test]
fn trimming_keeps_the_outlines_inner_layout() {
    let mut padded = spec();
    padded.name = "  New laptop ".to_owned();
    padded.body = "  - Model:\n  - User:\n\n".to_owned();
    let trimmed = padded.trimmed();
    assert_eq!(trimmed.name, "New laptop");
    assert_eq!(trimmed.body, "  - Model:\n  - User:");
}

#[test]
fn the_priority_becomes_impact_and_urgency_that_give_it_back() {
    for priority in Priority::ALL {
        let (impact, urgency) = impact_urgency_for(*priority);
        assert_eq!(Priority::from_matrix(impact, urgency), *priority);
    }
    let mut none = spec();
    none.priority = None;
    assert_eq!(none.impact_urgency(), None);
}

#[test]
fn audiences_say_who_sees_the_template() {
    assert!(TemplateAudience::Staff.for_staff());
    assert!(!TemplateAudience::Staff.for_customers());
    assert!(TemplateAudience::Customers.for_customers());
    assert!(!TemplateAudience::Customers.for_staff());
    assert!(TemplateAudience::Both.for_staff() && TemplateAudience::Both.for_customers());
}

#[test]
fn custom_values_are_stored_typed_and_a_required_field_may_stay_empty() {
    let fields = [
        field(1, "os", FieldKind::SingleChoice),
        field(2, "ram_gb", FieldKind::Number),
    ];
    let values = check_custom_values(&fields, &spec(), &one("os", "macOS")).unwrap();
    assert_eq!(
        values,
        BTreeMap::from([("os".to_owned(), "macOS".to_owned())])
    );
    let empty = check_custom_values(&fields, &spec(), &one("ram_gb", " ")).unwrap();
    assert!(empty.is_empty());
}

#[test]
fn an_unknown_key_or_a_bad_value_is_refused_by_key() {
    let fields = [
        field(1, "os", FieldKind::SingleChoice),
        field(2, "ram_gb", FieldKind::Number),
    ];
    assert_eq!(
        problem_of(check_custom_values(&fields, &spec(), &one("colour", "red"))),
        FieldProblem::Unknown
    );
    assert_eq!(
        problem_of(check_custom_values(&fields, &spec(), &one("os", "Amiga"))),
        FieldProblem::UnknownOption("Amiga".to_owned())
    );
    let errors = check_custom_values(&fields, &spec(), &one("ram_gb", "lots")).unwrap_err();
    assert_eq!(errors.0[0].key, "ram_gb");
    assert_eq!(errors.0[0].problem, FieldProblem::WrongType("a number"));
}

#[test]
fn a_field_must_fit_the_templates_type_category_and_audience() {
    let mut incidents_only = field(1, "os", FieldKind::Text);
    incidents_only.spec.ticket_types = vec![TicketType::Incident];
    let mut other_category = field(2, "room", FieldKind::Text);
    other_category.spec.category_ids = vec![CategoryId(99)];
    let mut staff_only = field(3, "cost_centre", FieldKind::Text);
    staff_only.spec.customer_visible = false;
    let mut inactive = field(4, "old", FieldKind::Text);
    inactive.spec.active = false;
    let fields = [incidents_only, other_category, staff_only, inactive];
    for key in ["os", "room", "old"] {
        assert_eq!(
            problem_of(check_custom_values(&fields, &spec(), &one(key, "x"))),
            FieldProblem::Unknown,
            "{key}"
        );
    }
    assert!(check_custom_values(&fields, &spec(), &one("cost_centre", "42")).is_ok());
    let mut for_customers = spec();
    for_customers.audience = TemplateAudience::Customers;
    assert_eq!(
        problem_of(check_custom_values(
            &fields,
            &for_customers,
            &one("cost_centre", "42")
        )),
        FieldProblem::Unknown
    );
}
