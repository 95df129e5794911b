//! Live updates: server-sent events tell open pages what changed, whether the change
//! came through these pages or through the services (the JSON API, another node).

use crate::support::{Desk, Session};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use ferrodesk_app::{InteractionInput, TicketPatch};
use futures::StreamExt as _;
use std::time::Duration;
use tower::ServiceExt as _;

/// An open event stream.
struct Stream {
    body: axum::body::BodyDataStream,
    buffer: String,
}

impl Stream {
    async fn open(desk: &Desk, session: &Session) -> Stream {
        let request = Request::get("/agent/live")
            .header("cookie", format!("ferrodesk_session={}", session.cookie))
            .body(Body::empty())
            .unwrap();
        let response = desk.router.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers().get("content-type").unwrap(),
            "text/event-stream"
        );
        Stream {
            body: response.into_body().into_data_stream(),
            buffer: String::new(),
        }
    }

    /// The data of the next `change` event; waits for it (bounded, so a broken feed
    /// fails the test instead of hanging it).
    async fn next_change(&mut self) -> serde_json::Value {
        tokio::time::timeout(Duration::from_secs(20), async {
            loop {
                if let Some(end) = self.buffer.find("\n\n") {
                    let frame: String = self.buffer.drain(..end + 2).collect();
                    if frame.contains("event: change")
                        && let Some(data) = frame.lines().find_map(|l| l.strip_prefix("data: "))
                    {
                        return serde_json::from_str(data).unwrap();
                    }
                    continue;
                }
                let chunk = self.body.next().await.expect("stream open").unwrap();
                self.buffer.push_str(&String::from_utf8_lossy(&chunk));
            }
        })
        .await
        .expect("a change event within 20 s")
    }
}

fn mentions(change: &serde_json::Value, id: i64) -> bool {
    change["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t.as_i64() == Some(id))
}

#[tokio::test]
async fn a_change_made_in_the_workspace_reaches_other_open_pages_at_once() {
    let desk = Desk::new().await;
    let ticket = desk
        .ticket(&desk.customer, "Shared drive is read-only")
        .await;
    let mut stream = Stream::open(&desk, &desk.admin).await;
    let page = desk
        .post(
            &format!("/agent/tickets/{}/reply", ticket.id),
            &desk.agent,
            &[("body", "Looking into it")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    loop {
        let change = stream.next_change().await;
        if mentions(&change, ticket.id.get()) {
            assert_eq!(change["counts"], true);
            break;
        }
    }
    // The page then refreshes the timeline from the fragment endpoint.
    let fragment = desk
        .get(
            &format!("/agent/tickets/{}/live", ticket.id),
            Some(&desk.admin),
        )
        .await;
    fragment.assert_contains("Looking into it");
    fragment.assert_contains(r#"hx-swap-oob="true""#);
    fragment.assert_lacks("<html");
}

#[tokio::test]
async fn a_change_made_through_the_services_is_noticed_by_the_watcher() {
    let desk = Desk::new().await;
    let ticket = desk.ticket(&desk.customer, "Calendar sync broken").await;
    let mut stream = Stream::open(&desk, &desk.agent).await;
    let actor = desk.actor(&desk.admin).await;
    desk.app
        .tickets()
        .add_interaction(
            &actor,
            ticket.id,
            InteractionInput::Note {
                body: "via API".into(),
            },
            None,
        )
        .await
        .unwrap();
    loop {
        let change = stream.next_change().await;
        if mentions(&change, ticket.id.get()) {
            break;
        }
    }
    // A new ticket entering the agent's queue changes the counts too.
    let second = desk
        .ticket(&desk.other_customer, "New hire needs a laptop")
        .await;
    loop {
        let change = stream.next_change().await;
        if mentions(&change, second.id.get()) {
            assert_eq!(change["counts"], true);
            break;
        }
    }
    let sidebar = desk
        .get("/agent/sidebar?active=unassigned", Some(&desk.agent))
        .await;
    sidebar.assert_contains(r#"Unassigned in my groups<span class="count"><span class="visually-hidden">: </span>2</span>"#);
}

#[tokio::test]
async fn agents_are_told_only_about_tickets_they_may_see() {
    let desk = Desk::new().await;
    let hidden = desk.ticket(&desk.customer, "Service desk only").await;
    let visible = desk.ticket(&desk.customer, "Network ticket").await;
    let admin = desk.actor(&desk.admin).await;
    desk.app
        .tickets()
        .update(
            &admin,
            visible.id,
            TicketPatch {
                group_id: Some(Some(desk.network)),
                ..TicketPatch::default()
            },
        )
        .await
        .unwrap();
    let mut stream = Stream::open(&desk, &desk.network_agent).await;
    // First a change the network agent may not see, then one they may.
    desk.post(
        &format!("/agent/tickets/{}/reply", hidden.id),
        &desk.agent,
        &[("body", "hidden change")],
    )
    .await;
    desk.app
        .tickets()
        .add_interaction(
            &admin,
            visible.id,
            InteractionInput::Note {
                body: "visible change".into(),
            },
            None,
        )
        .await
        .unwrap();
    loop {
        let change = stream.next_change().await;
        assert!(!mentions(&change, hidden.id.get()), "leaked {change}");
        if mentions(&change, visible.id.get()) {
            break;
        }
    }
}
