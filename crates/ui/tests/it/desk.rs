//! The desk extras in the agent workspace: the asset inventory and the ticket view's
//! assets panel.

use crate::support::Desk;
use axum::http::StatusCode;

#[tokio::test]
async fn agents_record_edit_link_and_retire_assets() {
    let desk = Desk::new().await;
    let ticket = desk.ticket(&desk.customer, "Laptop will not boot").await;

    // Customers never see the inventory pages.
    let page = desk.get("/agent/assets", Some(&desk.customer)).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);

    let page = desk.get("/agent/assets", Some(&desk.agent)).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Record an asset");

    // Errors show next to their fields, and nothing is recorded.
    let bad = desk
        .post(
            "/agent/assets",
            &desk.agent,
            &[
                ("tag", "  "),
                ("type", "computer"),
                ("assigned_to", "nobody@example.test"),
                ("purchase_date", "31/12/2024"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.field_error("assigned_to").is_some(), "{}", bad.body);
    assert!(bad.field_error("purchase_date").is_some());
    let bad = desk
        .post(
            "/agent/assets",
            &desk.agent,
            &[("tag", ""), ("type", "computer")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.field_error("tag").is_some(), "{}", bad.body);

    let created = desk
        .post(
            "/agent/assets",
            &desk.agent,
            &[
                ("tag", "LT-<b>7</b>"),
                ("type", "computer"),
                ("manufacturer", "Dell"),
                ("model", "Latitude 7440"),
                ("assigned_to", "maria@example.test"),
                ("purchase_date", "2024-05-01"),
                ("warranty_end", "2027-05-01"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let list = desk
        .get("/agent/assets?done=saved", Some(&desk.agent))
        .await;
    list.assert_contains("LT-&#60;b&#62;7&#60;/b&#62;");
    list.assert_lacks("LT-<b>7</b>");
    list.assert_contains("Maria Silva");

    // A second asset with the same tag is refused next to the tag.
    let taken = desk
        .post(
            "/agent/assets",
            &desk.agent,
            &[("tag", "LT-<b>7</b>"), ("type", "phone")],
        )
        .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(taken.field_error("tag").is_some());

    // The ticket view loads the panel, which offers the requester's asset.
    let view = desk
        .get(&format!("/agent/tickets/{}", ticket.id), Some(&desk.agent))
        .await;
    view.assert_contains(&format!("/agent/tickets/{}/desk", ticket.id));
    let panel = desk
        .get(
            &format!("/agent/tickets/{}/desk", ticket.id),
            Some(&desk.agent),
        )
        .await;
    assert_eq!(panel.status, StatusCode::OK);
    panel.assert_contains("Maria Silva's other assets");
    panel.assert_contains("Latitude 7440");

    let linked = desk
        .post(
            &format!("/agent/tickets/{}/assets/link", ticket.id),
            &desk.agent,
            &[("asset_tag", "lt-<b>7</b>")],
        )
        .await;
    assert_eq!(linked.status, StatusCode::SEE_OTHER, "{}", linked.body);
    let actor = desk.actor(&desk.agent).await;
    let assets = desk
        .app
        .assets()
        .of_ticket(&actor, ticket.id)
        .await
        .unwrap();
    assert_eq!(assets.len(), 1);
    let asset_id = assets[0].id.get().to_string();
    let panel = desk
        .get(
            &format!("/agent/tickets/{}/desk", ticket.id),
            Some(&desk.agent),
        )
        .await;
    panel.assert_contains("Unlink LT-&#60;b&#62;7&#60;/b&#62;");

    // An unknown tag is refused without a change.
    let unknown = desk
        .post(
            &format!("/agent/tickets/{}/assets/link", ticket.id),
            &desk.agent,
            &[("asset_tag", "NOPE-1")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    unknown.assert_contains("No asset has the tag");

    // Edit: the form shows the current values; a bad date is refused.
    let edit = desk
        .get(&format!("/agent/assets/{asset_id}"), Some(&desk.agent))
        .await;
    assert_eq!(edit.status, StatusCode::OK);
    edit.assert_contains(r#"value="maria@example.test""#);
    let bad = desk
        .post(
            &format!("/agent/assets/{asset_id}"),
            &desk.agent,
            &[
                ("tag", "LT-7"),
                ("type", "computer"),
                ("purchase_date", "2025-01-01"),
                ("warranty_end", "2024-01-01"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.field_error("warranty_end").is_some(), "{}", bad.body);
    let saved = desk
        .post(
            &format!("/agent/assets/{asset_id}"),
            &desk.agent,
            &[
                ("tag", "LT-7"),
                ("type", "computer"),
                ("location", "Lisbon"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let list = desk.get("/agent/assets?tag=lt", Some(&desk.agent)).await;
    list.assert_contains("Lisbon");

    let retired = desk
        .post(
            &format!("/agent/assets/{asset_id}/delete"),
            &desk.agent,
            &[],
        )
        .await;
    assert_eq!(retired.status, StatusCode::SEE_OTHER);
    let gone = desk
        .get(&format!("/agent/assets/{asset_id}"), Some(&desk.agent))
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert!(
        desk.app
            .assets()
            .of_ticket(&actor, ticket.id)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn agents_watch_tickets_from_the_ticket_view() {
    let desk = Desk::new().await;
    let ticket = desk.ticket(&desk.customer, "Printer jams on tray 2").await;
    let panel_path = format!("/agent/tickets/{}/desk", ticket.id);
    let panel = desk.get(&panel_path, Some(&desk.agent)).await;
    panel.assert_contains("Nobody watches this ticket.");
    panel.assert_contains(r#"value="watch""#);

    let watched = desk
        .post(
            &format!("/agent/tickets/{}/watch", ticket.id),
            &desk.agent,
            &[("action", "watch")],
        )
        .await;
    assert_eq!(watched.status, StatusCode::SEE_OTHER, "{}", watched.body);
    let panel = desk.get(&panel_path, Some(&desk.agent)).await;
    panel.assert_contains("Ana Souza <span class=\"muted small\">(you)</span>");
    panel.assert_contains(r#"value="unwatch""#);
    let list = desk.get("/agent/watching", Some(&desk.agent)).await;
    assert_eq!(list.status, StatusCode::OK);
    list.assert_contains("Printer jams on tray 2");

    // Adding someone who cannot see the ticket is refused; a wrong action is a 400.
    let refused = desk
        .post(
            &format!("/agent/tickets/{}/watchers/add", ticket.id),
            &desk.agent,
            &[("watcher_email", "priya@desk.test")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("cannot see ticket");
    let bad = desk
        .post(
            &format!("/agent/tickets/{}/watch", ticket.id),
            &desk.agent,
            &[("action", "dance")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let added = desk
        .post(
            &format!("/agent/tickets/{}/watchers/add", ticket.id),
            &desk.agent,
            &[("watcher_email", "admin@desk.test")],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let removed = desk
        .post(
            &format!("/agent/tickets/{}/watchers/remove", ticket.id),
            &desk.agent,
            &[("user_id", &desk.admin.user_id.to_string())],
        )
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    let unwatched = desk
        .post(
            &format!("/agent/tickets/{}/watch", ticket.id),
            &desk.agent,
            &[("action", "unwatch")],
        )
        .await;
    assert_eq!(unwatched.status, StatusCode::SEE_OTHER);
    let list = desk.get("/agent/watching", Some(&desk.agent)).await;
    list.assert_lacks("Printer jams on tray 2");
}

async fn resolved(desk: &Desk, subject: &str) -> ferrodesk_domain::Ticket {
    let ticket = desk.ticket(&desk.customer, subject).await;
    let agent = desk.actor(&desk.agent).await;
    desk.app
        .tickets()
        .transition(
            &agent,
            ticket.id,
            ferrodesk_domain::TicketStatus::Resolved,
            None,
            None,
        )
        .await
        .unwrap();
    desk.reload(ticket.id).await
}

#[tokio::test]
async fn a_signed_link_rates_without_signing_in_once() {
    let desk = Desk::new().await;
    let ticket = resolved(&desk, "Wi-Fi drops in room 4").await;
    let token = desk
        .app
        .ratings()
        .link_token(&ticket)
        .await
        .unwrap()
        .unwrap();
    let path = format!("/rate/{token}");
    let page = desk.get(&path, None).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Wi-Fi drops in room 4");
    page.assert_contains(r#"name="score""#);

    // A changed link is unknown; so is rubbish.
    let tampered = format!("{}X", &token[..token.len() - 1]);
    for bad in [format!("/rate/{tampered}"), "/rate/nonsense".to_owned()] {
        assert_eq!(desk.get(&bad, None).await.status, StatusCode::NOT_FOUND);
        let posted = desk
            .post_raw(
                &bad,
                None,
                &[("score", "5")],
                &[("sec-fetch-site", "same-origin")],
            )
            .await;
        assert_eq!(posted.status, StatusCode::NOT_FOUND);
    }

    // No score: the error sits next to the field.
    let missing = desk
        .post_raw(&path, None, &[], &[("sec-fetch-site", "same-origin")])
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.field_error("score").is_some(), "{}", missing.body);
    // From another site: refused.
    let cross = desk
        .post_raw(
            &path,
            None,
            &[("score", "5")],
            &[("sec-fetch-site", "cross-site")],
        )
        .await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN);

    let rated = desk
        .post_raw(
            &path,
            None,
            &[("score", "4"), ("comment", "Fixed <fast>")],
            &[("sec-fetch-site", "same-origin")],
        )
        .await;
    assert_eq!(rated.status, StatusCode::SEE_OTHER, "{}", rated.body);
    let page = desk.get(&path, None).await;
    page.assert_contains("You rated this 4 out of 5");
    let again = desk
        .post_raw(
            &path,
            None,
            &[("score", "1")],
            &[("sec-fetch-site", "same-origin")],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The agent sees the rating beside the ticket, escaped.
    let panel = desk
        .get(
            &format!("/agent/tickets/{}/desk", ticket.id),
            Some(&desk.agent),
        )
        .await;
    panel.assert_contains("4 / 5");
    panel.assert_lacks("Fixed <fast>");
}

#[tokio::test]
async fn customers_rate_resolved_requests_in_the_portal() {
    let desk = Desk::new().await;
    let open = desk.ticket(&desk.customer, "Keyboard missing keys").await;
    let page = desk
        .get(
            &format!("/portal/tickets/{}", open.id),
            Some(&desk.customer),
        )
        .await;
    page.assert_lacks("rating-panel");
    let refused = desk
        .post(
            &format!("/portal/tickets/{}/rating", open.id),
            &desk.customer,
            &[("score", "5")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("once it is resolved");

    let ticket = resolved(&desk, "Mouse double-clicks").await;
    let page = desk
        .get(
            &format!("/portal/tickets/{}", ticket.id),
            Some(&desk.customer),
        )
        .await;
    page.assert_contains("rating-panel");
    let panel = desk
        .get(
            &format!("/portal/tickets/{}/rating", ticket.id),
            Some(&desk.customer),
        )
        .await;
    assert_eq!(panel.status, StatusCode::OK);
    panel.assert_contains("Send rating");
    // Someone else's request is not found.
    let other = desk
        .get(
            &format!("/portal/tickets/{}/rating", ticket.id),
            Some(&desk.other_customer),
        )
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    let bad = desk
        .post(
            &format!("/portal/tickets/{}/rating", ticket.id),
            &desk.customer,
            &[("score", "9")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.field_error("score").is_some(), "{}", bad.body);
    let rated = desk
        .post(
            &format!("/portal/tickets/{}/rating", ticket.id),
            &desk.customer,
            &[("score", "5"), ("comment", "Brilliant")],
        )
        .await;
    assert_eq!(rated.status, StatusCode::SEE_OTHER, "{}", rated.body);
    let panel = desk
        .get(
            &format!("/portal/tickets/{}/rating", ticket.id),
            Some(&desk.customer),
        )
        .await;
    panel.assert_contains("You rated this 5 out of 5.");
    let page = desk
        .get(
            &format!("/portal/tickets/{}", ticket.id),
            Some(&desk.customer),
        )
        .await;
    page.assert_contains("Brilliant");
}

#[tokio::test]
async fn agents_save_queue_views_and_share_them_with_their_group() {
    let desk = Desk::new().await;
    desk.ticket(&desk.customer, "VPN drops").await;
    let queue = desk
        .get("/agent/queues/open?sort=oldest&q=vpn", Some(&desk.agent))
        .await;
    queue.assert_contains("Save this view as a filter");
    queue.assert_contains(r#"name="from" value="/agent/queues/open/rows?sort=oldest&#38;q=vpn""#);

    let group = format!("group-{}", desk.service_desk);
    let saved = desk
        .post(
            "/agent/filters",
            &desk.agent,
            &[
                ("name", "Old VPN <tickets>"),
                ("from", "/agent/queues/open/rows?sort=oldest&q=vpn"),
                ("share", &group),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(
        saved.location(),
        "/agent/queues/open?sort=oldest&q=vpn&done=filter_saved"
    );

    // In the sidebar, escaped, for the owner and for a colleague in the group.
    let colleague = desk
        .person(
            "rui@desk.test",
            "Rui Costa",
            ferrodesk_domain::Role::Agent,
            Some(desk.service_desk),
        )
        .await;
    for who in [&desk.agent, &colleague] {
        let page = desk.get("/agent/queues/mine", Some(who)).await;
        // The link carries the saved view's id, so the page shows its name.
        page.assert_contains(r#"href="/agent/queues/open?sort=oldest&#38;q=vpn&#38;view="#);
        page.assert_contains(r#">Old VPN &#60;tickets&#62;"#);
    }
    let other = desk
        .get("/agent/queues/mine", Some(&desk.network_agent))
        .await;
    other.assert_lacks("Old VPN");

    // The same name twice, a group the agent is not in, a page off the queues: refused.
    let again = desk
        .post(
            "/agent/filters",
            &desk.agent,
            &[
                ("name", "Old VPN <tickets>"),
                ("from", "/agent/queues/mine/rows?sort=newest"),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    again.assert_contains("already have a saved filter");
    let foreign = desk
        .post(
            "/agent/filters",
            &desk.agent,
            &[
                ("name", "Network"),
                ("from", "/agent/queues/open/rows?sort=newest"),
                ("share", &format!("group-{}", desk.network)),
            ],
        )
        .await;
    assert_eq!(foreign.status, StatusCode::UNPROCESSABLE_ENTITY);
    let off = desk
        .post(
            "/agent/filters",
            &desk.agent,
            &[("name", "Away"), ("from", "https://evil.example/")],
        )
        .await;
    assert_eq!(off.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Only the owner may delete it.
    let actor = desk.actor(&desk.agent).await;
    let id = desk.app.saved_filters().list(&actor).await.unwrap()[0]
        .filter
        .id;
    let list = desk.get("/agent/filters", Some(&colleague)).await;
    list.assert_lacks(&format!("/agent/filters/{id}/delete"));
    let refused = desk
        .post(&format!("/agent/filters/{id}/delete"), &colleague, &[])
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let deleted = desk
        .post(&format!("/agent/filters/{id}/delete"), &desk.agent, &[])
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    let page = desk.get("/agent/queues/mine", Some(&colleague)).await;
    page.assert_lacks("Old VPN");
}

#[tokio::test]
async fn people_change_their_password_and_other_sessions_end() {
    let desk = Desk::new().await;
    let elsewhere = desk.session_for(desk.customer.user_id).await;
    let page = desk.get("/account/password", Some(&desk.customer)).await;
    assert_eq!(page.status, StatusCode::OK);
    let wrong = desk
        .post(
            "/account/password",
            &desk.customer,
            &[
                ("current_password", "nope"),
                ("new_password", "a much longer secret"),
                ("repeat_password", "a much longer secret"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.field_error("current_password").is_some());
    let differ = desk
        .post(
            "/account/password",
            &desk.customer,
            &[
                ("current_password", crate::support::PASSWORD),
                ("new_password", "a much longer secret"),
                ("repeat_password", "something else"),
            ],
        )
        .await;
    assert!(differ.field_error("repeat_password").is_some());
    let short = desk
        .post(
            "/account/password",
            &desk.customer,
            &[
                ("current_password", crate::support::PASSWORD),
                ("new_password", "short"),
                ("repeat_password", "short"),
            ],
        )
        .await;
    assert!(short.field_error("new_password").is_some());
    // Refused attempts ended nothing.
    assert_eq!(
        desk.get("/portal", Some(&elsewhere)).await.status,
        StatusCode::OK
    );
    let changed = desk
        .post(
            "/account/password",
            &desk.customer,
            &[
                ("current_password", crate::support::PASSWORD),
                ("new_password", "a much longer secret"),
                ("repeat_password", "a much longer secret"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    assert_eq!(
        desk.get("/portal", Some(&desk.customer)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        desk.get("/portal", Some(&elsewhere)).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn admins_rename_and_delete_unused_categories() {
    let desk = Desk::new().await;
    let admin = desk.actor(&desk.admin).await;
    let directory = desk.app.directory();
    let used = directory
        .create_category(&admin, "Printers", None)
        .await
        .unwrap();
    let spare = directory
        .create_category(&admin, "Fax", None)
        .await
        .unwrap();
    let agent = desk.actor(&desk.agent).await;
    desk.app
        .tickets()
        .create(
            &agent,
            ferrodesk_app::NewTicketInput {
                subject: "Jam".into(),
                requester: Some(ferrodesk_app::RequesterRef::Id(desk.customer.user_id)),
                category_id: Some(used.id),
                ..ferrodesk_app::NewTicketInput::default()
            },
            None,
        )
        .await
        .unwrap();
    let renamed = desk
        .post(
            &format!("/admin/categories/{}/rename", used.id),
            &desk.admin,
            &[("name", "Printers & scanners")],
        )
        .await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER);
    let page = desk.get("/admin/categories", Some(&desk.admin)).await;
    page.assert_contains("Printers &#38; scanners");
    let refused = desk
        .post(
            &format!("/admin/categories/{}/delete", used.id),
            &desk.admin,
            &[],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let forbidden = desk
        .post(
            &format!("/admin/categories/{}/delete", spare.id),
            &desk.agent,
            &[],
        )
        .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    let deleted = desk
        .post(
            &format!("/admin/categories/{}/delete", spare.id),
            &desk.admin,
            &[],
        )
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    let page = desk.get("/admin/categories", Some(&desk.admin)).await;
    page.assert_lacks(">Fax");
}
