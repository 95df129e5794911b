//! The supervisor's team view: who lands there, who may open it, and that its counts,
//! loads and breaching list follow the tickets of the supervisor's groups only.

use crate::support::NowForTests as _;
use crate::support::{Desk, PASSWORD, Page, Session};
use axum::http::StatusCode;
use ferrodesk_app::{AgentSettings, NewTicketInput, RequesterRef, TicketPatch};
use ferrodesk_domain::{GroupId, Role, Ticket, UserId};
use jiff::SignedDuration;

async fn sign_in(desk: &Desk, email: &str) -> Page {
    desk.post_raw(
        "/login",
        None,
        &[("email", email), ("password", PASSWORD)],
        &[("sec-fetch-site", "same-origin")],
    )
    .await
}

/// A supervisor of the Service Desk group.
async fn supervisor(desk: &Desk) -> Session {
    desk.person(
        "sam@desk.test",
        "Sam Supervisor",
        Role::Supervisor,
        Some(desk.service_desk),
    )
    .await
}

/// The part of the page from `marker` to the end of its table row or list item.
fn row<'a>(page: &'a Page, marker: &str) -> &'a str {
    let start = page
        .body
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker:?} in the page:\n{}", page.body));
    let rest = &page.body[start..];
    let end = rest
        .find("</tr>")
        .or_else(|| rest.find("</li>"))
        .unwrap_or(rest.len());
    &rest[..end]
}

async fn ticket_in(desk: &Desk, group: GroupId, subject: &str) -> Ticket {
    let actor = desk.actor(&desk.admin).await;
    desk.app
        .tickets()
        .create(
            &actor,
            NewTicketInput {
                subject: subject.into(),
                description: format!("Details about {subject}"),
                requester: Some(RequesterRef::Id(desk.customer.user_id)),
                group_id: Some(group),
                ..NewTicketInput::default()
            },
            None,
        )
        .await
        .unwrap()
        .into_inner()
}

