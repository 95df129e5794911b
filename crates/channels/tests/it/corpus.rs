//! The real-world corpus (CPython's email tests): every message parses or is rejected
//! with a clear reason, and the messages a person depends on read correctly.

use std::path::PathBuf;

use ferrodesk_channels::email::{DeliveryAction, InboundMessage, ParseError, parse};

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/email")
}

/// Every corpus file with its bytes, sorted by name.
pub fn corpus_files() -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    files.sort();
    files
}

fn corpus(name: &str) -> Result<InboundMessage, ParseError> {
    parse(&std::fs::read(corpus_dir().join(name)).unwrap())
}

#[test]
fn every_corpus_message_parses_or_is_rejected_with_a_reason() {
    let files = corpus_files();
    assert!(files.len() >= 48, "corpus has {} files", files.len());
    let mut parsed = 0;
    for (name, raw) in &files {
        match parse(raw) {
            Ok(message) => {
                parsed += 1;
                assert!(!message.message_id.as_str().is_empty(), "{name}");
                assert_eq!(message.raw_sha256.len(), 64, "{name}");
            }
            Err(error) => {
                // Rejections name a missing or unusable header, never a parser failure.
                assert!(
                    matches!(
                        error,
                        ParseError::MissingFrom
                            | ParseError::UnusableFrom { .. }
                            | ParseError::NoHeaders
                    ),
                    "{name}: unexpected rejection: {error}"
                );
            }
        }
    }
    assert_eq!(parsed, 41, "messages with a usable sender should all parse");
}

#[test]
fn messages_without_a_sender_are_rejected_as_such() {
    for name in [
        "msg_11.txt",
        "msg_18.txt",
        "msg_37.txt",
        "msg_38.txt",
        "msg_39.txt",
        "msg_40.txt",
    ] {
        assert_eq!(corpus(name), Err(ParseError::MissingFrom), "{name}");
    }
    assert_eq!(corpus("msg_19.txt"), Err(ParseError::NoHeaders));
    assert_eq!(
        ParseError::MissingFrom.to_string(),
        "message has no From header"
    );
}

#[test]
fn plain_message_has_its_sender_subject_and_ids() {
    let message = corpus("msg_01.txt").unwrap();
    assert_eq!(message.subject, "This is a test message");
    assert_eq!(message.from.address.as_str(), "bbb@ddd.com");
    assert_eq!(message.from.name.as_deref(), Some("John X. Doe"));
    assert_eq!(
        message.message_id.as_str(),
        "15090.61304.110929.45684@aaa.zzz.org"
    );
    assert!(!message.is_message_id_synthesized);
    assert!(message.text_body.contains("Do you like this message?"));
    assert!(message.date.is_some());
    assert!(!message.is_auto_generated());
}

#[test]
fn message_without_message_id_gets_a_stable_synthesized_one() {
    let first = corpus("msg_07.txt").unwrap();
    let again = corpus("msg_07.txt").unwrap();
    assert!(first.is_message_id_synthesized);
    assert_eq!(first.message_id, again.message_id);
    assert!(first.message_id.as_str().contains(&first.raw_sha256));
}

#[test]
fn attachment_is_found_with_its_name_type_and_hash() {
    let message = corpus("msg_07.txt").unwrap();
    assert_eq!(message.subject, "Here is your dingus fish");
    assert_eq!(message.attachments.len(), 1);
    let gif = &message.attachments[0];
    assert_eq!(gif.file_name.as_deref(), Some("dingusfish.gif"));
    assert_eq!(gif.content_type, "image/gif");
    assert_eq!(gif.size, gif.bytes.len());
    assert!(gif.bytes.starts_with(b"GIF8"));
    assert_eq!(gif.sha256.len(), 64);
    assert!(message.text_body.contains("This is the dingus fish."));
}

#[test]
fn inline_images_keep_their_content_ids() {
    let message = corpus("msg_22.txt").unwrap();
    let names: Vec<_> = message
        .attachments
        .iter()
        .map(|a| a.file_name.as_deref().unwrap_or_default())
        .collect();
    assert_eq!(names, ["wibble.JPG", "wibble2.JPG"]);
    assert!(message.attachments.iter().all(|a| a.content_id.is_some()));
}

