//! Fuzz target for the email intake path: everything `mail-gateway` and IMAP polling
//! run on a message before the service layer sees it. Any panic is a finding, even one
//! `parse` would have turned into `ParseError::Malformed`: libfuzzer-sys aborts on
//! every panic.
#![no_main]

use ferrodesk_channels::email::{
    ParseOptions, parse_with, should_auto_reply, split_reply, threading_keys,
};
use ferrodesk_domain::EmailAddress;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let desk: Vec<EmailAddress> = ["support@desk.example", "noc@desk.example"]
        .into_iter()
        .filter_map(|address| EmailAddress::parse(address).ok())
        .collect();
    // A small attachment limit exercises the oversize path on small inputs too.
    let options = ParseOptions {
        max_attachment_bytes: 512,
        ..ParseOptions::default()
    };
    if let Ok(message) = parse_with(data, &options) {
        let _ = message.is_auto_generated();
        let _ = should_auto_reply(&message, &desk);
        let keys = threading_keys(&message, &desk);
        let _ = keys.message_ids.len();
        let reply = split_reply(&message.text_body);
        let _ = (reply.new_text(), reply.quoted());
        if let Some(report) = &message.delivery_report {
            let _ = report.failed_recipients().count();
        }
    }
});
