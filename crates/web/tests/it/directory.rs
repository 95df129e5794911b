//! People, organizations, groups, categories and services.

use crate::support::TestApp;
use serde_json::json;

backend_tests!(
    admins_create_staff_and_agents_create_customers,
    customers_see_only_themselves,
    people_are_changed_within_their_rights,
    organizations_are_admin_written_and_staff_read,
    groups_are_admin_written_and_staff_read,
    categories_form_a_tree_everyone_reads,
    services_are_admin_written_and_route_tickets,
);

async fn admins_create_staff_and_agents_create_customers(t: TestApp) {
    let desk = t.desk().await;
    let agent = t
        .post("/api/v1/users")
        .token(&desk.admin.token)
        .json(json!({"email": "lucia@example.com", "name": "Lucía", "role": "agent", "tier": 2, "group_ids": [desk.network], "password": "a long enough password", "time_zone": "Europe/Madrid", "locale": "es"}))
        .send()
        .await
        .ok(201);
    assert_eq!(agent["role"], "agent");
    assert_eq!(agent["tier"], 2);
    assert_eq!(agent["group_ids"], json!([desk.network]));
    assert!(agent.get("password").is_none() && !agent.to_string().contains("argon2"));

    let customer = t
        .post("/api/v1/users")
        .token(&desk.agent.token)
        .json(json!({"email": "walkin@example.com", "name": "Walk In", "organization_id": desk.organization, "phone": "555-0101"}))
        .send()
        .await
        .ok(201);
    assert_eq!(customer["role"], "customer");
    assert_eq!(customer["tier"], serde_json::Value::Null);
    assert_eq!(customer["locale"], "en");
    assert_eq!(customer["time_zone"], "UTC");

    t.post("/api/v1/users")
        .token(&desk.agent.token)
        .json(json!({"email": "x@example.com", "name": "X", "role": "admin"}))
        .send()
        .await
        .err(403, "forbidden");
    t.post("/api/v1/users")
        .token(&desk.customer.token)
        .json(json!({"email": "y@example.com", "name": "Y"}))
        .send()
        .await
        .err(403, "forbidden");
    t.post("/api/v1/users")
        .token(&desk.admin.token)
        .json(json!({"email": "LUCIA@example.com".to_lowercase(), "name": "Again"}))
        .send()
        .await
        .err(409, "email_taken");
    for (body, field) in [
        (json!({"email": "not-an-email", "name": "Z"}), "email"),
        (json!({"email": "z@example.com", "name": "  "}), "name"),
        (
            json!({"email": "z@example.com", "name": "Z", "role": "agent", "tier": 4}),
            "tier",
        ),
        (
            json!({"email": "z@example.com", "name": "Z", "time_zone": "Mars/Base"}),
            "time_zone",
        ),
        (
            json!({"email": "z@example.com", "name": "Z", "role": "agent", "password": "short"}),
            "password",
        ),
        (
            json!({"email": "z@example.com", "name": "Z", "tier": 1}),
            "tier",
        ),
    ] {
        let error = t
            .post("/api/v1/users")
            .token(&desk.admin.token)
            .json(body)
            .send()
            .await
            .err(422, "invalid_value");
        assert_eq!(error["error"]["field"], field);
    }
    t.post("/api/v1/users")
        .token(&desk.admin.token)
        .json(json!({"email": "z@example.com", "name": "Z", "role": "agent", "group_ids": [98765]}))
        .send()
        .await
        .err(404, "group_not_found");
}

