//! The store contract on PostgreSQL, each test on a fresh database (see
//! `ferrodesk_store_postgres::testing`), plus what only several nodes can show.
#![allow(clippy::unwrap_used)] // a test reports failure by panicking

use ferrodesk_store::Store;
use ferrodesk_store_postgres::testing::TestDatabase;
use std::sync::Arc;

mod nodes;
#[path = "../../../store/tests/shared/throughput.rs"]
mod throughput;

/// The store the shared throughput measurements use: a fresh database (a file path
/// means nothing to PostgreSQL and is ignored).
async fn measured_store(_path: Option<&std::path::Path>) -> Option<Arc<dyn Store>> {
    let database = TestDatabase::create().await?;
    let store = database
        .into_store()
        .await
        .expect("connect to the test database");
    Some(Arc::new(store) as Arc<dyn Store>)
}

ferrodesk_store::store_contract_tests!(async {
    let database = TestDatabase::create().await?;
    let store = database
        .into_store()
        .await
        .expect("connect to the test database");
    Some(Arc::new(store) as Arc<dyn Store>)
});
