//! Routing and escalation rules, agents' availability and groups' assignment modes,
//! and in-app notifications: small tables read whole or by a key.

use crate::DbConn;
use crate::sql::convert::{from_json, get, get_opt_time, get_time, json, micros, stored};
use crate::sql::error;
use crate::sql::{people, tickets};
use ferrodesk_domain::{
    CategoryId, EscalationRule, EscalationTrigger, GroupId, ServiceId, TargetKind, TicketId, UserId,
};
use ferrodesk_store::{
    AgentLoad, AgentSettings, AssignmentMode, DeskSettings, Notification, NotificationId,
    PageRequest, RoutingRule, RuleId, StoreError, StoreResult, StoredEscalationRule,
};
use jiff::Timestamp;
use sqlx::QueryBuilder;

fn missing_rule(id: RuleId) -> StoreError {
    StoreError::not_found(format!("rule {id}"))
}

fn routing_from_row(row: &crate::DbRow) -> StoreResult<RoutingRule> {
    Ok(RoutingRule {
        id: RuleId(get(row, "id")?),
        name: get(row, "name")?,
        position: get(row, "position")?,
        is_enabled: get(row, "is_enabled")?,
        conditions: from_json(&get::<String>(row, "conditions")?)?,
        actions: from_json(&get::<String>(row, "actions")?)?,
    })
}

