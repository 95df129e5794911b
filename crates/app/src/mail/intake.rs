//! The intake: one raw RFC 5322 message in, filed on a ticket or held in quarantine.
//! Every path uses it: `ferrodesk mail-gateway`, the IMAP poller, the quarantine's
//! retry button and the bench tool.
//!
//! The rules, in order:
//!
//! 1. A message that cannot be parsed is quarantined (`parse_error`), never lost.
//! 2. A Message-ID already stored is a duplicate: nothing is written.
//! 3. Mail from one of the desk's own addresses is quarantined (`from_desk_address`):
//!    it is our own mail come back, and answering it would start a loop.
//! 4. A delivery report (bounce) is recorded as an internal note on the ticket whose
//!    message bounced; a bounce of a message the desk did not send is quarantined
//!    (`unknown_bounce`). A bounce never opens a ticket.
//! 5. Threading: the ticket of a stored message named by `In-Reply-To`/`References`,
//!    else the desk's own Message-ID form, the `[#10042]` subject tag, or a
//!    plus-address (`support+10042@desk.example`).
//! 6. A vendor's answer to a hand-off (the ticket the thread names, or the case
//!    reference `V-10042-1` in the subject, from the vendor's address or domain) is
//!    filed on that ticket as an internal vendor message (`mail/vendor_answer.rs`).
//! 7. Participant check: the message goes onto that ticket only when its sender is the
//!    requester or a participant of the ticket's mail thread (someone who was on a
//!    message of it). Anyone else — a guessed number, a forged `In-Reply-To` — gets a
//!    **new ticket of their own**: nothing they send reaches a ticket that is not
//!    theirs, and nothing is lost. Mail claiming to come from a staff address that
//!    points at a ticket is quarantined (`staff_sender`): staff answer in the desk,
//!    so such mail is either forged or misrouted and needs a person's look.
//! 8. A message for a closed ticket opens a follow-up ticket linked to it; a reply to a
//!    resolved or pending-on-customer ticket opens it again.
//! 9. Unknown senders become customers, or are held (`unknown_sender`) when the
//!    mailbox says so; a retry from the quarantine view files them.
//! 10. Storm protection: no receipt for automatic mail (`Auto-Submitted`, `Precedence`,
//!     list mail, `MAILER-DAEMON`, our own addresses) or past the per-sender rate limit;
//!     the message itself is still filed.

use crate::ticket::pipeline;
use crate::{App, AppError, OrNotFound as _};
use ferrodesk_channels::email::{
    InboundMessage, ParseOptions, parse_with, should_auto_reply, split_reply, threading_keys,
};
use ferrodesk_domain::{
    Channel, EmailAddress, EventKind, Impact, LinkKind, NewEvent, Priority, Role, Ticket, TicketId,
    TicketStatus, TicketType, Tier, Urgency, User, Visibility,
};
use ferrodesk_store::mail::{
    Filed, Filing, InboundFiling, InboundRecord, Mailbox, MailboxId, NewQuarantine, QuarantineId,
};
use ferrodesk_store::{Conflict, DeskSettings, NewTicket, TicketChange};

use super::MailConfig;

/// The longest subject kept (the ticket service's limit).
const MAX_SUBJECT_CHARS: usize = crate::ticket::MAX_SUBJECT_CHARS;
/// The longest body kept on the timeline; the full text stays on the mail thread.
const MAX_BODY_CHARS: usize = crate::ticket::MAX_BODY_CHARS;

/// What happened to a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntakeOutcome {
    /// Filed on a ticket.
    Filed {
        /// The ticket.
        ticket: TicketId,
        /// How.
        kind: FiledAs,
        /// Whether the desk may send it a receipt.
        may_auto_reply: bool,
    },
    /// Already stored, on this ticket; nothing was written.
    Duplicate {
        /// The ticket.
        ticket: TicketId,
    },
    /// Held for an admin, with the reason.
    Quarantined {
        /// Its quarantine id.
        id: QuarantineId,
        /// Stable reason code.
        code: String,
        /// The reason in words.
        reason: String,
    },
}

