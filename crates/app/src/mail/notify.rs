//! Delivering the outbox: claim a due row, render its message once (the receipt, an
//! agent's reply, a status change or the resolution, in the requester's language),
//! store the rendered bytes and their Message-ID, then send them through a
//! [`MailTransport`] with retries and backoff.
//!
//! Who gets mail: staff, about their notifications and in their digests (rendered in
//! `staff.rs`); and the requester, about public events only (the store never queues
//! internal ones). No receipt answers automatic mail or a sender over the rate limit
//! (the intake decided that when it filed the message); nobody is told about what they
//! did themselves (a requester's own reply or reopen); an agent's reply goes out with
//! their name as signature. A rendered message is stored before it is sent, so a retry
//! sends exactly the same bytes with the same Message-ID: a crash between sending and
//! recording can repeat a message, which receivers recognize by its id, but never
//! lose one.

use async_trait::async_trait;
use ferrodesk_channels::email::{
    AutoSubmitted, Mailbox as MailboxAddress, MessageId, OutboundMessage, REPLY_ABOVE_MARKER,
    new_message_id, references_for_reply, tag_subject,
};
use ferrodesk_domain::{EmailAddress, EventId, EventKind, Ticket, TicketId, TicketStatus, User};
use ferrodesk_store::mail::{Outbound, OutboxId, OutboxItem, RenderedMail};
use jiff::{SignedDuration, Timestamp};

use super::MailConfig;
use super::intake::same_mailbox;
use super::templates::{fill, words};
use crate::{App, AppError};

/// How long a claimed row stays with its worker before another may take it.
const LEASE: SignedDuration = SignedDuration::from_mins(5);
/// The first retry's delay; each later one doubles, up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: SignedDuration = SignedDuration::from_secs(30);
/// The longest wait between attempts.
const MAX_BACKOFF: SignedDuration = SignedDuration::from_hours(1);

/// Why a message could not be handed to the mail server.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SendError {
    /// What the server or the connection said.
    pub message: String,
    /// Whether trying again cannot help (a 5xx answer).
    pub is_permanent: bool,
}

/// Something that hands a message to a mail server (SMTP in production).
#[async_trait]
pub trait MailTransport: Send + Sync {
    /// Sends `raw` from `sender` to `recipients` (the envelope).
    ///
    /// # Errors
    /// [`SendError`] when the server refused it or could not be reached.
    async fn send(
        &self,
        sender: &EmailAddress,
        recipients: &[EmailAddress],
        raw: &[u8],
    ) -> Result<(), SendError>;
}

/// What one delivery step did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Sent.
    Sent(OutboxId),
    /// Nobody to tell (the reason says why).
    Skipped(OutboxId, String),
    /// Failed; tried again at the given time.
    Retrying(OutboxId, String, Timestamp),
    /// Failed for good.
    Failed(OutboxId, String),
}

/// The delay before attempt `attempts + 1`: 30 s, 1 min, 2 min, ... up to an hour.
fn backoff(attempts: i64) -> SignedDuration {
    let exponent = u32::try_from(attempts.clamp(0, 16)).unwrap_or(16);
    let factor = 2_i64.saturating_pow(exponent);
    let seconds = FIRST_BACKOFF.as_secs().saturating_mul(factor);
    SignedDuration::from_secs(seconds).min(MAX_BACKOFF)
}

/// The outbox worker's logic; get one from [`App::notifications`].
#[derive(Debug, Clone, Copy)]
pub struct Notifications<'a> {
    pub(crate) app: &'a App,
    pub(crate) config: &'a MailConfig,
}