async fn assign(desk: &Desk, ticket: &Ticket, to: UserId) {
    let admin = desk.actor(&desk.admin).await;
    desk.app
        .tickets()
        .update(
            &admin,
            ticket.id,
            TicketPatch {
                assignee_id: Some(Some(to)),
                ..TicketPatch::default()
            },
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn supervisors_land_on_the_team_view_and_agents_on_their_tickets() {
    let desk = Desk::new().await;
    let sam = supervisor(&desk).await;

    assert_eq!(
        sign_in(&desk, "sam@desk.test").await.location(),
        "/agent/team"
    );
    assert_eq!(
        desk.get("/agent", Some(&sam)).await.location(),
        "/agent/team"
    );
    assert_eq!(desk.get("/", Some(&sam)).await.location(), "/agent/team");
    let page = desk.get("/agent/team", Some(&sam)).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("<h1>Team</h1>");
    page.assert_contains(r#"data-team="groups""#);
    page.assert_contains(r#"data-team="agents""#);
    page.assert_contains(r#"data-team="breaching""#);
    page.assert_contains(
        r#"<a href="/agent/team" aria-current="page" data-queue-link="team">Team</a>"#,
    );
    // The team entry is also on the other workspace pages.
    let queue = desk.get("/agent/queues/open", Some(&sam)).await;
    queue.assert_contains(r#"href="/agent/team""#);

    // Admins land there too.
    assert_eq!(
        desk.get("/agent", Some(&desk.admin)).await.location(),
        "/agent/team"
    );
    assert_eq!(
        sign_in(&desk, "admin@desk.test").await.location(),
        "/agent/team"
    );

    // Agents keep landing on their own tickets, have no team entry and are refused.
    assert_eq!(
        sign_in(&desk, "ana@desk.test").await.location(),
        "/agent/queues/mine"
    );
    assert_eq!(
        desk.get("/agent", Some(&desk.agent)).await.location(),
        "/agent/queues/mine"
    );
    let queue = desk.get("/agent/queues/mine", Some(&desk.agent)).await;
    queue.assert_lacks(r#"href="/agent/team""#);
    let refused = desk.get("/agent/team", Some(&desk.agent)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    refused.assert_lacks(r#"data-team="groups""#);
    // And customers.
    let refused = desk.get("/agent/team", Some(&desk.customer)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_team_view_counts_the_supervisors_groups_only() {
    let desk = Desk::new().await;
    let sam = supervisor(&desk).await;
    // First response due two hours after a ticket comes in.
    desk.default_sla_policy("120").await;
    let printer = ticket_in(&desk, desk.service_desk, "Printer jams on floor 2").await;
    let laptop = ticket_in(&desk, desk.service_desk, "Laptop will not boot").await;
    let router = ticket_in(&desk, desk.network, "Core router flapping").await;
    // 90 minutes on, those three are due within the hour.
    desk.clock.advance(SignedDuration::from_mins(90));
    let monitor = ticket_in(&desk, desk.service_desk, "Second monitor flickers").await;
    assign(&desk, &printer, desk.agent.user_id).await;
    assign(&desk, &monitor, desk.agent.user_id).await;
    // A Network ticket assigned to the supervisor is still not of their groups.
    assign(&desk, &router, sam.user_id).await;
    desk.store
        .set_agent_settings(
            desk.agent.user_id,
            AgentSettings {
                is_away: true,
                load_limit: Some(5),
                ..AgentSettings::default()
            },
            desk.clock.now_for_tests(),
        )
        .await
        .unwrap();

    let page = desk.get("/agent/team", Some(&sam)).await;
    assert_eq!(page.status, StatusCode::OK);
    let group = row(&page, r#"data-group="Service Desk""#);
    let service_desk = desk.service_desk;
    assert!(
        group.contains(&format!(
            r#"href="/agent/queues/open?group={service_desk}" data-count="open">3<"#
        )),
        "{group}"
    );
    assert!(
        group.contains(&format!(
            r#"href="/agent/queues/unassigned?group={service_desk}" data-count="unassigned">1<"#
        )),
        "{group}"
    );
    assert!(
        group.contains(&format!(
            r#"href="/agent/queues/breaching-soon?group={service_desk}&#38;within=60" data-count="breaching" class="team-alert">2<"#
        )),
        "{group}"
    );
    page.assert_lacks(r#"data-group="Network""#);

    let ana = row(&page, r#"data-agent="Ana Souza""#);
    assert!(ana.contains(r#"data-open="2""#), "{ana}");
    assert!(ana.contains("2 / 5"), "{ana}");
    assert!(ana.contains(r#"data-away="true""#), "{ana}");
    let own = row(&page, r#"data-agent="Sam Supervisor""#);
    assert!(own.contains(r#"data-open="1""#), "{own}");
    assert!(own.contains(r#"data-away="false""#), "{own}");
    page.assert_lacks("Priya Raman");

    // Breaching soon: the two Service Desk tickets due within the hour, assignee shown.
    let first = row(&page, &format!(r#"data-ticket="{}""#, printer.id));
    assert!(first.contains("Printer jams on floor 2"), "{first}");
    assert!(first.contains("in 30 min"), "{first}");
    assert!(first.contains("Ana Souza"), "{first}");
    let second = row(&page, &format!(r#"data-ticket="{}""#, laptop.id));
    assert!(second.contains("Unassigned"), "{second}");
    page.assert_lacks("Core router flapping");
    page.assert_lacks(&format!(r#"data-ticket="{}""#, monitor.id));

    // The breaching-soon link lists that group's part of the queue, within the hour.
    let queue = desk
        .get(
            &format!("/agent/queues/breaching-soon?group={service_desk}&within=60"),
            Some(&sam),
        )
        .await;
    queue.assert_contains("Printer jams on floor 2");
    queue.assert_contains("Laptop will not boot");
    queue.assert_contains("due within 60 minutes");
    queue.assert_lacks("Second monitor flickers");
    queue.assert_lacks("Core router flapping");
    // The queue's own window is four hours.
    let queue = desk
        .get(
            &format!("/agent/queues/breaching-soon?group={service_desk}"),
            Some(&sam),
        )
        .await;
    queue.assert_contains("Second monitor flickers");
    queue.assert_lacks("Core router flapping");
    // An agent may not read another group's part.
    let network = desk.network;
    let refused = desk
        .get(
            &format!("/agent/queues/breaching-soon?group={network}"),
            Some(&desk.agent),
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);

    // An hour later they are overdue, and the admin sees Network too.
    desk.clock.advance(SignedDuration::from_mins(60));
    let page = desk.get("/agent/team", Some(&desk.admin)).await;
    let first = row(&page, &format!(r#"data-ticket="{}""#, printer.id));
    assert!(first.contains("30 min overdue"), "{first}");
    assert!(first.contains("sla-breached"), "{first}");
    let network = row(&page, r#"data-group="Network""#);
    assert!(network.contains(r#"data-count="open">1<"#), "{network}");
    page.assert_contains("Core router flapping");
    page.assert_contains("Priya Raman");
}
