//! Contract tests for the desk's side aggregates ([`AttachmentStore`](ferrodesk_store::AttachmentStore),
//! [`WatcherStore`](ferrodesk_store::WatcherStore), [`AssetStore`](ferrodesk_store::AssetStore),
//! [`RatingStore`](ferrodesk_store::RatingStore), [`FilterStore`](ferrodesk_store::FilterStore)):
//! attachments on events, uploads, watchers, assets, ratings, saved filters, category changes
//! and desk secrets.

use super::{TestStore, at, create, group, is_conflict, is_not_found, note, reply, ticket, user};
use ferrodesk_domain::{
    AssetId, AssetType, Attachment, CategoryId, Channel, EventKind, NewEvent, Role, Sha256Hex,
    TicketId, UserId,
};
use ferrodesk_store::{
    AssetFields, AssetFilter, AssetLinkChange, EventAppend, EventPage, Missing, NewCategory,
    NewRating, PageRequest, RatingGrouping, StoreError, WatcherChange,
};
use jiff::civil::date;

fn attachment(name: &str, fill: char) -> Attachment {
    Attachment {
        sha256: Sha256Hex::parse(&fill.to_string().repeat(64)).unwrap(),
        filename: name.into(),
        content_type: "text/plain".into(),
        size: 42,
    }
}

fn event(kind: EventKind, actor: UserId, seconds: i64) -> NewEvent {
    NewEvent::new(kind, Some(actor), Channel::Agent, at(seconds))
}

/// Events keep the files they carry; events without files read back with none.
pub async fn events_carry_their_attachments(store: TestStore) {
    let agent = user(&store, "agent@example.com", Role::Agent).await;
    let t = create(&store, ticket(&agent, "printer", at(1))).await;
    let files = vec![attachment("log.txt", 'a'), attachment("shot.png", 'b')];
    store
        .append_event(EventAppend {
            ticket_id: t.id,
            event: note(&agent, "see logs", at(2)).with_attachments(files.clone()),
            marks_first_response: false,
            idempotency: None,
            notices: Vec::new(),
        })
        .await
        .unwrap();
    let events = store
        .list_events(t.id, true, &EventPage::default())
        .await
        .unwrap();
    assert_eq!(events.len(), 2);
    assert!(events[0].attachments.is_empty());
    assert_eq!(events[1].attachments, files);
    assert_eq!(
        store.get_event(events[1].id).await.unwrap().attachments,
        files
    );
    let bulk = store
        .bulk_create_tickets(vec![(
            ticket(&agent, "bulk", at(3)),
            vec![reply(&agent, "with file", at(3)).with_attachments(files.clone())],
        )])
        .await
        .unwrap();
    let events = store
        .list_events(bulk[0], true, &EventPage::default())
        .await
        .unwrap();
    assert_eq!(events[0].attachments, files);
}

/// Uploads are kept with their uploader and read back by id; unknown ids are left out.
pub async fn uploads_are_recorded_and_read_back(store: TestStore) {
    let customer = user(&store, "c@example.com", Role::Customer).await;
    let first = store
        .create_upload(customer.id, attachment("a.txt", 'c'), at(1))
        .await
        .unwrap();
    let second = store
        .create_upload(customer.id, attachment("b.txt", 'd'), at(2))
        .await
        .unwrap();
    let read = store
        .get_uploads(&[second.id, 999_999, first.id])
        .await
        .unwrap();
    assert_eq!(read, vec![first.clone(), second]);
    assert_eq!(read[0].uploader_id, customer.id);
    assert!(
        store
            .create_upload(UserId(999_999), attachment("x", 'e'), at(3))
            .await
            .is_err()
    );
}

