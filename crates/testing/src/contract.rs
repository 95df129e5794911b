//! The contract every adapter must pass: the same tests run against SQLite and
//! PostgreSQL through [`store_contract_tests!`](crate::store_contract_tests).
//!
//! Each test is a `pub async fn` taking a fresh, empty store; the macro expands to one
//! `#[tokio::test]` per test in the adapter's integration-test binary. The tests check
//! behaviour through the trait only (what a service can observe), so a failure names a
//! broken promise of [`Store`], not an implementation detail.
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]
// A failing assertion is how a contract test reports; panics are the point here.

use ferrodesk_domain::{
    Channel, EmailAddress, EventKind, Group, GroupId, Impact, LinkKind, NewEvent, Organization,
    OrganizationId, Priority, Role, Ticket, TicketId, TicketScope, TicketStatus, TicketType, Tier,
    TokenId, Urgency, User, UserId, Visibility,
};
use ferrodesk_store::{
    Created, Cursor, EventAppend, EventPage, GroupPatch, Idempotency, MAX_PAGE_SIZE, NewAuditEntry,
    NewCategory, NewGroup, NewLink, NewOrganization, NewService, NewSession, NewTicket, NewToken,
    NewUser, OrganizationPatch, PageRequest, QueueCounts, ReportDimension, ReportQuery,
    ServicePatch, Store, StoreError, TicketChange, TicketFilter, TicketQuery, TicketSort,
    TicketSplit, TicketWrite, UserFilter, UserPatch,
};
use jiff::Timestamp;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

mod sla;
pub use sla::*;
mod sla_start;
pub use sla_start::*;
mod listing_plan;
pub use listing_plan::*;
#[path = "contract_desk.rs"]
mod desk;
pub use desk::*;
#[path = "contract_desk_extra.rs"]
mod desk_extra;
pub use desk_extra::*;

/// A store under test.
pub type TestStore = Arc<dyn Store>;

/// Expands to one `#[tokio::test]` per contract test. `$make` is an async expression
/// giving `Option<Arc<dyn Store>>`: a fresh, empty store, or `None` to skip (for
/// example when no PostgreSQL is available).
#[macro_export]
macro_rules! store_contract_tests {
    ($make:expr) => {
        $crate::contract_test_fns!(contract, $make;
            users_are_created_read_and_found_by_email,
            user_email_must_be_unique,
            user_with_unknown_group_or_organization_is_not_found,
            user_patch_changes_only_given_fields_and_replaces_groups,
            users_are_listed_with_filters_and_pages,
            users_are_counted_and_keep_password_hashes,
            organizations_are_created_changed_listed_and_unique,
            groups_are_created_changed_listed_and_unique,
            categories_are_unique_among_siblings,
            services_are_created_changed_listed_and_unique,
            token_finds_its_active_actor_and_is_audited,
            revoked_expired_and_inactive_tokens_find_nobody,
            sessions_find_their_actor_until_they_end,
            login_failures_are_counted_since_and_cleared,
            audit_log_lists_newest_first_in_pages,
            ticket_numbers_start_at_10001_and_missing_tickets_are_not_found,
            ticket_with_unknown_reference_is_not_found_and_writes_nothing,
            saving_a_ticket_bumps_its_version_and_appends_events,
            stale_save_is_a_conflict_and_writes_nothing,
            idempotent_create_replays_and_refuses_a_different_request,
            idempotent_save_and_append_replay,
            split_creates_linked_parts_atomically,
            links_are_seen_from_both_tickets,
            open_children_are_unresolved_parent_of_targets,
            ticket_filters_each_narrow_the_listing,
            ticket_sorts_order_the_listing,
            tag_filter_follows_tags_changed_by_saves,
            scoped_filters_list_the_same_tickets_in_every_sort,
            ticket_scope_limits_agents_and_customers,
            cursor_pagination_visits_every_ticket_once_in_every_sort,
            page_size_is_clamped,
            queue_counts_follow_creates_status_changes_and_reassignment,
            internal_events_are_hidden_unless_asked_for,
            append_event_bumps_version_and_marks_first_response_once,
            bulk_create_writes_tickets_events_and_counts,
            concurrent_creates_are_all_committed,
            report_rollups_follow_every_ticket_write,
            events_carry_their_attachments,
            uploads_are_recorded_and_read_back,
            watchers_are_added_once_listed_and_removed,
            assets_are_created_filtered_updated_and_tags_unique,
            assets_link_to_tickets_once_with_events,
            ratings_are_once_per_resolution_and_summarized,
            saved_filters_are_per_person_and_deletable,
            categories_are_renamed_and_deleted_only_when_unused,
            desk_secret_keeps_the_first_value,
            deleting_an_asset_removes_its_links,
            assets_come_in_change_order_after_a_cursor,
            watched_tickets_are_the_persons_newest_first,
            other_sessions_end_and_the_kept_one_stays,
            shared_filters_reach_the_groups_members,
        );
        $crate::sla_contract_tests!($make);
        $crate::mail_contract_tests!($make);
        $crate::mail_outbox_contract_tests!($make);
        $crate::notification_mail_contract_tests!($make);
        $crate::kb_contract_tests!($make);
        $crate::vendor_contract_tests!($make);
        $crate::presence_contract_tests!($make);
        $crate::macro_contract_tests!($make);
        $crate::time_contract_tests!($make);
        $crate::custom_field_contract_tests!($make);
        $crate::ticket_template_contract_tests!($make);
        $crate::queue_contract_tests!($make);
    };
}

/// Expands to one `#[tokio::test]` per name, each running `$crate::$module::$name` on a
/// store from `$make`, or saying it was skipped when `$make` gives none: the body of every
/// `*_contract_tests!` macro.
#[macro_export]
macro_rules! contract_test_fns {
    ($module:ident, $make:expr; $($name:ident),* $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let store: ::std::option::Option<::std::sync::Arc<dyn $crate::Store>> = $make.await;
                match store {
                    ::std::option::Option::Some(store) => $crate::$module::$name(store).await,
                    ::std::option::Option::None => {
                        eprintln!("SKIPPED: {}: no store available", stringify!($name));
                    }
                }
            }
        )*
    };
}

// --- fixtures ---------------------------------------------------------------------------

/// 2025-01-01T00:00:00Z plus `seconds`. The fixtures are public for a backend's own
/// tests of what only it does.
pub fn at(seconds: i64) -> Timestamp {
    Timestamp::from_second(1_735_689_600 + seconds).unwrap()
}

/// A valid email address from test text.
pub(crate) fn email(text: &str) -> EmailAddress {
    EmailAddress::parse(text).unwrap()
}

/// A person to create, of `role`, with no organization or groups.
pub fn new_user(address: &str, name: &str, role: Role) -> NewUser {
    NewUser {
        email: email(address),
        name: name.into(),
        role,
        organization_id: None,
        phone: None,
        location: None,
        employee_id: None,
        locale: "en".into(),
        time_zone: "Europe/Oslo".into(),
        tier: role.is_staff().then_some(Tier::FIRST),
        group_ids: vec![],
        password_hash: None,
        now: at(0),
    }
}

pub(crate) async fn user(store: &TestStore, address: &str, role: Role) -> User {
    store
        .create_user(new_user(address, address, role))
        .await
        .unwrap()
}

pub(crate) async fn group(store: &TestStore, name: &str) -> Group {
    store
        .create_group(NewGroup {
            name: name.into(),
            tier: Tier::FIRST,
            description: format!("{name} queue"),
            escalates_to: None,
            now: at(0),
        })
        .await
        .unwrap()
}

async fn organization(store: &TestStore, name: &str, shares: bool) -> Organization {
    store
        .create_organization(NewOrganization {
            name: name.into(),
            shares_tickets: shares,
            now: at(0),
        })
        .await
        .unwrap()
}

/// A new P4 incident from `requester` by email, in no group.
pub fn ticket(requester: &User, subject: &str, now: Timestamp) -> Ticket {
    Ticket {
        id: TicketId(0),
        version: 0,
        subject: subject.into(),
        description: format!("{subject}, please help"),
        ticket_type: TicketType::Incident,
        status: TicketStatus::New,
        impact: Impact::Individual,
        urgency: Urgency::Medium,
        priority: Priority::P4,
        priority_reason: None,
        category_id: None,
        service_id: None,
        location: None,
        device: None,
        requester_id: requester.id,
        organization_id: requester.organization_id,
        channel: Channel::Email,
        group_id: None,
        tier: Tier::FIRST,
        owner_id: None,
        assignee_id: None,
        tags: vec![],
        escalation_level: 0,
        external_ref: None,
        merged_into: None,
        created_at: now,
        updated_at: now,
        first_response_at: None,
        resolved_at: None,
        closed_at: None,
    }
}

/// The event that opens `ticket`.
pub fn created_event(ticket: &Ticket) -> NewEvent {
    NewEvent::new(
        EventKind::Created {
            subject: ticket.subject.clone(),
        },
        Some(ticket.requester_id),
        ticket.channel,
        ticket.created_at,
    )
}

fn new_ticket(ticket: Ticket) -> NewTicket {
    let events = vec![created_event(&ticket)];
    plain_new_ticket(ticket, events)
}

/// A create with its first events and nothing else: no key, links or notifications.
fn plain_new_ticket(ticket: Ticket, events: Vec<NewEvent>) -> NewTicket {
    NewTicket {
        ticket,
        events,
        links: vec![],
        idempotency: None,
        settings_version: None,
        notices: Vec::new(),
        round_robin: None,
        custom_values: Vec::new(),
    }
}

pub(crate) async fn create(store: &TestStore, ticket: Ticket) -> Ticket {
    let events = vec![created_event(&ticket)];
    create_with_events(store, ticket, events).await
}

/// Creates a ticket with these first events through the one-by-one create.
pub(crate) async fn create_with_events(
    store: &TestStore,
    ticket: Ticket,
    events: Vec<NewEvent>,
) -> Ticket {
    match store
        .create_ticket(plain_new_ticket(ticket, events))
        .await
        .unwrap()
    {
        Created::New(ticket) => ticket,
        Created::Replayed(_) => panic!("a create without a key was replayed"),
    }
}

pub(crate) fn note(actor: &User, body: &str, now: Timestamp) -> NewEvent {
    NewEvent::new(
        EventKind::Note { body: body.into() },
        Some(actor.id),
        Channel::Agent,
        now,
    )
}

pub(crate) fn reply(actor: &User, body: &str, now: Timestamp) -> NewEvent {
    NewEvent::new(
        EventKind::Reply { body: body.into() },
        Some(actor.id),
        Channel::Agent,
        now,
    )
}

pub(crate) fn change(
    before: &Ticket,
    edit: impl FnOnce(&mut Ticket),
    events: Vec<NewEvent>,
) -> TicketChange {
    let mut after = before.clone();
    edit(&mut after);
    TicketChange::new(before.clone(), after, events)
}

pub(crate) fn write(changes: Vec<TicketChange>) -> TicketWrite {
    TicketWrite {
        changes,
        links: vec![],
        idempotency: None,
        settings_version: None,
    }
}

async fn all_tickets(store: &TestStore) -> Vec<Ticket> {
    let mut query = TicketQuery {
        sort: TicketSort::IdDesc,
        page: PageRequest::first(MAX_PAGE_SIZE),
        ..TicketQuery::default()
    };
    let mut tickets = Vec::new();
    loop {
        let page = store.list_tickets(&TicketScope::All, &query).await.unwrap();
        tickets.extend(page.items);
        match page.next_cursor {
            Some(cursor) => query.page.cursor = Some(cursor),
            None => break,
        }
    }
    tickets.sort_by_key(|t| t.id);
    tickets
}

fn ids(tickets: &[Ticket]) -> Vec<TicketId> {
    tickets.iter().map(|t| t.id).collect()
}

fn is_not_found(error: &StoreError, needle: &str) -> bool {
    matches!(error, StoreError::NotFound { what, .. } if what.contains(needle))
}

fn is_conflict(error: &StoreError, needle: &str) -> bool {
    matches!(error, StoreError::Conflict { what, .. } if what.contains(needle))
}

fn audit(action: &str, actor: Option<UserId>, now: Timestamp) -> NewAuditEntry {
    NewAuditEntry {
        actor_id: actor,
        action: action.into(),
        subject: "test".into(),
        address: Some("127.0.0.1".into()),
        detail: format!("{action} detail"),
        now,
    }
}

// --- people -----------------------------------------------------------------------------

