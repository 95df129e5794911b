//! Automation: the admin use cases for escalation rules and the time-based
//! automations (pending reminders, auto-resolve, auto-close), with permission checks
//! (admins write, staff read); and [`escalation`], the escalation steps the ticket
//! service and the job runner take by those rules.

use crate::AppError;
use crate::OrNotFound;
use crate::directory::{require_admin, require_staff};
use crate::input::required;
use crate::sla::{MAX_NAME_CHARS, ServiceLevels, name_taken};
use ferrodesk_domain::{Actor, EscalationRule, EscalationTrigger};
use ferrodesk_store::{AutomationSettings, RuleId, StoreError, StoredEscalationRule};

pub(crate) mod escalation;

/// An escalation rule as given by an admin.
#[derive(Debug, Clone)]
pub struct EscalationSpec {
    /// Name.
    pub name: String,
    /// Enabled.
    pub is_enabled: bool,
    /// The rule.
    pub rule: EscalationRule,
}

impl ServiceLevels<'_> {
    /// Every escalation rule (staff).
    ///
    /// # Errors
    /// `Forbidden` for customers.
    pub async fn escalation_rules(
        &self,
        actor: &Actor,
    ) -> Result<Vec<StoredEscalationRule>, AppError> {
        require_staff(actor, "read escalation rules")?;
        Ok(self.app.db().list_escalation_rules().await?)
    }

    fn check_escalation(spec: &EscalationSpec) -> Result<String, AppError> {
        let name = required("name", &spec.name, MAX_NAME_CHARS)?;
        let rule = &spec.rule;
        if !rule.escalates && !rule.notifies_supervisor {
            return Err(AppError::invalid(
                "escalates",
                "a rule must escalate, notify the supervisor, or both",
            ));
        }
        match rule.trigger {
            EscalationTrigger::Reassigned => {
                if !rule.threshold.is_some_and(|n| (1..=100).contains(&n)) {
                    return Err(AppError::invalid(
                        "threshold",
                        "give the number of reassignments (1-100)",
                    ));
                }
            }
            EscalationTrigger::SlaWarning | EscalationTrigger::SlaBreach => {}
            EscalationTrigger::Complaint => {
                if rule.target.is_some() {
                    return Err(AppError::invalid(
                        "target",
                        "only SLA triggers watch a target",
                    ));
                }
            }
        }
        Ok(name)
    }

    /// Creates an escalation rule (admins).
    ///
    /// # Errors
    /// `Forbidden`, `Invalid`, `Conflict` (`name_taken`).
    pub async fn create_escalation_rule(
        &self,
        actor: &Actor,
        spec: &EscalationSpec,
    ) -> Result<StoredEscalationRule, AppError> {
        require_admin(actor, "manage escalation rules")?;
        let name = Self::check_escalation(spec)?;
        let rule = StoredEscalationRule {
            id: RuleId(0),
            name: name.clone(),
            is_enabled: spec.is_enabled,
            rule: spec.rule.clone(),
        };
        self.app
            .db()
            .create_escalation_rule(rule, self.app.now())
            .await
            .map_err(name_taken("escalation rule", &name))
    }

    /// Replaces an escalation rule (admins).
    ///
    /// # Errors
    /// As for [`ServiceLevels::create_escalation_rule`], and `NotFound`.
    pub async fn update_escalation_rule(
        &self,
        actor: &Actor,
        id: i64,
        spec: &EscalationSpec,
    ) -> Result<StoredEscalationRule, AppError> {
        require_admin(actor, "manage escalation rules")?;
        let name = Self::check_escalation(spec)?;
        let rule = StoredEscalationRule {
            id: RuleId(id),
            name: name.clone(),
            is_enabled: spec.is_enabled,
            rule: spec.rule.clone(),
        };
        match self
            .app
            .db()
            .update_escalation_rule(rule, self.app.now())
            .await
        {
            Err(StoreError::NotFound { .. }) => Err(AppError::not_found("escalation rule", id)),
            other => other.map_err(name_taken("escalation rule", &name)),
        }
    }

    /// Deletes an escalation rule (admins).
    ///
    /// # Errors
    /// `Forbidden`, `NotFound`.
    pub async fn delete_escalation_rule(&self, actor: &Actor, id: i64) -> Result<(), AppError> {
        require_admin(actor, "manage escalation rules")?;
        self.app
            .db()
            .delete_escalation_rule(RuleId(id))
            .await
            .or_not_found("escalation rule", id)
    }

    /// The automation settings (staff).
    ///
    /// # Errors
    /// `Forbidden` for customers.
    pub async fn automation(&self, actor: &Actor) -> Result<AutomationSettings, AppError> {
        require_staff(actor, "read automation settings")?;
        Ok(self.app.db().automation_settings().await?)
    }

    /// Replaces the automation settings (admins). Each step is off (`None`) or a number
    /// of minutes; resolving must come after the reminder.
    ///
    /// # Errors
    /// `Forbidden`, `Invalid`.
    pub async fn set_automation(
        &self,
        actor: &Actor,
        settings: AutomationSettings,
    ) -> Result<AutomationSettings, AppError> {
        require_admin(actor, "change automation settings")?;
        for (field, value) in [
            (
                "pending_reminder_minutes",
                settings.pending_reminder_minutes,
            ),
            ("pending_resolve_minutes", settings.pending_resolve_minutes),
            ("resolved_close_minutes", settings.resolved_close_minutes),
        ] {
            if value.is_some_and(|m| !(1..=525_600).contains(&m)) {
                return Err(AppError::invalid(
                    field,
                    "give a number of minutes between 1 and 525600, or nothing to turn it off",
                ));
            }
        }
        if let (Some(reminder), Some(resolve)) = (
            settings.pending_reminder_minutes,
            settings.pending_resolve_minutes,
        ) && resolve <= reminder
        {
            return Err(AppError::invalid(
                "pending_resolve_minutes",
                "resolve after the reminder: give more minutes than the reminder",
            ));
        }
        self.app
            .db()
            .set_automation_settings(settings, self.app.now())
            .await?;
        Ok(settings)
    }
}
