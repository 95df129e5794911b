//! The OpenAPI document describes the wire: enum schemas list exactly the values serde
//! reads and writes, and parameters are where the requests carry them.

use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The served document, as JSON.
fn document() -> Value {
    serde_json::to_value(ferrodesk_web::openapi()).unwrap()
}

/// Every operation: (path, method, operation).
fn operations(document: &Value) -> Vec<(String, String, Value)> {
    let mut all = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if ["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                all.push((path.clone(), method.clone(), operation.clone()));
            }
        }
    }
    assert!(all.len() > 50, "only {} operations", all.len());
    all
}

/// The values a string-enum schema allows: `enum`, or a `oneOf` of `const`/`enum`s.
fn enum_values(schema: &Value) -> Option<BTreeSet<String>> {
    if let Some(values) = schema["enum"].as_array() {
        return Some(
            values
                .iter()
                .map(|v| v.as_str().unwrap().to_owned())
                .collect(),
        );
    }
    let variants = schema["oneOf"].as_array()?;
    let mut values = BTreeSet::new();
    for variant in variants {
        if let Some(value) = variant["const"].as_str() {
            values.insert(value.to_owned());
        } else {
            values.extend(enum_values(variant)?);
        }
    }
    Some(values)
}

/// Checks one API enum against the domain enum it mirrors: its schema lists exactly the
/// domain's texts, and each text goes through serde into the API type, converts to the
/// domain value with that text, and back out as the same text.
macro_rules! mirrors {
    ($document:expr, $($api:ident => $domain:ty),+ $(,)?) => {{
        let mut checked = BTreeSet::new();
        $({
            use ferrodesk_web::types::$api;
            let name = stringify!($api);
            let schema = &$document["components"]["schemas"][name];
            let listed = enum_values(schema)
                .unwrap_or_else(|| panic!("{name} is not an enum schema: {schema}"));
            let texts: BTreeSet<String> =
                <$domain>::ALL.iter().map(|d| d.as_str().to_owned()).collect();
            assert_eq!(listed, texts, "{name} lists other values than serde reads");
            assert_eq!($api::ALL.len(), <$domain>::ALL.len(), "{name}");
            for text in &listed {
                let api: $api = serde_json::from_value(json!(text))
                    .unwrap_or_else(|e| panic!("{name}: serde refuses documented {text}: {e}"));
                let domain: $domain = api.into();
                assert_eq!(domain.as_str(), text, "{name}");
                assert_eq!(serde_json::to_value($api::from(domain)).unwrap(), json!(text));
            }
            checked.insert(name);
        })+
        checked
    }};
}

#[test]
fn enum_schemas_list_exactly_what_serde_reads_and_writes() {
    use ferrodesk_domain as d;
    let document = document();
    let checked = mirrors!(document,
        Status => d::TicketStatus,
        TicketKind => d::TicketType,
        Channel => d::Channel,
        Impact => d::Impact,
        Urgency => d::Urgency,
        Priority => d::Priority,
        Role => d::Role,
        Visibility => d::Visibility,
        CallDirection => d::CallDirection,
        LinkKind => d::LinkKind,
        NewLinkKind => ferrodesk_app::LinkRequestKind,
        EscalationKind => d::EscalationKind,
        ArticleKind => d::ArticleKind,
        ArticleStatus => d::ArticleStatus,
        AssetKind => d::AssetType,
    );
    assert_eq!(checked.len(), 15);

    // The other enums (sort orders, SLA states...) derive their names with serde's
    // `rename_all = "snake_case"`: no value anywhere in the document may be spelled
    // like a Rust variant.
    let mut stack = vec![&document];
    let mut enums = 0;
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(map) => {
                if let Some(values) = enum_values(value) {
                    enums += 1;
                    for text in values {
                        assert!(
                            !text.starts_with(|c: char| c.is_ascii_uppercase()),
                            "enum value {text} is spelled like a Rust variant in {value}"
                        );
                    }
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    assert!(enums >= 17, "only {enums} enum schemas found");
}

/// The names in a path template: `/tickets/{id}/links/{other}` → `{id, other}`.
fn template_names(path: &str) -> BTreeSet<String> {
    path.split('{')
        .skip(1)
        .map(|rest| rest.split('}').next().unwrap().to_owned())
        .collect()
}

#[test]
fn path_parameters_are_exactly_the_path_template() {
    let document = document();
    for (path, method, operation) in operations(&document) {
        let parameters = operation["parameters"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let in_path: BTreeSet<String> = parameters
            .iter()
            .filter(|p| p["in"] == "path")
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            in_path,
            template_names(&path),
            "{method} {path}: path parameters do not match the template"
        );
        for parameter in &parameters {
            assert!(
                ["path", "query", "header"].contains(&parameter["in"].as_str().unwrap()),
                "{method} {path}: {parameter}"
            );
        }
    }
}
