//! Raw bytes to [`InboundMessage`]: RFC 5322 headers, MIME structure (RFC 2045–2049)
//! and encoded words (RFC 2047) are mail-parser's work; this module picks what the desk
//! needs and checks it.

use std::panic::{AssertUnwindSafe, catch_unwind};

use ferrodesk_domain::EmailAddress;
use jiff::Timestamp;
use mail_parser::{
    Address, HeaderName, HeaderValue, Message, MessageParser, MimeHeaders, PartType,
};
use sha2::{Digest, Sha256};

use super::dsn::{DeliveryReport, read_delivery_report};
use super::html::{html_to_text, sanitize_html};
use super::message::{
    Attachment, ForwardedMessage, HeaderField, InboundMessage, Mailbox, MessageId,
    OversizeAttachment,
};

/// The domain of Message-IDs synthesized for messages that have none. `.invalid` is
/// reserved (RFC 2606), so a synthesized id can never collide with a real one.
const SYNTHESIZED_ID_DOMAIN: &str = "synthesized.ferrodesk.invalid";

/// Limits applied while parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseOptions {
    /// A larger raw message is rejected before parsing.
    pub max_message_bytes: usize,
    /// A larger attachment is reported in
    /// [`InboundMessage::oversize_attachments`] instead of being kept.
    pub max_attachment_bytes: usize,
}

impl Default for ParseOptions {
    /// 64 MiB per message and 25 MiB per attachment: above what common mail servers
    /// accept, so the limits only catch what should never have arrived.
    fn default() -> Self {
        ParseOptions {
            max_message_bytes: 64 * 1024 * 1024,
            max_attachment_bytes: 25 * 1024 * 1024,
        }
    }
}

/// Why a message could not be read. Each says what is wrong, for the quarantine view.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The input held no bytes other than whitespace.
    #[error("message is empty")]
    Empty,
    /// The input is larger than [`ParseOptions::max_message_bytes`].
    #[error("message is {size} bytes; at most {limit} are accepted")]
    TooLarge {
        /// The message's size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// No RFC 5322 header section could be found.
    #[error("no header fields found: this is not an RFC 5322 message")]
    NoHeaders,
    /// The message has no `From` field, so there is no one to answer.
    #[error("message has no From header")]
    MissingFrom,
    /// The `From` field holds no address the desk can answer.
    ///
    /// The value is cut at 200 characters.
    #[error("From header has no usable address: '{value}'")]
    UnusableFrom {
        /// The raw field value, for the quarantine view.
        value: String,
    },
    /// The MIME parser failed on this input instead of reporting an error.
    #[error("message structure could not be parsed")]
    Malformed,
}

/// Parses a raw RFC 5322 message with the default [`ParseOptions`].
///
/// # Errors
/// [`ParseError`] naming what is wrong when the input is empty, too large, has no
/// header section or no usable `From`. It never panics.
pub fn parse(raw: &[u8]) -> Result<InboundMessage, ParseError> {
    parse_with(raw, &ParseOptions::default())
}

/// Parses a raw RFC 5322 message with the given limits.
///
/// # Errors
/// As for [`parse`].
pub fn parse_with(raw: &[u8], options: &ParseOptions) -> Result<InboundMessage, ParseError> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(ParseError::Empty);
    }
    if raw.len() > options.max_message_bytes {
        return Err(ParseError::TooLarge {
            size: raw.len(),
            limit: options.max_message_bytes,
        });
    }
    let raw_sha256 = sha256_hex(raw);
    let content = strip_mbox_separator(raw);
    // mail-parser promises never to panic, but it holds arithmetic and debug assertions
    // that a hostile message might reach. One bad message must not take the intake
    // down, so a panic becomes an error here (the fuzz target still sees it).
    catch_unwind(AssertUnwindSafe(|| {
        let parsed = MessageParser::new()
            .parse(content)
            .ok_or(ParseError::NoHeaders)?;
        convert(&parsed, raw_sha256, options)
    }))
    .unwrap_or(Err(ParseError::Malformed))
}

