//! Routing rules, agents' availability, load limits and skills, groups' assignment
//! modes and the desk settings version; [`RoutingStore`] for the backend. Small tables
//! read whole or by a key.

use crate::sql::convert::{from_json, get, json, micros};
use crate::sql::fetch;
use crate::sql::{convert, directory, error, people, tickets};
use crate::{Backend, DbConn};
use async_trait::async_trait;
use ferrodesk_domain::{CategoryId, GroupId, ServiceId, UserId};
use ferrodesk_store::{
    AgentLoad, AgentSettings, AssignmentMode, DeskSettings, RoutingRule, RoutingRuleInput,
    RoutingStore, RuleId, StoreError, StoreResult,
};
use jiff::Timestamp;

pub(crate) fn missing_rule(id: RuleId) -> StoreError {
    fetch::not_found("rule", id)
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
    let query = sqlx::query(
        "select id, name, position, is_enabled, conditions, actions from routing_rules \
         order by position, id",
    );
    fetch::all(conn, query, routing_from_row).await
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
    let query = sqlx::query(
        "update routing_rules set name = $2, position = $3, is_enabled = $4, conditions = $5, \
         actions = $6, updated_at = $7 where id = $1",
    )
    .bind(rule.id.get())
    .bind(&rule.name)
    .bind(rule.position)
    .bind(rule.is_enabled)
    .bind(json(&rule.conditions)?)
    .bind(json(&rule.actions)?)
    .bind(micros(now));
    if fetch::execute(conn, query).await? == 0 {
        return Err(missing_rule(rule.id));
    }
    get_routing_rule(conn, rule.id).await
}

/// Deletes a routing or escalation rule from `table`.
pub(crate) async fn delete_from(
    conn: &mut DbConn,
    table: &'static str,
    id: RuleId,
) -> StoreResult<()> {
    let sql = match table {
        "routing_rules" => "delete from routing_rules where id = $1",
        _ => "delete from escalation_rules where id = $1",
    };
    let query = sqlx::query(sql).bind(id.get());
    if fetch::execute(conn, query).await? == 0 {
        return Err(missing_rule(id));
    }
    Ok(())
}

/// Deletes a routing rule.
pub(crate) async fn delete_routing_rule(conn: &mut DbConn, id: RuleId) -> StoreResult<()> {
    delete_from(conn, "routing_rules", id).await
}

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
        StoreError::NotFound { .. } => fetch::not_found("user", user),
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
    AssignmentMode::parse(&mode).ok_or_else(|| convert::damaged(format!("assignment mode {mode}")))
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
        groups: directory::list_groups(conn).await?,
        routing_rules: list_routing_rules(conn).await?,
        assignment_modes,
        categories: directory::list_categories(conn).await?,
        services: directory::list_services(conn).await?,
        staff: people::list_staff(conn).await?,
        preferences: crate::sql::notification_preferences::list_preferences(conn).await?,
        custom_fields: crate::sql::custom_fields::list_fields(conn).await?,
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
        StoreError::NotFound { .. } => fetch::not_found("group", group),
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
    let query = sqlx::query(
        "update group_assignment set last_user_id = $2, updated_at = $3 where group_id = $1",
    )
    .bind(group.get())
    .bind(user.get())
    .bind(micros(now));
    fetch::execute(conn, query).await?;
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

#[async_trait]
impl RoutingStore for Backend {
    async fn list_routing_rules(&self) -> StoreResult<Vec<RoutingRule>> {
        list_routing_rules(&mut *self.reader().await?).await
    }

    async fn desk_settings(&self) -> StoreResult<ferrodesk_store::DeskSettings> {
        desk_settings(&mut *self.reader().await?).await
    }

    async fn create_routing_rule(
        &self,
        rule: RoutingRuleInput,
        now: Timestamp,
    ) -> StoreResult<RoutingRule> {
        self.write((rule, now), |c, (rule, now)| {
            Box::pin(create_routing_rule(c, rule, *now))
        })
        .await
    }

    async fn update_routing_rule(
        &self,
        rule: RoutingRuleInput,
        now: Timestamp,
    ) -> StoreResult<RoutingRule> {
        self.write((rule, now), |c, (rule, now)| {
            Box::pin(update_routing_rule(c, rule, *now))
        })
        .await
    }

    async fn delete_routing_rule(&self, id: RuleId) -> StoreResult<()> {
        self.write(id, |c, id| Box::pin(delete_routing_rule(c, *id)))
            .await
    }

    async fn agent_settings(&self, user_id: UserId) -> StoreResult<AgentSettings> {
        agent_settings(&mut *self.reader().await?, user_id).await
    }

    async fn set_agent_settings(
        &self,
        user_id: UserId,
        settings: AgentSettings,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.write((user_id, settings, now), |c, (user_id, settings, now)| {
            Box::pin(set_agent_settings(c, *user_id, settings, *now))
        })
        .await
    }

    async fn assignment_mode(&self, group_id: GroupId) -> StoreResult<AssignmentMode> {
        assignment_mode(&mut *self.reader().await?, group_id).await
    }

    async fn set_assignment_mode(
        &self,
        group_id: GroupId,
        mode: AssignmentMode,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.write((group_id, mode, now), |c, (group_id, mode, now)| {
            Box::pin(set_assignment_mode(c, *group_id, *mode, *now))
        })
        .await
    }

    async fn group_agents(
        &self,
        group_id: GroupId,
    ) -> StoreResult<(Vec<AgentLoad>, Option<UserId>)> {
        group_agents(&mut *self.reader().await?, group_id).await
    }
}
