//! The values a parsed inbound message is made of.

use std::fmt;

use ferrodesk_domain::{EmailAddress, InvalidValue};
use jiff::Timestamp;

use super::dsn::DeliveryReport;

/// The longest Message-ID we accept: RFC 5322 §2.1.1 limits a line to 998 characters.
const MAX_MESSAGE_ID_LEN: usize = 998;

/// A message identifier (RFC 5322 §3.6.4), stored without its angle brackets.
///
/// The check is modest on purpose: real mailers write ids that break the RFC's
/// `id-left "@" id-right` grammar, and the id only has to be a stable lookup key. It
/// rejects what would break a header or a lookup: emptiness, whitespace, angle
/// brackets and control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MessageId(String);

impl MessageId {
    /// Reads an id with or without its angle brackets: `<a@b>` or `a@b`.
    ///
    /// # Errors
    /// [`InvalidValue`] when the id is empty, too long, or holds whitespace, angle
    /// brackets or control characters.
    pub fn parse(text: &str) -> Result<Self, InvalidValue> {
        let trimmed = text.trim();
        let inner = trimmed
            .strip_prefix('<')
            .and_then(|rest| rest.strip_suffix('>'))
            .unwrap_or(trimmed);
        let invalid = |why: &str| InvalidValue::new("message_id", format!("'{inner}' {why}"));
        if inner.is_empty() {
            return Err(InvalidValue::new("message_id", "must not be empty"));
        }
        if inner.len() > MAX_MESSAGE_ID_LEN {
            return Err(invalid("is too long"));
        }
        if inner
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
        {
            return Err(invalid(
                "holds whitespace, angle brackets or control characters",
            ));
        }
        Ok(MessageId(inner.to_owned()))
    }

    /// The id without angle brackets: `ticket-10042.abc@desk.example`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id as written in a header: `<ticket-10042.abc@desk.example>`.
    pub fn to_header(&self) -> String {
        format!("<{}>", self.0)
    }

    /// The part after the last `@`, lowercased, when there is one.
    pub fn domain(&self) -> Option<String> {
        self.0
            .rsplit_once('@')
            .map(|(_, domain)| domain.to_ascii_lowercase())
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{}>", self.0)
    }
}

/// A person's address with the display name they gave, decoded from RFC 2047.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mailbox {
    /// The display name, `Ana Silva` in `Ana Silva <ana@example.com>`.
    pub name: Option<String>,
    /// The address itself.
    pub address: EmailAddress,
}

impl Mailbox {
    /// A mailbox without a display name.
    pub fn new(address: EmailAddress) -> Self {
        Mailbox {
            name: None,
            address,
        }
    }

    /// A mailbox with a display name; a blank name counts as none.
    pub fn with_name(name: impl Into<String>, address: EmailAddress) -> Self {
        let name = name.into();
        let name = name.trim();
        Mailbox {
            name: (!name.is_empty()).then(|| name.to_owned()),
            address,
        }
    }

    /// The local part (before the `@`), as written.
    pub fn local_part(&self) -> &str {
        local_part(&self.address)
    }
}

impl fmt::Display for Mailbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(f, "{name} <{}>", self.address),
            None => write!(f, "{}", self.address),
        }
    }
}

/// The local part of an address (before the last `@`).
pub(crate) fn local_part(address: &EmailAddress) -> &str {
    address
        .as_str()
        .rsplit_once('@')
        .map_or(address.as_str(), |(local, _)| local)
}

/// The domain of an address (after the last `@`), already lowercase.
pub(crate) fn domain_part(address: &EmailAddress) -> &str {
    address
        .as_str()
        .rsplit_once('@')
        .map_or("", |(_, domain)| domain)
}

/// Whether two addresses name the same mailbox: domains are compared as stored
/// (lowercase) and local parts case-insensitively, as nearly every server treats them.
pub(crate) fn same_address(a: &EmailAddress, b: &EmailAddress) -> bool {
    domain_part(a) == domain_part(b) && local_part(a).eq_ignore_ascii_case(local_part(b))
}

/// One top-level header field as it arrived: the name, and the value unfolded
/// (RFC 5322 §2.2.3) and trimmed, but not decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderField {
    /// The field name as written, `Auto-Submitted`.
    pub name: String,
    /// The unfolded raw value, `auto-replied`.
    pub value: String,
}

/// A forwarded message (a `message/rfc822` part) kept as an attachment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardedMessage {
    /// Its decoded subject, empty when it had none.
    pub subject: String,
    /// Its sender, when it had a usable one.
    pub from: Option<Mailbox>,
    /// Its Message-ID, when it had one.
    pub message_id: Option<MessageId>,
}

/// A file that came with the message, or a forwarded message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The file name the sender gave (decoded, without any directory part), if any.
    pub file_name: Option<String>,
    /// The MIME type, lowercase: `image/png`, `message/rfc822`.
    pub content_type: String,
    /// The decoded size in bytes.
    pub size: usize,
    /// The decoded content.
    pub bytes: Vec<u8>,
    /// The SHA-256 of the decoded content, lowercase hex: the blob's address.
    pub sha256: String,
    /// Whether the sender meant it to be shown in the body (an inline image).
    pub is_inline: bool,
    /// The Content-ID without angle brackets, which `cid:` links in the HTML name.
    pub content_id: Option<String>,
    /// For a forwarded message (`message/rfc822`): what it was.
    pub forwarded: Option<ForwardedMessage>,
}

