//! Finished admin and editor forms: the calendar form reports every mistake at once
//! with the time zone from a list, and an article's language is one of the desk's six.

use crate::support::Desk;
use axum::http::StatusCode;

#[tokio::test]
async fn a_calendar_form_reports_every_mistake_at_once_and_lists_the_time_zones() {
    let desk = Desk::new().await;
    let form = desk.get("/admin/calendars/new", Some(&desk.admin)).await;
    assert_eq!(form.status, StatusCode::OK);
    form.assert_contains(r#"list="time_zones""#);
    form.assert_contains(r#"<option value="Europe/Oslo">"#);

    let bad = desk
        .post(
            "/admin/calendars",
            &desk.admin,
            &[
                ("name", ""),
                ("time_zone", "Mars/Olympus"),
                ("hours", "funday 08:00-16:00\ntuesday 9-5"),
                ("holidays", "christmas"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["name", "time_zone", "hours", "holidays"] {
        assert!(bad.field_error(field).is_some(), "{field}: {}", bad.body);
    }
    let hours = bad.field_error("hours").unwrap();
    assert!(hours.contains("funday") && hours.contains("9-5"), "{hours}");
    assert!(desk.store.list_calendars().await.unwrap().is_empty());
}

#[tokio::test]
async fn an_articles_language_is_chosen_from_the_desks_six() {
    let desk = Desk::new().await;
    let form = desk.get("/agent/kb/new", Some(&desk.agent)).await;
    assert_eq!(form.status, StatusCode::OK);
    for (tag, name) in [
        ("en", "English"),
        ("pt", "Português"),
        ("nb", "Norsk (bokmål)"),
        ("hu", "Magyar"),
        ("pl", "Polski"),
        ("es", "Español"),
    ] {
        assert!(
            form.body.contains(&format!(r#"<option value="{tag}""#))
                && form.body.contains(&format!(">{name}</option>")),
            "{tag} {name}"
        );
    }
    form.assert_lacks(r#"name="language" type="text""#);

    let fields = |language: &'static str| {
        [
            ("title", "Clearing a paper jam"),
            ("body", "Open tray 2."),
            ("kind", "troubleshooting"),
            ("status", "draft"),
            ("visibility", "public"),
            ("language", language),
        ]
    };
    let refused = desk
        .post("/agent/kb/new", &desk.agent, &fields("klingon"))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.field_error("language").is_some(),
        "{}",
        refused.body
    );

    let saved = desk.post("/agent/kb/new", &desk.agent, &fields("nb")).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let id = saved
        .location()
        .trim_start_matches("/agent/kb/")
        .split(['?', '/'])
        .next()
        .unwrap()
        .to_owned();
    let edit = desk
        .get(&format!("/agent/kb/{id}/edit"), Some(&desk.agent))
        .await;
    edit.assert_contains(r#"<option value="nb" selected>Norsk (bokmål)</option>"#);
}
