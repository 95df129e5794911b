//! The scenarios. Each is a name, a number of concurrent clients, and a function that
//! sends one request and returns its status; adding one takes a few lines here.

use crate::prepare::Fixtures;
use futures::future::BoxFuture;
use serde_json::json;
use std::sync::Arc;

/// What a request needs: where the server is, a client, and the prepared fixtures.
#[derive(Clone)]
pub struct Context {
    /// Base URL of the server.
    pub base: String,
    /// Shared HTTP client (connection pool).
    pub client: reqwest::Client,
    /// Tokens and ticket ids.
    pub data: Arc<Fixtures>,
}

/// Sends request number `n` from client `worker`; answers the HTTP status.
pub type Send = Arc<
    dyn Fn(Context, u64, u64) -> BoxFuture<'static, Result<u16, reqwest::Error>>
        + Sync
        + std::marker::Send,
>;

/// One measured scenario.
pub struct Scenario {
    /// Name, as in BENCHMARKS.md.
    pub name: &'static str,
    /// Concurrent clients.
    pub clients: usize,
    /// One request.
    pub send: Send,
}

fn scenario(
    name: &'static str,
    clients: usize,
    send: impl Fn(Context, u64, u64) -> BoxFuture<'static, Result<u16, reqwest::Error>>
    + Sync
    + std::marker::Send
    + 'static,
) -> Scenario {
    Scenario {
        name,
        clients,
        send: Arc::new(send),
    }
}

fn create_ticket(
    c: Context,
    worker: u64,
    n: u64,
) -> BoxFuture<'static, Result<u16, reqwest::Error>> {
    Box::pin(async move {
        let response = c
            .client
            .post(format!("{}/api/v1/tickets", c.base))
            .bearer_auth(&c.data.supervisor_token)
            .json(&json!({
                "subject": format!("Bench: monitor flickers ({worker}-{n})"),
                "description": "The monitor flickers when the laptop is docked.",
                "impact": "individual",
                "urgency": "medium",
            }))
            .send()
            .await?;
        Ok(response.status().as_u16())
    })
}

/// What the search scenarios type: words, a phrase, a prefix, a typo, and inflected
/// forms in Portuguese and Hungarian.
const SEARCHES: &[&str] = &[
    "printer",
    "vpn drops",
    "%22paper%20jam%22",
    "outlook pass*",
    "moniter flickers",
    "impressoras",
    "nyomtatót",
    "laptop battery",
];

/// GETs `url` with `token` and reads the whole answer; answers its status.
async fn get_status(c: &Context, url: String, token: &str) -> Result<u16, reqwest::Error> {
    let response = c.client.get(url).bearer_auth(token).send().await?;
    let status = response.status().as_u16();
    response.bytes().await?;
    Ok(status)
}

fn search(c: Context, n: u64, token: String) -> BoxFuture<'static, Result<u16, reqwest::Error>> {
    Box::pin(async move {
        let q = SEARCHES[(n as usize) % SEARCHES.len()];
        let url = format!("{}/api/v1/search?q={q}&limit=20", c.base);
        get_status(&c, url, &token).await
    })
}

