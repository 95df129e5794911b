//! Browser test of every kind of notification. Marta chooses on her preferences page to
//! have every kind mailed; then, while her page stays open, the desk's admin does what
//! each kind is about (an outside vendor's answer comes in by mail). For each: her bell counts one more without a reload, the newest
//! notification says why and is about the right ticket, and its mail is queued in the
//! outbox. The admin, who made every change, is told nothing; Pedro, an agent of
//! another group, is told nothing about tickets he may not see, even when a note names
//! him. The list links each notification to its ticket.

use super::{BROWSER, Harness, POLL, WAIT, always_open_policy, browser_available, wait_for_bell};
use ferrodesk_app::mail::IntakeOptions;
use ferrodesk_app::{
    EscalateInput, HandoffInput, InteractionInput, NewTicketInput, RequesterRef, RunnerConfig,
    TicketPatch, VendorInput,
};
use ferrodesk_domain::{
    Actor, Channel, EscalationKind, NotificationKind, RuleActions, RuleConditions, Ticket,
    TicketStatus, User,
};
use ferrodesk_store::mail::Outbound;
use ferrodesk_store::{PageRequest, RoutingRule, RuleId, UserFilter};
use jiff::SignedDuration;
use thirtyfour::prelude::*;

struct Scene<'a> {
    h: &'a Harness,
    admin: Actor,
    marta: User,
    pedro: User,
    customer: Actor,
    told: i64,
}

impl Scene<'_> {
    /// A ticket of the customer's, opened by the admin in Marta's group.
    async fn ticket(&self, subject: &str, assignee: Option<&User>) -> Ticket {
        self.h
            .app
            .tickets()
            .create(
                &self.admin,
                NewTicketInput {
                    subject: subject.into(),
                    description: "Reported at the front desk.".into(),
                    requester: Some(RequesterRef::Id(self.customer.user_id)),
                    group_id: self.marta.group_ids.first().copied(),
                    assignee_id: assignee.map(|u| u.id),
                    ..NewTicketInput::default()
                },
                None,
            )
            .await
            .unwrap()
            .into_inner()
    }

    /// After one step: Marta's bell counts one more, live; her newest notification is
    /// of `kind` about `ticket`, and it is queued in the outbox; the admin and Pedro
    /// heard nothing.
    async fn told(&mut self, kind: NotificationKind, ticket: &Ticket) {
        self.told += 1;
        wait_for_bell(self.h, self.told).await;
        let store = &self.h.store;
        let newest = store
            .list_notifications(self.marta.id, &PageRequest::first(1))
            .await
            .unwrap()
            .remove(0);
        assert_eq!((newest.kind, newest.ticket_id), (kind, Some(ticket.id)));
        let queued = store.list_outbox_in_state("pending", 500).await.unwrap();
        assert!(
            queued.iter().any(|row| matches!(
                row.about,
                Outbound::Notification { notification_id, .. } if notification_id == newest.id
            )),
            "the {kind} mail to Marta is in the outbox"
        );
        for (who, id) in [("the admin", self.admin.user_id), ("Pedro", self.pedro.id)] {
            assert_eq!(
                store.count_unread_notifications(id).await.unwrap(),
                0,
                "{who} is told nothing ({kind})"
            );
        }
    }
}

impl Scene<'_> {
    /// As [`Scene::told`], when other notifications may have come with it: the bell
    /// shows every unread one, and one of them is of `kind` about `ticket`, mailed. (A
    /// job made the change, not the admin: demo rules may tell the admin of breaches.)
    async fn told_among(&mut self, kind: NotificationKind, ticket: &Ticket) -> i64 {
        let store = &self.h.store;
        self.told = store
            .count_unread_notifications(self.marta.id)
            .await
            .unwrap();
        wait_for_bell(self.h, self.told).await;
        let found = store
            .list_notifications(self.marta.id, &PageRequest::first(200))
            .await
            .unwrap()
            .into_iter()
            .find(|n| n.kind == kind && n.ticket_id == Some(ticket.id))
            .unwrap_or_else(|| panic!("Marta was told of the {kind} on her ticket"));
        let queued = store.list_outbox_in_state("pending", 1000).await.unwrap();
        assert!(queued.iter().any(|row| matches!(
            row.about,
            Outbound::Notification { notification_id, .. } if notification_id == found.id
        )));
        found.id.get()
    }
}

