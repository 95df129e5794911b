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
    /// The port it listens on (127.0.0.1).
    pub port: u16,
    /// The folder it writes each received message to.
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

const DOVECOT: &str = "/usr/sbin/dovecot";
const OPENSSL: &str = "/usr/bin/openssl";
/// The account every test mailbox reads.
pub const IMAP_USER: &str = "desk@example.test";
/// Its password.
pub const IMAP_PASSWORD: &str = "imap-secret";

/// A running Dovecot (IMAP only) with one account and a Maildir, listening on
/// 127.0.0.1 with STARTTLS on one port and TLS on another, its certificate signed by
/// a throwaway CA in `ca_file`. As root it runs as `nobody`, never as root.
pub struct Dovecot {
    child: Child,
    /// Plain port (STARTTLS offered).
    pub starttls_port: u16,
    /// TLS port.
    pub tls_port: u16,
    /// The CA certificate the client must trust.
    pub ca_file: PathBuf,
    maildir: PathBuf,
    owner: Option<(u32, u32)>,
    _temp: tempfile::TempDir,
}

fn run(program: &str, args: &[&str], dir: &Path) {
    let output = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn chown_tree(path: &Path, (uid, gid): (u32, u32)) {
    std::os::unix::fs::chown(path, Some(uid), Some(gid)).unwrap();
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            chown_tree(&entry.unwrap().path(), (uid, gid));
        }
    }
}

impl Dovecot {
    /// Starts one, or `None` (after a loud skip) without Dovecot or openssl.
    pub fn start() -> Option<Dovecot> {
        let installed = [DOVECOT, "/usr/lib/dovecot/imap", OPENSSL];
        if !installed.iter().all(|path| Path::new(path).exists()) {
            skip_or_panic("dovecot-imapd (/usr/sbin/dovecot, /usr/lib/dovecot/imap) or openssl");
            return None;
        }
        let temp = tempfile::tempdir().unwrap();
        let root = temp.path().to_owned();
        // A CA and a server certificate for 127.0.0.1 signed by it (rustls refuses a
        // self-signed CA certificate as the server's own).
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ];
        let mut args = vec!["req", "-x509"];
        args.extend(ec);
        args.extend([
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=Ferrodesk test CA",
        ]);
        run(OPENSSL, &args, &root);
        let mut args = vec!["req"];
        args.extend(ec);
        args.extend([
            "-keyout",
            "key.pem",
            "-out",
            "server.csr",
            "-subj",
            "/CN=127.0.0.1",
        ]);
        run(OPENSSL, &args, &root);
        std::fs::write(
            root.join("ext.cnf"),
            "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n",
        )
        .unwrap();
        run(
            OPENSSL,
            &[
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                "cert.pem",
                "-days",
                "2",
                "-extfile",
                "ext.cnf",
            ],
            &root,
        );
        for dir in ["run", "state", "home"] {
            std::fs::create_dir(root.join(dir)).unwrap();
        }
        let maildir = root.join("home").join(IMAP_USER).join("Maildir");
        for dir in ["new", "cur", "tmp"] {
            std::fs::create_dir_all(maildir.join(dir)).unwrap();
        }
        std::fs::write(
            root.join("passwd"),
            format!("{IMAP_USER}:{{PLAIN}}{IMAP_PASSWORD}::::::\n"),
        )
        .unwrap();
        let is_root = std::env::var("USER").is_ok_and(|u| u == "root")
            || std::fs::metadata("/proc/self")
                .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
                .unwrap_or(false);
        let (owner, user, group, uid, gid) = if is_root {
            (
                Some((65534, 65534)),
                "nobody".to_owned(),
                "nogroup".to_owned(),
                65534,
                65534,
            )
        } else {
            let id = |flag: &str| {
                let out = Command::new("id").arg(flag).output().unwrap();
                String::from_utf8_lossy(&out.stdout).trim().to_owned()
            };
            let uid: u32 = id("-u").parse().unwrap();
            let gid: u32 = id("-g").parse().unwrap();
            (None, id("-un"), id("-gn"), uid, gid)
        };
        let starttls_port = free_port();
        let tls_port = free_port();
        let root_text = root.display();
        std::fs::write(
            root.join("dovecot.conf"),
            format!(
                "base_dir = {root_text}/run\nstate_dir = {root_text}/state\n\
                 instance_name = ferrodesk-test-{starttls_port}\nlog_path = {root_text}/dovecot.log\n\
                 protocols = imap\nlisten = 127.0.0.1\nssl = yes\n\
                 ssl_cert = <{root_text}/cert.pem\nssl_key = <{root_text}/key.pem\n\
                 disable_plaintext_auth = no\nauth_mechanisms = plain login\nauth_failure_delay = 0\nmailbox_idle_check_interval = 1 secs\n\
                 default_internal_user = {user}\ndefault_login_user = {user}\n\
                 default_internal_group = {group}\n\
                 mail_location = maildir:{root_text}/home/%u/Maildir\n\
                 passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {root_text}/passwd\n}}\n\
                 userdb {{\n  driver = static\n  args = uid={uid} gid={gid} home={root_text}/home/%u\n}}\n\
                 service imap-login {{\n  chroot =\n  inet_listener imap {{\n    address = 127.0.0.1\n    port = {starttls_port}\n  }}\n\
                   inet_listener imaps {{\n    address = 127.0.0.1\n    port = {tls_port}\n    ssl = yes\n  }}\n}}\n\
                 service anvil {{\n  chroot =\n}}\n"
            ),
        )
        .unwrap();
        if let Some(owner) = owner {
            chown_tree(&root, owner);
        }
        let mut command = Command::new(DOVECOT);
        command
            .args(["-F", "-c"])
            .arg(root.join("dovecot.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        if let Some((uid, gid)) = owner {
            std::os::unix::process::CommandExt::uid(&mut command, uid);
            std::os::unix::process::CommandExt::gid(&mut command, gid);
        }
        let mut child = command.spawn().unwrap();
        wait_for_port(starttls_port, &mut child);
        wait_for_port(tls_port, &mut child);
        Some(Dovecot {
            child,
            starttls_port,
            tls_port,
            ca_file: root.join("ca.pem"),
            maildir,
            owner,
            _temp: temp,
        })
    }

    /// Delivers a message into the account's INBOX, as an MTA would (tmp, then new).
    pub fn deliver(&self, raw: &[u8]) {
        static COUNT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("{}.M{n}P{}.test", 1_700_000_000 + n, std::process::id());
        let tmp = self.maildir.join("tmp").join(&name);
        std::fs::write(&tmp, raw).unwrap();
        if let Some(owner) = self.owner {
            chown_tree(&tmp, owner);
        }
        std::fs::rename(&tmp, self.maildir.join("new").join(&name)).unwrap();
    }

    /// The Maildir flags (`S` seen, `T` deleted, `a`.. keywords) of every message
    /// still in the INBOX.
    pub fn flags(&self) -> Vec<String> {
        let mut flags = Vec::new();
        for dir in ["new", "cur"] {
            for entry in std::fs::read_dir(self.maildir.join(dir)).unwrap() {
                let name = entry.unwrap().file_name().to_string_lossy().into_owned();
                flags.push(
                    name.rsplit_once(":2,")
                        .map(|(_, f)| f.to_owned())
                        .unwrap_or_default(),
                );
            }
        }
        flags
    }

    /// The log, for a failing test's message.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.maildir.ancestors().nth(3).unwrap().join("dovecot.log"))
            .unwrap_or_default()
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        // SIGTERM lets the master stop its children; a kill would leave them behind.
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
