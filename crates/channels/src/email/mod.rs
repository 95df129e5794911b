//! Email in and out, as pure functions over bytes.
//!
//! What this module owns:
//!
//! - [`parse`] and [`parse_with`]: an RFC 5322 message (with MIME, RFC 2045–2049, and
//!   encoded words, RFC 2047, in any charset) becomes an [`InboundMessage`]: ids, sender,
//!   recipients, decoded subject, a plain-text body, a sanitized HTML body, attachments
//!   with their SHA-256, forwarded messages, and the raw header fields.
//! - Loop and storm protection ([`InboundMessage::is_auto_generated`],
//!   [`should_auto_reply`]): `Auto-Submitted` (RFC 3834), `Precedence`, list headers
//!   (RFC 2369, RFC 2919), Microsoft's `X-Auto-Response-Suppress`, known auto-responder
//!   headers and `MAILER-DAEMON`/`postmaster` senders.
//! - Delivery status notifications (RFC 3464, inside RFC 6522 `multipart/report`):
//!   [`DeliveryReport`] names the bounced message and the failed recipients.
//! - Threading keys ([`threading_keys`]): the ticket tag in the subject (`[#10042]`), a
//!   plus-address (`support+10042@desk.example`), and the message ids from `In-Reply-To`
//!   and `References` (RFC 5322 §3.6.4). Looking them up is the service layer's job.
//! - Reply-quote stripping ([`split_reply`]): new text and quoted history, so the view
//!   can fold the history while the full text is kept.
//! - Outbound messages ([`OutboundMessage`]): RFC 5322 bytes with our Message-ID,
//!   `In-Reply-To`, `References`, a tagged subject and `Auto-Submitted` on automatic mail.
//!
//! What it must not do: read sockets, files, the clock or a database. The intake and
//! the outbox call it; the service layer decides what a message means for a ticket.
//!
//! MIME parsing is mail-parser's, building is mail-builder's, HTML sanitizing is
//! ammonia's and HTML-to-text is html2text's: none of that is hand-written here.

mod classify;
mod dsn;
mod html;
mod message;
mod outbound;
mod parse;
mod quote;
mod thread;

pub use classify::should_auto_reply;
pub use dsn::{DeliveryAction, DeliveryReport, RecipientStatus};
pub use html::{html_to_text, sanitize_html};
pub use message::{
    Attachment, ForwardedMessage, HeaderField, InboundMessage, Mailbox, MessageId,
    OversizeAttachment,
};
pub use outbound::{AutoSubmitted, BuildError, OutboundMessage, new_message_id};
pub use parse::{ParseError, ParseOptions, parse, parse_with};
pub use quote::{REPLY_ABOVE_MARKER, ReplyText, split_reply, split_reply_with_markers};
pub use thread::{
    ThreadingKeys, lookup_message_ids, normalized_subject, references_for_reply, tag_subject,
    threading_keys, ticket_from_message_id, ticket_from_plus_address, ticket_from_subject,
};
