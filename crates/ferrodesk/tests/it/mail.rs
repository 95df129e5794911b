//! `ferrodesk mail-gateway`, the real binary fed on standard input.

use crate::desk::Backend;
use std::io::Write as _;
use std::process::{Command, Stdio};

/// Runs `ferrodesk mail-gateway` with `raw` on standard input: exit code and output.
pub(crate) fn gateway(backend: &Backend, raw: &[u8]) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ferrodesk"))
        .arg("mail-gateway")
        .args(backend.args())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(raw).unwrap();
    let output = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap_or(-1), text)
}

fn message(id: &str, extra: &str, body: &str) -> Vec<u8> {
    format!(
        "From: Ana Silva <ana@example.com>\r\nTo: support@desk.example\r\n\
         Subject: Printer jam\r\nMessage-ID: <{id}>\r\n{extra}\r\n{body}\r\n"
    )
    .into_bytes()
}

async fn pipe_a_message_and_its_reply(backend: Backend) {
    let (code, out) = gateway(&backend, &message("g1@example.com", "", "jammed"));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("opened ticket #10001"), "{out}");
    let reply = message(
        "g2@example.com",
        "In-Reply-To: <g1@example.com>\r\n",
        "still",
    );
    let (code, out) = gateway(&backend, &reply);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("added to ticket #10001"), "{out}");
    let (code, out) = gateway(&backend, &reply);
    assert_eq!((code, out.contains("duplicate")), (0, true), "{out}");
    let (code, out) = gateway(&backend, b"  \r\n");
    assert_eq!(code, 65, "{out}");
    assert!(out.contains("empty"), "{out}");
    let (code, out) = gateway(&backend, b"Subject: no sender\r\n\r\nhello\r\n");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("quarantined") && out.contains("From"), "{out}");
}

#[tokio::test]
async fn mail_gateway_files_a_message_and_threads_its_reply_on_sqlite() {
    if let Some(backend) = Backend::sqlite() {
        pipe_a_message_and_its_reply(backend).await;
    }
}

#[tokio::test]
async fn mail_gateway_files_a_message_and_threads_its_reply_on_postgres() {
    if let Some(backend) = Backend::postgres().await {
        pipe_a_message_and_its_reply(backend).await;
    }
}

#[tokio::test]
async fn every_corpus_message_goes_through_mail_gateway_without_a_crash() {
    let Some(backend) = Backend::sqlite() else {
        return;
    };
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/email");
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.unwrap().path();
        let raw = std::fs::read(&path).unwrap();
        let (code, out) = gateway(&backend, &raw);
        assert_eq!(code, 0, "{}: {out}", path.display());
        assert!(
            out.contains("ticket") || out.contains("quarantined"),
            "{}: {out}",
            path.display()
        );
    }
}
