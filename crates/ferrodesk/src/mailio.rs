//! The mail background tasks `serve` starts beside the job runner: the outbox's SMTP
//! delivery worker (when an SMTP server is configured) and the IMAP poller (unless
//! `--no-imap`).

use clap::Args;
use ferrodesk_mail::{DeliveryWorker, ImapPoller, ImapSettings, SmtpSettings, SmtpTransport};
use std::sync::Arc;
use std::time::Duration;

/// Mail options of `serve`.
#[derive(Debug, Args)]
pub struct MailArgs {
    /// SMTP server for outbound mail: `smtp://host:25` (plain),
    /// `smtp://host:587?tls=required` (STARTTLS), `smtps://host:465` (TLS); user and
    /// password may be in the URL. Without it, notifications wait in the outbox.
    #[arg(long, env = "FERRODESK_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// SMTP login, when not in the URL.
    #[arg(long, env = "FERRODESK_SMTP_USERNAME")]
    pub smtp_username: Option<String>,
    /// SMTP password, when not in the URL.
    #[arg(long, env = "FERRODESK_SMTP_PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<String>,
    /// Seconds one SMTP command may take.
    #[arg(long, env = "FERRODESK_SMTP_TIMEOUT", default_value_t = 30)]
    pub smtp_timeout: u64,
    /// Seconds between looks at the outbox for due messages.
    #[arg(long, env = "FERRODESK_OUTBOX_INTERVAL", default_value_t = 5)]
    pub outbox_interval: u64,
    /// Seconds between polls of an IMAP server without IDLE (and the first pause
    /// after a failure).
    #[arg(long, env = "FERRODESK_IMAP_POLL_INTERVAL", default_value_t = 60)]
    pub imap_poll_interval: u64,
    /// PEM file of extra CA certificates to trust for IMAP (a company CA); the
    /// Mozilla roots are always trusted.
    #[arg(long, env = "FERRODESK_IMAP_CA_FILE")]
    pub imap_ca_file: Option<std::path::PathBuf>,
    /// Do not read the mailboxes' IMAP accounts on this node.
    #[arg(long, env = "FERRODESK_NO_IMAP")]
    pub no_imap: bool,
}

/// The running mail tasks; [`MailTasks::stop`] ends them.
pub struct MailTasks {
    stop: tokio::sync::watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

/// The checked mail settings.
pub struct MailSetup {
    smtp: Option<SmtpTransport>,
    imap_tls: Option<ferrodesk_mail::TlsConnector>,
}

impl MailSetup {
    /// Whether outbound mail has an SMTP server to go through.
    pub fn has_smtp(&self) -> bool {
        self.smtp.is_some()
    }
}

/// Checks the mail settings (before the port is bound).
pub fn setup(args: &MailArgs) -> anyhow::Result<MailSetup> {
    let imap_tls = if args.no_imap {
        None
    } else {
        Some(ferrodesk_mail::tls_connector(args.imap_ca_file.as_deref())?)
    };
    Ok(MailSetup {
        smtp: smtp_transport(args)?,
        imap_tls,
    })
}

fn smtp_transport(args: &MailArgs) -> anyhow::Result<Option<SmtpTransport>> {
    let Some(url) = args.smtp_url.as_deref().filter(|u| !u.trim().is_empty()) else {
        return Ok(None);
    };
    let settings = SmtpSettings {
        username: args.smtp_username.clone(),
        password: args.smtp_password.clone(),
        timeout: Duration::from_secs(args.smtp_timeout.max(1)),
        ..SmtpSettings::new(url)
    };
    Ok(Some(SmtpTransport::new(&settings)?))
}

/// Starts the mail tasks.
pub fn start(app: &ferrodesk_app::App, args: &MailArgs, setup: MailSetup) -> MailTasks {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut tasks = Vec::new();
    if let Some(tls) = setup.imap_tls {
        let poll_interval = Duration::from_secs(args.imap_poll_interval.max(1));
        let defaults = ImapSettings::default();
        let settings = ImapSettings {
            poll_interval,
            // New and changed mailboxes are picked up at least as often as mail is.
            refresh_interval: defaults.refresh_interval.min(poll_interval),
            ..defaults
        };
        let poller = ImapPoller::new(app.clone(), tls, settings);
        tasks.push(tokio::spawn(poller.run(stopped.clone())));
    }
    match setup.smtp {
        Some(transport) => {
            tracing::info!(?transport, "outbound mail goes through SMTP");
            let worker = DeliveryWorker::new(
                app.clone(),
                Arc::new(transport),
                Duration::from_secs(args.outbox_interval.max(1)),
            );
            tasks.push(tokio::spawn(worker.run(signal(stopped.clone()))));
        }
        None => tracing::warn!(
            "no SMTP server configured (--smtp-url / FERRODESK_SMTP_URL): notifications wait in the outbox"
        ),
    }
    MailTasks { stop, tasks }
}

/// Resolves when `stop` turns true (or its sender is gone).
async fn signal(mut stopped: tokio::sync::watch::Receiver<bool>) {
    let _ = stopped.wait_for(|stop| *stop).await;
}

impl MailTasks {
    /// Stops every task and waits for it.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}