/// Drops the `From sender date` line an mbox file puts before each message (RFC 4155):
/// it is not a header field and would hide the real ones.
fn strip_mbox_separator(raw: &[u8]) -> &[u8] {
    let Some(rest) = raw.strip_prefix(b"From ") else {
        return raw;
    };
    // "From : a@b" is an obsolete but legal header field (RFC 5322 §4.5.1), not mbox.
    if rest.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b':') {
        return raw;
    }
    let line_end = raw
        .iter()
        .position(|&b| b == b'\n')
        .map_or(raw.len(), |i| i + 1);
    raw.get(line_end..).unwrap_or_default()
}

fn convert(
    parsed: &Message<'_>,
    raw_sha256: String,
    options: &ParseOptions,
) -> Result<InboundMessage, ParseError> {
    let headers = top_level_headers(parsed);
    if headers.is_empty() {
        return Err(ParseError::NoHeaders);
    }
    let delivery_report = read_delivery_report(parsed);

    let (from, is_from_synthesized) = match first_mailbox(parsed.from()) {
        Some(mailbox) => (mailbox, false),
        None => match delivery_report.as_ref().and_then(placeholder_sender) {
            Some(placeholder) => (placeholder, true),
            None => {
                return Err(
                    match headers.iter().find(|f| f.name.eq_ignore_ascii_case("from")) {
                        Some(field) => ParseError::UnusableFrom {
                            value: field.value.chars().take(200).collect(),
                        },
                        None => ParseError::MissingFrom,
                    },
                );
            }
        },
    };

    let (message_id, is_message_id_synthesized) =
        match parsed.message_id().and_then(|id| MessageId::parse(id).ok()) {
            Some(id) => (id, false),
            None => (synthesized_message_id(&raw_sha256)?, true),
        };

    let sender = first_mailbox(parsed.sender()).filter(|s| s.address != from.address);
    let (text_body, is_text_from_html, html_body) = bodies(parsed);
    // A NUL means nothing in a mail body, and PostgreSQL cannot store it in text (the
    // HTML loses its NULs in `bodies`, before it is sanitized).
    let text_body = text_body.replace('\0', "");
    // A root part shown as the body is not an attachment as well.
    let root_is_body = is_text_from_root(parsed, &text_body);
    let (attachments, oversize_attachments) = attachments(parsed, options, root_is_body);

    Ok(InboundMessage {
        message_id,
        is_message_id_synthesized,
        in_reply_to: message_ids(parsed.in_reply_to()),
        references: message_ids(parsed.references()),
        from,
        is_from_synthesized,
        sender,
        reply_to: all_mailboxes(parsed, HeaderName::ReplyTo),
        to: all_mailboxes(parsed, HeaderName::To),
        cc: all_mailboxes(parsed, HeaderName::Cc),
        delivered_to: headers
            .iter()
            .filter(|f| f.name.eq_ignore_ascii_case("delivered-to"))
            .filter_map(|f| bare_address(&f.value))
            .collect(),
        subject: parsed.subject().map(clean_line).unwrap_or_default(),
        date: parsed.date().and_then(to_timestamp),
        text_body,
        is_text_from_html,
        html_body,
        attachments,
        oversize_attachments,
        delivery_report,
        headers,
        raw_sha256,
    })
}

/// A stable id for a message without one: the same bytes always get the same id, so
/// fetching the message twice still deduplicates.
fn synthesized_message_id(raw_sha256: &str) -> Result<MessageId, ParseError> {
    MessageId::parse(&format!("sha256-{raw_sha256}@{SYNTHESIZED_ID_DOMAIN}"))
        .map_err(|_| ParseError::Malformed)
}

/// The sender shown for a delivery report whose `From` has no address (`MAILER DAEMON
/// <>`): bounces are sent from the null sender (RFC 5321 §4.5.5), and what matters is
/// the bounced message they name, so they are not rejected for it.
fn placeholder_sender(report: &DeliveryReport) -> Option<Mailbox> {
    let from_reporter = report
        .reporting_mta
        .as_deref()
        .and_then(|mta| EmailAddress::parse(&format!("MAILER-DAEMON@{mta}")).ok());
    let address =
        from_reporter.or_else(|| EmailAddress::parse("MAILER-DAEMON@unknown.invalid").ok())?;
    Some(Mailbox::with_name("Mail Delivery System", address))
}

