//! Service levels in SQL: business calendars, SLA policies and their assignments, and
//! the stored clocks as read back; [`SlaStore`] for the backend. The clocks are
//! written by [`clocks`](crate::sql::clocks).

use crate::sql::convert::{
    from_json, get, get_opt_time, get_time, json, micros, stored, timestamp,
};
use crate::sql::fetch;
use crate::sql::{clocks, error, tickets};
use crate::{Backend, Db, DbConn, DbRow};
use async_trait::async_trait;
use ferrodesk_domain::schedule::{calendar_from_text, calendar_to_text};
use ferrodesk_domain::{
    BusinessMinutes, CategoryId, ClockPhase, OrganizationId, PriorityTargets, ServiceId,
    SlaTargets, TargetKind, Ticket, TicketId, TicketScope, WarningShare,
};
use ferrodesk_store::{
    CalendarId, CalendarInput, Conflict, PolicyId, PolicyInput, SlaStore, StoreError, StoreResult,
    StoredCalendar, StoredPolicy, StoredTarget, TicketSla, TicketSlaNow,
};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sqlx::QueryBuilder;

macro_rules! calendar_columns {
    () => {
        "id, name, always_open, time_zone, hours, holidays, created_at, updated_at"
    };
}

fn calendar_from_row(row: &DbRow) -> StoreResult<StoredCalendar> {
    let hours: Vec<String> = from_json(&get::<String>(row, "hours")?)?;
    let holidays: Vec<String> = from_json(&get::<String>(row, "holidays")?)?;
    let zone: String = get(row, "time_zone")?;
    let calendar = stored(calendar_from_text(
        get(row, "always_open")?,
        &zone,
        &hours,
        &holidays,
    ))?;
    Ok(StoredCalendar {
        id: CalendarId(get(row, "id")?),
        name: get(row, "name")?,
        calendar,
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
    })
}

/// Creates a calendar.
pub(crate) async fn create_calendar(
    conn: &mut DbConn,
    input: &CalendarInput,
) -> StoreResult<StoredCalendar> {
    let (zone, hours, holidays) = calendar_to_text(&input.calendar);
    let id: i64 = sqlx::query_scalar(
        "insert into business_calendars (name, always_open, time_zone, hours, holidays, \
         created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $6) returning id",
    )
    .bind(&input.name)
    .bind(input.calendar.is_always_open())
    .bind(zone)
    .bind(json(&hours)?)
    .bind(json(&holidays)?)
    .bind(micros(input.now))
    .fetch_one(&mut *conn)
    .await
    .map_err(error::plain)?;
    get_calendar(conn, CalendarId(id)).await
}

/// Replaces a calendar; the service then recomputes the open tickets' due times.
pub(crate) async fn update_calendar(
    conn: &mut DbConn,
    id: CalendarId,
    input: &CalendarInput,
) -> StoreResult<StoredCalendar> {
    let (zone, hours, holidays) = calendar_to_text(&input.calendar);
    // New hours or holidays are new terms for the policies counting in them: they
    // apply from now (see `terms_since` in `create_policy`).
    let before = get_calendar(conn, id).await?;
    if before.calendar != input.calendar {
        let query = sqlx::query("update sla_policies set terms_since = $2 where calendar_id = $1")
            .bind(id.get())
            .bind(micros(input.now));
        fetch::execute(conn, query).await?;
    }
    let query = sqlx::query(
        "update business_calendars set name = $2, always_open = $3, time_zone = $4, \
         hours = $5, holidays = $6, updated_at = $7 where id = $1",
    )
    .bind(id.get())
    .bind(&input.name)
    .bind(input.calendar.is_always_open())
    .bind(zone)
    .bind(json(&hours)?)
    .bind(json(&holidays)?)
    .bind(micros(input.now));
    if fetch::execute(conn, query).await? == 0 {
        return Err(fetch::not_found("calendar", id));
    }
    get_calendar(conn, id).await
}

