//! A message's files become attachments on its ticket's timeline: stored as
//! content-addressed blobs, inline images included, files over the limit reported.

use ferrodesk_app::AppConfig;
use ferrodesk_app::mail::{IntakeOptions, IntakeOutcome};
use ferrodesk_domain::{Event, EventKind, TicketId};
use ferrodesk_store::EventPage;
use ferrodesk_testing::fixtures::mail::{MailDesk as Desk, message};

/// A message of the real-world corpus in the repository's `fixtures/email`.
pub fn corpus(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/email")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

async fn file(desk: &Desk, raw: &[u8]) -> TicketId {
    match desk
        .app
        .mail_intake()
        .file(raw, IntakeOptions::default())
        .await
        .unwrap()
    {
        IntakeOutcome::Filed { ticket, .. } => ticket,
        other => panic!("not filed: {other:?}"),
    }
}

async fn events(desk: &Desk, ticket: TicketId) -> Vec<Event> {
    desk.app
        .tickets()
        .events(&desk.admin, ticket, &EventPage::default())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_corpus_attachment_is_stored_as_a_blob_on_the_created_event() {
    let raw = corpus("msg_07.txt");
    let desk = Desk::sqlite().await;
    let ticket = file(&desk, &raw).await;
    let timeline = events(&desk, ticket).await;
    let created = timeline
        .iter()
        .find(|e| matches!(e.kind, EventKind::Created { .. }))
        .unwrap();
    assert_eq!(created.attachments.len(), 1, "{:?}", created.attachments);
    let gif = &created.attachments[0];
    assert_eq!(gif.filename, "dingusfish.gif");
    assert_eq!(gif.content_type, "image/gif");
    let (_, bytes) = desk
        .app
        .attachments()
        .download(&desk.admin, ticket, created.id, gif.sha256.as_str())
        .await
        .unwrap();
    assert!(bytes.starts_with(b"GIF8"));
    assert_eq!(i64::try_from(bytes.len()).unwrap(), gif.size);
    // The same file again (another message) is the same blob.
    let mut again = b"Message-ID: <another-copy@example.com>\r\n".to_vec();
    again.extend_from_slice(&raw);
    let other = file(&desk, &again).await;
    let copy = events(&desk, other).await;
    let copy = copy
        .iter()
        .find(|e| matches!(e.kind, EventKind::Created { .. }))
        .unwrap();
    assert_eq!(copy.attachments[0].sha256, gif.sha256);
}

#[tokio::test]
async fn an_inline_image_of_a_reply_is_kept_on_the_reply() {
    let desk = Desk::sqlite().await;
    let ticket = file(
        &desk,
        &message(
            "ana@example.com",
            "i1@example.com",
            "Screen",
            "",
            "It flickers.",
        ),
    )
    .await;
    let png: &[u8] =
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
    let encoded = base64_lines(png);
    let reply = format!(
        "From: ana@example.com\r\nTo: support@desk.example\r\nSubject: Re: Screen\r\n\
         Message-ID: <i2@example.com>\r\nIn-Reply-To: <i1@example.com>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/related; boundary=\"rel\"\r\n\r\n\
         --rel\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
         <p>See: <img src=\"cid:shot@example.com\"></p>\r\n\
         --rel\r\nContent-Type: image/png; name=\"shot.png\"\r\nContent-ID: <shot@example.com>\r\n\
         Content-Disposition: inline; filename=\"shot.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\
         {encoded}\r\n--rel--\r\n"
    );
    assert_eq!(file(&desk, reply.as_bytes()).await, ticket);
    let timeline = events(&desk, ticket).await;
    let answer = timeline
        .iter()
        .find(|e| matches!(e.kind, EventKind::Reply { .. }))
        .unwrap();
    assert_eq!(answer.attachments.len(), 1);
    assert_eq!(answer.attachments[0].filename, "shot.png");
    assert_eq!(answer.attachments[0].content_type, "image/png");
}

#[tokio::test]
async fn a_file_over_the_limit_is_not_kept_and_the_ticket_says_so() {
    let raw = corpus("msg_07.txt");
    let mut config = AppConfig::default();
    config.mail.max_attachment_bytes = 1024;
    let desk = Desk::sqlite_with(config).await;
    let ticket = file(&desk, &raw).await;
    let read = desk.app.tickets().get(&desk.admin, ticket).await.unwrap();
    assert!(
        read.description
            .contains("dingusfish.gif (4 KB) was not kept: larger than the 1 KB limit"),
        "{}",
        read.description
    );
    let timeline = events(&desk, ticket).await;
    assert!(timeline.iter().all(|e| e.attachments.is_empty()));

    // The blob store's own limit is reported the same way.
    let mut config = AppConfig {
        max_attachment_bytes: 1024,
        ..AppConfig::default()
    };
    config.mail.max_attachment_bytes = 1024 * 1024;
    let desk = Desk::sqlite_with(config).await;
    let ticket = file(&desk, &raw).await;
    let read = desk.app.tickets().get(&desk.admin, ticket).await.unwrap();
    assert!(
        read.description.contains("was not kept"),
        "{}",
        read.description
    );
}

fn base64_lines(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
