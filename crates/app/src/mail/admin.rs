//! What admins do with mail: configure mailboxes, see which keep failing, and work the
//! quarantine (read the reason, download the raw message, retry it, delete it).
//!
//! IMAP passwords go in and never come out: [`MailboxStatus`] tells only whether one
//! is set.

use crate::input::{optional, required};
use crate::mail::{IntakeOptions, IntakeOutcome};
use crate::{App, AppError, OrNotFound as _};
use ferrodesk_domain::{Actor, CategoryId, EmailAddress, GroupId, TicketId};
use ferrodesk_store::mail::{
    AfterImport, ImapAccount, ImapSecurity, Mailbox, MailboxId, MailboxWrite, OutboxEntry,
    QuarantineId, QuarantinedMail, ThreadMessage,
};
use ferrodesk_store::{Conflict, StoreError};
use jiff::Timestamp;

/// The most quarantined messages one listing shows.
pub const MAX_QUARANTINE_LISTING: i64 = 200;

/// A mailbox as an admin enters it.
#[derive(Debug, Clone, Default)]
pub struct MailboxInput {
    /// A name for admins.
    pub name: String,
    /// The desk's address for it.
    pub address: String,
    /// Whether `mail-gateway` files here by default.
    pub is_default: bool,
    /// Group for new tickets.
    pub group_id: Option<GroupId>,
    /// Category for new tickets.
    pub category_id: Option<CategoryId>,
    /// `allow` (default) or `hold`.
    pub unknown_senders: Option<String>,
    /// IMAP server; no IMAP when empty.
    pub imap_host: Option<String>,
    /// IMAP port (993 for TLS, 143 for STARTTLS by default).
    pub imap_port: Option<u16>,
    /// `tls` (default) or `starttls`.
    pub imap_security: Option<String>,
    /// IMAP login.
    pub imap_user: Option<String>,
    /// IMAP password; empty on update keeps the stored one.
    pub imap_password: Option<String>,
    /// Folder (default `INBOX`).
    pub imap_folder: Option<String>,
    /// `flag` (default), `move` or `delete`.
    pub after_import: Option<String>,
    /// Folder for `move`.
    pub move_to: Option<String>,
    /// Whether the poller reads it (default yes).
    pub is_enabled: Option<bool>,
}

/// A mailbox as admins see it: no password, and whether it needs attention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxStatus {
    /// The mailbox (its IMAP password blanked).
    pub mailbox: Mailbox,
    /// Whether an IMAP password is stored.
    pub has_password: bool,
    /// Whether it failed often enough in a row to alert admins.
    pub is_alerting: bool,
}

fn require_admin(actor: &Actor, what: &str) -> Result<(), AppError> {
    if actor.is_admin() {
        Ok(())
    } else {
        Err(AppError::forbidden(format!("only admins may {what}")))
    }
}

/// The admin side of mail; get one from [`App::mail_admin`].
#[derive(Debug, Clone, Copy)]
pub struct MailAdmin<'a> {
    pub(crate) app: &'a App,
}

