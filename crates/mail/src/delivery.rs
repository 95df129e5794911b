//! The outbox delivery worker: claims due rows (a lease in the database, so several
//! nodes never send one row twice), sends them, and records the outcome; the retry
//! and give-up rules are `Notifications::deliver_next`'s.

use ferrodesk_app::App;
use ferrodesk_app::AppError;
use ferrodesk_app::mail::{Delivery, MailTransport};
use futures::FutureExt as _;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// Delivers every row due now, once each (a row that fails is rescheduled into the
/// future, so one pass ends).
///
/// # Errors
/// [`AppError`] when the database fails; rows already handled stay handled.
pub async fn deliver_due(
    app: &App,
    transport: &dyn MailTransport,
) -> Result<Vec<Delivery>, AppError> {
    app.notifications().queue_digests().await?;
    let mut done = Vec::new();
    while let Some(delivery) = app.notifications().deliver_next(transport).await? {
        done.push(delivery);
    }
    Ok(done)
}

/// The background task: a pass over the due rows, then a pause, until shutdown.
pub struct DeliveryWorker {
    app: App,
    transport: Arc<dyn MailTransport>,
    interval: Duration,
}

impl DeliveryWorker {
    /// A worker that looks for due rows every `interval`.
    pub fn new(app: App, transport: Arc<dyn MailTransport>, interval: Duration) -> Self {
        DeliveryWorker {
            app,
            transport,
            interval,
        }
    }

    /// Runs until `shutdown` resolves. Shutdown is checked between rows, never in
    /// the middle of one, so a message handed to the server is always recorded.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            if let Err(error) = self.app.notifications().queue_digests().await {
                tracing::warn!(%error, "digests could not be queued; trying again later");
            }
            loop {
                if (&mut shutdown).now_or_never().is_some() {
                    return;
                }
                match self
                    .app
                    .notifications()
                    .deliver_next(self.transport.as_ref())
                    .await
                {
                    Ok(Some(delivery)) => tracing::debug!(?delivery, "outbox row handled"),
                    Ok(None) => break,
                    Err(error) => {
                        tracing::warn!(%error, "outbox delivery failed; trying again later");
                        break;
                    }
                }
            }
            tokio::select! {
                () = &mut shutdown => return,
                () = tokio::time::sleep(self.interval) => {}
            }
        }
    }
}
