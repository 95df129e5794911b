//! Running the server process and measuring it: start-up, memory, and the latency of
//! each scenario's requests.

use crate::BenchOptions;
use crate::scenarios::{Context, Scenario};
use anyhow::Context as _;
use hdrhistogram::Histogram;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Whole-process figures.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessFigures {
    /// From spawning the process to the first 200 from `/healthz`.
    pub start_to_healthy_ms: f64,
    /// Resident memory right after start-up, before any load.
    pub idle_rss_mb: f64,
    /// The resident-memory high-water mark at the end of the run.
    pub peak_rss_mb: f64,
}

/// One scenario's figures.
#[derive(Debug, Clone)]
pub struct ScenarioResult {
    /// Scenario name.
    pub name: String,
    /// Concurrent clients.
    pub clients: usize,
    /// Requests completed (any status).
    pub requests: u64,
    /// Requests that failed or did not answer 2xx.
    pub errors: u64,
    /// Successful requests per second.
    pub throughput: f64,
    /// Median latency.
    pub p50_ms: f64,
    /// 99th percentile latency.
    pub p99_ms: f64,
    /// Slowest request.
    pub max_ms: f64,
}

/// The running `ferrodesk serve`.
pub struct Server {
    child: Child,
    /// Base URL.
    pub base: String,
    figures: ProcessFigures,
}

impl Server {
    /// Starts the server on a free port and waits for `/healthz`.
    pub async fn start(options: &BenchOptions) -> anyhow::Result<Server> {
        let started = Instant::now();
        let mut command = Command::new(&options.server_binary);
        command
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(&options.data_dir)
            // Quiet unless the caller asks for the server's log (profiling).
            .env(
                "FERRODESK_LOG",
                std::env::var("FERRODESK_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some(url) = &options.database {
            command.args(["--database", url]);
        }
        let mut child = command
            .spawn()
            .with_context(|| format!("starting {}", options.server_binary.display()))?;
        let stdout = child.stdout.take().context("server stdout")?;
        let base = tokio::task::spawn_blocking(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("Ferrodesk is listening on ") {
                    return Some(url.trim().to_owned());
                }
            }
            None
        })
        .await?
        .context("the server exited before listening")?;
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(response) = client.get(format!("{base}/healthz")).send().await
                && response.status().is_success()
            {
                break;
            }
            anyhow::ensure!(Instant::now() < deadline, "the server never became healthy");
            // Poll often: the figure's resolution is this interval.
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let start_to_healthy_ms = started.elapsed().as_secs_f64() * 1000.0;
        let idle_rss_mb = read_status_kb(child.id(), "VmRSS:").unwrap_or(0.0) / 1024.0;
        Ok(Server {
            child,
            base,
            figures: ProcessFigures {
                start_to_healthy_ms,
                idle_rss_mb,
                peak_rss_mb: 0.0,
            },
        })
    }

    /// The figures so far, with the current memory high-water mark.
    pub fn figures(&self) -> ProcessFigures {
        ProcessFigures {
            peak_rss_mb: read_status_kb(self.child.id(), "VmHWM:").unwrap_or(0.0) / 1024.0,
            ..self.figures
        }
    }

    /// Stops the server with SIGTERM and waits for it.
    pub async fn stop(mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let _ = tokio::task::spawn_blocking(move || self.child.wait()).await;
    }
}

/// Reads a `kB` figure from `/proc/PID/status` (Linux).
fn read_status_kb(pid: u32, field: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs one scenario: `clients` workers send requests until the request budget or the
/// time budget is spent, each latency recorded in microseconds.
pub async fn run_scenario(
    scenario: &Scenario,
    context: &Context,
    options: &BenchOptions,
) -> ScenarioResult {
    let counter = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + options.duration;
    let mut workers = Vec::new();
    for worker in 0..scenario.clients {
        let counter = counter.clone();
        let context = context.clone();
        let send = scenario.send.clone();
        let max = options.max_requests;
        workers.push(tokio::spawn(async move {
            let mut histogram = Histogram::<u64>::new(3).ok();
            let mut errors = 0u64;
            loop {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                if n >= max || Instant::now() >= deadline {
                    break;
                }
                let t0 = Instant::now();
                let ok = matches!(send(context.clone(), worker as u64, n).await, Ok(status) if (200..300).contains(&status));
                let micros = t0.elapsed().as_micros() as u64;
                if let Some(h) = histogram.as_mut() {
                    let _ = h.record(micros.max(1));
                }
                if !ok {
                    errors += 1;
                }
            }
            (histogram, errors)
        }));
    }
    let mut total = Histogram::<u64>::new(3).ok();
    let mut errors = 0;
    for worker in workers {
        if let Ok((Some(h), e)) = worker.await {
            if let Some(total) = total.as_mut() {
                let _ = total.add(&h);
            }
            errors += e;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let (requests, p50, p99, max) = match &total {
        Some(h) => (
            h.len(),
            h.value_at_quantile(0.5),
            h.value_at_quantile(0.99),
            h.max(),
        ),
        None => (0, 0, 0, 0),
    };
    ScenarioResult {
        name: scenario.name.to_owned(),
        clients: scenario.clients,
        requests,
        errors,
        throughput: (requests.saturating_sub(errors)) as f64 / elapsed.max(1e-9),
        p50_ms: p50 as f64 / 1000.0,
        p99_ms: p99 as f64 / 1000.0,
        max_ms: max as f64 / 1000.0,
    }
}