/// Every scenario, in the order they run.
pub fn all() -> Vec<Scenario> {
    vec![
        scenario("create ticket, 1 client", 1, create_ticket),
        scenario("create ticket, 32 clients", 32, create_ticket),
        scenario("queue listing (50 rows)", 8, |c, _, _| {
            Box::pin(async move {
                let url = format!(
                    "{}/api/v1/tickets?status=new,open&group_id={}&sort=priority&limit=50",
                    c.base, c.data.agent_group
                );
                get_status(&c, url, &c.data.agent_token).await
            })
        }),
        // The work queue's filters in combination, as agents set them in the filter bar.
        scenario("queue filter (combinations), 8 clients", 8, |c, _, n| {
            Box::pin(async move {
                let group = c.data.agent_group;
                let month_ago = jiff::Zoned::now()
                    .date()
                    .checked_sub(jiff::Span::new().days(30))
                    .map(|d| d.to_string())
                    .unwrap_or_default();
                let filters = [
                    format!("status=new,open&priority=p1,p2&group_id={group}"),
                    format!("assignee_id=none&group_id={group}&type=incident"),
                    "sla=breached&status=new,open".to_owned(),
                    "sla=due_within&sla_hours=8".to_owned(),
                    format!("created_from={month_ago}&status=open&sort=created_desc"),
                    "q=printer&status=new,open".to_owned(),
                    "channel=email&type=service_request&sort=priority".to_owned(),
                    format!("updated_from={month_ago}&group_id={group}&priority=p3"),
                    "tag=vip&status=new,open".to_owned(),
                    // A dense tag, a tag on about one ticket in twenty, and a rare
                    // combination of common values over open and closed tickets.
                    "tag=printer&status=new,open".to_owned(),
                    "tag=onboarding&sort=priority".to_owned(),
                    "priority=p1&channel=chat&type=complaint".to_owned(),
                ];
                let url = format!(
                    "{}/api/v1/tickets?{}&limit=50",
                    c.base,
                    filters[(n as usize) % filters.len()]
                );
                get_status(&c, url, &c.data.agent_token).await
            })
        }),
        // One bulk request changes 500 tickets (each its own write); the latency is the
        // time for all 500.
        scenario("bulk update (500 tickets), 1 client", 1, |c, _, n| {
            Box::pin(async move {
                let ids = &c.data.reply_tickets;
                let start = ((n as usize) * 500) % ids.len().max(1);
                let chosen: Vec<i64> = ids.iter().cycle().skip(start).take(500).copied().collect();
                // Each pass over the tickets flips their priority, so every request
                // changes all 500.
                let chunks = (ids.len() / 500).max(1) as u64;
                let priority = if (n / chunks).is_multiple_of(2) {
                    "p3"
                } else {
                    "p4"
                };
                let response = c
                    .client
                    .post(format!("{}/api/v1/tickets/bulk", c.base))
                    .bearer_auth(&c.data.agent_token)
                    .json(&json!({"ids": chosen, "action": {"type": "set_priority",
                                  "priority": priority, "reason": "Reviewed in bulk"}}))
                    .send()
                    .await?;
                let status = response.status().as_u16();
                response.bytes().await?;
                Ok(status)
            })
        }),
        scenario("ticket view (50 events)", 8, |c, _, n| {
            Box::pin(async move {
                let ids = &c.data.timeline_tickets;
                let id = ids[(n as usize) % ids.len().max(1)];
                let ticket = c
                    .client
                    .get(format!("{}/api/v1/tickets/{id}", c.base))
                    .bearer_auth(&c.data.agent_token)
                    .send()
                    .await?;
                let ticket_status = ticket.status().as_u16();
                ticket.bytes().await?;
                let events = c
                    .client
                    .get(format!("{}/api/v1/tickets/{id}/events", c.base))
                    .bearer_auth(&c.data.agent_token)
                    .send()
                    .await?;
                let status = events.status().as_u16();
                events.bytes().await?;
                Ok(if ticket_status == 200 {
                    status
                } else {
                    ticket_status
                })
            })
        }),
        scenario("search (agent), 8 clients", 8, |c, _, n| {
            let token = c.data.agent_token.clone();
            search(c, n, token)
        }),
        scenario(
            "search (supervisor, all tickets), 8 clients",
            8,
            |c, _, n| {
                let token = c.data.supervisor_token.clone();
                search(c, n, token)
            },
        ),
        scenario("reply, 32 clients", 32, |c, _, n| {
            Box::pin(async move {
                let ids = &c.data.reply_tickets;
                let id = ids[(n as usize) % ids.len().max(1)];
                let response = c
                    .client
                    .post(format!("{}/api/v1/tickets/{id}/events", c.base))
                    .bearer_auth(&c.data.agent_token)
                    .json(&json!({"type": "reply", "body": "We are on it and will call you within the hour."}))
                    .send()
                    .await?;
                Ok(response.status().as_u16())
            })
        }),
        // What every open ticket page sends every few seconds (who is viewing).
        scenario("presence heartbeat, 32 clients", 32, |c, _, n| {
            Box::pin(async move {
                let ids = &c.data.reply_tickets;
                let id = ids[(n as usize) % ids.len().max(1)];
                let response = c
                    .client
                    .put(format!("{}/api/v1/tickets/{id}/presence", c.base))
                    .bearer_auth(&c.data.agent_token)
                    .json(&json!({"activity": "viewing"}))
                    .send()
                    .await?;
                let status = response.status().as_u16();
                response.bytes().await?;
                Ok(status)
            })
        }),
        scenario("dashboard, 30 days", 4, |c, _, n| {
            Box::pin(async move {
                // Every group in turn, and the whole desk.
                let groups = &c.data.groups;
                let url = match groups.get((n as usize) % (groups.len() + 1)) {
                    Some(group) => {
                        format!("{}/api/v1/reports/dashboard?days=30&group={group}", c.base)
                    }
                    None => format!("{}/api/v1/reports/dashboard?days=30", c.base),
                };
                get_status(&c, url, &c.data.supervisor_token).await
            })
        }),
    ]
}