/// Reads a calendar.
pub(crate) async fn get_calendar(conn: &mut DbConn, id: CalendarId) -> StoreResult<StoredCalendar> {
    let query = sqlx::query(concat!(
        "select ",
        calendar_columns!(),
        " from business_calendars where id = $1"
    ))
    .bind(id.get());
    fetch::one(conn, query, calendar_from_row, "calendar", id).await
}

/// Every calendar by name.
pub(crate) async fn list_calendars(conn: &mut DbConn) -> StoreResult<Vec<StoredCalendar>> {
    let query = sqlx::query(concat!(
        "select ",
        calendar_columns!(),
        " from business_calendars order by name, id"
    ));
    fetch::all(conn, query, calendar_from_row).await
}

/// Deletes an unused calendar.
pub(crate) async fn delete_calendar(conn: &mut DbConn, id: CalendarId) -> StoreResult<()> {
    let used: i64 = sqlx::query_scalar("select count(*) from sla_policies where calendar_id = $1")
        .bind(id.get())
        .fetch_one(&mut *conn)
        .await
        .map_err(error::plain)?;
    if used > 0 {
        return Err(StoreError::conflict(
            Conflict::State,
            format!("calendar {id} is used by {used} SLA policies"),
        ));
    }
    let query = sqlx::query("delete from business_calendars where id = $1").bind(id.get());
    if fetch::execute(conn, query).await? == 0 {
        return Err(fetch::not_found("calendar", id));
    }
    Ok(())
}

