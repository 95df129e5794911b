//! Storage of how new tickets find their way: routing rules, the desk settings they are
//! checked against, agents' availability, load limits and skills, each group's
//! assignment mode and its round-robin turn.

use crate::{RuleId, StoreResult};
use async_trait::async_trait;
use ferrodesk_domain::{CategoryId, GroupId, RuleActions, RuleConditions, ServiceId, UserId};
use jiff::Timestamp;

/// A routing rule as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutingRule {
    /// Id.
    pub id: RuleId,
    /// Name; unique.
    pub name: String,
    /// Evaluation order (lower first).
    pub position: i64,
    /// Whether it is evaluated.
    pub is_enabled: bool,
    /// When it applies.
    pub conditions: RuleConditions,
    /// What it does.
    pub actions: RuleActions,
}

/// A routing rule to create or the full new state of one (`id` ignored on create).
pub type RoutingRuleInput = RoutingRule;

/// How a group hands out new tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignmentMode {
    /// Agents take tickets themselves.
    Manual,
    /// In turn, skipping agents who are away, full or lack the skill.
    RoundRobin,
    /// To the available agent with the fewest open tickets.
    LeastLoaded,
}

impl AssignmentMode {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            AssignmentMode::Manual => "manual",
            AssignmentMode::RoundRobin => "round_robin",
            AssignmentMode::LeastLoaded => "least_loaded",
        }
    }

    /// Reads the stored name.
    pub fn parse(text: &str) -> Option<AssignmentMode> {
        match text {
            "manual" => Some(AssignmentMode::Manual),
            "round_robin" => Some(AssignmentMode::RoundRobin),
            "least_loaded" => Some(AssignmentMode::LeastLoaded),
            _ => None,
        }
    }
}

/// An agent's availability, load limit and skills.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AgentSettings {
    /// Away: gets no new tickets.
    pub is_away: bool,
    /// Most open tickets assigned at once (`None`: no limit).
    pub load_limit: Option<i64>,
    /// Categories the agent handles (empty: any).
    pub category_skills: Vec<CategoryId>,
    /// Services the agent handles (empty: any).
    pub service_skills: Vec<ServiceId>,
}

/// A candidate for automatic assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentLoad {
    /// The agent.
    pub user_id: UserId,
    /// Their settings.
    pub settings: AgentSettings,
    /// Open tickets assigned to them.
    pub open_tickets: i64,
}

/// Routing rules, desk settings, agent settings and assignment.
#[async_trait]
pub trait RoutingStore: Send + Sync {
    /// Every routing rule, by position.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_routing_rules(&self) -> StoreResult<Vec<RoutingRule>>;

    /// The desk's routing settings (groups, routing rules, assignment modes,
    /// categories, services) with the version a routed write names.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn desk_settings(&self) -> StoreResult<crate::DeskSettings>;

    /// Creates a routing rule.
    ///
    /// # Errors
    /// `Conflict` when the name is taken.
    async fn create_routing_rule(
        &self,
        rule: RoutingRuleInput,
        now: Timestamp,
    ) -> StoreResult<RoutingRule>;

    /// Replaces a routing rule.
    ///
    /// # Errors
    /// `NotFound`, `Conflict`.
    async fn update_routing_rule(
        &self,
        rule: RoutingRuleInput,
        now: Timestamp,
    ) -> StoreResult<RoutingRule>;

    /// Deletes a routing rule.
    ///
    /// # Errors
    /// `NotFound`.
    async fn delete_routing_rule(&self, id: RuleId) -> StoreResult<()>;

    /// An agent's settings (defaults when never set).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn agent_settings(&self, user_id: UserId) -> StoreResult<AgentSettings>;

    /// Replaces an agent's settings.
    ///
    /// # Errors
    /// `NotFound` for an unknown user.
    async fn set_agent_settings(
        &self,
        user_id: UserId,
        settings: AgentSettings,
        now: Timestamp,
    ) -> StoreResult<()>;

    /// A group's assignment mode (manual when never set).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn assignment_mode(&self, group_id: GroupId) -> StoreResult<AssignmentMode>;

    /// Sets a group's assignment mode.
    ///
    /// # Errors
    /// `NotFound` for an unknown group.
    async fn set_assignment_mode(
        &self,
        group_id: GroupId,
        mode: AssignmentMode,
        now: Timestamp,
    ) -> StoreResult<()>;

    /// The group's agents with their settings and open assigned tickets (read from the
    /// queue counts, not by counting tickets), by user id, and the agent round robin
    /// picked last.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn group_agents(
        &self,
        group_id: GroupId,
    ) -> StoreResult<(Vec<AgentLoad>, Option<UserId>)>;
}
