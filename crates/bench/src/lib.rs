//! The bench tool: Ferrodesk measured at scale, by anyone, with one command.
//!
//! It generates a realistic desk through the storage layer's bulk path (the same
//! generator as `serve --demo`), starts the real `ferrodesk serve` binary against it,
//! drives it over HTTP on 127.0.0.1 with concurrent clients (bounded in count and
//! time), and reports throughput and latency percentiles per scenario plus
//! whole-process figures: start-up time to healthy, idle memory and peak memory.
//!
//! Adding a scenario takes a few lines in [`scenarios`]: a name, a client count and a
//! closure that sends one request.

mod mail;
mod measure;
mod prepare;
pub mod scenarios;

pub use measure::{ProcessFigures, ScenarioResult};

use anyhow::Context as _;
use std::path::PathBuf;
use std::time::Duration;

/// What to measure and how hard.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// Tickets in the generated desk.
    pub tickets: usize,
    /// Data directory (kept between runs: an existing desk is reused).
    pub data_dir: PathBuf,
    /// PostgreSQL URL; SQLite in `data_dir` when `None`.
    pub database: Option<String>,
    /// The `ferrodesk` binary to start.
    pub server_binary: PathBuf,
    /// Longest time per scenario.
    pub duration: Duration,
    /// Most requests per scenario.
    pub max_requests: u64,
    /// Only these scenarios (all when empty).
    pub only: Vec<String>,
}

/// Everything measured in one run.
#[derive(Debug, Clone)]
pub struct Report {
    /// Tickets in the desk.
    pub tickets: usize,
    /// Seconds spent generating data (0 when reused).
    pub generation_seconds: f64,
    /// Tickets generated per second (0 when reused).
    pub generation_rate: f64,
    /// Process figures.
    pub process: ProcessFigures,
    /// One row per scenario.
    pub scenarios: Vec<ScenarioResult>,
    /// Which database.
    pub backend: String,
    /// Seconds spent bringing the search index up to date before measuring.
    pub index_seconds: f64,
    /// Documents indexed in that time.
    pub index_documents: usize,
    /// Seconds spent letting the index's merges finish after that.
    pub merge_seconds: f64,
    /// Timers that had come due and were run before measuring.
    pub jobs_run: usize,
    /// Seconds spent running them.
    pub jobs_seconds: f64,
}

impl Report {
    /// A Markdown table, as pasted into BENCHMARKS.md.
    pub fn to_markdown(&self) -> String {
        let mut out = format!(
            "backend: {}, tickets: {}, generation: {:.1} s ({:.0} tickets/s), \
             search index: {} documents in {:.1} s, merged in {:.1} s, due timers: {} in {:.1} s\n\n\
             | scenario | clients | requests | errors | throughput (req/s) | p50 (ms) | p99 (ms) | max (ms) |\n\
             |---|---|---|---|---|---|---|---|\n",
            self.backend,
            self.tickets,
            self.generation_seconds,
            self.generation_rate,
            self.index_documents,
            self.index_seconds,
            self.merge_seconds,
            self.jobs_run,
            self.jobs_seconds
        );
        for s in &self.scenarios {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {:.0} | {:.2} | {:.2} | {:.2} |\n",
                s.name, s.clients, s.requests, s.errors, s.throughput, s.p50_ms, s.p99_ms, s.max_ms
            ));
        }
        out.push_str(&format!(
            "\n| process | value |\n|---|---|\n| start to healthy | {:.0} ms |\n| idle memory (RSS) | {:.1} MB |\n| peak memory under load (RSS high-water mark) | {:.1} MB |\n",
            self.process.start_to_healthy_ms, self.process.idle_rss_mb, self.process.peak_rss_mb
        ));
        out
    }
}

/// Generates (or reuses) the desk, starts the server, runs the scenarios.
///
/// # Errors
/// When the data cannot be generated, the server does not start, or a scenario cannot
/// be prepared. Failed requests are counted, not errors.
pub async fn run(options: &BenchOptions) -> anyhow::Result<Report> {
    let prepared = prepare::prepare(options)
        .await
        .context("preparing the desk")?;
    let server = measure::Server::start(options)
        .await
        .context("starting the server")?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .context("building the HTTP client")?;
    let context = scenarios::Context {
        base: server.base.clone(),
        client,
        data: prepared.fixtures.clone(),
    };
    let mut results = Vec::new();
    for scenario in scenarios::all() {
        if !options.only.is_empty()
            && !options
                .only
                .iter()
                .any(|o| scenario.name.starts_with(o.as_str()))
        {
            continue;
        }
        results.push(measure::run_scenario(&scenario, &context, options).await);
    }
    let process = server.figures();
    server.stop().await;
    if options.only.is_empty()
        || options
            .only
            .iter()
            .any(|o| mail::NAME.starts_with(o.as_str()))
    {
        results.push(
            mail::run(options)
                .await
                .context("the mail-intake scenario")?,
        );
    }
    Ok(Report {
        tickets: prepared.tickets,
        generation_seconds: prepared.generation_seconds,
        generation_rate: if prepared.generation_seconds > 0.0 {
            prepared.generated as f64 / prepared.generation_seconds
        } else {
            0.0
        },
        process,
        scenarios: results,
        index_seconds: prepared.index_seconds,
        merge_seconds: prepared.merge_seconds,
        index_documents: prepared.index_documents,
        jobs_run: prepared.jobs_run,
        jobs_seconds: prepared.jobs_seconds,
        backend: if options.database.is_some() {
            "PostgreSQL".into()
        } else {
            "SQLite".into()
        },
    })
}
