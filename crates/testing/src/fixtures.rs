//! The usual set-up of a test: a fresh SQLite store in a temporary folder, a manual
//! clock at a fixed instant, and the app over both.

use ferrodesk_app::{App, AppConfig, ManualClock, NewUserInput};
use ferrodesk_domain::Actor;
use ferrodesk_store::Store;
use ferrodesk_store_sqlite::SqliteStore;
use jiff::Timestamp;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub mod mail;

/// The instant the tests' clocks start at: Monday 2 March 2026, 09:00 UTC.
pub const START: &str = "2026-03-02T09:00:00Z";

/// [`START`] as a timestamp.
pub fn start() -> Timestamp {
    at(START)
}

/// An RFC 3339 instant.
///
/// # Panics
/// When `instant` is not one.
pub fn at(instant: &str) -> Timestamp {
    instant
        .parse()
        .unwrap_or_else(|e| panic!("{instant:?} is not an instant: {e}"))
}

/// A manual clock at [`START`].
pub fn clock() -> Arc<ManualClock> {
    clock_at(start())
}

/// A manual clock at `start`.
pub fn clock_at(start: Timestamp) -> Arc<ManualClock> {
    Arc::new(ManualClock::new(start))
}

/// A fresh SQLite database file (`desk.db`) in a temporary folder that lives as long
/// as this value.
pub struct TempStore {
    /// The store.
    pub store: Arc<dyn Store>,
    dir: tempfile::TempDir,
}

impl TempStore {
    /// Opens a fresh database.
    ///
    /// # Panics
    /// When the folder or the database cannot be made.
    pub async fn sqlite() -> TempStore {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let store = open_sqlite(&dir.path().join("desk.db")).await;
        TempStore { store, dir }
    }

    /// The temporary folder (for a second database or other files of the test).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The database file.
    pub fn path(&self) -> PathBuf {
        self.dir.path().join("desk.db")
    }

    /// Gives up the store, keeping the folder (drop it after the store).
    pub fn into_parts(self) -> (Arc<dyn Store>, tempfile::TempDir) {
        (self.store, self.dir)
    }
}

/// Opens (and migrates) the SQLite database at `path`.
///
/// # Panics
/// When it cannot be opened.
pub async fn open_sqlite(path: &Path) -> Arc<dyn Store> {
    Arc::new(
        SqliteStore::open(path)
            .await
            .unwrap_or_else(|e| panic!("opening {}: {e}", path.display())),
    )
}

/// The app over a fresh SQLite store, with a manual clock.
pub struct TestDesk {
    /// The app.
    pub app: App,
    /// Its clock.
    pub clock: Arc<ManualClock>,
    /// The database's folder, kept for as long as the desk.
    pub dir: tempfile::TempDir,
}

impl TestDesk {
    /// The app with the default settings, its clock at [`START`].
    pub async fn sqlite() -> TestDesk {
        TestDesk::sqlite_with(start(), AppConfig::default()).await
    }

    /// The app with `config`, its clock at `start`.
    pub async fn sqlite_with(start: Timestamp, config: AppConfig) -> TestDesk {
        let (store, dir) = TempStore::sqlite().await.into_parts();
        let clock = clock_at(start);
        let app = App::new(store, clock.clone(), config);
        TestDesk { app, clock, dir }
    }
}

/// A person for [`App::add_user_as_system`]: `email`, named "Someone", with `role`.
pub fn person(email: &str, role: &str) -> NewUserInput {
    NewUserInput {
        email: email.into(),
        name: "Someone".into(),
        role: role.into(),
        ..NewUserInput::default()
    }
}

/// Adds `input` through the command-line entry point and returns them as an actor.
///
/// # Panics
/// When the person cannot be added.
pub async fn add_actor(app: &App, input: NewUserInput) -> Actor {
    let user = app
        .add_user_as_system(input)
        .await
        .unwrap_or_else(|e| panic!("adding a person: {e:?}"));
    app.store()
        .actor_for_user(user.id)
        .await
        .unwrap_or_else(|e| panic!("reading the person back: {e:?}"))
}
