//! [`MailStore`] for the backend, in terms of `reader()` and `write()` (see [`super::store`]).

use crate::sql::mail;
use crate::{Backend, Op};
use async_trait::async_trait;
use ferrodesk_domain::{EmailAddress, EventId, TicketId};
use ferrodesk_store::StoreResult;
use ferrodesk_store::mail::{
    Filed, Filing, InboundFiling, MailStore, Mailbox, MailboxId, MailboxWrite, NewQuarantine,
    OutboxEntry, OutboxId, OutboxItem, QuarantineId, QuarantinedMail, RenderedMail, ThreadMessage,
};
use jiff::Timestamp;

#[async_trait]
impl MailStore for Backend {
    async fn file_inbound(&self, filing: InboundFiling) -> StoreResult<Filed> {
        let op: Op<InboundFiling, Filed> = |c, filing| Box::pin(mail::file_inbound(c, filing));
        // A retried quarantine and a follow-up (it links two tickets) are filed alone.
        let alone = filing.retry_of.is_some()
            || matches!(&filing.filing, Filing::NewTicket(new) if !new.links.is_empty());
        if alone {
            return self.write(filing, op).await;
        }
        self.write_joinable(filing, op, |c, filings| {
            Box::pin(mail::file_inbound_all(c, filings))
        })
        .await
    }

    async fn find_inbound(&self, message_id: &str) -> StoreResult<Option<TicketId>> {
        mail::find_inbound(&mut *self.reader().await?, message_id).await
    }

    async fn find_thread(&self, message_ids: &[String]) -> StoreResult<Option<TicketId>> {
        mail::find_thread(&mut *self.reader().await?, message_ids).await
    }

    async fn is_participant(&self, ticket: TicketId, email: &EmailAddress) -> StoreResult<bool> {
        mail::is_participant(&mut *self.reader().await?, ticket, email).await
    }

    async fn count_inbound_since(
        &self,
        sender: &EmailAddress,
        since: Timestamp,
        cap: i64,
    ) -> StoreResult<i64> {
        mail::count_inbound_since(&mut *self.reader().await?, sender, since, cap).await
    }

    async fn list_thread(&self, ticket: TicketId) -> StoreResult<Vec<ThreadMessage>> {
        mail::list_thread(&mut *self.reader().await?, ticket).await
    }

    async fn inbound_for_event(&self, event: EventId) -> StoreResult<Option<ThreadMessage>> {
        mail::inbound_for_event(&mut *self.reader().await?, event).await
    }

    async fn quarantine(&self, new: NewQuarantine) -> StoreResult<QuarantinedMail> {
        self.write(new, |c, new| Box::pin(mail::quarantine(c, new)))
            .await
    }

    async fn list_quarantine(&self, limit: i64) -> StoreResult<Vec<QuarantinedMail>> {
        mail::list_quarantine(&mut *self.reader().await?, limit).await
    }

    async fn get_quarantined(&self, id: QuarantineId) -> StoreResult<(QuarantinedMail, Vec<u8>)> {
        mail::get_quarantined(&mut *self.reader().await?, id).await
    }

    async fn delete_quarantined(&self, id: QuarantineId) -> StoreResult<()> {
        self.write(id, |c, id| Box::pin(mail::delete_quarantined(c, id)))
            .await
    }

    async fn create_mailbox(&self, mailbox: MailboxWrite) -> StoreResult<Mailbox> {
        self.write(mailbox, |c, mailbox| {
            Box::pin(mail::create_mailbox(c, mailbox))
        })
        .await
    }

    async fn update_mailbox(&self, id: MailboxId, mailbox: MailboxWrite) -> StoreResult<Mailbox> {
        self.write((id, mailbox), |c, input| {
            Box::pin(mail::update_mailbox(c, input))
        })
        .await
    }

    async fn get_mailbox(&self, id: MailboxId) -> StoreResult<Mailbox> {
        mail::get_mailbox(&mut *self.reader().await?, id).await
    }

    async fn list_mailboxes(&self) -> StoreResult<Vec<Mailbox>> {
        mail::list_mailboxes(&mut *self.reader().await?).await
    }

    async fn delete_mailbox(&self, id: MailboxId) -> StoreResult<()> {
        self.write(id, |c, id| Box::pin(mail::delete_mailbox(c, id)))
            .await
    }

    async fn record_mailbox_progress(
        &self,
        id: MailboxId,
        uid_validity: u32,
        last_uid: u32,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.write((id, uid_validity, last_uid, now), |c, input| {
            Box::pin(mail::record_mailbox_progress(c, input))
        })
        .await
    }

    async fn record_mailbox_failure(
        &self,
        id: MailboxId,
        error: &str,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.write((id, error.to_owned(), now), |c, input| {
            Box::pin(mail::record_mailbox_failure(c, input))
        })
        .await
    }

    async fn claim_outbox(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> StoreResult<Option<OutboxItem>> {
        self.write((now, lease_until), |c, (now, lease)| {
            Box::pin(mail::claim_outbox(c, now, lease))
        })
        .await
    }

    async fn render_outbox(
        &self,
        id: OutboxId,
        rendered: RenderedMail,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.write((id, rendered, now), |c, input| {
            Box::pin(mail::render_outbox(c, input))
        })
        .await
    }

    async fn outbox_sent(&self, id: OutboxId, now: Timestamp) -> StoreResult<()> {
        self.write((id, now), |c, input| Box::pin(mail::outbox_sent(c, input)))
            .await
    }

    async fn outbox_skipped(&self, id: OutboxId, reason: &str, now: Timestamp) -> StoreResult<()> {
        self.write((id, reason.to_owned(), now), |c, input| {
            Box::pin(mail::outbox_skipped(c, input))
        })
        .await
    }

    async fn outbox_failed(
        &self,
        id: OutboxId,
        error: &str,
        retry_at: Option<Timestamp>,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.write((id, error.to_owned(), retry_at, now), |c, input| {
            Box::pin(mail::outbox_failed(c, input))
        })
        .await
    }

    async fn list_outbox(&self, ticket: TicketId) -> StoreResult<Vec<OutboxEntry>> {
        mail::list_outbox(&mut *self.reader().await?, ticket).await
    }
}
