//! The queue listing reads the same tickets however the store plans the reading:
//! through the scope's index ranges split into open and closed tickets, through the
//! unassigned tickets, or through the few tickets a tag, priorities or a time range
//! name.

use super::*;

/// Which tickets of the fixture a filter should keep.
type Keep = Box<dyn Fn(&Ticket) -> bool>;

/// A tag added or removed by a save is found (or no longer found) by the tag filter
/// at once, and a stale save that is refused leaves the tag where it was.
pub async fn tag_filter_follows_tags_changed_by_saves(store: TestStore) {
    let desk = listing(&store).await;
    let untagged = desk
        .tickets
        .iter()
        .find(|t| t.tags.is_empty())
        .cloned()
        .expect("the fixture has untagged tickets");
    let escalated = TicketFilter {
        tag: Some("escalated".into()),
        ..TicketFilter::default()
    };
    let find = |filter: TicketFilter| {
        let store = store.clone();
        async move { list_all(&store, &TicketScope::All, filter, TicketSort::IdDesc).await }
    };
    assert!(find(escalated.clone()).await.is_empty());
    store
        .save_tickets(write(vec![change(
            &untagged,
            |t| t.tags = vec!["escalated".into(), "vpn".into()],
            vec![],
        )]))
        .await
        .unwrap();
    assert_eq!(find(escalated.clone()).await, vec![untagged.id]);
    let vpn = find(TicketFilter {
        tag: Some("vpn".into()),
        ..TicketFilter::default()
    })
    .await;
    assert!(vpn.contains(&untagged.id), "a second tag is found too");
    // A save against the version read before is refused and changes no tag.
    let stale = store
        .save_tickets(write(vec![change(&untagged, |t| t.tags = vec![], vec![])]))
        .await;
    assert!(stale.is_err(), "a stale save is refused");
    assert_eq!(find(escalated.clone()).await, vec![untagged.id]);
    let current = store.get_ticket(untagged.id).await.unwrap();
    store
        .save_tickets(write(vec![change(
            &current,
            |t| t.tags = vec!["vpn".into()],
            vec![],
        )]))
        .await
        .unwrap();
    assert!(find(escalated).await.is_empty(), "a removed tag is gone");
}

/// An agent's listing with each kind of filter gives exactly the tickets the scope
/// and the filter allow, in every sort and across pages.
pub async fn scoped_filters_list_the_same_tickets_in_every_sort(store: TestStore) {
    let desk = listing(&store).await;
    let agent = desk.agent.id;
    let first_group = desk.first_group;
    let scope = TicketScope::Agent {
        user_id: agent,
        group_ids: vec![first_group],
    };
    let in_scope = move |t: &Ticket| {
        t.group_id == Some(first_group) || t.assignee_id == Some(agent) || t.owner_id == Some(agent)
    };
    let has = |t: &Ticket, tag: &str| t.tags.iter().any(|x| x == tag);
    let f = TicketFilter::default;
    let cases: Vec<(&str, TicketFilter, Keep)> = vec![
        ("everything", f(), Box::new(|_| true)),
        (
            "open and closed statuses",
            TicketFilter {
                statuses: vec![TicketStatus::Open, TicketStatus::Closed, TicketStatus::New],
                ..f()
            },
            Box::new(|t| {
                matches!(
                    t.status,
                    TicketStatus::Open | TicketStatus::Closed | TicketStatus::New
                )
            }),
        ),
        (
            "unassigned",
            TicketFilter {
                unassigned: true,
                ..f()
            },
            Box::new(|t| t.assignee_id.is_none()),
        ),
        (
            "unassigned in a group",
            TicketFilter {
                unassigned: true,
                group_id: Some(first_group),
                ..f()
            },
            Box::new(move |t| t.assignee_id.is_none() && t.group_id == Some(first_group)),
        ),
        (
            "a tag",
            TicketFilter {
                tag: Some("printer".into()),
                ..f()
            },
            Box::new(move |t| has(t, "printer")),
        ),
        (
            "priorities with a channel",
            TicketFilter {
                priorities: vec![Priority::P1, Priority::P2],
                channel: Some(Channel::Email),
                ..f()
            },
            Box::new(|t| {
                matches!(t.priority, Priority::P1 | Priority::P2) && t.channel == Channel::Email
            }),
        ),
        (
            "a creation range",
            TicketFilter {
                created_from: Some(at(100)),
                created_before: Some(at(400)),
                ..f()
            },
            Box::new(|t| t.created_at >= at(100) && t.created_at < at(400)),
        ),
        (
            "a tag on open tickets",
            TicketFilter {
                tag: Some("vpn".into()),
                open_only: true,
                ..f()
            },
            Box::new(move |t| has(t, "vpn") && t.status.is_open()),
        ),
    ];
    for (label, filter, keep) in &cases {
        let matching: Vec<&Ticket> = desk
            .tickets
            .iter()
            .filter(|t| in_scope(t) && keep(t))
            .collect();
        assert!(
            !matching.is_empty(),
            "{label}: the fixture must match something"
        );
        for sort in SORTS {
            let got = list_all(&store, &scope, filter.clone(), sort).await;
            assert_eq!(got, sorted(&matching, sort), "{label}, {sort:?}");
        }
        let count = store
            .count_tickets_capped(&scope, filter, 100)
            .await
            .unwrap();
        assert_eq!(
            usize::try_from(count).unwrap(),
            matching.len(),
            "{label}: count"
        );
    }
}
