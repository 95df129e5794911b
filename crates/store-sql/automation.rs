//! Escalation rules and the desk-wide time-based automations;
//! [`AutomationStore`] for the backend.

use crate::sql::convert::{get, micros, stored};
use crate::sql::fetch;
use crate::sql::routing::{delete_from, missing_rule};
use crate::sql::{convert, error};
use crate::{Backend, DbConn};
use async_trait::async_trait;
use ferrodesk_domain::{EscalationRule, EscalationTrigger, TargetKind};
use ferrodesk_store::{
    AutomationSettings, AutomationStore, RuleId, StoreResult, StoredEscalationRule,
};
use jiff::Timestamp;

/// The automation settings.
pub(crate) async fn automation_settings(conn: &mut DbConn) -> StoreResult<AutomationSettings> {
    let row = sqlx::query(
        "select pending_reminder_minutes, pending_resolve_minutes, resolved_close_minutes \
         from automation_settings where id = 1",
    )
    .fetch_optional(&mut *conn)
    .await
    .map_err(error::plain)?;
    match row {
        Some(row) => Ok(AutomationSettings {
            pending_reminder_minutes: get(&row, "pending_reminder_minutes")?,
            pending_resolve_minutes: get(&row, "pending_resolve_minutes")?,
            resolved_close_minutes: get(&row, "resolved_close_minutes")?,
        }),
        None => Ok(AutomationSettings {
            pending_reminder_minutes: None,
            pending_resolve_minutes: None,
            resolved_close_minutes: None,
        }),
    }
}

/// Replaces the automation settings.
pub(crate) async fn set_automation_settings(
    conn: &mut DbConn,
    settings: &AutomationSettings,
    now: Timestamp,
) -> StoreResult<()> {
    let query = sqlx::query(
        "insert into automation_settings (id, pending_reminder_minutes, pending_resolve_minutes, \
         resolved_close_minutes, created_at, updated_at) values (1, $1, $2, $3, $4, $4) \
         on conflict (id) do update set pending_reminder_minutes = excluded.pending_reminder_minutes, \
         pending_resolve_minutes = excluded.pending_resolve_minutes, \
         resolved_close_minutes = excluded.resolved_close_minutes, updated_at = excluded.updated_at",
    )
    .bind(settings.pending_reminder_minutes)
    .bind(settings.pending_resolve_minutes)
    .bind(settings.resolved_close_minutes)
    .bind(micros(now));
    fetch::execute(conn, query).await?;
    Ok(())
}

macro_rules! escalation_columns {
    () => {
        "id, name, is_enabled, trigger_kind, target, threshold, \
     escalates, notifies_supervisor"
    };
}

fn escalation_from_row(row: &crate::DbRow) -> StoreResult<StoredEscalationRule> {
    let trigger: String = get(row, "trigger_kind")?;
    let target: Option<String> = get(row, "target")?;
    Ok(StoredEscalationRule {
        id: RuleId(get(row, "id")?),
        name: get(row, "name")?,
        is_enabled: get(row, "is_enabled")?,
        rule: EscalationRule {
            trigger: stored(EscalationTrigger::parse(&trigger))?,
            target: target
                .as_deref()
                .map(TargetKind::parse)
                .transpose()
                .map_err(|e| convert::damaged(e.to_string()))?,
            threshold: get(row, "threshold")?,
            escalates: get(row, "escalates")?,
            notifies_supervisor: get(row, "notifies_supervisor")?,
        },
    })
}

/// Every escalation rule by name.
pub(crate) async fn list_escalation_rules(
    conn: &mut DbConn,
) -> StoreResult<Vec<StoredEscalationRule>> {
    let query = sqlx::query(concat!(
        "select ",
        escalation_columns!(),
        " from escalation_rules order by name, id"
    ));
    fetch::all(conn, query, escalation_from_row).await
}

