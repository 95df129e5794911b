//! The OpenAPI document describes the wire: enum schemas list exactly the values serde
//! reads and writes, parameters are where the requests carry them, and every error an
//! operation answers is documented with the `ErrorBody` schema.

use crate::support::TestApp;
use axum::http::Method;
use serde_json::{Value, json};
use std::collections::BTreeSet;

backend_tests!(every_answer_to_a_bad_request_is_documented);

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
        NotificationKind => d::NotificationKind,
    );
    assert_eq!(checked.len(), 16);

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

/// Whether `status` is documented with the `ErrorBody` schema.
fn documents_error(operation: &Value, status: &str) -> bool {
    operation["responses"][status]["content"]["application/json"]["schema"]["$ref"]
        == "#/components/schemas/ErrorBody"
}

#[test]
fn every_error_status_is_documented_with_the_error_body() {
    let document = document();
    for (path, method, operation) in operations(&document) {
        let responses = operation["responses"].as_object().unwrap();
        // (`/healthz` answers 503 with its own `Health` body, for load balancers.)
        let errors = responses
            .keys()
            .filter(|s| !s.starts_with('2') && path.starts_with("/api/"));
        for status in errors {
            assert!(
                documents_error(&operation, status),
                "{method} {path}: {status} is not documented as an ErrorBody"
            );
        }
        let body = &operation["requestBody"]["content"];
        if body.get("application/json").is_some() {
            for status in ["400", "413", "415", "422"] {
                assert!(
                    documents_error(&operation, status),
                    "{method} {path} reads JSON but does not document {status}"
                );
            }
        } else if body.is_object() {
            assert!(documents_error(&operation, "413"), "{method} {path}");
        }
        let parameters = operation["parameters"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if !parameters.is_empty() {
            assert!(
                documents_error(&operation, "400"),
                "{method} {path} has parameters but does not document 400"
            );
        }
        if operation.get("security").is_none() {
            assert!(documents_error(&operation, "401"), "{method} {path}");
        }
    }
}

/// `path` with every `{name}` replaced by `value`.
fn fill(path: &str, value: &str) -> String {
    let mut filled = path.to_owned();
    for name in template_names(path) {
        filled = filled.replace(&format!("{{{name}}}"), value);
    }
    filled
}

/// Sends bad requests to every operation, as an admin (so extractors, not permissions,
/// answer) and anonymously, and checks that each answer's status is documented for the
/// operation and carries an error body. Where only one answer is right (a non-JSON body
/// is 415, broken JSON 400, JSON of the wrong shape 422), that exact status is required.
async fn every_answer_to_a_bad_request_is_documented(t: TestApp) {
    let desk = t.desk().await;
    let ticket = t
        .ticket(
            &desk.admin,
            json!({"subject": "Probe", "impact": "individual", "urgency": "low"}),
        )
        .await;
    let id = ticket["id"].as_i64().unwrap().to_string();
    let document = document();
    let mut probes = 0;
    for (path, method, operation) in operations(&document) {
        let method: Method = method.to_uppercase().parse().unwrap();
        let documented: BTreeSet<u16> = operation["responses"]
            .as_object()
            .unwrap()
            .keys()
            .map(|s| s.parse().unwrap())
            .collect();
        let check = |answer: crate::support::Resp, what: &str, exact: Option<u16>| {
            assert!(
                documented.contains(&answer.status),
                "{method} {path} {what}: answered {} which is not documented ({documented:?}): {}",
                answer.status,
                answer.text
            );
            if let Some(status) = exact {
                assert_eq!(
                    answer.status, status,
                    "{method} {path} {what}: {}",
                    answer.text
                );
            }
            if answer.status >= 400 {
                assert!(
                    answer.body["error"]["code"].is_string()
                        && answer.body["error"]["message"].is_string(),
                    "{method} {path} {what}: not an error body: {}",
                    answer.text
                );
            }
        };
        let concrete = fill(&path, &id);
        if operation.get("security").is_none() {
            let answer = t.call(method.clone(), &concrete).send().await;
            check(answer, "without credentials", Some(401));
            probes += 1;
        }
        if !template_names(&path).is_empty() {
            let answer = t
                .call(method.clone(), &fill(&path, "not-a-number"))
                .token(&desk.admin.token)
                .json(json!({}))
                .send()
                .await;
            check(answer, "with a bad path parameter", None);
            probes += 1;
        }
        let has_query = operation["parameters"]
            .as_array()
            .is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"));
        if has_query {
            let answer = t
                .call(method.clone(), &format!("{concrete}?limit=many&unknown=1"))
                .token(&desk.admin.token)
                .send()
                .await;
            check(answer, "with a bad query", Some(400));
            probes += 1;
        }
        if operation["requestBody"]["content"]
            .get("application/json")
            .is_some()
        {
            for (content_type, body, what, status) in [
                ("text/plain", "{}", "with a text body", 415),
                ("application/json", "{", "with broken JSON", 400),
                (
                    "application/json",
                    "\"?\"",
                    "with JSON of the wrong shape",
                    422,
                ),
            ] {
                let answer = t
                    .call(method.clone(), &concrete)
                    .token(&desk.admin.token)
                    .raw(content_type, body)
                    .send()
                    .await;
                check(answer, what, Some(status));
                probes += 1;
            }
        }
    }
    assert!(probes > 150, "only {probes} probes");
}