/// Every routing rule by position.
pub(crate) async fn list_routing_rules(conn: &mut DbConn) -> StoreResult<Vec<RoutingRule>> {
    let rows = sqlx::query(
        "select id, name, position, is_enabled, conditions, actions from routing_rules \
         order by position, id",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(error::plain)?;
    rows.iter().map(routing_from_row).collect()
}

async fn get_routing_rule(conn: &mut DbConn, id: RuleId) -> StoreResult<RoutingRule> {
    let row = sqlx::query(
        "select id, name, position, is_enabled, conditions, actions from routing_rules \
         where id = $1",
    )
    .bind(id.get())
    .fetch_optional(&mut *conn)
    .await
    .map_err(error::plain)?;
    row.as_ref()
        .map(routing_from_row)
        .ok_or_else(|| missing_rule(id))?
}

/// Creates a routing rule.
pub(crate) async fn create_routing_rule(
    conn: &mut DbConn,
    rule: &RoutingRule,
    now: Timestamp,
) -> StoreResult<RoutingRule> {
    let id: i64 = sqlx::query_scalar(
        "insert into routing_rules (name, position, is_enabled, conditions, actions, \
         created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $6) returning id",
    )
    .bind(&rule.name)
    .bind(rule.position)
    .bind(rule.is_enabled)
    .bind(json(&rule.conditions)?)
    .bind(json(&rule.actions)?)
    .bind(micros(now))
    .fetch_one(&mut *conn)
    .await
    .map_err(error::plain)?;
    get_routing_rule(conn, RuleId(id)).await
}

/// Replaces a routing rule.
pub(crate) async fn update_routing_rule(
    conn: &mut DbConn,
    rule: &RoutingRule,
    now: Timestamp,
) -> StoreResult<RoutingRule> {
    let done = sqlx::query(
        "update routing_rules set name = $2, position = $3, is_enabled = $4, conditions = $5, \
         actions = $6, updated_at = $7 where id = $1",
    )
    .bind(rule.id.get())
    .bind(&rule.name)
    .bind(rule.position)
    .bind(rule.is_enabled)
    .bind(json(&rule.conditions)?)
    .bind(json(&rule.actions)?)
    .bind(micros(now))
    .execute(&mut *conn)
    .await
    .map_err(error::plain)?;
    if done.rows_affected() == 0 {
        return Err(missing_rule(rule.id));
    }
    get_routing_rule(conn, rule.id).await
}

/// Deletes a routing or escalation rule from `table`.
async fn delete_from(conn: &mut DbConn, table: &'static str, id: RuleId) -> StoreResult<()> {
    let sql = match table {
        "routing_rules" => "delete from routing_rules where id = $1",
        _ => "delete from escalation_rules where id = $1",
    };
    let done = sqlx::query(sql)
        .bind(id.get())
        .execute(&mut *conn)
        .await
        .map_err(error::plain)?;
    if done.rows_affected() == 0 {
        return Err(missing_rule(id));
    }
    Ok(())
}

/// Deletes a routing rule.
pub(crate) async fn delete_routing_rule(conn: &mut DbConn, id: RuleId) -> StoreResult<()> {
    delete_from(conn, "routing_rules", id).await
}

/// Deletes an escalation rule.
pub(crate) async fn delete_escalation_rule(conn: &mut DbConn, id: RuleId) -> StoreResult<()> {
    delete_from(conn, "escalation_rules", id).await
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
                .map_err(|e| crate::sql::convert::damaged(e.to_string()))?,
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
    let rows = sqlx::query(concat!(
        "select ",
        escalation_columns!(),
        " from escalation_rules order by name, id"
    ))
    .fetch_all(&mut *conn)
    .await
    .map_err(error::plain)?;
    rows.iter().map(escalation_from_row).collect()
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
    let done = sqlx::query(
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
    .bind(micros(now))
    .execute(&mut *conn)
    .await
    .map_err(error::plain)?;
    if done.rows_affected() == 0 {
        return Err(missing_rule(rule.id));
    }
    get_escalation_rule(conn, rule.id).await
}

// --- agents and assignment --------------------------------------------------------------------

#[derive(serde::Serialize, serde::Deserialize, Default)]
struct Skills {
    categories: Vec<CategoryId>,
    services: Vec<ServiceId>,
}

fn settings_from_row(row: &crate::DbRow) -> StoreResult<AgentSettings> {
    let skills: Skills = from_json(&get::<String>(row, "skills")?)?;
    Ok(AgentSettings {
        is_away: get(row, "is_away")?,
        load_limit: get(row, "load_limit")?,
        category_skills: skills.categories,
        service_skills: skills.services,
    })
}

/// An agent's settings, defaults when never set.
pub(crate) async fn agent_settings(conn: &mut DbConn, user: UserId) -> StoreResult<AgentSettings> {
    let row =
        sqlx::query("select is_away, load_limit, skills from agent_settings where user_id = $1")
            .bind(user.get())
            .fetch_optional(&mut *conn)
            .await
            .map_err(error::plain)?;
    row.as_ref()
        .map(settings_from_row)
        .unwrap_or_else(|| Ok(AgentSettings::default()))
}

/// Replaces an agent's settings.
pub(crate) async fn set_agent_settings(
    conn: &mut DbConn,
    user: UserId,
    settings: &AgentSettings,
    now: Timestamp,
) -> StoreResult<()> {
    let skills = Skills {
        categories: settings.category_skills.clone(),
        services: settings.service_skills.clone(),
    };
    sqlx::query(
        "insert into agent_settings (user_id, is_away, load_limit, skills, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $5) on conflict (user_id) do update set \
         is_away = excluded.is_away, load_limit = excluded.load_limit, skills = excluded.skills, \
         updated_at = excluded.updated_at",
    )
    .bind(user.get())
    .bind(settings.is_away)
    .bind(settings.load_limit)
    .bind(json(&skills)?)
    .bind(micros(now))
    .execute(&mut *conn)
    .await
    .map_err(|e| match error::plain(e) {
        StoreError::NotFound { .. } => StoreError::not_found(format!("user {user}")),
        other => other,
    })?;
    Ok(())
}

/// A group's assignment mode and the agent round robin picked last.
async fn group_assignment(
    conn: &mut DbConn,
    group: GroupId,
) -> StoreResult<(AssignmentMode, Option<UserId>)> {
    let row = sqlx::query("select mode, last_user_id from group_assignment where group_id = $1")
        .bind(group.get())
        .fetch_optional(&mut *conn)
        .await
        .map_err(error::plain)?;
    let Some(row) = row else {
        return Ok((AssignmentMode::Manual, None));
    };
    let last: Option<i64> = get(&row, "last_user_id")?;
    Ok((mode_of(&row)?, last.map(UserId)))
}

/// A `group_assignment` row's mode.
fn mode_of(row: &crate::DbRow) -> StoreResult<AssignmentMode> {
    let mode: String = get(row, "mode")?;
    AssignmentMode::parse(&mode)
        .ok_or_else(|| crate::sql::convert::damaged(format!("assignment mode {mode}")))
}

/// The settings counter that triggers on the routing settings' tables move.
async fn settings_version(conn: &mut DbConn) -> StoreResult<i64> {
    let row = sqlx::query("select version from settings_version where id = 1")
        .fetch_one(&mut *conn)
        .await
        .map_err(error::plain)?;
    get(&row, "version")
}

/// The routing settings with their version. The version is read first, so a change
/// made while the rest is read leaves the snapshot older than its contents, and a
/// write routed with it is refused rather than accepted on mixed settings.
pub(crate) async fn desk_settings(conn: &mut DbConn) -> StoreResult<DeskSettings> {
    let version = settings_version(conn).await?;
    let rows = sqlx::query("select group_id, mode from group_assignment where mode <> 'manual'")
        .fetch_all(&mut *conn)
        .await
        .map_err(error::plain)?;
    let mut assignment_modes = Vec::with_capacity(rows.len());
    for row in &rows {
        assignment_modes.push((GroupId(get(row, "group_id")?), mode_of(row)?));
    }
    Ok(DeskSettings {
        version,
        groups: people::list_groups(conn).await?,
        routing_rules: list_routing_rules(conn).await?,
        assignment_modes,
        categories: people::list_categories(conn).await?,
        services: people::list_services(conn).await?,
    })
}

/// Refuses a write when any of its parts was routed with settings older than the
/// current ones (`None`: not routed with a snapshot). The version is read once.
pub(crate) async fn check_settings(
    conn: &mut DbConn,
    routed_with: impl IntoIterator<Item = Option<i64>>,
) -> StoreResult<()> {
    let versions: Vec<i64> = routed_with.into_iter().flatten().collect();
    if versions.is_empty() {
        return Ok(());
    }
    let current = settings_version(conn).await?;
    if versions.iter().any(|v| *v != current) {
        return Err(StoreError::settings_changed());
    }
    Ok(())
}

/// A group's assignment mode.
pub(crate) async fn assignment_mode(
    conn: &mut DbConn,
    group: GroupId,
) -> StoreResult<AssignmentMode> {
    Ok(group_assignment(conn, group).await?.0)
}

/// Sets a group's assignment mode.
pub(crate) async fn set_assignment_mode(
    conn: &mut DbConn,
    group: GroupId,
    mode: AssignmentMode,
    now: Timestamp,
) -> StoreResult<()> {
    sqlx::query(
        "insert into group_assignment (group_id, mode, created_at, updated_at) \
         values ($1, $2, $3, $3) on conflict (group_id) do update set mode = excluded.mode, \
         updated_at = excluded.updated_at",
    )
    .bind(group.get())
    .bind(mode.as_str())
    .bind(micros(now))
    .execute(&mut *conn)
    .await
    .map_err(|e| match error::plain(e) {
        StoreError::NotFound { .. } => StoreError::not_found(format!("group {group}")),
        other => other,
    })?;
    Ok(())
}

/// Remembers round robin's last pick.
pub(crate) async fn set_round_robin_last(
    conn: &mut DbConn,
    group: GroupId,
    user: UserId,
    now: Timestamp,
) -> StoreResult<()> {
    sqlx::query(
        "update group_assignment set last_user_id = $2, updated_at = $3 where group_id = $1",
    )
    .bind(group.get())
    .bind(user.get())
    .bind(micros(now))
    .execute(&mut *conn)
    .await
    .map_err(error::plain)?;
    Ok(())
}

/// The group's agents (active staff members) with settings and open load.
pub(crate) async fn group_agents(
    conn: &mut DbConn,
    group: GroupId,
) -> StoreResult<(Vec<AgentLoad>, Option<UserId>)> {
    let (_, last) = group_assignment(conn, group).await?;
    let rows = sqlx::query(
        "select u.id, a.is_away, a.load_limit, a.skills from user_groups g \
         join users u on u.id = g.user_id left join agent_settings a on a.user_id = u.id \
         where g.group_id = $1 and u.is_active and u.role <> 'customer' order by u.id",
    )
    .bind(group.get())
    .fetch_all(&mut *conn)
    .await
    .map_err(error::plain)?;
    let counts = tickets::queue_counts(conn).await?;
    let mut agents = Vec::with_capacity(rows.len());
    for row in &rows {
        let user = UserId(get(row, "id")?);
        let away: Option<bool> = get(row, "is_away")?;
        let settings = if away.is_some() {
            settings_from_row(row)?
        } else {
            AgentSettings::default()
        };
        agents.push(AgentLoad {
            user_id: user,
            settings,
            open_tickets: counts.open_by_assignee.get(&user).copied().unwrap_or(0),
        });
    }
    Ok((agents, last))
}

// --- notifications ----------------------------------------------------------------------------

/// A user's notifications, newest first.
pub(crate) async fn list_notifications(
    conn: &mut DbConn,
    user: UserId,
    page: &PageRequest,
) -> StoreResult<Vec<Notification>> {
    let mut query = QueryBuilder::<crate::Db>::new(
        "select id, ticket_id, message, read_at, created_at from notifications where user_id = ",
    );
    query.push_bind(user.get());
    if let Some(cursor) = &page.cursor {
        query.push(" and id < ");
        query.push_bind(cursor.id);
    }
    query.push(" order by id desc limit ");
    query.push_bind(page.limit.clamp(1, ferrodesk_store::MAX_PAGE_SIZE));
    let rows = query
        .build()
        .fetch_all(&mut *conn)
        .await
        .map_err(error::plain)?;
    rows.iter()
        .map(|row| {
            let ticket: Option<i64> = get(row, "ticket_id")?;
            Ok(Notification {
                id: NotificationId(get(row, "id")?),
                ticket_id: ticket.map(TicketId),
                message: get(row, "message")?,
                read_at: get_opt_time(row, "read_at")?,
                created_at: get_time(row, "created_at")?,
            })
        })
        .collect()
}

/// Marks notifications read.
pub(crate) async fn mark_notifications_read(
    conn: &mut DbConn,
    user: UserId,
    ids: &[NotificationId],
    now: Timestamp,
) -> StoreResult<u64> {
    let mut query = QueryBuilder::<crate::Db>::new("update notifications set read_at = ");
    query.push_bind(micros(now));
    query.push(", updated_at = ");
    query.push_bind(micros(now));
    query.push(" where read_at is null and user_id = ");
    query.push_bind(user.get());
    if !ids.is_empty() {
        query.push(" and id in (");
        let mut list = query.separated(", ");
        for id in ids {
            list.push_bind(id.get());
        }
        query.push(")");
    }
    let done = query
        .build()
        .execute(&mut *conn)
        .await
        .map_err(error::plain)?;
    Ok(done.rows_affected())
}
