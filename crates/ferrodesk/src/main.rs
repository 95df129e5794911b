//! The `ferrodesk` binary: the command line, configuration, wiring of store, services
//! and web server, and graceful shutdown.
//!
//! Besides the bench tool, this is the only crate that reads the environment. The
//! commands and flags are part of the contract (docs/ARCHITECTURE.md, "The contract"):
//! `serve`, `migrate`, `users add`, `tokens create`, `seed`, `mail-gateway` and
//! `reindex`, with `--data` / `--database` (or `FERRODESK_DATA` /
//! `FERRODESK_DATABASE_URL`).

mod cli;
mod config;
mod gateway;
mod mailio;
mod serve;

use anyhow::Context as _;
use clap::Parser as _;
use cli::{Cli, Command, TokensCommand, UsersCommand};
use std::io::Read as _;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    if let Command::MailGateway(args) = &cli.command {
        return gateway::main(&cli.global, args);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("FERRODESK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = config::Config::from_cli(&cli.global)?;
    match cli.command {
        Command::Serve(args) => serve::serve(&config, &args).await,
        Command::Migrate => {
            config.open_store().await?;
            println!("database is up to date ({})", config.database);
            Ok(())
        }
        Command::Users(UsersCommand::Add(args)) => {
            let password = if args.password_stdin {
                let mut password = String::new();
                std::io::stdin()
                    .read_to_string(&mut password)
                    .context("reading the password from standard input")?;
                Some(password.trim_end_matches(['\r', '\n']).to_owned())
            } else {
                None
            };
            let app = config.open_app().await?;
            let user = app
                .add_user_as_system(ferrodesk_app::NewUserInput {
                    email: args.email,
                    name: args.name,
                    role: args.role,
                    tier: args.tier,
                    groups: args.group,
                    organization: args.organization,
                    password,
                })
                .await?;
            println!("created {} {} (id {})", user.role, user.email, user.id);
            Ok(())
        }
        Command::Tokens(TokensCommand::Create(args)) => {
            let app = config.open_app().await?;
            let secret = app.create_token_as_system(&args.email, &args.name).await?;
            println!("{secret}");
            Ok(())
        }
        Command::Reindex => {
            let app = config.open_app().await?;
            config.attach_search_index(&app)?;
            let started = std::time::Instant::now();
            let rebuilt = app.search().rebuild().await?;
            println!(
                "search index rebuilt: {} documents in {:.1} s",
                rebuilt.documents,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Seed(args) => {
            let store = config.open_store().await?;
            let now = jiff::Timestamp::now();
            let options = ferrodesk_seed::SeedOptions {
                tickets: args.tickets,
                customers: args.customers,
                ..ferrodesk_seed::SeedOptions::demo(now, None)
            };
            let summary = ferrodesk_seed::seed(store.as_ref(), &options).await?;
            println!(
                "added {} people and {} tickets",
                summary.people, summary.tickets
            );
            Ok(())
        }
        Command::MailGateway(_) => anyhow::bail!("mail-gateway runs through gateway::main"),
    }
}
