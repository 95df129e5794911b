//! The agent's search page: every result links to a page the searcher may open.

use crate::support::Desk;
use axum::http::StatusCode;
use ferrodesk_app::AssetInput;
use ferrodesk_domain::AssetType;

#[tokio::test]
async fn an_agent_s_search_links_people_nowhere_forbidden_and_assets_to_their_page() {
    let desk = Desk::new().await;
    let admin = desk.actor(&desk.admin).await;
    let asset = desk
        .app
        .assets()
        .create(
            &admin,
            AssetInput {
                tag: "LT-0042".into(),
                asset_type: AssetType::Computer,
                serial: None,
                manufacturer: None,
                model: Some("Latitude Silva".into()),
                location: None,
                assigned_to: Some(desk.customer.user_id),
                purchase_date: None,
                warranty_end: None,
                contract: None,
            },
        )
        .await
        .unwrap();
    desk.app.search().sync().await.unwrap();

    let page = desk.get("/agent/search?q=Silva", Some(&desk.agent)).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("result-person");
    page.assert_contains("result-asset");
    page.assert_lacks("href=\"/admin/users/");
    page.assert_lacks("href=\"\"");
    page.assert_contains(&format!("href=\"/agent/assets/{}\"", asset.id));
    let opened = desk
        .get(&format!("/agent/assets/{}", asset.id), Some(&desk.agent))
        .await;
    assert_eq!(opened.status, StatusCode::OK);

    // An admin may open the person's page, so theirs links to it.
    let page = desk.get("/agent/search?q=Silva", Some(&desk.admin)).await;
    page.assert_contains(&format!("href=\"/admin/users/{}\"", desk.customer.user_id));
}