/// How a message was filed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FiledAs {
    /// It opened a new ticket.
    NewTicket,
    /// It was added to an existing ticket.
    Reply,
    /// It opened a follow-up of a closed ticket.
    FollowUp,
    /// It is a bounce, noted on the ticket whose message bounced.
    Bounce,
    /// It is a vendor's answer to a hand-off, filed as a vendor message.
    VendorAnswer,
}

/// Options of one intake call.
#[derive(Debug, Clone, Copy, Default)]
pub struct IntakeOptions {
    /// The mailbox it came through; the default mailbox (or the one a recipient
    /// names) otherwise.
    pub mailbox: Option<MailboxId>,
    /// The quarantined copy this is a retry of (removed once filed).
    pub retry_of: Option<QuarantineId>,
    /// File unknown senders even when the mailbox holds them (an admin's retry).
    pub allow_unknown_sender: bool,
}

/// A reason to hold a message.
pub(super) struct Hold {
    code: &'static str,
    reason: String,
}

fn hold(code: &'static str, reason: impl Into<String>) -> Hold {
    Hold {
        code,
        reason: reason.into(),
    }
}

/// The first `max` characters of `text`.
pub(super) fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => text.get(..end).unwrap_or(text).to_owned(),
        None => text.to_owned(),
    }
}

/// The mailboxes, the one a message came through, and the desk's own addresses.
pub(crate) struct DeskMail {
    pub(crate) mailboxes: Vec<Mailbox>,
}

impl DeskMail {
    pub(crate) fn own_addresses(&self) -> Vec<EmailAddress> {
        self.mailboxes.iter().map(|m| m.address.clone()).collect()
    }

    pub(crate) fn default_mailbox(&self) -> Option<&Mailbox> {
        self.mailboxes
            .iter()
            .find(|m| m.is_default)
            .or_else(|| self.mailboxes.first())
    }

    /// The mailbox given, else the one a recipient names, else the default.
    fn mailbox_for(&self, given: Option<MailboxId>, message: &InboundMessage) -> Option<&Mailbox> {
        if let Some(id) = given {
            return self.mailboxes.iter().find(|m| m.id == id);
        }
        let own = |address: &EmailAddress| {
            let (local, domain) = address.as_str().rsplit_once('@')?;
            let base = local.split_once('+').map_or(local, |(b, _)| b);
            self.mailboxes.iter().find(|m| {
                m.address
                    .as_str()
                    .eq_ignore_ascii_case(&format!("{base}@{domain}"))
            })
        };
        message
            .recipient_addresses()
            .find_map(own)
            .or_else(|| self.default_mailbox())
    }
}

impl App {
    pub(crate) async fn desk_mail(&self) -> Result<DeskMail, AppError> {
        Ok(DeskMail {
            mailboxes: self.db().list_mailboxes().await?,
        })
    }
}

/// The intake service; get one from [`App::mail`](crate::App::mail).
#[derive(Debug, Clone, Copy)]
pub struct Intake<'a> {
    pub(crate) app: &'a App,
    pub(crate) config: &'a MailConfig,
}

