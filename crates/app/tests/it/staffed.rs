//! A small staffed desk for use-case tests: an admin, an agent in the "Service Desk"
//! group (tier 1), an agent outside it and a customer.

use ferrodesk_app::{App, GroupInput, NewUserInput};
use ferrodesk_domain::{Actor, GroupId};
use ferrodesk_testing::fixtures::{TestDesk, add_actor, person};

pub(crate) struct Desk {
    pub(crate) app: App,
    pub(crate) admin: Actor,
    pub(crate) agent: Actor,
    pub(crate) outsider: Actor,
    pub(crate) customer: Actor,
    pub(crate) group: GroupId,
    _dir: tempfile::TempDir,
}

pub(crate) async fn desk() -> Desk {
    let desk = TestDesk::sqlite().await;
    let app = desk.app;
    let admin = add_actor(&app, person("boss@desk.example", "admin")).await;
    let group = app
        .directory()
        .create_group(
            &admin,
            GroupInput {
                name: "Service Desk".into(),
                tier: 1,
                ..GroupInput::default()
            },
        )
        .await
        .unwrap();
    let agent = add_actor(
        &app,
        NewUserInput {
            name: "Ola Nordmann".into(),
            groups: vec!["Service Desk".into()],
            ..person("ola@desk.example", "agent")
        },
    )
    .await;
    let outsider = add_actor(&app, person("kari@desk.example", "agent")).await;
    let customer = add_actor(
        &app,
        NewUserInput {
            name: "Ana Berg".into(),
            ..person("ana@example.com", "customer")
        },
    )
    .await;
    Desk {
        app,
        admin,
        agent,
        outsider,
        customer,
        group: group.id,
        _dir: desk.dir,
    }
}