impl Notifications<'_> {
    /// Delivers the next due message, if any.
    ///
    /// # Errors
    /// `Unavailable` when the database fails (the row is retried after its lease).
    pub async fn deliver_next(
        &self,
        transport: &dyn MailTransport,
    ) -> Result<Option<Delivery>, AppError> {
        let db = self.app.db();
        let now = self.app.now();
        let lease = now.checked_add(LEASE).unwrap_or(now);
        let Some(item) = db.claim_outbox(now, lease).await? else {
            return Ok(None);
        };
        let rendered = match item.rendered.clone() {
            Some(rendered) => rendered,
            None => match self.render(&item).await? {
                Ok(rendered) => {
                    db.render_outbox(item.id, rendered.clone(), now).await?;
                    rendered
                }
                Err(reason) => {
                    db.outbox_skipped(item.id, &reason, now).await?;
                    return Ok(Some(Delivery::Skipped(item.id, reason)));
                }
            },
        };
        let sent = transport
            .send(&rendered.sender, &rendered.recipients, &rendered.raw)
            .await;
        let now = self.app.now();
        Ok(Some(match sent {
            Ok(()) => {
                db.outbox_sent(item.id, now).await?;
                Delivery::Sent(item.id)
            }
            Err(error)
                if error.is_permanent || item.attempts + 1 >= self.config.max_delivery_attempts =>
            {
                db.outbox_failed(item.id, &error.message, None, now).await?;
                tracing::warn!(outbox = item.id.0, error = %error.message, "mail given up");
                Delivery::Failed(item.id, error.message)
            }
            Err(error) => {
                let retry_at = now.checked_add(backoff(item.attempts)).unwrap_or(now);
                db.outbox_failed(item.id, &error.message, Some(retry_at), now)
                    .await?;
                tracing::info!(outbox = item.id.0, error = %error.message, %retry_at, "mail retried later");
                Delivery::Retrying(item.id, error.message, retry_at)
            }
        }))
    }

    /// The message for a row, or why nobody is mailed.
    async fn render(&self, item: &OutboxItem) -> Result<Result<RenderedMail, String>, AppError> {
        match item.about {
            Outbound::Event {
                event_id,
                ticket_id,
            } => self.render_event(event_id, ticket_id).await,
            Outbound::Notification {
                notification_id, ..
            } => self.render_notification(notification_id).await,
            Outbound::Digest {
                user_id,
                since,
                until,
            } => self.render_digest(user_id, since, until).await,
        }
    }

    /// The requester's mail about a ticket event, or why nobody is mailed.
    async fn render_event(
        &self,
        event_id: EventId,
        ticket_id: TicketId,
    ) -> Result<Result<RenderedMail, String>, AppError> {
        let db = self.app.db();
        let event = db.get_event(event_id).await?;
        if matches!(event.kind, EventKind::VendorHandoff { .. }) {
            return self.render_vendor_handoff(&event).await;
        }
        let ticket = db.get_ticket(ticket_id).await?;
        let requester = db.get_user(ticket.requester_id).await?;
        let desk = self.app.desk_mail().await?;
        let Some(mailbox) = desk.default_mailbox() else {
            return Ok(Err(
                "no mailbox is configured, so the desk has no address to send from".to_owned(),
            ));
        };
        let own = desk.own_addresses();
        if !requester.is_active {
            return Ok(Err("the requester's account is deactivated".to_owned()));
        }
        if own.iter().any(|mine| same_mailbox(mine, &requester.email)) {
            return Ok(Err(
                "the requester is one of the desk's own addresses".to_owned()
            ));
        }
        let is_own_act = event.actor_id == Some(requester.id);
        let w = words(&requester.locale);
        let number = ticket.id.display_number();
        let values = [
            ("ticket", number.as_str()),
            ("name", requester.name.as_str()),
        ];
        let (content, signature, auto) = match &event.kind {
            EventKind::Created { .. } => {
                if let Some(inbound) = db.inbound_for_event(event.id).await?
                    && !inbound.may_auto_reply
                {
                    return Ok(Err(
                        "no receipt for automatic mail or a sender over the rate limit".to_owned(),
                    ));
                }
                (
                    fill(w.receipt, &values),
                    None,
                    Some(AutoSubmitted::AutoReplied),
                )
            }
            EventKind::Reply { body } => {
                let Some(actor) = event.actor_id else {
                    return Ok(Err("a reply without an author".to_owned()));
                };
                let agent = db.get_user(actor).await?;
                if !agent.role.is_staff() {
                    return Ok(Err("the requester's side wrote this reply".to_owned()));
                }
                let intro = fill(
                    w.replied,
                    &[("agent", agent.name.as_str()), ("ticket", number.as_str())],
                );
                (format!("{intro}\n\n{body}"), Some(agent), None)
            }
            EventKind::StatusChanged { to, .. } => {
                if is_own_act {
                    return Ok(Err("the requester changed the status themselves".to_owned()));
                }
                let text = if *to == TicketStatus::Resolved {
                    let mut text = fill(w.resolved, &values);
                    // Only while this resolution stands: a reopened ticket gets no link.
                    if let Some(token) = self.app.ratings().link_token(&ticket).await? {
                        text.push_str(&format!(
                            "\n\n{}\n{}/rate/{token}",
                            w.rate,
                            self.config.public_url.trim_end_matches('/')
                        ));
                    }
                    text
                } else {
                    fill(
                        w.status,
                        &[("ticket", number.as_str()), ("status", w.status_name(*to))],
                    )
                };
                (text, None, Some(AutoSubmitted::AutoGenerated))
            }
            other => return Ok(Err(format!("no mail for a {} event", other.name()))),
        };
        let thread = super::vendor::without_vendor_mail(
            self.app,
            ticket.id,
            db.list_thread(ticket.id).await?,
        )
        .await?;
        let ids: Vec<MessageId> = thread
            .iter()
            .filter_map(|m| MessageId::parse(&m.message_id).ok())
            .collect();
        let message_id = new_message_id(Some(ticket.id), domain_of(&mailbox.address))?;
        let text = self.text(&ticket, &requester, &content, signature.as_ref(), w);
        let from =
            MailboxAddress::with_name(self.config.desk_name.clone(), mailbox.address.clone());
        let reply_to = plus_address(&mailbox.address, &ticket)
            .map(|address| MailboxAddress::with_name(self.config.desk_name.clone(), address));
        let outbound = OutboundMessage {
            from,
            to: vec![MailboxAddress::with_name(
                requester.name.clone(),
                requester.email.clone(),
            )],
            cc: Vec::new(),
            reply_to,
            subject: tag_subject(&ticket.subject, ticket.id),
            text,
            html: None,
            message_id: message_id.clone(),
            in_reply_to: ids.last().cloned(),
            references: references_for_reply(&ids),
            auto_submitted: auto,
            date: self.app.now(),
            headers: vec![("X-Ferrodesk-Ticket".to_owned(), number.clone())],
        };
        Ok(Ok(rendered(&outbound, &requester.email, &mailbox.address)?))
    }

    fn text(
        &self,
        ticket: &Ticket,
        requester: &User,
        content: &str,
        agent: Option<&User>,
        w: &super::templates::Words,
    ) -> String {
        let mut text = format!(
            "{REPLY_ABOVE_MARKER}\n\n{}\n\n{content}\n\n{}\n{}/portal/tickets/{}\n\n{}\n",
            fill(w.greeting, &[("name", requester.name.as_str())]),
            w.how_to_answer,
            self.config.public_url.trim_end_matches('/'),
            ticket.id.get(),
            w.regards,
        );
        if let Some(agent) = agent {
            text.push_str(&agent.name);
            text.push('\n');
        }
        text.push_str(&self.config.desk_name);
        text.push('\n');
        text
    }
}