impl Intake<'_> {
    /// Files one raw message (see the module docs for the rules).
    ///
    /// # Errors
    /// `Unavailable` when the database cannot store the message or its quarantined
    /// copy: the caller must keep the message and try again later.
    pub async fn file(
        &self,
        raw: &[u8],
        options: IntakeOptions,
    ) -> Result<IntakeOutcome, AppError> {
        let desk = self.app.desk_mail().await?;
        let parse_options = ParseOptions {
            max_message_bytes: self.config.max_message_bytes,
            max_attachment_bytes: self.config.max_attachment_bytes,
        };
        let message = match parse_with(raw, &parse_options) {
            Ok(message) => message,
            Err(error) => {
                let mailbox = options.mailbox;
                return self
                    .quarantine(raw, None, mailbox, hold("parse_error", error.to_string()))
                    .await;
            }
        };
        let mailbox = desk.mailbox_for(options.mailbox, &message).cloned();
        // A ticket changed by someone else between reading and filing: read it again.
        let mut attempts = 0;
        let routed = loop {
            attempts += 1;
            let routed = self
                .app
                .with_settings(|settings| {
                    let (desk, mailbox, message) = (&desk, mailbox.as_ref(), &message);
                    async move { self.route(desk, &settings, mailbox, message, options).await }
                })
                .await;
            match routed {
                Err(AppError::Conflict { .. }) if attempts < 3 => continue,
                other => break other?,
            }
        };
        match routed {
            Ok(outcome) => Ok(outcome),
            Err(reason) => {
                self.quarantine(raw, Some(&message), mailbox.map(|m| m.id), reason)
                    .await
            }
        }
    }

    async fn quarantine(
        &self,
        raw: &[u8],
        message: Option<&InboundMessage>,
        mailbox: Option<MailboxId>,
        reason: Hold,
    ) -> Result<IntakeOutcome, AppError> {
        let held = self
            .app
            .db()
            .quarantine(NewQuarantine {
                mailbox_id: mailbox,
                code: reason.code.to_owned(),
                reason: reason.reason.clone(),
                sender: message.map(|m| m.from.address.to_string()),
                subject: message.map(|m| cut(&m.subject, 500)),
                message_id: message.map(|m| m.message_id.as_str().to_owned()),
                raw: raw.to_vec(),
                now: self.app.now(),
            })
            .await?;
        tracing::info!(id = held.id.0, code = reason.code, reason = %reason.reason, "mail quarantined");
        Ok(IntakeOutcome::Quarantined {
            id: held.id,
            code: reason.code.to_owned(),
            reason: reason.reason,
        })
    }

    /// Decides where the message goes and files it; `Err(Hold)` quarantines it.
    async fn route(
        &self,
        desk: &DeskMail,
        settings: &DeskSettings,
        mailbox: Option<&Mailbox>,
        message: &InboundMessage,
        options: IntakeOptions,
    ) -> Result<Result<IntakeOutcome, Hold>, AppError> {
        let db = self.app.db();
        if let Some(ticket) = db.find_inbound(message.message_id.as_str()).await? {
            return Ok(Ok(IntakeOutcome::Duplicate { ticket }));
        }
        let own = desk.own_addresses();
        let from = &message.from.address;
        if own.iter().any(|mine| same_mailbox(mine, from)) {
            return Ok(Err(hold(
                "from_desk_address",
                format!(
                    "the message comes from the desk's own address {from}; filing it could start a mail loop"
                ),
            )));
        }
        if let Some(report) = &message.delivery_report {
            return self.bounce(message, mailbox, report, options).await;
        }
        let sender = db.find_user_by_email(from).await?;
        let keys = threading_keys(message, &own);
        let lookup: Vec<String> = keys
            .message_ids
            .iter()
            .map(|id| id.as_str().to_owned())
            .collect();
        let named = match db.find_thread(&lookup).await? {
            Some(ticket) => Some(ticket),
            None => keys
                .message_id_ticket
                .or(keys.subject_ticket)
                .or(keys.plus_address_ticket),
        };
        let target = match named {
            Some(id) => db.get_ticket(id).await.or_not_found("ticket", id).ok(),
            None => None,
        };
        // A vendor answering a hand-off: one indexed read, only for mail that names a
        // ticket or carries a case reference, and not from the ticket's requester or
        // from staff.
        let not_a_vendor = match (&target, &sender) {
            (Some(t), Some(u)) => u.id == t.requester_id || u.role.is_staff(),
            (None, Some(u)) => u.role.is_staff(),
            (_, None) => false,
        };
        if let Some(outcome) = self
            .vendor_answer(
                settings,
                mailbox,
                message,
                target.as_ref(),
                not_a_vendor,
                options,
            )
            .await?
        {
            return Ok(Ok(outcome));
        }
        if let (Some(ticket), Some(user)) = (&target, &sender)
            && user.role.is_staff()
        {
            return Ok(Err(hold(
                "staff_sender",
                format!(
                    "the message claims to come from staff member {from} and points at ticket {}; staff answer in the desk, so it is held for review",
                    ticket.id.display_number()
                ),
            )));
        }
        let is_participant = match (&target, &sender) {
            (Some(ticket), Some(user)) if user.id == ticket.requester_id => true,
            (Some(ticket), _) => db.is_participant(ticket.id, from).await?,
            (None, _) => false,
        };
        let sender = match sender {
            Some(user) => user,
            None => {
                let allows = mailbox.is_none_or(|m| m.allows_unknown_senders);
                if !allows && !options.allow_unknown_sender {
                    return Ok(Err(hold(
                        "unknown_sender",
                        format!(
                            "{from} is not known to the desk and this mailbox holds mail from unknown senders for review"
                        ),
                    )));
                }
                self.create_requester(message).await?
            }
        };
        if !sender.is_active {
            return Ok(Err(hold(
                "inactive_sender",
                format!("{from} belongs to a deactivated account"),
            )));
        }
        let may_auto_reply = self.may_auto_reply(message, &own).await?;
        let record = self.record(message, mailbox, may_auto_reply, &own);
        let now = self.app.now();
        let (mut filing, kind) = match target {
            Some(ticket) if is_participant && ticket.status != TicketStatus::Closed => (
                self.reply_change(settings, ticket, &sender, message)
                    .await?,
                FiledAs::Reply,
            ),
            Some(ticket) if is_participant => (
                Filing::NewTicket(Box::new(
                    self.new_ticket(settings, mailbox, &sender, message, Some(ticket.id))
                        .await?,
                )),
                FiledAs::FollowUp,
            ),
            _ => (
                Filing::NewTicket(Box::new(
                    self.new_ticket(settings, mailbox, &sender, message, None)
                        .await?,
                )),
                FiledAs::NewTicket,
            ),
        };
        super::files::attach(&mut filing, self.store_files(message).await?);
        let filed = db
            .file_inbound(InboundFiling {
                record: InboundRecord { now, ..record },
                filing,
                retry_of: options.retry_of,
                settings_version: Some(settings.version),
            })
            .await;
        Ok(Ok(match filed {
            Ok(Filed::Stored(ticket)) => IntakeOutcome::Filed {
                ticket,
                kind,
                may_auto_reply,
            },
            Ok(Filed::Duplicate(ticket)) => IntakeOutcome::Duplicate { ticket },
            // The same message filed at the same moment by another path (two pollers,
            // a gateway and a poller): the other copy won.
            Err(
                conflict @ ferrodesk_store::StoreError::Conflict {
                    kind: Conflict::Unique(_),
                    ..
                },
            ) => match db.find_inbound(message.message_id.as_str()).await? {
                Some(ticket) => IntakeOutcome::Duplicate { ticket },
                None => return Err(conflict.into()),
            },
            Err(error) => return Err(error.into()),
        }))
    }

    /// Whether a receipt may answer this message: never automatic mail, and never
    /// past the per-sender rate limit.
    async fn may_auto_reply(
        &self,
        message: &InboundMessage,
        own: &[EmailAddress],
    ) -> Result<bool, AppError> {
        if !should_auto_reply(message, own) {
            return Ok(false);
        }
        let since = self
            .app
            .now()
            .checked_sub(self.config.rate_window)
            .unwrap_or_else(|_| self.app.now());
        let recent = self
            .app
            .db()
            .count_inbound_since(
                &message.from.address,
                since,
                self.config.max_auto_replies_per_window,
            )
            .await?;
        Ok(recent < self.config.max_auto_replies_per_window)
    }

    pub(super) fn record(
        &self,
        message: &InboundMessage,
        mailbox: Option<&Mailbox>,
        may_auto_reply: bool,
        own: &[EmailAddress],
    ) -> InboundRecord {
        let mut participants = vec![message.from.address.clone()];
        for address in message
            .to
            .iter()
            .chain(&message.cc)
            .map(|m| &m.address)
            .chain(message.reply_to.iter().map(|m| &m.address))
        {
            let is_own = own.iter().any(|mine| same_mailbox(mine, address));
            if !is_own && !participants.contains(address) {
                participants.push(address.clone());
            }
        }
        InboundRecord {
            message_id: message.message_id.as_str().to_owned(),
            mailbox_id: mailbox.map(|m| m.id),
            sender: message.from.address.clone(),
            subject: cut(&message.subject, 1000),
            html_body: message.html_body.clone(),
            full_text: message.text_body.clone(),
            may_auto_reply,
            participants,
            now: self.app.now(),
        }
    }

    async fn create_requester(&self, message: &InboundMessage) -> Result<User, AppError> {
        let address = &message.from.address;
        let name = message
            .from
            .name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| {
                address
                    .as_str()
                    .split('@')
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            });
        let created = self
            .app
            .directory()
            .create_user_unchecked(
                None,
                crate::CreateUserInput {
                    email: address.to_string(),
                    name: cut(&name, 200),
                    role: Some(Role::Customer),
                    ..crate::CreateUserInput::default()
                },
                None,
            )
            .await;
        match created {
            Ok(user) => Ok(user),
            // Created a moment ago by another message: use that one.
            Err(AppError::Conflict { .. }) => self
                .app
                .db()
                .find_user_by_email(address)
                .await?
                .ok_or_else(|| AppError::not_found("user", address)),
            Err(error) => Err(error),
        }
    }

    pub(super) fn body(message: &InboundMessage) -> String {
        let split = split_reply(&message.text_body);
        let text = split.new_text().trim();
        if text.is_empty() {
            "(no text)".to_owned()
        } else {
            cut(text, MAX_BODY_CHARS)
        }
    }

    /// A new ticket from a message, through the write pipeline like every channel's.
    async fn new_ticket(
        &self,
        settings: &DeskSettings,
        mailbox: Option<&Mailbox>,
        requester: &User,
        message: &InboundMessage,
        follow_up_of: Option<TicketId>,
    ) -> Result<NewTicket, AppError> {
        let now = self.app.now();
        let subject = message.subject.trim();
        let subject = if subject.is_empty() {
            "(no subject)".to_owned()
        } else {
            cut(subject, MAX_SUBJECT_CHARS)
        };
        let ticket = Ticket {
            id: TicketId(0),
            version: 0,
            subject: subject.clone(),
            description: Self::body(message),
            ticket_type: TicketType::Incident,
            status: TicketStatus::New,
            impact: Impact::Individual,
            urgency: Urgency::Medium,
            priority: Priority::from_matrix(Impact::Individual, Urgency::Medium),
            priority_reason: None,
            category_id: mailbox.and_then(|m| m.category_id),
            service_id: None,
            location: None,
            device: None,
            requester_id: requester.id,
            organization_id: requester.organization_id,
            channel: Channel::Email,
            group_id: None,
            tier: Tier::FIRST,
            owner_id: None,
            assignee_id: None,
            tags: Vec::new(),
            escalation_level: 0,
            external_ref: None,
            merged_into: None,
            created_at: now,
            updated_at: now,
            first_response_at: None,
            resolved_at: None,
            closed_at: None,
        };
        let draft = pipeline::Draft {
            events: vec![NewEvent::new(
                EventKind::Created { subject },
                Some(requester.id),
                Channel::Email,
                now,
            )],
            ticket,
            links: follow_up_of
                .map(|closed| vec![(LinkKind::FollowUpOf, closed)])
                .unwrap_or_default(),
            idempotency: None,
            group_id: mailbox.and_then(|m| m.group_id),
            custom_values: Vec::new(),
        };
        pipeline::open(self.app, settings, draft).await
    }

    /// A reply to a ticket, through the write pipeline like every channel's change.
    async fn reply_change(
        &self,
        settings: &DeskSettings,
        ticket: Ticket,
        sender: &User,
        message: &InboundMessage,
    ) -> Result<Filing, AppError> {
        let now = self.app.now();
        let mut after = ticket.clone();
        after.updated_at = now;
        let mut events = vec![NewEvent::new(
            EventKind::Reply {
                body: Self::body(message),
            },
            Some(sender.id),
            Channel::Email,
            now,
        )];
        // The requester answering reopens a resolved ticket and ends a wait on them.
        if matches!(
            ticket.status,
            TicketStatus::Resolved | TicketStatus::PendingCustomer
        ) && after.transition(TicketStatus::Open, now).is_ok()
        {
            events.push(NewEvent::new(
                EventKind::StatusChanged {
                    from: ticket.status,
                    to: TicketStatus::Open,
                },
                Some(sender.id),
                Channel::Email,
                now,
            ));
        }
        let change = pipeline::change(self.app, settings, ticket, after, events).await?;
        Ok(Filing::Change(Box::new(change)))
    }

    async fn bounce(
        &self,
        message: &InboundMessage,
        mailbox: Option<&Mailbox>,
        report: &ferrodesk_channels::email::DeliveryReport,
        options: IntakeOptions,
    ) -> Result<Result<IntakeOutcome, Hold>, AppError> {
        let db = self.app.db();
        let bounced = match &report.original_message_id {
            Some(id) => db.find_thread(&[id.as_str().to_owned()]).await?,
            None => None,
        };
        let Some(ticket_id) = bounced else {
            return Ok(Err(hold(
                "unknown_bounce",
                "a delivery report for a message the desk did not send",
            )));
        };
        let ticket = db.get_ticket(ticket_id).await?;
        let now = self.app.now();
        let mut lines = vec![if report.is_permanent_failure() {
            "Mail to the requester could not be delivered.".to_owned()
        } else {
            "Mail delivery to the requester is delayed.".to_owned()
        }];
        for recipient in &report.recipients {
            lines.push(format!(
                "{}: {}{}{}",
                recipient.final_recipient,
                recipient.action.as_str(),
                recipient
                    .status
                    .as_deref()
                    .map(|s| format!(" ({s})"))
                    .unwrap_or_default(),
                recipient
                    .diagnostic_code
                    .as_deref()
                    .map(|d| format!(": {d}"))
                    .unwrap_or_default(),
            ));
        }
        if let Some(mta) = &report.reporting_mta {
            lines.push(format!("Reported by {mta}."));
        }
        let mut note = NewEvent::new(
            EventKind::Note {
                body: cut(&lines.join("\n"), MAX_BODY_CHARS),
            },
            None,
            Channel::Email,
            now,
        );
        note.visibility = Visibility::Internal;
        let mut after = ticket.clone();
        after.updated_at = now;
        let record = InboundRecord {
            participants: Vec::new(),
            ..self.record(message, mailbox, false, &[])
        };
        let filed = db
            .file_inbound(InboundFiling {
                record,
                filing: Filing::Change(Box::new(TicketChange::new(ticket, after, vec![note]))),
                retry_of: options.retry_of,
                // A bounce only notes the failed delivery: nothing on the ticket is
                // routed, like a staff note added in the desk.
                settings_version: None,
            })
            .await?;
        Ok(Ok(match filed {
            Filed::Stored(ticket) => IntakeOutcome::Filed {
                ticket,
                kind: FiledAs::Bounce,
                may_auto_reply: false,
            },
            Filed::Duplicate(ticket) => IntakeOutcome::Duplicate { ticket },
        }))
    }
}

/// Whether `address` is `mine` or a plus-address of it.
pub(crate) fn same_mailbox(mine: &EmailAddress, address: &EmailAddress) -> bool {
    let Some((local, domain)) = address.as_str().rsplit_once('@') else {
        return false;
    };
    let base = local.split_once('+').map_or(local, |(b, _)| b);
    let Some((my_local, my_domain)) = mine.as_str().rsplit_once('@') else {
        return false;
    };
    my_domain.eq_ignore_ascii_case(domain) && my_local.eq_ignore_ascii_case(base)
}
