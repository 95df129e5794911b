//! One write pipeline for every channel: a ticket opened through the JSON API, the
//! portal, the agent workspace, a logged phone call or walk-in, the mail gateway and
//! an IMAP mailbox is routed by the same routing rule, assigned by the same group's
//! assignment mode and escalated by the same complaint rule, with the same in-app
//! notification. Driven through the real binary as people and tools use it.

use crate::desk::{Backend, Desk, cli};
use serde_json::{Value, json};

/// The desk's set-up: one routing rule to the network group, one that makes
/// complaints of complaints, one complaint escalation rule.
struct Setup {
    token: String,
    service_desk: i64,
    network: i64,
    service_management: i64,
    network_agent: i64,
    complaints_agent: i64,
    supervisor_token: String,
    customer: (String, String),
    agent: (String, String),
}

const PASSWORD: &str = "channel-test-password";

async fn person(desk: &Desk, token: &str, body: Value) -> i64 {
    desk.post(token, "/api/v1/users", body)
        .await
        .expect_status(201)
        .json()["id"]
        .as_i64()
        .unwrap()
}

async fn group(desk: &Desk, token: &str, name: &str, tier: i64, escalates_to: Option<i64>) -> i64 {
    desk.post(
        token,
        "/api/v1/groups",
        json!({"name": name, "tier": tier, "escalates_to": escalates_to}),
    )
    .await
    .expect_status(201)
    .json()["id"]
        .as_i64()
        .unwrap()
}

