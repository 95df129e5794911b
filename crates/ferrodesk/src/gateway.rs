//! `ferrodesk mail-gateway`: reads one RFC 5322 message on standard input and files it,
//! for mail servers that pipe messages to a command (Postfix `pipe`, Exim `pipe`,
//! procmail, fetchmail's `--mda`).
//!
//! Exit codes follow `sysexits.h`, which mail servers read:
//!
//! - `0`: stored — on a ticket, recognized as a duplicate, or held in the quarantine
//!   for an admin (with its reason printed). Nothing is lost either way.
//! - `65` (`EX_DATAERR`): rejected and not stored (empty input, or larger than the
//!   message size limit); the server bounces it.
//! - `75` (`EX_TEMPFAIL`): the database could not be reached or failed; the server
//!   keeps the message and tries again later.
//! - `64` (`EX_USAGE`): an unknown `--mailbox`.

use crate::cli::{GlobalArgs, MailGatewayArgs};
use crate::config::Config;
use ferrodesk_app::mail::{FiledAs, IntakeOptions, IntakeOutcome};
use std::io::Read as _;
use std::process::ExitCode;

const EX_USAGE: u8 = 64;
const EX_DATAERR: u8 = 65;
const EX_TEMPFAIL: u8 = 75;

/// Runs the command and maps its outcome to an exit code.
pub fn main(global: &GlobalArgs, args: &MailGatewayArgs) -> ExitCode {
    let mut raw = Vec::new();
    let limit = ferrodesk_app::AppConfig::default().mail.max_message_bytes;
    // Read one byte past the limit to tell "at the limit" from "over it".
    let read = std::io::stdin()
        .take(u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1))
        .read_to_end(&mut raw);
    if let Err(error) = read {
        eprintln!("error: reading the message from standard input: {error}");
        return ExitCode::from(EX_TEMPFAIL);
    }
    if raw.iter().all(u8::is_ascii_whitespace) {
        eprintln!("rejected: the message is empty");
        return ExitCode::from(EX_DATAERR);
    }
    if raw.len() > limit {
        eprintln!("rejected: the message is larger than {limit} bytes");
        return ExitCode::from(EX_DATAERR);
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::from(EX_TEMPFAIL);
        }
    };
    runtime.block_on(file(global, args, &raw))
}

async fn file(global: &GlobalArgs, args: &MailGatewayArgs, raw: &[u8]) -> ExitCode {
    let app = match Config::from_cli(global) {
        Ok(config) => match config.open_app().await {
            Ok(app) => app,
            Err(error) => {
                eprintln!("error: {error:#}");
                return ExitCode::from(EX_TEMPFAIL);
            }
        },
        Err(error) => {
            eprintln!("error: {error:#}");
            return ExitCode::from(EX_USAGE);
        }
    };
    let mailbox = match &args.mailbox {
        None => None,
        Some(address) => match app.store().list_mailboxes().await {
            Ok(mailboxes) => match mailboxes
                .into_iter()
                .find(|m| m.address.as_str().eq_ignore_ascii_case(address.trim()))
            {
                Some(mailbox) => Some(mailbox.id),
                None => {
                    eprintln!("error: no mailbox has the address {address}");
                    return ExitCode::from(EX_USAGE);
                }
            },
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::from(EX_TEMPFAIL);
            }
        },
    };
    let outcome = app
        .mail_intake()
        .file(
            raw,
            IntakeOptions {
                mailbox,
                ..IntakeOptions::default()
            },
        )
        .await;
    match outcome {
        Ok(IntakeOutcome::Filed { ticket, kind, .. }) => {
            let how = match kind {
                FiledAs::NewTicket => "opened",
                FiledAs::Reply => "added to",
                FiledAs::FollowUp => "opened follow-up",
                FiledAs::Bounce => "bounce noted on",
                FiledAs::VendorAnswer => "vendor answer added to",
            };
            println!("{how} ticket {}", ticket.display_number());
            ExitCode::SUCCESS
        }
        Ok(IntakeOutcome::Duplicate { ticket }) => {
            println!("duplicate: already on ticket {}", ticket.display_number());
            ExitCode::SUCCESS
        }
        Ok(IntakeOutcome::Quarantined { id, code, reason }) => {
            println!("quarantined as {} ({code}): {reason}", id.0);
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: the message was not stored: {error}");
            ExitCode::from(EX_TEMPFAIL)
        }
    }
}
