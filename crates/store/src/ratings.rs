//! Storage of satisfaction ratings: one per resolution of a ticket, recorded with its
//! timeline event, and the report over them.

use crate::StoreResult;
use async_trait::async_trait;
use ferrodesk_domain::{GroupId, NewEvent, TicketId, UserId};
use jiff::Timestamp;

/// A satisfaction rating to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRating {
    /// The ticket.
    pub ticket_id: TicketId,
    /// The resolution rated (the ticket's `resolved_at`).
    pub resolved_at: Timestamp,
    /// Who rated (the requester).
    pub requester_id: UserId,
    /// 1 to 5.
    pub score: i64,
    /// What they said.
    pub comment: Option<String>,
    /// The ticket's group when rated.
    pub group_id: Option<GroupId>,
    /// The agent who worked it (assignee, else owner) when rated.
    pub agent_id: Option<UserId>,
    /// The timeline event.
    pub event: NewEvent,
}

/// A stored rating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rating {
    /// Id.
    pub id: i64,
    /// The ticket.
    pub ticket_id: TicketId,
    /// The resolution rated.
    pub resolved_at: Timestamp,
    /// Who rated.
    pub requester_id: UserId,
    /// 1 to 5.
    pub score: i64,
    /// What they said.
    pub comment: Option<String>,
    /// Group when rated.
    pub group_id: Option<GroupId>,
    /// Agent when rated.
    pub agent_id: Option<UserId>,
    /// When.
    pub created_at: Timestamp,
}

/// How to group ratings in a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RatingGrouping {
    /// One row for the whole period.
    Desk,
    /// One row per group.
    Group,
    /// One row per agent.
    Agent,
}

/// One row of a ratings report.
#[derive(Debug, Clone, PartialEq)]
pub struct RatingSummary {
    /// The group or agent id (`None` for the desk row, or ratings without one).
    pub key: Option<i64>,
    /// How many ratings.
    pub count: i64,
    /// Their average score.
    pub average: f64,
}

/// Satisfaction ratings.
#[async_trait]
pub trait RatingStore: Send + Sync {
    /// Records a rating and appends its event.
    ///
    /// # Errors
    /// `Conflict` when this resolution of the ticket was already rated; `NotFound`.
    async fn create_rating(&self, rating: NewRating) -> StoreResult<Rating>;

    /// The rating of one resolution of a ticket, if given.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn find_rating(
        &self,
        ticket_id: TicketId,
        resolved_at: Timestamp,
    ) -> StoreResult<Option<Rating>>;

    /// Count and average score of the ratings given in `[from, to)`, grouped.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn rating_summary(
        &self,
        from: Timestamp,
        to: Timestamp,
        grouping: RatingGrouping,
    ) -> StoreResult<Vec<RatingSummary>>;
}