async fn customers_see_only_themselves(t: TestApp) {
    let desk = t.desk().await;
    let me = t
        .get("/api/v1/users/me")
        .token(&desk.customer.token)
        .send()
        .await
        .ok(200);
    assert_eq!(me["id"], desk.customer.id);
    t.get(&format!("/api/v1/users/{}", desk.customer.id))
        .token(&desk.customer.token)
        .send()
        .await
        .ok(200);
    t.get(&format!("/api/v1/users/{}", desk.other_customer.id))
        .token(&desk.customer.token)
        .send()
        .await
        .err(404, "user_not_found");
    t.get(&format!("/api/v1/users/{}", desk.agent.id))
        .token(&desk.customer.token)
        .send()
        .await
        .err(404, "user_not_found");
    let list = t
        .get("/api/v1/users")
        .token(&desk.customer.token)
        .send()
        .await
        .ok(200);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    // Staff search the directory.
    let customers = t
        .get("/api/v1/users?role=customer")
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(customers["items"].as_array().unwrap().len(), 2);
    let in_network = t
        .get(&format!("/api/v1/users?group_id={}", desk.network))
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(in_network["items"][0]["id"], desk.network_agent.id);
    let page = t
        .get("/api/v1/users?limit=2")
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert!(page["next_cursor"].is_string());
    t.get("/api/v1/users/424242")
        .token(&desk.agent.token)
        .send()
        .await
        .err(404, "user_not_found");
    t.get("/api/v1/users/abc")
        .token(&desk.agent.token)
        .send()
        .await
        .err(400, "invalid_path");
    t.get("/api/v1/users?role=boss")
        .token(&desk.agent.token)
        .send()
        .await
        .err(400, "invalid_query");
}

async fn people_are_changed_within_their_rights(t: TestApp) {
    let desk = t.desk().await;
    let path = |id: i64| format!("/api/v1/users/{id}");
    // Anyone corrects their own contact details.
    let me = t
        .patch(&path(desk.customer.id))
        .token(&desk.customer.token)
        .json(json!({"phone": "555-0199", "location": "B3"}))
        .send()
        .await
        .ok(200);
    assert_eq!(me["phone"], "555-0199");
    t.patch(&path(desk.customer.id))
        .token(&desk.customer.token)
        .json(json!({"role": "admin"}))
        .send()
        .await
        .err(403, "forbidden");
    t.patch(&path(desk.other_customer.id))
        .token(&desk.customer.token)
        .json(json!({"phone": "1"}))
        .send()
        .await
        .err(404, "user_not_found");
    // Agents correct customers, not colleagues.
    let cleared = t
        .patch(&path(desk.customer.id))
        .token(&desk.agent.token)
        .json(json!({"phone": null}))
        .send()
        .await
        .ok(200);
    assert_eq!(cleared["phone"], serde_json::Value::Null);
    t.patch(&path(desk.network_agent.id))
        .token(&desk.agent.token)
        .json(json!({"name": "Renamed"}))
        .send()
        .await
        .err(403, "forbidden");
    // Admins change roles and groups, but not their own role.
    let promoted = t
        .patch(&path(desk.agent.id))
        .token(&desk.admin.token)
        .json(json!({"role": "supervisor", "group_ids": [desk.service_desk, desk.network], "tier": 3}))
        .send()
        .await
        .ok(200);
    assert_eq!(promoted["role"], "supervisor");
    assert_eq!(promoted["tier"], 3);
    assert_eq!(promoted["group_ids"].as_array().unwrap().len(), 2);
    t.patch(&path(desk.admin.id))
        .token(&desk.admin.token)
        .json(json!({"role": "agent"}))
        .send()
        .await
        .err(403, "forbidden");
    let demoted = t
        .patch(&path(desk.network_agent.id))
        .token(&desk.admin.token)
        .json(json!({"role": "customer"}))
        .send()
        .await
        .ok(200);
    assert_eq!(demoted["tier"], serde_json::Value::Null);
    assert_eq!(demoted["group_ids"], json!([]));
    t.patch(&path(desk.customer.id))
        .token(&desk.admin.token)
        .json(json!({"email": desk.other_customer.email}))
        .send()
        .await
        .err(409, "email_taken");
    t.patch(&path(desk.customer.id))
        .token(&desk.admin.token)
        .json(json!({"nickname": "x"}))
        .send()
        .await
        .err(422, "invalid_body");
}