/// A watcher is added once (with one event), listed, and removed once.
pub async fn watchers_are_added_once_listed_and_removed(store: TestStore) {
    let agent = user(&store, "agent@example.com", Role::Agent).await;
    let colleague = user(&store, "colleague@example.com", Role::Customer).await;
    let t = create(&store, ticket(&agent, "vpn", at(1))).await;
    let change = |kind, seconds| WatcherChange {
        ticket_id: t.id,
        user_id: colleague.id,
        event: event(kind, agent.id, seconds),
    };
    let added = store
        .add_watcher(change(
            EventKind::WatcherAdded {
                user_id: colleague.id,
            },
            2,
        ))
        .await
        .unwrap();
    assert!(added.is_some());
    let again = store
        .add_watcher(change(
            EventKind::WatcherAdded {
                user_id: colleague.id,
            },
            3,
        ))
        .await
        .unwrap();
    assert!(again.is_none(), "a second add changes nothing");
    let watchers = store.list_watchers(t.id).await.unwrap();
    assert_eq!(watchers.len(), 1);
    assert_eq!(watchers[0].user_id, colleague.id);
    assert_eq!(watchers[0].added_by, Some(agent.id));
    assert_eq!(store.get_ticket(t.id).await.unwrap().version, t.version + 1);
    let removed = store
        .remove_watcher(change(
            EventKind::WatcherRemoved {
                user_id: colleague.id,
            },
            4,
        ))
        .await
        .unwrap();
    assert!(removed.is_some());
    assert!(
        store
            .remove_watcher(change(
                EventKind::WatcherRemoved {
                    user_id: colleague.id
                },
                5
            ))
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.list_watchers(t.id).await.unwrap().is_empty());
    let kinds: Vec<&str> = store
        .list_events(t.id, true, &EventPage::default())
        .await
        .unwrap()
        .iter()
        .map(|e| e.kind.name())
        .collect();
    assert_eq!(kinds, ["created", "watcher_added", "watcher_removed"]);
}

fn fields(tag: &str, kind: AssetType, assigned: Option<UserId>) -> AssetFields {
    AssetFields {
        tag: tag.into(),
        serial: Some(format!("SN-{tag}")),
        asset_type: kind,
        manufacturer: Some("Lenovo".into()),
        model: Some("T14".into()),
        location: Some("Oslo 3rd floor".into()),
        assigned_to: assigned,
        purchase_date: Some(date(2024, 2, 29)),
        warranty_end: Some(date(2027, 2, 28)),
        contract: None,
    }
}

