//! Bulk work: one action on many tickets, each ticket its own write through the
//! single-ticket use cases, with a report that says per ticket what happened.

use crate::staffed::{Desk, desk};
use ferrodesk_app::{
    AppError, BulkAction, BulkOutcome, BulkSelection, MAX_BULK_TICKETS, NewTicketInput,
    TicketFilter, TicketPatch, TicketQuery,
};
use ferrodesk_domain::{EventKind, TicketId, TicketStatus, TransitionError};
use ferrodesk_store::EventPage;

async fn ticket(desk: &Desk, subject: &str) -> TicketId {
    let created = desk
        .app
        .tickets()
        .create(
            &desk.customer,
            NewTicketInput {
                subject: subject.into(),
                description: "Third floor.".into(),
                ..NewTicketInput::default()
            },
            None,
        )
        .await
        .unwrap();
    let id = created.into_inner().id;
    desk.app
        .tickets()
        .update(
            &desk.admin,
            id,
            TicketPatch {
                group_id: Some(Some(desk.group)),
                ..TicketPatch::default()
            },
        )
        .await
        .unwrap();
    id
}

async fn status_events(desk: &Desk, id: TicketId) -> usize {
    let events = desk
        .app
        .tickets()
        .events(&desk.admin, id, &EventPage::default())
        .await
        .unwrap();
    events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::StatusChanged { .. }))
        .count()
}

#[tokio::test]
async fn one_refused_ticket_does_not_stop_the_others_and_each_change_is_its_own_write() {
    let desk = desk().await;
    let first = ticket(&desk, "Printer jams").await;
    let second = ticket(&desk, "Printer offline").await;
    let solved = ticket(&desk, "Printer fixed").await;
    let tickets = desk.app.tickets();
    tickets
        .transition(&desk.agent, solved, TicketStatus::Resolved, None, None)
        .await
        .unwrap();
    let unknown = TicketId(999_999);

    let report = tickets
        .bulk(
            &desk.agent,
            BulkSelection::Ids(vec![first, second, solved, unknown, first]),
            &BulkAction::SetStatus(TicketStatus::PendingCustomer),
        )
        .await
        .unwrap();
    assert_eq!(report.items.len(), 4, "a repeated id is taken once");
    assert_eq!((report.changed(), report.refused()), (2, 2));
    assert!(matches!(
        report.items[2].outcome,
        BulkOutcome::Refused(AppError::InvalidTransition(
            TransitionError::NotAllowed { .. }
        ))
    ));
    assert!(matches!(
        report.items[3].outcome,
        BulkOutcome::Refused(AppError::NotFound { .. })
    ));
    for id in [first, second] {
        let now = tickets.get(&desk.agent, id).await.unwrap();
        assert_eq!(now.status, TicketStatus::PendingCustomer);
        assert_eq!(status_events(&desk, id).await, 1, "its own status event");
    }
    let untouched = tickets.get(&desk.agent, solved).await.unwrap();
    assert_eq!(untouched.status, TicketStatus::Resolved);

    // Asked again, the changed ones need nothing; nothing more is written.
    let again = tickets
        .bulk(
            &desk.agent,
            BulkSelection::Ids(vec![first, second]),
            &BulkAction::SetStatus(TicketStatus::PendingCustomer),
        )
        .await
        .unwrap();
    assert_eq!(again.unchanged(), 2);
    assert_eq!(status_events(&desk, first).await, 1);
}

#[tokio::test]
async fn tags_assignment_and_merge_apply_to_a_filter_or_a_choice() {
    let desk = desk().await;
    let first = ticket(&desk, "VPN drops").await;
    let second = ticket(&desk, "VPN slow").await;
    let third = ticket(&desk, "Mouse broken").await;
    let tickets = desk.app.tickets();

    // A whole filter: every ticket whose subject says VPN.
    let vpn = TicketQuery {
        filter: TicketFilter {
            subject_contains: Some("VPN".into()),
            ..TicketFilter::default()
        },
        ..TicketQuery::default()
    };
    let tagged = tickets
        .bulk(
            &desk.agent,
            BulkSelection::Filter(Box::new(vpn.clone())),
            &BulkAction::AddTags(vec!["vpn".into()]),
        )
        .await
        .unwrap();
    assert_eq!(tagged.changed(), 2);
    assert_eq!(tickets.get(&desk.agent, first).await.unwrap().tags, ["vpn"]);
    assert!(
        tickets
            .get(&desk.agent, third)
            .await
            .unwrap()
            .tags
            .is_empty()
    );

    let assigned = tickets
        .bulk(
            &desk.agent,
            BulkSelection::Filter(Box::new(vpn)),
            &BulkAction::Assign(Some(desk.agent.user_id)),
        )
        .await
        .unwrap();
    assert_eq!(assigned.changed(), 2);
    let second_now = tickets.get(&desk.agent, second).await.unwrap();
    assert_eq!(second_now.assignee_id, Some(desk.agent.user_id));

    let untagged = tickets
        .bulk(
            &desk.agent,
            BulkSelection::Ids(vec![first, third]),
            &BulkAction::RemoveTags(vec!["vpn".into()]),
        )
        .await
        .unwrap();
    assert_eq!((untagged.changed(), untagged.unchanged()), (1, 1));

    let merged = tickets
        .bulk(
            &desk.agent,
            BulkSelection::Ids(vec![first, second, third]),
            &BulkAction::MergeInto(first),
        )
        .await
        .unwrap();
    assert_eq!(merged.changed(), 2, "{merged:?}");
    for id in [second, third] {
        let source = tickets.get(&desk.agent, id).await.unwrap();
        assert_eq!(source.merged_into, Some(first));
        assert_eq!(source.status, TicketStatus::Closed);
    }
}

#[tokio::test]
async fn a_bulk_request_is_for_staff_names_tickets_and_stays_within_its_bound() {
    let desk = desk().await;
    let first = ticket(&desk, "Screen flickers").await;
    let tickets = desk.app.tickets();
    let action = BulkAction::SetStatus(TicketStatus::Open);
    let by_customer = tickets
        .bulk(&desk.customer, BulkSelection::Ids(vec![first]), &action)
        .await;
    assert!(matches!(by_customer, Err(AppError::Forbidden { .. })));
    let empty = tickets
        .bulk(&desk.agent, BulkSelection::Ids(Vec::new()), &action)
        .await;
    assert!(matches!(empty, Err(AppError::Invalid { ref field, .. }) if field == "ids"));
    let too_many = (1..=MAX_BULK_TICKETS as i64 + 1).map(TicketId).collect();
    let over = tickets
        .bulk(&desk.agent, BulkSelection::Ids(too_many), &action)
        .await;
    assert!(matches!(over, Err(AppError::Invalid { ref field, .. }) if field == "ids"));
    let outside = tickets
        .bulk(
            &desk.agent,
            BulkSelection::Ids(vec![first]),
            &BulkAction::MergeInto(TicketId(first.get() + 1)),
        )
        .await;
    assert!(matches!(outside, Err(AppError::Invalid { ref field, .. }) if field == "into"));
    assert_eq!(
        tickets.get(&desk.agent, first).await.unwrap().status,
        TicketStatus::New,
        "nothing was written"
    );
}
