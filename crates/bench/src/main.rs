//! `ferrodesk-bench`: measure Ferrodesk at scale. See BENCHMARKS.md for the commands
//! and the latest figures.

use anyhow::Context as _;
use clap::Parser;
use std::path::PathBuf;
use std::time::Duration;

/// Generate a desk at scale, start the real server and measure it over HTTP.
#[derive(Debug, Parser)]
#[command(name = "ferrodesk-bench", version, about)]
struct Args {
    /// Tickets in the generated desk.
    #[arg(long, default_value_t = 100_000)]
    tickets: usize,
    /// Data directory; a desk generated there before is reused.
    #[arg(long)]
    data: Option<PathBuf>,
    /// PostgreSQL URL (SQLite in the data directory otherwise).
    #[arg(long, env = "FERRODESK_BENCH_DATABASE_URL", hide_env_values = true)]
    database: Option<String>,
    /// The `ferrodesk` binary (default: beside this one).
    #[arg(long)]
    server: Option<PathBuf>,
    /// Longest time per scenario, in seconds.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Most requests per scenario.
    #[arg(long, default_value_t = 50_000)]
    requests: u64,
    /// Only scenarios whose names start with these (comma-separated).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // What runs in this process (generation, mail intake) logs as the server does:
    // `FERRODESK_LOG=sqlx::query=debug` shows every statement and its time. Quiet by
    // default, so the tables stay readable.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("FERRODESK_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("error")),
        )
        .with_writer(std::io::stderr)
        .init();
    let server_binary = match args.server {
        Some(path) => path,
        None => std::env::current_exe()?
            .parent()
            .context("locating the binary's folder")?
            .join("ferrodesk"),
    };
    anyhow::ensure!(
        server_binary.exists(),
        "{} not found: build it first with `cargo build --release -p ferrodesk` or pass --server",
        server_binary.display()
    );
    let data_dir = args.data.unwrap_or_else(|| {
        PathBuf::from(format!(
            "bench-data/{}-{}",
            if args.database.is_some() {
                "pg"
            } else {
                "sqlite"
            },
            args.tickets
        ))
    });
    let options = ferrodesk_bench::BenchOptions {
        tickets: args.tickets,
        data_dir,
        database: args.database,
        server_binary,
        duration: Duration::from_secs(args.seconds),
        max_requests: args.requests,
        only: args.only,
    };
    let report = ferrodesk_bench::run(&options).await?;
    println!("{}", report.to_markdown());
    Ok(())
}