fn top_level_headers(parsed: &Message<'_>) -> Vec<HeaderField> {
    let raw = parsed.raw_message();
    parsed
        .root_part()
        .headers()
        .iter()
        .map(|header| {
            let start = header.offset_start() as usize;
            let end = header.offset_end() as usize;
            let value = raw.get(start..end.max(start)).unwrap_or_default();
            HeaderField {
                name: header.name().to_owned(),
                value: unfold(&String::from_utf8_lossy(value)),
            }
        })
        .collect()
}

/// Joins folded lines (RFC 5322 §2.2.3) and trims the value.
fn unfold(value: &str) -> String {
    value
        .split(['\r', '\n'])
        .filter(|piece| !piece.is_empty())
        .collect::<Vec<_>>()
        .join("")
        .trim()
        .to_owned()
}

/// Removes line breaks and other control characters from a one-line value.
fn clean_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

fn to_mailbox(address: &mail_parser::Addr<'_>) -> Option<Mailbox> {
    let email = EmailAddress::parse(address.address()?).ok()?;
    let name = address.name().map(clean_line).unwrap_or_default();
    Some(Mailbox::with_name(name, email))
}

fn first_mailbox(address: Option<&Address<'_>>) -> Option<Mailbox> {
    address?.iter().find_map(to_mailbox)
}

/// Every usable mailbox in every field named `name` (a message may repeat `To`).
fn all_mailboxes(parsed: &Message<'_>, name: HeaderName<'static>) -> Vec<Mailbox> {
    let mut mailboxes: Vec<Mailbox> = Vec::new();
    for value in parsed.header_values(name) {
        if let HeaderValue::Address(address) = value {
            for mailbox in address.iter().filter_map(to_mailbox) {
                if !mailboxes.iter().any(|m| m.address == mailbox.address) {
                    mailboxes.push(mailbox);
                }
            }
        }
    }
    mailboxes
}

/// `<a@b>` or `a@b` as an address.
fn bare_address(value: &str) -> Option<EmailAddress> {
    let value = value.trim();
    let value = value
        .strip_prefix('<')
        .and_then(|v| v.strip_suffix('>'))
        .unwrap_or(value);
    EmailAddress::parse(value).ok()
}

