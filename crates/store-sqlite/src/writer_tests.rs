//! The writer's joined creates, appends and mail filings: the rows they leave are those
//! of single writes, and a failing write in a joined batch fails alone.
#![allow(clippy::unwrap_used)] // a test reports failure by panicking

use super::*;
use crate::SqliteStore;
use crate::sql::tickets;
use ferrodesk_domain::{
    BusinessCalendar, BusinessMinutes, Channel, EmailAddress, Event, EventKind, GroupId, NewEvent,
    PriorityTargets, Role, SlaTargets, TargetKind, Ticket, TicketId, TicketStatus, Tier, User,
    Visibility, WarningShare,
};
use ferrodesk_store::mail::{Filed, Filing, InboundFiling, InboundRecord, MailStore as _};
use ferrodesk_store::{
    CalendarInput, Created, DirectoryStore as _, EventAppend, NewGroup, NewTicket,
    PeopleStore as _, PolicyInput, SlaStore as _, TicketChange, TicketStore as _,
};
use ferrodesk_testing::contract::{at, created_event, new_user, ticket};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{AssertSqlSafe, ConnectOptions as _};

async fn user(store: &SqliteStore, address: &str, role: Role) -> User {
    store
        .create_user(new_user(address, address, role))
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

fn new_ticket(ticket: Ticket, mut events: Vec<NewEvent>) -> NewTicket {
    events.insert(0, created_event(&ticket));
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

impl SqliteStore {
    /// A connection of its own to the store's file, to run a batch on as the writer
    /// runs it, while the writer idles.
    async fn writer_connection(&self) -> sqlx::SqliteConnection {
        let path = self
            ._temporary
            .as_ref()
            .unwrap()
            .path()
            .join("ferrodesk.db");
        SqliteConnectOptions::new()
            .filename(path)
            .foreign_keys(true)
            .connect()
            .await
            .unwrap()
    }
}

/// A write queued as the store queues a joinable one, with its receiver.
fn queued<D, T>(
    input: D,
    op: Op<D, T>,
    join: JoinOp<D, T>,
) -> (Box<dyn Job>, oneshot::Receiver<StoreResult<T>>)
where
    D: Send + Sync + 'static,
    T: Send + 'static,
{
    let (reply, answer) = oneshot::channel();
    let job = TypedJob {
        input,
        op,
        join: Some(join),
        outcome: None,
        reply,
    };
    (Box::new(job), answer)
}

/// A create queued as the store queues it, with its receiver.
fn queued_create(
    new: NewTicket,
) -> (
    Box<dyn Job>,
    oneshot::Receiver<StoreResult<Created<Ticket>>>,
) {
    queued(
        new,
        |c, new| Box::pin(tickets::create_ticket(c, new)),
        |c, news| Box::pin(tickets::create_tickets(c, news)),
    )
}

/// Runs `batch` as the writer runs it, on a connection of its own while the writer
/// idles: the joined run fails as a whole, the careful run follows, and every write is
/// answered.
async fn commit_after_a_failed_join(store: &SqliteStore, mut batch: Vec<Box<dyn Job>>) {
    let mut conn = store.writer_connection().await;
    assert!(
        !commit_optimistically(&mut conn, &mut batch).await,
        "the joined write fails as a whole"
    );
    commit_carefully(&mut conn, &mut batch).await;
    for job in batch {
        job.answer();
    }
}

#[tokio::test]
async fn a_failing_create_in_a_joined_batch_fails_alone() {
    let store = SqliteStore::open_temporary().await.unwrap();
    let (customer, agent, group) = desk(&store).await;
    let mut news = creates(&customer, &agent, group);
    news.truncate(4);
    news[2].ticket.group_id = Some(GroupId(999));
    let (batch, answers): (Vec<_>, Vec<_>) = news.into_iter().map(queued_create).unzip();
    assert_eq!(joined_until(&batch, 0), 4, "the four creates run as one");

    commit_after_a_failed_join(&store, batch).await;
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
    let mut batch: Vec<Box<dyn Job>> = news.into_iter().map(|n| queued_create(n).0).collect();
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

/// Events as a desk appends them to the tickets of [`creates`] within one batch: a
/// first public answer (which mails the requester and sets the first response), an
/// internal note, the requester's reply, and an answer on an answered ticket.
fn appends(tickets: &[Ticket], customer: &User, agent: &User) -> Vec<EventAppend> {
    let now = at(120);
    tickets
        .iter()
        .enumerate()
        .map(|(i, ticket)| {
            let (kind, actor, visibility) = match i % 4 {
                0 => (
                    EventKind::Reply {
                        body: "Please restart it".into(),
                    },
                    agent.id,
                    Visibility::Public,
                ),
                1 => (
                    EventKind::Note {
                        body: "Toner ordered".into(),
                    },
                    agent.id,
                    Visibility::Internal,
                ),
                2 => (
                    EventKind::Reply {
                        body: "It still jams".into(),
                    },
                    customer.id,
                    Visibility::Public,
                ),
                _ => (
                    EventKind::Reply {
                        body: "A technician is on the way".into(),
                    },
                    agent.id,
                    Visibility::Public,
                ),
            };
            let mut event = NewEvent::new(kind, Some(actor), Channel::Agent, now);
            event.visibility = visibility;
            EventAppend {
                ticket_id: ticket.id,
                event,
                marks_first_response: actor == agent.id && visibility == Visibility::Public,
                idempotency: None,
                notices: Vec::new(),
            }
        })
        .collect()
}

/// Two stores holding the same desk and the tickets of [`creates`], with the tickets.
async fn twin_desks() -> ((SqliteStore, SqliteStore), (User, User), Vec<Ticket>) {
    let single = SqliteStore::open_temporary().await.unwrap();
    let joined = SqliteStore::open_temporary().await.unwrap();
    let (customer, agent, group) = desk(&single).await;
    assert_eq!(
        desk(&joined).await,
        (customer.clone(), agent.clone(), group)
    );
    let mut made = Vec::new();
    for new in creates(&customer, &agent, group) {
        let ticket = single.create_ticket(new.clone()).await.unwrap();
        assert_eq!(joined.create_ticket(new).await.unwrap(), ticket);
        made.push(ticket.into_inner());
    }
    // The third ticket (unanswered; its requester replies below) has had its
    // first-response warning: its next SLA job is the breach, not the warning.
    let warned = (made[2].id, made[2].created_at);
    for store in [&single, &joined] {
        store
            .write(warned, |c, (ticket, start)| {
                Box::pin(async move {
                    sqlx::query(
                        "insert into ticket_marks (ticket_id, mark, cycle_start, created_at, \
                         updated_at) values ($1, $2, $3, $3, $3)",
                    )
                    .bind(ticket.get())
                    .bind(ferrodesk_domain::sla::sla_mark(
                        false,
                        TargetKind::FirstResponse,
                    ))
                    .bind(start.as_microsecond())
                    .execute(&mut *c)
                    .await
                    .unwrap();
                    Ok(())
                })
            })
            .await
            .unwrap();
    }
    ((single, joined), (customer, agent), made)
}

async fn append_joined(store: &SqliteStore, appends: Vec<EventAppend>) -> Vec<Created<Event>> {
    store
        .write(appends, |c, appends| {
            Box::pin(async move {
                let appends: Vec<&EventAppend> = appends.iter().collect();
                tickets::append_events(c, &appends).await
            })
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn joined_appends_write_the_rows_of_single_appends() {
    let ((single, joined), (customer, agent), made) = twin_desks().await;
    let batch = appends(&made, &customer, &agent);

    let mut one_by_one = Vec::new();
    for append in batch.clone() {
        one_by_one.push(single.append_event(append).await.unwrap());
    }
    let together = append_joined(&joined, batch).await;

    assert_eq!(together, one_by_one);
    for table in WRITTEN {
        assert_eq!(
            dump(&joined, table).await,
            dump(&single, table).await,
            "rows of {table}"
        );
    }
    let answered = made
        .iter()
        .filter(|t| t.first_response_at.is_none())
        .count();
    let rollups = dump(&joined, "report_rollups").await;
    assert!(
        !rollups.is_empty() && answered > 0,
        "first answers are counted in the rollups"
    );
    for ticket in &made {
        let after = joined.get_ticket(ticket.id).await.unwrap();
        assert_eq!(after.version, ticket.version + 1, "ticket {}", ticket.id);
        assert_eq!(after.updated_at, at(120));
    }
}

#[tokio::test]
async fn joined_appends_to_one_ticket_are_written_in_order() {
    let ((single, joined), (customer, agent), made) = twin_desks().await;
    // Three events on the first ticket, with others between them.
    let mut batch = appends(&made[..3], &customer, &agent);
    let mut again = appends(&made[..1], &customer, &agent);
    again[0].event.kind = EventKind::Note {
        body: "Checked the fuser".into(),
    };
    batch.insert(1, again[0].clone());
    batch.push(again.remove(0));

    let mut one_by_one = Vec::new();
    for append in batch.clone() {
        one_by_one.push(single.append_event(append).await.unwrap());
    }
    assert_eq!(append_joined(&joined, batch).await, one_by_one);
    for table in WRITTEN {
        assert_eq!(
            dump(&joined, table).await,
            dump(&single, table).await,
            "rows of {table}"
        );
    }
    assert_eq!(
        joined.get_ticket(made[0].id).await.unwrap().version,
        made[0].version + 3
    );
}

#[tokio::test]
async fn a_failing_append_in_a_joined_batch_fails_alone() {
    let ((store, _), (customer, agent), made) = twin_desks().await;
    let mut batch = appends(&made[..4], &customer, &agent);
    batch[1].ticket_id = TicketId(999);
    let events_before = dump(&store, "ticket_events").await.len();
    let (jobs, answers): (Vec<Box<dyn Job>>, Vec<_>) = batch
        .into_iter()
        .map(|append| {
            queued::<EventAppend, Created<Event>>(
                append,
                |c, append| Box::pin(tickets::append_event(c, append)),
                |c, appends| Box::pin(tickets::append_events(c, appends)),
            )
        })
        .unzip();
    assert_eq!(joined_until(&jobs, 0), 4, "the four appends run as one");

    commit_after_a_failed_join(&store, jobs).await;
    for (index, answer) in answers.into_iter().enumerate() {
        let outcome = answer.await.unwrap();
        if index == 1 {
            let err = outcome.unwrap_err();
            assert!(matches!(err, StoreError::NotFound { .. }), "{err}");
        } else {
            let event = outcome.unwrap().into_inner();
            assert_eq!(store.get_event(event.id).await.unwrap(), event);
        }
    }
    assert_eq!(
        dump(&store, "ticket_events").await.len(),
        events_before + 3,
        "the three good appends are kept, nothing of the failed one"
    );
    assert_eq!(
        store.get_ticket(made[1].id).await.unwrap().version,
        made[1].version,
        "the ticket of the failed append is unchanged"
    );
}

/// Messages as the intake files them within one batch: three new tickets, then the
/// requester's answers on the first `answered` of `made` (two addresses each, one of
/// them shared by all). New tickets come first: the joined write numbers their events
/// before the changes' events.
fn filings(customer: &User, made: &[Ticket], answered: usize, tag: &str) -> Vec<InboundFiling> {
    let now = at(180);
    let colleague = EmailAddress::parse("colleague@example.com").unwrap();
    let record = |n: usize, subject: &str| InboundRecord {
        message_id: format!("{tag}-{n}@mail.example.com"),
        mailbox_id: None,
        sender: customer.email.clone(),
        subject: subject.into(),
        html_body: n.is_multiple_of(2).then(|| format!("<p>{subject}</p>")),
        full_text: format!("{subject}\n> earlier"),
        may_auto_reply: !n.is_multiple_of(3),
        participants: vec![customer.email.clone(), colleague.clone()],
        now,
    };
    let news = (0..3).map(|n| {
        let mut ticket = ticket(customer, &format!("Scanner {n} is offline"), now);
        ticket.channel = Channel::Email;
        InboundFiling {
            record: record(n, &ticket.subject.clone()),
            filing: Filing::NewTicket(Box::new(new_ticket(ticket, vec![]))),
            retry_of: None,
            settings_version: None,
        }
    });
    let answers = made.iter().take(answered).enumerate().map(|(n, before)| {
        let mut after = before.clone();
        after.updated_at = now;
        let reply = NewEvent::new(
            EventKind::Reply {
                body: "It happened again this morning".into(),
            },
            Some(customer.id),
            Channel::Email,
            now,
        );
        InboundFiling {
            record: record(10 + n, &format!("Re: {}", before.subject)),
            filing: Filing::Change(Box::new(TicketChange::new(
                before.clone(),
                after,
                vec![reply],
            ))),
            retry_of: None,
            settings_version: None,
        }
    });
    news.chain(answers).collect()
}

/// What filing mail leaves behind besides a ticket write's rows.
const FILED: [&str; 2] = ["mail_messages", "mail_participants"];

#[tokio::test]
async fn joined_filings_write_the_rows_of_single_filings() {
    let ((single, joined), (customer, _), made) = twin_desks().await;
    let batch = filings(&customer, &made, 4, "joined");

    let mut one_by_one = Vec::new();
    for filing in batch.clone() {
        one_by_one.push(single.file_inbound(filing).await.unwrap());
    }
    let together = joined
        .write(batch, |c, batch| {
            Box::pin(async move {
                let batch: Vec<&InboundFiling> = batch.iter().collect();
                crate::sql::mail::file_inbound_all(c, &batch).await
            })
        })
        .await
        .unwrap();

    assert_eq!(together, one_by_one);
    assert_eq!(together.len(), 7);
    for table in WRITTEN.iter().chain(&FILED) {
        assert_eq!(
            dump(&joined, table).await,
            dump(&single, table).await,
            "rows of {table}"
        );
    }
    let messages = dump(&joined, "mail_messages").await;
    assert_eq!(messages.len(), 7, "every message is kept");
    for ticket in made.iter().take(4) {
        let after = joined.get_ticket(ticket.id).await.unwrap();
        assert_eq!(after.version, ticket.version + 1, "ticket {}", ticket.id);
    }
}

/// A filing queued as the store queues a joinable one, with its receiver.
fn queued_filing(filing: InboundFiling) -> (Box<dyn Job>, oneshot::Receiver<StoreResult<Filed>>) {
    queued(
        filing,
        |c, filing| Box::pin(crate::sql::mail::file_inbound(c, filing)),
        |c, filings| Box::pin(crate::sql::mail::file_inbound_all(c, filings)),
    )
}

#[tokio::test]
async fn a_message_filed_before_is_answered_as_a_duplicate_in_a_joined_batch() {
    let ((store, _), (customer, _), made) = twin_desks().await;
    let mut batch = filings(&customer, &made, 2, "twice");
    let earlier = store.file_inbound(batch[3].clone()).await.unwrap();
    // The answer filed before is in the batch again, at the same ticket's version it
    // had then, as a second poll of the same mailbox would file it.
    assert_eq!(earlier, Filed::Stored(made[0].id));
    batch.truncate(5);
    let (jobs, answers): (Vec<_>, Vec<_>) = batch.into_iter().map(queued_filing).unzip();
    assert_eq!(joined_until(&jobs, 0), 5, "the five filings run as one");

    commit_after_a_failed_join(&store, jobs).await;
    let mut outcomes = Vec::new();
    for answer in answers {
        outcomes.push(answer.await.unwrap().unwrap());
    }
    assert_eq!(outcomes[3], Filed::Duplicate(made[0].id));
    assert_eq!(outcomes[4], Filed::Stored(made[1].id));
    assert!(outcomes[..3].iter().all(|o| matches!(o, Filed::Stored(_))));
    assert_eq!(dump(&store, "mail_messages").await.len(), 5);
    let answered = store.get_ticket(made[0].id).await.unwrap();
    assert_eq!(
        answered.version,
        made[0].version + 1,
        "the answer is filed once"
    );
}
