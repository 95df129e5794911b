//! Typed configuration: defaults, then `FERRODESK_*` environment variables, then flags
//! (clap applies the last two), validated before anything binds a port.

use crate::cli::GlobalArgs;
use anyhow::Context as _;
use ferrodesk_store::Store;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// A secret that never shows in logs or `Debug` output.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// The secret itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Which database the desk uses.
#[derive(Debug, Clone)]
pub enum Database {
    /// The embedded default: one SQLite file.
    Sqlite(PathBuf),
    /// PostgreSQL at this URL (it may hold a password).
    Postgres(Secret),
}

impl fmt::Display for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Database::Sqlite(path) => write!(f, "SQLite at {}", path.display()),
            Database::Postgres(_) => f.write_str("PostgreSQL"),
        }
    }
}

/// Everything the commands need to know.
#[derive(Debug, Clone)]
pub struct Config {
    /// Data directory.
    pub data_dir: PathBuf,
    /// Database.
    pub database: Database,
}

impl Config {
    /// Builds and validates the configuration.
    pub fn from_cli(args: &GlobalArgs) -> anyhow::Result<Config> {
        let database = match args.database.as_deref().map(str::trim) {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Database::Postgres(Secret(url.to_owned()))
            }
            Some(url) if url.starts_with("sqlite://") => {
                Database::Sqlite(PathBuf::from(url.trim_start_matches("sqlite://")))
            }
            Some("") | None => Database::Sqlite(args.data.join("ferrodesk.db")),
            Some(other) => anyhow::bail!(
                "--database must be a postgres:// or sqlite:// URL, not '{}'",
                other.split(':').next().unwrap_or_default()
            ),
        };
        Ok(Config {
            data_dir: args.data.clone(),
            database,
        })
    }

    /// The search index's folder: `<data>/index`.
    pub fn index_dir(&self) -> PathBuf {
        self.data_dir.join("index")
    }

    /// Opens the search index under the data directory and gives it to `app`.
    pub fn attach_search_index(&self, app: &ferrodesk_app::App) -> anyhow::Result<()> {
        let index = ferrodesk_search::SearchIndex::open(&self.index_dir()).with_context(|| {
            format!("opening the search index in {}", self.index_dir().display())
        })?;
        app.attach_search_index(index)?;
        Ok(())
    }

    /// Opens the store, creating the data directory and applying migrations.
    pub async fn open_store(&self) -> anyhow::Result<Arc<dyn Store>> {
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("creating the data directory {}", self.data_dir.display()))?;
        let store: Arc<dyn Store> = match &self.database {
            Database::Sqlite(path) => Arc::new(
                ferrodesk_store_sqlite::SqliteStore::open(path)
                    .await
                    .with_context(|| format!("opening {}", self.database))?,
            ),
            Database::Postgres(url) => Arc::new(
                ferrodesk_store_postgres::PgStore::connect(url.expose())
                    .await
                    .context("connecting to PostgreSQL")?,
            ),
        };
        Ok(store)
    }

    /// Opens the store and builds the services on it.
    pub async fn open_app(&self) -> anyhow::Result<ferrodesk_app::App> {
        let store = self.open_store().await?;
        Ok(ferrodesk_app::App::new(
            store,
            Arc::new(ferrodesk_app::SystemClock),
            ferrodesk_app::AppConfig {
                // Attachments live beside the database; nodes sharing a PostgreSQL
                // database share this folder (a network mount) too.
                blob_dir: Some(self.data_dir.join("blobs")),
                ..ferrodesk_app::AppConfig::default()
            },
        ))
    }
}
