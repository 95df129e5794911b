//! The writer's joined creates: the rows they leave are those of single creates, and a
//! failing create in a joined batch fails alone.
#![allow(clippy::unwrap_used)] // a test reports failure by panicking

use super::*;
use crate::SqliteStore;
use crate::sql::tickets;
use ferrodesk_domain::{
    BusinessCalendar, BusinessMinutes, Channel, EventKind, GroupId, Impact, NewEvent, Priority,
    PriorityTargets, Role, SlaTargets, Ticket, TicketId, TicketStatus, TicketType, Tier, Urgency,
    User, Visibility, WarningShare,
};
use ferrodesk_store::{
    CalendarInput, Created, NewGroup, NewTicket, NewUser, PolicyInput, SlaStore as _, Store,
};
use jiff::Timestamp;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{AssertSqlSafe, ConnectOptions as _};

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_second(1_767_225_600 + seconds).unwrap()
}

async fn user(store: &SqliteStore, address: &str, role: Role) -> User {
    store
        .create_user(NewUser {
            email: ferrodesk_domain::EmailAddress::parse(address).unwrap(),
            name: address.into(),
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
        })
        .await
        .unwrap()
}

/// A desk with a default service level, a customer, an agent and a group.
async fn desk(store: &SqliteStore) -> (User, User, GroupId) {
    let calendar = store
        .create_calendar(CalendarInput {
            name: "24/7".into(),
            calendar: BusinessCalendar::always_open(),
            now: at(0),
        })
        .await
        .unwrap();
    let minutes = |m| Some(BusinessMinutes::new(m).unwrap());
    let targets = SlaTargets {
        first_response: minutes(60),
        update_interval: minutes(120),
        resolution: minutes(480),
    };
    store
        .create_policy(PolicyInput {
            name: "Standard".into(),
            calendar_id: calendar.id,
            targets: PriorityTargets {
                p1: targets,
                p2: targets,
                p3: targets,
                p4: targets,
            },
            warning: WarningShare::new(80).unwrap(),
            sends_progress_notes: false,
            is_default: true,
            organization_ids: vec![],
            service_ids: vec![],
            category_ids: vec![],
            now: at(0),
        })
        .await
        .unwrap();
    let customer = user(store, "carla@example.com", Role::Customer).await;
    let agent = user(store, "ana@example.com", Role::Agent).await;
    let group = store
        .create_group(NewGroup {
            name: "Service Desk".into(),
            tier: Tier::FIRST,
            description: "First line".into(),
            escalates_to: None,
            now: at(0),
        })
        .await
        .unwrap();
    (customer, agent, group.id)
}

