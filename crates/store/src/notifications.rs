//! Storage of in-app notifications to staff.

use crate::{NotificationId, PageRequest, StoreResult};
use async_trait::async_trait;
use ferrodesk_domain::notify::Preferences;
use ferrodesk_domain::{NotificationKind, TicketId, UserId};
use jiff::Timestamp;

/// A notification to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    /// To whom.
    pub user_id: UserId,
    /// About which ticket.
    pub ticket_id: Option<TicketId>,
    /// Why.
    pub kind: NotificationKind,
    /// What.
    pub message: String,
    /// Whether it is also mailed at once (queued in the outbox with it).
    pub mail: bool,
}

/// An in-app notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// Id.
    pub id: NotificationId,
    /// To whom.
    pub user_id: UserId,
    /// About which ticket.
    pub ticket_id: Option<TicketId>,
    /// Why.
    pub kind: NotificationKind,
    /// What.
    pub message: String,
    /// When it was read.
    pub read_at: Option<Timestamp>,
    /// When.
    pub created_at: Timestamp,
}

/// In-app notifications.
#[async_trait]
pub trait NotificationStore: Send + Sync {
    /// Writes notifications.
    ///
    /// # Errors
    /// `NotFound` for an unknown user.
    async fn notify(&self, notes: Vec<NewNotification>, now: Timestamp) -> StoreResult<()>;

    /// A user's notifications, newest first.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_notifications(
        &self,
        user_id: UserId,
        page: &PageRequest,
    ) -> StoreResult<Vec<Notification>>;

    /// One of a user's notifications; `None` when it is not theirs or does not exist.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn find_notification(
        &self,
        user_id: UserId,
        id: NotificationId,
    ) -> StoreResult<Option<Notification>>;

    /// How many of a user's notifications are unread.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn count_unread_notifications(&self, user_id: UserId) -> StoreResult<i64>;

    /// Marks a user's notifications read (all of them when `ids` is empty).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn mark_notifications_read(
        &self,
        user_id: UserId,
        ids: &[NotificationId],
        now: Timestamp,
    ) -> StoreResult<u64>;

    /// Any notification by id (the outbox's renderer reads the one it mails).
    ///
    /// # Errors
    /// `NotFound`; `Unavailable`.
    async fn get_notification(&self, id: NotificationId) -> StoreResult<Notification>;

    /// A person's unread notifications made in `[since, until)`, oldest first, at most
    /// `limit` (a digest's content).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_unread_between(
        &self,
        user_id: UserId,
        since: Option<Timestamp>,
        until: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<Notification>>;

    /// A person's stored preferences (`None`: never chosen, the defaults apply).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn find_notification_preferences(
        &self,
        user_id: UserId,
    ) -> StoreResult<Option<Preferences>>;

    /// Stores a person's preferences; a digest chosen now is first due at `first_due`
    /// (`None`: no digest) and covers what was made since `now`.
    ///
    /// # Errors
    /// `NotFound` for an unknown user; `Unavailable`.
    async fn set_notification_preferences(
        &self,
        user_id: UserId,
        preferences: Preferences,
        first_due: Option<Timestamp>,
        now: Timestamp,
    ) -> StoreResult<()>;

    /// Queues the digests due at `now` in the outbox, one row per person, and moves each
    /// person's next digest one period on; returns how many were queued. Several nodes
    /// may call it at once: each digest is queued once.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn queue_digests(&self, now: Timestamp) -> StoreResult<u64>;
}
