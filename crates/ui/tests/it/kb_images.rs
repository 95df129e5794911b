//! Images in knowledge-base articles, added from the article form.

use crate::support::Desk;
use axum::http::StatusCode;

/// A PNG's signature and the start of its header: enough to be recognized as one.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";

#[tokio::test]
async fn an_image_added_in_the_form_shows_in_the_article_for_its_readers() {
    let desk = Desk::new().await;
    let actor = desk.actor(&desk.agent).await;
    let article = desk
        .published_article("Clearing a paper jam", "Open tray 2.")
        .await;
    let path = format!("/agent/kb/{}/edit", article.id);
    let fields = [
        ("version", "1"),
        ("title", "Clearing a paper jam"),
        ("body", "Open tray 2."),
        ("kind", "troubleshooting"),
        ("status", "published"),
        ("visibility", "public"),
        ("language", "en"),
    ];
    // Text is not an image: the form says so and nothing is saved.
    let bad = desk
        .post_multipart(
            &path,
            &desk.agent,
            &fields,
            &[("images", "notes.txt", "text/plain", b"hello")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.field_error("images").unwrap().contains("notes.txt"));
    assert_eq!(
        desk.app.kb().get(&actor, article.id).await.unwrap().version,
        1
    );

    let page = desk
        .post_multipart(
            &path,
            &desk.agent,
            &fields,
            &[("images", "tray-2.png", "image/png", PNG)],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let saved = desk.app.kb().get(&actor, article.id).await.unwrap();
    assert!(
        saved
            .content
            .body
            .contains("![tray-2](/api/v1/kb/articles/"),
        "{}",
        saved.content.body
    );
    // The portal shows it to the customer as an image.
    let portal = desk
        .get(&format!("/portal/kb/{}", article.id), Some(&desk.customer))
        .await;
    assert_eq!(portal.status, StatusCode::OK);
    portal.assert_contains(&format!(
        r#"<img src="/api/v1/kb/articles/{}/images/"#,
        article.id
    ));
}
