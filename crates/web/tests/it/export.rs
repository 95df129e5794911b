//! `GET /api/v1/tickets/export.csv`: the filtered tickets as CSV in the caller's
//! columns, only those they may see, staff only.

use crate::support::TestApp;
use axum::http::Method;
use serde_json::json;

backend_tests!(
    the_export_holds_the_filtered_tickets_in_the_chosen_columns,
    the_export_holds_only_tickets_the_agent_may_see,
    the_export_refuses_customers_and_bad_filters,
    the_export_has_a_column_per_custom_field_with_readable_values,
);

fn records(text: &str) -> Vec<Vec<String>> {
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

fn headers(text: &str) -> Vec<String> {
    csv::Reader::from_reader(text.as_bytes())
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect()
}

async fn the_export_holds_the_filtered_tickets_in_the_chosen_columns(t: TestApp) {
    let desk = t.desk().await;
    let vpn = t
        .ticket(
            &desk.agent,
            json!({"subject": "VPN drops, \"again\"", "requester_id": desk.customer.id, "group_id": desk.service_desk}),
        )
        .await;
    t.patch(&format!("/api/v1/tickets/{}", vpn["id"]))
        .token(&desk.agent.token)
        .json(json!({"tags": ["vpn", "remote"], "assignee_id": desk.agent.id}))
        .send()
        .await
        .ok(200);
    t.ticket(
        &desk.agent,
        json!({"subject": "Printer jams", "requester_id": desk.customer.id, "group_id": desk.service_desk}),
    )
    .await;
    t.call(Method::PUT, "/api/v1/me/queue-columns")
        .token(&desk.agent.token)
        .json(json!({"columns": ["subject", "requester", "assignee", "tags", "created"]}))
        .send()
        .await
        .ok(200);

    let response = t
        .get("/api/v1/tickets/export.csv?tag=vpn")
        .token(&desk.agent.token)
        .send()
        .await;
    assert_eq!(response.status, 200, "{}", response.text);
    assert_eq!(
        response.header("content-type"),
        Some("text/csv; charset=utf-8")
    );
    let disposition = response.header("content-disposition").unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"tickets-")
            && disposition.ends_with(".csv\""),
        "{disposition}"
    );
    assert_eq!(
        headers(&response.text),
        [
            "Ticket",
            "Subject",
            "Requester",
            "Assignee",
            "Tags",
            "Created"
        ]
    );
    let rows = records(&response.text);
    assert_eq!(rows.len(), 1, "{}", response.text);
    let row = &rows[0];
    assert_eq!(row[0], vpn["number"].as_str().unwrap());
    assert_eq!(row[1], "VPN drops, \"again\"");
    let requester = t
        .get(&format!("/api/v1/users/{}", desk.customer.id))
        .token(&desk.admin.token)
        .send()
        .await
        .ok(200);
    assert_eq!(row[2], requester["name"].as_str().unwrap());
    assert!(!row[3].is_empty() && !row[3].chars().all(|c| c.is_ascii_digit()));
    assert_eq!(row[4], "vpn, remote");
    assert!(
        jiff::Zoned::strptime("%Y-%m-%dT%H:%M:%S%:z", &row[5]).is_ok()
            || row[5].parse::<jiff::Timestamp>().is_ok(),
        "{}",
        row[5]
    );
}

async fn the_export_holds_only_tickets_the_agent_may_see(t: TestApp) {
    let desk = t.desk().await;
    let ours = t
        .ticket(
            &desk.agent,
            json!({"subject": "Ours", "requester_id": desk.customer.id, "group_id": desk.service_desk}),
        )
        .await;
    t.ticket(
        &desk.admin,
        json!({"subject": "Theirs", "requester_id": desk.customer.id, "group_id": desk.network}),
    )
    .await;
    let response = t
        .get("/api/v1/tickets/export.csv")
        .token(&desk.agent.token)
        .send()
        .await;
    assert_eq!(response.status, 200, "{}", response.text);
    let numbers: Vec<String> = records(&response.text)
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(numbers, [ours["number"].as_str().unwrap()]);
    let everything = t
        .get("/api/v1/tickets/export.csv")
        .token(&desk.supervisor.token)
        .send()
        .await;
    assert_eq!(records(&everything.text).len(), 2);
}

async fn the_export_refuses_customers_and_bad_filters(t: TestApp) {
    let desk = t.desk().await;
    t.get("/api/v1/tickets/export.csv")
        .token(&desk.customer.token)
        .send()
        .await
        .err(403, "forbidden");
    t.get("/api/v1/tickets/export.csv?status=sleeping")
        .token(&desk.agent.token)
        .send()
        .await
        .err(400, "invalid_query");
    t.get("/api/v1/tickets/export.csv?created_from=yesterday")
        .token(&desk.agent.token)
        .send()
        .await
        .err(400, "invalid_query");
}

/// After the chosen columns, one per custom field the agent sees, in the desk's
/// order: a choice as written, a person by name, empty where a ticket has no value.
async fn the_export_has_a_column_per_custom_field_with_readable_values(t: TestApp) {
    let desk = t.desk().await;
    for field in [
        json!({"key": "os", "label": "Operating system", "kind": "single_choice",
               "options": ["Windows", "Linux"], "position": 1}),
        json!({"key": "contact", "label": "On-site contact", "kind": "person", "position": 2}),
    ] {
        t.post("/api/v1/custom-fields")
            .token(&desk.admin.token)
            .json(field)
            .send()
            .await
            .ok(201);
    }
    let filled = t
        .ticket(
            &desk.agent,
            json!({"subject": "Laptop will not boot", "requester_id": desk.customer.id,
                   "custom_fields": {"os": "Linux", "contact": desk.agent.id}}),
        )
        .await;
    let empty = t
        .ticket(
            &desk.agent,
            json!({"subject": "Laptop fan loud", "requester_id": desk.customer.id}),
        )
        .await;
    t.call(Method::PUT, "/api/v1/me/queue-columns")
        .token(&desk.agent.token)
        .json(json!({"columns": ["subject"]}))
        .send()
        .await
        .ok(200);
    let response = t
        .get("/api/v1/tickets/export.csv?q=Laptop")
        .token(&desk.agent.token)
        .send()
        .await;
    assert_eq!(response.status, 200, "{}", response.text);
    assert_eq!(
        headers(&response.text),
        ["Ticket", "Subject", "Operating system", "On-site contact"]
    );
    let agent = t
        .get(&format!("/api/v1/users/{}", desk.agent.id))
        .token(&desk.admin.token)
        .send()
        .await
        .ok(200);
    let rows = records(&response.text);
    let row_of = |ticket: &serde_json::Value| {
        rows.iter()
            .find(|r| r[0] == ticket["number"].as_str().unwrap())
            .cloned()
            .unwrap_or_else(|| panic!("{} missing: {}", ticket["number"], response.text))
    };
    let row = row_of(&filled);
    assert_eq!(row[2], "Linux");
    assert_eq!(row[3], agent["name"].as_str().unwrap());
    let row = row_of(&empty);
    assert_eq!(row[2..], ["", ""]);
}
