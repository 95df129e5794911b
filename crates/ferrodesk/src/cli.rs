//! Command-line arguments. Flag names are part of the contract (docs/ARCHITECTURE.md,
//! "The contract").

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Ferrodesk, an IT help desk in one binary.
#[derive(Debug, Parser)]
#[command(name = "ferrodesk", version, about)]
pub struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Where the desk keeps its data.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Data directory: the SQLite database, attachments and search index.
    #[arg(
        long = "data",
        global = true,
        env = "FERRODESK_DATA",
        default_value = "./data"
    )]
    pub data: PathBuf,
    /// Database URL: `postgres://...` for PostgreSQL; otherwise SQLite under --data.
    #[arg(
        long = "database",
        global = true,
        env = "FERRODESK_DATABASE_URL",
        hide_env_values = true
    )]
    pub database: Option<String>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the desk: web UI and API.
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Manage people.
    #[command(subcommand)]
    Users(UsersCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Tokens(TokensCommand),
    /// Add sample data to an empty desk.
    Seed(SeedArgs),
    /// File one RFC 5322 message read from standard input (for a mail server's pipe).
    MailGateway(MailGatewayArgs),
    /// Rebuild the search index (`<data>/index`) from the database.
    Reindex,
}

/// `mail-gateway` options.
#[derive(Debug, Args)]
pub struct MailGatewayArgs {
    /// The mailbox (its address) the message arrived at; the default mailbox, or the
    /// one a recipient names, otherwise.
    #[arg(long)]
    pub mailbox: Option<String>,
}

/// `serve` options.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "FERRODESK_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Fill an empty desk with realistic sample data.
    #[arg(long)]
    pub demo: bool,
    /// Mark session cookies `Secure` (set when the desk is served over TLS by a proxy).
    #[arg(long, env = "FERRODESK_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Outbound and inbound mail.
    #[command(flatten)]
    pub mail: crate::mailio::MailArgs,
}

/// `users` subcommands.
#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create a person.
    Add(UsersAddArgs),
}

/// `users add` options.
#[derive(Debug, Args)]
pub struct UsersAddArgs {
    /// Email address (their sign-in).
    #[arg(long)]
    pub email: String,
    /// Display name.
    #[arg(long)]
    pub name: String,
    /// customer, agent, supervisor or admin.
    #[arg(long, value_parser = ["customer", "agent", "supervisor", "admin"])]
    pub role: String,
    /// Support tier (1-3) for staff.
    #[arg(long, value_parser = clap::value_parser!(i64).range(1..=3))]
    pub tier: Option<i64>,
    /// Group to join (name); repeat for several.
    #[arg(long)]
    pub group: Vec<String>,
    /// Organization (name) of a customer.
    #[arg(long)]
    pub organization: Option<String>,
    /// Read the password from standard input.
    #[arg(long)]
    pub password_stdin: bool,
}

/// `tokens` subcommands.
#[derive(Debug, Subcommand)]
pub enum TokensCommand {
    /// Create an API token for a person and print it.
    Create(TokensCreateArgs),
}

/// `tokens create` options.
#[derive(Debug, Args)]
pub struct TokensCreateArgs {
    /// The person the token acts as.
    #[arg(long)]
    pub email: String,
    /// A label for the token.
    #[arg(long, default_value = "cli")]
    pub name: String,
}

/// `seed` options.
#[derive(Debug, Args)]
pub struct SeedArgs {
    /// Tickets to generate.
    #[arg(long, default_value_t = 400)]
    pub tickets: usize,
    /// Customers to generate.
    #[arg(long, default_value_t = 60)]
    pub customers: usize,
}
