//! The vendor pages: `/admin/vendors` for admins only, with errors next to their
//! fields; the ticket's Vendor panel and its hand-off form, refusals shown on the
//! form and changing nothing.

use crate::support::Desk;
use axum::http::StatusCode;
use ferrodesk_app::VendorInput;
use ferrodesk_domain::{TicketStatus, Vendor};

async fn acme(desk: &Desk) -> Vendor {
    let admin = desk.actor(&desk.admin).await;
    desk.app
        .vendors()
        .create(
            &admin,
            VendorInput {
                name: "Acme Printers".into(),
                email: "cases@acme.example".into(),
                contract_ref: Some("PRN-2291".into()),
                response_hours: 8,
                notes: None,
            },
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn admins_add_change_and_deactivate_vendors_and_nobody_else_may() {
    let desk = Desk::new().await;
    for who in [&desk.agent, &desk.customer] {
        assert_eq!(
            desk.get("/admin/vendors", Some(who)).await.status,
            StatusCode::FORBIDDEN
        );
    }
    let sneaky = desk
        .post(
            "/admin/vendors",
            &desk.agent,
            &[
                ("name", "Sneaky"),
                ("email", "x@y.example"),
                ("response_hours", "4"),
            ],
        )
        .await;
    assert_eq!(sneaky.status, StatusCode::FORBIDDEN);

    let bad = desk
        .post(
            "/admin/vendors",
            &desk.admin,
            &[("name", ""), ("email", "nope"), ("response_hours", "soon")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.field_error("response_hours").is_some());
    let bad = desk
        .post(
            "/admin/vendors",
            &desk.admin,
            &[("name", "Acme"), ("email", "nope"), ("response_hours", "8")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.field_error("email").is_some(), "{}", bad.body);

    let added = desk
        .post(
            "/admin/vendors",
            &desk.admin,
            &[
                ("name", "Acme Printers"),
                ("email", "cases@acme.example"),
                ("contract_ref", "PRN-2291"),
                ("response_hours", "8"),
                ("notes", ""),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let list = desk.get("/admin/vendors", Some(&desk.admin)).await;
    list.assert_contains("Acme Printers");
    list.assert_contains("cases@acme.example");
    let taken = desk
        .post(
            "/admin/vendors",
            &desk.admin,
            &[
                ("name", "Acme Printers"),
                ("email", "x@acme.example"),
                ("response_hours", "4"),
            ],
        )
        .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        taken
            .field_error("name")
            .unwrap()
            .contains("already exists")
    );

    let admin = desk.actor(&desk.admin).await;
    let vendor = desk.app.vendors().all(&admin).await.unwrap().remove(0);
    let edit = format!("/admin/vendors/{}", vendor.id);
    desk.get(&edit, Some(&desk.admin))
        .await
        .assert_contains("PRN-2291");
    let saved = desk
        .post(
            &edit,
            &desk.admin,
            &[
                ("name", "Acme Printer Service"),
                ("email", "cases@acme.example"),
                ("contract_ref", ""),
                ("response_hours", "12"),
                ("notes", "Hotline 8-16"),
                ("is_active", "on"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let changed = desk.app.vendors().get(&admin, vendor.id).await.unwrap();
    assert_eq!(changed.name, "Acme Printer Service");
    assert_eq!(changed.contract_ref, None);
    assert_eq!(changed.response_hours, 12);
    let off = desk
        .post(&format!("{edit}/deactivate"), &desk.admin, &[])
        .await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    assert!(
        !desk
            .app
            .vendors()
            .get(&admin, vendor.id)
            .await
            .unwrap()
            .is_active
    );
    assert_eq!(
        desk.get("/admin/vendors/999999", Some(&desk.admin))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn an_agent_hands_a_ticket_off_from_its_vendor_panel() {
    let desk = Desk::new().await;
    let vendor = acme(&desk).await;
    let ticket = desk.ticket(&desk.customer, "Printer jam").await;
    let panel = format!("/agent/tickets/{}/vendors", ticket.id.get());
    let page = desk.get(&panel, Some(&desk.agent)).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Not handed off to a vendor");
    page.assert_contains("Acme Printers (answers within 8 h)");
    let ticket_page = desk
        .get(
            &format!("/agent/tickets/{}", ticket.id.get()),
            Some(&desk.agent),
        )
        .await;
    ticket_page.assert_contains(&format!("hx-get=\"{panel}\""));

    let action = format!("/agent/tickets/{}/vendor-handoff", ticket.id.get());
    let vendor_id = vendor.id.to_string();
    let refused = desk
        .post(
            &action,
            &desk.agent,
            &[("vendor_id", ""), ("message", "Please fix")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.field_error("vendor_id").is_some());
    let blank = desk
        .post(
            &action,
            &desk.agent,
            &[("vendor_id", &vendor_id), ("message", " ")],
        )
        .await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(blank.field_error("message").is_some());
    assert_eq!(desk.reload(ticket.id).await.version, ticket.version);

    let done = desk
        .post(
            &action,
            &desk.agent,
            &[
                ("vendor_id", &vendor_id),
                ("message", "The fuser needs replacing."),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert!(
        done.location().contains("done=handed_off"),
        "{}",
        done.location()
    );
    assert_eq!(
        desk.reload(ticket.id).await.status,
        TicketStatus::PendingVendor
    );
    let page = desk.get(&panel, Some(&desk.agent)).await;
    page.assert_contains(&format!("V-{}-1", ticket.id.get()));
    page.assert_contains("Waiting");
    let ticket_page = desk
        .get(
            &format!("/agent/tickets/{}", ticket.id.get()),
            Some(&desk.agent),
        )
        .await;
    ticket_page.assert_contains("handed the ticket off to Acme Printers");
    ticket_page.assert_contains("The fuser needs replacing.");
}

#[tokio::test]
async fn customers_get_no_vendor_panel_cannot_hand_off_and_see_nothing_of_it_in_the_portal() {
    let desk = Desk::new().await;
    let vendor = acme(&desk).await;
    let ticket = desk.ticket(&desk.customer, "Printer jam").await;
    let panel = format!("/agent/tickets/{}/vendors", ticket.id.get());
    let action = format!("/agent/tickets/{}/vendor-handoff", ticket.id.get());
    let vendor_id = vendor.id.to_string();
    let customer = desk.get(&panel, Some(&desk.customer)).await;
    assert_eq!(customer.status, StatusCode::FORBIDDEN);
    let by_customer = desk
        .post(
            &action,
            &desk.customer,
            &[("vendor_id", &vendor_id), ("message", "x")],
        )
        .await;
    assert_eq!(by_customer.status, StatusCode::FORBIDDEN);
    let missing = desk
        .get("/agent/tickets/99999/vendors", Some(&desk.agent))
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(desk.reload(ticket.id).await.version, ticket.version);
    // The customer's portal shows nothing of a hand-off.
    let agent = desk.actor(&desk.agent).await;
    desk.app
        .tickets()
        .hand_off(
            &agent,
            ticket.id,
            ferrodesk_app::HandoffInput {
                vendor_id: vendor.id,
                message: "Secret vendor detail".into(),
                version: None,
            },
        )
        .await
        .unwrap();
    let portal = desk
        .get(
            &format!("/portal/tickets/{}", ticket.id.get()),
            Some(&desk.customer),
        )
        .await;
    assert_eq!(portal.status, StatusCode::OK);
    portal.assert_lacks("Secret vendor detail");
    portal.assert_lacks("Acme Printers");
}
