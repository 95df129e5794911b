//! The sample desk is consistent: timelines replay to their tickets' states, every
//! working status is represented, and a desk with data is never seeded twice.

#![allow(clippy::unwrap_used)] // tests may unwrap (docs/STYLE.md, "Errors")

use ferrodesk_domain::{EventKind, TicketScope, TicketStatus};
use ferrodesk_seed::{SeedError, SeedOptions, seed};
use ferrodesk_store::{EventPage, PageRequest, TicketQuery};
use ferrodesk_testing::fixtures::TempStore;

#[tokio::test]
async fn demo_desk_has_tickets_in_every_working_status_and_timelines_that_replay() {
    let database = TempStore::sqlite().await;
    let store = database.store.as_ref();
    let now = jiff::Timestamp::now();
    let summary = seed(store, &SeedOptions::demo(now, None)).await.unwrap();
    assert_eq!(summary.tickets, 400);

    let counts = store.queue_counts().await.unwrap();
    let total: i64 = counts.by_status.values().sum();
    assert_eq!(total, 400, "queue counts follow the bulk path");
    for status in [
        TicketStatus::New,
        TicketStatus::Open,
        TicketStatus::PendingCustomer,
        TicketStatus::PendingVendor,
        TicketStatus::Resolved,
        TicketStatus::Closed,
    ] {
        assert!(
            counts.by_status.get(&status).copied().unwrap_or(0) > 0,
            "no {status} ticket"
        );
    }

    let page = store
        .list_tickets(
            &TicketScope::All,
            &TicketQuery {
                page: PageRequest::first(100),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    for ticket in page.items {
        assert!(
            ticket.created_at <= now && ticket.updated_at <= now,
            "no ticket lives in the future"
        );
        let events = store
            .list_events(ticket.id, true, &EventPage::default())
            .await
            .unwrap();
        assert!(matches!(
            events.first().map(|e| &e.kind),
            Some(EventKind::Created { .. })
        ));
        let replayed = events
            .iter()
            .filter_map(|e| match e.kind {
                EventKind::StatusChanged { to, .. } => Some(to),
                _ => None,
            })
            .next_back()
            .unwrap_or(TicketStatus::New);
        assert_eq!(
            replayed, ticket.status,
            "timeline of {} replays to its status",
            ticket.id
        );
    }
}

#[tokio::test]
async fn a_desk_with_tickets_is_never_seeded_again() {
    let database = TempStore::sqlite().await;
    let store = database.store.as_ref();
    let options = SeedOptions {
        tickets: 5,
        customers: 3,
        ..SeedOptions::demo(jiff::Timestamp::now(), None)
    };
    seed(store, &options).await.unwrap();
    assert!(matches!(
        seed(store, &options).await,
        Err(SeedError::NotEmpty)
    ));
}

#[test]
fn the_catalog_covers_complaints_and_problems() {
    let types = ferrodesk_seed::ticket_types_in_catalog();
    assert!(types.contains(&ferrodesk_domain::TicketType::Complaint));
    assert!(types.contains(&ferrodesk_domain::TicketType::Problem));
}

#[tokio::test]
async fn demo_agents_find_notifications_about_their_own_open_tickets() {
    let database = TempStore::sqlite().await;
    let store = database.store.as_ref();
    seed(store, &SeedOptions::demo(jiff::Timestamp::now(), None))
        .await
        .unwrap();
    let marta = store
        .find_user_by_email(
            &ferrodesk_domain::EmailAddress::parse("marta.nowak@ferrodesk.example").unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
    let notes = store
        .list_notifications(marta.id, &PageRequest::first(10))
        .await
        .unwrap();
    assert!(!notes.is_empty(), "the bell of a demo agent is not empty");
    assert_eq!(
        store.count_unread_notifications(marta.id).await.unwrap(),
        notes.len() as i64
    );
    for note in notes {
        let ticket = store.get_ticket(note.ticket_id.unwrap()).await.unwrap();
        assert_eq!(ticket.assignee_id, Some(marta.id));
        assert!(ticket.status.is_open());
        assert!(note.message.contains(&ticket.subject), "{}", note.message);
    }
}

#[tokio::test]
async fn the_demo_desk_has_vendors_and_tickets_waiting_on_them() {
    let database = TempStore::sqlite().await;
    let store = database.store.as_ref();
    let now = jiff::Timestamp::now();
    seed(store, &SeedOptions::demo(now, None)).await.unwrap();
    let vendors = store.list_vendors(&PageRequest::first(10)).await.unwrap();
    let names: Vec<&str> = vendors.items.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["Fjord Telecom", "Nordic Print Care"]);
    let query = TicketQuery {
        filter: ferrodesk_store::TicketFilter {
            statuses: vec![TicketStatus::PendingVendor],
            ..Default::default()
        },
        page: PageRequest::first(200),
        ..TicketQuery::default()
    };
    let waiting = store
        .list_tickets(&TicketScope::All, &query)
        .await
        .unwrap()
        .items;
    let mut cases = Vec::new();
    for ticket in &waiting {
        cases.extend(store.list_vendor_cases(ticket.id).await.unwrap());
    }
    assert_eq!(cases.len(), 2, "{cases:?}");
    let printer = cases
        .iter()
        .find(|c| c.vendor_name == "Nordic Print Care")
        .unwrap();
    assert!(printer.is_open() && !printer.is_overdue(now));
    let carrier = cases
        .iter()
        .find(|c| c.vendor_name == "Fjord Telecom")
        .unwrap();
    assert!(carrier.is_overdue(now), "the carrier is past its promise");
}

#[tokio::test]
async fn the_demo_desk_has_shared_macros_whose_placeholders_are_all_known() {
    let database = TempStore::sqlite().await;
    let store = database.store.as_ref();
    seed(store, &SeedOptions::demo(jiff::Timestamp::now(), None))
        .await
        .unwrap();
    let admin = ferrodesk_domain::UserId(1);
    let macros = store.list_macros(admin).await.unwrap();
    let names: Vec<&str> = macros.iter().map(|m| m.fields.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Escalate: outage note",
            "Password reset instructions",
            "Printer toner on its way",
            "Resolved, please confirm",
            "Waiting for your answer",
        ]
    );
    for found in &macros {
        ferrodesk_domain::macros::check_placeholders(&found.fields.body).unwrap();
    }
    let waiting = macros
        .iter()
        .find(|m| m.fields.name == "Waiting for your answer");
    assert_eq!(
        waiting.unwrap().fields.actions.status,
        Some(TicketStatus::PendingCustomer)
    );
}

#[tokio::test]
async fn the_demo_desk_has_time_logged_on_its_recent_tickets() {
    let database = TempStore::sqlite().await;
    let store = database.store.as_ref();
    let now = jiff::Timestamp::now();
    seed(store, &SeedOptions::demo(now, None)).await.unwrap();
    let query = TicketQuery {
        sort: ferrodesk_store::TicketSort::UpdatedDesc,
        page: PageRequest::first(1),
        ..TicketQuery::default()
    };
    let newest = store.list_tickets(&TicketScope::All, &query).await.unwrap();
    let total = store.ticket_time_total(newest.items[0].id).await.unwrap();
    assert!(total > 0, "the most recent ticket shows time spent");
    let week = now - jiff::SignedDuration::from_hours(24 * 7);
    let by_agent = store.time_by_agent(week, now).await.unwrap();
    assert!(
        by_agent.len() > 1,
        "several agents logged time: {by_agent:?}"
    );
    let by_group = store.time_by_group(week, now).await.unwrap();
    assert!(!by_group.is_empty());
}

#[tokio::test]
async fn the_demo_desk_has_custom_fields_that_pass_their_own_rules() {
    let database = TempStore::sqlite().await;
    let store = database.store.as_ref();
    seed(store, &SeedOptions::demo(jiff::Timestamp::now(), None))
        .await
        .unwrap();
    let fields = store.list_custom_fields().await.unwrap();
    let labels: Vec<&str> = fields.iter().map(|f| f.spec.label.as_str()).collect();
    assert_eq!(
        labels,
        ["Affected users", "Operating system", "Asset", "Needed by"]
    );
    for field in &fields {
        field.spec.check().unwrap();
    }
}

#[tokio::test]
async fn the_demo_desk_has_ticket_templates_that_pass_their_own_rules() {
    use ferrodesk_domain::ticket_templates::check_custom_values;
    use ferrodesk_domain::{FieldInput, TemplateAudience};
    let database = TempStore::sqlite().await;
    let store = database.store.as_ref();
    seed(store, &SeedOptions::demo(jiff::Timestamp::now(), None))
        .await
        .unwrap();
    let templates = store.list_ticket_templates().await.unwrap();
    let names: Vec<&str> = templates.iter().map(|t| t.spec.name.as_str()).collect();
    assert_eq!(
        names,
        ["New laptop", "New employee onboarding", "Printer problem"]
    );
    assert_eq!(templates[1].spec.audience, TemplateAudience::Staff);
    assert_eq!(templates[2].spec.audience, TemplateAudience::Both);
    assert!(templates[0].spec.category_id.is_some());
    let fields = store.list_custom_fields().await.unwrap();
    for template in &templates {
        template.spec.check().unwrap();
        let given = template
            .spec
            .custom_values
            .iter()
            .map(|(k, v)| (k.clone(), FieldInput::One(v.clone())))
            .collect();
        let checked = check_custom_values(&fields, &template.spec, &given).unwrap();
        assert_eq!(checked, template.spec.custom_values);
    }
}
