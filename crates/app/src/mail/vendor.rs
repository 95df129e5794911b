//! The mail a hand-off sends to the vendor: from the desk's mailbox to the vendor's
//! contact, the reference and the ticket's tag in the subject, the agent's message and
//! the ticket's subject in the text, answers to a plus-address of the ticket. Its
//! Message-ID is recorded in the ticket's mail thread like every outbound message, so
//! the vendor's answer threads back (`mail/vendor_answer.rs`). The requester is never
//! on it: this is the one mail an internal event sends, and it goes to the vendor only;
//! and the requester's own mail never names a message exchanged with a vendor
//! ([`without_vendor_mail`]).

use ferrodesk_channels::email::{
    Mailbox as MailboxAddress, OutboundMessage, new_message_id, tag_subject,
};
use ferrodesk_domain::{EmailAddress, Event, EventKind, Ticket, TicketId};
use ferrodesk_store::mail::{RenderedMail, ThreadMessage};

use super::notify::{Notifications, domain_of, plus_address, rendered};
use crate::{App, AppError};

/// The ticket's mail thread without the mail exchanged with its vendors, for mail to
/// the requester: its `In-Reply-To` and `References` never name a vendor's message (nor
/// its domain). One indexed read of the ticket's vendors.
///
/// # Errors
/// `Unavailable`.
pub(super) async fn without_vendor_mail(
    app: &App,
    ticket: TicketId,
    thread: Vec<ThreadMessage>,
) -> Result<Vec<ThreadMessage>, AppError> {
    let vendors = app.db().find_vendor_threads(Some(ticket), None).await?;
    if vendors.is_empty() {
        return Ok(thread);
    }
    let is_vendors = |message: &ThreadMessage| {
        message
            .sender
            .split(", ")
            .filter_map(|address| EmailAddress::parse(address).ok())
            .any(|address| vendors.iter().any(|t| t.vendor.sent(&address)))
    };
    Ok(thread.into_iter().filter(|m| !is_vendors(m)).collect())
}

impl Notifications<'_> {
    /// The mail to the vendor for a `vendor_handoff` event, or why none is sent.
    pub(super) async fn render_vendor_handoff(
        &self,
        event: &Event,
    ) -> Result<Result<RenderedMail, String>, AppError> {
        let EventKind::VendorHandoff {
            vendor_id,
            reference,
            message,
            ..
        } = &event.kind
        else {
            return Ok(Err(format!(
                "no vendor mail for a {} event",
                event.kind.name()
            )));
        };
        let db = self.app.db();
        let ticket = db.get_ticket(event.ticket_id).await?;
        let vendor = db.get_vendor(*vendor_id).await?;
        let desk = self.app.desk_mail().await?;
        let Some(mailbox) = desk.default_mailbox() else {
            return Ok(Err(
                "no mailbox is configured, so the desk has no address to send from".to_owned(),
            ));
        };
        let agent = match event.actor_id {
            Some(id) => Some(db.get_user(id).await?.name),
            None => None,
        };
        let message_id = new_message_id(Some(ticket.id), domain_of(&mailbox.address))?;
        let desk_name = self.config.desk_name.clone();
        let outbound = OutboundMessage {
            from: MailboxAddress::with_name(desk_name.clone(), mailbox.address.clone()),
            to: vec![MailboxAddress::with_name(
                vendor.name.clone(),
                vendor.email.clone(),
            )],
            cc: Vec::new(),
            reply_to: plus_address(&mailbox.address, &ticket)
                .map(|address| MailboxAddress::with_name(desk_name.clone(), address)),
            subject: tag_subject(&format!("[{reference}] {}", ticket.subject), ticket.id),
            text: self.vendor_text(&ticket, &vendor, reference, message, agent.as_deref()),
            html: None,
            message_id,
            in_reply_to: None,
            references: Vec::new(),
            auto_submitted: None,
            date: self.app.now(),
            headers: vec![
                ("X-Ferrodesk-Ticket".to_owned(), ticket.id.display_number()),
                ("X-Ferrodesk-Vendor-Case".to_owned(), reference.clone()),
            ],
        };
        Ok(Ok(rendered(&outbound, &vendor.email, &mailbox.address)?))
    }

    fn vendor_text(
        &self,
        ticket: &Ticket,
        vendor: &ferrodesk_domain::Vendor,
        reference: &str,
        message: &str,
        agent: Option<&str>,
    ) -> String {
        let contract = vendor
            .contract_ref
            .as_deref()
            .map(|c| format!("Our contract: {c}\n"))
            .unwrap_or_default();
        let mut text = format!(
            "Hello {},\n\n{message}\n\nOur ticket: {} {}\nYour case reference: {reference}\n{contract}\
             Please answer by replying to this message, keeping {reference} in the subject.\n\n\
             Regards,\n",
            vendor.name,
            ticket.id.display_number(),
            ticket.subject,
        );
        if let Some(agent) = agent {
            text.push_str(agent);
            text.push('\n');
        }
        text.push_str(&self.config.desk_name);
        text.push('\n');
        text
    }
}
