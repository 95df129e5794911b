//! Outside vendors: the directory's permissions, the hand-off as one ticket write with
//! its case and its mail to the vendor (never to the requester), the vendor's answer
//! filed back as a vendor message, and the SLA clock paused while the ticket waits on
//! the vendor.

use ferrodesk_app::mail::{FiledAs, IntakeOptions, IntakeOutcome};
use ferrodesk_app::{
    AppError, CalendarSpec, HandoffInput, InteractionInput, PolicySpec, TargetSpec, TicketPatch,
    VendorInput, VendorPatch,
};
use ferrodesk_domain::{
    ClockPhase, EventKind, NotificationKind, TicketId, TicketStatus, Vendor, Visibility,
};
use ferrodesk_store::{EventPage, PageRequest};
use ferrodesk_testing::fixtures::mail::{
    CapturedTransport, MailDesk, deliver_all, header, message,
};
use ferrodesk_testing::fixtures::{add_actor, person};
use jiff::SignedDuration;

async fn vendor(desk: &MailDesk, name: &str, email: &str) -> Vendor {
    desk.app
        .vendors()
        .create(
            &desk.admin,
            VendorInput {
                name: name.into(),
                email: email.into(),
                contract_ref: Some("PRN-2291".into()),
                response_hours: 8,
                notes: None,
            },
        )
        .await
        .unwrap()
}

/// A ticket Ana opened by mail, assigned to Lucia.
async fn ticket_by_mail(desk: &MailDesk) -> TicketId {
    let filed = desk
        .app
        .mail_intake()
        .file(
            &message(
                "Ana <ana@example.com>",
                "ana-1@example.com",
                "Printer jam",
                "",
                "Jammed.",
            ),
            IntakeOptions::default(),
        )
        .await
        .unwrap();
    let IntakeOutcome::Filed { ticket, .. } = filed else {
        panic!("not filed: {filed:?}");
    };
    desk.app
        .tickets()
        .update(
            &desk.admin,
            ticket,
            TicketPatch {
                assignee_id: Some(Some(desk.agent.user_id)),
                ..TicketPatch::default()
            },
        )
        .await
        .unwrap();
    ticket
}

async fn hand_off(desk: &MailDesk, ticket: TicketId, vendor: &Vendor) -> Result<(), AppError> {
    desk.app
        .tickets()
        .hand_off(
            &desk.agent,
            ticket,
            HandoffInput {
                vendor_id: vendor.id,
                message: "The fuser unit needs replacing.".into(),
                version: None,
            },
        )
        .await
        .map(|_| ())
}