/// A created person reads back field for field, by id and by email.
pub async fn users_are_created_read_and_found_by_email(store: TestStore) {
    let org = organization(&store, "Acme", false).await;
    let first = group(&store, "Service Desk").await;
    let second = group(&store, "Network").await;
    let mut new = new_user("Ana.Silva@Example.com", "Ana Silva", Role::Agent);
    new.organization_id = Some(org.id);
    new.phone = Some("+47 555 01 234".into());
    new.location = Some("Oslo, floor 3".into());
    new.employee_id = Some("E-1001".into());
    new.group_ids = vec![second.id, first.id, second.id];
    new.password_hash = Some("$argon2id$hash".into());
    let created = store.create_user(new.clone()).await.unwrap();
    assert_eq!(created.email.as_str(), "Ana.Silva@example.com");
    assert_eq!(created.group_ids, vec![first.id, second.id]);
    assert!(created.is_active);
    assert_eq!(created.created_at, at(0));

    let read = store.get_user(created.id).await.unwrap();
    assert_eq!(read, created);
    let other = user(&store, "bo@example.com", Role::Customer).await;
    let many = store
        .get_users(&[other.id, created.id, UserId(99_999), other.id])
        .await
        .unwrap();
    assert_eq!(
        many,
        vec![created.clone(), other],
        "by ids: each once, in id order, a missing id left out"
    );
    let found = store
        .find_user_by_email(&email("Ana.Silva@example.com"))
        .await
        .unwrap();
    assert_eq!(found, Some(created.clone()));
    assert_eq!(
        store
            .find_user_by_email(&email("nobody@example.com"))
            .await
            .unwrap(),
        None
    );
    let missing = store.get_user(UserId(created.id.get() + 1000)).await;
    assert!(matches!(missing, Err(StoreError::NotFound { .. })));
}

/// Two people cannot share an email, on create or on change.
pub async fn user_email_must_be_unique(store: TestStore) {
    user(&store, "ana@example.com", Role::Customer).await;
    let err = store
        .create_user(new_user("ana@example.com", "Other Ana", Role::Agent))
        .await
        .unwrap_err();
    assert!(is_conflict(&err, "email already in use"), "{err:?}");
    assert_eq!(
        err.conflict_kind(),
        Some(ferrodesk_store::Conflict::Unique("users_email_key")),
        "the constraint is named on every backend"
    );
    let bruno = user(&store, "bruno@example.com", Role::Customer).await;
    let err = store
        .update_user(
            bruno.id,
            UserPatch {
                email: Some(email("ana@example.com")),
                ..UserPatch::default()
            },
            at(5),
        )
        .await
        .unwrap_err();
    assert!(is_conflict(&err, "email already in use"), "{err:?}");
    assert_eq!(store.get_user(bruno.id).await.unwrap(), bruno);
    assert_eq!(store.count_users().await.unwrap(), 2);
}

/// Unknown groups and organizations are reported as not found and create nobody.
pub async fn user_with_unknown_group_or_organization_is_not_found(store: TestStore) {
    let real = group(&store, "Service Desk").await;
    let mut new = new_user("ana@example.com", "Ana", Role::Agent);
    new.group_ids = vec![real.id, GroupId(real.id.get() + 77)];
    let err = store.create_user(new).await.unwrap_err();
    assert!(is_not_found(&err, "group"), "{err:?}");
    assert!(
        is_not_found(&err, &(real.id.get() + 77).to_string()),
        "{err:?}"
    );

    let mut new = new_user("bruno@example.com", "Bruno", Role::Customer);
    new.organization_id = Some(OrganizationId(4242));
    let err = store.create_user(new).await.unwrap_err();
    assert!(is_not_found(&err, "organization 4242"), "{err:?}");
    assert_eq!(store.count_users().await.unwrap(), 0);
    assert!(
        store
            .find_user_by_email(&email("ana@example.com"))
            .await
            .unwrap()
            .is_none()
    );
}

/// A patch changes what it names, clears what it clears, and replaces memberships.
pub async fn user_patch_changes_only_given_fields_and_replaces_groups(store: TestStore) {
    let first = group(&store, "Service Desk").await;
    let second = group(&store, "Network").await;
    let org = organization(&store, "Acme", true).await;
    let mut new = new_user("ana@example.com", "Ana", Role::Agent);
    new.phone = Some("123".into());
    new.group_ids = vec![first.id];
    let ana = store.create_user(new).await.unwrap();

    let changed = store
        .update_user(
            ana.id,
            UserPatch {
                name: Some("Ana Maria".into()),
                role: Some(Role::Supervisor),
                organization_id: Some(Some(org.id)),
                phone: Some(None),
                tier: Some(Some(Tier::new(2).unwrap())),
                group_ids: Some(vec![second.id]),
                is_active: Some(false),
                ..UserPatch::default()
            },
            at(60),
        )
        .await
        .unwrap();
    assert_eq!(changed.name, "Ana Maria");
    assert_eq!(changed.role, Role::Supervisor);
    assert_eq!(changed.organization_id, Some(org.id));
    assert_eq!(changed.phone, None);
    assert_eq!(changed.tier, Some(Tier::new(2).unwrap()));
    assert_eq!(changed.group_ids, vec![second.id]);
    assert!(!changed.is_active);
    assert_eq!(changed.email, ana.email);
    assert_eq!(changed.locale, ana.locale);
    assert_eq!(changed.created_at, ana.created_at);
    assert_eq!(changed.updated_at, at(60));
    assert_eq!(store.get_user(ana.id).await.unwrap(), changed);

    let untouched = store
        .update_user(ana.id, UserPatch::default(), at(61))
        .await
        .unwrap();
    assert_eq!(untouched.group_ids, vec![second.id]);
    let err = store
        .update_user(UserId(9999), UserPatch::default(), at(62))
        .await
        .unwrap_err();
    assert!(is_not_found(&err, "9999"), "{err:?}");
    let err = store
        .update_user(
            ana.id,
            UserPatch {
                group_ids: Some(vec![GroupId(5555)]),
                ..UserPatch::default()
            },
            at(63),
        )
        .await
        .unwrap_err();
    assert!(is_not_found(&err, "group 5555"), "{err:?}");
    assert_eq!(
        store.get_user(ana.id).await.unwrap().group_ids,
        vec![second.id]
    );
}

/// People listings filter by role, organization, group and text, and page by id.
pub async fn users_are_listed_with_filters_and_pages(store: TestStore) {
    let org = organization(&store, "Acme", false).await;
    let desk = group(&store, "Service Desk").await;
    let mut made = Vec::new();
    for i in 0..7 {
        let role = if i % 2 == 0 {
            Role::Customer
        } else {
            Role::Agent
        };
        let mut new = new_user(
            &format!("person{i}@example.com"),
            &format!("Person {i}"),
            role,
        );
        if i < 3 {
            new.organization_id = Some(org.id);
        }
        if role == Role::Agent && i > 2 {
            new.group_ids = vec![desk.id];
        }
        made.push(store.create_user(new).await.unwrap());
    }
    made.push(
        store
            .create_user(new_user(
                "zofia@example.com",
                "Żaneta Łukasik",
                Role::Customer,
            ))
            .await
            .unwrap(),
    );
    let list = |filter: UserFilter| {
        let store = store.clone();
        async move {
            let mut page = PageRequest::first(2);
            let mut seen = Vec::new();
            loop {
                let result = store.list_users(&filter, &page).await.unwrap();
                assert!(result.items.len() <= 2);
                seen.extend(result.items.iter().map(|u| u.id));
                match result.next_cursor {
                    Some(cursor) => page.cursor = Some(cursor),
                    None => break,
                }
            }
            seen
        }
    };
    let expect = |keep: &dyn Fn(&User) -> bool| -> Vec<UserId> {
        made.iter().filter(|u| keep(u)).map(|u| u.id).collect()
    };
    assert_eq!(list(UserFilter::default()).await, expect(&|_| true));
    assert_eq!(
        list(UserFilter {
            role: Some(Role::Agent),
            ..UserFilter::default()
        })
        .await,
        expect(&|u| u.role == Role::Agent)
    );
    assert_eq!(
        list(UserFilter {
            organization_id: Some(org.id),
            ..UserFilter::default()
        })
        .await,
        expect(&|u| u.organization_id == Some(org.id))
    );
    assert_eq!(
        list(UserFilter {
            group_id: Some(desk.id),
            ..UserFilter::default()
        })
        .await,
        expect(&|u| u.group_ids.contains(&desk.id))
    );
    assert_eq!(
        list(UserFilter {
            text: Some("PERSON 3".into()),
            ..UserFilter::default()
        })
        .await,
        expect(&|u| u.name == "Person 3")
    );
    assert_eq!(
        list(UserFilter {
            text: Some("żaneta".into()),
            ..UserFilter::default()
        })
        .await,
        expect(&|u| u.name.starts_with('Ż')),
        "text search is case-insensitive beyond ASCII"
    );
    assert_eq!(
        list(UserFilter {
            text: Some("zofia@".into()),
            role: Some(Role::Customer),
            ..UserFilter::default()
        })
        .await,
        expect(&|u| u.email.as_str().starts_with("zofia"))
    );
    assert!(
        list(UserFilter {
            text: Some("%".into()),
            ..UserFilter::default()
        })
        .await
        .is_empty(),
        "wildcards in the search text are literal"
    );
}

/// People are counted, and password hashes are stored, replaced and guarded.
pub async fn users_are_counted_and_keep_password_hashes(store: TestStore) {
    assert_eq!(store.count_users().await.unwrap(), 0);
    let ana = user(&store, "ana@example.com", Role::Admin).await;
    user(&store, "bruno@example.com", Role::Customer).await;
    assert_eq!(store.count_users().await.unwrap(), 2);
    assert_eq!(store.password_hash(ana.id).await.unwrap(), None);
    store
        .set_password_hash(ana.id, "$argon2id$new", at(10))
        .await
        .unwrap();
    assert_eq!(
        store.password_hash(ana.id).await.unwrap().as_deref(),
        Some("$argon2id$new")
    );
    assert!(matches!(
        store.password_hash(UserId(999)).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.set_password_hash(UserId(999), "x", at(10)).await,
        Err(StoreError::NotFound { .. })
    ));
}

/// Organizations: create, read, change, unique names, listed by name in pages.
pub async fn organizations_are_created_changed_listed_and_unique(store: TestStore) {
    let names = ["Initech", "Acme", "Globex", "Umbrella", "Hooli"];
    let mut made = Vec::new();
    for name in names {
        made.push(organization(&store, name, false).await);
    }
    let err = store
        .create_organization(NewOrganization {
            name: "Acme".into(),
            shares_tickets: true,
            now: at(1),
        })
        .await
        .unwrap_err();
    assert!(is_conflict(&err, "organization name"), "{err:?}");
    assert_eq!(store.get_organization(made[0].id).await.unwrap(), made[0]);
    let changed = store
        .update_organization(
            made[0].id,
            OrganizationPatch {
                name: Some("Initrode".into()),
                shares_tickets: Some(true),
            },
            at(30),
        )
        .await
        .unwrap();
    assert_eq!(changed.name, "Initrode");
    assert!(changed.shares_tickets);
    assert_eq!(changed.updated_at, at(30));
    assert_eq!(store.get_organization(made[0].id).await.unwrap(), changed);
    let err = store
        .update_organization(
            made[1].id,
            OrganizationPatch {
                name: Some("Globex".into()),
                ..OrganizationPatch::default()
            },
            at(31),
        )
        .await
        .unwrap_err();
    assert!(is_conflict(&err, "organization name"), "{err:?}");
    assert!(matches!(
        store.get_organization(OrganizationId(999)).await,
        Err(StoreError::NotFound { .. })
    ));
    let mut page = PageRequest::first(2);
    let mut listed = Vec::new();
    loop {
        let result = store.list_organizations(&page).await.unwrap();
        listed.extend(result.items.into_iter().map(|o| o.name));
        match result.next_cursor {
            Some(cursor) => page.cursor = Some(cursor),
            None => break,
        }
    }
    assert_eq!(
        listed,
        vec!["Acme", "Globex", "Hooli", "Initrode", "Umbrella"]
    );
}

