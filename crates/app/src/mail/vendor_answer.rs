//! A vendor's answer to a hand-off, recognised by the intake: the message names a
//! ticket with a case (by `In-Reply-To`/`References` of the hand-off mail, the ticket
//! tag or plus-address), or carries a case reference in its subject (`V-10042-1`), and
//! comes from the vendor's address or domain ([`Vendor::sent`]).
//!
//! It is filed in one write through the pipeline: an internal `vendor_message` event
//! (which marks the case answered in the same transaction), the ticket back to `open`
//! when it waited on the vendor (its SLA clock resumes), and an in-app notification to
//! the assignee, or to the group while nobody is assigned. The vendor does not become
//! a participant of the ticket's thread, and nothing of it is mailed to the requester.
//!
//! [`Vendor::sent`]: ferrodesk_domain::Vendor::sent

use super::intake::{FiledAs, Intake, IntakeOptions, IntakeOutcome};
use crate::AppError;
use crate::ticket::pipeline;
use ferrodesk_channels::email::InboundMessage;
use ferrodesk_domain::{
    Channel, EventKind, NewEvent, Ticket, TicketStatus, VendorReference, Visibility,
};
use ferrodesk_store::mail::{Filed, Filing, InboundFiling, InboundRecord, Mailbox};
use ferrodesk_store::{DeskSettings, VendorThread};

/// The case a message from `from` answers among `threads`: the one its subject names,
/// else the newest unanswered, else the newest; only cases of the sender's vendor.
fn answered_case(
    threads: Vec<VendorThread>,
    reference: Option<VendorReference>,
    from: &ferrodesk_domain::EmailAddress,
) -> Option<VendorThread> {
    let mut theirs: Vec<VendorThread> = threads
        .into_iter()
        .filter(|t| t.vendor.sent(from))
        .collect();
    let named = reference.map(|r| r.to_string());
    if let Some(position) = theirs
        .iter()
        .position(|t| Some(&t.case.reference) == named.as_ref())
    {
        return Some(theirs.swap_remove(position));
    }
    // The store lists the newest case first.
    match theirs.iter().position(|t| t.case.is_open()) {
        Some(position) => Some(theirs.swap_remove(position)),
        None => theirs.into_iter().next(),
    }
}

impl Intake<'_> {
    /// Files `message` as a vendor's answer when it is one; `None` lets the intake
    /// go on. Mail that names no ticket and carries no reference, or that comes from
    /// the requester of the ticket it names or from staff (`not_a_vendor`), costs no
    /// read.
    ///
    /// # Errors
    /// `Unavailable`; what the pipeline returns.
    pub(super) async fn vendor_answer(
        &self,
        settings: &DeskSettings,
        mailbox: Option<&Mailbox>,
        message: &InboundMessage,
        target: Option<&Ticket>,
        not_a_vendor: bool,
        options: IntakeOptions,
    ) -> Result<Option<IntakeOutcome>, AppError> {
        let reference = VendorReference::find_in(&message.subject);
        if not_a_vendor || (target.is_none() && reference.is_none()) {
            return Ok(None);
        }
        let db = self.app.db();
        let threads = db
            .find_vendor_threads(target.map(|t| t.id), reference.map(|r| r.to_string()))
            .await?;
        let Some(thread) = answered_case(threads, reference, &message.from.address) else {
            return Ok(None);
        };
        let ticket = match target {
            Some(ticket) if ticket.id == thread.case.ticket_id => ticket.clone(),
            _ => db.get_ticket(thread.case.ticket_id).await?,
        };
        if ticket.status == TicketStatus::Closed {
            // A closed ticket takes no change; the answer is handled as any mail.
            return Ok(None);
        }
        let now = self.app.now();
        let mut after = ticket.clone();
        after.updated_at = now;
        let mut answer = NewEvent::new(
            EventKind::VendorMessage {
                vendor_id: thread.vendor.id,
                vendor_name: thread.vendor.name.clone(),
                reference: thread.case.reference.clone(),
                body: Self::body(message),
            },
            None,
            Channel::Email,
            now,
        );
        answer.visibility = Visibility::Internal;
        let mut events = vec![answer];
        if ticket.status == TicketStatus::PendingVendor
            && after.transition(TicketStatus::Open, now).is_ok()
        {
            let mut reopened = NewEvent::new(
                EventKind::StatusChanged {
                    from: TicketStatus::PendingVendor,
                    to: TicketStatus::Open,
                },
                None,
                Channel::Email,
                now,
            );
            // Nothing the vendor's mail causes is mailed to the requester.
            reopened.visibility = Visibility::Internal;
            events.push(reopened);
        }
        let change = pipeline::change(self.app, settings, ticket, after, events).await?;
        let mut filing = Filing::Change(Box::new(change));
        super::files::attach(&mut filing, self.store_files(message).await?);
        let record = InboundRecord {
            participants: Vec::new(),
            now,
            ..self.record(message, mailbox, false, &[])
        };
        let filed = db
            .file_inbound(InboundFiling {
                record,
                filing,
                retry_of: options.retry_of,
                settings_version: Some(settings.version),
            })
            .await?;
        Ok(Some(match filed {
            Filed::Stored(ticket) => IntakeOutcome::Filed {
                ticket,
                kind: FiledAs::VendorAnswer,
                may_auto_reply: false,
            },
            Filed::Duplicate(ticket) => IntakeOutcome::Duplicate { ticket },
        }))
    }
}