async fn get_escalation_rule(conn: &mut DbConn, id: RuleId) -> StoreResult<StoredEscalationRule> {
    let row = sqlx::query(concat!(
        "select ",
        escalation_columns!(),
        " from escalation_rules where id = $1"
    ))
    .bind(id.get())
    .fetch_optional(&mut *conn)
    .await
    .map_err(error::plain)?;
    row.as_ref()
        .map(escalation_from_row)
        .ok_or_else(|| missing_rule(id))?
}

/// Creates an escalation rule.
pub(crate) async fn create_escalation_rule(
    conn: &mut DbConn,
    rule: &StoredEscalationRule,
    now: Timestamp,
) -> StoreResult<StoredEscalationRule> {
    let id: i64 = sqlx::query_scalar(
        "insert into escalation_rules (name, is_enabled, trigger_kind, target, threshold, \
         escalates, notifies_supervisor, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $8) returning id",
    )
    .bind(&rule.name)
    .bind(rule.is_enabled)
    .bind(rule.rule.trigger.as_str())
    .bind(rule.rule.target.map(TargetKind::as_str))
    .bind(rule.rule.threshold)
    .bind(rule.rule.escalates)
    .bind(rule.rule.notifies_supervisor)
    .bind(micros(now))
    .fetch_one(&mut *conn)
    .await
    .map_err(error::plain)?;
    get_escalation_rule(conn, RuleId(id)).await
}

/// Replaces an escalation rule.
pub(crate) async fn update_escalation_rule(
    conn: &mut DbConn,
    rule: &StoredEscalationRule,
    now: Timestamp,
) -> StoreResult<StoredEscalationRule> {
    let query = sqlx::query(
        "update escalation_rules set name = $2, is_enabled = $3, trigger_kind = $4, target = $5, \
         threshold = $6, escalates = $7, notifies_supervisor = $8, updated_at = $9 where id = $1",
    )
    .bind(rule.id.get())
    .bind(&rule.name)
    .bind(rule.is_enabled)
    .bind(rule.rule.trigger.as_str())
    .bind(rule.rule.target.map(TargetKind::as_str))
    .bind(rule.rule.threshold)
    .bind(rule.rule.escalates)
    .bind(rule.rule.notifies_supervisor)
    .bind(micros(now));
    if fetch::execute(conn, query).await? == 0 {
        return Err(missing_rule(rule.id));
    }
    get_escalation_rule(conn, rule.id).await
}

/// Deletes an escalation rule.
pub(crate) async fn delete_escalation_rule(conn: &mut DbConn, id: RuleId) -> StoreResult<()> {
    delete_from(conn, "escalation_rules", id).await
}

#[async_trait]
impl AutomationStore for Backend {
    async fn list_escalation_rules(&self) -> StoreResult<Vec<StoredEscalationRule>> {
        list_escalation_rules(&mut *self.reader().await?).await
    }

    async fn create_escalation_rule(
        &self,
        rule: StoredEscalationRule,
        now: Timestamp,
    ) -> StoreResult<StoredEscalationRule> {
        self.write((rule, now), |c, (rule, now)| {
            Box::pin(create_escalation_rule(c, rule, *now))
        })
        .await
    }

    async fn update_escalation_rule(
        &self,
        rule: StoredEscalationRule,
        now: Timestamp,
    ) -> StoreResult<StoredEscalationRule> {
        self.write((rule, now), |c, (rule, now)| {
            Box::pin(update_escalation_rule(c, rule, *now))
        })
        .await
    }

    async fn delete_escalation_rule(&self, id: RuleId) -> StoreResult<()> {
        self.write(id, |c, id| Box::pin(delete_escalation_rule(c, *id)))
            .await
    }

    async fn automation_settings(&self) -> StoreResult<AutomationSettings> {
        automation_settings(&mut *self.reader().await?).await
    }

    async fn set_automation_settings(
        &self,
        settings: AutomationSettings,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.write((settings, now), |c, (settings, now)| {
            Box::pin(set_automation_settings(c, settings, *now))
        })
        .await
    }
}
