//! The store contract on PostgreSQL, each test on a fresh database (see
//! `ferrodesk_testing::postgres`), plus what only several nodes can show.
#![allow(clippy::unwrap_used)] // a test reports failure by panicking

use ferrodesk_store::Store;
use ferrodesk_testing::postgres::TestDatabase;
use std::path::PathBuf;
use std::sync::Arc;

mod nodes;

/// The store the shared throughput measurements use: a fresh database (a file path
/// means nothing to PostgreSQL and is ignored).
async fn measured_store(_path: Option<PathBuf>) -> Option<Arc<dyn Store>> {
    let database = TestDatabase::create().await?;
    let store = database
        .into_store()
        .await
        .expect("connect to the test database");
    Some(store as Arc<dyn Store>)
}

ferrodesk_testing::store_throughput_tests!(crate::measured_store);

ferrodesk_testing::store_contract_tests!(async {
    let database = TestDatabase::create().await?;
    let store = database
        .into_store()
        .await
        .expect("connect to the test database");
    Some(store as Arc<dyn Store>)
});