async fn organizations_are_admin_written_and_staff_read(t: TestApp) {
    let desk = t.desk().await;
    let org = t
        .post("/api/v1/organizations")
        .token(&desk.admin.token)
        .json(json!({"name": "Globex", "shares_tickets": true}))
        .send()
        .await
        .ok(201);
    let path = format!("/api/v1/organizations/{}", org["id"]);
    t.post("/api/v1/organizations")
        .token(&desk.admin.token)
        .json(json!({"name": "Globex"}))
        .send()
        .await
        .err(409, "name_taken");
    t.post("/api/v1/organizations")
        .token(&desk.agent.token)
        .json(json!({"name": "Initech"}))
        .send()
        .await
        .err(403, "forbidden");
    let changed = t
        .patch(&path)
        .token(&desk.admin.token)
        .json(json!({"shares_tickets": false}))
        .send()
        .await
        .ok(200);
    assert_eq!(changed["shares_tickets"], false);
    assert_eq!(changed["name"], "Globex");
    t.patch(&path)
        .token(&desk.supervisor.token)
        .json(json!({"name": "Mine"}))
        .send()
        .await
        .err(403, "forbidden");
    let listed = t
        .get("/api/v1/organizations")
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);
    t.get("/api/v1/organizations")
        .token(&desk.customer.token)
        .send()
        .await
        .err(403, "forbidden");
    t.get(&format!("/api/v1/organizations/{}", desk.organization))
        .token(&desk.customer.token)
        .send()
        .await
        .ok(200);
    t.get(&path)
        .token(&desk.customer.token)
        .send()
        .await
        .err(404, "organization_not_found");
    t.get("/api/v1/organizations/77777")
        .token(&desk.admin.token)
        .send()
        .await
        .err(404, "organization_not_found");
}

async fn groups_are_admin_written_and_staff_read(t: TestApp) {
    let desk = t.desk().await;
    let group = t
        .post("/api/v1/groups")
        .token(&desk.admin.token)
        .json(json!({"name": "Desktop Support", "tier": 2, "description": "hands-on", "escalates_to": desk.network}))
        .send()
        .await
        .ok(201);
    assert_eq!(group["escalates_to"], desk.network);
    let path = format!("/api/v1/groups/{}", group["id"]);
    let changed = t
        .patch(&path)
        .token(&desk.admin.token)
        .json(json!({"escalates_to": null, "tier": 3}))
        .send()
        .await
        .ok(200);
    assert_eq!(changed["escalates_to"], serde_json::Value::Null);
    assert_eq!(changed["tier"], 3);
    t.patch(&path)
        .token(&desk.admin.token)
        .json(json!({"escalates_to": group["id"]}))
        .send()
        .await
        .err(422, "invalid_value");
    t.post("/api/v1/groups")
        .token(&desk.admin.token)
        .json(json!({"name": "Network", "tier": 2}))
        .send()
        .await
        .err(409, "name_taken");
    t.post("/api/v1/groups")
        .token(&desk.admin.token)
        .json(json!({"name": "Tier zero", "tier": 0}))
        .send()
        .await
        .err(422, "invalid_value");
    t.post("/api/v1/groups")
        .token(&desk.agent.token)
        .json(json!({"name": "Mine", "tier": 1}))
        .send()
        .await
        .err(403, "forbidden");
    let groups = t
        .get("/api/v1/groups")
        .token(&desk.agent.token)
        .send()
        .await
        .ok(200);
    let names: Vec<&str> = groups["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Service Desk", "Network", "Desktop Support"]);
    t.get(&path).token(&desk.agent.token).send().await.ok(200);
    t.get("/api/v1/groups")
        .token(&desk.customer.token)
        .send()
        .await
        .err(403, "forbidden");
    t.get("/api/v1/groups/55555")
        .token(&desk.agent.token)
        .send()
        .await
        .err(404, "group_not_found");
}

