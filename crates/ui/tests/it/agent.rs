//! The agent workspace: queues, the ticket view and its actions, the new-ticket form.

use crate::support::Desk;
use axum::http::StatusCode;
use ferrodesk_app::{InteractionInput, TicketPatch};
use ferrodesk_domain::{Priority, TicketStatus};

#[tokio::test]
async fn customers_cannot_open_the_agent_workspace() {
    let desk = Desk::new().await;
    let ticket = desk.ticket(&desk.customer, "My laptop is slow").await;
    for path in [
        "/agent/queues/mine".to_owned(),
        format!("/agent/tickets/{}", ticket.id),
        "/agent/tickets/new".to_owned(),
        "/agent/live".to_owned(),
    ] {
        let page = desk.get(&path, Some(&desk.customer)).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        page.assert_contains("for support staff");
    }
    let page = desk
        .post(
            &format!("/agent/tickets/{}/reply", ticket.id),
            &desk.customer,
            &[("body", "x")],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn queues_list_tickets_with_counts_in_the_sidebar() {
    let desk = Desk::new().await;
    let first = desk.ticket(&desk.customer, "VPN drops every hour").await;
    desk.ticket(&desk.other_customer, "Need a second monitor")
        .await;
    let page = desk
        .get("/agent/queues/unassigned", Some(&desk.agent))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("VPN drops every hour");
    page.assert_contains("Need a second monitor");
    page.assert_contains(r#"data-queue-link="unassigned">Unassigned in my groups<span class="count"><span class="visually-hidden">: </span>2</span>"#);
    page.assert_contains(r#"data-queue-link="mine">My tickets<span class="count"><span class="visually-hidden">: </span>0</span>"#);

    // Take one: it moves to My tickets.
    let page = desk
        .post(
            &format!("/agent/tickets/{}/details", first.id),
            &desk.agent,
            &[
                ("was_assignee_id", ""),
                ("assignee_id", &desk.agent.user_id.to_string()),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let mine = desk.get("/agent/queues/mine", Some(&desk.agent)).await;
    mine.assert_contains("VPN drops every hour");
    mine.assert_lacks("Need a second monitor");
    mine.assert_contains(
        r#"My tickets<span class="count"><span class="visually-hidden">: </span>1</span>"#,
    );

    let searched = desk
        .get("/agent/queues/open?q=monitor", Some(&desk.agent))
        .await;
    searched.assert_contains("Need a second monitor");
    searched.assert_lacks("VPN drops every hour");

    let rows = desk
        .get("/agent/queues/open/rows?sort=oldest", Some(&desk.agent))
        .await;
    assert_eq!(rows.status, StatusCode::OK);
    rows.assert_lacks("<html");
    assert!(rows.body.find("VPN drops").unwrap() < rows.body.find("second monitor").unwrap());
}

#[tokio::test]
async fn bad_queue_input_is_a_404_or_ignored_never_a_500() {
    let desk = Desk::new().await;
    assert_eq!(
        desk.get("/agent/queues/nope", Some(&desk.agent))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        desk.get("/agent/queues/open?group=abc", Some(&desk.agent))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        desk.get(
            "/agent/queues/open?sort=sideways&after=%%%",
            Some(&desk.agent)
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(
        desk.get("/agent/tickets/abc", Some(&desk.agent))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        desk.get("/agent/tickets/99999", Some(&desk.agent))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let page = desk
        .post("/agent/tickets/99999/reply", &desk.agent, &[("body", "hi")])
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn agents_do_not_see_tickets_outside_their_groups() {
    let desk = Desk::new().await;
    let ticket = desk.ticket(&desk.customer, "Printer on fire").await;
    let page = desk
        .get(
            &format!("/agent/tickets/{}", ticket.id),
            Some(&desk.network_agent),
        )
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let queue = desk
        .get("/agent/queues/open", Some(&desk.network_agent))
        .await;
    queue.assert_lacks("Printer on fire");
}

#[tokio::test]
async fn user_content_is_escaped_everywhere() {
    let desk = Desk::new().await;
    let evil = "<script>alert(1)</script>";
    let ticket = desk.ticket(&desk.customer, evil).await;
    let page = desk
        .post(
            &format!("/agent/tickets/{}/reply", ticket.id),
            &desk.agent,
            &[("body", "<img src=x onerror=alert(2)>")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    for (path, session) in [
        ("/agent/queues/open".to_owned(), &desk.agent),
        (format!("/agent/tickets/{}", ticket.id), &desk.agent),
        ("/portal".to_owned(), &desk.customer),
        (format!("/portal/tickets/{}", ticket.id), &desk.customer),
    ] {
        let page = desk.get(&path, Some(session)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        page.assert_contains("&#60;script&#62;alert(1)&#60;/script&#62;");
        page.assert_lacks(evil);
        page.assert_lacks("<img src=x");
    }
}

#[tokio::test]
async fn the_ticket_view_shows_header_timeline_and_the_requesters_other_tickets() {
    let desk = Desk::new().await;
    let ticket = desk
        .ticket(&desk.customer, "Outlook keeps asking for my password")
        .await;
    desk.ticket(&desk.customer, "Badge does not open door 3")
        .await;
    let page = desk
        .get(&format!("/agent/tickets/{}", ticket.id), Some(&desk.agent))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains(&format!("#{}", ticket.id));
    page.assert_contains("Outlook keeps asking for my password");
    page.assert_contains("Maria Silva");
    page.assert_contains("Service Desk · tier 1");
    page.assert_contains("P4 Low");
    page.assert_contains("opened the ticket");
    page.assert_contains("Details about Outlook");
    page.assert_contains("Badge does not open door 3");
    page.assert_contains(r#"<label for="body" class="visually-hidden">Message</label>"#);
}

#[tokio::test]
async fn replies_and_notes_land_on_the_timeline_and_notes_look_internal() {
    let desk = Desk::new().await;
    let ticket = desk.ticket(&desk.customer, "Wi-Fi in room 2.14").await;
    let path = format!("/agent/tickets/{}", ticket.id);

    let empty = desk
        .post(
            &format!("{path}/reply"),
            &desk.agent,
            &[("kind", "reply"), ("body", "   ")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        empty.field_error("body").as_deref(),
        Some("Write the reply first")
    );
    empty.assert_contains(r#"aria-invalid="true" aria-describedby="body-error""#);

    let reply = desk
        .post(
            &format!("{path}/reply"),
            &desk.agent,
            &[
                ("kind", "reply"),
                ("body", "Can you restart the laptop?"),
                ("then_status", "pending_customer"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), format!("{path}?done=reply#composer"));
    let note = desk
        .post(
            &format!("{path}/reply"),
            &desk.agent,
            &[
                ("kind", "note"),
                ("body", "Access point AP-2 was rebooted last week"),
            ],
        )
        .await;
    assert_eq!(note.status, StatusCode::SEE_OTHER);

    let page = desk
        .get(&format!("{path}?done=note"), Some(&desk.agent))
        .await;
    page.assert_contains("Internal note added.");
    page.assert_contains("Can you restart the laptop?");
    page.assert_contains(r#"<article class="msg note">"#);
    page.assert_contains("Access point AP-2 was rebooted last week");
    page.assert_contains(r#"<span class="label-internal">Internal</span>"#);
    page.assert_contains("changed the status from New to Waiting on customer");
    assert_eq!(
        desk.reload(ticket.id).await.status,
        TicketStatus::PendingCustomer
    );
}

#[tokio::test]
async fn send_and_set_status_writes_the_message_and_the_status_together_or_not_at_all() {
    let desk = Desk::new().await;
    let ticket = desk
        .ticket(&desk.customer, "Scanner sends empty pages")
        .await;
    let path = format!("/agent/tickets/{}", ticket.id);
    let page = desk.get(&path, Some(&desk.agent)).await;
    page.assert_contains(r#"<label for="then_status">and set status</label>"#);
    page.assert_contains(r#"<option value="pending_customer">Set to Waiting on customer</option>"#);
    let timeline = |events: Vec<ferrodesk_domain::Event>| {
        events
            .into_iter()
            .filter(|e| e.kind.is_interaction())
            .count()
    };
    let events = || async {
        desk.store
            .list_events(ticket.id, true, &ferrodesk_app::EventPage::default())
            .await
            .unwrap()
    };
    let before = timeline(events().await);

    // A new ticket cannot be closed: the reply is not sent either, and stays in the
    // form with the reason next to the status choice.
    let refused = desk
        .post(
            &format!("{path}/reply"),
            &desk.agent,
            &[
                ("kind", "reply"),
                ("body", "Closing, the driver is fixed"),
                ("then_status", "closed"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let error = refused.field_error("then_status").unwrap();
    assert!(error.contains("closed"), "{error}");
    refused.assert_contains("Closing, the driver is fixed</textarea>");
    assert_eq!(timeline(events().await), before);
    assert_eq!(desk.reload(ticket.id).await.status, TicketStatus::New);

    let sent = desk
        .post(
            &format!("{path}/reply"),
            &desk.agent,
            &[
                ("kind", "reply"),
                ("body", "Which scanner profile do you use?"),
                ("then_status", "pending_customer"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    let after = desk.reload(ticket.id).await;
    assert_eq!(after.status, TicketStatus::PendingCustomer);
    // One write: one version for the reply and the move.
    assert_eq!(after.version, ticket.version + 1);
    assert_eq!(timeline(events().await), before + 1);
}

#[tokio::test]
async fn an_invalid_status_change_is_shown_next_to_the_field() {
    let desk = Desk::new().await;
    let ticket = desk.ticket(&desk.customer, "Mouse double-clicks").await;
    let path = format!("/agent/tickets/{}/status", ticket.id);
    let page = desk.post(&path, &desk.agent, &[("status", "closed")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let error = page.field_error("status").unwrap();
    assert!(
        error.contains("Cannot move a ticket from new to closed"),
        "{error}"
    );
    let page = desk
        .post(&path, &desk.agent, &[("status", "sideways")])
        .await;
    assert_eq!(
        page.field_error("status").as_deref(),
        Some("Choose a status from the list")
    );

    let page = desk
        .post(
            &path,
            &desk.agent,
            &[
                ("status", "resolved"),
                ("status_reason", "Replaced the mouse"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let ticket = desk.reload(ticket.id).await;
    assert_eq!(ticket.status, TicketStatus::Resolved);
}

#[tokio::test]
async fn overriding_the_priority_needs_a_reason() {
    let desk = Desk::new().await;
    let ticket = desk.ticket(&desk.customer, "Payroll export fails").await;
    let path = format!("/agent/tickets/{}/details", ticket.id);
    let page = desk
        .post(
            &path,
            &desk.agent,
            &[("was_priority", ""), ("priority", "p1")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let error = page.field_error("priority_reason").unwrap();
    assert_eq!(
        error,
        "Choosing a priority other than P4, which single-person impact and medium urgency give, needs a reason"
    );
    // The form keeps what was typed.
    page.assert_contains(r#"<option value="p1" selected>"#);

    let page = desk
        .post(
            &path,
            &desk.agent,
            &[
                ("was_priority", ""),
                ("priority", "p1"),
                ("priority_reason", "Payroll closes today"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let saved = desk.reload(ticket.id).await;
    assert_eq!(saved.priority, Priority::P1);
    assert_eq!(
        saved.priority_reason.as_deref(),
        Some("Payroll closes today")
    );
    let view = desk
        .get(&format!("/agent/tickets/{}", ticket.id), Some(&desk.agent))
        .await;
    view.assert_contains("changed the priority from P4 Low to P1 Critical");
    view.assert_contains("Reason: Payroll closes today");
}

#[tokio::test]
async fn the_details_form_changes_only_what_the_agent_changed() {
    let desk = Desk::new().await;
    let ticket = desk.ticket(&desk.customer, "Teams audio crackles").await;
    let rendered = ticket.clone();
    // Meanwhile someone assigns it through the API.
    let admin = desk.actor(&desk.admin).await;
    desk.app
        .tickets()
        .update(
            &admin,
            ticket.id,
            TicketPatch {
                assignee_id: Some(Some(desk.network_agent.user_id)),
                ..TicketPatch::default()
            },
        )
        .await
        .unwrap();
    // The agent's form, rendered before that, changes the device only.
    let page = desk
        .post(
            &format!("/agent/tickets/{}/details", ticket.id),
            &desk.agent,
            &[
                ("was_assignee_id", ""),
                ("assignee_id", ""),
                ("was_device", ""),
                ("device", "Jabra Evolve 40"),
                ("was_urgency", rendered.urgency.as_str()),
                ("urgency", rendered.urgency.as_str()),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let saved = desk.reload(ticket.id).await;
    assert_eq!(saved.device.as_deref(), Some("Jabra Evolve 40"));
    assert_eq!(
        saved.assignee_id,
        Some(desk.network_agent.user_id),
        "the concurrent change stays"
    );

    let page = desk
        .post(
            &format!("/agent/tickets/{}/details", ticket.id),
            &desk.agent,
            &[("was_group_id", ""), ("group_id", "not-a-number")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.field_error("group_id").as_deref(),
        Some("Choose an entry from the list")
    );
    let page = desk
        .post(
            &format!("/agent/tickets/{}/details", ticket.id),
            &desk.agent,
            &[("was_group_id", ""), ("group_id", "987654")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.field_error("group_id").as_deref(),
        Some("There is no group 987654")
    );
}

#[tokio::test]
async fn escalating_moves_the_ticket_up_with_the_reason_on_record() {
    let desk = Desk::new().await;
    let ticket = desk.ticket(&desk.customer, "Site-to-site VPN down").await;
    let path = format!("/agent/tickets/{}/escalate", ticket.id);
    let page = desk
        .post(
            &path,
            &desk.agent,
            &[("escalate_group_id", ""), ("escalate_reason", "")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.field_error("escalate_group_id").is_some());
    assert!(page.field_error("escalate_reason").is_some());

    // Stay in sight: the agent escalates to a group the network agent works, while
    // also being the owner, so they keep seeing it.
    let owner = desk.actor(&desk.admin).await;
    desk.app
        .tickets()
        .update(
            &owner,
            ticket.id,
            TicketPatch {
                owner_id: Some(Some(desk.agent.user_id)),
                ..TicketPatch::default()
            },
        )
        .await
        .unwrap();
    let page = desk
        .post(
            &path,
            &desk.agent,
            &[
                ("escalate_group_id", &desk.network.to_string()),
                ("escalate_reason", "Needs the firewall team"),
                ("escalate_unassign", "on"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let saved = desk.reload(ticket.id).await;
    assert_eq!(saved.group_id, Some(desk.network));
    assert_eq!(saved.tier.get(), 2);
    let view = desk
        .get(
            &format!("/agent/tickets/{}", ticket.id),
            Some(&desk.network_agent),
        )
        .await;
    view.assert_contains("escalated: Service Desk (tier 1) to Network (tier 2)");
    view.assert_contains("Reason: Needs the firewall team");
    assert_eq!(saved.escalation_level, 1, "one escalation, recorded once");
    assert_eq!(saved.assignee_id, None, "handed over");
}

#[tokio::test]
async fn calls_and_walk_ins_are_logged() {
    let desk = Desk::new().await;
    let ticket = desk.ticket(&desk.customer, "Screen flickers").await;
    let path = format!("/agent/tickets/{}/log", ticket.id);
    let page = desk
        .post(
            &path,
            &desk.agent,
            &[("log_kind", "call"), ("log_minutes", "many")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.field_error("log_minutes").is_some());
    let page = desk
        .post(
            &path,
            &desk.agent,
            &[
                ("log_kind", "call"),
                ("log_direction", "outbound"),
                ("log_minutes", "6"),
                ("log_number", "+351 210 000 000"),
                ("log_body", "Walked her through the cable check"),
                ("log_public", "on"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let page = desk
        .post(
            &path,
            &desk.agent,
            &[
                ("log_kind", "walk_in"),
                ("log_location", "Desk B"),
                ("log_body", "Swapped the cable"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let view = desk
        .get(&format!("/agent/tickets/{}", ticket.id), Some(&desk.agent))
        .await;
    view.assert_contains("called the requester");
    view.assert_contains("Outbound call, 6 min, +351 210 000 000");
    view.assert_contains("logged a walk-in visit");
    view.assert_contains("At Desk B");
}

#[tokio::test]
async fn split_link_and_merge_work_and_bad_numbers_show_next_to_the_field() {
    let desk = Desk::new().await;
    let ticket = desk
        .ticket(&desk.customer, "Laptop and phone both broken")
        .await;
    let other = desk.ticket(&desk.customer, "Phone will not charge").await;
    let base = format!("/agent/tickets/{}", ticket.id);

    let page = desk
        .post(
            &format!("{base}/split"),
            &desk.agent,
            &[("parts", "\n  \n")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.field_error("parts").is_some());
    let page = desk
        .post(
            &format!("{base}/split"),
            &desk.agent,
            &[("parts", "Phone screen cracked\nLaptop hinge loose")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let view = desk.get(&base, Some(&desk.agent)).await;
    view.assert_contains("split part of this ticket into");
    view.assert_contains("Split into");

    let page = desk
        .post(
            &format!("{base}/link"),
            &desk.agent,
            &[("link_kind", "related"), ("link_to", "abc")],
        )
        .await;
    assert_eq!(
        page.field_error("link_to").as_deref(),
        Some("Give a ticket number like 10042")
    );
    let page = desk
        .post(
            &format!("{base}/link"),
            &desk.agent,
            &[("link_kind", "related"), ("link_to", "99999")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.field_error("link_to").as_deref(),
        Some("There is no ticket #99999 that you can work on")
    );
    let page = desk
        .post(
            &format!("{base}/link"),
            &desk.agent,
            &[("link_kind", "related"), ("link_to", &other.id.to_string())],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let page = desk
        .post(
            &format!("{base}/link"),
            &desk.agent,
            &[("link_kind", "related"), ("link_to", &other.id.to_string())],
        )
        .await;
    assert!(
        page.field_error("link_to")
            .unwrap()
            .contains("already linked")
    );

    let page = desk
        .post(
            &format!("{base}/merge"),
            &desk.agent,
            &[("merge_into", &ticket.id.to_string())],
        )
        .await;
    assert!(
        page.field_error("merge_into")
            .unwrap()
            .contains("cannot be merged into itself")
    );
    let page = desk
        .post(
            &format!("/agent/tickets/{}/merge", other.id),
            &desk.agent,
            &[("merge_into", &format!("#{}", ticket.id))],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), format!("{base}?done=merged"));
    assert_eq!(desk.reload(other.id).await.status, TicketStatus::Closed);
    let view = desk.get(&base, Some(&desk.agent)).await;
    view.assert_contains("merged in");
}

#[tokio::test]
async fn the_new_ticket_form_finds_or_creates_the_caller_and_logs_the_call() {
    let desk = Desk::new().await;
    let page = desk.get("/agent/tickets/new", Some(&desk.agent)).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains(r#"id="derived-priority">P4 Low</span>"#);

    let preview = desk
        .get(
            "/agent/priority?impact=organization&urgency=high",
            Some(&desk.agent),
        )
        .await;
    preview.assert_contains("P1 Critical");
    let preview = desk
        .get("/agent/priority?impact=bogus", Some(&desk.agent))
        .await;
    assert_eq!(preview.status, StatusCode::OK);

    let people = desk.get("/agent/people?q=mar", Some(&desk.agent)).await;
    people.assert_contains(r#"data-email="maria@example.test""#);

    let bad = desk
        .post(
            "/agent/tickets/new",
            &desk.agent,
            &[
                ("requester_email", "not an email"),
                ("subject", ""),
                ("channel", "phone"),
                ("ticket_type", "incident"),
                ("impact", "individual"),
                ("urgency", "medium"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.field_error("requester_email").is_some());
    assert_eq!(
        bad.field_error("subject").as_deref(),
        Some("Sum the problem up in one line")
    );
    assert!(
        desk.store
            .find_user_by_email(&ferrodesk_domain::EmailAddress::parse("x@y.test").unwrap())
            .await
            .unwrap()
            .is_none()
    );

    let page = desk
        .post(
            "/agent/tickets/new",
            &desk.agent,
            &[
                ("requester_email", "new.caller@example.test"),
                ("requester_name", "Nova Caller"),
                ("requester_phone", "+47 555 0101"),
                ("requester_location", "Oslo, floor 2"),
                ("channel", "phone"),
                ("call_direction", "inbound"),
                ("call_minutes", "4"),
                ("subject", "Cannot reach the ERP"),
                ("description", "Timeout after login"),
                ("ticket_type", "incident"),
                ("impact", "department"),
                ("urgency", "high"),
                ("assign_to_me", "on"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let id: i64 = page
        .location()
        .trim_start_matches("/agent/tickets/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let ticket = desk.reload(ferrodesk_domain::TicketId(id)).await;
    assert_eq!(ticket.priority, Priority::P2);
    assert_eq!(ticket.assignee_id, Some(desk.agent.user_id));
    assert_eq!(ticket.channel, ferrodesk_domain::Channel::Phone);
    let caller = desk.store.get_user(ticket.requester_id).await.unwrap();
    assert_eq!(caller.name, "Nova Caller");
    assert_eq!(caller.phone.as_deref(), Some("+47 555 0101"));
    let view = desk.get(page.location(), Some(&desk.agent)).await;
    view.assert_contains("Ticket created.");
    view.assert_contains("took a phone call");
    view.assert_contains("Inbound call, 4 min, +47 555 0101");
}

#[tokio::test]
async fn a_closed_ticket_offers_no_composer() {
    let desk = Desk::new().await;
    let ticket = desk.ticket(&desk.customer, "Old request").await;
    let actor = desk.actor(&desk.agent).await;
    let tickets = desk.app.tickets();
    tickets
        .transition(&actor, ticket.id, TicketStatus::Resolved, None, None)
        .await
        .unwrap();
    tickets
        .transition(&actor, ticket.id, TicketStatus::Closed, None, None)
        .await
        .unwrap();
    let page = desk
        .get(&format!("/agent/tickets/{}", ticket.id), Some(&desk.agent))
        .await;
    page.assert_contains("This ticket is closed");
    page.assert_lacks(r#"id="composer""#);
    let reply = desk
        .post(
            &format!("/agent/tickets/{}/reply", ticket.id),
            &desk.agent,
            &[("body", "hello")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.field_error("body").unwrap().contains("closed"));
    // Interactions through the app stay refused too.
    assert!(
        tickets
            .add_interaction(
                &actor,
                ticket.id,
                InteractionInput::Note { body: "x".into() },
                None
            )
            .await
            .is_err()
    );
}
