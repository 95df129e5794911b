//! Storage for the email channel: the desk's mailboxes, the message ids it received
//! and sent (threading and deduplication), who takes part in a ticket's mail thread,
//! the quarantine of messages that could not be filed, and the outbox of
//! notifications.
//!
//! Filing a message is one call ([`MailStore::file_inbound`]) so the ticket change,
//! its events, the message id and the participants are one transaction: a message is
//! filed in full or not at all, and a second copy of it is recognized by its id.
//!
//! The outbox is filled by the store itself, in the transaction that appends the event
//! a notification announces (the domain's `EventKind::announces_mail` says which); the
//! delivery worker renders and sends each row later, with retries. It also carries
//! mail to staff: a notification their preferences mail at once (queued with the
//! notification, in the ticket's transaction) and their digests
//! ([`crate::NotificationStore::queue_digests`]).

use async_trait::async_trait;
use ferrodesk_domain::{CategoryId, EmailAddress, EventId, GroupId, TicketId, UserId};
use jiff::Timestamp;

use crate::{NewTicket, NotificationId, StoreResult, TicketChange};

/// A mailbox's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MailboxId(pub i64);

/// A quarantined message's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QuarantineId(pub i64);

/// An outbox row's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OutboxId(pub i64);

/// How a mailbox reaches its IMAP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImapSecurity {
    /// TLS from the first byte (port 993).
    Tls,
    /// Plain connection upgraded with STARTTLS (port 143).
    StartTls,
}

impl ImapSecurity {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ImapSecurity::Tls => "tls",
            ImapSecurity::StartTls => "starttls",
        }
    }

    /// Reads a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "tls" => Some(ImapSecurity::Tls),
            "starttls" => Some(ImapSecurity::StartTls),
            _ => None,
        }
    }
}

/// What the poller does with a message on the server once it is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AfterImport {
    /// Set the `$Ferrodesk` keyword and `\Seen` (never relied on: UIDs are).
    Flag,
    /// Move it to [`Mailbox::move_to`].
    Move,
    /// Delete and expunge it.
    Delete,
}

impl AfterImport {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            AfterImport::Flag => "flag",
            AfterImport::Move => "move",
            AfterImport::Delete => "delete",
        }
    }

    /// Reads a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "flag" => Some(AfterImport::Flag),
            "move" => Some(AfterImport::Move),
            "delete" => Some(AfterImport::Delete),
            _ => None,
        }
    }
}

/// The IMAP account of a mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImapAccount {
    /// Server name.
    pub host: String,
    /// Server port.
    pub port: u16,
    /// TLS or STARTTLS.
    pub security: ImapSecurity,
    /// Login name.
    pub user: String,
    /// Password (never shown by the API).
    pub password: String,
    /// The folder to read, `INBOX` by default.
    pub folder: String,
    /// What to do with a stored message on the server.
    pub after_import: AfterImport,
    /// The folder [`AfterImport::Move`] moves to.
    pub move_to: Option<String>,
}

/// A mailbox as stored: the desk's address, where its mail goes, and its IMAP state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    /// Id.
    pub id: MailboxId,
    /// A name for admins.
    pub name: String,
    /// The desk's address for this mailbox.
    pub address: EmailAddress,
    /// Whether `mail-gateway` files here when no mailbox is named.
    pub is_default: bool,
    /// The group new tickets go to.
    pub group_id: Option<GroupId>,
    /// The category new tickets get.
    pub category_id: Option<CategoryId>,
    /// Whether unknown senders become customers (`true`) or are held in quarantine.
    pub allows_unknown_senders: bool,
    /// The IMAP account, when this mailbox is fetched over IMAP.
    pub imap: Option<ImapAccount>,
    /// Whether the poller fetches it.
    pub is_enabled: bool,
    /// The folder's UIDVALIDITY when it was last read.
    pub uid_validity: Option<u32>,
    /// The highest UID already stored.
    pub last_uid: u32,
    /// Failures in a row since the last success.
    pub failure_count: i64,
    /// The last failure's message.
    pub last_error: Option<String>,
    /// When it last failed.
    pub last_error_at: Option<Timestamp>,
    /// When it was last read without error.
    pub last_success_at: Option<Timestamp>,
    /// Created.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