/// Groups: escalation targets must exist, names are unique, listed by tier then name.
pub async fn groups_are_created_changed_listed_and_unique(store: TestStore) {
    let network = store
        .create_group(NewGroup {
            name: "Network".into(),
            tier: Tier::new(2).unwrap(),
            description: "switches and wifi".into(),
            escalates_to: None,
            now: at(0),
        })
        .await
        .unwrap();
    let desk = store
        .create_group(NewGroup {
            name: "Service Desk".into(),
            tier: Tier::FIRST,
            description: "first line".into(),
            escalates_to: Some(network.id),
            now: at(1),
        })
        .await
        .unwrap();
    assert_eq!(store.get_group(desk.id).await.unwrap(), desk);
    let apps = group(&store, "Applications").await;
    let err = store
        .create_group(NewGroup {
            name: "Ghost".into(),
            tier: Tier::FIRST,
            description: String::new(),
            escalates_to: Some(GroupId(999)),
            now: at(2),
        })
        .await
        .unwrap_err();
    assert!(is_not_found(&err, "group 999"), "{err:?}");
    let err = store
        .create_group(NewGroup {
            name: "Network".into(),
            tier: Tier::FIRST,
            description: String::new(),
            escalates_to: None,
            now: at(2),
        })
        .await
        .unwrap_err();
    assert!(is_conflict(&err, "group name"), "{err:?}");
    let names: Vec<String> = store
        .list_groups()
        .await
        .unwrap()
        .into_iter()
        .map(|g| g.name)
        .collect();
    assert_eq!(names, vec!["Applications", "Service Desk", "Network"]);
    let changed = store
        .update_group(
            apps.id,
            GroupPatch {
                tier: Some(Tier::new(3).unwrap()),
                escalates_to: Some(Some(network.id)),
                ..GroupPatch::default()
            },
            at(9),
        )
        .await
        .unwrap();
    assert_eq!(changed.tier, Tier::new(3).unwrap());
    assert_eq!(changed.escalates_to, Some(network.id));
    assert_eq!(changed.name, "Applications");
    assert_eq!(store.get_group(apps.id).await.unwrap(), changed);
    let err = store
        .update_group(
            apps.id,
            GroupPatch {
                name: Some("Network".into()),
                ..GroupPatch::default()
            },
            at(10),
        )
        .await
        .unwrap_err();
    assert!(is_conflict(&err, "group name"), "{err:?}");
    assert!(matches!(
        store
            .update_group(GroupId(999), GroupPatch::default(), at(10))
            .await,
        Err(StoreError::NotFound { .. })
    ));
}

/// Category names are unique among siblings (roots included), not across the tree.
pub async fn categories_are_unique_among_siblings(store: TestStore) {
    let make = |name: &str, parent| NewCategory {
        name: name.into(),
        parent_id: parent,
        now: at(0),
    };
    let hardware = store.create_category(make("Hardware", None)).await.unwrap();
    let software = store.create_category(make("Software", None)).await.unwrap();
    let printer = store
        .create_category(make("Printer", Some(hardware.id)))
        .await
        .unwrap();
    store
        .create_category(make("Printer", Some(software.id)))
        .await
        .unwrap();
    let err = store
        .create_category(make("Printer", Some(hardware.id)))
        .await
        .unwrap_err();
    assert!(is_conflict(&err, "category"), "{err:?}");
    let err = store
        .create_category(make("Hardware", None))
        .await
        .unwrap_err();
    assert!(is_conflict(&err, "category"), "{err:?}");
    let err = store
        .create_category(make("Orphan", Some(ferrodesk_domain::CategoryId(999))))
        .await
        .unwrap_err();
    assert!(is_not_found(&err, "category 999"), "{err:?}");
    assert_eq!(store.get_category(printer.id).await.unwrap(), printer);
    let listed: Vec<(String, Option<_>)> = store
        .list_categories()
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.name, c.parent_id))
        .collect();
    assert_eq!(
        listed,
        vec![
            ("Hardware".to_string(), None),
            ("Printer".to_string(), Some(hardware.id)),
            ("Printer".to_string(), Some(software.id)),
            ("Software".to_string(), None),
        ]
    );
}

/// Services: create, change, unique names, dates survive the round trip.
pub async fn services_are_created_changed_listed_and_unique(store: TestStore) {
    let desk = group(&store, "Service Desk").await;
    let end = jiff::civil::date(2027, 6, 30);
    let mail = store
        .create_service(NewService {
            name: "Mail".into(),
            description: "Exchange".into(),
            owner_group_id: Some(desk.id),
            support_hours: "24/7".into(),
            is_supported: true,
            end_of_support: Some(end),
            now: at(0),
        })
        .await
        .unwrap();
    assert_eq!(store.get_service(mail.id).await.unwrap(), mail);
    let vpn = store
        .create_service(NewService {
            name: "VPN".into(),
            description: String::new(),
            owner_group_id: None,
            support_hours: "Mon-Fri 8-17".into(),
            is_supported: false,
            end_of_support: None,
            now: at(1),
        })
        .await
        .unwrap();
    let err = store
        .create_service(NewService {
            name: "Mail".into(),
            description: String::new(),
            owner_group_id: None,
            support_hours: String::new(),
            is_supported: true,
            end_of_support: None,
            now: at(2),
        })
        .await
        .unwrap_err();
    assert!(is_conflict(&err, "service name"), "{err:?}");
    let err = store
        .create_service(NewService {
            name: "Fax".into(),
            description: String::new(),
            owner_group_id: Some(GroupId(999)),
            support_hours: String::new(),
            is_supported: true,
            end_of_support: None,
            now: at(2),
        })
        .await
        .unwrap_err();
    assert!(is_not_found(&err, "group 999"), "{err:?}");
    let changed = store
        .update_service(
            mail.id,
            ServicePatch {
                is_supported: Some(false),
                end_of_support: Some(None),
                owner_group_id: Some(None),
                ..ServicePatch::default()
            },
            at(20),
        )
        .await
        .unwrap();
    assert!(!changed.is_supported);
    assert_eq!(changed.end_of_support, None);
    assert_eq!(changed.owner_group_id, None);
    assert_eq!(changed.support_hours, "24/7");
    assert_eq!(store.get_service(mail.id).await.unwrap(), changed);
    let names: Vec<String> = store
        .list_services()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, vec!["Mail".to_string(), vpn.name]);
    let err = store
        .update_service(
            vpn.id,
            ServicePatch {
                name: Some("Mail".into()),
                ..ServicePatch::default()
            },
            at(21),
        )
        .await
        .unwrap_err();
    assert!(is_conflict(&err, "service name"), "{err:?}");
}

// --- access -----------------------------------------------------------------------------

/// A live token finds its person as an actor with role, groups and organization.
pub async fn token_finds_its_active_actor_and_is_audited(store: TestStore) {
    let org = organization(&store, "Acme", true).await;
    let desk = group(&store, "Service Desk").await;
    let mut new = new_user("ana@example.com", "Ana", Role::Agent);
    new.group_ids = vec![desk.id];
    let ana = store.create_user(new).await.unwrap();
    let mut new = new_user("carla@example.com", "Carla", Role::Customer);
    new.organization_id = Some(org.id);
    let carla = store.create_user(new).await.unwrap();

    let token = store
        .create_token(
            NewToken {
                user_id: ana.id,
                name: "ci".into(),
                token_hash: "a".repeat(64),
                expires_at: Some(at(3600)),
                now: at(0),
            },
            audit("token_created", Some(ana.id), at(0)),
        )
        .await
        .unwrap();
    assert_eq!(token.user_id, ana.id);
    assert_eq!(token.revoked_at, None);
    assert_eq!(store.get_token(token.id).await.unwrap(), token);
    let (actor, token_id) = store
        .find_actor_by_token(&"a".repeat(64), at(10))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(token_id, token.id);
    assert_eq!(actor.user_id, ana.id);
    assert_eq!(actor.role, Role::Agent);
    assert_eq!(actor.group_ids, vec![desk.id]);
    assert_eq!(actor.organization_id, None);
    assert!(!actor.organization_shares_tickets);

    let second = store
        .create_token(
            NewToken {
                user_id: carla.id,
                name: "portal".into(),
                token_hash: "b".repeat(64),
                expires_at: None,
                now: at(5),
            },
            audit("token_created", Some(carla.id), at(5)),
        )
        .await
        .unwrap();
    let (actor, _) = store
        .find_actor_by_token(&"b".repeat(64), at(10))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(actor.organization_id, Some(org.id));
    assert!(actor.organization_shares_tickets);
    assert!(actor.group_ids.is_empty());
    assert_eq!(
        store.actor_for_user(carla.id).await.unwrap(),
        actor,
        "actor_for_user builds the same actor"
    );
    assert!(matches!(
        store.actor_for_user(UserId(999)).await,
        Err(StoreError::NotFound { .. })
    ));

    let all: Vec<TokenId> = store
        .list_tokens(None)
        .await
        .unwrap()
        .iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(all, vec![second.id, token.id], "newest first");
    let mine: Vec<TokenId> = store
        .list_tokens(Some(ana.id))
        .await
        .unwrap()
        .iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(mine, vec![token.id]);
    let err = store
        .create_token(
            NewToken {
                user_id: UserId(999),
                name: "ghost".into(),
                token_hash: "c".repeat(64),
                expires_at: None,
                now: at(6),
            },
            audit("token_created", None, at(6)),
        )
        .await
        .unwrap_err();
    assert!(is_not_found(&err, "user 999"), "{err:?}");
    let log = store.list_audit(&PageRequest::first(10)).await.unwrap();
    assert_eq!(log.items.len(), 2, "the failed create audited nothing");
    assert!(log.items.iter().all(|e| e.action == "token_created"));
}

/// Revoked and expired tokens, and tokens of inactive people, find nobody.
pub async fn revoked_expired_and_inactive_tokens_find_nobody(store: TestStore) {
    let ana = user(&store, "ana@example.com", Role::Agent).await;
    let bruno = user(&store, "bruno@example.com", Role::Agent).await;
    let make = |owner: UserId, hash: char, expires: Option<Timestamp>| NewToken {
        user_id: owner,
        name: format!("token {hash}"),
        token_hash: hash.to_string().repeat(64),
        expires_at: expires,
        now: at(0),
    };
    let revoked = store
        .create_token(make(ana.id, 'a', None), audit("token_created", None, at(0)))
        .await
        .unwrap();
    store
        .create_token(
            make(ana.id, 'b', Some(at(100))),
            audit("token_created", None, at(0)),
        )
        .await
        .unwrap();
    store
        .create_token(
            make(bruno.id, 'c', None),
            audit("token_created", None, at(0)),
        )
        .await
        .unwrap();
    let find = |hash: char, now: Timestamp| {
        let store = store.clone();
        async move {
            store
                .find_actor_by_token(&hash.to_string().repeat(64), now)
                .await
                .unwrap()
        }
    };
    assert!(find('a', at(10)).await.is_some());
    let first = store
        .revoke_token(revoked.id, at(20), audit("token_revoked", None, at(20)))
        .await
        .unwrap();
    assert_eq!(first.revoked_at, Some(at(20)));
    let again = store
        .revoke_token(revoked.id, at(30), audit("token_revoked", None, at(30)))
        .await
        .unwrap();
    assert_eq!(again.revoked_at, Some(at(20)), "revoking is idempotent");
    assert!(find('a', at(21)).await.is_none());

    assert!(find('b', at(99)).await.is_some());
    assert!(find('b', at(100)).await.is_none(), "expired at its expiry");
    assert!(find('b', at(500)).await.is_none());

    assert!(find('c', at(10)).await.is_some());
    store
        .update_user(
            bruno.id,
            UserPatch {
                is_active: Some(false),
                ..UserPatch::default()
            },
            at(11),
        )
        .await
        .unwrap();
    assert!(find('c', at(12)).await.is_none(), "inactive people are out");
    assert!(find('z', at(12)).await.is_none());
    assert!(matches!(
        store
            .revoke_token(TokenId(999), at(40), audit("token_revoked", None, at(40)))
            .await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.get_token(TokenId(999)).await,
        Err(StoreError::NotFound { .. })
    ));
}