fn message_ids(value: &HeaderValue<'_>) -> Vec<MessageId> {
    let mut ids: Vec<MessageId> = Vec::new();
    let candidates: Vec<&str> = match value {
        HeaderValue::Text(text) => vec![text.as_ref()],
        HeaderValue::TextList(list) => list.iter().map(|t| t.as_ref()).collect(),
        _ => Vec::new(),
    };
    for id in candidates
        .into_iter()
        .filter_map(|c| MessageId::parse(c).ok())
    {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}

/// A `Date` as a timestamp, built with checked arithmetic so a nonsense date is `None`.
fn to_timestamp(date: &mail_parser::DateTime) -> Option<Timestamp> {
    let civil = jiff::civil::DateTime::new(
        i16::try_from(date.year).ok()?,
        i8::try_from(date.month).ok()?,
        i8::try_from(date.day).ok()?,
        i8::try_from(date.hour).ok()?,
        i8::try_from(date.minute).ok()?,
        // A leap second (60) is read as the last second of the minute.
        i8::try_from(date.second.min(59)).ok()?,
        0,
    )
    .ok()?;
    let offset_seconds = i32::from(date.tz_hour) * 3600 + i32::from(date.tz_minute) * 60;
    let offset_seconds = if date.tz_before_gmt {
        -offset_seconds
    } else {
        offset_seconds
    };
    let offset = jiff::tz::Offset::from_seconds(offset_seconds).ok()?;
    offset.to_timestamp(civil).ok()
}

/// The plain-text body, whether it came from HTML, and the sanitized HTML body.
fn bodies(parsed: &Message<'_>) -> (String, bool, Option<String>) {
    let texts: Vec<&str> = parsed
        .text_body
        .iter()
        .filter_map(|&id| parsed.parts.get(id as usize))
        .filter_map(|part| match &part.body {
            PartType::Text(text) => Some(text.as_ref()),
            _ => None,
        })
        .collect();
    let htmls: Vec<&str> = parsed
        .html_body
        .iter()
        .filter_map(|&id| parsed.parts.get(id as usize))
        .filter_map(|part| match &part.body {
            PartType::Html(html) => Some(html.as_ref()),
            _ => None,
        })
        .collect();
    let html = htmls.join("\n").replace('\0', "");
    let html_body = Some(sanitize_html(&html)).filter(|html| !html.trim().is_empty());
    if !texts.is_empty() {
        (texts.join("\n\n"), false, html_body)
    } else if let Some(html) = &html_body {
        (html_to_text(html), true, html_body)
    } else {
        (
            broken_root_text(parsed).unwrap_or_default(),
            false,
            html_body,
        )
    }
}

/// The text of a message whose only part is its root but which mail-parser could not
/// file as a body: a `multipart/*` that lost its boundary, or an odd `text` type
/// (`Content-Type: text`). Showing the words beats showing nothing.
fn broken_root_text(parsed: &Message<'_>) -> Option<String> {
    let [root] = parsed.parts.as_slice() else {
        return None;
    };
    let readable = root.content_type().is_none_or(|ct| {
        ct.ctype().eq_ignore_ascii_case("text") || ct.ctype().eq_ignore_ascii_case("multipart")
    });
    match &root.body {
        PartType::Text(text) => Some(text.to_string()),
        PartType::Binary(bytes) if readable => Some(String::from_utf8_lossy(bytes).into_owned()),
        _ => None,
    }
}

fn is_text_from_root(parsed: &Message<'_>, text_body: &str) -> bool {
    parsed.text_body.is_empty()
        && parsed.html_body.is_empty()
        && !text_body.is_empty()
        && parsed.parts.len() == 1
}

fn attachments(
    parsed: &Message<'_>,
    options: &ParseOptions,
    skip_root: bool,
) -> (Vec<Attachment>, Vec<OversizeAttachment>) {
    let mut kept = Vec::new();
    let mut oversize = Vec::new();
    for part in parsed
        .attachments
        .iter()
        .filter(|&&id| !(skip_root && id == 0))
        .filter_map(|&id| parsed.parts.get(id as usize))
    {
        let (bytes, forwarded): (&[u8], Option<ForwardedMessage>) = match &part.body {
            PartType::Multipart(_) => continue,
            PartType::Message(nested) => (
                forwarded_bytes(parsed, part, nested),
                Some(ForwardedMessage {
                    subject: nested.subject().map(clean_line).unwrap_or_default(),
                    from: first_mailbox(nested.from()),
                    message_id: nested.message_id().and_then(|id| MessageId::parse(id).ok()),
                }),
            ),
            _ => (part.contents(), None),
        };
        let content_type = content_type_of(part, forwarded.is_some());
        let file_name = part.attachment_name().and_then(safe_file_name);
        let sha256 = sha256_hex(bytes);
        if bytes.len() > options.max_attachment_bytes {
            oversize.push(OversizeAttachment {
                file_name,
                content_type,
                size: bytes.len(),
                sha256,
                limit: options.max_attachment_bytes,
            });
            continue;
        }
        let is_inline = match part.content_disposition() {
            Some(disposition) => disposition.is_inline(),
            None => matches!(part.body, PartType::InlineBinary(_)),
        };
        kept.push(Attachment {
            file_name,
            content_type,
            size: bytes.len(),
            bytes: bytes.to_vec(),
            sha256,
            is_inline,
            content_id: part.content_id().and_then(|id| {
                let id = id.trim().trim_start_matches('<').trim_end_matches('>');
                (!id.is_empty()).then(|| id.to_owned())
            }),
            forwarded,
        });
    }
    (kept, oversize)
}

/// The raw bytes of a forwarded message: its slice of the enclosing message when it
/// was not transfer-encoded, else the decoded bytes it was parsed from.
fn forwarded_bytes<'a>(
    parent: &'a Message<'_>,
    part: &'a mail_parser::MessagePart<'_>,
    nested: &'a Message<'_>,
) -> &'a [u8] {
    if part.encoding == mail_parser::Encoding::None {
        let start = part.raw_body_offset() as usize;
        let end = (part.raw_end_offset() as usize).max(start);
        parent.raw_message().get(start..end).unwrap_or_default()
    } else {
        nested.raw_message()
    }
}