/// A mailbox to create or the new values of one (all fields replace the old ones,
/// except an IMAP password left `None`, which keeps the stored one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxWrite {
    /// A name for admins.
    pub name: String,
    /// The desk's address.
    pub address: EmailAddress,
    /// The default mailbox (only one is; setting it clears the others).
    pub is_default: bool,
    /// Group for new tickets.
    pub group_id: Option<GroupId>,
    /// Category for new tickets.
    pub category_id: Option<CategoryId>,
    /// Unknown senders become customers when `true`.
    pub allows_unknown_senders: bool,
    /// IMAP account; its password `""` keeps the stored password on update.
    pub imap: Option<ImapAccount>,
    /// Whether the poller fetches it.
    pub is_enabled: bool,
    /// When.
    pub now: Timestamp,
}

/// What the intake knows about an inbound message it files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundRecord {
    /// Its Message-ID, without brackets.
    pub message_id: String,
    /// The mailbox it came through.
    pub mailbox_id: Option<MailboxId>,
    /// The author's address.
    pub sender: EmailAddress,
    /// Its decoded subject.
    pub subject: String,
    /// Its sanitized HTML body.
    pub html_body: Option<String>,
    /// Its full plain text, quoted history included.
    pub full_text: String,
    /// Whether the desk may answer it automatically (a receipt).
    pub may_auto_reply: bool,
    /// Addresses that take part in the ticket's thread from now on.
    pub participants: Vec<EmailAddress>,
    /// When it was filed.
    pub now: Timestamp,
}

/// Where an inbound message goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filing {
    /// A new ticket; the message is tied to its last event (the `created` event, as
    /// the intake writes new tickets).
    NewTicket(Box<NewTicket>),
    /// A change to an existing ticket (a reply, a reopen, a bounce note); the message
    /// is tied to the change's first event.
    Change(Box<TicketChange>),
}

/// An inbound message to file, in one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundFiling {
    /// The message.
    pub record: InboundRecord,
    /// The ticket write.
    pub filing: Filing,
    /// A quarantined copy this filing replaces (deleted in the same transaction).
    pub retry_of: Option<QuarantineId>,
    /// The version of the [`DeskSettings`](crate::DeskSettings) a
    /// [`Filing::Change`] was routed with; the filing is refused when the settings
    /// changed since (a [`Filing::NewTicket`] names its own).
    pub settings_version: Option<i64>,
}

/// The outcome of filing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filed {
    /// Stored now, on this ticket.
    Stored(TicketId),
    /// A message with this Message-ID was already stored, on this ticket; nothing was
    /// written.
    Duplicate(TicketId),
}

impl Filed {
    /// The ticket the message is on.
    pub fn ticket_id(self) -> TicketId {
        match self {
            Filed::Stored(id) | Filed::Duplicate(id) => id,
        }
    }
}

/// A message stored on a ticket's mail thread, as the ticket view shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadMessage {
    /// Its Message-ID.
    pub message_id: String,
    /// Whether it came in (`true`) or went out.
    pub is_inbound: bool,
    /// The event it belongs to.
    pub event_id: Option<EventId>,
    /// Its author (inbound) or recipients (outbound).
    pub sender: String,
    /// Its subject.
    pub subject: String,
    /// The sanitized HTML body (inbound).
    pub html_body: Option<String>,
    /// The full plain text (inbound).
    pub full_text: Option<String>,
    /// Whether the desk may answer it automatically (inbound).
    pub may_auto_reply: bool,
    /// When it was stored.
    pub created_at: Timestamp,
}

/// A message that could not be filed, with the reason and its raw bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarantinedMail {
    /// Id.
    pub id: QuarantineId,
    /// The mailbox it came through.
    pub mailbox_id: Option<MailboxId>,
    /// A stable code for the reason (`parse_error`, `unknown_sender`, ...).
    pub code: String,
    /// Why it was not filed, in words.
    pub reason: String,
    /// Its `From`, when readable.
    pub sender: Option<String>,
    /// Its subject, when readable.
    pub subject: Option<String>,
    /// Its Message-ID, when readable.
    pub message_id: Option<String>,
    /// Its size in bytes.
    pub size: i64,
    /// When it was held.
    pub created_at: Timestamp,
}

