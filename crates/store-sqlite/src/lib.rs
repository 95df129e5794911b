//! The embedded storage backend: one SQLite file in WAL mode behind the [`Store`]
//! trait, the default for a single-machine desk.
//!
//! Writes go through one writer task that owns the only writing connection and commits
//! them in groups (see [`writer`]): each caller is answered after the `COMMIT` that holds
//! its write returned with `synchronous=FULL`, so an acknowledged write survives a crash,
//! while one fsync serves many writers. Reads use a small pool of WAL reader
//! connections and never wait for the writer.
//!
//! The SQL itself is shared with the PostgreSQL backend: `crates/store-sql` is included
//! below as the `sql` module and compiled against `sqlx::Sqlite` (see its module doc).
//! What is SQLite-only lives here: connection setup, the writer, the dialect macros and
//! [`dialect`].
//!
//! [`Store`]: ferrodesk_store::Store

use ferrodesk_store::{StoreError, StoreResult};
use sqlx::ConnectOptions;
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::path::Path;
use std::time::Duration;

/// The database the shared SQL is compiled against.
pub(crate) type Db = sqlx::Sqlite;
/// A connection of [`Db`].
pub(crate) type DbConn = sqlx::SqliteConnection;
/// A row of [`Db`].
pub(crate) type DbRow = sqlx::sqlite::SqliteRow;
/// The type the shared `Store` implementation is written for.
pub(crate) type Backend = SqliteStore;

/// `group_concat` of a column as comma-separated text.
macro_rules! group_ids_agg {
    ($column:literal) => {
        concat!("group_concat(", $column, ", ',')")
    };
}

/// Nothing: the single writer already excludes concurrent read-modify-write.
macro_rules! for_update {
    () => {
        ""
    };
}

/// Null-safe equality.
macro_rules! is_same {
    () => {
        "is"
    };
}

mod checkpoint;
mod dialect;
#[path = "../../store-sql/mod.rs"]
mod sql;
mod writer;

/// A write, as the shared `Store` implementation hands it to [`SqliteStore::write`].
use writer::Op;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Read connections: WAL readers run in parallel with the writer and with each other.
const READERS: u32 = 4;
/// How long a connection waits for a lock held by another process before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// SQLite's default page size, which the desk keeps.
const PAGE_BYTES: u64 = 4096;
/// The write-ahead log's bound, in pages (256 MiB); see `checkpoint`.
const LOG_LIMIT_PAGES: u32 = 65_536;

/// The SQLite store: a group-commit writer and a pool of readers on one database file.
pub struct SqliteStore {
    writer: writer::Writer,
    readers: SqlitePool,
    /// What the checkpoint task last did.
    #[cfg_attr(not(test), allow(dead_code, reason = "read by the tests"))]
    checkpoints: tokio::sync::watch::Receiver<checkpoint::Checkpointed>,
    /// A temporary directory that holds the database, removed when the store is dropped.
    _temporary: Option<tempfile::TempDir>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating it and its parent folders if needed) the database file at `path`,
    /// brings its schema up to date and starts the writer.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the folder or file cannot be created or opened,
    /// or a migration fails.
    pub async fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        Self::open_with(path, None, LOG_LIMIT_PAGES).await
    }

    /// Opens a fresh database in a new temporary folder that is removed when the store
    /// is dropped: for tests and throwaway demos.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the folder or database cannot be created.
    pub async fn open_temporary() -> Result<SqliteStore, StoreError> {
        let dir = tempfile::Builder::new()
            .prefix("ferrodesk-sqlite-")
            .tempdir()
            .map_err(sql::error::unavailable)?;
        let path = dir.path().join("ferrodesk.db");
        Self::open_with(&path, Some(dir), LOG_LIMIT_PAGES).await
    }

    async fn open_with(
        path: &Path,
        temporary: Option<tempfile::TempDir>,
        log_limit_pages: u32,
    ) -> Result<SqliteStore, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(sql::error::unavailable)?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
            .statement_cache_capacity(256)
            // 32 MiB of page cache per connection (negative: KiB).
            .pragma("cache_size", format!("-{}", dialect::CACHE_KIB))
            // Statement journals (a write in a batch's transaction that may have to
            // undo itself) stay in memory rather than in a temporary file each time.
            .pragma("temp_store", "memory");
        // The checkpoint task copies the log into the database beside the writer; the
        // writer checkpoints inside a commit only once the log passes its bound, which
        // happens when writes never pause long enough for the log to start over (see
        // `checkpoint`). A log that grew past the bound in one large transaction is
        // cut back to it when it starts over.
        let log_limit_bytes = u64::from(log_limit_pages) * PAGE_BYTES;
        let mut connection = options
            .clone()
            .pragma("wal_autocheckpoint", log_limit_pages.to_string())
            .pragma("journal_size_limit", log_limit_bytes.to_string())
            .connect()
            .await
            .map_err(sql::error::unavailable)?;
        MIGRATOR
            .run(&mut connection)
            .await
            .map_err(sql::error::unavailable)?;
        // Fold what an earlier process left in the write-ahead log into the database
        // before anything reads. A long log (a bulk load writes thousands of tickets in
        // one transaction) makes every read look its pages up in the log's index, and
        // under steady reads it is folded in only slowly. Passive: it never waits for
        // another process using the database, it only does what it can.
        sqlx::query("pragma wal_checkpoint(passive)")
            .execute(&mut connection)
            .await
            .map_err(sql::error::unavailable)?;
        let readers = SqlitePoolOptions::new()
            .max_connections(READERS)
            .min_connections(1)
            // A connection to a local file does not go stale between uses; the ping
            // sqlx sends before lending one out by default is a round trip to the
            // connection's thread per read.
            .test_before_acquire(false)
            .connect_with(options.clone().pragma("query_only", "true"))
            .await
            .map_err(sql::error::unavailable)?;
        let checkpointer = options
            .pragma("wal_autocheckpoint", "0")
            .connect()
            .await
            .map_err(sql::error::unavailable)?;
        let (writer, checkpoints) = writer::Writer::start(connection, checkpointer)?;
        Ok(SqliteStore {
            writer,
            readers,
            checkpoints,
            _temporary: temporary,
        })
    }

    /// A pooled reader connection.
    pub(crate) async fn reader(&self) -> StoreResult<PoolConnection<Db>> {
        self.readers
            .acquire()
            .await
            .map_err(sql::error::unavailable)
    }

    /// Runs `op` on `input` in the next group commit and answers once that commit is
    /// durable.
    pub(crate) async fn write<D, T>(&self, input: D, op: Op<D, T>) -> StoreResult<T>
    where
        D: Send + Sync + 'static,
        T: Send + 'static,
    {
        self.writer.run(input, op).await
    }

    /// [`SqliteStore::write`] for a write the writer may run together with
    /// neighbouring ones in its batch, through `join` (see [`writer::JoinOp`]).
    pub(crate) async fn write_joinable<D, T>(
        &self,
        input: D,
        op: Op<D, T>,
        join: writer::JoinOp<D, T>,
    ) -> StoreResult<T>
    where
        D: Send + Sync + 'static,
        T: Send + 'static,
    {
        self.writer.run_joinable(input, op, join).await
    }
}
