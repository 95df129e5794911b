//! The IMAP poller: reads each enabled mailbox's folder with `async-imap` over TLS or
//! STARTTLS (rustls), files every new message through the intake (the same path as
//! `mail-gateway`), and only then flags, moves or deletes it on the server.
//!
//! Reliability rules:
//! - Progress is the folder's UIDVALIDITY and the highest UID stored, recorded after
//!   each message; the `\Seen` flag, which any mail client can set, is never read. A
//!   new UIDVALIDITY means the server renumbered the folder: it is read again from the
//!   start, and messages already stored are recognized by their Message-ID.
//! - A message that cannot be parsed or filed goes to the quarantine (the intake does
//!   that) and the poller moves on; only a database failure stops a pass, before the
//!   message is touched on the server, so it is fetched again next time.
//! - Each mailbox runs in its own task, so one that hangs or fails never holds up
//!   another. A failed connection, TLS handshake or login is recorded on the mailbox
//!   (`failure_count`, `last_error`); after a few in a row admins see an alert. The
//!   task retries with a growing pause (up to 15 minutes).
//! - Where the server supports IDLE (RFC 2177) the task waits on it and wakes when mail
//!   arrives; otherwise it polls every `poll_interval`.
//! - With several nodes, one node at a time reads a mailbox: its task holds a lease in
//!   the database (renewed after every pass, released on shutdown); a node that stops
//!   lets the lease run out (`idle_timeout` + `pass_timeout`) and another takes over.

use async_imap::types::{Capabilities, Fetch};
use async_imap::{Client, Session};
use ferrodesk_app::mail::{IntakeOptions, IntakeOutcome};
use ferrodesk_app::{App, AppError};
use ferrodesk_store::StoreError;
use ferrodesk_store::mail::{AfterImport, ImapAccount, ImapSecurity, Mailbox, MailboxId};
use futures::TryStreamExt as _;
use rustls_pki_types::ServerName;
use std::collections::HashMap;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

type ImapSession = Session<TlsStream<TcpStream>>;

/// The keyword set on a stored message when the mailbox says `flag`.
const STORED_KEYWORD: &str = "$Ferrodesk";
/// The longest pause between attempts on a failing mailbox.
const MAX_RETRY_PAUSE: Duration = Duration::from_secs(15 * 60);

/// How the poller behaves.
#[derive(Debug, Clone)]
pub struct ImapSettings {
    /// Between polls of a server without IDLE, and the first pause after a failure.
    pub poll_interval: Duration,
    /// How long one IDLE waits before the folder is checked anyway (servers drop idle
    /// connections after 30 minutes, RFC 2177).
    pub idle_timeout: Duration,
    /// How long connecting, the TLS handshake and the login may take.
    pub connect_timeout: Duration,
    /// How long one pass over a folder may take.
    pub pass_timeout: Duration,
    /// How often the mailbox list is read again for new, changed or removed mailboxes.
    pub refresh_interval: Duration,
}

impl Default for ImapSettings {
    fn default() -> Self {
        ImapSettings {
            poll_interval: Duration::from_secs(60),
            idle_timeout: Duration::from_secs(5 * 60),
            connect_timeout: Duration::from_secs(30),
            pass_timeout: Duration::from_secs(10 * 60),
            refresh_interval: Duration::from_secs(30),
        }
    }
}