/// A message to hold in quarantine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewQuarantine {
    /// The mailbox it came through.
    pub mailbox_id: Option<MailboxId>,
    /// Stable reason code.
    pub code: String,
    /// Reason in words.
    pub reason: String,
    /// `From`, when readable.
    pub sender: Option<String>,
    /// Subject, when readable.
    pub subject: Option<String>,
    /// Message-ID, when readable.
    pub message_id: Option<String>,
    /// The raw message.
    pub raw: Vec<u8>,
    /// When.
    pub now: Timestamp,
}

/// What an outbox row is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outbound {
    /// A ticket event announced to the requester.
    Event {
        /// The event.
        event_id: EventId,
        /// Its ticket.
        ticket_id: TicketId,
    },
    /// One staff notification, mailed to its person.
    Notification {
        /// The notification.
        notification_id: NotificationId,
        /// The ticket it is about, if any.
        ticket_id: Option<TicketId>,
    },
    /// A staff member's digest of the notifications made in `[since, until)`.
    Digest {
        /// To whom.
        user_id: UserId,
        /// From when (`None`: since the person's first notification).
        since: Option<Timestamp>,
        /// Until when.
        until: Timestamp,
    },
}

impl Outbound {
    /// The ticket the mail is about, if one.
    pub fn ticket_id(&self) -> Option<TicketId> {
        match self {
            Outbound::Event { ticket_id, .. } => Some(*ticket_id),
            Outbound::Notification { ticket_id, .. } => *ticket_id,
            Outbound::Digest { .. } => None,
        }
    }
}

/// An outbox row claimed for delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxItem {
    /// Id.
    pub id: OutboxId,
    /// What it is for.
    pub about: Outbound,
    /// Delivery attempts made before this one.
    pub attempts: i64,
    /// The rendered message, once rendered: Message-ID, recipients and bytes. A retry
    /// sends exactly these bytes again, so a message is never rendered twice.
    pub rendered: Option<RenderedMail>,
}

/// A rendered outbound message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedMail {
    /// Its Message-ID, without brackets.
    pub message_id: String,
    /// Envelope recipients.
    pub recipients: Vec<EmailAddress>,
    /// The desk address it is sent from (envelope sender).
    pub sender: EmailAddress,
    /// RFC 5322 bytes.
    pub raw: Vec<u8>,
}

/// An outbox row as admins see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    /// Id.
    pub id: OutboxId,
    /// What it is for.
    pub about: Outbound,
    /// `pending`, `sent`, `skipped` or `failed`.
    pub state: String,
    /// Attempts made.
    pub attempts: i64,
    /// When the next attempt is due.
    pub next_attempt_at: Timestamp,
    /// Its Message-ID, once rendered.
    pub message_id: Option<String>,
    /// Its recipients, once rendered.
    pub recipients: Option<String>,
    /// The last error, or why it was skipped.
    pub last_error: Option<String>,
    /// When it went out.
    pub sent_at: Option<Timestamp>,
    /// The subject of the ticket it is about, if one.
    pub ticket_subject: Option<String>,
    /// The kind of the event (`reply`, `created`...) or notification (`assigned`...)
    /// it mails; `None` for a digest.
    pub topic: Option<String>,
}

