//! Loop and storm protection: machine-written mail is recognized and never answered.

use ferrodesk_channels::email::{InboundMessage, parse, should_auto_reply};
use ferrodesk_domain::EmailAddress;

use crate::inbound::wire;

fn desk() -> Vec<EmailAddress> {
    vec![
        EmailAddress::parse("support@desk.example").unwrap(),
        EmailAddress::parse("noc@desk.example").unwrap(),
    ]
}

fn message(from: &str, extra_headers: &str) -> InboundMessage {
    parse(&wire(&format!(
        "From: {from}\nTo: support@desk.example\nSubject: Printer\n{extra_headers}\nThe printer is jammed.\n"
    )))
    .unwrap()
}

#[test]
fn a_person_writing_to_the_desk_gets_a_receipt() {
    let person = message("Ana Silva <ana@example.com>", "");
    assert!(!person.is_auto_generated());
    assert_eq!(person.auto_generated_reason(), None);
    assert!(should_auto_reply(&person, &desk()));
}

#[test]
fn auto_submitted_mail_is_never_answered() {
    for value in [
        "auto-replied",
        "auto-generated",
        "Auto-Replied (vacation)",
        "auto-notified",
    ] {
        let reply = message("ana@example.com", &format!("Auto-Submitted: {value}\n"));
        assert!(reply.is_auto_generated(), "{value}");
        assert_eq!(reply.auto_generated_reason(), Some("Auto-Submitted"));
        assert!(!should_auto_reply(&reply, &desk()), "{value}");
    }
    let explicit_no = message("ana@example.com", "Auto-Submitted: no\n");
    assert!(!explicit_no.is_auto_generated());
}

#[test]
fn bulk_junk_and_list_mail_is_never_answered() {
    for header in [
        "Precedence: bulk\n",
        "Precedence: junk\n",
        "Precedence: list\n",
        "List-Id: Printers <printers.lists.example.com>\n",
        "List-Unsubscribe: <mailto:leave@lists.example.com>\n",
        "X-Auto-Response-Suppress: All\n",
        "X-Autoreply: yes\n",
        "X-Autorespond: vacation\n",
        "Return-Path: <>\n",
    ] {
        let bulk = message("news@example.com", header);
        assert!(bulk.is_auto_generated(), "{header}");
        assert!(!should_auto_reply(&bulk, &desk()), "{header}");
    }
    let first_class = message("ana@example.com", "Precedence: first-class\n");
    assert!(!first_class.is_auto_generated());
}

#[test]
fn mailer_daemon_and_postmaster_are_never_answered() {
    for from in [
        "Mail Delivery Subsystem <MAILER-DAEMON@mx.example.com>",
        "postmaster@example.com",
    ] {
        let bounce = message(from, "");
        assert!(bounce.is_auto_generated(), "{from}");
        assert!(!should_auto_reply(&bounce, &desk()), "{from}");
    }
}

#[test]
fn our_own_addresses_are_never_answered() {
    for from in [
        "support@desk.example",
        "Support <SUPPORT@Desk.Example>",
        "support+10042@desk.example",
        "noc@desk.example",
    ] {
        let own = message(from, "");
        assert!(!own.is_auto_generated(), "{from}");
        assert!(!should_auto_reply(&own, &desk()), "{from}");
    }
    // A Reply-To pointing at the desk would make the receipt answer the desk itself.
    let loop_back = message("ana@example.com", "Reply-To: support@desk.example\n");
    assert!(!should_auto_reply(&loop_back, &desk()));
}

#[test]
fn no_reply_senders_get_no_receipt() {
    let robot = message("Shop <no-reply@shop.example>", "");
    assert!(!should_auto_reply(&robot, &desk()));
}
