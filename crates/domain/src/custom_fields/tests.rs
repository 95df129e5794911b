use super::*;

fn field(id: i64, key: &str, kind: FieldKind) -> CustomField {
    CustomField {
        id: CustomFieldId(id),
        spec: CustomFieldSpec {
            key: key.to_owned(),
            label: key.to_owned(),
            kind,
            options: if kind.has_options() {
                vec!["Windows".to_owned(), "macOS".to_owned(), "Linux".to_owned()]
            } else {
                Vec::new()
            },
            required: false,
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

fn check(
    fields: &[CustomField],
    input: &BTreeMap<String, FieldInput>,
) -> Result<Vec<(CustomFieldId, Option<FieldValue>)>, FieldErrors> {
    validate(fields, TicketType::Incident, None, &BTreeMap::new(), input)
}

fn value_of(kind: FieldKind, text: &str) -> Result<Option<FieldValue>, FieldProblem> {
    let fields = [field(1, "f", kind)];
    match check(&fields, &one("f", text)) {
        Ok(mut values) => Ok(values.pop().and_then(|(_, v)| v)),
        Err(FieldErrors(mut errors)) => Err(errors.remove(0).problem),
    }
}

#[test]
fn each_kind_reads_its_values() {
    assert_eq!(
        value_of(FieldKind::Text, " VPN drops "),
        Ok(Some(FieldValue::Text("VPN drops".to_owned())))
    );
    assert_eq!(
        value_of(FieldKind::LongText, "line one\nline two"),
        Ok(Some(FieldValue::Text("line one\nline two".to_owned())))
    );
    assert_eq!(
        value_of(FieldKind::Number, "12.5"),
        Ok(Some(FieldValue::Number(12.5)))
    );
    assert_eq!(
        value_of(FieldKind::Date, "2026-12-24"),
        Ok(Some(FieldValue::Date(jiff::civil::date(2026, 12, 24))))
    );
    assert_eq!(
        value_of(FieldKind::SingleChoice, "macOS"),
        Ok(Some(FieldValue::Choice("macOS".to_owned())))
    );
    assert_eq!(
        value_of(FieldKind::Checkbox, "true"),
        Ok(Some(FieldValue::Checkbox(true)))
    );
    assert_eq!(
        value_of(FieldKind::Checkbox, ""),
        Ok(Some(FieldValue::Checkbox(false)))
    );
    assert_eq!(
        value_of(FieldKind::Person, "7"),
        Ok(Some(FieldValue::Person(UserId(7))))
    );
    assert_eq!(
        value_of(FieldKind::Asset, "3"),
        Ok(Some(FieldValue::Asset(AssetId(3))))
    );
}

#[test]
fn multiple_choice_keeps_the_fields_order_and_each_option_once() {
    let fields = [field(1, "os", FieldKind::MultipleChoice)];
    let input = BTreeMap::from([(
        "os".to_owned(),
        FieldInput::Many(vec!["Linux".into(), "Windows".into(), "Linux".into()]),
    )]);
    let values = check(&fields, &input).expect("valid");
    assert_eq!(
        values,
        vec![(
            CustomFieldId(1),
            Some(FieldValue::Choices(vec!["Windows".into(), "Linux".into()]))
        )]
    );
}

#[test]
fn wrong_types_are_refused_with_what_was_expected() {
    assert_eq!(
        value_of(FieldKind::Number, "many"),
        Err(FieldProblem::WrongType("a number"))
    );
    assert_eq!(
        value_of(FieldKind::Number, "NaN"),
        Err(FieldProblem::WrongType("a number"))
    );
    assert_eq!(
        value_of(FieldKind::Date, "24.12.2026"),
        Err(FieldProblem::WrongType("a date (YYYY-MM-DD)"))
    );
    assert_eq!(
        value_of(FieldKind::Checkbox, "maybe"),
        Err(FieldProblem::WrongType("true or false"))
    );
    assert_eq!(
        value_of(FieldKind::Person, "-1"),
        Err(FieldProblem::WrongType("a person's id"))
    );
    assert_eq!(
        value_of(FieldKind::Text, "two\nlines"),
        Err(FieldProblem::WrongType("one line of text"))
    );
    let fields = [field(1, "n", FieldKind::Number)];
    let many = BTreeMap::from([("n".to_owned(), FieldInput::Many(vec!["1".into()]))]);
    assert!(check(&fields, &many).is_err());
}

#[test]
fn an_option_not_offered_is_refused() {
    assert_eq!(
        value_of(FieldKind::SingleChoice, "BeOS"),
        Err(FieldProblem::UnknownOption("BeOS".to_owned()))
    );
    assert_eq!(
        value_of(FieldKind::MultipleChoice, "windows"),
        Err(FieldProblem::UnknownOption("windows".to_owned()))
    );
}

#[test]
fn required_fields_need_a_value_now_or_already() {
    let mut os = field(1, "os", FieldKind::SingleChoice);
    os.spec.required = true;
    let fields = [os, field(2, "note", FieldKind::Text)];
    let errors = check(&fields, &one("note", "x")).expect_err("os is missing");
    assert_eq!(
        errors.0,
        vec![FieldError {
            key: "os".to_owned(),
            problem: FieldProblem::Required
        }]
    );
    let cleared = BTreeMap::from([("os".to_owned(), FieldInput::Empty)]);
    let current = BTreeMap::from([(CustomFieldId(1), FieldValue::Choice("Linux".to_owned()))]);
    assert!(validate(&fields, TicketType::Incident, None, &current, &cleared).is_err());
    assert!(
        validate(
            &fields,
            TicketType::Incident,
            None,
            &current,
            &one("note", "x")
        )
        .is_ok()
    );
}

#[test]
fn unknown_inactive_and_inapplicable_keys_are_refused() {
    let mut requests_only = field(1, "laptop", FieldKind::Text);
    requests_only.spec.ticket_types = vec![TicketType::ServiceRequest];
    let mut inactive = field(2, "old", FieldKind::Text);
    inactive.spec.active = false;
    let mut printers = field(3, "printer", FieldKind::Text);
    printers.spec.category_ids = vec![CategoryId(9)];
    let fields = [requests_only, inactive, printers];
    for key in ["nope", "laptop", "old", "printer"] {
        let errors = check(&fields, &one(key, "x")).expect_err(key);
        assert_eq!(errors.0[0].problem, FieldProblem::Unknown, "{key}");
    }
    let in_category = validate(
        &fields,
        TicketType::Incident,
        Some(CategoryId(9)),
        &BTreeMap::new(),
        &one("printer", "HP"),
    );
    assert!(in_category.is_ok());
}

#[test]
fn every_refused_field_is_reported_by_key() {
    let fields = [
        field(1, "count", FieldKind::Number),
        field(2, "os", FieldKind::SingleChoice),
    ];
    let input = BTreeMap::from([
        ("os".to_owned(), FieldInput::One("BeOS".to_owned())),
        ("count".to_owned(), FieldInput::One("x".to_owned())),
    ]);
    let errors = check(&fields, &input).expect_err("both wrong");
    let keys: Vec<&str> = errors.0.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["count", "os"]);
}

#[test]
fn stored_values_read_back() {
    let values = [
        (FieldKind::Number, FieldValue::Number(3.0)),
        (
            FieldKind::Date,
            FieldValue::Date(jiff::civil::date(2027, 1, 2)),
        ),
        (
            FieldKind::MultipleChoice,
            FieldValue::Choices(vec!["a".into(), "b".into()]),
        ),
        (FieldKind::Checkbox, FieldValue::Checkbox(true)),
        (FieldKind::Person, FieldValue::Person(UserId(4))),
    ];
    for (kind, value) in values {
        assert_eq!(
            FieldValue::from_stored(kind, &value.to_stored()),
            Some(value)
        );
    }
    assert_eq!(FieldValue::Number(3.0).to_stored(), "3");
}

#[test]
fn definitions_are_checked() {
    let mut spec = field(1, "os", FieldKind::SingleChoice).spec;
    assert_eq!(spec.check(), Ok(()));
    spec.key = "Operating System".to_owned();
    assert_eq!(spec.check(), Err(SpecError::BadKey));
    spec.key = "os".to_owned();
    spec.options = vec!["a".into(), "a".into()];
    assert_eq!(spec.check(), Err(SpecError::BadOptions));
    spec.options.clear();
    assert_eq!(spec.check(), Err(SpecError::BadOptions));
    spec.kind = FieldKind::Text;
    spec.options = vec!["a".into()];
    assert_eq!(spec.check(), Err(SpecError::UnexpectedOptions));
}