/// Why a pass over a mailbox failed.
#[derive(Debug, thiserror::Error)]
pub enum PollError {
    /// The mailbox has no IMAP account or is disabled.
    #[error("the mailbox is not set up for IMAP or is disabled")]
    NotPolled,
    /// No TCP connection.
    #[error("cannot connect to {server}: {message}")]
    Connect {
        /// `host:port`.
        server: String,
        /// Why.
        message: String,
    },
    /// The TLS handshake (or STARTTLS) failed.
    #[error("TLS with {server} failed: {message}")]
    Tls {
        /// `host:port`.
        server: String,
        /// Why.
        message: String,
    },
    /// The server refused the login.
    #[error("the server refused the login for {user}: {message}")]
    Login {
        /// The login name.
        user: String,
        /// What the server said.
        message: String,
    },
    /// The server answered something unusable, or the folder cannot be read.
    #[error("IMAP: {0}")]
    Protocol(String),
    /// It took too long.
    #[error("the server did not answer within {0:?}")]
    Timeout(Duration),
    /// The desk could not store what it fetched (nothing was touched on the server).
    #[error("storing mail failed: {0}")]
    Desk(#[from] AppError),
}

impl From<StoreError> for PollError {
    fn from(error: StoreError) -> Self {
        PollError::Desk(error.into())
    }
}

fn protocol(error: async_imap::error::Error) -> PollError {
    PollError::Protocol(error.to_string())
}

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PollReport {
    /// New messages fetched.
    pub fetched: usize,
    /// Filed on a ticket.
    pub filed: usize,
    /// Already stored (by Message-ID).
    pub duplicates: usize,
    /// Held in the quarantine.
    pub quarantined: usize,
    /// Messages stored but not flagged, moved or deleted on the server (the UID
    /// progress keeps them from being fetched again).
    pub left_on_server: usize,
}

fn server(account: &ImapAccount) -> String {
    format!("{}:{}", account.host, account.port)
}

/// Connects, secures the connection and logs in.
async fn connect(account: &ImapAccount, tls: &TlsConnector) -> Result<ImapSession, PollError> {
    let server = server(account);
    let tcp = TcpStream::connect((account.host.as_str(), account.port))
        .await
        .map_err(|e| PollError::Connect {
            server: server.clone(),
            message: e.to_string(),
        })?;
    let name = ServerName::try_from(account.host.clone()).map_err(|e| PollError::Tls {
        server: server.clone(),
        message: e.to_string(),
    })?;
    let tls_error = |e: std::io::Error| PollError::Tls {
        server: server.clone(),
        message: e.to_string(),
    };
    let client = match account.security {
        ImapSecurity::Tls => {
            let stream = tls.connect(name, tcp).await.map_err(tls_error)?;
            let mut client = Client::new(stream);
            greeting(&mut client).await?;
            client
        }
        ImapSecurity::StartTls => {
            let mut client = Client::new(tcp);
            greeting(&mut client).await?;
            client
                .run_command_and_check_ok("STARTTLS", None)
                .await
                .map_err(|e| PollError::Tls {
                    server: server.clone(),
                    message: format!("STARTTLS refused: {e}"),
                })?;
            let stream = tls
                .connect(name, client.into_inner())
                .await
                .map_err(tls_error)?;
            Client::new(stream)
        }
    };
    client
        .login(&account.user, &account.password)
        .await
        .map_err(|(error, _)| PollError::Login {
            user: account.user.clone(),
            message: error.to_string(),
        })
}

async fn greeting<T>(client: &mut Client<T>) -> Result<(), PollError>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    match client.read_response().await {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err(PollError::Protocol(
            "the server closed the connection before its greeting".to_owned(),
        )),
        Err(error) => Err(PollError::Protocol(format!(
            "reading the greeting: {error}"
        ))),
    }
}

/// Where a folder was read up to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Progress {
    uid_validity: Option<u32>,
    last_uid: u32,
}

/// Files every message of the folder past `progress`, then records where it got.
async fn sync(
    app: &App,
    mailbox: &Mailbox,
    account: &ImapAccount,
    capabilities: &Capabilities,
    session: &mut ImapSession,
    progress: &mut Progress,
    report: &mut PollReport,
) -> Result<(), PollError> {
    let selected = session.select(&account.folder).await.map_err(protocol)?;
    let validity = selected.uid_validity.ok_or_else(|| {
        PollError::Protocol("the server gives the folder no UIDVALIDITY".to_owned())
    })?;
    if progress.uid_validity.is_some_and(|known| known != validity) {
        tracing::warn!(
            mailbox = mailbox.id.0,
            "the folder's UIDVALIDITY changed; reading it again (stored messages are recognized by Message-ID)"
        );
    }
    if progress.uid_validity != Some(validity) {
        *progress = Progress {
            uid_validity: Some(validity),
            last_uid: 0,
        };
    }
    let mut uids: Vec<u32> = if selected.exists == 0 {
        Vec::new()
    } else {
        // `N:*` names at least the highest UID even when it is below N (RFC 3501
        // §6.4.8), so the answer is filtered.
        let fetches: Vec<Fetch> = session
            .uid_fetch(format!("{}:*", progress.last_uid.saturating_add(1)), "UID")
            .await
            .map_err(protocol)?
            .try_collect()
            .await
            .map_err(protocol)?;
        fetches
            .iter()
            .filter_map(|f| f.uid)
            .filter(|uid| *uid > progress.last_uid)
            .collect()
    };
    uids.sort_unstable();
    uids.dedup();
    for uid in uids {
        let fetches: Vec<Fetch> = session
            .uid_fetch(uid.to_string(), "BODY.PEEK[]")
            .await
            .map_err(protocol)?
            .try_collect()
            .await
            .map_err(protocol)?;
        let raw = fetches
            .iter()
            .find(|f| f.uid == Some(uid))
            .and_then(|f| f.body())
            .map(<[u8]>::to_vec);
        if let Some(raw) = raw {
            report.fetched += 1;
            let outcome = app
                .mail_intake()
                .file(
                    &raw,
                    IntakeOptions {
                        mailbox: Some(mailbox.id),
                        ..IntakeOptions::default()
                    },
                )
                .await?;
            match outcome {
                IntakeOutcome::Filed { .. } => report.filed += 1,
                IntakeOutcome::Duplicate { .. } => report.duplicates += 1,
                IntakeOutcome::Quarantined { .. } => report.quarantined += 1,
            }
            // Stored: only now may the server forget it.
            if let Err(error) = after_import(session, account, capabilities, uid).await {
                report.left_on_server += 1;
                tracing::warn!(mailbox = mailbox.id.0, uid, %error, "stored message left on the server");
            }
        } else {
            // Expunged by another client since it was listed: nothing to store.
            tracing::debug!(
                mailbox = mailbox.id.0,
                uid,
                "message vanished before it was fetched"
            );
        }
        progress.last_uid = uid;
        app.store()
            .record_mailbox_progress(mailbox.id, validity, uid, app.now())
            .await?;
    }
    // A pass without new mail is a success too (it clears the failure count).
    app.store()
        .record_mailbox_progress(mailbox.id, validity, progress.last_uid, app.now())
        .await?;
    Ok(())
}