#[test]
fn alternative_message_prefers_text_and_sanitizes_html() {
    let message = corpus("msg_15.txt").unwrap();
    assert_eq!(message.text_body.trim(), "Some removed test.");
    assert!(!message.is_text_from_html);
    let html = message.html_body.unwrap();
    assert!(html.contains("Some removed text."));
    assert!(!html.contains("<TITLE>") && !html.contains("<title>"));
    assert_eq!(message.attachments[0].file_name.as_deref(), Some("xx.gif"));
}

#[test]
fn delivery_report_names_the_bounced_message_and_recipient() {
    let message = corpus("msg_16.txt").unwrap();
    assert!(message.is_auto_generated());
    let report = message.delivery_report.as_ref().unwrap();
    assert_eq!(
        report.original_message_id.as_ref().unwrap().as_str(),
        "002001c144a6$8752e060$56104586@oxy.edu"
    );
    assert_eq!(
        report.original_subject.as_deref(),
        Some("[scr] yeah for Ians!!")
    );
    assert_eq!(report.reporting_mta.as_deref(), Some("cougar.noc.ucla.edu"));
    let failed: Vec<_> = report.failed_recipients().collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].final_recipient, "jangel1@cougar.noc.ucla.edu");
    assert_eq!(failed[0].action, DeliveryAction::Failed);
    assert_eq!(failed[0].status.as_deref(), Some("5.0.0"));
    assert!(report.is_permanent_failure());
}

#[test]
fn delivery_report_from_the_null_sender_is_still_read() {
    // "From: MAILER DAEMON <>": no address, but a bounce must reach its ticket.
    let message = corpus("msg_43.txt").unwrap();
    assert!(message.is_from_synthesized);
    assert_eq!(
        message.from.address.as_str(),
        "MAILER-DAEMON@sacspam01.dot.ca.gov"
    );
    let report = message.delivery_report.as_ref().unwrap();
    assert_eq!(
        report.original_message_id.as_ref().unwrap().as_str(),
        "edab.7804f5cb8070@python.org"
    );
    assert!(report.recipients.len() > 10);
    assert!(
        report
            .recipients
            .iter()
            .all(|r| r.status.as_deref() == Some("5.7.1"))
    );
    assert!(message.is_auto_generated());
}

#[test]
fn delivery_report_with_a_lost_boundary_is_still_recognized() {
    let message = corpus("msg_25.txt").unwrap();
    assert_eq!(
        message.from.address.as_str(),
        "MAILER-DAEMON@zinfandel.lacita.com"
    );
    let report = message.delivery_report.as_ref().unwrap();
    assert_eq!(
        report.original_message_id.as_ref().unwrap().as_str(),
        "01040616033903.00962@server"
    );
    assert_eq!(
        report.recipients[0].final_recipient,
        "scoffman@wellpartner.com"
    );
    assert_eq!(report.recipients[0].status.as_deref(), Some("5.4.6"));
    assert!(message.is_auto_generated());
    assert_eq!(
        message.header("auto-submitted"),
        Some("auto-generated (failure)")
    );
    assert!(!message.text_body.is_empty());
}

#[test]
fn forwarded_message_is_kept_as_an_attachment_with_its_subject() {
    let message = corpus("msg_46.txt").unwrap();
    assert_eq!(message.attachments.len(), 1);
    let forwarded = &message.attachments[0];
    assert_eq!(forwarded.content_type, "message/rfc822");
    let about = forwarded.forwarded.as_ref().unwrap();
    assert_eq!(about.subject, "GroupwiseForwardingTest");
    assert_eq!(
        about.from.as_ref().unwrap().name.as_deref(),
        Some("Dr. Sender")
    );
    assert_eq!(
        about.message_id.as_ref().unwrap().as_str(),
        "4B66B890.4070408@teconcept.de"
    );
    // The attachment holds the whole forwarded message, which parses on its own.
    let inner = parse(&forwarded.bytes).unwrap();
    assert_eq!(inner.subject, "GroupwiseForwardingTest");
}

#[test]
fn digest_keeps_each_message_as_a_forwarded_attachment() {
    let message = corpus("msg_02.txt").unwrap();
    let subjects: Vec<_> = message
        .attachments
        .iter()
        .filter_map(|a| a.forwarded.as_ref().map(|f| f.subject.as_str()))
        .collect();
    assert_eq!(subjects.len(), 5);
    assert!(subjects.contains(&"[Ppp] testing #1"));
}

#[test]
fn mailing_list_mail_is_auto_generated() {
    let message = corpus("msg_32.txt").unwrap();
    assert!(message.is_auto_generated());
}
