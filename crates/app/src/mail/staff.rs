//! Mail to staff: a notification their preferences mail at once, and the digest that
//! gathers their unread notifications of mailed kinds (see
//! `ferrodesk_domain::notify::Preferences`). Both go through the outbox like mail to
//! requesters, but are not part of a ticket's conversation: no ticket tag in the
//! subject, no place in the ticket's mail thread, and a link to the ticket in the desk
//! instead of an invitation to answer by mail.
//!
//! A message is rendered when it is delivered, so it is skipped when that person can
//! no longer receive it: a deactivated account, a person who is no longer staff, or a
//! ticket they may no longer see.

use ferrodesk_channels::email::{
    AutoSubmitted, Mailbox as MailboxAddress, OutboundMessage, new_message_id,
};
use ferrodesk_domain::{TicketId, User, UserId};
use ferrodesk_store::mail::RenderedMail;
use ferrodesk_store::{Notification, NotificationId, StoreError};
use jiff::Timestamp;

use super::notify::{Notifications, domain_of, rendered};
use super::templates::{StaffWords, fill, staff_words, words};
use crate::AppError;
use crate::directory::staff_actor;

/// Notifications listed in one digest at most; the rest wait in the bell.
const DIGEST_ITEMS: i64 = 50;

/// The message for a row, or why nobody is mailed.
type Rendered = Result<RenderedMail, String>;

