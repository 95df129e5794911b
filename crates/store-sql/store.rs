//! The umbrella [`Store`] trait for the backend: only `ping`; every aggregate's trait
//! is implemented next to its SQL, in terms of the backend's two primitives:
//!
//! - `reader()`: a pooled connection for reads;
//! - `write(input, op)`: runs `op(connection, &input)` inside a transaction and answers
//!   after the commit (the SQLite group-commit writer, or a PostgreSQL transaction). The
//!   input is owned because the SQLite writer runs it on another task, and `op` is a
//!   plain function of it so the writer may run it again (see its module doc).

use crate::Backend;
use async_trait::async_trait;
use ferrodesk_store::{Store, StoreResult};

#[async_trait]
impl Store for Backend {
    async fn ping(&self) -> StoreResult<()> {
        let mut conn = self.reader().await?;
        sqlx::query("select 1")
            .execute(&mut *conn)
            .await
            .map_err(crate::sql::error::plain)?;
        Ok(())
    }
}
