//! Starting and stopping the real binary for tests.

use ferrodesk_testing::postgres::TestDatabase;
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;
use tempfile::TempDir;

const BINARY: &str = env!("CARGO_BIN_EXE_ferrodesk");
/// How long a start may take before the test gives up (a debug build seeding the demo
/// desk on a loaded 2-core machine is the slow case). Not a timing assertion: the
/// test waits for the "listening" line and fails only if it never comes.
const START_LIMIT: Duration = Duration::from_secs(180);

/// Where a test desk keeps its data: a temp dir, and a database URL for PostgreSQL.
pub struct Backend {
    data: TempDir,
    database: Option<String>,
    admin_email: Mutex<Option<String>>,
    _postgres: Option<TestDatabase>,
}

impl Backend {
    /// A fresh SQLite desk.
    pub fn sqlite() -> Option<Backend> {
        Some(Backend {
            data: tempfile::tempdir().expect("temp dir"),
            database: None,
            admin_email: Mutex::new(None),
            _postgres: None,
        })
    }

    /// A fresh PostgreSQL database, or `None` (with a loud skip) when PostgreSQL is
    /// not installed on a developer's machine.
    pub async fn postgres() -> Option<Backend> {
        let database = TestDatabase::create().await?;
        Some(Backend {
            data: tempfile::tempdir().expect("temp dir"),
            database: Some(database.url().to_owned()),
            admin_email: Mutex::new(None),
            _postgres: Some(database),
        })
    }

    pub fn args(&self) -> Vec<String> {
        let mut args = vec!["--data".to_owned(), self.data.path().display().to_string()];
        if let Some(url) = &self.database {
            args.push("--database".to_owned());
            args.push(url.clone());
        }
        args
    }
}

/// What a CLI run printed.
pub struct Output {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `ferrodesk ARGS` against the backend, feeding `stdin` if given.
pub fn cli(backend: &Backend, args: &[&str], stdin: Option<&str>) -> Output {
    let mut command = Command::new(BINARY);
    command
        .args(args)
        .args(backend.args())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("run ferrodesk");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
    }
    let output = child.wait_with_output().expect("wait for ferrodesk");
    Output {
        status: output.status,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A running `ferrodesk serve`.
pub struct Desk {
    child: Option<Child>,
    base: String,
    lines: Arc<Mutex<Vec<String>>>,
    /// The first admin's (email, password), when this start printed it.
    pub admin: Option<(String, String)>,
    /// An HTTP client.
    pub client: reqwest::Client,
    admin_email: Option<String>,
}

/// An HTTP answer, read in full.
pub struct Response {
    pub status: u16,
    pub body: String,
}

impl Response {
    /// Asserts the status and passes the response on.
    #[track_caller]
    pub fn expect_status(self, status: u16) -> Response {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.body
        );
        self
    }

    /// The body as JSON.
    #[track_caller]
    pub fn json(self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.body))
    }
}

impl Desk {
    /// Starts the desk on a free port and waits until it listens.
    pub async fn start(backend: &Backend, extra: &[&str]) -> Desk {
        let mut child = Command::new(BINARY)
            .arg("serve")
            .args(["--listen", "127.0.0.1:0"])
            .args(extra)
            .args(backend.args())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start ferrodesk serve");
        let stdout = child.stdout.take().expect("stdout");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (sender, receiver) = mpsc::channel();
        let collected = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                collected.lock().expect("lines").push(line.clone());
                let _ = sender.send(line);
            }
        });
        let base = tokio::task::spawn_blocking(move || {
            let deadline = std::time::Instant::now() + START_LIMIT;
            loop {
                let left = deadline.saturating_duration_since(std::time::Instant::now());
                match receiver.recv_timeout(left) {
                    Ok(line) => {
                        if let Some(url) = line.strip_prefix("Ferrodesk is listening on ") {
                            return url.trim().to_owned();
                        }
                    }
                    Err(error) => panic!("ferrodesk serve did not start: {error}"),
                }
            }
        })
        .await
        .expect("wait for start");

        let admin = {
            let lines = lines.lock().expect("lines");
            let field = |name: &str| {
                lines
                    .iter()
                    .find_map(|l| l.trim().strip_prefix(name).map(|v| v.trim().to_owned()))
            };
            field("email:").zip(field("password:"))
        };
        if let Some((email, _)) = &admin {
            *backend.admin_email.lock().expect("admin") = Some(email.clone());
        }
        let admin_email = backend.admin_email.lock().expect("admin").clone();
        Desk {
            child: Some(child),
            base,
            lines,
            admin,
            client: reqwest::Client::new(),
            admin_email,
        }
    }

    /// The full URL of a path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Whether the desk printed a line containing `text`.
    pub fn stdout_contains(&self, text: &str) -> bool {
        self.lines
            .lock()
            .expect("lines")
            .iter()
            .any(|l| l.contains(text))
    }

    /// A fresh API token for the first admin (through the CLI, as a person would).
    pub fn admin_token(&self, backend: &Backend) -> String {
        let email = self
            .admin_email
            .clone()
            .expect("the admin was printed on a first start");
        let out = cli(backend, &["tokens", "create", "--email", &email], None);
        assert!(out.status.success(), "tokens create failed: {}", out.stderr);
        out.stdout.trim().to_owned()
    }

    /// GET with a bearer token.
    pub async fn get(&self, token: &str, path: &str) -> Response {
        let response = self
            .client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("GET");
        read(response).await
    }

    /// POST JSON with a bearer token.
    pub async fn post(&self, token: &str, path: &str, body: Value) -> Response {
        let response = self
            .client
            .post(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("POST");
        read(response).await
    }

    /// Sends a signal (`TERM`, `INT`) to the desk.
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.as_ref().expect("running").id().to_string())
            .status()
            .expect("run kill");
        assert!(status.success());
    }

    /// Waits for the desk to exit.
    pub async fn wait(mut self) -> ExitStatus {
        let mut child = self.child.take().expect("running");
        tokio::task::spawn_blocking(move || child.wait().expect("wait"))
            .await
            .expect("join")
    }

    /// SIGTERM, then wait.
    pub async fn stop(self) -> ExitStatus {
        self.signal("TERM");
        self.wait().await
    }

    /// SIGKILL: the process gets no chance to clean up.
    pub fn kill_9(mut self) {
        let mut child = self.child.take().expect("running");
        child.kill().expect("kill -9");
        let _ = child.wait();
    }
}

impl Drop for Desk {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

async fn read(response: reqwest::Response) -> Response {
    let status = response.status().as_u16();
    let body = response.text().await.expect("read body");
    Response { status, body }
}