/// Flags, moves or deletes a stored message, as the mailbox says.
async fn after_import(
    session: &mut ImapSession,
    account: &ImapAccount,
    capabilities: &Capabilities,
    uid: u32,
) -> Result<(), PollError> {
    let uid = uid.to_string();
    match account.after_import {
        AfterImport::Flag => {
            store_flags(
                session,
                &uid,
                &format!("+FLAGS.SILENT (\\Seen {STORED_KEYWORD})"),
            )
            .await
        }
        AfterImport::Move => {
            let folder = account.move_to.as_deref().unwrap_or("Ferrodesk");
            if capabilities.has_str("MOVE") {
                session.uid_mv(&uid, folder).await.map_err(protocol)
            } else {
                session.uid_copy(&uid, folder).await.map_err(protocol)?;
                delete(session, capabilities, &uid).await
            }
        }
        AfterImport::Delete => delete(session, capabilities, &uid).await,
    }
}

async fn store_flags(session: &mut ImapSession, uid: &str, query: &str) -> Result<(), PollError> {
    let _: Vec<Fetch> = session
        .uid_store(uid, query)
        .await
        .map_err(protocol)?
        .try_collect()
        .await
        .map_err(protocol)?;
    Ok(())
}

async fn delete(
    session: &mut ImapSession,
    capabilities: &Capabilities,
    uid: &str,
) -> Result<(), PollError> {
    store_flags(session, uid, "+FLAGS.SILENT (\\Deleted)").await?;
    // Without UIDPLUS, EXPUNGE would also remove what another client marked deleted.
    if capabilities.has_str("UIDPLUS") {
        let _: Vec<u32> = session
            .uid_expunge(uid)
            .await
            .map_err(protocol)?
            .try_collect()
            .await
            .map_err(protocol)?;
    } else {
        let _: Vec<u32> = session
            .expunge()
            .await
            .map_err(protocol)?
            .try_collect()
            .await
            .map_err(protocol)?;
    }
    Ok(())
}

async fn timed<T>(
    limit: Duration,
    future: impl Future<Output = Result<T, PollError>>,
) -> Result<T, PollError> {
    tokio::time::timeout(limit, future)
        .await
        .map_err(|_| PollError::Timeout(limit))?
}

fn polled_account(mailbox: &Mailbox) -> Option<&ImapAccount> {
    mailbox.imap.as_ref().filter(|_| mailbox.is_enabled)
}

/// One pass over one mailbox: connect, file what is new, log out. A failure is
/// recorded on the mailbox (and counts towards its alert).
///
/// # Errors
/// [`PollError`] saying what failed.
pub async fn poll_mailbox(
    app: &App,
    id: MailboxId,
    tls: &TlsConnector,
    settings: &ImapSettings,
) -> Result<PollReport, PollError> {
    let mailbox = app.store().get_mailbox(id).await?;
    let account = polled_account(&mailbox)
        .ok_or(PollError::NotPolled)?
        .clone();
    let result = async {
        let mut session = timed(settings.connect_timeout, connect(&account, tls)).await?;
        let mut report = PollReport::default();
        let mut progress = Progress {
            uid_validity: mailbox.uid_validity,
            last_uid: mailbox.last_uid,
        };
        timed(settings.pass_timeout, async {
            let capabilities = session.capabilities().await.map_err(protocol)?;
            sync(
                app,
                &mailbox,
                &account,
                &capabilities,
                &mut session,
                &mut progress,
                &mut report,
            )
            .await
        })
        .await?;
        let _ = session.logout().await;
        Ok(report)
    }
    .await;
    if let Err(error) = &result {
        record_failure(app, id, error).await;
    }
    result
}

