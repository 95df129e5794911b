//! Real mail servers for the tests, as child processes on free loopback ports, killed
//! when dropped.

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Whether a missing server fails the test (CI) or skips it loudly.
pub fn skip_or_panic(what: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{what} not found and CI=true");
    }
    eprintln!("SKIPPED: {what} not found; install it (see .ci/run) to run this test");
}

/// A free TCP port on 127.0.0.1 (the OS picks it; freed before the server binds it).
pub fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until something accepts connections on `port`, or panics after 20 s.
pub fn wait_for_port(port: u16, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the server exited before listening: {status}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("nothing listens on port {port} after 20 s");
}

/// Waits until `condition` holds, or panics after 20 s.
pub fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if condition() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("timed out waiting until {what}");
}

/// The SMTP server the tests run: aiosmtpd writing each message to a folder, and
/// answering `451` while a file named `refuse` exists in that folder.
const SMTP_SERVER: &str = r#"
import asyncio, os, sys
from aiosmtpd.smtp import SMTP

out, port = sys.argv[1], int(sys.argv[2])

class Handler:
    async def handle_DATA(self, server, session, envelope):
        if os.path.exists(os.path.join(out, "refuse")):
            return "451 4.3.0 try again later"
        count = len([n for n in os.listdir(out) if n.endswith(".eml")])
        name = os.path.join(out, "%04d" % count)
        with open(name + ".tmp", "wb") as f:
            f.write(("X-Envelope-From: %s\r\nX-Envelope-To: %s\r\n" % (
                envelope.mail_from, ", ".join(envelope.rcpt_tos))).encode())
            f.write(envelope.original_content)
        os.rename(name + ".tmp", name + ".eml")
        return "250 OK"

async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(Handler()), "127.0.0.1", port)
    await server.serve_forever()

asyncio.run(main())
"#;

/// A running aiosmtpd.
pub struct SmtpServer {
    child: Child,
    pub port: u16,
    pub dir: PathBuf,
    _temp: tempfile::TempDir,
}

const PYTHON: &str = "/usr/bin/python3";

impl SmtpServer {
    /// Starts one, or `None` (after a loud skip) when aiosmtpd is not installed.
    pub fn start() -> Option<SmtpServer> {
        let has_aiosmtpd = Command::new(PYTHON)
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !has_aiosmtpd {
            skip_or_panic("python3-aiosmtpd (aiosmtpd for /usr/bin/python3)");
            return None;
        }
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("received");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(temp.path().join("server.py"), SMTP_SERVER).unwrap();
        let port = free_port();
        let mut server = SmtpServer {
            child: spawn_smtp(temp.path(), &dir, port),
            port,
            dir,
            _temp: temp,
        };
        wait_for_port(port, &mut server.child);
        Some(server)
    }

    /// `smtp://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Stops the server (connections are then refused).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts it again on the same port.
    pub fn restart(&mut self) {
        self.stop();
        let root = self.dir.parent().unwrap().to_owned();
        self.child = spawn_smtp(&root, &self.dir, self.port);
        wait_for_port(self.port, &mut self.child);
    }

    /// Makes the server answer `451` to every message, or accept again.
    pub fn refuse(&self, refuse: bool) {
        let marker = self.dir.join("refuse");
        if refuse {
            std::fs::write(marker, b"").unwrap();
        } else {
            let _ = std::fs::remove_file(marker);
        }
    }

    /// The messages received so far, oldest first.
    pub fn received(&self) -> Vec<String> {
        let mut names: Vec<_> = std::fs::read_dir(&self.dir)
            .unwrap()
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.extension().is_some_and(|e| e == "eml"))
            .collect();
        names.sort();
        names
            .iter()
            .map(|path| String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned())
            .collect()
    }
}

fn spawn_smtp(root: &Path, dir: &Path, port: u16) -> Child {
    Command::new(PYTHON)
        .arg(root.join("server.py"))
        .arg(dir)
        .arg(port.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}