async fn set_up(desk: &Desk, backend: &Backend) -> Setup {
    let token = desk.admin_token(backend);
    let service_management = group(desk, &token, "Service management", 2, None).await;
    let service_desk = group(desk, &token, "Service desk", 1, Some(service_management)).await;
    let network = group(desk, &token, "Network", 2, None).await;
    for id in [network, service_management] {
        let response = desk
            .client
            .put(desk.url(&format!("/api/v1/groups/{id}/assignment")))
            .bearer_auth(&token)
            .json(&json!({"mode": "least_loaded"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    }
    let staff = |email: &str, name: &str, role: &str, tier: i64, groups: Vec<i64>| {
        json!({"email": email, "name": name, "role": role, "tier": tier,
               "group_ids": groups, "password": PASSWORD})
    };
    let network_agent = person(
        desk,
        &token,
        staff("bea@desk.example", "Bea Network", "agent", 2, vec![network]),
    )
    .await;
    let complaints_agent = person(
        desk,
        &token,
        staff(
            "carl@desk.example",
            "Carl Manager",
            "agent",
            2,
            vec![service_management],
        ),
    )
    .await;
    let supervisor = person(
        desk,
        &token,
        staff(
            "sam@desk.example",
            "Sam Supervisor",
            "supervisor",
            2,
            vec![service_desk, service_management],
        ),
    )
    .await;
    // The supervisor oversees the groups but takes no tickets automatically.
    let response = desk
        .client
        .put(desk.url(&format!("/api/v1/agents/{supervisor}/settings")))
        .bearer_auth(&token)
        .json(&json!({"is_away": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    person(
        desk,
        &token,
        staff(
            "ana@desk.example",
            "Ana Agent",
            "agent",
            1,
            vec![service_desk],
        ),
    )
    .await;
    person(
        desk,
        &token,
        json!({"email": "cora@example.com", "name": "Cora Customer", "role": "customer",
               "password": PASSWORD}),
    )
    .await;
    let rule = |name: &str, word: &str, actions: Value| json!({"name": name, "conditions": {"text": [word]}, "actions": actions});
    for body in [
        rule(
            "VPN to network",
            "vpn",
            json!({"group_id": network, "add_tags": ["vpn"]}),
        ),
        rule(
            "Complaints",
            "complaint",
            json!({"ticket_type": "complaint"}),
        ),
    ] {
        desk.post(&token, "/api/v1/routing-rules", body)
            .await
            .expect_status(201);
    }
    desk.post(
        &token,
        "/api/v1/escalation-rules",
        json!({"name": "Complaints go up", "trigger": "complaint",
               "escalates": true, "notifies_supervisor": true}),
    )
    .await
    .expect_status(201);
    let supervisor_token = token_for(backend, "sam@desk.example");
    Setup {
        token,
        service_desk,
        network,
        service_management,
        network_agent,
        complaints_agent,
        supervisor_token,
        customer: ("cora@example.com".into(), PASSWORD.into()),
        agent: ("ana@desk.example".into(), PASSWORD.into()),
    }
}

fn token_for(backend: &Backend, email: &str) -> String {
    let out = cli(backend, &["tokens", "create", "--email", email], None);
    assert!(out.status.success(), "tokens create failed: {}", out.stderr);
    out.stdout.trim().to_owned()
}

/// The tickets a channel opened: one about the VPN, one complaint.
struct Opened {
    channel: &'static str,
    vpn: i64,
    complaint: i64,
}

/// Asserts what the pipeline must have done to the channel's two tickets.
async fn assert_routed(desk: &Desk, setup: &Setup, opened: &Opened) {
    let channel = opened.channel;
    let ticket = |id: i64| {
        let token = setup.token.clone();
        async move {
            desk.get(&token, &format!("/api/v1/tickets/{id}"))
                .await
                .expect_status(200)
                .json()
        }
    };
    let events = |id: i64| {
        let token = setup.token.clone();
        async move {
            let timeline = desk
                .get(&token, &format!("/api/v1/tickets/{id}/events?limit=100"))
                .await
                .expect_status(200)
                .json();
            timeline["items"].as_array().unwrap().clone()
        }
    };

    let vpn = ticket(opened.vpn).await;
    assert_eq!(
        vpn["group_id"], setup.network,
        "{channel}: routed by the rule: {vpn}"
    );
    assert_eq!(vpn["tier"], 2, "{channel}: the tier follows the group");
    assert_eq!(vpn["tags"], json!(["vpn"]), "{channel}: the rule's tag");
    assert_eq!(
        vpn["assignee_id"], setup.network_agent,
        "{channel}: assigned by the network group's mode: {vpn}"
    );
    let vpn_events = events(opened.vpn).await;
    assert!(
        vpn_events
            .iter()
            .any(|e| e["type"] == "rule_applied" && e["rule"] == "VPN to network"),
        "{channel}: the rule is on the timeline: {vpn_events:?}"
    );

    let complaint = ticket(opened.complaint).await;
    assert_eq!(
        complaint["ticket_type"], "complaint",
        "{channel}: {complaint}"
    );
    assert_eq!(
        complaint["group_id"], setup.service_management,
        "{channel}: escalated from the service desk to its escalation target: {complaint}"
    );
    assert_eq!(complaint["escalation_level"], 1, "{channel}");
    assert_eq!(
        complaint["assignee_id"], setup.complaints_agent,
        "{channel}: assigned in the group it was escalated to: {complaint}"
    );
    let complaint_events = events(opened.complaint).await;
    assert!(
        complaint_events.iter().any(|e| e["type"] == "escalated"
            && e["from_group"] == setup.service_desk
            && e["to_group"] == setup.service_management),
        "{channel}: the escalation is on the timeline: {complaint_events:?}"
    );
    let notes = desk
        .get(&setup.supervisor_token, "/api/v1/notifications?limit=100")
        .await
        .expect_status(200)
        .json();
    assert!(
        notes["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["ticket_id"] == opened.complaint),
        "{channel}: the supervisor is notified of the complaint: {notes}"
    );
}

/// A browser-like session: signs in through the login form and posts forms with the
/// page's CSRF token, as the pages do.
struct Browser<'d> {
    desk: &'d Desk,
    client: reqwest::Client,
    cookie: String,
}

impl<'d> Browser<'d> {
    async fn sign_in(desk: &'d Desk, (email, password): &(String, String)) -> Browser<'d> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let response = client
            .post(desk.url("/login"))
            .form(&[("email", email.as_str()), ("password", password.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "signing in redirects");
        let cookie = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("ferrodesk_session="))
            .and_then(|v| v.split(';').next())
            .expect("a session cookie")
            .to_owned();
        Browser {
            desk,
            client,
            cookie,
        }
    }

    /// The CSRF token of the form on `path`.
    async fn csrf(&self, path: &str) -> String {
        let page = self
            .client
            .get(self.desk.url(path))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200, "{path}");
        let html = page.text().await.unwrap();
        let marker = "name=\"csrf\" value=\"";
        let start = html.find(marker).expect("the form carries a CSRF token") + marker.len();
        html[start..]
            .split('"')
            .next()
            .unwrap_or_default()
            .to_owned()
    }

    /// Posts the form on `path` (urlencoded, or multipart when `multipart`); the id
    /// of the ticket the answer redirects to.
    async fn submit(&self, path: &str, fields: &[(&str, &str)], multipart: bool) -> i64 {
        let csrf = self.csrf(path).await;
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        let request = self
            .client
            .post(self.desk.url(path))
            .header("cookie", &self.cookie);
        let request = if multipart {
            let boundary = "channel-test-boundary";
            let mut body = String::new();
            for (name, value) in &all {
                body.push_str(&format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                ));
            }
            body.push_str(&format!("--{boundary}--\r\n"));
            request
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(body)
        } else {
            request.form(&all)
        };
        let response = request.send().await.unwrap();
        let status = response.status();
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let Some(location) = location else {
            panic!(
                "{path} answered {status} without a redirect: {}",
                response.text().await.unwrap()
            );
        };
        location
            .split("/tickets/")
            .nth(1)
            .and_then(|rest| rest.split('?').next())
            .and_then(|id| id.parse().ok())
            .unwrap_or_else(|| panic!("{path} redirected to {location}"))
    }
}

async fn through_api(desk: &Desk, backend: &Backend, setup: &Setup) -> Opened {
    let customer = token_for(backend, &setup.customer.0);
    let open = |subject: &str| {
        let body = json!({"subject": subject, "description": "Since this morning."});
        let customer = customer.clone();
        async move {
            desk.post(&customer, "/api/v1/tickets", body)
                .await
                .expect_status(201)
                .json()["id"]
                .as_i64()
                .unwrap()
        }
    };
    Opened {
        channel: "api",
        vpn: open("VPN drops every hour").await,
        complaint: open("Complaint: nobody answered my last request").await,
    }
}

async fn through_walk_in(desk: &Desk, setup: &Setup) -> Opened {
    let open = |subject: &str| {
        let body = json!({
            "subject": subject, "description": "At the counter.",
            "requester_email": setup.customer.0,
            "interaction": {"type": "walk_in", "location": "Front desk", "body": "Came by."}
        });
        async move {
            let created = desk
                .post(&setup.token, "/api/v1/tickets", body)
                .await
                .expect_status(201)
                .json();
            assert_eq!(created["channel"], "walk_in");
            created["id"].as_i64().unwrap()
        }
    };
    Opened {
        channel: "walk_in",
        vpn: open("VPN will not connect on my laptop").await,
        complaint: open("Complaint about the wait at the counter").await,
    }
}

async fn through_portal(desk: &Desk, setup: &Setup) -> Opened {
    let browser = Browser::sign_in(desk, &setup.customer).await;
    let open = |subject: &'static str| {
        let browser = &browser;
        async move {
            let fields = [
                ("subject", subject),
                ("description", "Please help."),
                ("urgency", "medium"),
                ("impact", "individual"),
            ];
            browser.submit("/portal/new", &fields, true).await
        }
    };
    Opened {
        channel: "portal",
        vpn: open("My VPN keeps dropping").await,
        complaint: open("A complaint about how my request was handled").await,
    }
}

async fn through_agent_ui(desk: &Desk, setup: &Setup, channel: &'static str) -> Opened {
    let browser = Browser::sign_in(desk, &setup.agent).await;
    let open = |subject: &'static str| {
        let browser = &browser;
        let customer = setup.customer.0.clone();
        async move {
            let form_channel = if channel == "agent" { "other" } else { channel };
            let fields = [
                ("requester_email", customer.as_str()),
                ("channel", form_channel),
                ("call_direction", "inbound"),
                ("call_minutes", "4"),
                ("subject", subject),
                ("description", "Logged by the service desk."),
                ("ticket_type", "incident"),
                ("impact", "individual"),
                ("urgency", "medium"),
            ];
            browser.submit("/agent/tickets/new", &fields, false).await
        }
    };
    Opened {
        channel,
        vpn: open("Caller: VPN certificate expired").await,
        complaint: open("Caller has a complaint about a missed visit").await,
    }
}

fn through_gateway(backend: &Backend) -> Opened {
    let open = |n: u32, subject: &str| {
        let raw = format!(
            "From: Cora Customer <cora@example.com>\r\nTo: support@desk.example\r\n\
             Subject: {subject}\r\nMessage-ID: <channels-{n}@example.com>\r\n\r\nPlease help.\r\n"
        );
        let (code, out) = crate::mail::gateway(backend, raw.as_bytes());
        assert_eq!(code, 0, "{out}");
        out.split("ticket #")
            .nth(1)
            .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|id| id.parse().ok())
            .unwrap_or_else(|| panic!("no ticket number in: {out}"))
    };
    Opened {
        channel: "mail gateway",
        vpn: open(1, "VPN is down at the branch office"),
        complaint: open(2, "Complaint: the printer was never fixed"),
    }
}

async fn every_channel(backend: Backend) {
    let desk = Desk::start(&backend, &[]).await;
    let setup = set_up(&desk, &backend).await;
    let opened = vec![
        through_api(&desk, &backend, &setup).await,
        through_walk_in(&desk, &setup).await,
        through_portal(&desk, &setup).await,
        through_agent_ui(&desk, &setup, "agent").await,
        through_agent_ui(&desk, &setup, "phone").await,
        through_gateway(&backend),
    ];
    for channel in &opened {
        assert_routed(&desk, &setup, channel).await;
    }
    desk.stop().await;
}

#[tokio::test]
async fn every_channel_is_routed_assigned_and_escalated_alike_on_sqlite() {
    if let Some(backend) = Backend::sqlite() {
        every_channel(backend).await;
    }
}

#[tokio::test]
async fn every_channel_is_routed_assigned_and_escalated_alike_on_postgres() {
    if let Some(backend) = Backend::postgres().await {
        every_channel(backend).await;
    }
}

/// The same two tickets by mail fetched from a real IMAP mailbox (Dovecot) by the
/// desk's poller.
#[tokio::test]
async fn mail_fetched_over_imap_is_routed_assigned_and_escalated_alike() {
    use ferrodesk_testing::mail_servers::Dovecot;
    let Some(imap) = Dovecot::start() else {
        return;
    };
    let Some(backend) = Backend::sqlite() else {
        return;
    };
    let ca = imap.ca_file.display().to_string();
    let desk = Desk::start(
        &backend,
        &["--imap-poll-interval", "1", "--imap-ca-file", &ca],
    )
    .await;
    let setup = set_up(&desk, &backend).await;
    crate::mailio::add_imap_mailbox(&desk, &setup.token, &imap).await;
    let mut ids = Vec::new();
    for (n, subject) in [
        (1, "VPN is down at the branch office"),
        (2, "Complaint: the printer was never fixed"),
    ] {
        imap.deliver(
            format!(
                "From: Cora Customer <cora@example.com>\r\nTo: support@desk.example\r\n\
                 Subject: {subject}\r\nMessage-ID: <imap-channels-{n}@example.com>\r\n\r\nPlease help.\r\n"
            )
            .as_bytes(),
        );
        let id = crate::mailio::wait_for("the IMAP message opens a ticket", async || {
            let listed = desk
                .get(&setup.token, "/api/v1/tickets?limit=100")
                .await
                .json();
            listed["items"]
                .as_array()?
                .iter()
                .find(|t| t["subject"] == subject)?["id"]
                .as_i64()
        })
        .await;
        ids.push(id);
    }
    let opened = Opened {
        channel: "imap",
        vpn: ids[0],
        complaint: ids[1],
    };
    assert_routed(&desk, &setup, &opened).await;
    desk.stop().await;
}
