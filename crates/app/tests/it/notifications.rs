//! Who the desk tells about a ticket change: each kind of notification reaches the
//! people it concerns, in the ticket's write, never the person who made the change and
//! never someone who may not see the ticket.

use ferrodesk_app::{App, GroupInput, InteractionInput, NewTicketInput, NewUserInput, TicketPatch};
use ferrodesk_domain::{Actor, Channel, NotificationKind, Ticket, TicketStatus, User};
use ferrodesk_store::PageRequest;
use ferrodesk_testing::fixtures::{TestDesk, person};

struct Team {
    desk: TestDesk,
    admin: Actor,
    ola: User,
    kari: User,
    wanda: User,
    otto: User,
    ana: Actor,
}

async fn actor(app: &App, user: &User) -> Actor {
    app.store().actor_for_user(user.id).await.unwrap()
}

/// A service desk with Ola, Kari and Wanda in it, Otto in the network group, and Ana,
/// a customer.
async fn team() -> Team {
    let desk = TestDesk::sqlite().await;
    let app = &desk.app;
    let boss = app
        .add_user_as_system(person("boss@example.com", "admin"))
        .await
        .unwrap();
    let admin = actor(app, &boss).await;
    for name in ["Service Desk", "Network"] {
        app.directory()
            .create_group(
                &admin,
                GroupInput {
                    name: name.into(),
                    tier: if name == "Network" { 2 } else { 1 },
                    ..GroupInput::default()
                },
            )
            .await
            .unwrap();
    }
    let staff = |email: &str, group: &str| NewUserInput {
        groups: vec![group.into()],
        ..person(email, "agent")
    };
    let ola = app
        .add_user_as_system(staff("ola@example.com", "Service Desk"))
        .await
        .unwrap();
    let kari = app
        .add_user_as_system(staff("kari@example.com", "Service Desk"))
        .await
        .unwrap();
    let wanda = app
        .add_user_as_system(staff("wanda@example.com", "Service Desk"))
        .await
        .unwrap();
    let otto = app
        .add_user_as_system(staff("otto@example.com", "Network"))
        .await
        .unwrap();
    let customer = app
        .add_user_as_system(person("ana@example.com", "customer"))
        .await
        .unwrap();
    let ana = actor(app, &customer).await;
    Team {
        desk,
        admin,
        ola,
        kari,
        wanda,
        otto,
        ana,
    }
}

impl Team {
    fn app(&self) -> &App {
        &self.desk.app
    }

    /// The kinds of `user`'s notifications since `seen` of them, oldest first.
    async fn news(&self, user: &User, seen: &mut usize) -> Vec<NotificationKind> {
        let mut all = self
            .app()
            .store()
            .list_notifications(user.id, &PageRequest::first(100))
            .await
            .unwrap();
        all.reverse();
        let new: Vec<NotificationKind> = all.iter().skip(*seen).map(|n| n.kind).collect();
        *seen = all.len();
        new
    }