/// Marta's preferences page: every kind ticked, mailed at once.
async fn mail_every_kind(h: &Harness) {
    h.go("/agent/notifications/preferences").await;
    h.wait_for_text("main h1", "Notification preferences").await;
    for checkbox in h
        .driver()
        .find_all(By::Css("input[name=email]"))
        .await
        .unwrap()
    {
        if !checkbox.is_selected().await.unwrap() {
            checkbox.click().await.unwrap();
        }
    }
    h.driver()
        .find(By::Css("input[name=digest][value=off]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    h.screenshot_sized("notification-preferences-1440.png", 1440, 900)
        .await;
    h.screenshot_sized("notification-preferences-390.png", 390, 844)
        .await;
    h.driver()
        .find(By::Css("main form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    h.wait_for_text(
        "[role=status], .notice, .alert",
        "Notification preferences saved",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_reaches_the_bell_live_is_mailed_and_links_to_its_ticket() {
    if !browser_available() {
        return;
    }
    let _one = BROWSER.lock().await;
    let h = Harness::start().await;
    let store = h.store.clone();
    let admin = h.actor(h.user("admin@ferrodesk.example").await).await;
    let marta = store
        .get_user(h.user("marta.nowak@ferrodesk.example").await)
        .await
        .unwrap();
    // Pedro: an agent who shares no group with Marta.
    let staff = store
        .list_users(&UserFilter::default(), &PageRequest::first(200))
        .await
        .unwrap()
        .items;
    let pedro = staff
        .iter()
        .find(|u| {
            u.role == ferrodesk_domain::Role::Agent
                && !u.group_ids.is_empty()
                && u.group_ids.iter().all(|g| !marta.group_ids.contains(g))
        })
        .expect("an agent of another group")
        .clone();
    let customer = h.actor(h.customer(0).await.id).await;
    for person in [&marta.id, &pedro.id, &admin.user_id] {
        let actor = h.actor(*person).await;
        h.app.service_levels().mark_read(&actor, &[]).await.unwrap();
    }
    always_open_policy(&h, 60).await;

    h.sign_in("marta.nowak@ferrodesk.example").await;
    mail_every_kind(&h).await;
    wait_for_bell(&h, 0).await;
    let mut s = Scene {
        h: &h,
        admin: admin.clone(),
        marta: marta.clone(),
        pedro: pedro.clone(),
        customer,
        told: 0,
    };
    let tickets = h.app.tickets();

    // Queued for her group: a new ticket waits unassigned.
    let queued = s
        .ticket("Badge reader at the side door is dead", None)
        .await;
    s.told(NotificationKind::GroupQueued, &queued).await;

    // Assigned to her.
    let mine = s.ticket("Projector in room 4 shows no picture", None).await;
    s.told(NotificationKind::GroupQueued, &mine).await;
    tickets
        .update(
            &admin,
            mine.id,
            TicketPatch {
                assignee_id: Some(Some(marta.id)),
                ..TicketPatch::default()
            },
        )
        .await
        .unwrap();
    s.told(NotificationKind::Assigned, &mine).await;

    // The customer answers on her ticket.
    tickets
        .via(Channel::Portal)
        .add_interaction(
            &s.customer,
            mine.id,
            InteractionInput::Reply {
                body: "It works with the HDMI cable, not with the wireless dongle.".into(),
            },
            None,
        )
        .await
        .unwrap();
    s.told(NotificationKind::CustomerReplied, &mine).await;

    // A note names her, and Pedro, who may not see the ticket.
    let handle = |u: &User| {
        u.email
            .as_str()
            .split('@')
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    tickets
        .add_interaction(
            &admin,
            mine.id,
            InteractionInput::Note {
                body: format!(
                    "@{} try the spare dongle; @{} FYI",
                    handle(&marta),
                    handle(&pedro)
                ),
            },
            None,
        )
        .await
        .unwrap();
    s.told(NotificationKind::Mentioned, &mine).await;

    // Resolved and open again.
    tickets
        .transition(&admin, mine.id, TicketStatus::Resolved, None, None)
        .await
        .unwrap();
    tickets
        .transition(&admin, mine.id, TicketStatus::Open, None, None)
        .await
        .unwrap();
    s.told(NotificationKind::Reopened, &mine).await;

    // Escalated to another tier's group while she keeps it.
    let group = pedro.group_ids[0];
    tickets
        .escalate(
            &admin,
            mine.id,
            EscalateInput {
                to_group: group,
                kind: EscalationKind::Functional,
                reason: "The customer presents to the board at noon".into(),
                external_ref: None,
                release_assignee: false,
                version: None,
            },
        )
        .await
        .unwrap();
    s.told(NotificationKind::Escalated, &mine).await;

    // A ticket she watches changes.
    let watched = s
        .ticket(
            "Conference phone echoes",
            Some(&admin_user(&h, &admin).await),
        )
        .await;
    h.app
        .watchers()
        .add(&h.actor(marta.id).await, watched.id, None, Channel::Agent)
        .await
        .unwrap();
    tickets
        .update(
            &admin,
            watched.id,
            TicketPatch {
                subject: Some("Conference phone echoes in room 2".into()),
                ..TicketPatch::default()
            },
        )
        .await
        .unwrap();
    s.told(NotificationKind::WatchedChanged, &watched).await;

    // A routing rule names her.
    h.app
        .service_levels()
        .create_routing_rule(
            &admin,
            RoutingRule {
                id: RuleId(0),
                name: "Fax machines to Marta".into(),
                position: 1,
                is_enabled: true,
                conditions: RuleConditions {
                    text: vec!["fax".into()],
                    ..RuleConditions::default()
                },
                actions: RuleActions {
                    notify_user_ids: vec![marta.id],
                    ..RuleActions::default()
                },
            },
        )
        .await
        .unwrap();
    let fax = s.ticket("Fax machine eats paper", None).await;
    s.told(NotificationKind::Rule, &fax).await;

    // An outside vendor answers a hand-off of her ticket by mail.
    let vendor = h
        .app
        .vendors()
        .create(
            &admin,
            VendorInput {
                name: "Projector Doctors".into(),
                email: "cases@projector-doctors.example".into(),
                contract_ref: Some("PD-7".into()),
                response_hours: 8,
                notes: None,
            },
        )
        .await
        .unwrap();
    tickets
        .hand_off(
            &admin,
            mine.id,
            HandoffInput {
                vendor_id: vendor.id,
                message: "The lamp flickers; please send a replacement.".into(),
                version: None,
            },
        )
        .await
        .unwrap();
    let answer = format!(
        "From: cases@projector-doctors.example\r\nTo: support@ferrodesk.example\r\n\
         Subject: Re: [V-{}-1] Projector\r\nMessage-ID: <pd-1@projector-doctors.example>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         A new lamp ships today.\r\n",
        mine.id.get()
    );
    h.app
        .mail_intake()
        .file(answer.as_bytes(), IntakeOptions::default())
        .await
        .unwrap();
    s.told(NotificationKind::VendorAnswered, &mine).await;

    // Service levels on her ticket: a warning at 48 minutes, a breach after the hour.
    // The demo desk's own tickets reach their service levels as the clock moves too, so
    // Marta's bell counts those as well: the bell must show all she has unread.
    let urgent = s.ticket("Reception PC will not boot", Some(&marta)).await;
    s.told(NotificationKind::Assigned, &urgent).await;
    let jobs = h.app.jobs(RunnerConfig::default());
    let mut breach = 0;
    for (minutes, kind) in [
        (50, NotificationKind::SlaWarning),
        (15, NotificationKind::SlaBreached),
    ] {
        h.clock.advance(SignedDuration::from_mins(minutes));
        while jobs.run_due().await.unwrap().finished > 0 {}
        breach = s.told_among(kind, &urgent).await;
    }

    // The list links each one to its ticket.
    h.go("/agent/notifications").await;
    h.wait_for_text("main h1", "Notifications").await;
    h.screenshot_sized("notification-kinds-1440.png", 1440, 900)
        .await;
    h.driver()
        .find(By::Css(format!("a[href='/agent/notifications/{breach}']")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    h.driver()
        .query(By::Css(format!("[data-ticket-id='{}']", urgent.id.get())))
        .wait(WAIT, POLL)
        .first()
        .await
        .unwrap();
    wait_for_bell(&h, s.told - 1).await;
    h.stop().await;
}

/// The admin as a person (an assignee who is not Marta).
async fn admin_user(h: &Harness, admin: &Actor) -> User {
    h.store.get_user(admin.user_id).await.unwrap()
}