/// The stored form of one priority's targets, in minutes.
#[derive(Debug, Default, Serialize, Deserialize)]
struct StoredTargets {
    first_response: Option<u32>,
    update_interval: Option<u32>,
    resolution: Option<u32>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct StoredPriorityTargets {
    p1: StoredTargets,
    p2: StoredTargets,
    p3: StoredTargets,
    p4: StoredTargets,
}

fn targets_to_json(targets: &PriorityTargets) -> StoreResult<String> {
    let one = |t: &SlaTargets| StoredTargets {
        first_response: t.first_response.map(BusinessMinutes::get),
        update_interval: t.update_interval.map(BusinessMinutes::get),
        resolution: t.resolution.map(BusinessMinutes::get),
    };
    json(&StoredPriorityTargets {
        p1: one(&targets.p1),
        p2: one(&targets.p2),
        p3: one(&targets.p3),
        p4: one(&targets.p4),
    })
}

pub(crate) fn targets_from_json(text: &str) -> StoreResult<PriorityTargets> {
    let stored_targets: StoredPriorityTargets = from_json(text)?;
    let minutes = |m: Option<u32>| m.map(BusinessMinutes::new).transpose();
    let one = |t: &StoredTargets| -> StoreResult<SlaTargets> {
        Ok(SlaTargets {
            first_response: stored(minutes(t.first_response))?,
            update_interval: stored(minutes(t.update_interval))?,
            resolution: stored(minutes(t.resolution))?,
        })
    };
    Ok(PriorityTargets {
        p1: one(&stored_targets.p1)?,
        p2: one(&stored_targets.p2)?,
        p3: one(&stored_targets.p3)?,
        p4: one(&stored_targets.p4)?,
    })
}

macro_rules! policy_columns {
    () => {
        "id, name, calendar_id, targets, warning_percent, \
     sends_progress_notes, is_default, created_at, updated_at"
    };
}

const ORGANIZATION: &str = "organization";
const SERVICE: &str = "service";
const CATEGORY: &str = "category";

async fn policy_from_row(conn: &mut DbConn, row: &DbRow) -> StoreResult<StoredPolicy> {
    let id: i64 = get(row, "id")?;
    let assigned = sqlx::query(
        "select kind, target_id from sla_assignments where policy_id = $1 order by kind, target_id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await
    .map_err(error::plain)?;
    let mut policy = StoredPolicy {
        id: PolicyId(id),
        name: get(row, "name")?,
        calendar_id: CalendarId(get(row, "calendar_id")?),
        targets: targets_from_json(&get::<String>(row, "targets")?)?,
        warning: stored(WarningShare::new(
            u8::try_from(get::<i64>(row, "warning_percent")?).unwrap_or(0),
        ))?,
        sends_progress_notes: get(row, "sends_progress_notes")?,
        is_default: get(row, "is_default")?,
        organization_ids: Vec::new(),
        service_ids: Vec::new(),
        category_ids: Vec::new(),
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
    };
    for row in &assigned {
        let kind: String = get(row, "kind")?;
        let target: i64 = get(row, "target_id")?;
        match kind.as_str() {
            ORGANIZATION => policy.organization_ids.push(OrganizationId(target)),
            SERVICE => policy.service_ids.push(ServiceId(target)),
            _ => policy.category_ids.push(CategoryId(target)),
        }
    }
    Ok(policy)
}

async fn write_assignments(
    conn: &mut DbConn,
    id: PolicyId,
    input: &PolicyInput,
) -> StoreResult<()> {
    if input.is_default {
        let query =
            sqlx::query("update sla_policies set is_default = false where id <> $1 and is_default")
                .bind(id.get());
        fetch::execute(conn, query).await?;
    }
    let query = sqlx::query("delete from sla_assignments where policy_id = $1").bind(id.get());
    fetch::execute(conn, query).await?;
    let targets = input
        .organization_ids
        .iter()
        .map(|o| (ORGANIZATION, o.get()))
        .chain(input.service_ids.iter().map(|s| (SERVICE, s.get())))
        .chain(input.category_ids.iter().map(|c| (CATEGORY, c.get())));
    for (kind, target) in targets {
        // An organization, service or category is covered by one policy: assigning it
        // here moves it from the policy that had it.
        let query = sqlx::query(
            "insert into sla_assignments (kind, target_id, policy_id, created_at, updated_at) \
             values ($1, $2, $3, $4, $4) on conflict (kind, target_id) do update set \
             policy_id = excluded.policy_id, updated_at = excluded.updated_at",
        )
        .bind(kind)
        .bind(target)
        .bind(id.get())
        .bind(micros(input.now));
        fetch::execute(conn, query).await?;
    }
    Ok(())
}

/// Creates a policy with its assignments. Its terms are in force from now
/// (`terms_since`): tickets opened earlier are measured from this instant, not from
/// their creation (see `ferrodesk_domain::SlaPolicy::in_force_from`).
pub(crate) async fn create_policy(
    conn: &mut DbConn,
    input: &PolicyInput,
) -> StoreResult<StoredPolicy> {
    let id: i64 = sqlx::query_scalar(
        "insert into sla_policies (name, calendar_id, targets, warning_percent, \
         sends_progress_notes, is_default, terms_since, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $7, $7) returning id",
    )
    .bind(&input.name)
    .bind(input.calendar_id.get())
    .bind(targets_to_json(&input.targets)?)
    .bind(i64::from(input.warning.percent()))
    .bind(input.sends_progress_notes)
    .bind(input.is_default)
    .bind(micros(input.now))
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| missing_calendar(e, input.calendar_id))?;
    write_assignments(conn, PolicyId(id), input).await?;
    get_policy(conn, PolicyId(id)).await
}

fn missing_calendar(e: sqlx::Error, calendar: CalendarId) -> StoreError {
    match error::plain(e) {
        StoreError::NotFound { .. } => fetch::not_found("calendar", calendar),
        other => other,
    }
}

/// Replaces a policy and its assignments. New targets, warning share or calendar are
/// in force from now (`terms_since`), like a new policy's.
pub(crate) async fn update_policy(
    conn: &mut DbConn,
    id: PolicyId,
    input: &PolicyInput,
) -> StoreResult<StoredPolicy> {
    let done = sqlx::query(
        "update sla_policies set terms_since = case when calendar_id <> $3 or targets <> $4 \
         or warning_percent <> $5 then $8 else terms_since end, \
         name = $2, calendar_id = $3, targets = $4, \
         warning_percent = $5, sends_progress_notes = $6, is_default = $7, updated_at = $8 \
         where id = $1",
    )
    .bind(id.get())
    .bind(&input.name)
    .bind(input.calendar_id.get())
    .bind(targets_to_json(&input.targets)?)
    .bind(i64::from(input.warning.percent()))
    .bind(input.sends_progress_notes)
    .bind(input.is_default)
    .bind(micros(input.now))
    .execute(&mut *conn)
    .await
    .map_err(|e| missing_calendar(e, input.calendar_id))?;
    if done.rows_affected() == 0 {
        return Err(fetch::not_found("SLA policy", id));
    }
    write_assignments(conn, id, input).await?;
    get_policy(conn, id).await
}

/// Reads a policy.
pub(crate) async fn get_policy(conn: &mut DbConn, id: PolicyId) -> StoreResult<StoredPolicy> {
    let row = sqlx::query(concat!(
        "select ",
        policy_columns!(),
        " from sla_policies where id = $1"
    ))
    .bind(id.get())
    .fetch_optional(&mut *conn)
    .await
    .map_err(error::plain)?;
    match row {
        Some(row) => policy_from_row(conn, &row).await,
        None => Err(fetch::not_found("SLA policy", id)),
    }
}

/// Every policy by name.
pub(crate) async fn list_policies(conn: &mut DbConn) -> StoreResult<Vec<StoredPolicy>> {
    let rows = sqlx::query(concat!(
        "select ",
        policy_columns!(),
        " from sla_policies order by name, id"
    ))
    .fetch_all(&mut *conn)
    .await
    .map_err(error::plain)?;
    let mut policies = Vec::with_capacity(rows.len());
    for row in &rows {
        policies.push(policy_from_row(conn, row).await?);
    }
    Ok(policies)
}

/// Deletes a policy with its assignments; stored clocks that name it lose the link.
pub(crate) async fn delete_policy(conn: &mut DbConn, id: PolicyId) -> StoreResult<()> {
    let query = sqlx::query("delete from sla_assignments where policy_id = $1").bind(id.get());
    fetch::execute(conn, query).await?;
    let query = sqlx::query("delete from sla_policies where id = $1").bind(id.get());
    if fetch::execute(conn, query).await? == 0 {
        return Err(fetch::not_found("SLA policy", id));
    }
    Ok(())
}

fn target_from_row(
    row: &DbRow,
    prefix: &str,
    kind: TargetKind,
) -> StoreResult<Option<StoredTarget>> {
    let phase: Option<String> = get(row, &format!("{prefix}_phase"))?;
    let Some(phase) = phase else {
        return Ok(None);
    };
    let started: Option<i64> = get(row, &format!("{prefix}_started_at"))?;
    Ok(Some(StoredTarget {
        kind,
        phase: stored(ClockPhase::parse(&phase))?,
        started_at: timestamp(started.unwrap_or(0))?,
        warn_at: get_opt_time(row, &format!("{prefix}_warn_at"))?,
        due_at: get_opt_time(row, &format!("{prefix}_due_at"))?,
    }))
}

/// The stored clocks of `ids`.
pub(crate) async fn ticket_slas(
    conn: &mut DbConn,
    ids: &[TicketId],
) -> StoreResult<Vec<TicketSla>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = QueryBuilder::<Db>::new("select * from ticket_sla where ticket_id in (");
    fetch::push_list(&mut query, ids.iter().map(|id| id.get()));
    query.push(") order by ticket_id");
    fetch::all(conn, query.build(), |row| {
        let policy: Option<i64> = get(row, "policy_id")?;
        Ok(TicketSla {
            ticket_id: TicketId(get(row, "ticket_id")?),
            policy_id: policy.map(PolicyId),
            first_response: target_from_row(row, "first_response", TargetKind::FirstResponse)?,
            next_update: target_from_row(row, "update", TargetKind::Update)?,
            resolution: target_from_row(row, "resolution", TargetKind::Resolution)?,
            next_due_at: get_opt_time(row, "next_due_at")?,
        })
    })
    .await
}

