//! The multi-node storage backend: PostgreSQL behind the [`Store`] trait.
//!
//! Several stateless server nodes may share one database. Every write is one plain
//! transaction (PostgreSQL commits concurrent transactions together on its own); version
//! checks, idempotency keys and queue counters are rows, so nothing here depends on
//! state kept in one process. Queue counters are spread over a few shard rows so that
//! busy queues do not serialize writers on one row lock.
//!
//! The SQL is shared with the SQLite backend: `crates/store-sql` is included below as the
//! `sql` module and compiled against `sqlx::Postgres` (see its module doc). What is
//! PostgreSQL-only lives here: connecting, the dialect macros and [`dialect`]. The
//! harness that gives each test a fresh database is `ferrodesk_testing::postgres`.
//!
//! [`Store`]: ferrodesk_store::Store

use ferrodesk_store::{StoreError, StoreResult};
use futures::future::BoxFuture;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgPool, PgPoolOptions};
use std::time::Duration;

/// The database the shared SQL is compiled against.
pub(crate) type Db = sqlx::Postgres;
/// A connection of [`Db`].
pub(crate) type DbConn = sqlx::PgConnection;
/// A row of [`Db`].
pub(crate) type DbRow = sqlx::postgres::PgRow;
/// The type the shared `Store` implementation is written for.
pub(crate) type Backend = PgStore;

/// `string_agg` of an integer column as comma-separated text.
macro_rules! group_ids_agg {
    ($column:literal) => {
        concat!("string_agg(cast(", $column, " as text), ',')")
    };
}

/// Locks the row read for a read-modify-write until the transaction ends.
macro_rules! for_update {
    () => {
        " for update"
    };
}

/// Null-safe equality.
macro_rules! is_same {
    () => {
        "is not distinct from"
    };
}

mod dialect;
#[path = "../../store-sql/mod.rs"]
mod sql;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Connections per node; PostgreSQL's default limit is 100 for all nodes together.
const MAX_CONNECTIONS: u32 = 16;
/// How long a request waits for a free connection before failing.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// A write: a function of a connection inside a transaction and its input.
type Op<D, T> = for<'c> fn(&'c mut DbConn, &'c D) -> BoxFuture<'c, StoreResult<T>>;
/// Many writes of one kind at once; SQLite's group commit uses it, PostgreSQL runs each
/// write in a transaction of its own.
type JoinOp<D, T> = for<'c> fn(&'c mut DbConn, &'c [&'c D]) -> BoxFuture<'c, StoreResult<Vec<T>>>;

/// The PostgreSQL store: a connection pool, nothing else.
pub struct PgStore {
    pool: PgPool,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").finish_non_exhaustive()
    }
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user:password@host/db`) and brings
    /// its schema up to date. Nodes starting together take turns: the migrator holds an
    /// advisory lock.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the database cannot be reached or a migration
    /// fails.
    pub async fn connect(url: &str) -> Result<PgStore, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect(url)
            .await
            .map_err(sql::error::unavailable)?;
        MIGRATOR.run(&pool).await.map_err(sql::error::unavailable)?;
        Ok(PgStore { pool })
    }

    /// A pooled connection for reads.
    pub(crate) async fn reader(&self) -> StoreResult<PoolConnection<Db>> {
        self.pool.acquire().await.map_err(sql::error::unavailable)
    }

    /// Runs `op` on `input` in a transaction of its own and commits.
    pub(crate) async fn write<D, T>(&self, input: D, op: Op<D, T>) -> StoreResult<T>
    where
        D: Send + Sync + 'static,
        T: Send + 'static,
    {
        let mut transaction = self.pool.begin().await.map_err(sql::error::plain)?;
        match op(&mut transaction, &input).await {
            Ok(value) => {
                transaction.commit().await.map_err(sql::error::plain)?;
                Ok(value)
            }
            Err(error) => {
                // Dropping the transaction would roll back too; this returns the
                // connection to the pool clean right away.
                let _ = transaction.rollback().await;
                Err(error)
            }
        }
    }

    /// [`PgStore::write`]: each write has its own transaction here, so there are no
    /// neighbours to join.
    pub(crate) async fn write_joinable<D, T>(
        &self,
        input: D,
        op: Op<D, T>,
        _join: JoinOp<D, T>,
    ) -> StoreResult<T>
    where
        D: Send + Sync + 'static,
        T: Send + 'static,
    {
        self.write(input, op).await
    }
}
