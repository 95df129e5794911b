//! Service-level tests of what the HTTP suite cannot reach: the command-line entry
//! points and the rules behind them, on a real SQLite store with a manual clock.
#![allow(clippy::unwrap_used, missing_docs)]

mod mail;
mod mail_snapshots;

use ferrodesk_app::{App, AppError, GroupInput, NewUserInput};
use ferrodesk_domain::Role;
use ferrodesk_testing::fixtures::{TestDesk, person};

mod bulk;
mod custom_fields;
mod jobs;
mod macros;
mod notification_mail;
mod notifications;

mod rating_mail;
mod routing_settings;
mod search;
mod sla_start;
mod staffed;
mod ticket_templates;
mod vendors;

async fn app() -> (App, tempfile::TempDir) {
    let desk = TestDesk::sqlite().await;
    (desk.app, desk.dir)
}

#[tokio::test]
async fn first_admin_can_create_groups_and_the_cli_adds_staff_to_them_by_name() {
    let (app, _dir) = app().await;
    let first = app.ensure_first_admin().await.unwrap().unwrap();
    let admin = app
        .add_user_as_system(person("boss@example.com", "admin"))
        .await
        .unwrap();
    let actor = app.store().actor_for_user(admin.id).await.unwrap();
    let group = app
        .directory()
        .create_group(
            &actor,
            GroupInput {
                name: "Service Desk".into(),
                tier: 1,
                ..GroupInput::default()
            },
        )
        .await
        .unwrap();
    let agent = app
        .add_user_as_system(NewUserInput {
            tier: Some(2),
            groups: vec!["Service Desk".into()],
            ..person("ana@example.com", "agent")
        })
        .await
        .unwrap();
    assert_eq!(agent.role, Role::Agent);
    assert_eq!(agent.group_ids, vec![group.id]);
    assert_eq!(agent.tier.map(|t| t.get()), Some(2));
    assert_ne!(first.email.as_str(), agent.email.as_str());
}

#[tokio::test]
async fn the_cli_refuses_unknown_roles_groups_organizations_and_emails() {
    let (app, _dir) = app().await;
    let bad_role = app
        .add_user_as_system(person("a@example.com", "boss"))
        .await
        .unwrap_err();
    assert!(
        matches!(bad_role, AppError::Invalid { ref field, .. } if field == "role"),
        "{bad_role:?}"
    );
    let no_group = app
        .add_user_as_system(NewUserInput {
            groups: vec!["Nowhere".into()],
            ..person("a@example.com", "agent")
        })
        .await
        .unwrap_err();
    assert!(
        matches!(no_group, AppError::NotFound { kind: "group", .. }),
        "{no_group:?}"
    );
    let no_org = app
        .add_user_as_system(NewUserInput {
            organization: Some("Nobody Inc".into()),
            ..person("a@example.com", "customer")
        })
        .await
        .unwrap_err();
    assert!(
        matches!(
            no_org,
            AppError::NotFound {
                kind: "organization",
                ..
            }
        ),
        "{no_org:?}"
    );
    let short = app
        .add_user_as_system(NewUserInput {
            password: Some("short".into()),
            ..person("a@example.com", "admin")
        })
        .await
        .unwrap_err();
    assert!(
        matches!(short, AppError::Invalid { ref field, .. } if field == "password"),
        "{short:?}"
    );
    let no_user = app
        .create_token_as_system("ghost@example.com", "cli")
        .await
        .unwrap_err();
    assert!(
        matches!(no_user, AppError::NotFound { kind: "user", .. }),
        "{no_user:?}"
    );
    // Nothing half-made was left behind.
    assert_eq!(app.store().count_users().await.unwrap(), 0);
}

#[tokio::test]
async fn a_cli_token_authenticates_as_its_person_and_only_its_digest_is_stored() {
    let (app, _dir) = app().await;
    let user = app
        .add_user_as_system(person("ci@example.com", "agent"))
        .await
        .unwrap();
    let secret = app
        .create_token_as_system("ci@example.com", "ci")
        .await
        .unwrap();
    let actor = app.auth().authenticate_token(&secret).await.unwrap();
    assert_eq!(actor.user_id, user.id);
    let wrong = app.auth().authenticate_token("fd_guess").await.unwrap_err();
    assert!(matches!(wrong, AppError::Unauthenticated { .. }));
    // The store never sees the secret itself.
    let digest = ferrodesk_app::secret::sha256_hex(&secret);
    assert!(
        app.store()
            .find_actor_by_token(&secret, app.now())
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        app.store()
            .find_actor_by_token(&digest, app.now())
            .await
            .unwrap()
            .is_some()
    );
}
