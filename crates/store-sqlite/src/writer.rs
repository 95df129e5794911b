//! Group commit: one task owns the only writing connection and commits many writes at
//! once.
//!
//! The task takes the first queued write, lets the callers that are about to queue
//! theirs do so, drains the queue (up to [`MAX_BATCH`]) and runs the batch in one
//! transaction. It commits once and then answers every caller: nobody is answered
//! before the `COMMIT` that holds their write returned, and with `synchronous=FULL` that
//! means it is on disk. The fsync is shared by the whole batch, which is what makes
//! thousands of writes a second possible on one disk.
//!
//! One failing write must not take the others down, and must leave nothing behind. The
//! writer first runs a batch optimistically, without savepoints (each statement costs a
//! round trip to SQLite's thread, and savepoints would double the statements of a small
//! write). If any write fails, that transaction is rolled back and the batch runs again
//! with a `SAVEPOINT` around each write, so the failing one rolls back only itself and
//! reports its own error. This is why a write is an input plus a plain function of it
//! ([`Op`]): it may run twice, and only the committed run counts.
//!
//! Queue-count changes of a batch are summed and written once before the commit
//! ([`BATCH_COUNTS`]), keeping only those of writes that succeeded.
//!
//! A write may also name a way to run many of its kind together ([`JoinOp`], queued
//! with [`Writer::run_joinable`]): the optimistic run hands consecutive writes that name
//! the same one their inputs at once (ticket creates become one multi-row insert of
//! tickets, one of events, and so on, instead of a handful of statements each). If the
//! joined write fails, the careful run does each write on its own.

use crate::DbConn;
use crate::checkpoint::{self, Checkpointed, Wake};
use crate::dialect::BATCH_COUNTS;
use crate::sql::error::unavailable;
use crate::sql::tickets::CountDeltas;
use ferrodesk_store::{StoreError, StoreResult};
use futures::FutureExt as _;
use futures::future::BoxFuture;
use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::panic::AssertUnwindSafe;
use tokio::sync::{mpsc, oneshot, watch};

/// The most writes committed together.
const MAX_BATCH: usize = 256;
/// How often the writer yields to let more writes arrive before it starts a batch.
const MAX_YIELDS: usize = 8;
/// Writes waiting beyond this make callers wait to queue (backpressure).
const QUEUE: usize = 4096;

/// A write: a function of the connection and its input. It may run more than once (see
/// the module doc); only the run that is committed has an effect.
pub(crate) type Op<D, T> = for<'c> fn(&'c mut DbConn, &'c D) -> BoxFuture<'c, StoreResult<T>>;

/// Many writes of one kind at once: `op` for each input in order, with its results in
/// the same order. All or nothing, like one write.
pub(crate) type JoinOp<D, T> =
    for<'c> fn(&'c mut DbConn, &'c [&'c D]) -> BoxFuture<'c, StoreResult<Vec<T>>>;

/// A write that failed because the batch it was part of could not commit.
#[derive(Debug, thiserror::Error)]
#[error("the write was not committed: {0}")]
struct NotCommitted(String);

/// One queued write, with its result kept until the batch commits.
trait Job: Send + Any {
    /// Runs the write; `true` when it succeeded.
    fn run<'a>(&'a mut self, conn: &'a mut DbConn) -> BoxFuture<'a, bool>;
    /// Tells apart the writes this one can run together with, if any: equal keys, same
    /// kind of write and same [`JoinOp`].
    fn join_key(&self) -> Option<(TypeId, usize)>;
    /// Runs this write together with `others`, which have its join key; `true` when all
    /// succeeded. On failure it leaves every result unset: the careful run follows.
    fn run_joined<'a>(
        &'a mut self,
        others: &'a mut [Box<dyn Job>],
        conn: &'a mut DbConn,
    ) -> BoxFuture<'a, bool>;
    /// The write as [`Any`], for [`Job::run_joined`] to reach the others' inputs.
    fn as_any(&mut self) -> &mut dyn Any;
    /// Marks a write that succeeded (or never ran) as failed: its batch did not commit.
    fn fail(&mut self, reason: &str);
    /// Sends the result to the caller.
    fn answer(self: Box<Self>);
}