/// Storage of the email channel; part of [`crate::Store`].
#[async_trait]
pub trait MailStore: Send + Sync {
    /// Files an inbound message in one transaction: the ticket write, the message id,
    /// the participants, and the removal of the quarantined copy it replaces.
    ///
    /// # Errors
    /// `Conflict` when the ticket changed concurrently; `NotFound`.
    async fn file_inbound(&self, filing: InboundFiling) -> StoreResult<Filed>;
    /// The ticket holding a stored inbound message with this Message-ID.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn find_inbound(&self, message_id: &str) -> StoreResult<Option<TicketId>>;
    /// The ticket of the first of `message_ids` the desk received or sent.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn find_thread(&self, message_ids: &[String]) -> StoreResult<Option<TicketId>>;
    /// Whether `email` takes part in the ticket's mail thread (requesters are checked
    /// by the caller).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn is_participant(&self, ticket: TicketId, email: &EmailAddress) -> StoreResult<bool>;
    /// Inbound messages from `sender` stored since `since`, counted up to `cap` (the
    /// per-sender rate limit only asks whether the limit is reached, so a sender who
    /// sends thousands costs no more than one who sends `cap`).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn count_inbound_since(
        &self,
        sender: &EmailAddress,
        since: Timestamp,
        cap: i64,
    ) -> StoreResult<i64>;
    /// A ticket's mail thread, oldest first (bounded to the newest 500).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_thread(&self, ticket: TicketId) -> StoreResult<Vec<ThreadMessage>>;
    /// The inbound message tied to this event, if the event came by mail.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn inbound_for_event(&self, event: EventId) -> StoreResult<Option<ThreadMessage>>;

    /// Holds a message in quarantine.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn quarantine(&self, mail: NewQuarantine) -> StoreResult<QuarantinedMail>;
    /// The newest quarantined messages (at most `limit`).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_quarantine(&self, limit: i64) -> StoreResult<Vec<QuarantinedMail>>;
    /// One quarantined message with its raw bytes.
    ///
    /// # Errors
    /// `NotFound`.
    async fn get_quarantined(&self, id: QuarantineId) -> StoreResult<(QuarantinedMail, Vec<u8>)>;
    /// Deletes a quarantined message.
    ///
    /// # Errors
    /// `NotFound`.
    async fn delete_quarantined(&self, id: QuarantineId) -> StoreResult<()>;

    /// Creates a mailbox.
    ///
    /// # Errors
    /// `Conflict` when the name or address is taken; `NotFound` for an unknown group
    /// or category.
    async fn create_mailbox(&self, mailbox: MailboxWrite) -> StoreResult<Mailbox>;
    /// Replaces a mailbox's settings (its IMAP progress stays).
    ///
    /// # Errors
    /// `NotFound`, `Conflict`.
    async fn update_mailbox(&self, id: MailboxId, mailbox: MailboxWrite) -> StoreResult<Mailbox>;
    /// Reads a mailbox.
    ///
    /// # Errors
    /// `NotFound`.
    async fn get_mailbox(&self, id: MailboxId) -> StoreResult<Mailbox>;
    /// Every mailbox, by name (a desk has a handful).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_mailboxes(&self) -> StoreResult<Vec<Mailbox>>;
    /// Deletes a mailbox.
    ///
    /// # Errors
    /// `NotFound`.
    async fn delete_mailbox(&self, id: MailboxId) -> StoreResult<()>;
    /// Records that the folder was read up to `last_uid` under `uid_validity`.
    ///
    /// # Errors
    /// `NotFound`.
    async fn record_mailbox_progress(
        &self,
        id: MailboxId,
        uid_validity: u32,
        last_uid: u32,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// Records a failed poll (counts failures in a row).
    ///
    /// # Errors
    /// `NotFound`.
    async fn record_mailbox_failure(
        &self,
        id: MailboxId,
        error: &str,
        now: Timestamp,
    ) -> StoreResult<()>;

    /// Claims the next due outbox row: its next attempt moves to `lease_until`, so no
    /// other worker takes it meanwhile.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn claim_outbox(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> StoreResult<Option<OutboxItem>>;
    /// Stores the rendered message of a row and records its Message-ID on the ticket's
    /// thread (so answers to it thread back), before it is sent.
    ///
    /// # Errors
    /// `NotFound`.
    async fn render_outbox(
        &self,
        id: OutboxId,
        mail: RenderedMail,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// Marks a row sent.
    ///
    /// # Errors
    /// `NotFound`.
    async fn outbox_sent(&self, id: OutboxId, now: Timestamp) -> StoreResult<()>;
    /// Marks a row skipped (nobody to mail), with the reason.
    ///
    /// # Errors
    /// `NotFound`.
    async fn outbox_skipped(&self, id: OutboxId, reason: &str, now: Timestamp) -> StoreResult<()>;
    /// Records a failed attempt: retried at `retry_at`, or failed for good when `None`.
    ///
    /// # Errors
    /// `NotFound`.
    async fn outbox_failed(
        &self,
        id: OutboxId,
        error: &str,
        retry_at: Option<Timestamp>,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// The outbox rows of a ticket, oldest first.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_outbox(&self, ticket: TicketId) -> StoreResult<Vec<OutboxEntry>>;
}