/// A session finds its actor and CSRF secret until it expires or is deleted.
pub async fn sessions_find_their_actor_until_they_end(store: TestStore) {
    let desk = group(&store, "Service Desk").await;
    let mut new = new_user("ana@example.com", "Ana", Role::Supervisor);
    new.group_ids = vec![desk.id];
    let ana = store.create_user(new).await.unwrap();
    let session = NewSession {
        session_hash: "s".repeat(64),
        user_id: ana.id,
        csrf_secret: "csrf-secret".into(),
        expires_at: at(3600),
        now: at(0),
    };
    store.create_session(session.clone()).await.unwrap();
    let (actor, info) = store
        .find_actor_by_session(&session.session_hash, at(10))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(actor.user_id, ana.id);
    assert_eq!(actor.role, Role::Supervisor);
    assert_eq!(actor.group_ids, vec![desk.id]);
    assert_eq!(info.csrf_secret, "csrf-secret");
    assert_eq!(info.expires_at, at(3600));
    assert!(
        store
            .find_actor_by_session(&session.session_hash, at(3600))
            .await
            .unwrap()
            .is_none()
    );
    let err = store.create_session(session.clone()).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    let err = store
        .create_session(NewSession {
            session_hash: "t".repeat(64),
            user_id: UserId(999),
            ..session.clone()
        })
        .await
        .unwrap_err();
    assert!(is_not_found(&err, "user 999"), "{err:?}");

    store.delete_session(&session.session_hash).await.unwrap();
    store.delete_session(&session.session_hash).await.unwrap();
    assert!(
        store
            .find_actor_by_session(&session.session_hash, at(10))
            .await
            .unwrap()
            .is_none()
    );

    let other = NewSession {
        session_hash: "u".repeat(64),
        ..session
    };
    store.create_session(other.clone()).await.unwrap();
    store
        .update_user(
            ana.id,
            UserPatch {
                is_active: Some(false),
                ..UserPatch::default()
            },
            at(20),
        )
        .await
        .unwrap();
    assert!(
        store
            .find_actor_by_session(&other.session_hash, at(21))
            .await
            .unwrap()
            .is_none()
    );
}

/// Failed sign-ins are counted per key from a point in time, and cleared.
pub async fn login_failures_are_counted_since_and_cleared(store: TestStore) {
    let keys = vec!["account:ana@example.com".to_string(), "ip:10.0.0.1".into()];
    store.record_login_failure(&keys, at(0)).await.unwrap();
    store.record_login_failure(&keys, at(60)).await.unwrap();
    store
        .record_login_failure(&keys[1..], at(120))
        .await
        .unwrap();
    assert_eq!(
        store.count_login_failures(&keys[0], at(0)).await.unwrap(),
        2
    );
    assert_eq!(
        store.count_login_failures(&keys[0], at(30)).await.unwrap(),
        1
    );
    assert_eq!(
        store.count_login_failures(&keys[1], at(0)).await.unwrap(),
        3
    );
    assert_eq!(
        store
            .count_login_failures("account:other", at(0))
            .await
            .unwrap(),
        0
    );
    store.clear_login_failures(&keys[0]).await.unwrap();
    assert_eq!(
        store.count_login_failures(&keys[0], at(0)).await.unwrap(),
        0
    );
    assert_eq!(
        store.count_login_failures(&keys[1], at(0)).await.unwrap(),
        3
    );
}

/// The audit log reads newest first, in pages that together hold every entry once.
pub async fn audit_log_lists_newest_first_in_pages(store: TestStore) {
    let ana = user(&store, "ana@example.com", Role::Admin).await;
    for i in 0..7 {
        let mut entry = audit(&format!("action{i}"), Some(ana.id), at(i));
        if i == 3 {
            entry.actor_id = None;
            entry.address = None;
        }
        store.append_audit(entry).await.unwrap();
    }
    let mut page = PageRequest::first(3);
    let mut actions = Vec::new();
    let mut entries = Vec::new();
    loop {
        let result = store.list_audit(&page).await.unwrap();
        assert!(result.items.len() <= 3);
        actions.extend(result.items.iter().map(|e| e.action.clone()));
        entries.extend(result.items);
        match result.next_cursor {
            Some(cursor) => page.cursor = Some(cursor),
            None => break,
        }
    }
    let expected: Vec<String> = (0..7).rev().map(|i| format!("action{i}")).collect();
    assert_eq!(actions, expected);
    let anonymous = entries.iter().find(|e| e.action == "action3").unwrap();
    assert_eq!(anonymous.actor_id, None);
    assert_eq!(anonymous.address, None);
    assert_eq!(anonymous.created_at, at(3));
    let first = entries.iter().find(|e| e.action == "action0").unwrap();
    assert_eq!(first.actor_id, Some(ana.id));
    assert_eq!(first.detail, "action0 detail");
    assert!(entries.windows(2).all(|w| w[0].id > w[1].id));
}

// --- tickets ------------------------------------------------------------------------------

/// The first ticket is #10001; numbers increase; missing tickets are not found.
pub async fn ticket_numbers_start_at_10001_and_missing_tickets_are_not_found(store: TestStore) {
    let carla = user(&store, "carla@example.com", Role::Customer).await;
    let mut first = ticket(&carla, "Printer jams", at(0));
    first.tags = vec!["printer".into(), "floor-3".into()];
    first.version = 42;
    first.id = TicketId(5);
    let created = create(&store, first.clone()).await;
    assert_eq!(created.id, TicketId(10001));
    assert_eq!(created.version, 1, "the store assigns the version");
    let read = store.get_ticket(created.id).await.unwrap();
    assert_eq!(read, created);
    assert_eq!(read.tags, first.tags);
    let second = create(&store, ticket(&carla, "VPN down", at(1))).await;
    assert_eq!(second.id, TicketId(10002));
    let err = store.get_ticket(TicketId(10003)).await.unwrap_err();
    assert!(is_not_found(&err, "10003"), "{err:?}");
    let both = store
        .get_tickets(&[TicketId(10003), second.id, created.id, second.id])
        .await
        .unwrap();
    assert_eq!(ids(&both), vec![created.id, second.id]);
    assert!(store.get_tickets(&[]).await.unwrap().is_empty());
    let events = store
        .list_events(created.id, true, &EventPage::default())
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0].kind,
        EventKind::Created {
            subject: "Printer jams".into()
        }
    );
    assert_eq!(events[0].ticket_id, created.id);
    assert_eq!(store.get_event(events[0].id).await.unwrap(), events[0]);
}

/// A ticket referring to a missing row is refused as not found, and nothing is written.
pub async fn ticket_with_unknown_reference_is_not_found_and_writes_nothing(store: TestStore) {
    let carla = user(&store, "carla@example.com", Role::Customer).await;
    let mut bad = ticket(&carla, "Ghost group", at(0));
    bad.group_id = Some(GroupId(999));
    let err = store.create_ticket(new_ticket(bad)).await.unwrap_err();
    assert!(is_not_found(&err, "group 999"), "{err:?}");
    let mut bad = ticket(&carla, "Ghost requester", at(0));
    bad.requester_id = UserId(888);
    let err = store.create_ticket(new_ticket(bad)).await.unwrap_err();
    assert!(is_not_found(&err, "user 888"), "{err:?}");
    let mut linked = new_ticket(ticket(&carla, "Ghost link", at(0)));
    linked.links = vec![(LinkKind::Related, TicketId(77777))];
    let err = store.create_ticket(linked).await.unwrap_err();
    assert!(is_not_found(&err, "ticket 77777"), "{err:?}");
    assert!(all_tickets(&store).await.is_empty());
    assert_eq!(store.queue_counts().await.unwrap(), QueueCounts::default());
    let good = create(&store, ticket(&carla, "Real", at(1))).await;
    assert_eq!(ids(&all_tickets(&store).await), vec![good.id]);
}

/// A save writes the new fields at version + 1 (whatever the caller put there) with
/// its events, and later reads see it.
pub async fn saving_a_ticket_bumps_its_version_and_appends_events(store: TestStore) {
    let carla = user(&store, "carla@example.com", Role::Customer).await;
    let ana = user(&store, "ana@example.com", Role::Agent).await;
    let desk = group(&store, "Service Desk").await;
    let original = create(&store, ticket(&carla, "Printer jams", at(0))).await;
    let saved = store
        .save_tickets(write(vec![change(
            &original,
            |t| {
                t.status = TicketStatus::Open;
                t.group_id = Some(desk.id);
                t.assignee_id = Some(ana.id);
                t.subject = "Printer jams on floor 3".into();
                t.tags = vec!["printer".into()];
                t.updated_at = at(60);
                t.version = 999;
            },
            vec![
                NewEvent::new(
                    EventKind::StatusChanged {
                        from: TicketStatus::New,
                        to: TicketStatus::Open,
                    },
                    Some(ana.id),
                    Channel::Agent,
                    at(60),
                ),
                note(&ana, "taking it", at(60)),
            ],
        )]))
        .await
        .unwrap();
    let Created::New(events) = saved else {
        panic!("no key, no replay")
    };
    assert_eq!(events.len(), 2);
    assert!(events[0].id < events[1].id);
    assert!(events.iter().all(|e| e.ticket_id == original.id));
    let read = store.get_ticket(original.id).await.unwrap();
    assert_eq!(read.version, 2);
    assert_eq!(read.status, TicketStatus::Open);
    assert_eq!(read.assignee_id, Some(ana.id));
    assert_eq!(read.subject, "Printer jams on floor 3");
    assert_eq!(read.updated_at, at(60));
    let timeline = store
        .list_events(original.id, true, &EventPage::default())
        .await
        .unwrap();
    assert_eq!(timeline.len(), 3);
    assert_eq!(timeline[1..], events[..]);
    let again = store
        .save_tickets(write(vec![change(
            &read,
            |t| t.priority = Priority::P2,
            vec![],
        )]))
        .await
        .unwrap();
    assert!(matches!(again, Created::New(ref e) if e.is_empty()));
    assert_eq!(store.get_ticket(original.id).await.unwrap().version, 3);
    let mut ghost = read.clone();
    ghost.id = TicketId(55555);
    let err = store
        .save_tickets(write(vec![change(&ghost, |_| {}, vec![])]))
        .await
        .unwrap_err();
    assert!(is_not_found(&err, "55555"), "{err:?}");
}

/// A save against an old version fails as a conflict and writes nothing: no field,
/// no event, no link, no count, not even the other tickets' changes.
pub async fn stale_save_is_a_conflict_and_writes_nothing(store: TestStore) {
    let carla = user(&store, "carla@example.com", Role::Customer).await;
    let ana = user(&store, "ana@example.com", Role::Agent).await;
    let first = create(&store, ticket(&carla, "First", at(0))).await;
    let second = create(&store, ticket(&carla, "Second", at(1))).await;
    store
        .save_tickets(write(vec![change(
            &second,
            |t| t.subject = "Second, changed".into(),
            vec![],
        )]))
        .await
        .unwrap();
    let counts = store.queue_counts().await.unwrap();
    let before = all_tickets(&store).await;
    let mut stale = write(vec![
        change(
            &first,
            |t| {
                t.status = TicketStatus::Open;
                t.assignee_id = Some(ana.id);
            },
            vec![note(&ana, "first", at(5))],
        ),
        change(
            &second,
            |t| t.status = TicketStatus::Resolved,
            vec![note(&ana, "second", at(5))],
        ),
    ]);
    stale.links = vec![NewLink {
        source: first.id,
        kind: LinkKind::Related,
        target: second.id,
        actor_id: Some(ana.id),
        now: at(5),
    }];
    let err = store.save_tickets(stale).await.unwrap_err();
    assert!(
        is_conflict(&err, "#10002 was changed by someone else"),
        "{err:?}"
    );
    assert_eq!(err.conflict_kind(), Some(ferrodesk_store::Conflict::Stale));
    assert_eq!(all_tickets(&store).await, before);
    assert_eq!(store.queue_counts().await.unwrap(), counts);
    for id in [first.id, second.id] {
        let events = store
            .list_events(id, true, &EventPage::default())
            .await
            .unwrap();
        assert_eq!(events.len(), 1, "only the created event");
        assert!(store.list_links(id).await.unwrap().is_empty());
    }
}

fn key(actor: &User, key: &str, fingerprint: &str) -> Option<Idempotency> {
    Some(Idempotency {
        actor_id: actor.id,
        key: key.into(),
        fingerprint: fingerprint.into(),
    })
}