async fn record_failure(app: &App, id: MailboxId, error: &PollError) {
    tracing::warn!(mailbox = id.0, %error, "mailbox poll failed");
    if let Err(store) = app
        .store()
        .record_mailbox_failure(id, &error.to_string(), app.now())
        .await
    {
        tracing::warn!(mailbox = id.0, error = %store, "cannot record the mailbox failure");
    }
}

/// How a connected session ended.
enum Ended {
    /// Shut down.
    Shutdown,
    /// The server has no IDLE: poll again after the interval.
    Polled,
    /// The mailbox's settings changed or it was removed: look again at once.
    Changed,
}

/// The background task of one mailbox: stays connected and waits with IDLE where
/// possible, polls otherwise, and backs off while failing.
async fn watch_mailbox(
    app: App,
    id: MailboxId,
    holder: String,
    tls: TlsConnector,
    settings: ImapSettings,
    mut shutdown: watch::Receiver<bool>,
) {
    let lease = Lease {
        app: &app,
        id,
        holder: &holder,
        length: settings.idle_timeout.saturating_add(settings.pass_timeout),
    };
    let mut failures: u32 = 0;
    loop {
        if *shutdown.borrow() {
            lease.release().await;
            return;
        }
        match lease.renew().await {
            Ok(true) => {}
            Ok(false) => {
                // Another node reads this mailbox; look again later.
                if pause(settings.poll_interval, &mut shutdown).await {
                    return;
                }
                continue;
            }
            Err(PollError::Desk(AppError::NotFound { .. })) => return,
            Err(error) => {
                tracing::warn!(mailbox = id.0, %error, "cannot lease the mailbox");
                if pause(settings.poll_interval, &mut shutdown).await {
                    return;
                }
                continue;
            }
        }
        let mailbox = match app.store().get_mailbox(id).await {
            Ok(mailbox) => mailbox,
            Err(StoreError::NotFound { .. }) => return,
            Err(error) => {
                tracing::warn!(mailbox = id.0, %error, "cannot read the mailbox");
                if pause(settings.poll_interval, &mut shutdown).await {
                    return;
                }
                continue;
            }
        };
        let Some(account) = polled_account(&mailbox).cloned() else {
            return;
        };
        let wait = match session(
            &app,
            &mailbox,
            &account,
            &tls,
            &settings,
            &lease,
            &mut shutdown,
        )
        .await
        {
            Ok(Ended::Shutdown) => {
                lease.release().await;
                return;
            }
            Ok(Ended::Changed) => {
                failures = 0;
                continue;
            }
            Ok(Ended::Polled) => {
                failures = 0;
                settings.poll_interval
            }
            Err(error) => {
                record_failure(&app, id, &error).await;
                failures = failures.saturating_add(1);
                settings
                    .poll_interval
                    .saturating_mul(2_u32.saturating_pow(failures.min(10) - 1))
                    .min(MAX_RETRY_PAUSE)
            }
        };
        if pause(wait, &mut shutdown).await {
            lease.release().await;
            return;
        }
    }
}

/// This node's lease on one mailbox.
struct Lease<'a> {
    app: &'a App,
    id: MailboxId,
    holder: &'a str,
    length: Duration,
}

impl Lease<'_> {
    /// Takes or renews it; `false` when another node holds it.
    async fn renew(&self) -> Result<bool, PollError> {
        let now = self.app.now();
        let length = jiff::SignedDuration::try_from(self.length)
            .unwrap_or(jiff::SignedDuration::from_mins(15));
        let until = now.checked_add(length).unwrap_or(now);
        Ok(self
            .app
            .store()
            .lease_mailbox(self.id, self.holder, now, until)
            .await?)
    }

    /// Gives it up, so another node may take over at once.
    async fn release(&self) {
        if let Err(error) = self.app.store().release_mailbox(self.id, self.holder).await {
            tracing::warn!(mailbox = self.id.0, %error, "cannot release the mailbox lease");
        }
    }
}

