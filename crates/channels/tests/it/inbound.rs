//! Hand-written inbound messages: charsets, body choice, sanitizing, attachments and
//! the rejections a quarantine shows.

use ferrodesk_channels::email::{ParseError, ParseOptions, parse, parse_with};

/// A message written with `\n` line endings, sent with the CRLF of the wire.
pub fn wire(text: &str) -> Vec<u8> {
    text.replace('\n', "\r\n").into_bytes()
}

#[test]
fn encoded_word_subject_and_name_in_iso_8859_2_are_decoded() {
    let raw = wire(
        "From: =?ISO-8859-2?Q?=A3ukasz_W=F3jcik?= <lukasz@example.pl>\n\
         To: support@desk.example\n\
         Subject: =?ISO-8859-2?Q?Drukarka_nie_dzia=B3a?=\n\
         Message-ID: <pl-1@example.pl>\n\
         \n\
         Pomocy!\n",
    );
    let message = parse(&raw).unwrap();
    assert_eq!(message.subject, "Drukarka nie działa");
    assert_eq!(message.from.name.as_deref(), Some("Łukasz Wójcik"));
    assert_eq!(message.from.address.as_str(), "lukasz@example.pl");
}

#[test]
fn encoded_word_subject_in_utf8_is_decoded_across_folded_lines() {
    let raw = wire(
        "From: Ana <ana@example.com.br>\n\
         To: support@desk.example\n\
         Subject: =?UTF-8?B?SW1wcmVzc29yYSBuw6NvIGltcHJpbWUg4oCUIGFqdWRh?=\n \
         =?UTF-8?Q?_urgente?=\n\
         \n\
         Oi\n",
    );
    let message = parse(&raw).unwrap();
    assert_eq!(message.subject, "Impressora não imprime — ajuda urgente");
}

#[test]
fn eight_bit_body_in_a_legacy_charset_becomes_text() {
    let mut raw = wire(
        "From: ana@example.com\n\
         Subject: caf\n\
         Content-Type: text/plain; charset=iso-8859-1\n\
         Content-Transfer-Encoding: 8bit\n\
         \n",
    );
    raw.extend_from_slice(b"Caf\xe9 au lait\r\n");
    let message = parse(&raw).unwrap();
    assert_eq!(message.text_body.trim(), "Café au lait");
}

#[test]
fn multipart_alternative_picks_the_text_part() {
    let raw = wire(
        "From: ana@example.com\n\
         Subject: alt\n\
         MIME-Version: 1.0\n\
         Content-Type: multipart/alternative; boundary=\"b1\"\n\
         \n\
         --b1\n\
         Content-Type: text/plain; charset=utf-8\n\
         \n\
         The plain words.\n\
         --b1\n\
         Content-Type: text/html; charset=utf-8\n\
         \n\
         <p>The <b>rich</b> words.</p>\n\
         --b1--\n",
    );
    let message = parse(&raw).unwrap();
    assert_eq!(message.text_body.trim(), "The plain words.");
    assert!(!message.is_text_from_html);
    assert!(message.html_body.unwrap().contains("<b>rich</b>"));
    assert!(message.attachments.is_empty());
}

#[test]
fn html_only_body_is_sanitized_and_converted_to_text() {
    let raw = wire(
        "From: ana@example.com\n\
         Subject: html\n\
         MIME-Version: 1.0\n\
         Content-Type: text/html; charset=utf-8\n\
         \n\
         <html><head><style>p{color:red}</style><script>steal(document.cookie)</script></head>\n\
         <body><p onclick=\"x()\">My <b>laptop</b> will not boot.</p>\n\
         <img src=\"https://tracker.example/pixel.gif\" onerror=\"alert(1)\" alt=\"pixel\">\n\
         <a href=\"javascript:alert(2)\">details</a></body></html>\n",
    );
    let message = parse(&raw).unwrap();
    let html = message.html_body.as_deref().unwrap();
    for forbidden in [
        "<script",
        "steal",
        "onerror",
        "onclick",
        "alert",
        "javascript",
        "<style",
        "tracker.example",
    ] {
        assert!(!html.contains(forbidden), "{forbidden} survived: {html}");
    }
    assert!(html.contains("<b>laptop</b>"));
    assert!(message.is_text_from_html);
    assert!(
        message.text_body.contains("My laptop will not boot."),
        "{}",
        message.text_body
    );
    assert!(!message.text_body.contains("steal"));
    assert!(!message.text_body.contains('<'));
}