/// A create retried with the same key and request returns the first ticket and writes
/// nothing; the same key with another request is a conflict.
pub async fn idempotent_create_replays_and_refuses_a_different_request(store: TestStore) {
    let carla = user(&store, "carla@example.com", Role::Customer).await;
    let dora = user(&store, "dora@example.com", Role::Customer).await;
    let mut request = new_ticket(ticket(&carla, "Printer jams", at(0)));
    request.idempotency = key(&carla, "retry-1", "fp-a");
    let first = store.create_ticket(request.clone()).await.unwrap();
    assert!(!first.is_replayed());
    let first = first.into_inner();
    let counts = store.queue_counts().await.unwrap();
    let replay = store.create_ticket(request.clone()).await.unwrap();
    assert!(replay.is_replayed());
    assert_eq!(replay.into_inner(), first);
    assert_eq!(ids(&all_tickets(&store).await), vec![first.id]);
    assert_eq!(store.queue_counts().await.unwrap(), counts);
    assert_eq!(
        store
            .list_events(first.id, true, &EventPage::default())
            .await
            .unwrap()
            .len(),
        1
    );
    let mut different = request.clone();
    different.idempotency = key(&carla, "retry-1", "fp-b");
    different.ticket.subject = "Something else".into();
    let err = store.create_ticket(different).await.unwrap_err();
    assert!(
        is_conflict(
            &err,
            "idempotency key was already used for a different request"
        ),
        "{err:?}"
    );
    let mut other_actor = request.clone();
    other_actor.ticket.requester_id = dora.id;
    other_actor.idempotency = key(&dora, "retry-1", "fp-a");
    let theirs = store.create_ticket(other_actor).await.unwrap();
    assert!(!theirs.is_replayed(), "keys are per actor");
    assert_eq!(all_tickets(&store).await.len(), 2);
    // A failed request does not use up its key.
    let mut failing = new_ticket(ticket(&carla, "Ghost", at(3)));
    failing.ticket.group_id = Some(GroupId(999));
    failing.idempotency = key(&carla, "retry-2", "fp-c");
    assert!(store.create_ticket(failing.clone()).await.is_err());
    failing.ticket.group_id = None;
    let fixed = store.create_ticket(failing).await.unwrap();
    assert!(!fixed.is_replayed());
}

/// Saves and appended events replay their first result under the same key.
pub async fn idempotent_save_and_append_replay(store: TestStore) {
    let carla = user(&store, "carla@example.com", Role::Customer).await;
    let ana = user(&store, "ana@example.com", Role::Agent).await;
    let original = create(&store, ticket(&carla, "Printer jams", at(0))).await;
    let mut request = write(vec![change(
        &original,
        |t| t.status = TicketStatus::Open,
        vec![note(&ana, "one", at(5)), note(&ana, "two", at(5))],
    )]);
    request.idempotency = key(&ana, "save-1", "fp-save");
    let first = store.save_tickets(request.clone()).await.unwrap();
    assert!(!first.is_replayed());
    let replay = store.save_tickets(request.clone()).await.unwrap();
    assert!(replay.is_replayed(), "not a version conflict: a replay");
    assert_eq!(replay.into_inner(), first.into_inner());
    assert_eq!(store.get_ticket(original.id).await.unwrap().version, 2);

    let append = EventAppend {
        ticket_id: original.id,
        event: reply(&ana, "hello", at(9)),
        marks_first_response: true,
        idempotency: key(&ana, "reply-1", "fp-reply"),
        notices: Vec::new(),
    };
    let event = store.append_event(append.clone()).await.unwrap();
    assert!(!event.is_replayed());
    let again = store.append_event(append.clone()).await.unwrap();
    assert!(again.is_replayed());
    assert_eq!(again.into_inner(), event.into_inner());
    assert_eq!(store.get_ticket(original.id).await.unwrap().version, 3);
    let err = store
        .append_event(EventAppend {
            idempotency: key(&ana, "reply-1", "fp-other"),
            ..append
        })
        .await
        .unwrap_err();
    assert!(is_conflict(&err, "idempotency key"), "{err:?}");
    assert_eq!(
        err.conflict_kind(),
        Some(ferrodesk_store::Conflict::IdempotencyKeyReused)
    );
    assert_eq!(
        store
            .list_events(original.id, true, &EventPage::default())
            .await
            .unwrap()
            .len(),
        4
    );
}

/// A split writes the parts, their `split_from` links and the original's `split_into`
/// events together; against a stale original it writes nothing.
pub async fn split_creates_linked_parts_atomically(store: TestStore) {
    let carla = user(&store, "carla@example.com", Role::Customer).await;
    let ana = user(&store, "ana@example.com", Role::Agent).await;
    let desk = group(&store, "Service Desk").await;
    let mut original = ticket(&carla, "Printer and VPN broken", at(0));
    original.group_id = Some(desk.id);
    let original = create(&store, original).await;
    let part = |subject: &str| {
        let mut t = ticket(&carla, subject, at(30));
        t.group_id = Some(desk.id);
        let events = vec![created_event(&t)];
        plain_new_ticket(t, events)
    };
    let split = TicketSplit {
        original: change(
            &original,
            |t| t.subject = "Printer broken".into(),
            vec![note(&ana, "splitting", at(30))],
        ),
        parts: vec![part("VPN broken"), part("Monitor flickers")],
        actor_id: Some(ana.id),
        channel: Channel::Agent,
        now: at(30),
    };
    let parts = store.split_ticket(split.clone()).await.unwrap();
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[0].subject, "VPN broken");
    assert!(parts.iter().all(|p| p.id > original.id && p.version == 1));
    for p in &parts {
        assert_eq!(store.get_ticket(p.id).await.unwrap(), *p);
        let links = store.list_links(p.id).await.unwrap();
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].kind, LinkKind::SplitFrom);
        assert_eq!(links[0].other, original.id);
        assert!(links[0].is_source);
        assert_eq!(
            store
                .list_events(p.id, true, &EventPage::default())
                .await
                .unwrap()
                .len(),
            1
        );
    }
    let read = store.get_ticket(original.id).await.unwrap();
    assert_eq!(read.version, 2);
    assert_eq!(read.subject, "Printer broken");
    let timeline = store
        .list_events(original.id, true, &EventPage::default())
        .await
        .unwrap();
    let split_into: Vec<(TicketId, Option<UserId>, Channel, Timestamp, Visibility)> = timeline
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::SplitInto { other } => {
                Some((other, e.actor_id, e.channel, e.created_at, e.visibility))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        split_into,
        parts
            .iter()
            .map(|p| (
                p.id,
                Some(ana.id),
                Channel::Agent,
                at(30),
                Visibility::Internal
            ))
            .collect::<Vec<_>>()
    );
    assert_eq!(store.list_links(original.id).await.unwrap().len(), 2);
    let counts = store.queue_counts().await.unwrap();
    assert_eq!(counts.open_by_group.get(&Some(desk.id)), Some(&3));

    // The same split again is against version 1 of the original: nothing happens.
    let before = all_tickets(&store).await;
    let err = store.split_ticket(split).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    assert_eq!(all_tickets(&store).await, before);
    assert_eq!(store.queue_counts().await.unwrap(), counts);
    assert_eq!(
        store
            .list_events(original.id, true, &EventPage::default())
            .await
            .unwrap(),
        timeline
    );
}

/// A link is stored once and seen from both tickets with the other's subject and status.
pub async fn links_are_seen_from_both_tickets(store: TestStore) {
    let carla = user(&store, "carla@example.com", Role::Customer).await;
    let ana = user(&store, "ana@example.com", Role::Agent).await;
    let problem = create(&store, ticket(&carla, "Mail server flaky", at(0))).await;
    let incident = create(&store, ticket(&carla, "Cannot send mail", at(1))).await;
    let duplicate = create(&store, ticket(&carla, "Mail broken", at(2))).await;
    let mut request = write(vec![change(
        &problem,
        |t| {
            t.status = TicketStatus::Open;
            t.ticket_type = TicketType::Problem;
        },
        vec![],
    )]);
    request.links = vec![
        NewLink {
            source: incident.id,
            kind: LinkKind::CausedBy,
            target: problem.id,
            actor_id: Some(ana.id),
            now: at(10),
        },
        NewLink {
            source: duplicate.id,
            kind: LinkKind::DuplicateOf,
            target: incident.id,
            actor_id: Some(ana.id),
            now: at(11),
        },
    ];
    store.save_tickets(request.clone()).await.unwrap();
    let from_incident = store.list_links(incident.id).await.unwrap();
    assert_eq!(from_incident.len(), 2);
    let caused_by = from_incident
        .iter()
        .find(|l| l.kind == LinkKind::CausedBy)
        .unwrap();
    assert_eq!(caused_by.ticket_id, incident.id);
    assert_eq!(caused_by.other, problem.id);
    assert!(caused_by.is_source);
    assert_eq!(caused_by.other_subject, "Mail server flaky");
    assert_eq!(caused_by.other_status, TicketStatus::Open);
    assert_eq!(caused_by.created_at, at(10));
    let duplicated = from_incident
        .iter()
        .find(|l| l.kind == LinkKind::DuplicateOf)
        .unwrap();
    assert_eq!(duplicated.other, duplicate.id);
    assert!(!duplicated.is_source);
    assert_eq!(duplicated.other_status, TicketStatus::New);
    let from_problem = store.list_links(problem.id).await.unwrap();
    assert_eq!(from_problem.len(), 1);
    assert_eq!(from_problem[0].other, incident.id);
    assert!(!from_problem[0].is_source);
    assert_eq!(from_problem[0].other_subject, "Cannot send mail");

    let problem_now = store.get_ticket(problem.id).await.unwrap();
    let mut again = write(vec![change(&problem_now, |_| {}, vec![])]);
    again.links = request.links[..1].to_vec();
    let err = store.save_tickets(again).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    assert_eq!(
        store.get_ticket(problem.id).await.unwrap().version,
        problem_now.version
    );
    let mut ghost = write(vec![]);
    ghost.links = vec![NewLink {
        source: incident.id,
        kind: LinkKind::Related,
        target: TicketId(99999),
        actor_id: None,
        now: at(12),
    }];
    let err = store.save_tickets(ghost).await.unwrap_err();
    assert!(is_not_found(&err, "ticket 99999"), "{err:?}");
}

/// Open children are the `parent_of` targets that are not resolved or closed.
pub async fn open_children_are_unresolved_parent_of_targets(store: TestStore) {
    let carla = user(&store, "carla@example.com", Role::Customer).await;
    let parent = create(&store, ticket(&carla, "Onboard Dora", at(0))).await;
    let mut children = Vec::new();
    for (i, subject) in ["Laptop", "Account", "Badge"].iter().enumerate() {
        let mut request = new_ticket(ticket(&carla, subject, at(1 + i as i64)));
        request.links = vec![(LinkKind::Related, parent.id)];
        children.push(store.create_ticket(request).await.unwrap().into_inner());
    }
    let mut request = write(vec![]);
    request.links = children
        .iter()
        .map(|c| NewLink {
            source: parent.id,
            kind: LinkKind::ParentOf,
            target: c.id,
            actor_id: None,
            now: at(10),
        })
        .collect();
    store.save_tickets(request).await.unwrap();
    assert_eq!(
        store.open_children(parent.id).await.unwrap(),
        ids(&children)
    );
    store
        .save_tickets(write(vec![change(
            &children[1],
            |t| t.status = TicketStatus::Resolved,
            vec![],
        )]))
        .await
        .unwrap();
    assert_eq!(
        store.open_children(parent.id).await.unwrap(),
        vec![children[0].id, children[2].id]
    );
    assert!(
        store
            .open_children(children[0].id)
            .await
            .unwrap()
            .is_empty(),
        "a related link or the child side is not a parent"
    );
}

/// A small desk with varied tickets for listing tests.
struct Listing {
    tickets: Vec<Ticket>,
    agent: User,
    other_agent: User,
    customer: User,
    colleague: User,
    outsider: User,
    first_group: GroupId,
    second_group: GroupId,
    organization: OrganizationId,
    category: ferrodesk_domain::CategoryId,
    service: ferrodesk_domain::ServiceId,
}