struct TypedJob<D, T> {
    input: D,
    op: Op<D, T>,
    join: Option<JoinOp<D, T>>,
    outcome: Option<StoreResult<T>>,
    reply: oneshot::Sender<StoreResult<T>>,
}

impl<D, T> Job for TypedJob<D, T>
where
    D: Send + Sync + 'static,
    T: Send + 'static,
{
    fn run<'a>(&'a mut self, conn: &'a mut DbConn) -> BoxFuture<'a, bool> {
        Box::pin(async move {
            let outcome = match AssertUnwindSafe((self.op)(conn, &self.input))
                .catch_unwind()
                .await
            {
                Ok(outcome) => outcome,
                Err(_) => Err(unavailable(NotCommitted("the write panicked".into()))),
            };
            let succeeded = outcome.is_ok();
            self.outcome = Some(outcome);
            succeeded
        })
    }

    fn join_key(&self) -> Option<(TypeId, usize)> {
        self.join
            .map(|join| (TypeId::of::<TypedJob<D, T>>(), join as usize))
    }

    fn run_joined<'a>(
        &'a mut self,
        others: &'a mut [Box<dyn Job>],
        conn: &'a mut DbConn,
    ) -> BoxFuture<'a, bool> {
        Box::pin(async move {
            let Some(join) = self.join else {
                return false;
            };
            let mut rest: Vec<&mut TypedJob<D, T>> = Vec::with_capacity(others.len());
            for other in others.iter_mut() {
                match other.as_any().downcast_mut::<TypedJob<D, T>>() {
                    Some(other) => rest.push(other),
                    None => return false,
                }
            }
            let inputs: Vec<&D> = std::iter::once(&self.input)
                .chain(rest.iter().map(|other| &other.input))
                .collect();
            let joined = AssertUnwindSafe(join(conn, &inputs)).catch_unwind().await;
            let expected = inputs.len();
            drop(inputs);
            match joined {
                Ok(Ok(values)) if values.len() == expected => {
                    let mut values = values.into_iter();
                    self.outcome = values.next().map(Ok);
                    for (other, value) in rest.into_iter().zip(values) {
                        other.outcome = Some(Ok(value));
                    }
                    true
                }
                _ => false,
            }
        })
    }

    fn as_any(&mut self) -> &mut dyn Any {
        self
    }

    fn fail(&mut self, reason: &str) {
        if !matches!(self.outcome, Some(Err(_))) {
            self.outcome = Some(Err(unavailable(NotCommitted(reason.to_owned()))));
        }
    }

    fn answer(self: Box<Self>) {
        let outcome = self
            .outcome
            .unwrap_or_else(|| Err(unavailable(NotCommitted("the write never ran".into()))));
        // The caller may have gone away; the write stands either way.
        let _ = self.reply.send(outcome);
    }
}

/// The handle writes are queued through.
pub(crate) struct Writer {
    jobs: mpsc::Sender<Box<dyn Job>>,
}

impl Writer {
    /// Starts the writer on `conn`, on a thread of its own; it ends when the handle is
    /// dropped.
    ///
    /// A batch runs its statements one after another, each a round trip to SQLite's
    /// thread. On its own thread the writer resumes as soon as a statement returns,
    /// instead of queueing behind the request handlers on the shared runtime; that
    /// wait, once per statement, was most of the time a write spent in the writer.
    ///
    /// The [`checkpoint`](crate::checkpoint) task runs beside it on `checkpointer`, a
    /// connection of its own, and ends with it.
    pub(crate) fn start(
        conn: DbConn,
        checkpointer: DbConn,
    ) -> StoreResult<(Writer, watch::Receiver<Checkpointed>)> {
        let (jobs, queue) = mpsc::channel(QUEUE);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(unavailable)?;
        let (wake, woken) = checkpoint::wake();
        let (report, checkpoints) = watch::channel(Checkpointed::default());
        std::thread::Builder::new()
            .name("ferrodesk-writer".into())
            .spawn(move || {
                runtime.block_on(async move {
                    tokio::spawn(checkpoint::run(checkpointer, woken, report));
                    run(conn, queue, wake).await;
                });
            })
            .map_err(unavailable)?;
        Ok((Writer { jobs }, checkpoints))
    }