#[test]
fn inline_cid_image_is_an_inline_attachment_the_html_refers_to() {
    let raw = wire(
        "From: ana@example.com\n\
         Subject: screenshot\n\
         MIME-Version: 1.0\n\
         Content-Type: multipart/related; boundary=\"rel\"\n\
         \n\
         --rel\n\
         Content-Type: text/html; charset=utf-8\n\
         \n\
         <p>See the error:</p><img src=\"cid:shot@example.com\" alt=\"screenshot\">\n\
         --rel\n\
         Content-Type: image/gif; name=\"shot.gif\"\n\
         Content-ID: <shot@example.com>\n\
         Content-Disposition: inline; filename=\"shot.gif\"\n\
         Content-Transfer-Encoding: base64\n\
         \n\
         R0lGODlhAQABAAAAADs=\n\
         --rel--\n",
    );
    let message = parse(&raw).unwrap();
    assert!(
        message
            .html_body
            .unwrap()
            .contains("src=\"cid:shot@example.com\"")
    );
    assert_eq!(message.attachments.len(), 1);
    let image = &message.attachments[0];
    assert!(image.is_inline);
    assert_eq!(image.content_id.as_deref(), Some("shot@example.com"));
    assert_eq!(image.file_name.as_deref(), Some("shot.gif"));
    assert_eq!(image.content_type, "image/gif");
    assert!(image.bytes.starts_with(b"GIF89a"));
}

fn with_attachment(size: usize) -> Vec<u8> {
    let mut raw = wire(
        "From: ana@example.com\n\
         Subject: logs\n\
         MIME-Version: 1.0\n\
         Content-Type: multipart/mixed; boundary=\"mix\"\n\
         \n\
         --mix\n\
         Content-Type: text/plain\n\
         \n\
         Logs attached.\n\
         --mix\n\
         Content-Type: application/octet-stream; name=\"big.log\"\n\
         Content-Disposition: attachment; filename=\"big.log\"\n\
         \n",
    );
    raw.extend(std::iter::repeat_n(b'x', size));
    raw.extend_from_slice(b"\r\n--mix\r\nContent-Type: text/plain; name=\"small.txt\"\r\nContent-Disposition: attachment; filename=\"small.txt\"\r\n\r\nsmall\r\n--mix--\r\n");
    raw
}

#[test]
fn attachment_over_the_limit_is_reported_not_dropped_silently() {
    let options = ParseOptions {
        max_attachment_bytes: 1000,
        ..ParseOptions::default()
    };
    let message = parse_with(&with_attachment(5000), &options).unwrap();
    assert_eq!(message.oversize_attachments.len(), 1);
    let big = &message.oversize_attachments[0];
    assert_eq!(big.file_name.as_deref(), Some("big.log"));
    assert_eq!(big.size, 5000);
    assert_eq!(big.limit, 1000);
    let kept: Vec<_> = message
        .attachments
        .iter()
        .map(|a| a.file_name.clone().unwrap())
        .collect();
    assert_eq!(kept, ["small.txt"]);
    assert_eq!(message.text_body.trim(), "Logs attached.");
}

#[test]
fn message_over_the_limit_is_rejected_before_parsing() {
    let options = ParseOptions {
        max_message_bytes: 100,
        ..ParseOptions::default()
    };
    assert!(matches!(
        parse_with(&with_attachment(5000), &options),
        Err(ParseError::TooLarge { limit: 100, .. })
    ));
}

#[test]
fn empty_input_and_sender_without_address_are_clear_errors() {
    assert_eq!(parse(b""), Err(ParseError::Empty));
    assert_eq!(parse(b" \r\n "), Err(ParseError::Empty));
    let error = parse(&wire("From: undisclosed\nSubject: hi\n\nbody\n")).unwrap_err();
    assert_eq!(
        error,
        ParseError::UnusableFrom {
            value: "undisclosed".into()
        }
    );
    assert_eq!(
        error.to_string(),
        "From header has no usable address: 'undisclosed'"
    );
}

#[test]
fn recipients_reply_to_and_delivered_to_are_read() {
    let raw = wire(
        "From: Ana <ana@example.com>\n\
         Reply-To: Helpdesk contact <ana.private@example.org>\n\
         To: Support <support@desk.example>, other@example.com\n\
         Cc: boss@example.com\n\
         Delivered-To: support+10042@desk.example\n\
         Subject: hi\n\
         Message-ID: <r1@example.com>\n\
         In-Reply-To: <ticket-10042.abc@desk.example>\n\
         References: <root@example.com> <ticket-10042.abc@desk.example>\n\
         Date: Tue, 5 Mar 2024 10:00:00 +0100\n\
         \n\
         hello\n",
    );
    let message = parse(&raw).unwrap();
    let to: Vec<_> = message.to.iter().map(|m| m.address.as_str()).collect();
    assert_eq!(to, ["support@desk.example", "other@example.com"]);
    assert_eq!(message.cc[0].address.as_str(), "boss@example.com");
    assert_eq!(
        message.delivered_to[0].as_str(),
        "support+10042@desk.example"
    );
    assert_eq!(
        message.reply_recipients()[0].address.as_str(),
        "ana.private@example.org"
    );
    assert_eq!(
        message.in_reply_to[0].as_str(),
        "ticket-10042.abc@desk.example"
    );
    assert_eq!(message.references.len(), 2);
    assert_eq!(message.date.unwrap().to_string(), "2024-03-05T09:00:00Z");
    assert_eq!(message.header("message-id"), Some("<r1@example.com>"));
}