    async fn reply(&self, by: &Actor, ticket: &Ticket, input: InteractionInput) {
        self.app()
            .tickets()
            .add_interaction(by, ticket.id, input, None)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn each_change_tells_the_people_it_concerns_and_nobody_else() {
    let t = team().await;
    let app = t.app();
    let (ola, kari, wanda) = (
        actor(app, &t.ola).await,
        actor(app, &t.kari).await,
        actor(app, &t.wanda).await,
    );
    let mut seen = [0usize; 5];
    let [s_ola, s_kari, s_wanda, s_otto, s_boss] = &mut seen;

    // Ana opens a ticket in the portal: it waits unassigned in the service desk.
    let ticket = app
        .tickets()
        .via(Channel::Portal)
        .create(
            &t.ana,
            NewTicketInput {
                subject: "Printer on floor 3 jams".into(),
                description: "Every second page.".into(),
                ..NewTicketInput::default()
            },
            None,
        )
        .await
        .unwrap()
        .into_inner();
    for (user, seen) in [
        (&t.ola, &mut *s_ola),
        (&t.kari, &mut *s_kari),
        (&t.wanda, &mut *s_wanda),
    ] {
        assert_eq!(
            t.news(user, seen).await,
            [NotificationKind::GroupQueued],
            "{}",
            user.email
        );
    }
    assert!(
        t.news(&t.otto, s_otto).await.is_empty(),
        "Otto's group is another"
    );
    let queued = app
        .store()
        .list_notifications(t.ola.id, &PageRequest::first(1))
        .await
        .unwrap();
    assert_eq!(
        queued[0].message,
        "A new ticket waits unassigned in your group: Printer on floor 3 jams"
    );
    assert_eq!(queued[0].ticket_id, Some(ticket.id));

    // Kari gives it to Ola: Ola is told, Kari (who did it) is not.
    app.tickets()
        .update(
            &kari,
            ticket.id,
            TicketPatch {
                assignee_id: Some(Some(t.ola.id)),
                ..TicketPatch::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(t.news(&t.ola, s_ola).await, [NotificationKind::Assigned]);
    let assigned = app
        .store()
        .list_notifications(t.ola.id, &PageRequest::first(1))
        .await
        .unwrap();
    assert_eq!(
        assigned[0].message,
        format!(
            "{} was assigned to you: Printer on floor 3 jams",
            ticket.id.display_number()
        )
    );
    assert!(t.news(&t.kari, s_kari).await.is_empty());
    assert!(
        t.news(&t.wanda, s_wanda).await.is_empty(),
        "nothing of hers changed"
    );

    // Wanda watches it; Ana answers: the assignee and the watcher hear.
    app.watchers()
        .add(&wanda, ticket.id, None, Channel::Agent)
        .await
        .unwrap();
    t.reply(
        &t.ana,
        &ticket,
        InteractionInput::Reply {
            body: "It also smells of toner.".into(),
        },
    )
    .await;
    assert_eq!(
        t.news(&t.ola, s_ola).await,
        [NotificationKind::CustomerReplied]
    );
    assert_eq!(
        t.news(&t.wanda, s_wanda).await,
        [NotificationKind::CustomerReplied]
    );
    assert!(t.news(&t.kari, s_kari).await.is_empty());

    // Ola's note names Kari and Otto; Otto may not see the ticket and is not told.
    t.reply(
        &ola,
        &ticket,
        InteractionInput::Note {
            body: "@kari can you bring a fuser? @otto FYI".into(),
        },
    )
    .await;
    assert_eq!(t.news(&t.kari, s_kari).await, [NotificationKind::Mentioned]);
    assert!(
        t.news(&t.otto, s_otto).await.is_empty(),
        "may not see the ticket"
    );
    assert_eq!(
        t.news(&t.wanda, s_wanda).await,
        [NotificationKind::WatchedChanged]
    );
    assert!(
        t.news(&t.ola, s_ola).await.is_empty(),
        "not told of her own note"
    );

    // Resolved by Ola, reopened by Kari: the assignee and the watcher hear.
    app.tickets()
        .transition(&ola, ticket.id, TicketStatus::Resolved, None, None)
        .await
        .unwrap();
    assert_eq!(
        t.news(&t.wanda, s_wanda).await,
        [NotificationKind::WatchedChanged]
    );
    app.tickets()
        .transition(&kari, ticket.id, TicketStatus::Open, None, None)
        .await
        .unwrap();
    assert_eq!(t.news(&t.ola, s_ola).await, [NotificationKind::Reopened]);
    assert_eq!(
        t.news(&t.wanda, s_wanda).await,
        [NotificationKind::Reopened]
    );

    // An admin outside the group is never told by these rules.
    let boss = app.store().get_user(t.admin.user_id).await.unwrap();
    assert!(t.news(&boss, s_boss).await.is_empty());

    // The unread count follows marking read: queued, assigned, replied, reopened.
    let levels = app.service_levels();
    assert_eq!(levels.unread_notifications(&ola).await.unwrap(), 4);
    let first = levels
        .notifications(&ola, &PageRequest::first(1))
        .await
        .unwrap();
    assert_eq!(
        levels
            .notification_ticket(&ola, first[0].id.get())
            .await
            .unwrap(),
        Some(ticket.id)
    );
    assert!(
        levels
            .notification_ticket(&kari, first[0].id.get())
            .await
            .is_err(),
        "another person's notification is not found"
    );
    levels.mark_read(&ola, &[first[0].id.get()]).await.unwrap();
    assert_eq!(levels.unread_notifications(&ola).await.unwrap(), 3);
    levels.mark_read(&ola, &[]).await.unwrap();
    assert_eq!(levels.unread_notifications(&ola).await.unwrap(), 0);
}