async fn categories_form_a_tree_everyone_reads(t: TestApp) {
    let desk = t.desk().await;
    let hardware = t
        .post("/api/v1/categories")
        .token(&desk.admin.token)
        .json(json!({"name": "Hardware"}))
        .send()
        .await
        .ok(201);
    let printer = t
        .post("/api/v1/categories")
        .token(&desk.admin.token)
        .json(json!({"name": "Printer", "parent_id": hardware["id"]}))
        .send()
        .await
        .ok(201);
    assert_eq!(printer["path"], json!(["Hardware", "Printer"]));
    t.post("/api/v1/categories")
        .token(&desk.admin.token)
        .json(json!({"name": "Printer", "parent_id": hardware["id"]}))
        .send()
        .await
        .err(409, "name_taken");
    // The same name under another parent is fine.
    let software = t
        .post("/api/v1/categories")
        .token(&desk.admin.token)
        .json(json!({"name": "Software"}))
        .send()
        .await
        .ok(201);
    t.post("/api/v1/categories")
        .token(&desk.admin.token)
        .json(json!({"name": "Printer", "parent_id": software["id"]}))
        .send()
        .await
        .ok(201);
    t.post("/api/v1/categories")
        .token(&desk.admin.token)
        .json(json!({"name": "Orphan", "parent_id": 31337}))
        .send()
        .await
        .err(404, "category_not_found");
    t.post("/api/v1/categories")
        .token(&desk.agent.token)
        .json(json!({"name": "Mine"}))
        .send()
        .await
        .err(403, "forbidden");
    let all = t
        .get("/api/v1/categories")
        .token(&desk.customer.token)
        .send()
        .await
        .ok(200);
    assert_eq!(all["items"].as_array().unwrap().len(), 4);
    let one = t
        .get(&format!("/api/v1/categories/{}", printer["id"]))
        .token(&desk.customer.token)
        .send()
        .await
        .ok(200);
    assert_eq!(one["parent_id"], hardware["id"]);
    t.get("/api/v1/categories/31337")
        .token(&desk.customer.token)
        .send()
        .await
        .err(404, "category_not_found");
    // Tickets take categories.
    let ticket = t
        .ticket(
            &desk.customer,
            json!({"subject": "Toner", "category_id": printer["id"]}),
        )
        .await;
    assert_eq!(ticket["category_id"], printer["id"]);
    t.post("/api/v1/tickets")
        .token(&desk.customer.token)
        .json(json!({"subject": "Toner", "category_id": 31337}))
        .send()
        .await
        .err(404, "category_not_found");
}

async fn services_are_admin_written_and_route_tickets(t: TestApp) {
    let desk = t.desk().await;
    let helpdesk = t
        .post("/api/v1/groups")
        .token(&desk.admin.token)
        .json(json!({"name": "Email Team", "tier": 1}))
        .send()
        .await
        .ok(201);
    let email = t
        .post("/api/v1/services")
        .token(&desk.admin.token)
        .json(json!({"name": "Email", "description": "Exchange Online", "owner_group_id": helpdesk["id"], "end_of_support": "2030-12-31"}))
        .send()
        .await
        .ok(201);
    assert_eq!(email["support_hours"], "24/7");
    assert_eq!(email["is_supported"], true);
    assert_eq!(email["end_of_support"], "2030-12-31");
    let vpn = t
        .post("/api/v1/services")
        .token(&desk.admin.token)
        .json(json!({"name": "VPN", "owner_group_id": desk.network}))
        .send()
        .await
        .ok(201);
    // A tier-1 owner group takes the ticket; a tier-2 owner does not (first line first).
    let mail_ticket = t
        .ticket(
            &desk.customer,
            json!({"subject": "Mail bounces", "service_id": email["id"]}),
        )
        .await;
    assert_eq!(mail_ticket["group_id"], helpdesk["id"]);
    let vpn_ticket = t
        .ticket(
            &desk.customer,
            json!({"subject": "VPN slow", "service_id": vpn["id"]}),
        )
        .await;
    assert_eq!(
        vpn_ticket["group_id"], helpdesk["id"],
        "first tier-1 group by name: Email Team < Service Desk"
    );

    let path = format!("/api/v1/services/{}", email["id"]);
    let changed = t
        .patch(&path)
        .token(&desk.admin.token)
        .json(
            json!({"is_supported": false, "end_of_support": null, "support_hours": "Mon-Fri 8-17"}),
        )
        .send()
        .await
        .ok(200);
    assert_eq!(changed["is_supported"], false);
    assert_eq!(changed["end_of_support"], serde_json::Value::Null);
    t.patch(&path)
        .token(&desk.agent.token)
        .json(json!({"name": "Mine"}))
        .send()
        .await
        .err(403, "forbidden");
    t.post("/api/v1/services")
        .token(&desk.admin.token)
        .json(json!({"name": "VPN"}))
        .send()
        .await
        .err(409, "name_taken");
    t.post("/api/v1/services")
        .token(&desk.admin.token)
        .json(json!({"name": "Bad date", "end_of_support": "31/12/2030"}))
        .send()
        .await
        .err(422, "invalid_body");
    let all = t
        .get("/api/v1/services")
        .token(&desk.customer.token)
        .send()
        .await
        .ok(200);
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    t.get(&path)
        .token(&desk.customer.token)
        .send()
        .await
        .ok(200);
    t.get("/api/v1/services/4040")
        .token(&desk.customer.token)
        .send()
        .await
        .err(404, "service_not_found");
}