    /// Queues `op` on `input` and waits for its committed result.
    pub(crate) async fn run<D, T>(&self, input: D, op: Op<D, T>) -> StoreResult<T>
    where
        D: Send + Sync + 'static,
        T: Send + 'static,
    {
        self.queue(input, op, None).await
    }

    /// [`Writer::run`] for a write that may run together with its neighbours in the
    /// batch that queued `join` too.
    pub(crate) async fn run_joinable<D, T>(
        &self,
        input: D,
        op: Op<D, T>,
        join: JoinOp<D, T>,
    ) -> StoreResult<T>
    where
        D: Send + Sync + 'static,
        T: Send + 'static,
    {
        self.queue(input, op, Some(join)).await
    }

    async fn queue<D, T>(
        &self,
        input: D,
        op: Op<D, T>,
        join: Option<JoinOp<D, T>>,
    ) -> StoreResult<T>
    where
        D: Send + Sync + 'static,
        T: Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job = TypedJob {
            input,
            op,
            join,
            outcome: None,
            reply,
        };
        self.jobs.send(Box::new(job)).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

fn stopped() -> StoreError {
    unavailable(NotCommitted("the database writer has stopped".into()))
}

async fn run(mut conn: DbConn, mut queue: mpsc::Receiver<Box<dyn Job>>, wake: Wake) {
    let mut batch: Vec<Box<dyn Job>> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = queue.recv().await {
        batch.push(first);
        drain(&mut queue, &mut batch);
        // Callers answered by the last commit are usually about to queue their next
        // write: let them run, and keep collecting while that brings more.
        for _ in 0..MAX_YIELDS {
            let before = batch.len();
            tokio::task::yield_now().await;
            drain(&mut queue, &mut batch);
            if batch.len() == before || batch.len() >= MAX_BATCH {
                break;
            }
        }
        let started = std::time::Instant::now();
        let size = batch.len();
        if !commit_optimistically(&mut conn, &mut batch).await {
            commit_carefully(&mut conn, &mut batch).await;
        }
        tracing::debug!(
            size,
            micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
            "write batch committed"
        );
        for job in batch.drain(..) {
            job.answer();
        }
        wake.commit();
    }
}

fn drain(queue: &mut mpsc::Receiver<Box<dyn Job>>, batch: &mut Vec<Box<dyn Job>>) {
    while batch.len() < MAX_BATCH {
        match queue.try_recv() {
            Ok(job) => batch.push(job),
            Err(_) => break,
        }
    }
}

async fn execute(conn: &mut DbConn, sql: &'static str) -> Result<(), String> {
    sqlx::query(sql)
        .execute(&mut *conn)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Runs `job`, collecting its queue-count changes instead of writing them.
async fn run_job(conn: &mut DbConn, job: &mut Box<dyn Job>) -> (bool, CountDeltas) {
    BATCH_COUNTS
        .scope(RefCell::new(CountDeltas::default()), async {
            let succeeded = job.run(conn).await;
            (succeeded, BATCH_COUNTS.with(RefCell::take))
        })
        .await
}

/// [`run_job`] for consecutive writes with the same join key, run as one.
async fn run_joined(conn: &mut DbConn, jobs: &mut [Box<dyn Job>]) -> (bool, CountDeltas) {
    BATCH_COUNTS
        .scope(RefCell::new(CountDeltas::default()), async {
            let succeeded = match jobs.split_first_mut() {
                Some((first, others)) => first.run_joined(others, conn).await,
                None => true,
            };
            (succeeded, BATCH_COUNTS.with(RefCell::take))
        })
        .await
}

/// The end of the run of writes from `start` on that can run together: `start + 1`
/// when the write at `start` runs alone.
fn joined_until(batch: &[Box<dyn Job>], start: usize) -> usize {
    let Some(key) = batch[start].join_key() else {
        return start + 1;
    };
    start
        + 1
        + batch[start + 1..]
            .iter()
            .take_while(|job| job.join_key() == Some(key))
            .count()
}

/// Writes the batch's counts and commits; on failure every write is marked failed.
async fn finish(
    conn: &mut DbConn,
    batch: &mut [Box<dyn Job>],
    kept: &[usize],
    counts: CountDeltas,
) {
    let started = std::time::Instant::now();
    let committed = match counts.write(conn).await {
        Ok(()) => execute(conn, "commit").await,
        Err(e) => Err(format!("queue counts: {e}")),
    };
    tracing::trace!(
        micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        "counts written and committed"
    );
    if let Err(e) = committed {
        let reason = format!("commit failed: {e}");
        for &k in kept {
            batch[k].fail(&reason);
        }
        let _ = execute(conn, "rollback").await;
    }
}

/// Runs the whole batch in one transaction without savepoints. Returns `false`, having
/// rolled everything back, when a write failed and the batch must run carefully; a
/// batch of one needs no second run, its failure is its own.
async fn commit_optimistically(conn: &mut DbConn, batch: &mut [Box<dyn Job>]) -> bool {
    if let Err(e) = execute(conn, "begin immediate").await {
        let reason = format!("could not start a transaction: {e}");
        for job in batch.iter_mut() {
            job.fail(&reason);
        }
        return true;
    }
    let mut counts = CountDeltas::default();
    let mut start = 0;
    while start < batch.len() {
        let end = joined_until(batch, start);
        let (succeeded, job_counts) = if end - start > 1 {
            run_joined(conn, &mut batch[start..end]).await
        } else {
            run_job(conn, &mut batch[start]).await
        };
        if !succeeded {
            let _ = execute(conn, "rollback").await;
            return batch.len() == 1;
        }
        counts.merge(job_counts);
        start = end;
    }
    let all: Vec<usize> = (0..batch.len()).collect();
    finish(conn, batch, &all, counts).await;
    true
}

/// Runs the batch with a savepoint around each write, so a failing write rolls back
/// only itself.
async fn commit_carefully(conn: &mut DbConn, batch: &mut [Box<dyn Job>]) {
    // Indices of the writes that succeeded in the open transaction, and their changes
    // to the queue counts.
    let mut kept: Vec<usize> = Vec::new();
    let mut counts = CountDeltas::default();
    let mut in_transaction = false;
    for index in 0..batch.len() {
        if !in_transaction {
            if let Err(e) = execute(conn, "begin immediate").await {
                batch[index].fail(&format!("could not start a transaction: {e}"));
                continue;
            }
            in_transaction = true;
        }
        if let Err(e) = execute(conn, "savepoint write").await {
            batch[index].fail(&format!("could not set a savepoint: {e}"));
            continue;
        }
        let (succeeded, job_counts) = run_job(conn, &mut batch[index]).await;
        let closed = if succeeded {
            execute(conn, "release write").await
        } else {
            match execute(conn, "rollback to write").await {
                Ok(()) => execute(conn, "release write").await,
                Err(e) => Err(e),
            }
        };
        match closed {
            Ok(()) if succeeded => {
                kept.push(index);
                counts.merge(job_counts);
            }
            Ok(()) => {}
            Err(e) => {
                // SQLite may have rolled the whole transaction back (a full disk, an I/O
                // error): nothing of it stands, so nobody in it may be told otherwise.
                let reason = format!("the transaction was lost: {e}");
                batch[index].fail(&reason);
                for &k in &kept {
                    batch[k].fail(&reason);
                }
                kept.clear();
                counts = CountDeltas::default();
                let _ = execute(conn, "rollback").await;
                in_transaction = false;
            }
        }
    }
    if in_transaction {
        finish(conn, batch, &kept, counts).await;
    }
}

#[cfg(test)]
#[path = "writer_tests.rs"]
mod tests;