async fn listing(store: &TestStore) -> Listing {
    let org = organization(store, "Acme", true).await;
    let other_org = organization(store, "Globex", false).await;
    let first_group = group(store, "Service Desk").await.id;
    let second_group = group(store, "Network").await.id;
    let mut new = new_user("agent@example.com", "Agent", Role::Agent);
    new.group_ids = vec![first_group];
    let agent = store.create_user(new).await.unwrap();
    let other_agent = user(store, "other@example.com", Role::Agent).await;
    let mut new = new_user("carla@example.com", "Carla", Role::Customer);
    new.organization_id = Some(org.id);
    let customer = store.create_user(new).await.unwrap();
    let mut new = new_user("dora@example.com", "Dora", Role::Customer);
    new.organization_id = Some(org.id);
    let colleague = store.create_user(new).await.unwrap();
    let mut new = new_user("olaf@example.com", "Olaf", Role::Customer);
    new.organization_id = Some(other_org.id);
    let outsider = store.create_user(new).await.unwrap();
    let category = store
        .create_category(NewCategory {
            name: "Hardware".into(),
            parent_id: None,
            now: at(0),
        })
        .await
        .unwrap()
        .id;
    let service = store
        .create_service(NewService {
            name: "Mail".into(),
            description: String::new(),
            owner_group_id: None,
            support_hours: String::new(),
            is_supported: true,
            end_of_support: None,
            now: at(0),
        })
        .await
        .unwrap()
        .id;
    let subjects = [
        "Printer jams",
        "VPN down",
        "Ärger mit Outlook",
        "100% CPU on build_server",
        "Printer out of toner",
        "New laptop",
        "Password reset",
        "Wifi slow",
        "Badge not working",
        "Mail bounce",
        "Printer offline",
        "Monitor flickers",
    ];
    let statuses = [
        TicketStatus::New,
        TicketStatus::Open,
        TicketStatus::PendingCustomer,
        TicketStatus::Resolved,
        TicketStatus::Closed,
        TicketStatus::PendingVendor,
    ];
    let priorities = [Priority::P1, Priority::P2, Priority::P3, Priority::P4];
    let channels = [Channel::Email, Channel::Portal, Channel::Phone];
    let mut tickets = Vec::new();
    for (i, subject) in subjects.iter().enumerate() {
        let n = i as i64;
        let requester = match i % 4 {
            0 | 1 => &customer,
            2 => &colleague,
            _ => &outsider,
        };
        // Times repeat so the id must break ties.
        let mut t = ticket(requester, subject, at(100 * (n % 5)));
        t.updated_at = at(1000 + 10 * ((n * 7) % 4));
        t.status = statuses[i % statuses.len()];
        t.priority = priorities[(i * 3) % priorities.len()];
        t.channel = channels[i % channels.len()];
        t.group_id = match i % 3 {
            0 => Some(first_group),
            1 => Some(second_group),
            _ => None,
        };
        t.assignee_id = match i % 4 {
            1 => Some(agent.id),
            2 => Some(other_agent.id),
            _ => None,
        };
        t.owner_id = (i % 5 == 4).then_some(agent.id);
        t.category_id = (i % 2 == 0).then_some(category);
        t.service_id = (i % 3 == 1).then_some(service);
        t.ticket_type = if i % 3 == 2 {
            TicketType::Question
        } else {
            TicketType::Incident
        };
        t.tags = match i % 4 {
            0 => vec!["vpn".into(), "Printer".into()],
            1 => vec!["printer".into()],
            _ => vec![],
        };
        tickets.push(create(store, t).await);
    }
    Listing {
        tickets,
        agent,
        other_agent,
        customer,
        colleague,
        outsider,
        first_group,
        second_group,
        organization: org.id,
        category,
        service,
    }
}

async fn list_all(
    store: &TestStore,
    scope: &TicketScope,
    filter: TicketFilter,
    sort: TicketSort,
) -> Vec<TicketId> {
    let mut query = TicketQuery {
        filter,
        sort,
        page: PageRequest::first(5),
    };
    let mut seen = Vec::new();
    for _ in 0..1000 {
        let page = store.list_tickets(scope, &query).await.unwrap();
        assert!(page.items.len() <= 5);
        seen.extend(page.items.iter().map(|t| t.id));
        match page.next_cursor {
            Some(cursor) => {
                let text = cursor.encode();
                query.page.cursor = Some(Cursor::decode(&text).unwrap());
            }
            None => return seen,
        }
    }
    panic!("pagination never ended");
}

fn sorted(tickets: &[&Ticket], sort: TicketSort) -> Vec<TicketId> {
    let mut list: Vec<&Ticket> = tickets.to_vec();
    match sort {
        TicketSort::UpdatedDesc => list.sort_by_key(|t| std::cmp::Reverse((t.updated_at, t.id))),
        TicketSort::UpdatedAsc => list.sort_by_key(|t| (t.updated_at, t.id)),
        TicketSort::CreatedDesc => list.sort_by_key(|t| std::cmp::Reverse((t.created_at, t.id))),
        TicketSort::CreatedAsc => list.sort_by_key(|t| (t.created_at, t.id)),
        TicketSort::PriorityDesc => list.sort_by_key(|t| (t.priority.rank(), t.created_at, t.id)),
        TicketSort::IdDesc => list.sort_by_key(|t| std::cmp::Reverse(t.id)),
    }
    list.into_iter().map(|t| t.id).collect()
}

const SORTS: [TicketSort; 6] = [
    TicketSort::UpdatedDesc,
    TicketSort::UpdatedAsc,
    TicketSort::CreatedDesc,
    TicketSort::CreatedAsc,
    TicketSort::PriorityDesc,
    TicketSort::IdDesc,
];

/// The work queue's filters (type, tag, time ranges) keep exactly the tickets they
/// name, alone and with the others.
async fn queue_filters_each_narrow_the_listing(store: &TestStore, desk: &Listing) {
    let check = |filter: TicketFilter, keep: &dyn Fn(&Ticket) -> bool, label: &str| {
        let expected: Vec<TicketId> = sorted(
            &desk.tickets.iter().filter(|t| keep(t)).collect::<Vec<_>>(),
            TicketSort::UpdatedDesc,
        );
        assert!(
            !expected.is_empty(),
            "{label}: the fixture must match something"
        );
        let label = label.to_owned();
        async move {
            let got = list_all(store, &TicketScope::All, filter, TicketSort::UpdatedDesc).await;
            assert_eq!(got, expected, "{label}");
        }
    };
    let f = TicketFilter::default;
    check(
        TicketFilter {
            ticket_type: Some(TicketType::Question),
            ..f()
        },
        &|t| t.ticket_type == TicketType::Question,
        "type",
    )
    .await;
    check(
        TicketFilter {
            tag: Some("printer".into()),
            ..f()
        },
        &|t| t.tags.iter().any(|tag| tag == "printer"),
        "tag, exactly as written",
    )
    .await;
    check(
        TicketFilter {
            tag: Some("Printer".into()),
            ..f()
        },
        &|t| t.tags.iter().any(|tag| tag == "Printer"),
        "tag in another case",
    )
    .await;
    check(
        TicketFilter {
            created_from: Some(at(100)),
            created_before: Some(at(300)),
            ..f()
        },
        &|t| t.created_at >= at(100) && t.created_at < at(300),
        "created range",
    )
    .await;
    check(
        TicketFilter {
            updated_from: Some(at(1010)),
            ..f()
        },
        &|t| t.updated_at >= at(1010),
        "updated from",
    )
    .await;
    check(
        TicketFilter {
            updated_before: Some(at(1010)),
            ..f()
        },
        &|t| t.updated_at < at(1010),
        "updated before",
    )
    .await;
    check(
        TicketFilter {
            open_only: true,
            ticket_type: Some(TicketType::Incident),
            tag: Some("vpn".into()),
            created_from: Some(at(0)),
            ..f()
        },
        &|t| {
            t.status.is_open()
                && t.ticket_type == TicketType::Incident
                && t.tags.iter().any(|tag| tag == "vpn")
        },
        "the queue filters combine with the others",
    )
    .await;
    let none = list_all(
        store,
        &TicketScope::All,
        TicketFilter {
            tag: Some("vp".into()),
            ..f()
        },
        TicketSort::IdDesc,
    )
    .await;
    assert!(none.is_empty(), "a tag matches whole, not a part of one");
    let printer = TicketFilter {
        tag: Some("printer".into()),
        ..f()
    };
    let matching = desk
        .tickets
        .iter()
        .filter(|t| t.tags.iter().any(|tag| tag == "printer"))
        .count();
    let count = store
        .count_tickets_capped(&TicketScope::All, &printer, 100)
        .await
        .unwrap();
    assert_eq!(
        usize::try_from(count).unwrap(),
        matching,
        "a capped count below its cap is exact"
    );
    let capped = store
        .count_tickets_capped(&TicketScope::All, &f(), 2)
        .await
        .unwrap();
    assert_eq!(capped, 3, "a count stops one past its cap");
    let agent_scope = TicketScope::Agent {
        user_id: desk.agent.id,
        group_ids: vec![desk.first_group],
    };
    let visible = desk
        .tickets
        .iter()
        .filter(|t| {
            t.tags.iter().any(|tag| tag == "printer")
                && (t.group_id == Some(desk.first_group)
                    || t.assignee_id == Some(desk.agent.id)
                    || t.owner_id == Some(desk.agent.id))
        })
        .count();
    let count = store
        .count_tickets_capped(&agent_scope, &printer, 100)
        .await
        .unwrap();
    assert_eq!(
        usize::try_from(count).unwrap(),
        visible,
        "counts only what the scope allows"
    );
}

/// Every filter keeps exactly the tickets it names.
pub async fn ticket_filters_each_narrow_the_listing(store: TestStore) {
    let desk = listing(&store).await;
    let check = |filter: TicketFilter, keep: Box<dyn Fn(&Ticket) -> bool>, label: &'static str| {
        let store = store.clone();
        let expected: Vec<TicketId> = sorted(
            &desk.tickets.iter().filter(|t| keep(t)).collect::<Vec<_>>(),
            TicketSort::UpdatedDesc,
        );
        async move {
            assert!(
                !expected.is_empty(),
                "{label}: the fixture must match something"
            );
            let got = list_all(&store, &TicketScope::All, filter, TicketSort::UpdatedDesc).await;
            assert_eq!(got, expected, "{label}");
        }
    };
    let f = TicketFilter::default;
    check(
        TicketFilter {
            statuses: vec![TicketStatus::New, TicketStatus::Resolved],
            ..f()
        },
        Box::new(|t| matches!(t.status, TicketStatus::New | TicketStatus::Resolved)),
        "statuses",
    )
    .await;
    check(
        TicketFilter {
            statuses: vec![TicketStatus::Closed],
            ..f()
        },
        Box::new(|t| t.status == TicketStatus::Closed),
        "closed status",
    )
    .await;
    check(
        TicketFilter {
            open_only: true,
            ..f()
        },
        Box::new(|t| t.status.is_open()),
        "open only",
    )
    .await;
    check(
        TicketFilter {
            priorities: vec![Priority::P1, Priority::P3],
            ..f()
        },
        Box::new(|t| matches!(t.priority, Priority::P1 | Priority::P3)),
        "priorities",
    )
    .await;
    let first_group = desk.first_group;
    check(
        TicketFilter {
            group_id: Some(first_group),
            ..f()
        },
        Box::new(move |t| t.group_id == Some(first_group)),
        "group",
    )
    .await;
    let agent = desk.agent.id;
    check(
        TicketFilter {
            assignee_id: Some(agent),
            ..f()
        },
        Box::new(move |t| t.assignee_id == Some(agent)),
        "assignee",
    )
    .await;
    check(
        TicketFilter {
            unassigned: true,
            ..f()
        },
        Box::new(|t| t.assignee_id.is_none()),
        "unassigned",
    )
    .await;
    check(
        TicketFilter {
            owner_id: Some(agent),
            ..f()
        },
        Box::new(move |t| t.owner_id == Some(agent)),
        "owner",
    )
    .await;
    let colleague = desk.colleague.id;
    check(
        TicketFilter {
            requester_id: Some(colleague),
            ..f()
        },
        Box::new(move |t| t.requester_id == colleague),
        "requester",
    )
    .await;
    let org = desk.organization;
    check(
        TicketFilter {
            organization_id: Some(org),
            ..f()
        },
        Box::new(move |t| t.organization_id == Some(org)),
        "organization",
    )
    .await;
    let category = desk.category;
    check(
        TicketFilter {
            category_id: Some(category),
            ..f()
        },
        Box::new(move |t| t.category_id == Some(category)),
        "category",
    )
    .await;
    let service = desk.service;
    check(
        TicketFilter {
            service_id: Some(service),
            ..f()
        },
        Box::new(move |t| t.service_id == Some(service)),
        "service",
    )
    .await;
    check(
        TicketFilter {
            channel: Some(Channel::Phone),
            ..f()
        },
        Box::new(|t| t.channel == Channel::Phone),
        "channel",
    )
    .await;
    check(
        TicketFilter {
            subject_contains: Some("PRINTER".into()),
            ..f()
        },
        Box::new(|t| t.subject.starts_with("Printer")),
        "subject, any case",
    )
    .await;
    check(
        TicketFilter {
            subject_contains: Some("ärger".into()),
            ..f()
        },
        Box::new(|t| t.subject.starts_with("Ärger")),
        "subject, any case beyond ASCII",
    )
    .await;
    check(
        TicketFilter {
            subject_contains: Some("0% cpu on build_".into()),
            ..f()
        },
        Box::new(|t| t.subject.starts_with("100%")),
        "subject with wildcard characters",
    )
    .await;
    let second_group = desk.second_group;
    check(
        TicketFilter {
            open_only: true,
            group_id: Some(second_group),
            unassigned: false,
            priorities: vec![Priority::P1, Priority::P2, Priority::P3, Priority::P4],
            ..f()
        },
        Box::new(move |t| t.status.is_open() && t.group_id == Some(second_group)),
        "filters combine",
    )
    .await;
    queue_filters_each_narrow_the_listing(&store, &desk).await;
    let none = list_all(
        &store,
        &TicketScope::All,
        TicketFilter {
            subject_contains: Some("p%r".into()),
            ..f()
        },
        TicketSort::IdDesc,
    )
    .await;
    assert!(none.is_empty(), "% is literal, not a wildcard");
    let none = list_all(
        &store,
        &TicketScope::All,
        TicketFilter {
            group_id: Some(first_group),
            statuses: vec![TicketStatus::Open],
            requester_id: Some(desk.outsider.id),
            ..f()
        },
        TicketSort::IdDesc,
    )
    .await;
    let expected: Vec<TicketId> = sorted(
        &desk
            .tickets
            .iter()
            .filter(|t| {
                t.group_id == Some(first_group)
                    && t.status == TicketStatus::Open
                    && t.requester_id == desk.outsider.id
            })
            .collect::<Vec<_>>(),
        TicketSort::IdDesc,
    );
    assert_eq!(none, expected);
}