#[tokio::test]
async fn admins_keep_the_directory_staff_read_it_and_customers_are_refused() {
    let desk = MailDesk::sqlite().await;
    let acme = vendor(&desk, "Acme Printers", "cases@acme.example").await;
    let vendors = desk.app.vendors();
    let taken = vendors
        .create(
            &desk.admin,
            VendorInput {
                name: "Acme Printers".into(),
                email: "x@acme.example".into(),
                response_hours: 4,
                ..VendorInput::default()
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            taken,
            AppError::Conflict {
                code: "name_taken",
                ..
            }
        ),
        "{taken:?}"
    );
    let by_agent = vendors
        .update(
            &desk.agent,
            acme.id,
            VendorPatch {
                is_active: Some(false),
                ..VendorPatch::default()
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(by_agent, AppError::Forbidden { .. }),
        "{by_agent:?}"
    );
    assert_eq!(vendors.get(&desk.agent, acme.id).await.unwrap(), acme);
    let customer = add_actor(&desk.app, person("ana@example.com", "customer")).await;
    let listed = vendors
        .list(&customer, &PageRequest::first(10))
        .await
        .unwrap_err();
    assert!(matches!(listed, AppError::Forbidden { .. }), "{listed:?}");
    let bad = vendors
        .create(
            &desk.admin,
            VendorInput {
                name: "Telco".into(),
                email: "not an address".into(),
                response_hours: 4,
                ..VendorInput::default()
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(bad, AppError::Invalid { ref field, .. } if field == "email"),
        "{bad:?}"
    );
}

#[tokio::test]
async fn a_hand_off_mails_the_vendor_and_its_answer_threads_back_as_a_vendor_message() {
    let desk = MailDesk::sqlite().await;
    let acme = vendor(&desk, "Acme Printers", "cases@acme.example").await;
    let ticket = ticket_by_mail(&desk).await;
    let transport = CapturedTransport::default();
    deliver_all(&desk.app, &transport).await;
    let before = transport.messages().len();

    hand_off(&desk, ticket, &acme).await.unwrap();
    let read = desk.app.tickets().get(&desk.agent, ticket).await.unwrap();
    assert_eq!(read.status, TicketStatus::PendingVendor);
    let cases = desk.app.vendors().cases(&desk.agent, ticket).await.unwrap();
    let reference = format!("V-{}-1", ticket.get());
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].reference, reference);
    assert_eq!(
        cases[0].due_at,
        desk.app
            .now()
            .checked_add(SignedDuration::from_hours(8))
            .unwrap()
    );

    deliver_all(&desk.app, &transport).await;
    let sent = transport.sent.lock().unwrap()[before..].to_vec();
    let (to_vendor, to_others): (Vec<_>, Vec<_>) = sent
        .into_iter()
        .partition(|(to, _)| to.iter().any(|a| a.as_str() == "cases@acme.example"));
    assert_eq!(to_vendor.len(), 1, "{to_vendor:?}");
    assert_eq!(to_vendor[0].0.len(), 1, "the vendor alone");
    // The requester hears only that the ticket waits on a supplier, nothing of the case.
    for (_, other) in &to_others {
        assert!(
            !other.contains(&reference) && !other.contains("fuser"),
            "{other}"
        );
    }
    let raw = &to_vendor[0].1;
    let subject = header(raw, "Subject").unwrap();
    assert!(subject.contains(&reference), "{subject}");
    assert!(subject.contains(&ticket.display_number()), "{subject}");
    assert!(raw.contains("The fuser unit needs replacing."));
    assert!(raw.contains("PRN-2291"));
    assert!(
        header(raw, "From")
            .unwrap()
            .contains("support@desk.example")
    );
    assert!(
        header(raw, "Reply-To")
            .unwrap()
            .contains(&format!("support+{}@desk.example", ticket.get()))
    );
    let message_id = header(raw, "Message-ID").unwrap();

    desk.clock.advance(SignedDuration::from_hours(2));
    let answer = message(
        "Acme Service <tech@acme.example>",
        "acme-1@acme.example",
        &format!("Re: {subject}"),
        &format!("In-Reply-To: {message_id}\r\n"),
        "A technician comes on Monday.\r\n\r\n> The fuser unit needs replacing.",
    );
    let filed = desk
        .app
        .mail_intake()
        .file(&answer, IntakeOptions::default())
        .await
        .unwrap();
    assert!(
        matches!(filed, IntakeOutcome::Filed { ticket: t, kind: FiledAs::VendorAnswer, .. } if t == ticket),
        "{filed:?}"
    );
    let read = desk.app.tickets().get(&desk.agent, ticket).await.unwrap();
    assert_eq!(read.status, TicketStatus::Open);
    let cases = desk.app.vendors().cases(&desk.agent, ticket).await.unwrap();
    assert_eq!(cases[0].answered_at, Some(desk.app.now()));
    let events = desk
        .app
        .tickets()
        .events(&desk.agent, ticket, &EventPage::default())
        .await
        .unwrap();
    let answered = events
        .iter()
        .find(|e| matches!(e.kind, EventKind::VendorMessage { .. }))
        .unwrap();
    assert_eq!(answered.visibility, Visibility::Internal);
    assert!(
        matches!(&answered.kind, EventKind::VendorMessage { body, vendor_name, .. }
            if body == "A technician comes on Monday." && vendor_name == "Acme Printers")
    );
    // The requester sees none of it, and is mailed none of it.
    let customer = desk
        .app
        .store()
        .actor_for_user(read.requester_id)
        .await
        .unwrap();
    let theirs = desk
        .app
        .tickets()
        .events(&customer, ticket, &EventPage::default())
        .await
        .unwrap();
    assert!(theirs.iter().all(|e| !matches!(
        e.kind,
        EventKind::VendorHandoff { .. } | EventKind::VendorMessage { .. }
    )));
    let after_answer = transport.messages().len();
    deliver_all(&desk.app, &transport).await;
    // The requester is mailed nothing; the staff who work the ticket may be told by
    // mail that the vendor answered (their notification preferences).
    let sent = transport.messages();
    let new: Vec<&String> = sent[after_answer..].iter().collect();
    assert!(
        new.iter().all(
            |raw| header(raw, "X-Ferrodesk-Notification").as_deref() == Some("vendor_answered")
        ),
        "{new:?}"
    );
    // The agent's next reply to the requester threads on the requester's mail only:
    // it names no message exchanged with the vendor.
    desk.app
        .tickets()
        .add_interaction(
            &desk.agent,
            ticket,
            InteractionInput::Reply {
                body: "A technician comes on Monday.".into(),
            },
            None,
        )
        .await
        .unwrap();
    deliver_all(&desk.app, &transport).await;
    let to_ana = transport.messages().pop().unwrap();
    assert!(to_ana.contains("To: \"Ana\" <ana@example.com>"), "{to_ana}");
    for name in ["In-Reply-To", "References"] {
        let value = header(&to_ana, name).unwrap_or_default();
        assert!(
            !value.contains("acme") && !value.contains(&message_id),
            "{name}: {value}"
        );
    }
    assert!(
        header(&to_ana, "References")
            .unwrap()
            .contains("ana-1@example.com")
    );
    // The assignee hears of the answer in the desk.
    let news = desk
        .app
        .service_levels()
        .notifications(&desk.agent, &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(news[0].kind, NotificationKind::VendorAnswered);
    assert_eq!(news[0].ticket_id, Some(ticket));
}

#[tokio::test]
async fn an_answer_by_reference_is_the_vendors_only_from_its_address_or_domain_never_from_staff() {
    let desk = MailDesk::sqlite().await;
    let acme = vendor(&desk, "Acme Printers", "cases@acme.example").await;
    let ticket = ticket_by_mail(&desk).await;
    hand_off(&desk, ticket, &acme).await.unwrap();
    let reference = format!("V-{}-1", ticket.get());
    // Someone else quoting the reference is an ordinary message: a ticket of their own.
    let stranger = message(
        "mallory@evil.example",
        "evil-1@evil.example",
        &format!("Re: [{reference}] Printer jam"),
        "",
        "Send me the invoice.",
    );
    let filed = desk
        .app
        .mail_intake()
        .file(&stranger, IntakeOptions::default())
        .await
        .unwrap();
    assert!(
        matches!(filed, IntakeOutcome::Filed { ticket: t, kind: FiledAs::NewTicket, .. } if t != ticket),
        "{filed:?}"
    );
    assert!(desk.app.vendors().cases(&desk.agent, ticket).await.unwrap()[0].is_open());
    // Staff are never taken for a vendor, even one that shares their domain.
    let facilities = vendor(&desk, "Facilities", "facilities@desk.example").await;
    hand_off(&desk, ticket, &facilities).await.unwrap();
    let staff = message(
        "lucia@desk.example",
        "lucia-1@desk.example",
        &format!("Re: [V-{}-2] Printer jam", ticket.get()),
        "",
        "Any news?",
    );
    let filed = desk
        .app
        .mail_intake()
        .file(&staff, IntakeOptions::default())
        .await
        .unwrap();
    assert!(
        !matches!(
            filed,
            IntakeOutcome::Filed {
                kind: FiledAs::VendorAnswer,
                ..
            }
        ),
        "{filed:?}"
    );
    assert!(desk.app.vendors().cases(&desk.agent, ticket).await.unwrap()[1].is_open());
    // A colleague at the vendor, with only the reference in the subject.
    let colleague = message(
        "jane@acme.example",
        "acme-2@acme.example",
        &format!("Case {reference}: parts ordered"),
        "",
        "Parts ordered.",
    );
    let filed = desk
        .app
        .mail_intake()
        .file(&colleague, IntakeOptions::default())
        .await
        .unwrap();
    assert!(
        matches!(filed, IntakeOutcome::Filed { ticket: t, kind: FiledAs::VendorAnswer, .. } if t == ticket),
        "{filed:?}"
    );
    assert!(!desk.app.vendors().cases(&desk.agent, ticket).await.unwrap()[0].is_open());
}

#[tokio::test]
async fn a_hand_off_is_refused_for_a_deactivated_vendor_a_resolved_ticket_and_customers() {
    let desk = MailDesk::sqlite().await;
    let acme = vendor(&desk, "Acme Printers", "cases@acme.example").await;
    let ticket = ticket_by_mail(&desk).await;
    let gone = desk
        .app
        .vendors()
        .update(
            &desk.admin,
            acme.id,
            VendorPatch {
                is_active: Some(false),
                ..VendorPatch::default()
            },
        )
        .await
        .unwrap();
    let refused = hand_off(&desk, ticket, &gone).await.unwrap_err();
    assert!(
        matches!(refused, AppError::Invalid { ref field, .. } if field == "vendor_id"),
        "{refused:?}"
    );
    let telco = vendor(&desk, "Telco", "noc@telco.example").await;
    let read = desk.app.tickets().get(&desk.agent, ticket).await.unwrap();
    let customer = desk
        .app
        .store()
        .actor_for_user(read.requester_id)
        .await
        .unwrap();
    let by_customer = desk
        .app
        .tickets()
        .hand_off(
            &customer,
            ticket,
            HandoffInput {
                vendor_id: telco.id,
                message: "please".into(),
                version: None,
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(by_customer, AppError::Forbidden { .. }),
        "{by_customer:?}"
    );
    desk.app
        .tickets()
        .transition(&desk.agent, ticket, TicketStatus::Resolved, None, None)
        .await
        .unwrap();
    let resolved = hand_off(&desk, ticket, &telco).await.unwrap_err();
    assert!(
        matches!(resolved, AppError::InvalidTransition(_)),
        "{resolved:?}"
    );
    assert!(
        desk.app
            .vendors()
            .cases(&desk.agent, ticket)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn the_resolution_clock_pauses_while_the_vendor_works_and_resumes_on_its_answer() {
    let desk = MailDesk::sqlite().await;
    let levels = desk.app.service_levels();
    let calendar = levels
        .create_calendar(
            &desk.admin,
            &CalendarSpec {
                name: "Always".into(),
                always_open: true,
                time_zone: "UTC".into(),
                ..CalendarSpec::default()
            },
        )
        .await
        .unwrap();
    let targets = TargetSpec {
        first_response_minutes: None,
        update_interval_minutes: None,
        resolution_minutes: Some(8 * 60),
    };
    levels
        .create_policy(
            &desk.admin,
            &PolicySpec {
                name: "Standard".into(),
                calendar_id: calendar.id.get(),
                targets: [targets; 4],
                warning_percent: 80,
                is_default: true,
                ..PolicySpec::default()
            },
        )
        .await
        .unwrap();
    let acme = vendor(&desk, "Acme Printers", "cases@acme.example").await;
    let opened = desk.app.now();
    let ticket = ticket_by_mail(&desk).await;
    let resolution = |sla: ferrodesk_store::TicketSla| sla.resolution.unwrap();
    let running = resolution(
        desk.app
            .store()
            .ticket_slas(&[ticket])
            .await
            .unwrap()
            .remove(0),
    );
    assert_eq!(
        running.due_at,
        Some(opened.checked_add(SignedDuration::from_hours(8)).unwrap())
    );

    desk.clock.advance(SignedDuration::from_hours(1));
    hand_off(&desk, ticket, &acme).await.unwrap();
    let paused = resolution(
        desk.app
            .store()
            .ticket_slas(&[ticket])
            .await
            .unwrap()
            .remove(0),
    );
    assert_eq!(paused.phase, ClockPhase::Paused, "{paused:?}");
    assert_eq!(paused.due_at, None);

    desk.clock.advance(SignedDuration::from_hours(3));
    let transport = CapturedTransport::default();
    deliver_all(&desk.app, &transport).await;
    let handoff_mail = transport
        .messages()
        .into_iter()
        .find(|m| m.contains("cases@acme.example"))
        .unwrap();
    let answer = message(
        "cases@acme.example",
        "acme-9@acme.example",
        "Re: your case",
        &format!(
            "In-Reply-To: {}\r\n",
            header(&handoff_mail, "Message-ID").unwrap()
        ),
        "Done.",
    );
    desk.app
        .mail_intake()
        .file(&answer, IntakeOptions::default())
        .await
        .unwrap();
    let resumed = resolution(
        desk.app
            .store()
            .ticket_slas(&[ticket])
            .await
            .unwrap()
            .remove(0),
    );
    assert_eq!(resumed.phase, ClockPhase::Running, "{resumed:?}");
    // Eight hours of promise plus the three the vendor had the ticket.
    assert_eq!(
        resumed.due_at,
        Some(opened.checked_add(SignedDuration::from_hours(11)).unwrap())
    );
}

#[tokio::test]
async fn the_answer_on_an_unassigned_ticket_is_told_to_its_group_and_never_to_others() {
    let desk = MailDesk::sqlite().await;
    desk.app
        .directory()
        .create_group(
            &desk.admin,
            ferrodesk_app::GroupInput {
                name: "Service Desk".into(),
                tier: 1,
                ..ferrodesk_app::GroupInput::default()
            },
        )
        .await
        .unwrap();
    let member = |email: &str| ferrodesk_app::NewUserInput {
        groups: vec!["Service Desk".into()],
        ..person(email, "agent")
    };
    let ola = add_actor(&desk.app, member("ola@desk.example")).await;
    let kari = add_actor(&desk.app, member("kari@desk.example")).await;
    let outsider = add_actor(&desk.app, person("otto@desk.example", "agent")).await;
    let acme = vendor(&desk, "Acme Printers", "cases@acme.example").await;
    let filed = desk
        .app
        .mail_intake()
        .file(
            &message(
                "ana@example.com",
                "ana-9@example.com",
                "Printer jam",
                "",
                "Jammed.",
            ),
            IntakeOptions::default(),
        )
        .await
        .unwrap();
    let IntakeOutcome::Filed { ticket, .. } = filed else {
        panic!("not filed: {filed:?}");
    };
    desk.app
        .tickets()
        .hand_off(
            &ola,
            ticket,
            HandoffInput {
                vendor_id: acme.id,
                message: "Please repair.".into(),
                version: None,
            },
        )
        .await
        .unwrap();
    let answer = message(
        "cases@acme.example",
        "acme-5@acme.example",
        &format!("Re: [V-{}-1] Printer jam", ticket.get()),
        "",
        "On our way.",
    );
    desk.app
        .mail_intake()
        .file(&answer, IntakeOptions::default())
        .await
        .unwrap();
    let read = desk.app.tickets().get(&ola, ticket).await.unwrap();
    assert_eq!(read.assignee_id, None);
    for who in [&ola, &kari] {
        let news = desk
            .app
            .service_levels()
            .notifications(who, &PageRequest::first(10))
            .await
            .unwrap();
        assert_eq!(news[0].kind, NotificationKind::VendorAnswered, "{news:?}");
        assert_eq!(
            news[0].message,
            format!(
                "The vendor answered on {}: Printer jam",
                ticket.display_number()
            )
        );
    }
    let theirs = desk
        .app
        .service_levels()
        .notifications(&outsider, &PageRequest::first(10))
        .await
        .unwrap();
    assert!(theirs.is_empty(), "{theirs:?}");
}