/// The domain of a desk address, for the Message-IDs of the mail it sends.
pub(super) fn domain_of(address: &EmailAddress) -> &str {
    address
        .as_str()
        .rsplit_once('@')
        .map_or("", |(_, domain)| domain)
}

/// `outbound` as bytes, to be sent from `sender` to `recipient` exactly so on every
/// attempt.
///
/// # Errors
/// `Invalid` when the message cannot be written (a header that cannot be encoded).
pub(super) fn rendered(
    outbound: &OutboundMessage,
    recipient: &EmailAddress,
    sender: &EmailAddress,
) -> Result<RenderedMail, AppError> {
    let raw = outbound
        .to_bytes()
        .map_err(|e| AppError::invalid("mail", e.to_string()))?;
    Ok(RenderedMail {
        message_id: outbound.message_id.as_str().to_owned(),
        recipients: vec![recipient.clone()],
        sender: sender.clone(),
        raw,
    })
}

/// `support+10042@desk.example` for `support@desk.example`: answers find their ticket
/// even when a mail client drops `In-Reply-To`.
pub(super) fn plus_address(desk: &EmailAddress, ticket: &Ticket) -> Option<EmailAddress> {
    let (local, domain) = desk.as_str().rsplit_once('@')?;
    EmailAddress::parse(&format!("{local}+{}@{domain}", ticket.id.get())).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff(0), SignedDuration::from_secs(30));
        assert_eq!(backoff(1), SignedDuration::from_secs(60));
        assert_eq!(backoff(3), SignedDuration::from_secs(240));
        assert_eq!(backoff(20), MAX_BACKOFF);
    }
}
