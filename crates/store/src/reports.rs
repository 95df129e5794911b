//! Reading the report rollups: per-day sums of tickets created, first answered,
//! resolved and reopened, kept up to date by every ticket write.

use async_trait::async_trait;
use ferrodesk_domain::GroupId;
use serde::{Deserialize, Serialize};

use crate::StoreResult;

/// What one report row is broken down by, besides the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportDimension {
    /// Only by day.
    #[default]
    None,
    /// By the group working the ticket when it happened (created in, resolved in).
    Group,
    /// By the assignee when it happened (`0` for creations and unassigned tickets).
    Agent,
    /// By the channel the ticket came in by.
    Channel,
    /// By priority rank (1 = p1).
    Priority,
    /// By category (`0` for none).
    Category,
}

/// Which rollups to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportQuery {
    /// First UTC day (days since the Unix epoch), inclusive.
    pub first_day: i64,
    /// Last UTC day, inclusive.
    pub last_day: i64,
    /// Only these groups, when given (an agent's report covers their own groups).
    pub groups: Option<Vec<GroupId>>,
    /// The breakdown.
    pub by: ReportDimension,
}

/// One day's sums for one value of the breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportDay {
    /// UTC day since the Unix epoch.
    pub day: i64,
    /// The breakdown's value as text (a group or user id, a channel, a priority rank, a
    /// category id; `0` for "none"), or `0` without a breakdown.
    pub dimension: String,
    /// Tickets created.
    pub created: i64,
    /// Tickets that got their first response.
    pub first_responses: i64,
    /// Seconds from creation to first response, summed over those.
    pub first_response_seconds: i64,
    /// Tickets resolved.
    pub resolved: i64,
    /// Seconds from creation to resolution, summed over those.
    pub resolution_seconds: i64,
    /// Resolved tickets opened again.
    pub reopened: i64,
}

/// Reading report rollups.
#[async_trait]
pub trait ReportStore: Send + Sync {
    /// The rollup sums per day and breakdown value, ordered by day then value.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn report_days(&self, query: &ReportQuery) -> StoreResult<Vec<ReportDay>>;
}
