//! The admin screens.

use crate::support::Desk;
use axum::http::StatusCode;
use ferrodesk_domain::{EmailAddress, Role};

#[tokio::test]
async fn only_admins_open_the_admin_screens() {
    let desk = Desk::new().await;
    for path in [
        "/admin/users",
        "/admin/tokens",
        "/admin/audit",
        "/admin/groups",
    ] {
        assert_eq!(
            desk.get(path, Some(&desk.agent)).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
        assert_eq!(
            desk.get(path, Some(&desk.customer)).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
        assert_eq!(
            desk.get(path, Some(&desk.admin)).await.status,
            StatusCode::OK,
            "{path}"
        );
    }
    let page = desk
        .post(
            "/admin/organizations",
            &desk.agent,
            &[("name", "Sneaky Org")],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn people_are_added_with_tier_and_groups_and_errors_show_per_field() {
    let desk = Desk::new().await;
    let bad = desk
        .post(
            "/admin/users/new",
            &desk.admin,
            &[
                ("email", "nope"),
                ("name", ""),
                ("role", "wizard"),
                ("tier", ""),
                ("locale", "en"),
                ("time_zone", "UTC"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.field_error("email").is_some());
    assert!(bad.field_error("name").is_some());
    assert!(bad.field_error("role").is_some());

    let bad_zone = desk
        .post(
            "/admin/users/new",
            &desk.admin,
            &[
                ("email", "jonas@desk.test"),
                ("name", "Jonas Berg"),
                ("role", "agent"),
                ("tier", "2"),
                ("locale", "en"),
                ("time_zone", "Mars/Olympus"),
            ],
        )
        .await;
    assert_eq!(bad_zone.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad_zone
            .field_error("time_zone")
            .unwrap()
            .contains("not a known time zone")
    );

    let network = desk.network.to_string();
    let page = desk
        .post(
            "/admin/users/new",
            &desk.admin,
            &[
                ("email", "jonas@desk.test"),
                ("name", "Jonas Berg"),
                ("role", "agent"),
                ("tier", "2"),
                ("group_ids", &network),
                ("locale", "en"),
                ("time_zone", "Europe/Oslo"),
                ("password", "a long enough password"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let jonas = desk
        .store
        .find_user_by_email(&EmailAddress::parse("jonas@desk.test").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(jonas.role, Role::Agent);
    assert_eq!(jonas.tier.unwrap().get(), 2);
    assert_eq!(jonas.group_ids, vec![desk.network]);

    let taken = desk
        .post(
            "/admin/users/new",
            &desk.admin,
            &[
                ("email", "jonas@desk.test"),
                ("name", "Jonas Two"),
                ("role", "customer"),
                ("locale", "en"),
                ("time_zone", "UTC"),
            ],
        )
        .await;
    assert!(
        taken
            .field_error("email")
            .unwrap()
            .contains("already in use")
    );

    let list = desk.get("/admin/users?role=agent", Some(&desk.admin)).await;
    list.assert_contains("Jonas Berg");
    list.assert_lacks("Maria Silva");

    // Deactivate, and the audit log says so.
    let edit = format!("/admin/users/{}", jonas.id);
    let page = desk
        .post(
            &edit,
            &desk.admin,
            &[
                ("email", "jonas@desk.test"),
                ("name", "Jonas Berg"),
                ("role", "agent"),
                ("tier", "2"),
                ("group_ids", &network),
                ("locale", "en"),
                ("time_zone", "Europe/Oslo"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert!(!desk.store.get_user(jonas.id).await.unwrap().is_active);
    let audit = desk.get("/admin/audit", Some(&desk.admin)).await;
    audit.assert_contains("<td>Account deactivated</td>");
    assert_eq!(
        desk.get("/admin/users/abc", Some(&desk.admin)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        desk.get("/admin/users/424242", Some(&desk.admin))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn organizations_groups_categories_and_services_are_managed() {
    let desk = Desk::new().await;
    let page = desk
        .post(
            "/admin/organizations",
            &desk.admin,
            &[("name", "Nordlys Logistics"), ("shares_tickets", "on")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let dup = desk
        .post(
            "/admin/organizations",
            &desk.admin,
            &[("name", "Nordlys Logistics")],
        )
        .await;
    assert!(dup.field_error("name").unwrap().contains("already exists"));
    let nordlys = desk
        .store
        .list_organizations(&ferrodesk_store::PageRequest::first(100))
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|o| o.name == "Nordlys Logistics")
        .unwrap();
    let edit = desk
        .get(
            &format!("/admin/organizations/{}", nordlys.id),
            Some(&desk.admin),
        )
        .await;
    edit.assert_contains(r#"value="Nordlys Logistics""#);

    let page = desk
        .post(
            "/admin/groups",
            &desk.admin,
            &[
                ("name", "Specialists"),
                ("tier", "3"),
                ("escalates_to", ""),
                ("description", "Third line"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let bad = desk
        .post("/admin/groups", &desk.admin, &[("name", ""), ("tier", "7")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let groups = desk.get("/admin/groups", Some(&desk.admin)).await;
    groups.assert_contains("Specialists");
    let edit = desk
        .get(
            &format!("/admin/groups/{}", desk.network),
            Some(&desk.admin),
        )
        .await;
    edit.assert_contains(r#"value="Network""#);

    let page = desk
        .post(
            "/admin/categories",
            &desk.admin,
            &[("name", "Hardware"), ("parent_id", "")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let hardware = desk
        .store
        .list_categories()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.name == "Hardware")
        .unwrap();
    let page = desk
        .post(
            "/admin/categories",
            &desk.admin,
            &[("name", "Printer"), ("parent_id", &hardware.id.to_string())],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let list = desk.get("/admin/categories", Some(&desk.admin)).await;
    list.assert_contains("Hardware › Printer");

    let page = desk
        .post(
            "/admin/services",
            &desk.admin,
            &[
                ("name", "Email"),
                ("owner_group_id", &desk.service_desk.to_string()),
                ("support_hours", "24/7"),
                ("is_supported", "on"),
                ("end_of_support", ""),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let bad = desk
        .post(
            "/admin/services",
            &desk.admin,
            &[("name", "VPN"), ("end_of_support", "soon")],
        )
        .await;
    assert_eq!(
        bad.field_error("end_of_support").as_deref(),
        Some("Give a date like 2026-12-31")
    );
    let services = desk.get("/admin/services", Some(&desk.admin)).await;
    services.assert_contains("Email");
    services.assert_contains("Supported");
}

#[tokio::test]
async fn a_new_token_is_shown_once_and_can_be_revoked() {
    let desk = Desk::new().await;
    let bad = desk
        .post(
            "/admin/tokens",
            &desk.admin,
            &[("owner_email", "ghost@desk.test"), ("name", "ci")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.field_error("owner_email")
            .unwrap()
            .contains("Nobody has the email")
    );

    let page = desk
        .post(
            "/admin/tokens",
            &desk.admin,
            &[
                ("owner_email", "ana@desk.test"),
                ("name", "monitoring"),
                ("expires_on", ""),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::CREATED);
    let start = page.body.find(r#"id="new-token">"#).unwrap() + r#"id="new-token">"#.len();
    let secret = &page.body[start..start + page.body[start..].find('<').unwrap()];
    assert!(secret.starts_with("fd_"), "{secret}");
    let actor = desk.app.auth().authenticate_token(secret).await.unwrap();
    assert_eq!(actor.user_id, desk.agent.user_id);

    let list = desk.get("/admin/tokens", Some(&desk.admin)).await;
    list.assert_contains("monitoring");
    list.assert_lacks(secret);
    let token = desk.store.list_tokens(None).await.unwrap().remove(0);
    let page = desk
        .post(
            &format!("/admin/tokens/{}/revoke", token.id),
            &desk.admin,
            &[],
        )
        .await;
    assert_eq!(page.location(), "/admin/tokens?done=revoked");
    assert!(desk.app.auth().authenticate_token(secret).await.is_err());
    let audit = desk.get("/admin/audit", Some(&desk.admin)).await;
    audit.assert_contains("token created");
    audit.assert_contains("token revoked");
}
