//! Threading keys read from hand-written replies.

use ferrodesk_channels::email::{
    MessageId, lookup_message_ids, normalized_subject, parse, threading_keys,
};
use ferrodesk_domain::{EmailAddress, TicketId};

use crate::inbound::wire;

fn desk() -> Vec<EmailAddress> {
    vec![EmailAddress::parse("support@desk.example").unwrap()]
}

fn ids(texts: &[&str]) -> Vec<MessageId> {
    texts.iter().map(|t| MessageId::parse(t).unwrap()).collect()
}

#[test]
fn ticket_tag_in_the_subject_is_a_key_behind_any_prefix() {
    for subject in [
        "Re: [#10042] Printer jam",
        "AW: [#10042] Printer jam",
        "SV: Re: [#10042] Printer jam",
        "Fwd: [#10042] Printer jam",
        "RES: [#10042] Impressora",
    ] {
        let message = parse(&wire(&format!(
            "From: ana@example.com\nTo: support@desk.example\nSubject: {subject}\n\nthanks\n"
        )))
        .unwrap();
        let keys = threading_keys(&message, &desk());
        assert_eq!(keys.subject_ticket, Some(TicketId(10042)), "{subject}");
        assert_eq!(keys.plus_address_ticket, None);
        assert!(keys.message_ids.is_empty());
        assert!(!normalized_subject(&message.subject).is_empty());
    }
}

#[test]
fn plus_address_is_a_key_in_to_cc_or_delivered_to() {
    for header in [
        "To: Support <support+10042@desk.example>",
        "To: someone@example.com\nCc: support+10042@desk.example",
        "To: undisclosed-recipients:;\nDelivered-To: support+10042@desk.example",
    ] {
        let message = parse(&wire(&format!(
            "From: ana@example.com\n{header}\nSubject: printer\n\nstill broken\n"
        )))
        .unwrap();
        let keys = threading_keys(&message, &desk());
        assert_eq!(keys.plus_address_ticket, Some(TicketId(10042)), "{header}");
    }
    let elsewhere = parse(&wire(
        "From: ana@example.com\nTo: sales+10042@other.example\nSubject: x\n\nx\n",
    ))
    .unwrap();
    assert_eq!(
        threading_keys(&elsewhere, &desk()).plus_address_ticket,
        None
    );
}

#[test]
fn in_reply_to_comes_first_then_references_newest_first() {
    let message = parse(&wire(
        "From: ana@example.com\n\
         To: support@desk.example\n\
         Subject: Re: printer\n\
         In-Reply-To: <third@desk.example>\n\
         References: <first@example.com> <second@desk.example>\n \
         <third@desk.example>\n\
         \n\
         answer\n",
    ))
    .unwrap();
    assert_eq!(
        lookup_message_ids(&message),
        ids(&[
            "third@desk.example",
            "second@desk.example",
            "first@example.com"
        ])
    );
}

#[test]
fn our_own_message_id_in_in_reply_to_names_the_ticket() {
    let message = parse(&wire(
        "From: ana@example.com\n\
         To: support@desk.example\n\
         Subject: Re: printer\n\
         In-Reply-To: <ticket-10042.0123abcd@desk.example>\n\
         \n\
         answer\n",
    ))
    .unwrap();
    let keys = threading_keys(&message, &desk());
    assert_eq!(keys.message_id_ticket, Some(TicketId(10042)));
    assert_eq!(
        keys.message_ids,
        ids(&["ticket-10042.0123abcd@desk.example"])
    );
}
