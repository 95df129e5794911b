//! Live updates: tells open agent pages that tickets or queue counts changed, within
//! about a second, so they refresh the parts that show them without a reload.
//!
//! The app has no change feed yet, so this module builds one on top of what exists:
//!
//! - handlers of this crate [`Hub::publish`] the tickets they changed, at once;
//! - a watcher task, one per node and only while some page listens, reads the queue
//!   counts (kept on write by the store) and the most recently updated tickets every
//!   [`crate::UiConfig::live_poll_interval`], and publishes what changed since its last
//!   look: that catches changes made through the JSON API, by jobs or on other nodes.
//!
//! The watcher reads through `App::store` because it acts for no person: it only
//! detects *that* something changed. What a page then shows is fetched again through
//! the services with the viewer's own permissions, and each listener is told only
//! about tickets its viewer may see. When the app grows a real change feed (PostgreSQL
//! `LISTEN/NOTIFY`, or an event cursor), the watcher is the one piece to replace.

use ferrodesk_app::{App, PageRequest, QueueCounts, TicketFilter, TicketQuery, TicketSort};
use ferrodesk_domain::{Ticket, TicketId, TicketScope};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, broadcast};

/// How many recently updated tickets the watcher compares between looks. A change is
/// always the most recent update, so this only needs to exceed the changes made
/// between two looks.
const RECENT_WINDOW: i64 = 100;

/// Changes waiting for slow listeners before they are told to refresh everything.
const BUFFER: usize = 256;

/// Something changed.
#[derive(Debug, Clone)]
pub(crate) struct Change {
    /// The tickets that changed, as they are now (listeners filter by `can_view`).
    pub tickets: Vec<Ticket>,
    /// Whether queue counts may have changed.
    pub counts: bool,
}

/// The node's change broadcast; cheap to clone.
#[derive(Clone)]
pub(crate) struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    app: App,
    interval: Duration,
    sender: broadcast::Sender<Arc<Change>>,
    /// Whether the watcher task runs.
    watching: Mutex<bool>,
}

/// What the watcher saw last time.
struct Snapshot {
    counts: QueueCounts,
    versions: HashMap<TicketId, i64>,
    recent: Vec<Ticket>,
}

impl Hub {
    /// A hub over `app` whose watcher looks every `interval`.
    pub(crate) fn new(app: App, interval: Duration) -> Hub {
        let (sender, _) = broadcast::channel(BUFFER);
        Hub {
            inner: Arc::new(Inner {
                app,
                interval: interval.max(Duration::from_millis(10)),
                sender,
                watching: Mutex::new(false),
            }),
        }
    }

    /// Tells listeners that these tickets changed (and counts with them).
    pub(crate) fn publish(&self, tickets: Vec<Ticket>) {
        // No listener is not an error: nobody has a page open.
        let _ = self.inner.sender.send(Arc::new(Change {
            tickets,
            counts: true,
        }));
    }

    /// Starts listening. The watcher is running, with a baseline taken, when this
    /// returns, so no change made afterwards is missed.
    pub(crate) async fn subscribe(&self) -> broadcast::Receiver<Arc<Change>> {
        let receiver = self.inner.sender.subscribe();
        let mut watching = self.inner.watching.lock().await;
        if !*watching {
            let baseline = match snapshot(&self.inner.app).await {
                Ok(snapshot) => snapshot,
                Err(error) => {
                    tracing::warn!(%error, "live updates: first look failed");
                    Snapshot {
                        counts: QueueCounts::default(),
                        versions: HashMap::new(),
                        recent: Vec::new(),
                    }
                }
            };
            *watching = true;
            tokio::spawn(watch(self.clone(), baseline));
        }
        receiver
    }
}

async fn watch(hub: Hub, mut last: Snapshot) {
    let mut ticker = tokio::time::interval(hub.inner.interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticker.tick().await;
    loop {
        ticker.tick().await;
        if hub.inner.sender.receiver_count() == 0 {
            let mut watching = hub.inner.watching.lock().await;
            // Checked again under the lock: a page that subscribed meanwhile keeps
            // the watcher alive, and one that subscribes later starts a new one.
            if hub.inner.sender.receiver_count() == 0 {
                *watching = false;
                return;
            }
        }
        match snapshot(&hub.inner.app).await {
            Ok(now) => {
                let changed: Vec<Ticket> = now
                    .recent
                    .iter()
                    .filter(|t| last.versions.get(&t.id) != Some(&t.version))
                    .cloned()
                    .collect();
                let counts = now.counts != last.counts;
                if counts || !changed.is_empty() {
                    let _ = hub.inner.sender.send(Arc::new(Change {
                        tickets: changed,
                        counts,
                    }));
                }
                last = now;
            }
            Err(error) => tracing::warn!(%error, "live updates: looking for changes failed"),
        }
    }
}

async fn snapshot(app: &App) -> Result<Snapshot, String> {
    let store = app.store();
    let counts = store.queue_counts().await.map_err(|e| e.to_string())?;
    let query = TicketQuery {
        filter: TicketFilter::default(),
        sort: TicketSort::UpdatedDesc,
        page: PageRequest::first(RECENT_WINDOW),
    };
    let recent = store
        .list_tickets(&TicketScope::All, &query)
        .await
        .map_err(|e| e.to_string())?
        .items;
    Ok(Snapshot {
        counts,
        versions: recent.iter().map(|t| (t.id, t.version)).collect(),
        recent,
    })
}