/// An attachment larger than the configured limit: reported so the ticket can say a
/// file was not kept, instead of dropping it silently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OversizeAttachment {
    /// The file name the sender gave, if any.
    pub file_name: Option<String>,
    /// The MIME type, lowercase.
    pub content_type: String,
    /// The decoded size in bytes.
    pub size: usize,
    /// The SHA-256 of the decoded content, lowercase hex.
    pub sha256: String,
    /// The limit it exceeded, in bytes.
    pub limit: usize,
}

/// An inbound email, parsed into what the desk needs to file it.
#[derive(Debug, Clone, PartialEq)]
pub struct InboundMessage {
    /// The Message-ID, or one synthesized from the raw bytes when it had none.
    pub message_id: MessageId,
    /// Whether [`InboundMessage::message_id`] was synthesized from a SHA-256 of the raw
    /// bytes because the message had no usable Message-ID.
    pub is_message_id_synthesized: bool,
    /// The ids in `In-Reply-To`, as written.
    pub in_reply_to: Vec<MessageId>,
    /// The ids in `References`, oldest first as written.
    pub references: Vec<MessageId>,
    /// The author (`From`), with the display name decoded.
    pub from: Mailbox,
    /// Whether [`InboundMessage::from`] is a placeholder: only for a delivery report
    /// whose `From` had no address (`MAILER DAEMON <>`), see [`DeliveryReport`].
    pub is_from_synthesized: bool,
    /// The `Sender`, when it differs from the author.
    pub sender: Option<Mailbox>,
    /// `Reply-To`: where answers should go, when set.
    pub reply_to: Vec<Mailbox>,
    /// `To` recipients with usable addresses.
    pub to: Vec<Mailbox>,
    /// `Cc` recipients with usable addresses.
    pub cc: Vec<Mailbox>,
    /// `Delivered-To` addresses, added by the receiving server; they show which of the
    /// desk's addresses (or plus-addresses) the message really reached.
    pub delivered_to: Vec<EmailAddress>,
    /// The subject, decoded from any charset; empty when missing.
    pub subject: String,
    /// The `Date` the sender's client wrote, when it was readable.
    pub date: Option<Timestamp>,
    /// The body as plain text: the `text/plain` part, else the HTML part as text.
    pub text_body: String,
    /// Whether [`InboundMessage::text_body`] was converted from HTML.
    pub is_text_from_html: bool,
    /// The HTML body after sanitizing, safe to show in a page; `None` without HTML.
    pub html_body: Option<String>,
    /// Attachments within the size limit, inline images and forwarded messages
    /// included, in the order they appear.
    pub attachments: Vec<Attachment>,
    /// Attachments over the size limit, reported and not kept.
    pub oversize_attachments: Vec<OversizeAttachment>,
    /// The delivery status notification this message is, if it is one (RFC 3464).
    pub delivery_report: Option<DeliveryReport>,
    /// The top-level header fields, raw but unfolded, in order.
    pub headers: Vec<HeaderField>,
    /// The SHA-256 of the raw message, lowercase hex.
    pub raw_sha256: String,
}

impl InboundMessage {
    /// The value of the first header field named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|field| field.name.eq_ignore_ascii_case(name))
            .map(|field| field.value.as_str())
    }

    /// The values of every header field named `name` (case-insensitive), in order.
    pub fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |field| field.name.eq_ignore_ascii_case(name))
            .map(|field| field.value.as_str())
    }

    /// Every recipient address: `To`, `Cc` and `Delivered-To`.
    pub fn recipient_addresses(&self) -> impl Iterator<Item = &EmailAddress> {
        self.to
            .iter()
            .chain(&self.cc)
            .map(|mailbox| &mailbox.address)
            .chain(&self.delivered_to)
    }

    /// The mailboxes an answer goes to: `Reply-To` when set, else `From`.
    pub fn reply_recipients(&self) -> Vec<&Mailbox> {
        if self.reply_to.is_empty() {
            vec![&self.from]
        } else {
            self.reply_to.iter().collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_are_read_with_or_without_brackets() {
        let bracketed = MessageId::parse(" <abc.123@example.com> ").unwrap();
        let bare = MessageId::parse("abc.123@example.com").unwrap();
        assert_eq!(bracketed, bare);
        assert_eq!(bracketed.as_str(), "abc.123@example.com");
        assert_eq!(bracketed.to_header(), "<abc.123@example.com>");
        assert_eq!(bracketed.domain().as_deref(), Some("example.com"));
    }

    #[test]
    fn message_ids_that_would_break_a_header_are_rejected() {
        for bad in ["", "<>", "a b@c", "a\r\nBcc: x@y@z", "<a<b@c>", "a\u{0}b"] {
            assert!(MessageId::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn addresses_compare_with_case_insensitive_local_parts() {
        let a = EmailAddress::parse("Support@Desk.Example").unwrap();
        let b = EmailAddress::parse("support@desk.example").unwrap();
        assert!(same_address(&a, &b));
        let c = EmailAddress::parse("help@desk.example").unwrap();
        assert!(!same_address(&a, &c));
    }

    #[test]
    fn mailbox_shows_name_and_address() {
        let address = EmailAddress::parse("ana@example.com").unwrap();
        assert_eq!(
            Mailbox::with_name("Ana Silva", address.clone()).to_string(),
            "Ana Silva <ana@example.com>"
        );
        assert_eq!(Mailbox::with_name("  ", address).name, None);
    }
}