impl Notifications<'_> {
    /// Queues the digests that are due in the outbox; returns how many.
    ///
    /// # Errors
    /// `Unavailable`.
    pub async fn queue_digests(&self) -> Result<u64, AppError> {
        Ok(self.app.db().queue_digests(self.app.now()).await?)
    }

    /// One notification, mailed to its person.
    pub(super) async fn render_notification(
        &self,
        id: NotificationId,
    ) -> Result<Rendered, AppError> {
        let db = self.app.db();
        let notification = match db.get_notification(id).await {
            Ok(notification) => notification,
            Err(StoreError::NotFound { .. }) => {
                return Ok(Err("the notification no longer exists".to_owned()));
            }
            Err(other) => return Err(other.into()),
        };
        let person = db.get_user(notification.user_id).await?;
        if let Err(reason) = receives_mail(&person) {
            return Ok(Err(reason));
        }
        if let Some(ticket_id) = notification.ticket_id
            && !self.may_see(&person, ticket_id).await?
        {
            return Ok(Err("the person may no longer see the ticket".to_owned()));
        }
        let staff = staff_words(&person.locale);
        let mut text = format!(
            "{}\n\n{}\n",
            fill(words(&person.locale).greeting, &[("name", &person.name)]),
            notification.message
        );
        if let Some(ticket_id) = notification.ticket_id {
            text.push_str(&format!(
                "\n{}\n{}\n",
                staff.open_ticket,
                self.ticket_url(ticket_id)
            ));
        }
        let subject = notification.message.clone();
        let headers = vec![(
            "X-Ferrodesk-Notification".to_owned(),
            notification.kind.as_str().to_owned(),
        )];
        self.compose(
            &person,
            notification.ticket_id,
            subject,
            text,
            staff,
            headers,
        )
        .await
    }

    /// A person's digest of their unread notifications made in `[since, until)`.
    pub(super) async fn render_digest(
        &self,
        user_id: UserId,
        since: Option<Timestamp>,
        until: Timestamp,
    ) -> Result<Rendered, AppError> {
        let db = self.app.db();
        let person = db.get_user(user_id).await?;
        if let Err(reason) = receives_mail(&person) {
            return Ok(Err(reason));
        }
        let preferences = self.app.settings().await?.preferences(user_id);
        let unread: Vec<Notification> = db
            .list_unread_between(user_id, since, until, DIGEST_ITEMS)
            .await?
            .into_iter()
            .filter(|n| preferences.in_digest(n.kind))
            .collect();
        let about: Vec<TicketId> = unread.iter().filter_map(|n| n.ticket_id).collect();
        let visible = self.visible_of(&person, &about).await?;
        let gathered: Vec<Notification> = unread
            .into_iter()
            .filter(|n| n.ticket_id.is_none_or(|t| visible.contains(&t)))
            .collect();
        if gathered.is_empty() {
            return Ok(Err("nothing unread to gather in the digest".to_owned()));
        }
        let staff = staff_words(&person.locale);
        let count = gathered.len().to_string();
        let mut text = format!(
            "{}\n\n{}\n",
            fill(words(&person.locale).greeting, &[("name", &person.name)]),
            staff.digest_intro
        );
        for notification in &gathered {
            text.push_str(&format!("\n- {}\n", notification.message));
            if let Some(ticket_id) = notification.ticket_id {
                text.push_str(&format!("  {}\n", self.ticket_url(ticket_id)));
            }
        }
        let subject = fill(staff.digest_subject, &[("count", &count)]);
        let headers = vec![("X-Ferrodesk-Notification".to_owned(), "digest".to_owned())];
        self.compose(&person, None, subject, text, staff, headers)
            .await
    }

    /// Whether `person` may see the ticket now (a ticket gone: no).
    async fn may_see(&self, person: &User, ticket_id: TicketId) -> Result<bool, AppError> {
        Ok(self
            .visible_of(person, &[ticket_id])
            .await?
            .contains(&ticket_id))
    }

    /// Which of `tickets` `person` may see now, read in one query.
    async fn visible_of(
        &self,
        person: &User,
        tickets: &[TicketId],
    ) -> Result<Vec<TicketId>, AppError> {
        let actor = staff_actor(person);
        Ok(self
            .app
            .db()
            .get_tickets(tickets)
            .await?
            .into_iter()
            .filter(|ticket| actor.can_view(ticket))
            .map(|ticket| ticket.id)
            .collect())
    }

    fn ticket_url(&self, ticket_id: TicketId) -> String {
        format!(
            "{}/agent/tickets/{}",
            self.config.public_url.trim_end_matches('/'),
            ticket_id.get()
        )
    }

    /// The message from the desk's mailbox to `person`, with the preferences footer.
    async fn compose(
        &self,
        person: &User,
        ticket_id: Option<TicketId>,
        subject: String,
        mut text: String,
        staff: &StaffWords,
        mut headers: Vec<(String, String)>,
    ) -> Result<Rendered, AppError> {
        let desk = self.app.desk_mail().await?;
        let Some(mailbox) = desk.default_mailbox() else {
            return Ok(Err(
                "no mailbox is configured, so the desk has no address to send from".to_owned(),
            ));
        };
        let public_url = self.config.public_url.trim_end_matches('/');
        text.push_str(&format!(
            "\n--\n{}\n{}\n{public_url}/agent/notifications/preferences\n",
            self.config.desk_name, staff.preferences
        ));
        let message_id = new_message_id(ticket_id, domain_of(&mailbox.address))?;
        if let Some(ticket_id) = ticket_id {
            headers.push(("X-Ferrodesk-Ticket".to_owned(), ticket_id.display_number()));
        }
        let outbound = OutboundMessage {
            from: MailboxAddress::with_name(self.config.desk_name.clone(), mailbox.address.clone()),
            to: vec![MailboxAddress::with_name(
                person.name.clone(),
                person.email.clone(),
            )],
            cc: Vec::new(),
            reply_to: None,
            subject,
            text,
            html: None,
            message_id,
            in_reply_to: None,
            references: Vec::new(),
            auto_submitted: Some(AutoSubmitted::AutoGenerated),
            date: self.app.now(),
            headers,
        };
        Ok(Ok(rendered(&outbound, &person.email, &mailbox.address)?))
    }
}

/// Why a person receives no staff mail, if so.
fn receives_mail(person: &User) -> Result<(), String> {
    if !person.is_active {
        return Err("the person's account is deactivated".to_owned());
    }
    if !person.role.is_staff() {
        return Err("the person is no longer staff".to_owned());
    }
    Ok(())
}
