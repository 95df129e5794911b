//! The store contract on SQLite, each test on a fresh database file in its own
//! temporary folder, plus what only SQLite promises (durability across reopening).
#![allow(clippy::unwrap_used)] // a test reports failure by panicking

use ferrodesk_store::Store;
use ferrodesk_store_sqlite::SqliteStore;
use std::path::PathBuf;
use std::sync::Arc;

mod durability;

/// The store the shared throughput measurements use: the file at `path`, or a
/// temporary one.
async fn measured_store(path: Option<PathBuf>) -> Option<Arc<dyn Store>> {
    let store = match path {
        Some(path) => SqliteStore::open(&path).await,
        None => SqliteStore::open_temporary().await,
    };
    Some(Arc::new(store.expect("open the database")) as Arc<dyn Store>)
}

ferrodesk_testing::store_throughput_tests!(crate::measured_store);

ferrodesk_testing::store_contract_tests!(async {
    let store = SqliteStore::open_temporary()
        .await
        .expect("open a temporary database");
    Some(Arc::new(store) as Arc<dyn Store>)
});