/// Assets are created, read, filtered by person, type and tag, updated, and their
/// tags are unique.
pub async fn assets_are_created_filtered_updated_and_tags_unique(store: TestStore) {
    let alice = user(&store, "alice@example.com", Role::Customer).await;
    let laptop = store
        .create_asset(
            fields("IT-0001", AssetType::Computer, Some(alice.id)),
            at(1),
        )
        .await
        .unwrap();
    let printer = store
        .create_asset(fields("IT-0002", AssetType::Printer, None), at(2))
        .await
        .unwrap();
    assert_eq!(store.get_asset(laptop.id).await.unwrap(), laptop);
    assert_eq!(laptop.purchase_date, Some(date(2024, 2, 29)));
    let duplicate = store
        .create_asset(fields("IT-0001", AssetType::Phone, None), at(3))
        .await
        .unwrap_err();
    assert!(is_conflict(&duplicate, "IT-0001"), "{duplicate}");
    let unknown_person = store
        .create_asset(
            fields("IT-0009", AssetType::Phone, Some(UserId(999_999))),
            at(3),
        )
        .await;
    assert!(unknown_person.is_err());
    let list = |filter: AssetFilter| {
        let store = store.clone();
        async move {
            store
                .list_assets(&filter, &PageRequest::first(50))
                .await
                .unwrap()
                .items
                .iter()
                .map(|a| a.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(list(AssetFilter::default()).await, [laptop.id, printer.id]);
    let by_person = AssetFilter {
        assigned_to: Some(alice.id),
        ..AssetFilter::default()
    };
    assert_eq!(list(by_person).await, [laptop.id]);
    let by_type = AssetFilter {
        asset_type: Some(AssetType::Printer),
        ..AssetFilter::default()
    };
    assert_eq!(list(by_type).await, [printer.id]);
    let by_tag = AssetFilter {
        tag: Some("it-0002".into()),
        ..AssetFilter::default()
    };
    assert_eq!(list(by_tag).await, [printer.id]);
    let page = store
        .list_assets(&AssetFilter::default(), &PageRequest::first(1))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert!(page.next_cursor.is_some());

    let mut changed = fields("IT-0001-B", AssetType::Computer, None);
    changed.warranty_end = None;
    let updated = store.update_asset(laptop.id, changed, at(5)).await.unwrap();
    assert_eq!(updated.tag, "IT-0001-B");
    assert_eq!(updated.assigned_to, None);
    assert_eq!(updated.warranty_end, None);
    assert_eq!(updated.updated_at, at(5));
    let taken = store
        .update_asset(
            printer.id,
            fields("IT-0001-B", AssetType::Printer, None),
            at(6),
        )
        .await
        .unwrap_err();
    assert!(is_conflict(&taken, "IT-0001-B"), "{taken}");
    let missing = store
        .update_asset(AssetId(999_999), fields("X", AssetType::Other, None), at(6))
        .await
        .unwrap_err();
    assert!(is_not_found(&missing, "asset"), "{missing}");
    assert!(
        matches!(
            missing,
            StoreError::NotFound {
                missing: Missing::Addressed,
                ..
            }
        ),
        "the asset itself is missing: {missing:?}"
    );
    // Assigned to nobody known: the asset exists, the person it refers to does not.
    let nobody = store
        .update_asset(
            printer.id,
            fields("IT-0002", AssetType::Printer, Some(UserId(888_888))),
            at(7),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            nobody,
            StoreError::NotFound {
                missing: Missing::Referenced,
                ..
            }
        ),
        "a referenced person is missing: {nobody:?}"
    );
}

/// An asset is linked to a ticket once, with an event, and unlinked once.
pub async fn assets_link_to_tickets_once_with_events(store: TestStore) {
    let agent = user(&store, "agent@example.com", Role::Agent).await;
    let t = create(&store, ticket(&agent, "screen flickers", at(1))).await;
    let asset = store
        .create_asset(fields("MON-1", AssetType::Monitor, None), at(1))
        .await
        .unwrap();
    let change = |kind| AssetLinkChange {
        ticket_id: t.id,
        asset_id: asset.id,
        event: event(kind, agent.id, 2),
    };
    let linked = EventKind::AssetLinked {
        asset_id: asset.id,
        label: asset.label(),
    };
    assert!(
        store
            .link_asset(change(linked.clone()))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .link_asset(change(linked.clone()))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store.ticket_assets(t.id).await.unwrap(),
        vec![asset.clone()]
    );
    let missing = AssetLinkChange {
        ticket_id: t.id,
        asset_id: AssetId(999_999),
        event: event(linked.clone(), agent.id, 3),
    };
    assert!(store.link_asset(missing).await.is_err());
    let unlinked = EventKind::AssetUnlinked {
        asset_id: asset.id,
        label: asset.label(),
    };
    assert!(
        store
            .unlink_asset(change(unlinked.clone()))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .unlink_asset(change(unlinked))
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.ticket_assets(t.id).await.unwrap().is_empty());
    let kinds: Vec<&str> = store
        .list_events(t.id, true, &EventPage::default())
        .await
        .unwrap()
        .iter()
        .map(|e| e.kind.name())
        .collect();
    assert_eq!(kinds, ["created", "asset_linked", "asset_unlinked"]);
}

/// One rating per resolution, with its event, and averages per group and agent.
pub async fn ratings_are_once_per_resolution_and_summarized(store: TestStore) {
    let customer = user(&store, "c@example.com", Role::Customer).await;
    let agent = user(&store, "a@example.com", Role::Agent).await;
    let desk = group(&store, "Service desk").await;
    let t = create(&store, ticket(&customer, "mail", at(1))).await;
    let rating = |score, resolved, seconds, group_id, agent_id| NewRating {
        ticket_id: t.id,
        resolved_at: at(resolved),
        requester_id: customer.id,
        score,
        comment: Some("quick".into()),
        group_id,
        agent_id,
        event: NewEvent::new(
            EventKind::Rated {
                score,
                comment: Some("quick".into()),
            },
            Some(customer.id),
            Channel::Portal,
            at(seconds),
        ),
    };
    let first = store
        .create_rating(rating(5, 10, 20, Some(desk.id), Some(agent.id)))
        .await
        .unwrap();
    assert_eq!(first.score, 5);
    let twice = store
        .create_rating(rating(1, 10, 21, Some(desk.id), Some(agent.id)))
        .await
        .unwrap_err();
    assert!(is_conflict(&twice, "already rated"), "{twice}");
    store
        .create_rating(rating(2, 30, 40, Some(desk.id), None))
        .await
        .unwrap();
    assert_eq!(
        store
            .find_rating(t.id, at(10))
            .await
            .unwrap()
            .map(|r| r.score),
        Some(5)
    );
    assert!(store.find_rating(t.id, at(11)).await.unwrap().is_none());
    let desk_row = store
        .rating_summary(at(0), at(100), RatingGrouping::Desk)
        .await
        .unwrap();
    assert_eq!(desk_row.len(), 1);
    assert_eq!(desk_row[0].count, 2);
    assert!((desk_row[0].average - 3.5).abs() < 1e-9);
    let by_group = store
        .rating_summary(at(0), at(100), RatingGrouping::Group)
        .await
        .unwrap();
    assert_eq!(by_group.len(), 1);
    assert_eq!(by_group[0].key, Some(desk.id.get()));
    let by_agent = store
        .rating_summary(at(0), at(100), RatingGrouping::Agent)
        .await
        .unwrap();
    let agent_row = by_agent
        .iter()
        .find(|r| r.key == Some(agent.id.get()))
        .unwrap();
    assert_eq!(agent_row.count, 1);
    assert!((agent_row.average - 5.0).abs() < 1e-9);
    let later = store
        .rating_summary(at(30), at(100), RatingGrouping::Desk)
        .await
        .unwrap();
    assert_eq!(later[0].count, 1);
    assert!(
        store
            .rating_summary(at(500), at(600), RatingGrouping::Desk)
            .await
            .unwrap()
            .is_empty()
    );
    let kinds: Vec<&str> = store
        .list_events(t.id, false, &EventPage::default())
        .await
        .unwrap()
        .iter()
        .map(|e| e.kind.name())
        .collect();
    assert_eq!(kinds, ["created", "rated", "rated"]);
    let unknown = NewRating {
        ticket_id: TicketId(999_999),
        ..rating(3, 50, 60, None, None)
    };
    assert!(store.create_rating(unknown).await.is_err());
}

/// Saved filters belong to one person, have unique names per person and can be
/// deleted only by their owner.
pub async fn saved_filters_are_per_person_and_deletable(store: TestStore) {
    let agent = user(&store, "a@example.com", Role::Agent).await;
    let other = user(&store, "b@example.com", Role::Agent).await;
    let mine = store
        .create_saved_filter(agent.id, "P1 network".into(), "priority=p1".into(), at(1))
        .await
        .unwrap();
    let dup = store
        .create_saved_filter(agent.id, "P1 network".into(), "x".into(), at(2))
        .await
        .unwrap_err();
    assert!(is_conflict(&dup, "P1 network"), "{dup}");
    store
        .create_saved_filter(other.id, "P1 network".into(), "y".into(), at(2))
        .await
        .unwrap();
    assert_eq!(
        store.list_saved_filters(agent.id).await.unwrap(),
        vec![mine.clone()]
    );
    let foreign = store
        .delete_saved_filter(other.id, mine.id)
        .await
        .unwrap_err();
    assert!(is_not_found(&foreign, "saved filter"), "{foreign}");
    store.delete_saved_filter(agent.id, mine.id).await.unwrap();
    assert!(store.list_saved_filters(agent.id).await.unwrap().is_empty());
    assert_eq!(store.list_saved_filters(other.id).await.unwrap().len(), 1);
}

/// Categories are renamed (unique among siblings) and deleted only when no ticket
/// and no subcategory uses them.
pub async fn categories_are_renamed_and_deleted_only_when_unused(store: TestStore) {
    let customer = user(&store, "c@example.com", Role::Customer).await;
    let new = |name: &str, parent| NewCategory {
        name: name.into(),
        parent_id: parent,
        now: at(0),
    };
    let hardware = store.create_category(new("Hardware", None)).await.unwrap();
    let software = store.create_category(new("Software", None)).await.unwrap();
    let printers = store
        .create_category(new("Printers", Some(hardware.id)))
        .await
        .unwrap();
    let renamed = store
        .rename_category(software.id, "Applications".into(), at(5))
        .await
        .unwrap();
    assert_eq!(renamed.name, "Applications");
    assert_eq!(renamed.updated_at, at(5));
    let clash = store
        .rename_category(software.id, "Hardware".into(), at(6))
        .await
        .unwrap_err();
    assert!(
        matches!(clash, ferrodesk_store::StoreError::Conflict { .. }),
        "{clash}"
    );
    let missing = store
        .rename_category(CategoryId(999_999), "X".into(), at(6))
        .await
        .unwrap_err();
    assert!(is_not_found(&missing, "category"), "{missing}");

    let mut used = ticket(&customer, "paper jam", at(1));
    used.category_id = Some(printers.id);
    let used = create(&store, used).await;
    let in_use = store.delete_category(printers.id).await.unwrap_err();
    assert!(is_conflict(&in_use, &used.id.display_number()), "{in_use}");
    let parent = store.delete_category(hardware.id).await.unwrap_err();
    assert!(is_conflict(&parent, "subcategories"), "{parent}");
    store.delete_category(software.id).await.unwrap();
    assert!(store.get_category(software.id).await.is_err());
    let gone = store.delete_category(software.id).await.unwrap_err();
    assert!(is_not_found(&gone, "category"), "{gone}");
}

/// The first secret stored under a name wins; later candidates get it back.
pub async fn desk_secret_keeps_the_first_value(store: TestStore) {
    let first = store
        .desk_secret("rating", "one".into(), at(1))
        .await
        .unwrap();
    assert_eq!(first, "one");
    let again = store
        .desk_secret("rating", "two".into(), at(2))
        .await
        .unwrap();
    assert_eq!(again, "one");
}
