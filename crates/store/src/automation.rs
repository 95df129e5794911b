//! Storage of what the desk does on its own as time passes: escalation rules (run on
//! SLA warnings and breaches) and the desk-wide time-based automations.

use crate::{RuleId, StoreResult};
use async_trait::async_trait;
pub use ferrodesk_domain::AutomationSettings;
use ferrodesk_domain::EscalationRule;
use jiff::Timestamp;

/// An escalation rule as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEscalationRule {
    /// Id.
    pub id: RuleId,
    /// Name; unique.
    pub name: String,
    /// Whether it is evaluated.
    pub is_enabled: bool,
    /// The rule.
    pub rule: EscalationRule,
}

/// Escalation rules and automation settings.
#[async_trait]
pub trait AutomationStore: Send + Sync {
    /// Every escalation rule, by name.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_escalation_rules(&self) -> StoreResult<Vec<StoredEscalationRule>>;

    /// Creates an escalation rule.
    ///
    /// # Errors
    /// `Conflict` when the name is taken.
    async fn create_escalation_rule(
        &self,
        rule: StoredEscalationRule,
        now: Timestamp,
    ) -> StoreResult<StoredEscalationRule>;

    /// Replaces an escalation rule.
    ///
    /// # Errors
    /// `NotFound`, `Conflict`.
    async fn update_escalation_rule(
        &self,
        rule: StoredEscalationRule,
        now: Timestamp,
    ) -> StoreResult<StoredEscalationRule>;

    /// Deletes an escalation rule.
    ///
    /// # Errors
    /// `NotFound`.
    async fn delete_escalation_rule(&self, id: RuleId) -> StoreResult<()>;

    /// The desk's automation settings.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn automation_settings(&self) -> StoreResult<AutomationSettings>;

    /// Replaces the automation settings.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn set_automation_settings(
        &self,
        settings: AutomationSettings,
        now: Timestamp,
    ) -> StoreResult<()>;
}
