//! Property tests: `parse` and the classifiers never panic, whatever the bytes.

use ferrodesk_channels::email::{
    ParseError, parse, should_auto_reply, split_reply, threading_keys,
};
use ferrodesk_domain::EmailAddress;
use proptest::prelude::*;

use crate::corpus::corpus_files;

/// Runs everything the intake runs on a message.
fn intake(raw: &[u8]) {
    let desk = [EmailAddress::parse("support@desk.example").unwrap()];
    match parse(raw) {
        Ok(message) => {
            let _ = message.is_auto_generated();
            let _ = should_auto_reply(&message, &desk);
            let _ = threading_keys(&message, &desk);
            let _ = split_reply(&message.text_body).new_text();
        }
        // Any error is fine here, as long as it says something: the property is that
        // nothing panics (mail-parser's debug assertions are caught as `Malformed`).
        Err(error) => assert!(!error.to_string().is_empty()),
    }
}

/// Found by `scripts/fuzz-email.sh`: reaches a `debug_assert!` in mail-parser 0.11.
/// With debug assertions it panics inside the parser and `parse` reports `Malformed`;
/// without them (release builds) the message parses. Either way nothing panics.
#[test]
fn parser_assertion_found_by_fuzzing_is_a_clear_error_not_a_panic() {
    let raw = include_bytes!("fixtures/mail-parser-debug-assert.eml");
    match parse(raw) {
        Ok(message) => assert_eq!(message.from.address.as_str(), "barry@python.org"),
        Err(error) => {
            assert_eq!(error, ParseError::Malformed);
            assert_eq!(error.to_string(), "message structure could not be parsed");
        }
    }
    intake(raw);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn parse_never_panics_on_arbitrary_bytes(raw in proptest::collection::vec(any::<u8>(), 0..2048)) {
        intake(&raw);
    }

    #[test]
    fn parse_never_panics_on_header_shaped_text(
        lines in proptest::collection::vec("[A-Za-z-]{1,12}: [ -~]{0,40}", 0..12),
        body in "[ -~\n]{0,200}",
    ) {
        let raw = format!("{}\r\n\r\n{body}", lines.join("\r\n"));
        intake(raw.as_bytes());
    }
}

/// A corpus message with a few bytes overwritten, inserted or removed.
fn mutated_corpus() -> impl Strategy<Value = Vec<u8>> {
    let files: Vec<Vec<u8>> = corpus_files().into_iter().map(|(_, raw)| raw).collect();
    let count = files.len();
    (
        0..count,
        proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..16),
    )
        .prop_map(move |(which, edits)| {
            let mut raw = files[which].clone();
            for (at, byte, kind) in edits {
                if raw.is_empty() {
                    raw.push(byte);
                    continue;
                }
                let index = at.index(raw.len());
                match kind {
                    0 => raw[index] = byte,
                    1 => raw.insert(index, byte),
                    _ => {
                        raw.remove(index);
                    }
                }
            }
            raw
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn parse_never_panics_on_mutated_corpus_messages(raw in mutated_corpus()) {
        intake(&raw);
    }
}