/// Every sort orders the whole listing as documented, the id breaking ties.
pub async fn ticket_sorts_order_the_listing(store: TestStore) {
    let desk = listing(&store).await;
    let all: Vec<&Ticket> = desk.tickets.iter().collect();
    for sort in SORTS {
        let query = TicketQuery {
            sort,
            page: PageRequest::first(MAX_PAGE_SIZE),
            ..TicketQuery::default()
        };
        let page = store.list_tickets(&TicketScope::All, &query).await.unwrap();
        assert_eq!(ids(&page.items), sorted(&all, sort), "{sort:?}");
        assert_eq!(page.next_cursor, None);
    }
}

/// Agents see their groups' tickets and those assigned to or owned by them; customers
/// see their own, and their organization's when it shares.
pub async fn ticket_scope_limits_agents_and_customers(store: TestStore) {
    let desk = listing(&store).await;
    let expect = |keep: &dyn Fn(&Ticket) -> bool| -> Vec<TicketId> {
        sorted(
            &desk.tickets.iter().filter(|t| keep(t)).collect::<Vec<_>>(),
            TicketSort::IdDesc,
        )
    };
    let agent = desk.agent.id;
    let first_group = desk.first_group;
    let scope = TicketScope::Agent {
        user_id: agent,
        group_ids: vec![first_group],
    };
    let visible = expect(&|t| {
        t.group_id == Some(first_group) || t.assignee_id == Some(agent) || t.owner_id == Some(agent)
    });
    assert!(visible.len() < desk.tickets.len());
    assert_eq!(
        list_all(&store, &scope, TicketFilter::default(), TicketSort::IdDesc).await,
        visible
    );
    let scope = TicketScope::Agent {
        user_id: agent,
        group_ids: vec![],
    };
    assert_eq!(
        list_all(&store, &scope, TicketFilter::default(), TicketSort::IdDesc).await,
        expect(&|t| t.assignee_id == Some(agent) || t.owner_id == Some(agent))
    );
    // A filter narrows within the scope, never widens it.
    let scope = TicketScope::Agent {
        user_id: desk.other_agent.id,
        group_ids: vec![],
    };
    let second_group = desk.second_group;
    let other = desk.other_agent.id;
    assert_eq!(
        list_all(
            &store,
            &scope,
            TicketFilter {
                group_id: Some(second_group),
                ..TicketFilter::default()
            },
            TicketSort::IdDesc
        )
        .await,
        expect(&|t| t.group_id == Some(second_group) && t.assignee_id == Some(other))
    );

    let customer = desk.customer.id;
    let org = desk.organization;
    let own = TicketScope::Customer {
        user_id: customer,
        shared_organization: None,
    };
    assert_eq!(
        list_all(&store, &own, TicketFilter::default(), TicketSort::IdDesc).await,
        expect(&|t| t.requester_id == customer)
    );
    let shared = TicketScope::Customer {
        user_id: customer,
        shared_organization: Some(org),
    };
    let with_colleagues = expect(&|t| t.requester_id == customer || t.organization_id == Some(org));
    assert!(with_colleagues.len() > expect(&|t| t.requester_id == customer).len());
    assert_eq!(
        list_all(&store, &shared, TicketFilter::default(), TicketSort::IdDesc).await,
        with_colleagues
    );
    let outsider = TicketScope::Customer {
        user_id: desk.outsider.id,
        shared_organization: None,
    };
    let outsider_id = desk.outsider.id;
    assert_eq!(
        list_all(
            &store,
            &outsider,
            TicketFilter::default(),
            TicketSort::IdDesc
        )
        .await,
        expect(&|t| t.requester_id == outsider_id)
    );
}

/// Paging with a small page size visits every ticket exactly once, in order, in every
/// sort, with and without filters.
pub async fn cursor_pagination_visits_every_ticket_once_in_every_sort(store: TestStore) {
    let desk = listing(&store).await;
    let mut extra = Vec::new();
    for i in 0..9 {
        let mut t = ticket(&desk.customer, &format!("Extra {i}"), at(100 * (i % 2)));
        t.updated_at = at(1000);
        t.priority = if i % 2 == 0 {
            Priority::P1
        } else {
            Priority::P4
        };
        t.group_id = Some(desk.first_group);
        extra.push(create(&store, t).await);
    }
    let all: Vec<&Ticket> = desk.tickets.iter().chain(&extra).collect();
    for sort in SORTS {
        let got = list_all(&store, &TicketScope::All, TicketFilter::default(), sort).await;
        assert_eq!(got, sorted(&all, sort), "{sort:?}");
        let unique: BTreeSet<TicketId> = got.iter().copied().collect();
        assert_eq!(unique.len(), all.len(), "{sort:?}");
        let open: Vec<&Ticket> = all.iter().copied().filter(|t| t.status.is_open()).collect();
        let got = list_all(
            &store,
            &TicketScope::All,
            TicketFilter {
                open_only: true,
                ..TicketFilter::default()
            },
            sort,
        )
        .await;
        assert_eq!(got, sorted(&open, sort), "open, {sort:?}");
        let first_group = desk.first_group;
        let mine: Vec<&Ticket> = all
            .iter()
            .copied()
            .filter(|t| {
                t.group_id == Some(first_group)
                    || t.assignee_id == Some(desk.agent.id)
                    || t.owner_id == Some(desk.agent.id)
            })
            .collect();
        let scope = TicketScope::Agent {
            user_id: desk.agent.id,
            group_ids: vec![first_group],
        };
        let got = list_all(&store, &scope, TicketFilter::default(), sort).await;
        assert_eq!(got, sorted(&mine, sort), "agent scope, {sort:?}");
    }
}

/// Page sizes outside 1..=MAX_PAGE_SIZE are clamped.
pub async fn page_size_is_clamped(store: TestStore) {
    let carla = user(&store, "carla@example.com", Role::Customer).await;
    let tickets: Vec<(Ticket, Vec<NewEvent>)> = (0..MAX_PAGE_SIZE + 5)
        .map(|i| {
            let t = ticket(&carla, &format!("Bulk {i}"), at(i));
            let events = vec![created_event(&t)];
            (t, events)
        })
        .collect();
    store.bulk_create_tickets(tickets).await.unwrap();
    let mut query = TicketQuery::default();
    query.page.limit = 10_000;
    let page = store.list_tickets(&TicketScope::All, &query).await.unwrap();
    assert_eq!(page.items.len() as i64, MAX_PAGE_SIZE);
    assert!(page.next_cursor.is_some());
    query.page.limit = 0;
    let page = store.list_tickets(&TicketScope::All, &query).await.unwrap();
    assert_eq!(page.items.len(), 1);
    let mut users = PageRequest::first(1);
    users.limit = -5;
    assert_eq!(
        store
            .list_users(&UserFilter::default(), &users)
            .await
            .unwrap()
            .items
            .len(),
        1
    );
}

/// Queue counts follow every create, status change and reassignment.
pub async fn queue_counts_follow_creates_status_changes_and_reassignment(store: TestStore) {
    let carla = user(&store, "carla@example.com", Role::Customer).await;
    let ana = user(&store, "ana@example.com", Role::Agent).await;
    let bo = user(&store, "bo@example.com", Role::Agent).await;
    let desk = group(&store, "Service Desk").await.id;
    let network = group(&store, "Network").await.id;
    let counts = |by_status: &[(TicketStatus, i64)],
                  open_by_group: &[(Option<GroupId>, i64)],
                  unassigned_by_group: &[(Option<GroupId>, i64)],
                  open_by_assignee: &[(UserId, i64)]| QueueCounts {
        by_status: by_status.iter().copied().collect::<BTreeMap<_, _>>(),
        open_by_group: open_by_group.iter().copied().collect(),
        unassigned_by_group: unassigned_by_group.iter().copied().collect(),
        open_by_assignee: open_by_assignee.iter().copied().collect(),
    };
    assert_eq!(store.queue_counts().await.unwrap(), QueueCounts::default());
    let mut t1 = ticket(&carla, "One", at(0));
    t1.group_id = Some(desk);
    let t1 = create(&store, t1).await;
    let mut t2 = ticket(&carla, "Two", at(1));
    t2.status = TicketStatus::Open;
    t2.assignee_id = Some(ana.id);
    let t2 = create(&store, t2).await;
    assert_eq!(
        store.queue_counts().await.unwrap(),
        counts(
            &[(TicketStatus::New, 1), (TicketStatus::Open, 1)],
            &[(Some(desk), 1), (None, 1)],
            &[(Some(desk), 1)],
            &[(ana.id, 1)],
        )
    );
    store
        .save_tickets(write(vec![change(
            &t1,
            |t| {
                t.status = TicketStatus::Open;
                t.assignee_id = Some(ana.id);
            },
            vec![],
        )]))
        .await
        .unwrap();
    let t1 = store.get_ticket(t1.id).await.unwrap();
    assert_eq!(
        store.queue_counts().await.unwrap(),
        counts(
            &[(TicketStatus::Open, 2)],
            &[(Some(desk), 1), (None, 1)],
            &[],
            &[(ana.id, 2)],
        )
    );
    store
        .save_tickets(write(vec![
            change(
                &t1,
                |t| {
                    t.group_id = Some(network);
                    t.assignee_id = Some(bo.id);
                },
                vec![],
            ),
            change(&t2, |t| t.status = TicketStatus::Resolved, vec![]),
        ]))
        .await
        .unwrap();
    assert_eq!(
        store.queue_counts().await.unwrap(),
        counts(
            &[(TicketStatus::Open, 1), (TicketStatus::Resolved, 1)],
            &[(Some(network), 1)],
            &[],
            &[(bo.id, 1)],
        )
    );
    let t1 = store.get_ticket(t1.id).await.unwrap();
    store
        .save_tickets(write(vec![change(
            &t1,
            |t| {
                t.assignee_id = None;
                t.status = TicketStatus::PendingCustomer;
            },
            vec![],
        )]))
        .await
        .unwrap();
    assert_eq!(
        store.queue_counts().await.unwrap(),
        counts(
            &[
                (TicketStatus::PendingCustomer, 1),
                (TicketStatus::Resolved, 1)
            ],
            &[(Some(network), 1)],
            &[(Some(network), 1)],
            &[],
        )
    );
}

