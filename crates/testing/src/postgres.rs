//! A fresh PostgreSQL database per test.
//!
//! With `FERRODESK_TEST_DATABASE_URL` set, each [`TestDatabase`] is a new, uniquely
//! named database on that server. Otherwise the first test of the process starts one
//! throwaway cluster (`initdb` and `pg_ctl` from `PATH` or `/usr/lib/postgresql/*/bin`;
//! data and unix sockets in a temporary folder; listening on 127.0.0.1 on a free port;
//! fsync off) that every test of the process shares. As root, which `initdb` refuses,
//! the cluster runs as the `postgres` system user.
//!
//! Clean-up: dropping a [`TestDatabase`] drops its database. The cluster is stopped by
//! a small watchdog shell started before it: it waits on a pipe whose writing end only
//! this process holds, so when the process exits for any reason (even `kill -9`) the
//! read ends, and the watchdog stops the postmaster and removes the folder.
//!
//! Without PostgreSQL binaries, [`TestDatabase::create`] prints a loud `SKIPPED` line
//! and returns `None`, unless `CI=true`, where it panics: CI must not skip silently.

use ferrodesk_store::StoreError;
use ferrodesk_store_postgres::PgStore;
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use std::io::Write as _;
use std::os::unix::fs::MetadataExt as _;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// A database that exists until this value is dropped.
#[derive(Debug)]
pub struct TestDatabase {
    url: String,
    admin_url: String,
    name: String,
}

impl TestDatabase {
    /// Creates a fresh, empty database, or `None` (after printing why) when no
    /// PostgreSQL is available.
    ///
    /// # Panics
    /// When `CI=true` and no PostgreSQL is available, or when a configured or started
    /// server fails: those are errors, not reasons to skip.
    pub async fn create() -> Option<TestDatabase> {
        let admin_url = match std::env::var("FERRODESK_TEST_DATABASE_URL") {
            Ok(url) if !url.trim().is_empty() => url,
            _ => match cluster() {
                Ok(cluster) => cluster.url("postgres"),
                Err(ClusterError::NotFound(reason)) => {
                    if std::env::var("CI").is_ok_and(|v| v == "true") {
                        panic!("PostgreSQL not found and CI=true: {reason}");
                    }
                    eprintln!(
                        "SKIPPED: PostgreSQL not found ({reason}); install PostgreSQL or set \
                         FERRODESK_TEST_DATABASE_URL to run the PostgreSQL tests"
                    );
                    return None;
                }
                Err(ClusterError::Failed(reason)) => {
                    panic!("the throwaway PostgreSQL cluster did not start: {reason}")
                }
            },
        };
        let name = unique_name();
        let mut admin = PgConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|e| panic!("cannot reach the test PostgreSQL server: {e}"));
        sqlx::query(AssertSqlSafe(format!("create database {name}")))
            .execute(&mut admin)
            .await
            .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
        let _ = admin.close().await;
        Some(TestDatabase {
            url: with_database(&admin_url, &name),
            admin_url,
            name,
        })
    }

    /// The URL of this database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Connects a [`PgStore`] to this database (running the migrations); the database
    /// lives until the last handle of the store is dropped, then a watcher thread drops
    /// it (a database still in use when the process exits goes with the throwaway
    /// cluster; on a server named by `FERRODESK_TEST_DATABASE_URL` it is left behind).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the connection or a migration fails.
    pub async fn into_store(self) -> Result<Arc<PgStore>, StoreError> {
        let store = Arc::new(PgStore::connect(&self.url).await?);
        let watched = Arc::downgrade(&store);
        let watcher = std::thread::Builder::new()
            .name("ferrodesk-test-database".into())
            .spawn(move || {
                while watched.strong_count() > 0 {
                    std::thread::sleep(Duration::from_millis(50));
                }
                drop(self);
            });
        if let Err(error) = watcher {
            eprintln!("warning: the test database will not be dropped: {error}");
        }
        Ok(store)
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // Best effort, on a thread of its own: Drop cannot await, and the caller may be
        // inside a runtime that must not be blocked on itself.
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(async {
                let mut admin = PgConnection::connect(&admin_url)
                    .await
                    .map_err(|e| e.to_string())?;
                sqlx::query(AssertSqlSafe(format!(
                    "drop database if exists {name} with (force)"
                )))
                .execute(&mut admin)
                .await
                .map_err(|e| e.to_string())?;
                let _ = admin.close().await;
                Ok::<(), String>(())
            })
        })
        .join();
        if let Ok(Err(reason)) = dropped {
            eprintln!(
                "warning: test database {} was not dropped: {reason}",
                self.name
            );
        }
    }
}

/// A database name no other test (of this or another process) uses.
fn unique_name() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "ferrodesk_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos
    )
}

/// `url` with its database replaced by `name` (query parameters kept).
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    let mut result = format!("{}/{name}", &base[..path_start]);
    if let Some(query) = query {
        result.push('?');
        result.push_str(query);
    }
    result
}

/// Why no throwaway cluster could be had.
#[derive(Debug, Clone)]
enum ClusterError {
    /// No PostgreSQL binaries: the tests are skipped.
    NotFound(String),
    /// They exist but the cluster did not start: a real failure.
    Failed(String),
}

