//! More contract tests for the side aggregates: deleting assets, the tickets a person
//! watches, and ending a person's other sessions.

use super::{TestStore, at, create, is_not_found, ticket, user};
use ferrodesk_domain::{AssetType, Channel, EventKind, NewEvent, Role};
use ferrodesk_store::{AssetFields, AssetLinkChange, NewSession, WatcherChange};

/// Deleting an asset removes its ticket links but keeps the events that named it; an
/// unknown asset is not found.
pub async fn deleting_an_asset_removes_its_links(store: TestStore) {
    let agent = user(&store, "agent@example.com", Role::Agent).await;
    let t = create(&store, ticket(&agent, "dock is dead", at(1))).await;
    let asset = store
        .create_asset(
            AssetFields {
                tag: "DOCK-1".into(),
                serial: None,
                asset_type: AssetType::Other,
                manufacturer: None,
                model: None,
                location: None,
                assigned_to: Some(agent.id),
                purchase_date: None,
                warranty_end: None,
                contract: None,
            },
            at(1),
        )
        .await
        .unwrap();
    store
        .link_asset(AssetLinkChange {
            ticket_id: t.id,
            asset_id: asset.id,
            event: NewEvent::new(
                EventKind::AssetLinked {
                    asset_id: asset.id,
                    label: asset.label(),
                },
                Some(agent.id),
                Channel::Agent,
                at(2),
            ),
        })
        .await
        .unwrap();
    store.delete_asset(asset.id).await.unwrap();
    assert!(is_not_found(
        &store.get_asset(asset.id).await.unwrap_err(),
        "asset"
    ));
    assert!(store.ticket_assets(t.id).await.unwrap().is_empty());
    assert!(is_not_found(
        &store.delete_asset(asset.id).await.unwrap_err(),
        "asset"
    ));
    let events = store
        .list_events(t.id, true, &ferrodesk_store::EventPage::default())
        .await
        .unwrap();
    assert_eq!(events.last().unwrap().kind.name(), "asset_linked");
}

/// A person's watched tickets come newest first, bounded, and only theirs.
pub async fn watched_tickets_are_the_persons_newest_first(store: TestStore) {
    let agent = user(&store, "agent@example.com", Role::Agent).await;
    let other = user(&store, "other@example.com", Role::Agent).await;
    let first = create(&store, ticket(&agent, "one", at(1))).await;
    let second = create(&store, ticket(&agent, "two", at(1))).await;
    for (t, who, seconds) in [
        (&first, &agent, 2),
        (&second, &agent, 3),
        (&first, &other, 4),
    ] {
        store
            .add_watcher(WatcherChange {
                ticket_id: t.id,
                user_id: who.id,
                event: NewEvent::new(
                    EventKind::WatcherAdded { user_id: who.id },
                    Some(who.id),
                    Channel::Agent,
                    at(seconds),
                ),
            })
            .await
            .unwrap();
    }
    assert_eq!(
        store.watched_tickets(agent.id, 10).await.unwrap(),
        vec![second.id, first.id]
    );
    assert_eq!(
        store.watched_tickets(agent.id, 1).await.unwrap(),
        vec![second.id]
    );
    assert_eq!(
        store.watched_tickets(other.id, 10).await.unwrap(),
        vec![first.id]
    );
}

/// Ending other sessions keeps the named one and the other people's sessions.
pub async fn other_sessions_end_and_the_kept_one_stays(store: TestStore) {
    let ana = user(&store, "ana@example.com", Role::Agent).await;
    let bo = user(&store, "bo@example.com", Role::Agent).await;
    for (hash, who) in [("a", &ana), ("b", &ana), ("c", &ana), ("d", &bo)] {
        store
            .create_session(NewSession {
                session_hash: hash.repeat(64),
                user_id: who.id,
                csrf_secret: "csrf".into(),
                expires_at: at(3600),
                now: at(0),
            })
            .await
            .unwrap();
    }
    let ended = store
        .end_other_sessions(ana.id, Some("a".repeat(64)))
        .await
        .unwrap();
    assert_eq!(ended, 2);
    let alive = |hash: &str| {
        let store = store.clone();
        let hash = hash.repeat(64);
        async move {
            store
                .find_actor_by_session(&hash, at(10))
                .await
                .unwrap()
                .is_some()
        }
    };
    assert!(alive("a").await);
    assert!(!alive("b").await);
    assert!(!alive("c").await);
    assert!(alive("d").await);
    assert_eq!(store.end_other_sessions(ana.id, None).await.unwrap(), 1);
    assert!(!alive("a").await);
}