/// Internal events are left out unless asked for; timelines page by event id.
pub async fn internal_events_are_hidden_unless_asked_for(store: TestStore) {
    let carla = user(&store, "carla@example.com", Role::Customer).await;
    let ana = user(&store, "ana@example.com", Role::Agent).await;
    let t = create(&store, ticket(&carla, "Printer jams", at(0))).await;
    let mut events = Vec::new();
    for i in 0..6 {
        let event = if i % 2 == 0 {
            note(&ana, &format!("note {i}"), at(10 + i))
        } else {
            reply(&ana, &format!("reply {i}"), at(10 + i))
        };
        events.push(
            store
                .append_event(EventAppend {
                    ticket_id: t.id,
                    event,
                    marks_first_response: false,
                    idempotency: None,
                    notices: Vec::new(),
                })
                .await
                .unwrap()
                .into_inner(),
        );
    }
    let all = store
        .list_events(t.id, true, &EventPage::default())
        .await
        .unwrap();
    assert_eq!(all.len(), 7);
    assert!(all.windows(2).all(|w| w[0].id < w[1].id));
    let public = store
        .list_events(t.id, false, &EventPage::default())
        .await
        .unwrap();
    assert_eq!(public.len(), 4, "created + 3 replies");
    assert!(public.iter().all(|e| e.visibility == Visibility::Public));
    let page = store
        .list_events(
            t.id,
            true,
            &EventPage {
                after: Some(all[2].id),
                limit: 2,
            },
        )
        .await
        .unwrap();
    assert_eq!(page, all[3..5].to_vec());
    let page = store
        .list_events(
            t.id,
            false,
            &EventPage {
                after: Some(all[1].id),
                limit: 0,
            },
        )
        .await
        .unwrap();
    assert_eq!(page.len(), 1, "limit is clamped to at least one");
    assert_eq!(page[0].visibility, Visibility::Public);
    assert!(page[0].id > all[1].id);
    let other = create(&store, ticket(&carla, "Other", at(1))).await;
    assert_eq!(
        store
            .list_events(other.id, true, &EventPage::default())
            .await
            .unwrap()
            .len(),
        1,
        "timelines do not mix"
    );
    assert!(matches!(
        store.get_event(ferrodesk_domain::EventId(999_999)).await,
        Err(StoreError::NotFound { .. })
    ));
}

/// Appending bumps the version and change time, and sets the first response once.
pub async fn append_event_bumps_version_and_marks_first_response_once(store: TestStore) {
    let carla = user(&store, "carla@example.com", Role::Customer).await;
    let ana = user(&store, "ana@example.com", Role::Agent).await;
    let t = create(&store, ticket(&carla, "Printer jams", at(0))).await;
    let append = |event: NewEvent, marks: bool| EventAppend {
        ticket_id: t.id,
        event,
        marks_first_response: marks,
        idempotency: None,
        notices: Vec::new(),
    };
    store
        .append_event(append(note(&ana, "looking", at(10)), false))
        .await
        .unwrap();
    let read = store.get_ticket(t.id).await.unwrap();
    assert_eq!(read.version, 2);
    assert_eq!(read.updated_at, at(10));
    assert_eq!(read.first_response_at, None);
    let first = store
        .append_event(append(reply(&ana, "hello", at(20)), true))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(first.ticket_id, t.id);
    assert_eq!(first.created_at, at(20));
    store
        .append_event(append(reply(&ana, "again", at(30)), true))
        .await
        .unwrap();
    let read = store.get_ticket(t.id).await.unwrap();
    assert_eq!(read.version, 4);
    assert_eq!(read.first_response_at, Some(at(20)));
    assert_eq!(read.updated_at, at(30));
    let err = store
        .append_event(EventAppend {
            ticket_id: TicketId(99999),
            ..append(note(&ana, "x", at(40)), false)
        })
        .await
        .unwrap_err();
    assert!(is_not_found(&err, "99999"), "{err:?}");
    let err = store
        .append_event(append(
            NewEvent::new(
                EventKind::Note { body: "x".into() },
                Some(UserId(4444)),
                Channel::Agent,
                at(40),
            ),
            false,
        ))
        .await
        .unwrap_err();
    assert!(is_not_found(&err, "user 4444"), "{err:?}");
    assert_eq!(
        store.get_ticket(t.id).await.unwrap().version,
        4,
        "the failed append changed nothing"
    );
}

/// The bulk path writes tickets with increasing numbers, their events and the counts.
pub async fn bulk_create_writes_tickets_events_and_counts(store: TestStore) {
    let carla = user(&store, "carla@example.com", Role::Customer).await;
    let ana = user(&store, "ana@example.com", Role::Agent).await;
    let desk = group(&store, "Service Desk").await.id;
    let single = create(&store, ticket(&carla, "Before", at(0))).await;
    // More than one bulk transaction (10,000 tickets) and many multi-row inserts.
    let count = 10_345;
    let batch: Vec<(Ticket, Vec<NewEvent>)> = (0..count)
        .map(|i| {
            let mut t = ticket(&carla, &format!("Bulk {i}"), at(i));
            t.group_id = (i % 2 == 0).then_some(desk);
            t.status = if i % 3 == 0 {
                TicketStatus::Closed
            } else {
                TicketStatus::Open
            };
            t.assignee_id = (i % 5 == 0).then_some(ana.id);
            t.tags = vec![format!("batch-{}", i % 7)];
            let mut events = vec![created_event(&t)];
            if i % 4 == 0 {
                events.push(note(&ana, "bulk note", at(i + 1)));
            }
            (t, events)
        })
        .collect();
    let expected = batch.clone();
    let created = store.bulk_create_tickets(batch).await.unwrap();
    assert_eq!(created.len(), count as usize);
    assert!(created[0] > single.id);
    assert!(created.windows(2).all(|w| w[0] < w[1]), "numbers increase");
    let after = create(&store, ticket(&carla, "After", at(0))).await;
    assert!(
        after.id > created[created.len() - 1],
        "numbers are not reused"
    );
    for index in [0_usize, 1, 4, 1234, 10_001, count as usize - 1] {
        let read = store.get_ticket(created[index]).await.unwrap();
        let (mut want, events) = expected[index].clone();
        want.id = created[index];
        want.version = 1;
        assert_eq!(read, want);
        let timeline = store
            .list_events(created[index], true, &EventPage::default())
            .await
            .unwrap();
        let kinds: Vec<EventKind> = timeline.into_iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            events.into_iter().map(|e| e.kind).collect::<Vec<_>>()
        );
    }
    let mut want = QueueCounts::default();
    for (t, _) in expected
        .iter()
        .chain([(single.clone(), vec![]), (after.clone(), vec![])].iter())
    {
        *want.by_status.entry(t.status).or_insert(0) += 1;
        if t.status.is_open() {
            *want.open_by_group.entry(t.group_id).or_insert(0) += 1;
            match t.assignee_id {
                Some(a) => *want.open_by_assignee.entry(a).or_insert(0) += 1,
                None => *want.unassigned_by_group.entry(t.group_id).or_insert(0) += 1,
            }
        }
    }
    assert_eq!(store.queue_counts().await.unwrap(), want);
    let mut bad = ticket(&carla, "Ghost", at(0));
    bad.group_id = Some(GroupId(999));
    let err = store
        .bulk_create_tickets(vec![(bad, vec![])])
        .await
        .unwrap_err();
    assert!(is_not_found(&err, "group 999"), "{err:?}");
    assert!(store.bulk_create_tickets(vec![]).await.unwrap().is_empty());
}

/// Many concurrent creates are all committed, each with its own number.
pub async fn concurrent_creates_are_all_committed(store: TestStore) {
    let carla = user(&store, "carla@example.com", Role::Customer).await;
    let desk = group(&store, "Service Desk").await.id;
    let callers = 32;
    let each = 20;
    let mut tasks = Vec::new();
    for caller in 0..callers {
        let store = store.clone();
        let carla = carla.clone();
        tasks.push(tokio::spawn(async move {
            let mut made = Vec::new();
            for i in 0..each {
                let mut t = ticket(&carla, &format!("Caller {caller} ticket {i}"), at(i));
                t.group_id = Some(desk);
                let mut request = new_ticket(t);
                if i % 2 == 0 {
                    request.idempotency = key(&carla, &format!("{caller}-{i}"), "fp");
                }
                made.push(store.create_ticket(request).await.unwrap().into_inner().id);
            }
            made
        }));
    }
    let mut all = BTreeSet::new();
    for task in tasks {
        for id in task.await.unwrap() {
            assert!(all.insert(id), "ticket {id} handed out twice");
        }
    }
    let total = callers * each;
    assert_eq!(all.len() as i64, total);
    assert_eq!(
        ids(&all_tickets(&store).await),
        all.into_iter().collect::<Vec<_>>()
    );
    let counts = store.queue_counts().await.unwrap();
    assert_eq!(counts.by_status.get(&TicketStatus::New), Some(&total));
    assert_eq!(counts.unassigned_by_group.get(&Some(desk)), Some(&total));
}

/// The report rollups count creations, first responses, resolutions and reopenings on
/// the day they happen, by group and agent, from every write path.
pub async fn report_rollups_follow_every_ticket_write(store: TestStore) {
    const DAY: i64 = 86_400;
    let carla = user(&store, "carla@example.com", Role::Customer).await;
    let ana = user(&store, "ana@example.com", Role::Agent).await;
    let desk = group(&store, "Service Desk").await.id;
    let network = group(&store, "Network").await.id;
    let day0 = at(0).as_second().div_euclid(DAY);
    let query = |by: ReportDimension, groups: Option<Vec<GroupId>>| ReportQuery {
        first_day: day0,
        last_day: day0 + 2,
        groups,
        by,
    };
    assert!(
        store
            .report_days(&query(ReportDimension::None, None))
            .await
            .unwrap()
            .is_empty()
    );

    let mut t1 = ticket(&carla, "Printer jams", at(0));
    t1.group_id = Some(desk);
    let t1 = create(&store, t1).await;
    let mut t2 = ticket(&carla, "VPN drops", at(DAY + 10));
    t2.group_id = Some(network);
    t2.channel = Channel::Phone;
    create(&store, t2).await;
    // The first answer an hour in; a second answer counts nothing more.
    for (seconds, body) in [(3_600, "on it"), (3_700, "still on it")] {
        store
            .append_event(EventAppend {
                ticket_id: t1.id,
                event: reply(&ana, body, at(seconds)),
                marks_first_response: true,
                idempotency: None,
                notices: Vec::new(),
            })
            .await
            .unwrap();
    }
    let t1 = store.get_ticket(t1.id).await.unwrap();
    store
        .save_tickets(write(vec![change(
            &t1,
            |t| {
                t.assignee_id = Some(ana.id);
                t.status = TicketStatus::Resolved;
                t.resolved_at = Some(at(7_200));
                t.updated_at = at(7_200);
            },
            vec![],
        )]))
        .await
        .unwrap();
    let t1 = store.get_ticket(t1.id).await.unwrap();
    store
        .save_tickets(write(vec![change(
            &t1,
            |t| {
                t.status = TicketStatus::Open;
                t.resolved_at = None;
                t.updated_at = at(DAY + 100);
            },
            vec![],
        )]))
        .await
        .unwrap();
    // History written in bulk counts its answer and resolution on their own days.
    let mut old = ticket(&carla, "Old request", at(10));
    old.group_id = Some(desk);
    old.assignee_id = Some(ana.id);
    old.status = TicketStatus::Resolved;
    old.first_response_at = Some(at(2 * DAY));
    old.resolved_at = Some(at(2 * DAY + 50));
    store
        .bulk_create_tickets(vec![(old.clone(), vec![created_event(&old)])])
        .await
        .unwrap();

    let days = store
        .report_days(&query(ReportDimension::None, None))
        .await
        .unwrap();
    let sums = |day: i64| {
        days.iter()
            .find(|d| d.day == day0 + day)
            .map(|d| {
                (
                    d.created,
                    d.first_responses,
                    d.first_response_seconds,
                    d.resolved,
                    d.resolution_seconds,
                    d.reopened,
                )
            })
            .unwrap_or_default()
    };
    assert_eq!(days.len(), 3, "{days:?}");
    assert_eq!(sums(0), (2, 1, 3_600, 1, 7_200, 0));
    assert_eq!(sums(1), (1, 0, 0, 0, 0, 1));
    assert_eq!(sums(2), (0, 1, 2 * DAY - 10, 1, 2 * DAY + 40, 0));

    // Limited to a group, broken down by agent: creations are agent 0.
    let desk_days = store
        .report_days(&query(ReportDimension::Agent, Some(vec![desk])))
        .await
        .unwrap();
    let resolved_by = |agent: &str| -> i64 {
        desk_days
            .iter()
            .filter(|d| d.dimension == agent)
            .map(|d| d.resolved)
            .sum()
    };
    assert_eq!(resolved_by(&ana.id.get().to_string()), 2);
    assert_eq!(resolved_by("0"), 0);
    assert!(
        desk_days
            .iter()
            .all(|d| d.day != day0 + 1 || d.created == 0)
    );
    let channels = store
        .report_days(&query(ReportDimension::Channel, Some(vec![network])))
        .await
        .unwrap();
    assert_eq!(channels.len(), 1);
    assert_eq!(
        (channels[0].dimension.as_str(), channels[0].created),
        ("phone", 1)
    );
    assert!(
        store
            .report_days(&query(ReportDimension::None, Some(vec![])))
            .await
            .unwrap()
            .is_empty()
    );
}