/// Waits `duration`; `true` when shut down meanwhile.
async fn pause(duration: Duration, shutdown: &mut watch::Receiver<bool>) -> bool {
    tokio::select! {
        _ = shutdown.wait_for(|stop| *stop) => true,
        () = tokio::time::sleep(duration) => false,
    }
}

async fn session(
    app: &App,
    mailbox: &Mailbox,
    account: &ImapAccount,
    tls: &TlsConnector,
    settings: &ImapSettings,
    lease: &Lease<'_>,
    shutdown: &mut watch::Receiver<bool>,
) -> Result<Ended, PollError> {
    let mut session = timed(settings.connect_timeout, connect(account, tls)).await?;
    let capabilities = timed(settings.connect_timeout, async {
        session.capabilities().await.map_err(protocol)
    })
    .await?;
    let mut progress = Progress {
        uid_validity: mailbox.uid_validity,
        last_uid: mailbox.last_uid,
    };
    loop {
        let mut report = PollReport::default();
        timed(
            settings.pass_timeout,
            sync(
                app,
                mailbox,
                account,
                &capabilities,
                &mut session,
                &mut progress,
                &mut report,
            ),
        )
        .await?;
        if report.fetched > 0 {
            tracing::info!(mailbox = mailbox.id.0, ?report, "mail fetched");
        }
        if !lease.renew().await? {
            // The lease ran out during a long pass and another node took over.
            let _ = session.logout().await;
            return Ok(Ended::Changed);
        }
        if !capabilities.has_str("IDLE") {
            let _ = session.logout().await;
            return Ok(Ended::Polled);
        }
        let mut idle = session.idle();
        timed(settings.connect_timeout, async {
            idle.init().await.map_err(protocol)
        })
        .await?;
        {
            let (wait, _stop) = idle.wait_with_timeout(settings.idle_timeout);
            tokio::select! {
                _ = shutdown.wait_for(|stop| *stop) => return Ok(Ended::Shutdown),
                woke = wait => { woke.map_err(protocol)?; }
            }
        }
        session = timed(settings.connect_timeout, async {
            idle.done().await.map_err(protocol)
        })
        .await?;
        // Settings changed meanwhile (another password, folder, or disabled): start over.
        match app.store().get_mailbox(mailbox.id).await {
            Ok(now) if polled_account(&now) == Some(account) => {}
            Ok(_) | Err(StoreError::NotFound { .. }) => {
                let _ = session.logout().await;
                return Ok(Ended::Changed);
            }
            Err(error) => return Err(error.into()),
        }
    }
}

/// The poller of every mailbox: one task per enabled IMAP mailbox, started, restarted
/// and stopped as admins add, change and remove mailboxes.
pub struct ImapPoller {
    app: App,
    tls: TlsConnector,
    settings: ImapSettings,
    holder: String,
}

impl ImapPoller {
    /// A poller using `tls` for every server, leasing mailboxes under a name unique
    /// to this process.
    pub fn new(app: App, tls: TlsConnector, settings: ImapSettings) -> ImapPoller {
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let holder = format!("poller-{}-{started}", std::process::id());
        ImapPoller {
            app,
            tls,
            settings,
            holder,
        }
    }

    /// Runs until `shutdown` turns true.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let mut tasks: HashMap<MailboxId, (ImapAccount, tokio::task::JoinHandle<()>)> =
            HashMap::new();
        loop {
            match self.app.store().list_mailboxes().await {
                Ok(mailboxes) => {
                    let wanted: HashMap<MailboxId, ImapAccount> = mailboxes
                        .iter()
                        .filter_map(|m| polled_account(m).map(|a| (m.id, a.clone())))
                        .collect();
                    tasks.retain(|id, (account, task)| {
                        let keep = !task.is_finished() && wanted.get(id) == Some(account);
                        if !keep {
                            task.abort();
                        }
                        keep
                    });
                    for (id, account) in wanted {
                        if tasks.contains_key(&id) {
                            continue;
                        }
                        let task = tokio::spawn(watch_mailbox(
                            self.app.clone(),
                            id,
                            self.holder.clone(),
                            self.tls.clone(),
                            self.settings.clone(),
                            shutdown.clone(),
                        ));
                        tasks.insert(id, (account, task));
                    }
                }
                Err(error) => tracing::warn!(%error, "cannot list the mailboxes"),
            }
            if pause(self.settings.refresh_interval, &mut shutdown).await {
                break;
            }
        }
        for (_, (_, task)) in tasks {
            let _ = task.await;
        }
    }
}