impl MailAdmin<'_> {
    fn status(&self, mut mailbox: Mailbox) -> MailboxStatus {
        let has_password = mailbox
            .imap
            .as_ref()
            .is_some_and(|imap| !imap.password.is_empty());
        if let Some(imap) = &mut mailbox.imap {
            imap.password.clear();
        }
        let is_alerting = mailbox.is_enabled
            && mailbox.imap.is_some()
            && mailbox.failure_count >= self.app.config().mail.alert_after_failures;
        MailboxStatus {
            mailbox,
            has_password,
            is_alerting,
        }
    }

    async fn write(&self, input: MailboxInput, now: Timestamp) -> Result<MailboxWrite, AppError> {
        let name = required("name", &input.name, 100)?;
        let address = EmailAddress::parse(&input.address)?;
        if let Some(id) = input.group_id {
            self.app
                .db()
                .get_group(id)
                .await
                .or_not_found("group", id)?;
        }
        if let Some(id) = input.category_id {
            self.app
                .db()
                .get_category(id)
                .await
                .or_not_found("category", id)?;
        }
        let allows_unknown_senders = match input.unknown_senders.as_deref() {
            None | Some("allow") => true,
            Some("hold") => false,
            Some(_) => {
                return Err(AppError::invalid(
                    "unknown_senders",
                    "must be 'allow' or 'hold'",
                ));
            }
        };
        let imap = match optional("imap_host", input.imap_host.as_deref(), 255)? {
            None => None,
            Some(host) => {
                let security = match input.imap_security.as_deref() {
                    None => ImapSecurity::Tls,
                    Some(text) => ImapSecurity::parse(text).ok_or_else(|| {
                        AppError::invalid("imap_security", "must be 'tls' or 'starttls'")
                    })?,
                };
                let after_import = match input.after_import.as_deref() {
                    None => AfterImport::Flag,
                    Some(text) => AfterImport::parse(text).ok_or_else(|| {
                        AppError::invalid("after_import", "must be 'flag', 'move' or 'delete'")
                    })?,
                };
                let move_to = optional("move_to", input.move_to.as_deref(), 255)?;
                if after_import == AfterImport::Move && move_to.is_none() {
                    return Err(AppError::invalid(
                        "move_to",
                        "name the folder to move stored messages to",
                    ));
                }
                let port = input.imap_port.unwrap_or(match security {
                    ImapSecurity::Tls => 993,
                    ImapSecurity::StartTls => 143,
                });
                if port == 0 {
                    return Err(AppError::invalid(
                        "imap_port",
                        "must be between 1 and 65535",
                    ));
                }
                Some(ImapAccount {
                    host,
                    port,
                    security,
                    user: required("imap_user", input.imap_user.as_deref().unwrap_or(""), 255)?,
                    password: input.imap_password.unwrap_or_default(),
                    folder: optional("imap_folder", input.imap_folder.as_deref(), 255)?
                        .unwrap_or_else(|| "INBOX".to_owned()),
                    after_import,
                    move_to,
                })
            }
        };
        Ok(MailboxWrite {
            name,
            address,
            is_default: input.is_default,
            group_id: input.group_id,
            category_id: input.category_id,
            allows_unknown_senders,
            imap,
            is_enabled: input.is_enabled.unwrap_or(true),
            now,
        })
    }

    fn taken(error: StoreError) -> AppError {
        match error {
            StoreError::Conflict {
                kind: Conflict::Unique(_),
                ..
            } => AppError::conflict("mailbox_taken", "another mailbox has this name or address"),
            other => other.into(),
        }
    }

    /// Every mailbox, with its alert state.
    ///
    /// # Errors
    /// `Forbidden` for anyone but admins.
    pub async fn mailboxes(&self, actor: &Actor) -> Result<Vec<MailboxStatus>, AppError> {
        require_admin(actor, "see mailboxes")?;
        let mailboxes = self.app.db().list_mailboxes().await?;
        Ok(mailboxes.into_iter().map(|m| self.status(m)).collect())
    }

    /// One mailbox.
    ///
    /// # Errors
    /// `Forbidden`, `NotFound`.
    pub async fn mailbox(&self, actor: &Actor, id: MailboxId) -> Result<MailboxStatus, AppError> {
        require_admin(actor, "see mailboxes")?;
        let mailbox = self
            .app
            .db()
            .get_mailbox(id)
            .await
            .or_not_found("mailbox", id.0)?;
        Ok(self.status(mailbox))
    }

    /// Creates a mailbox. A new IMAP mailbox needs a password.
    ///
    /// # Errors
    /// `Forbidden`, `Invalid`, `NotFound` (group, category), `Conflict`
    /// (`mailbox_taken`).
    pub async fn create_mailbox(
        &self,
        actor: &Actor,
        input: MailboxInput,
    ) -> Result<MailboxStatus, AppError> {
        require_admin(actor, "configure mailboxes")?;
        let write = self.write(input, self.app.now()).await?;
        if write.imap.as_ref().is_some_and(|i| i.password.is_empty()) {
            return Err(AppError::invalid(
                "imap_password",
                "an IMAP mailbox needs a password",
            ));
        }
        let created = self
            .app
            .db()
            .create_mailbox(write)
            .await
            .map_err(Self::taken)?;
        Ok(self.status(created))
    }

    /// Replaces a mailbox's settings; a blank password keeps the stored one.
    ///
    /// # Errors
    /// `Forbidden`, `Invalid`, `NotFound`, `Conflict` (`mailbox_taken`).
    pub async fn update_mailbox(
        &self,
        actor: &Actor,
        id: MailboxId,
        input: MailboxInput,
    ) -> Result<MailboxStatus, AppError> {
        require_admin(actor, "configure mailboxes")?;
        let write = self.write(input, self.app.now()).await?;
        let updated =
            self.app
                .db()
                .update_mailbox(id, write)
                .await
                .map_err(|error| match error {
                    StoreError::NotFound { .. } => AppError::not_found("mailbox", id.0),
                    other => Self::taken(other),
                })?;
        Ok(self.status(updated))
    }

    /// Deletes a mailbox (its filed mail stays on its tickets).
    ///
    /// # Errors
    /// `Forbidden`, `NotFound`.
    pub async fn delete_mailbox(&self, actor: &Actor, id: MailboxId) -> Result<(), AppError> {
        require_admin(actor, "configure mailboxes")?;
        self.app
            .db()
            .delete_mailbox(id)
            .await
            .or_not_found("mailbox", id.0)
    }

    /// The newest quarantined messages.
    ///
    /// # Errors
    /// `Forbidden`.
    pub async fn quarantine(&self, actor: &Actor) -> Result<Vec<QuarantinedMail>, AppError> {
        require_admin(actor, "see quarantined mail")?;
        Ok(self
            .app
            .db()
            .list_quarantine(MAX_QUARANTINE_LISTING)
            .await?)
    }

    /// One quarantined message with its raw bytes.
    ///
    /// # Errors
    /// `Forbidden`, `NotFound`.
    pub async fn quarantined(
        &self,
        actor: &Actor,
        id: QuarantineId,
    ) -> Result<(QuarantinedMail, Vec<u8>), AppError> {
        require_admin(actor, "read quarantined mail")?;
        self.app
            .db()
            .get_quarantined(id)
            .await
            .or_not_found("quarantined_message", id.0)
    }

    /// Files a quarantined message again, accepting an unknown sender (an admin looked
    /// at it). When it files, the quarantined copy is removed in the same transaction;
    /// when it is held again, the old copy is removed and the new one keeps the reason.
    ///
    /// # Errors
    /// `Forbidden`, `NotFound`.
    pub async fn retry(&self, actor: &Actor, id: QuarantineId) -> Result<IntakeOutcome, AppError> {
        let (held, raw) = self.quarantined(actor, id).await?;
        let outcome = self
            .app
            .mail_intake()
            .file(
                &raw,
                IntakeOptions {
                    mailbox: held.mailbox_id,
                    retry_of: Some(id),
                    allow_unknown_sender: true,
                },
            )
            .await?;
        if !matches!(outcome, IntakeOutcome::Filed { .. }) {
            // Held again (with a fresh reason) or already filed: the old copy goes.
            match self.app.db().delete_quarantined(id).await {
                Ok(()) | Err(StoreError::NotFound { .. }) => {}
                Err(error) => return Err(error.into()),
            }
        }
        Ok(outcome)
    }

    /// Deletes a quarantined message.
    ///
    /// # Errors
    /// `Forbidden`, `NotFound`.
    pub async fn delete_quarantined(
        &self,
        actor: &Actor,
        id: QuarantineId,
    ) -> Result<(), AppError> {
        require_admin(actor, "delete quarantined mail")?;
        self.app
            .db()
            .delete_quarantined(id)
            .await
            .or_not_found("quarantined_message", id.0)
    }

    /// A ticket's mail thread (staff who may see the ticket).
    ///
    /// # Errors
    /// `NotFound` when the actor may not see the ticket; `Forbidden` for customers.
    pub async fn thread(
        &self,
        actor: &Actor,
        ticket: TicketId,
    ) -> Result<Vec<ThreadMessage>, AppError> {
        if !actor.is_staff() {
            return Err(AppError::forbidden("only staff may read mail threads"));
        }
        self.app.tickets().get(actor, ticket).await?;
        Ok(self.app.db().list_thread(ticket).await?)
    }

    /// A ticket's outbound mail and its delivery state (staff who may see the ticket).
    ///
    /// # Errors
    /// `NotFound`, `Forbidden`.
    pub async fn outbox(
        &self,
        actor: &Actor,
        ticket: TicketId,
    ) -> Result<Vec<OutboxEntry>, AppError> {
        if !actor.is_staff() {
            return Err(AppError::forbidden("only staff may read outbound mail"));
        }
        self.app.tickets().get(actor, ticket).await?;
        Ok(self.app.db().list_outbox(ticket).await?)
    }
}