fn content_type_of(part: &mail_parser::MessagePart<'_>, is_message: bool) -> String {
    match part.content_type() {
        Some(ct) => match ct.subtype() {
            Some(sub) => format!("{}/{}", ct.ctype(), sub).to_ascii_lowercase(),
            None => ct.ctype().to_ascii_lowercase(),
        },
        None if is_message => "message/rfc822".to_owned(),
        None if part.is_text() => "text/plain".to_owned(),
        None => "application/octet-stream".to_owned(),
    }
}

/// The sender's file name without directories or control characters, so it can be
/// shown and offered for download without surprises; `None` when nothing is left.
fn safe_file_name(name: &str) -> Option<String> {
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = last.chars().filter(|c| !c.is_control()).take(255).collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    (!cleaned.is_empty()).then(|| cleaned.to_owned())
}

/// Lowercase hex SHA-256.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_addresses_are_valid() {
        let sender = placeholder_sender(&DeliveryReport::default()).unwrap();
        assert_eq!(sender.address.as_str(), "MAILER-DAEMON@unknown.invalid");
        let report = DeliveryReport {
            reporting_mta: Some("mx.example.com".into()),
            ..DeliveryReport::default()
        };
        assert_eq!(
            placeholder_sender(&report).unwrap().address.as_str(),
            "MAILER-DAEMON@mx.example.com"
        );
    }

    #[test]
    fn file_names_lose_directories_and_control_characters() {
        assert_eq!(
            safe_file_name("C:\\Users\\ana\\report.pdf").as_deref(),
            Some("report.pdf")
        );
        assert_eq!(
            safe_file_name("../../etc/passwd").as_deref(),
            Some("passwd")
        );
        assert_eq!(safe_file_name("a\u{0}b.txt").as_deref(), Some("ab.txt"));
        assert_eq!(safe_file_name(".."), None);
    }

    #[test]
    fn nul_characters_are_dropped_from_the_bodies() {
        let plain = parse(
            b"From: ana@example.com\r\nSubject: printer\x00 jam\r\nMessage-ID: <nul-1@example.com>\r\n\r\npaper\x00 jam\r\n",
        )
        .unwrap();
        assert_eq!(plain.text_body.trim(), "paper jam");
        assert!(!plain.subject.contains('\0'), "{:?}", plain.subject);
        let html = parse(
            b"From: ana@example.com\r\nMessage-ID: <nul-2@example.com>\r\nContent-Type: text/html\r\n\r\n<p>toner\x00 low</p>\r\n",
        )
        .unwrap();
        assert!(!html.text_body.contains('\0'), "{:?}", html.text_body);
        let html_body = html.html_body.unwrap();
        assert!(!html_body.contains('\0'), "{html_body:?}");
        assert!(html_body.contains("toner low"), "{html_body:?}");
    }

    #[test]
    fn folded_header_values_are_unfolded() {
        assert_eq!(unfold(" a\r\n\tb\r\n c\r\n"), "a\tb c");
    }

    #[test]
    fn mbox_separator_line_is_skipped() {
        assert_eq!(
            strip_mbox_separator(b"From someone Mon Jan 1\nSubject: x\n"),
            b"Subject: x\n"
        );
        assert_eq!(strip_mbox_separator(b"From: a@b.c\n"), b"From: a@b.c\n");
        assert_eq!(strip_mbox_separator(b"From : a@b.c\n"), b"From : a@b.c\n");
    }

    #[test]
    fn sha256_is_lowercase_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
