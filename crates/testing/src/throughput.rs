//! Throughput of concurrent creates and of the bulk path, measured, not asserted
//! (timings depend on the machine). Both adapters' test binaries expand
//! [`store_throughput_tests!`](crate::store_throughput_tests) with the store they
//! measure. Run with
//! `cargo test --release -p ferrodesk-store-sqlite --test it -- --ignored --nocapture`
//! (or `-p ferrodesk-store-postgres`).

use ferrodesk_domain::{
    Channel, EventKind, Impact, NewEvent, Priority, Role, Ticket, TicketId, TicketScope,
    TicketStatus, TicketType, Tier, Urgency,
};
use ferrodesk_store::{
    NewGroup, NewTicket, NewUser, PageRequest, Store, TicketFilter, TicketQuery, TicketSort,
};
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// Expands to the two `#[ignore]`d measurements. `$measured_store` is an async
/// function of `Option<PathBuf>` (a database file to use, or a temporary one) giving
/// `Option<Arc<dyn Store>>` (`None` skips).
#[macro_export]
macro_rules! store_throughput_tests {
    ($measured_store:path) => {
        mod throughput {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[ignore = "a measurement; run by hand in release mode"]
            async fn creates_per_second_with_32_callers() {
                $crate::throughput::creates_per_second_with_32_callers($measured_store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[ignore = "a measurement; run by hand in release mode"]
            async fn bulk_create_and_queue_listing_at_scale() {
                $crate::throughput::bulk_create_and_queue_listing_at_scale($measured_store).await;
            }
        }
    };
}

/// CPU seconds this process used so far (user + system), from /proc; 0 elsewhere.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // Fields after the command: state is 0, utime is 11, stime is 12; 100 ticks a second.
    (ticks(11) + ticks(12)) / 100.0
}

async fn desk(store: &dyn Store) -> (ferrodesk_domain::User, Vec<ferrodesk_domain::GroupId>) {
    let mut groups = Vec::new();
    for i in 0..20 {
        groups.push(
            store
                .create_group(NewGroup {
                    name: format!("Group {i}"),
                    tier: Tier::FIRST,
                    description: String::new(),
                    escalates_to: None,
                    now: jiff::Timestamp::now(),
                })
                .await
                .unwrap()
                .id,
        );
    }
    let user = store
        .create_user(NewUser {
            email: ferrodesk_domain::EmailAddress::parse("bench@example.com").unwrap(),
            name: "Bench".into(),
            role: Role::Customer,
            organization_id: None,
            phone: None,
            location: None,
            employee_id: None,
            locale: "en".into(),
            time_zone: "UTC".into(),
            tier: None,
            group_ids: vec![],
            password_hash: None,
            now: jiff::Timestamp::now(),
        })
        .await
        .unwrap();
    (user, groups)
}

fn ticket(requester: &ferrodesk_domain::User, group: ferrodesk_domain::GroupId, i: i64) -> Ticket {
    let now = jiff::Timestamp::from_second(1_700_000_000 + i).unwrap();
    Ticket {
        id: TicketId(0),
        version: 0,
        subject: format!("Bench ticket {i}"),
        description: "Something is broken and needs fixing.".into(),
        ticket_type: TicketType::Incident,
        status: if i % 4 == 0 {
            TicketStatus::Closed
        } else {
            TicketStatus::Open
        },
        impact: Impact::Individual,
        urgency: Urgency::Medium,
        priority: Priority::ALL[(i % 4) as usize],
        priority_reason: None,
        category_id: None,
        service_id: None,
        location: None,
        device: None,
        requester_id: requester.id,
        organization_id: None,
        channel: Channel::Email,
        group_id: Some(group),
        tier: Tier::FIRST,
        owner_id: None,
        assignee_id: None,
        tags: vec!["bench".into()],
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

fn created(t: &Ticket) -> NewEvent {
    NewEvent::new(
        EventKind::Created {
            subject: t.subject.clone(),
        },
        Some(t.requester_id),
        Channel::Email,
        t.created_at,
    )
}

/// Creates 8,000 tickets from 32 concurrent callers and prints the rate.
pub async fn creates_per_second_with_32_callers<F, Fut>(measured_store: F)
where
    F: FnOnce(Option<PathBuf>) -> Fut,
    Fut: Future<Output = Option<Arc<dyn Store>>>,
{
    let Some(store) = measured_store(None).await else {
        return;
    };
    let (user, groups) = desk(store.as_ref()).await;
    let per_caller = 250;
    let start = Instant::now();
    let cpu = cpu_seconds();
    let mut tasks = Vec::new();
    for caller in 0..32_i64 {
        let store = store.clone();
        let user = user.clone();
        let groups = groups.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..per_caller {
                let t = ticket(
                    &user,
                    groups[(i as usize) % groups.len()],
                    caller * 1000 + i,
                );
                let events = vec![created(&t)];
                store
                    .create_ticket(NewTicket {
                        ticket: t,
                        events,
                        links: vec![],
                        idempotency: None,
                        settings_version: None,
                        notices: Vec::new(),
                        round_robin: None,
                        custom_values: Vec::new(),
                    })
                    .await
                    .unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let elapsed = start.elapsed();
    let total = 32 * per_caller;
    let cpu = cpu_seconds() - cpu;
    eprintln!(
        "{total} creates by 32 callers in {elapsed:?}: {:.0}/s; {:.0} µs of CPU each",
        total as f64 / elapsed.as_secs_f64(),
        cpu * 1e6 / total as f64
    );
}

/// Bulk-creates `FERRODESK_BENCH_TICKETS` tickets (200,000 by default; in the file
/// `FERRODESK_BENCH_DB` if set) and prints the rate and the queue listing's latency.
pub async fn bulk_create_and_queue_listing_at_scale<F, Fut>(measured_store: F)
where
    F: FnOnce(Option<PathBuf>) -> Fut,
    Fut: Future<Output = Option<Arc<dyn Store>>>,
{
    let count: i64 = std::env::var("FERRODESK_BENCH_TICKETS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let path = std::env::var("FERRODESK_BENCH_DB").ok();
    let Some(store) = measured_store(path.map(PathBuf::from)).await else {
        return;
    };
    let (user, groups) = desk(store.as_ref()).await;
    let start = Instant::now();
    let mut made = 0;
    while made < count {
        let batch: Vec<(Ticket, Vec<NewEvent>)> = (made..(made + 10_000).min(count))
            .map(|i| {
                let t = ticket(&user, groups[(i as usize) % groups.len()], i);
                let events = vec![created(&t)];
                (t, events)
            })
            .collect();
        made += batch.len() as i64;
        store.bulk_create_tickets(batch).await.unwrap();
    }
    let elapsed = start.elapsed();
    eprintln!(
        "bulk: {count} tickets in {elapsed:?}: {:.0}/s",
        count as f64 / elapsed.as_secs_f64()
    );
    let scopes = [
        ("all", TicketScope::All),
        (
            "agent",
            TicketScope::Agent {
                user_id: user.id,
                group_ids: groups[..3].to_vec(),
            },
        ),
    ];
    for (name, scope) in scopes {
        for sort in [
            TicketSort::UpdatedDesc,
            TicketSort::PriorityDesc,
            TicketSort::CreatedAsc,
        ] {
            let mut query = TicketQuery {
                filter: TicketFilter {
                    open_only: true,
                    ..TicketFilter::default()
                },
                sort,
                page: PageRequest::first(50),
            };
            let start = Instant::now();
            for _ in 0..5 {
                let page = store.list_tickets(&scope, &query).await.unwrap();
                query.page.cursor = page.next_cursor;
            }
            eprintln!("{name} open {sort:?}: 5 pages in {:?}", start.elapsed());
        }
    }
    let mut query = TicketQuery {
        filter: TicketFilter {
            group_id: Some(groups[1]),
            open_only: true,
            ..TicketFilter::default()
        },
        ..TicketQuery::default()
    };
    let start = Instant::now();
    for _ in 0..5 {
        let page = store.list_tickets(&TicketScope::All, &query).await.unwrap();
        query.page.cursor = page.next_cursor;
    }
    eprintln!("group queue: 5 pages in {:?}", start.elapsed());
    let start = Instant::now();
    let counts = store.queue_counts().await.unwrap();
    eprintln!(
        "queue counts in {:?}: {:?}",
        start.elapsed(),
        counts.by_status
    );
}