/// The throwaway cluster of this process.
struct Cluster {
    port: u16,
    /// The watchdog's stdin; it is never written, only closed by the process exit.
    _watchdog: std::process::ChildStdin,
}

impl Cluster {
    fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }
}

fn cluster() -> Result<&'static Cluster, ClusterError> {
    static CLUSTER: OnceLock<Result<Cluster, ClusterError>> = OnceLock::new();
    CLUSTER
        .get_or_init(start_cluster)
        .as_ref()
        .map_err(Clone::clone)
}

/// The folder holding `initdb` and `pg_ctl`: on `PATH`, else the newest
/// `/usr/lib/postgresql/*/bin`.
fn binaries() -> Option<PathBuf> {
    let has_tools = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Some(path) = std::env::var_os("PATH")
        && let Some(dir) = std::env::split_paths(&path).find(|d| has_tools(d))
    {
        return Some(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            has_tools(&bin).then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

/// The uid and gid of the `postgres` system user.
fn postgres_user() -> Option<(u32, u32)> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        (fields.first() == Some(&"postgres") && fields.len() > 3)
            .then(|| Some((fields[2].parse().ok()?, fields[3].parse().ok()?)))
            .flatten()
    })
}

fn start_cluster() -> Result<Cluster, ClusterError> {
    let failed =
        |what: &str, e: &dyn std::fmt::Display| ClusterError::Failed(format!("{what}: {e}"));
    let bin = binaries().ok_or_else(|| {
        ClusterError::NotFound("no initdb and pg_ctl on PATH or under /usr/lib/postgresql".into())
    })?;
    let is_root = std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0);
    let owner = if is_root {
        Some(postgres_user().ok_or_else(|| {
            ClusterError::Failed(
                "running as root, which initdb refuses, and there is no postgres user".into(),
            )
        })?)
    } else {
        None
    };
    let dir = std::env::temp_dir().join(format!("ferrodesk-pg-{}", unique_name()));
    std::fs::create_dir_all(&dir).map_err(|e| failed("temporary folder", &e))?;
    if let Some((uid, gid)) = owner {
        std::os::unix::fs::chown(&dir, Some(uid), Some(gid))
            .map_err(|e| failed("handing the folder to postgres", &e))?;
    }
    let data = dir.join("data");
    // The watchdog first, so that nothing started below can outlive this process.
    let watchdog = format!(
        "read _ignored; pid=$(head -n 1 '{data}/postmaster.pid' 2>/dev/null); \
         if [ -n \"$pid\" ]; then kill -QUIT \"$pid\" 2>/dev/null; \
         while kill -0 \"$pid\" 2>/dev/null; do sleep 0.05; done; fi; rm -rf '{dir}'",
        data = data.display(),
        dir = dir.display()
    );
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(watchdog)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        // Its own process group: a Ctrl-C for the tests must not stop the clean-up.
        .process_group(0)
        .spawn()
        .map_err(|e| failed("starting the watchdog", &e))?;
    let watchdog = child
        .stdin
        .take()
        .ok_or_else(|| ClusterError::Failed("the watchdog has no stdin".into()))?;

    let run = |program: &str, args: &[&str]| -> Result<(), ClusterError> {
        let tool = bin.join(program);
        let mut command = if is_root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&tool);
            c
        } else {
            Command::new(&tool)
        };
        let output = command
            .args(args)
            .current_dir(&dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| failed(program, &e))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(ClusterError::Failed(format!(
                "{program} failed: {}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            )))
        }
    };
    let data_arg = data.display().to_string();
    run(
        "initdb",
        &[
            "-D",
            &data_arg,
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ],
    )?;
    let log = dir.join("postgres.log").display().to_string();
    let mut last_error = None;
    for _ in 0..3 {
        let port = free_port().map_err(|e| failed("finding a free port", &e))?;
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -F -c full_page_writes=off \
             -c synchronous_commit=off -c max_connections=200",
            dir.display()
        );
        match run(
            "pg_ctl",
            &[
                "-D", &data_arg, "-l", &log, "-o", &options, "-w", "-t", "60", "start",
            ],
        ) {
            Ok(()) => {
                return Ok(Cluster {
                    port,
                    _watchdog: watchdog,
                });
            }
            Err(e) => last_error = Some(e),
        }
    }
    let mut watchdog = watchdog;
    let _ = watchdog.write_all(b"\n");
    Err(last_error.unwrap_or_else(|| ClusterError::Failed("pg_ctl start failed".into())))
}

/// A port nobody listens on right now (there is a small race until PostgreSQL binds it;
/// the caller retries).
fn free_port() -> std::io::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_names_replace_the_path_and_keep_the_query() {
        assert_eq!(
            with_database("postgres://u:p@host:5432/postgres?sslmode=disable", "t1"),
            "postgres://u:p@host:5432/t1?sslmode=disable"
        );
        assert_eq!(with_database("postgres://host", "t1"), "postgres://host/t1");
        assert_eq!(
            with_database("postgres:///db?host=/run/postgresql", "t1"),
            "postgres:///t1?host=/run/postgresql"
        );
    }
}