fn ticket(requester: &User, subject: &str, now: Timestamp) -> Ticket {
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
        organization_id: None,
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

fn new_ticket(ticket: Ticket, mut events: Vec<NewEvent>) -> NewTicket {
    events.insert(
        0,
        NewEvent::new(
            EventKind::Created {
                subject: ticket.subject.clone(),
            },
            Some(ticket.requester_id),
            ticket.channel,
            ticket.created_at,
        ),
    );
    NewTicket {
        ticket,
        events,
        links: vec![],
        idempotency: None,
    }
}

/// Creates as a desk makes them within one batch: in a group or not, assigned or not,
/// answered publicly on creation (which mails the requester), with an internal note.
fn creates(customer: &User, agent: &User, group: GroupId) -> Vec<NewTicket> {
    let now = at(60);
    (0..7)
        .map(|i| {
            let mut t = ticket(customer, &format!("Printer {i} jams"), now);
            t.group_id = (i % 2 == 0).then_some(group);
            t.assignee_id = (i % 3 == 0).then_some(agent.id);
            t.tags = vec![format!("floor-{}", i % 2)];
            let mut events = Vec::new();
            if i % 3 == 1 {
                t.status = TicketStatus::Open;
                t.first_response_at = Some(now);
                events.push(NewEvent::new(
                    EventKind::StatusChanged {
                        from: TicketStatus::New,
                        to: TicketStatus::Open,
                    },
                    Some(agent.id),
                    Channel::Agent,
                    now,
                ));
                let mut answer = NewEvent::new(
                    EventKind::Reply {
                        body: "Try the other tray".into(),
                    },
                    Some(agent.id),
                    Channel::Agent,
                    now,
                );
                answer.visibility = Visibility::Public;
                events.push(answer);
            }
            if i % 3 == 2 {
                events.push(NewEvent::new(
                    EventKind::Note {
                        body: "Same model as last week".into(),
                    },
                    Some(agent.id),
                    Channel::Agent,
                    now,
                ));
            }
            new_ticket(t, events)
        })
        .collect()
}

/// Every row of `table`, each as its quoted values, in a stable order.
async fn dump(store: &SqliteStore, table: &str) -> Vec<String> {
    let mut conn = store.reader().await.unwrap();
    let columns: Vec<String> = sqlx::query_scalar(AssertSqlSafe(format!(
        "select name from pragma_table_info('{table}') order by cid"
    )))
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    assert!(!columns.is_empty(), "table {table} has columns");
    let row: Vec<String> = columns.iter().map(|c| format!("quote({c})")).collect();
    let row = row.join(" || '|' || ");
    sqlx::query_scalar(AssertSqlSafe(format!(
        "select {row} from {table} order by 1"
    )))
    .fetch_all(&mut *conn)
    .await
    .unwrap()
}

/// What a ticket write leaves behind.
const WRITTEN: [&str; 8] = [
    "tickets",
    "ticket_events",
    "mail_outbox",
    "ticket_sla",
    "jobs",
    "queue_counts",
    "report_rollups",
    "sqlite_sequence",
];

#[tokio::test]
async fn joined_creates_write_the_rows_of_single_creates() {
    let single = SqliteStore::open_temporary().await.unwrap();
    let joined = SqliteStore::open_temporary().await.unwrap();
    let (customer, agent, group) = desk(&single).await;
    assert_eq!(
        desk(&joined).await,
        (customer.clone(), agent.clone(), group)
    );
    let news = creates(&customer, &agent, group);

    let mut one_by_one = Vec::new();
    for new in news.clone() {
        one_by_one.push(single.create_ticket(new).await.unwrap());
    }
    let together = joined
        .write(news, |c, news| {
            Box::pin(async move {
                let news: Vec<&NewTicket> = news.iter().collect();
                tickets::create_tickets(c, &news).await
            })
        })
        .await
        .unwrap();

    assert_eq!(together, one_by_one);
    let mut mailed = 0;
    for table in WRITTEN {
        let rows = dump(&single, table).await;
        assert_eq!(dump(&joined, table).await, rows, "rows of {table}");
        if table == "mail_outbox" {
            mailed = rows.len();
        }
    }
    assert!(mailed > 0, "the creates announced mail");
    // The next create, on its own, continues both numberings where they left off.
    let next = creates(&customer, &agent, group).remove(1);
    assert_eq!(
        joined.create_ticket(next.clone()).await.unwrap(),
        single.create_ticket(next).await.unwrap()
    );
    for table in ["tickets", "ticket_events", "mail_outbox"] {
        assert_eq!(dump(&joined, table).await, dump(&single, table).await);
    }
}

/// A create queued as the store queues it, with its receiver.
fn queued(
    new: NewTicket,
) -> (
    Box<dyn Job>,
    oneshot::Receiver<StoreResult<Created<Ticket>>>,
) {
    let (reply, answer) = oneshot::channel();
    let job = TypedJob::<NewTicket, Created<Ticket>> {
        input: new,
        op: |c, new| Box::pin(tickets::create_ticket(c, new)),
        join: Some(|c, news| Box::pin(tickets::create_tickets(c, news))),
        outcome: None,
        reply,
    };
    (Box::new(job), answer)
}

#[tokio::test]
async fn a_failing_create_in_a_joined_batch_fails_alone() {
    let store = SqliteStore::open_temporary().await.unwrap();
    let (customer, agent, group) = desk(&store).await;
    let mut news = creates(&customer, &agent, group);
    news.truncate(4);
    news[2].ticket.group_id = Some(GroupId(999));
    let (mut batch, answers): (Vec<_>, Vec<_>) = news.into_iter().map(queued).unzip();
    assert_eq!(joined_until(&batch, 0), 4, "the four creates run as one");

    // The batch runs on a connection of its own to the store's file, as the writer runs
    // it, while the writer idles.
    let path = store
        ._temporary
        .as_ref()
        .unwrap()
        .path()
        .join("ferrodesk.db");
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .foreign_keys(true)
        .connect()
        .await
        .unwrap();
    assert!(
        !commit_optimistically(&mut conn, &mut batch).await,
        "the joined create fails as a whole"
    );
    commit_carefully(&mut conn, &mut batch).await;
    for job in batch {
        job.answer();
    }
    let mut made = Vec::new();
    for (index, answer) in answers.into_iter().enumerate() {
        let outcome = answer.await.unwrap();
        if index == 2 {
            let err = outcome.unwrap_err();
            assert!(err.to_string().contains("group 999"), "{err}");
        } else {
            made.push(outcome.unwrap().into_inner());
        }
    }
    let ids: Vec<i64> = made.iter().map(|t| t.id.get()).collect();
    assert_eq!(ids, [10_001, 10_002, 10_003]);
    for ticket in &made {
        assert_eq!(&store.get_ticket(ticket.id).await.unwrap(), ticket);
    }
    assert_eq!(dump(&store, "tickets").await.len(), 3);
    assert_eq!(
        store
            .queue_counts()
            .await
            .unwrap()
            .by_status
            .values()
            .sum::<i64>(),
        3,
        "nothing of the failed create is counted"
    );
    assert!(
        dump(&store, "ticket_events")
            .await
            .iter()
            .all(|row| !row.contains("Printer 2 jams")),
        "nothing of the failed create is kept"
    );
}

#[tokio::test]
async fn only_neighbouring_writes_of_one_kind_are_joined() {
    let store = SqliteStore::open_temporary().await.unwrap();
    let (customer, agent, group) = desk(&store).await;
    let news = creates(&customer, &agent, group);
    let mut batch: Vec<Box<dyn Job>> = news.into_iter().map(|n| queued(n).0).collect();
    // A write queued without a join splits the run.
    let (reply, _answer) = oneshot::channel::<StoreResult<()>>();
    batch.insert(
        2,
        Box::new(TypedJob::<(), ()> {
            input: (),
            op: |_, _| Box::pin(async { Ok(()) }),
            join: None,
            outcome: None,
            reply,
        }),
    );
    let mut runs = Vec::new();
    let mut start = 0;
    while start < batch.len() {
        let end = joined_until(&batch, start);
        runs.push(start..end);
        start = end;
    }
    assert_eq!(runs, [0..2, 2..3, 3..8]);
}
