//! Folding the write-ahead log into the database file, beside the writer rather than
//! inside its commits.
//!
//! SQLite's automatic checkpoint runs inside the commit that crosses its threshold:
//! that commit, and so every write of its batch, waits while the log's pages are
//! copied into the database file (over 100 ms under a steady reply load, the slowest
//! answers of the run). The writer's connection turns it off. This task, on a
//! connection of its own, runs a passive checkpoint after the writer's commits, at most
//! once per [`INTERVAL`]: passive, it never waits for a reader or the writer, and WAL
//! mode lets the writer go on appending while it copies. A long interval lets a page
//! rewritten by many batches (the queue indexes' hot pages) be copied once.
//!
//! Copying is not enough to keep the log short: SQLite starts the log over only when a
//! write transaction begins while every frame in it has been copied, and under steady
//! writes the writer always appends more before this task has caught up. Left alone,
//! the log grew by about 100 MB a second under the bench's reply and create loads (to
//! 1 GiB in a ten-second run), and past 43 GB while a million tickets were generated,
//! and every read looked its pages up in an ever larger index of it. So the writer keeps SQLite's automatic checkpoint,
//! with a high bound (`LOG_LIMIT_PAGES`): past it, the commit that crosses it copies
//! what this task has not yet copied, while no other write can append, and the next
//! transaction starts the log over.

use crate::DbConn;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// The least time between two checkpoints while writes keep coming.
const INTERVAL: Duration = Duration::from_secs(2);

/// What a checkpoint did: frames in the log, and how many of them are now in the
/// database file (all of them unless a reader still needed older pages).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Checkpointed {
    /// Checkpoints run so far.
    pub(crate) runs: u64,
    /// Frames in the log at the last one.
    pub(crate) log_frames: i64,
    /// Frames copied into the database file by then.
    pub(crate) copied_frames: i64,
}

/// The writer's side: it calls [`Wake::commit`] after each commit.
pub(crate) struct Wake(mpsc::Sender<()>);

impl Wake {
    /// Tells the checkpointer the log grew; never waits.
    pub(crate) fn commit(&self) {
        // Full means a wake-up is already pending.
        let _ = self.0.try_send(());
    }
}

/// The writer's [`Wake`] and the checkpointer's end of it.
pub(crate) fn wake() -> (Wake, mpsc::Receiver<()>) {
    let (wake, woken) = mpsc::channel(1);
    (Wake(wake), woken)
}

/// The checkpointer: on `conn`, after each wake-up, until the [`Wake`] is dropped;
/// what it did goes to `report`.
pub(crate) async fn run(
    mut conn: DbConn,
    mut woken: mpsc::Receiver<()>,
    report: watch::Sender<Checkpointed>,
) {
    while woken.recv().await.is_some() {
        let done: Result<(i64, i64, i64), sqlx::Error> =
            sqlx::query_as("pragma wal_checkpoint(passive)")
                .fetch_one(&mut conn)
                .await;
        match done {
            Ok((_, log_frames, copied_frames)) => report.send_modify(|last| {
                last.runs += 1;
                last.log_frames = log_frames;
                last.copied_frames = copied_frames;
            }),
            // The log keeps growing until a later checkpoint succeeds; nothing is lost.
            Err(e) => tracing::warn!(error = %e, "checkpointing the write-ahead log failed"),
        }
        tokio::time::sleep(INTERVAL).await;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // a test reports failure by panicking

    use crate::SqliteStore;
    use ferrodesk_domain::{Role, Tier};
    use ferrodesk_store::{
        DirectoryStore as _, NewGroup, NewTicket, PeopleStore as _, TicketStore as _,
    };
    use ferrodesk_testing::contract::{at, created_event, new_user, ticket};
    use std::time::Duration;

    #[tokio::test]
    async fn committed_writes_are_folded_into_the_database_file_beside_the_writer() {
        let store = SqliteStore::open_temporary().await.unwrap();
        let mut checkpoints = store.checkpoints.clone();
        let before = checkpoints.borrow().runs;
        for n in 0..20 {
            store
                .create_group(NewGroup {
                    name: format!("Desk {n}"),
                    tier: Tier::FIRST,
                    description: "First line".into(),
                    escalates_to: None,
                    now: jiff::Timestamp::now(),
                })
                .await
                .unwrap();
        }
        // The last commit wakes the checkpointer once more, and with no reader holding
        // an older snapshot it copies the whole log. Bounded, in case it never does.
        let done = tokio::time::timeout(
            Duration::from_secs(30),
            checkpoints.wait_for(|c| {
                c.runs > before && c.log_frames > 0 && c.copied_frames == c.log_frames
            }),
        )
        .await
        .map(|ok| ok.is_ok());
        assert_eq!(
            done,
            Ok(true),
            "no checkpoint copied the log: {:?}",
            *store.checkpoints.borrow()
        );
        assert_eq!(store.list_groups().await.unwrap().len(), 20);
    }

    #[tokio::test]
    async fn the_log_starts_over_under_writes_that_never_pause() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ferrodesk.db");
        // A bound of 64 pages (256 KiB) that a few batches cross.
        let store = SqliteStore::open_with(&path, None, 64).await.unwrap();
        let customer = store
            .create_user(new_user("carla@example.com", "Carla", Role::Customer))
            .await
            .unwrap();
        // Queued all at once, the creates keep the writer busy from batch to batch, so
        // the checkpoint task never finds the log copied to its end before the writer
        // appends again.
        let creates = (0..1000).map(|n| {
            let ticket = ticket(&customer, &format!("Printer {n} jams"), at(60));
            store.create_ticket(NewTicket {
                events: vec![created_event(&ticket)],
                ticket,
                links: vec![],
                idempotency: None,
                settings_version: None,
                notices: Vec::new(),
                round_robin: None,
                custom_values: Vec::new(),
            })
        });
        futures::future::try_join_all(creates).await.unwrap();
        let log = std::fs::metadata(path.with_extension("db-wal"))
            .unwrap()
            .len();
        // Unbounded, the log of these commits is several MiB.
        assert!(log < 1024 * 1024, "the log grew to {log} bytes");
        let counts = store.queue_counts().await.unwrap();
        assert_eq!(counts.open_by_group.get(&None), Some(&1000));
    }
}