/// The "breaching soon" queue: open tickets in scope by earliest running due time,
/// read in `ticket_sla_next_due` order.
pub(crate) async fn list_breaching(
    conn: &mut DbConn,
    scope: &TicketScope,
    before: Timestamp,
    limit: i64,
) -> StoreResult<Vec<Ticket>> {
    let mut query = QueryBuilder::<Db>::new(
        "select s.ticket_id from ticket_sla s join tickets t on t.id = s.ticket_id \
         where s.next_due_at is not null and s.next_due_at < ",
    );
    query.push_bind(micros(before));
    query.push(" and t.is_open");
    match scope {
        TicketScope::All => {}
        TicketScope::Agent { user_id, group_ids } => {
            query.push(" and (t.assignee_id = ");
            query.push_bind(user_id.get());
            query.push(" or t.owner_id = ");
            query.push_bind(user_id.get());
            for group in group_ids {
                query.push(" or t.group_id = ");
                query.push_bind(group.get());
            }
            query.push(")");
        }
        TicketScope::Customer { .. } => return Ok(Vec::new()),
    }
    query.push(" order by s.next_due_at, s.ticket_id limit ");
    query.push_bind(limit.clamp(1, ferrodesk_store::MAX_PAGE_SIZE));
    let ids: Vec<i64> = query
        .build_query_scalar()
        .fetch_all(&mut *conn)
        .await
        .map_err(error::plain)?;
    let ids: Vec<TicketId> = ids.into_iter().map(TicketId).collect();
    let mut found = tickets::get_tickets(conn, &ids).await?;
    found.sort_by_key(|t| ids.iter().position(|id| *id == t.id));
    Ok(found)
}

