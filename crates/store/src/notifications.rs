//! Storage of in-app notifications to staff.

use crate::{NotificationId, PageRequest, StoreResult};
use async_trait::async_trait;
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
}

/// An in-app notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// Id.
    pub id: NotificationId,
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
}
