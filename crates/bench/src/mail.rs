//! The mail-intake scenario: messages filed through the same service
//! `ferrodesk mail-gateway` calls (`App::mail_intake().file`), in this process, on the
//! bench desk's database after the HTTP scenarios stopped the server. Half the
//! messages open tickets, half reply to them by `In-Reply-To`, so threading, the
//! participant check and deduplication are all on the measured path.

use crate::BenchOptions;
use crate::measure::ScenarioResult;
use anyhow::Context as _;
use ferrodesk_app::mail::{IntakeOptions, IntakeOutcome};
use ferrodesk_app::{App, AppConfig, SystemClock};
use ferrodesk_store::Store;
use hdrhistogram::Histogram;
use std::sync::Arc;
use std::time::Instant;

/// The scenario's name in BENCHMARKS.md.
pub const NAME: &str = "mail intake (mail-gateway path)";
/// Concurrent intakes.
const CLIENTS: u64 = 16;

fn message(run: u64, worker: u64, n: u64) -> Vec<u8> {
    let sender = format!("bench-mail-{worker}@example.com");
    let id = format!("bench-{run}-{worker}-{n}@example.com");
    // Odd messages answer the one before them from the same sender.
    let reply = if n % 2 == 1 {
        format!(
            "In-Reply-To: <bench-{run}-{worker}-{}@example.com>\r\n",
            n - 1
        )
    } else {
        String::new()
    };
    format!(
        "From: Bench Sender {worker} <{sender}>\r\nTo: support@desk.example\r\n\
         Subject: Printer on floor {worker} jams ({n})\r\nMessage-ID: <{id}>\r\n{reply}\
         Date: Mon, 2 Mar 2026 09:00:00 +0000\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n\
         The printer jams on every second page since this morning.\r\n\r\n\
         On Mon, 2 Mar 2026, Desk wrote:\r\n> We received your request.\r\n"
    )
    .into_bytes()
}

/// Files messages for the bench's duration (or its request cap) and reports the rate.
///
/// # Errors
/// When the database cannot be opened.
pub async fn run(options: &BenchOptions) -> anyhow::Result<ScenarioResult> {
    let store: Arc<dyn Store> = match &options.database {
        Some(url) => Arc::new(ferrodesk_store_postgres::PgStore::connect(url).await?),
        None => Arc::new(
            ferrodesk_store_sqlite::SqliteStore::open(&options.data_dir.join("ferrodesk.db"))
                .await?,
        ),
    };
    let app = App::new(store, Arc::new(SystemClock), AppConfig::default());
    let run_id = jiff::Timestamp::now().as_millisecond().unsigned_abs();
    // The request cap is shared out exactly, as the HTTP scenarios honour it.
    let share = |worker: u64| {
        options.max_requests / CLIENTS + u64::from(worker < options.max_requests % CLIENTS)
    };
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..CLIENTS {
        let app = app.clone();
        let duration = options.duration;
        let per_worker = share(worker);
        tasks.push(tokio::spawn(async move {
            let mut histogram = Histogram::<u64>::new(3).context("histogram")?;
            let (mut done, mut errors) = (0_u64, 0_u64);
            for n in 0..per_worker {
                if started.elapsed() >= duration && n % 2 == 0 {
                    break;
                }
                let raw = message(run_id, worker, n);
                let one = Instant::now();
                let outcome = app.mail_intake().file(&raw, IntakeOptions::default()).await;
                let micros = u64::try_from(one.elapsed().as_micros()).unwrap_or(u64::MAX);
                histogram.record(micros.max(1)).ok();
                done += 1;
                if !matches!(outcome, Ok(IntakeOutcome::Filed { .. })) {
                    errors += 1;
                }
            }
            anyhow::Ok((histogram, done, errors))
        }));
    }
    let mut histogram = Histogram::<u64>::new(3).context("histogram")?;
    let (mut requests, mut errors) = (0, 0);
    for task in tasks {
        let (h, done, failed) = task.await.context("intake task")??;
        histogram.add(h).ok();
        requests += done;
        errors += failed;
    }
    let seconds = started.elapsed().as_secs_f64().max(f64::EPSILON);
    let ms = |micros: u64| micros as f64 / 1000.0;
    Ok(ScenarioResult {
        name: NAME.to_owned(),
        clients: CLIENTS as usize,
        requests,
        errors,
        throughput: (requests - errors) as f64 / seconds,
        p50_ms: ms(histogram.value_at_quantile(0.5)),
        p99_ms: ms(histogram.value_at_quantile(0.99)),
        max_ms: ms(histogram.max()),
    })
}
