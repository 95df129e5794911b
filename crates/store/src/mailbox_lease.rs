//! Leases on mailboxes: with several nodes, one node at a time reads a mailbox's IMAP
//! folder. A lease is taken for a while and renewed by its holder; a node that stops
//! lets it run out and another takes over. Part of [`crate::Store`].

use async_trait::async_trait;
use jiff::Timestamp;

use crate::StoreResult;
use crate::mail::MailboxId;

/// Storage of mailbox leases; part of [`crate::Store`].
#[async_trait]
pub trait MailboxLeaseStore: Send + Sync {
    /// Takes or renews the lease on a mailbox for `holder` until `until`: granted when
    /// nobody holds it, the lease ran out by `now`, or `holder` already holds it.
    ///
    /// # Errors
    /// `NotFound` for an unknown mailbox.
    async fn lease_mailbox(
        &self,
        id: MailboxId,
        holder: &str,
        now: Timestamp,
        until: Timestamp,
    ) -> StoreResult<bool>;
    /// Gives the lease up, when `holder` holds it.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn release_mailbox(&self, id: MailboxId, holder: &str) -> StoreResult<()>;
}