/// A filter shared with a group is seen by its members besides their own; a private
/// one only by its owner; names are unique per owner; an unknown group is not found.
pub async fn shared_filters_reach_the_groups_members(store: TestStore) {
    let desk = super::group(&store, "Service Desk").await;
    let network = super::group(&store, "Network").await;
    let ana = user(&store, "ana@example.com", Role::Agent).await;
    let bo = user(&store, "bo@example.com", Role::Agent).await;
    let shared = store
        .create_filter(
            ana.id,
            "P1 in my group".into(),
            "priority=p1".into(),
            Some(desk.id),
            at(1),
        )
        .await
        .unwrap();
    assert_eq!(shared.group_id, Some(desk.id));
    store
        .create_filter(ana.id, "Mine".into(), "assignee=me".into(), None, at(2))
        .await
        .unwrap();
    store
        .create_filter(
            bo.id,
            "Routers".into(),
            "text=router".into(),
            Some(network.id),
            at(3),
        )
        .await
        .unwrap();
    let names = |filters: Vec<ferrodesk_store::SharedFilter>| -> Vec<String> {
        filters.into_iter().map(|f| f.filter.name).collect()
    };
    assert_eq!(
        names(store.list_filters(ana.id, &[]).await.unwrap()),
        ["Mine", "P1 in my group"]
    );
    assert_eq!(
        names(store.list_filters(bo.id, &[desk.id]).await.unwrap()),
        ["P1 in my group", "Routers"]
    );
    assert_eq!(
        names(store.list_filters(bo.id, &[]).await.unwrap()),
        ["Routers"]
    );
    let taken = store
        .create_filter(ana.id, "Mine".into(), "x".into(), Some(desk.id), at(4))
        .await
        .unwrap_err();
    assert!(
        matches!(taken, ferrodesk_store::StoreError::Conflict { .. }),
        "{taken:?}"
    );
    let unknown = store
        .create_filter(
            ana.id,
            "Ghost".into(),
            "x".into(),
            Some(ferrodesk_domain::GroupId(999_999)),
            at(5),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(unknown, ferrodesk_store::StoreError::NotFound { .. }),
        "{unknown:?}"
    );
    // Deleting through the owner's delete removes it for the group too.
    store
        .delete_saved_filter(ana.id, shared.filter.id)
        .await
        .unwrap();
    assert_eq!(
        names(store.list_filters(bo.id, &[desk.id]).await.unwrap()),
        ["Routers"]
    );
}

fn asset_fields(tag: &str) -> AssetFields {
    AssetFields {
        tag: tag.into(),
        serial: None,
        asset_type: AssetType::Computer,
        manufacturer: None,
        model: None,
        location: None,
        assigned_to: None,
        purchase_date: None,
        warranty_end: None,
        contract: None,
    }
}

/// The asset feed gives assets by change time then id, after a cursor, bounded; a
/// change moves an asset to the end.
pub async fn assets_come_in_change_order_after_a_cursor(store: TestStore) {
    let a = store
        .create_asset(asset_fields("PC-1"), at(10))
        .await
        .unwrap();
    let b = store
        .create_asset(asset_fields("PC-2"), at(10))
        .await
        .unwrap();
    let c = store
        .create_asset(asset_fields("PC-3"), at(20))
        .await
        .unwrap();
    let tags = |assets: Vec<ferrodesk_domain::Asset>| -> Vec<String> {
        assets.into_iter().map(|a| a.tag).collect()
    };
    assert_eq!(
        tags(store.assets_changed_after(None, 10).await.unwrap()),
        ["PC-1", "PC-2", "PC-3"]
    );
    assert_eq!(
        tags(
            store
                .assets_changed_after(Some((at(10), a.id)), 1)
                .await
                .unwrap()
        ),
        ["PC-2"]
    );
    assert_eq!(
        tags(
            store
                .assets_changed_after(Some((at(10), b.id)), 10)
                .await
                .unwrap()
        ),
        ["PC-3"]
    );
    let mut fields = asset_fields("PC-1");
    fields.location = Some("Floor 3".into());
    store.update_asset(a.id, fields, at(30)).await.unwrap();
    assert_eq!(
        tags(
            store
                .assets_changed_after(Some((at(20), c.id)), 10)
                .await
                .unwrap()
        ),
        ["PC-1"]
    );
}