#[async_trait]
impl SlaStore for Backend {
    async fn create_calendar(&self, input: CalendarInput) -> StoreResult<StoredCalendar> {
        self.write(input, |c, input| Box::pin(create_calendar(c, input)))
            .await
    }

    async fn update_calendar(
        &self,
        id: CalendarId,
        input: CalendarInput,
    ) -> StoreResult<StoredCalendar> {
        self.write((id, input), |c, (id, input)| {
            Box::pin(update_calendar(c, *id, input))
        })
        .await
    }

    async fn get_calendar(&self, id: CalendarId) -> StoreResult<StoredCalendar> {
        get_calendar(&mut *self.reader().await?, id).await
    }

    async fn list_calendars(&self) -> StoreResult<Vec<StoredCalendar>> {
        list_calendars(&mut *self.reader().await?).await
    }

    async fn delete_calendar(&self, id: CalendarId) -> StoreResult<()> {
        self.write(id, |c, id| Box::pin(delete_calendar(c, *id)))
            .await
    }

    async fn create_policy(&self, input: PolicyInput) -> StoreResult<StoredPolicy> {
        self.write(input, |c, input| Box::pin(create_policy(c, input)))
            .await
    }

    async fn update_policy(&self, id: PolicyId, input: PolicyInput) -> StoreResult<StoredPolicy> {
        self.write((id, input), |c, (id, input)| {
            Box::pin(update_policy(c, *id, input))
        })
        .await
    }

    async fn get_policy(&self, id: PolicyId) -> StoreResult<StoredPolicy> {
        get_policy(&mut *self.reader().await?, id).await
    }

    async fn list_policies(&self) -> StoreResult<Vec<StoredPolicy>> {
        list_policies(&mut *self.reader().await?).await
    }

    async fn delete_policy(&self, id: PolicyId) -> StoreResult<()> {
        self.write(id, |c, id| Box::pin(delete_policy(c, *id)))
            .await
    }

    async fn ticket_slas(&self, ids: &[TicketId]) -> StoreResult<Vec<TicketSla>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        ticket_slas(&mut *self.reader().await?, ids).await
    }

    async fn list_breaching(
        &self,
        scope: &TicketScope,
        before: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<Ticket>> {
        list_breaching(&mut *self.reader().await?, scope, before, limit).await
    }

    async fn ticket_sla_now(&self, id: TicketId, now: Timestamp) -> StoreResult<TicketSlaNow> {
        clocks::ticket_sla_now(&mut *self.reader().await?, id, now).await
    }

    async fn refresh_open_ticket_slas(
        &self,
        after: Option<TicketId>,
        limit: i64,
        now: Timestamp,
    ) -> StoreResult<Option<TicketId>> {
        self.write((after, limit, now), |c, (after, limit, now)| {
            Box::pin(clocks::refresh_open(c, *after, *limit, *now))
        })
        .await
    }
}
