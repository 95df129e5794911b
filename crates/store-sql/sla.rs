//! Service levels in SQL: calendars, policies and assignments, each ticket's stored SLA
//! clock with its due jobs, and the jobs table itself.
//!
//! [`refresh`] is called by every ticket write in `tickets` inside the same
//! transaction: it reads the ticket's policy and clock-relevant history, computes the
//! clock with `ferrodesk_domain::SlaPolicy::clock`, stores the due times in
//! `ticket_sla`, and keeps exactly one `sla:{ticket}` job at the next warning or due
//! time not yet recorded and one `automation:{ticket}` job at the next time-based step.
//! Timers therefore never scan tickets: a runner reads the `jobs_due` index.

use crate::sql::convert::{
    from_json, get, get_opt_time, get_time, json, micros, stored, timestamp,
};
use crate::sql::error;
use crate::sql::tickets;
use crate::{Db, DbConn, DbRow};
use ferrodesk_domain::schedule::{calendar_from_text, calendar_to_text};
use ferrodesk_domain::{
    BusinessMinutes, CategoryId, ClockEvent, ClockPhase, EventKind, NewEvent, OrganizationId,
    PriorityTargets, ServiceId, SlaClock, SlaPolicy, SlaTargets, TargetKind, Ticket, TicketId,
    TicketScope, TicketStatus, UserId, Visibility, WarningShare,
};
use ferrodesk_store::Conflict;
use ferrodesk_store::{
    AutomationSettings, CalendarId, CalendarInput, EventAppend, Job, JobFinish, JobId, JobKind,
    PolicyId, PolicyInput, StoreError, StoreResult, StoredCalendar, StoredPolicy, StoredTarget,
    TicketSla, TicketSlaNow, TicketWrite,
};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sqlx::QueryBuilder;
use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap, HashSet};

// --- calendars ---------------------------------------------------------------------------

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
        sqlx::query("update sla_policies set terms_since = $2 where calendar_id = $1")
            .bind(id.get())
            .bind(micros(input.now))
            .execute(&mut *conn)
            .await
            .map_err(error::plain)?;
    }
    let done = sqlx::query(
        "update business_calendars set name = $2, always_open = $3, time_zone = $4, \
         hours = $5, holidays = $6, updated_at = $7 where id = $1",
    )
    .bind(id.get())
    .bind(&input.name)
    .bind(input.calendar.is_always_open())
    .bind(zone)
    .bind(json(&hours)?)
    .bind(json(&holidays)?)
    .bind(micros(input.now))
    .execute(&mut *conn)
    .await
    .map_err(error::plain)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::not_found(format!("calendar {id}")));
    }
    get_calendar(conn, id).await
}

/// Reads a calendar.
pub(crate) async fn get_calendar(conn: &mut DbConn, id: CalendarId) -> StoreResult<StoredCalendar> {
    let row = sqlx::query(concat!(
        "select ",
        calendar_columns!(),
        " from business_calendars where id = $1"
    ))
    .bind(id.get())
    .fetch_optional(&mut *conn)
    .await
    .map_err(error::plain)?;
    match row {
        Some(row) => calendar_from_row(&row),
        None => Err(StoreError::not_found(format!("calendar {id}"))),
    }
}

/// Every calendar by name.
pub(crate) async fn list_calendars(conn: &mut DbConn) -> StoreResult<Vec<StoredCalendar>> {
    let rows = sqlx::query(concat!(
        "select ",
        calendar_columns!(),
        " from business_calendars order by name, id"
    ))
    .fetch_all(&mut *conn)
    .await
    .map_err(error::plain)?;
    rows.iter().map(calendar_from_row).collect()
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
    let done = sqlx::query("delete from business_calendars where id = $1")
        .bind(id.get())
        .execute(&mut *conn)
        .await
        .map_err(error::plain)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::not_found(format!("calendar {id}")));
    }
    Ok(())
}

// --- policies ------------------------------------------------------------------------------

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

fn targets_from_json(text: &str) -> StoreResult<PriorityTargets> {
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
        sqlx::query("update sla_policies set is_default = false where id <> $1 and is_default")
            .bind(id.get())
            .execute(&mut *conn)
            .await
            .map_err(error::plain)?;
    }
    sqlx::query("delete from sla_assignments where policy_id = $1")
        .bind(id.get())
        .execute(&mut *conn)
        .await
        .map_err(error::plain)?;
    let targets = input
        .organization_ids
        .iter()
        .map(|o| (ORGANIZATION, o.get()))
        .chain(input.service_ids.iter().map(|s| (SERVICE, s.get())))
        .chain(input.category_ids.iter().map(|c| (CATEGORY, c.get())));
    for (kind, target) in targets {
        // An organization, service or category is covered by one policy: assigning it
        // here moves it from the policy that had it.
        sqlx::query(
            "insert into sla_assignments (kind, target_id, policy_id, created_at, updated_at) \
             values ($1, $2, $3, $4, $4) on conflict (kind, target_id) do update set \
             policy_id = excluded.policy_id, updated_at = excluded.updated_at",
        )
        .bind(kind)
        .bind(target)
        .bind(id.get())
        .bind(micros(input.now))
        .execute(&mut *conn)
        .await
        .map_err(error::plain)?;
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
        StoreError::NotFound { .. } => StoreError::not_found(format!("calendar {calendar}")),
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
        return Err(StoreError::not_found(format!("SLA policy {id}")));
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
        None => Err(StoreError::not_found(format!("SLA policy {id}"))),
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
    sqlx::query("delete from sla_assignments where policy_id = $1")
        .bind(id.get())
        .execute(&mut *conn)
        .await
        .map_err(error::plain)?;
    let done = sqlx::query("delete from sla_policies where id = $1")
        .bind(id.get())
        .execute(&mut *conn)
        .await
        .map_err(error::plain)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::not_found(format!("SLA policy {id}")));
    }
    Ok(())
}

// --- the stored clock --------------------------------------------------------------------------

/// The clock-relevant history of a ticket (see [`histories`]), plus when its current
/// status began.
async fn clock_events(
    conn: &mut DbConn,
    ticket: &Ticket,
    write: Refresh,
) -> StoreResult<(Vec<ClockEvent>, Timestamp)> {
    // A ticket just opened has no history the clock reads.
    let history = if write == Refresh::Opened {
        Vec::new()
    } else {
        histories(conn, &[ticket.id.get()])
            .await?
            .remove(&ticket.id.get())
            .unwrap_or_default()
    };
    Ok(clock_history(ticket, history))
}

/// The clock-relevant history of tickets, in id order: status changes and public
/// replies, without the replies' bodies, which the clock does not read.
async fn histories(conn: &mut DbConn, ids: &[i64]) -> StoreResult<HashMap<i64, Vec<History>>> {
    let rows = rows_for_ids(
        conn,
        "select e.ticket_id, e.kind, e.created_at, u.role, \
         case when e.kind = 'status_changed' then e.data end as data \
         from ticket_events e left join users u on u.id = e.actor_id \
         where (e.kind = 'status_changed' or (e.kind = 'reply' and e.visibility = 'public')) \
         and e.ticket_id in (",
        ids,
        ") order by e.ticket_id, e.id",
    )
    .await?;
    let mut histories: HashMap<i64, Vec<History>> = HashMap::new();
    for row in &rows {
        if let Some(item) = history_of_row(row)? {
            histories
                .entry(get(row, "ticket_id")?)
                .or_default()
                .push(item);
        }
    }
    Ok(histories)
}

/// A row of [`histories`] as the clock reads it.
fn history_of_row(row: &DbRow) -> StoreResult<Option<History>> {
    let at = get_time(row, "created_at")?;
    let kind: String = get(row, "kind")?;
    if kind == "status_changed" {
        Ok(match from_json(&get::<String>(row, "data")?)? {
            EventKind::StatusChanged { to, .. } => Some(History::Status { at, to }),
            _ => None,
        })
    } else {
        let role: Option<String> = get(row, "role")?;
        Ok(Some(History::Reply {
            at,
            by_customer: role.as_deref() == Some("customer"),
        }))
    }
}

/// One event of a ticket's history the clock may read.
enum History {
    Status { at: Timestamp, to: TicketStatus },
    Reply { at: Timestamp, by_customer: bool },
}

/// The clock events of a ticket's history, in order, and when its current status began.
fn clock_history(
    ticket: &Ticket,
    history: impl IntoIterator<Item = History>,
) -> (Vec<ClockEvent>, Timestamp) {
    let mut events = Vec::new();
    let mut status = TicketStatus::New;
    let mut since = ticket.created_at;
    for item in history {
        match item {
            History::Status { at, to } => {
                events.push(ClockEvent::Status { at, status: to });
                status = to;
                since = at;
            }
            History::Reply { at, by_customer } => {
                if !by_customer {
                    events.push(ClockEvent::PublicReply { at });
                }
            }
        }
    }
    // Whatever answered the requester first (a public reply, or a call or visit logged
    // publicly) is on the ticket: the clock meets the first response with it.
    if let Some(at) = ticket.first_response_at {
        events.push(ClockEvent::FirstResponse { at });
    }
    // Tickets written in bulk may carry a status without its history: the status
    // counts from the last change.
    if status != ticket.status {
        events.push(ClockEvent::Status {
            at: ticket.updated_at,
            status: ticket.status,
        });
        since = ticket.updated_at;
    }
    (events, since)
}

/// The marks recorded for a ticket.
async fn marks_of(conn: &mut DbConn, id: TicketId) -> StoreResult<Vec<(String, Timestamp)>> {
    Ok(marks_of_tickets(conn, &[id.get()])
        .await?
        .remove(&id.get())
        .unwrap_or_default())
}

/// The marks recorded for tickets, by ticket.
async fn marks_of_tickets(
    conn: &mut DbConn,
    ids: &[i64],
) -> StoreResult<HashMap<i64, Vec<(String, Timestamp)>>> {
    let rows = rows_for_ids(
        conn,
        "select ticket_id, mark, cycle_start from ticket_marks where ticket_id in (",
        ids,
        ")",
    )
    .await?;
    let mut marks: HashMap<i64, Vec<(String, Timestamp)>> = HashMap::new();
    for row in &rows {
        marks
            .entry(get(row, "ticket_id")?)
            .or_default()
            .push((get(row, "mark")?, timestamp(get(row, "cycle_start")?)?));
    }
    Ok(marks)
}

/// The mark recording a warning (`breached = false`) or breach of a target's cycle.
pub fn sla_mark(breached: bool, kind: TargetKind) -> String {
    format!(
        "{}:{}",
        if breached { "breach" } else { "warning" },
        kind.as_str()
    )
}

/// The mark of an automation step.
pub const PENDING_REMINDER: &str = "pending_reminder";
/// The mark of the automatic resolve of a ticket left pending on the customer.
pub const PENDING_RESOLVE: &str = "pending_resolve";
/// The mark of the automatic close of a resolved ticket.
pub const RESOLVED_CLOSE: &str = "resolved_close";

/// Everything about a ticket's clock at `now`.
pub(crate) async fn ticket_sla_now(
    conn: &mut DbConn,
    id: TicketId,
    now: Timestamp,
) -> StoreResult<TicketSlaNow> {
    let ticket = tickets::get_ticket(conn, id).await?;
    let found = clock_policy(conn, &ticket).await?;
    let (events, status_since) = clock_events(conn, &ticket, Refresh::Changed).await?;
    let clock = found.as_ref().and_then(|(_, policy)| {
        policy
            .clock(ticket.priority, ticket.created_at, &events, now)
            .ok()
    });
    let policy = match found {
        Some((policy_id, _)) => Some(get_policy(conn, policy_id).await?),
        None => None,
    };
    let marks = marks_of(conn, id).await?;
    Ok(TicketSlaNow {
        ticket,
        policy,
        clock,
        marks,
        status_since,
    })
}

fn stored_target(target: Option<&ferrodesk_domain::TargetClock>) -> Option<StoredTarget> {
    target.map(|t| StoredTarget {
        kind: t.kind,
        phase: t.phase,
        started_at: t.started_at,
        warn_at: t.warn_at,
        due_at: t.due_at,
    })
}

/// Whether a mark was recorded for a cycle, over the marks read for a ticket.
fn has_mark(marks: &[(String, Timestamp)], mark: &str, cycle_start: Timestamp) -> bool {
    marks.iter().any(|(m, at)| m == mark && *at == cycle_start)
}

/// The earliest warning or due instant of a running target not yet recorded: when the
/// ticket's SLA job must run (possibly already past).
fn next_sla_job(clock: &SlaClock, marks: &[(String, Timestamp)]) -> Option<Timestamp> {
    clock
        .targets()
        .filter(|t| t.phase == ClockPhase::Running)
        .flat_map(|t| {
            [(false, t.warn_at), (true, t.due_at)]
                .into_iter()
                .filter_map(move |(breached, at)| {
                    let at = at?;
                    (!has_mark(marks, &sla_mark(breached, t.kind), t.started_at)).then_some(at)
                })
        })
        .min()
}

/// When the ticket's next time-based automation step is due. Only a ticket pending on
/// the customer or resolved has one, so only those read the settings.
async fn next_automation_job(
    conn: &mut DbConn,
    status: TicketStatus,
    since: Timestamp,
    marks: &[(String, Timestamp)],
) -> StoreResult<Option<Timestamp>> {
    if !has_automation(status) {
        return Ok(None);
    }
    let settings = automation_settings(conn).await?;
    Ok(automation_due(&settings, status, since, marks))
}

/// Whether a ticket in `status` waits for a time-based automation step.
fn has_automation(status: TicketStatus) -> bool {
    matches!(
        status,
        TicketStatus::PendingCustomer | TicketStatus::Resolved
    )
}

/// [`next_automation_job`] with the settings at hand.
fn automation_due(
    settings: &AutomationSettings,
    status: TicketStatus,
    since: Timestamp,
    marks: &[(String, Timestamp)],
) -> Option<Timestamp> {
    let after = |minutes: Option<i64>| {
        minutes.and_then(|m| since.checked_add(jiff::SignedDuration::from_mins(m)).ok())
    };
    match status {
        TicketStatus::PendingCustomer => {
            if settings.pending_reminder_minutes.is_some()
                && !has_mark(marks, PENDING_REMINDER, since)
            {
                after(settings.pending_reminder_minutes)
            } else if !has_mark(marks, PENDING_RESOLVE, since) {
                after(settings.pending_resolve_minutes)
            } else {
                None
            }
        }
        TicketStatus::Resolved if !has_mark(marks, RESOLVED_CLOSE, since) => {
            after(settings.resolved_close_minutes)
        }
        _ => None,
    }
}

/// Puts a ticket's job of `kind` at `due`, or removes it. A ticket written in this
/// transaction for the first time has no job to remove.
async fn schedule(
    conn: &mut DbConn,
    kind: JobKind,
    ticket: TicketId,
    due: Option<Timestamp>,
    write: Refresh,
    now: Timestamp,
) -> StoreResult<()> {
    match due {
        Some(due) => put_jobs(conn, &[(kind, ticket, due)], now).await?,
        None if write != Refresh::Changed => {}
        None => {
            sqlx::query("delete from jobs where job_key = $1")
                .bind(job_key(kind, ticket))
                .execute(&mut *conn)
                .await
                .map_err(error::plain)?;
        }
    }
    Ok(())
}

/// The policy covering a ticket as the clock needs it (organization contract, else
/// service, else category, else the default), with its calendar, in one read.
async fn clock_policy(
    conn: &mut DbConn,
    ticket: &Ticket,
) -> StoreResult<Option<(PolicyId, SlaPolicy)>> {
    let row = sqlx::query(
        "select p.id, p.name, p.targets, p.warning_percent, p.terms_since, \
         c.always_open, c.time_zone, \
         c.hours, c.holidays from sla_policies p \
         join business_calendars c on c.id = p.calendar_id \
         where p.id = coalesce(\
         (select policy_id from sla_assignments where kind = $1 and target_id = $2), \
         (select policy_id from sla_assignments where kind = $3 and target_id = $4), \
         (select policy_id from sla_assignments where kind = $5 and target_id = $6), \
         (select min(id) from sla_policies where is_default))",
    )
    .bind(ORGANIZATION)
    .bind(ticket.organization_id.map_or(0, OrganizationId::get))
    .bind(SERVICE)
    .bind(ticket.service_id.map_or(0, ServiceId::get))
    .bind(CATEGORY)
    .bind(ticket.category_id.map_or(0, CategoryId::get))
    .fetch_optional(&mut *conn)
    .await
    .map_err(error::plain)?;
    let Some(row) = row else {
        return Ok(None);
    };
    let hours: Vec<String> = from_json(&get::<String>(&row, "hours")?)?;
    let holidays: Vec<String> = from_json(&get::<String>(&row, "holidays")?)?;
    let zone: String = get(&row, "time_zone")?;
    let calendar = stored(calendar_from_text(
        get(&row, "always_open")?,
        &zone,
        &hours,
        &holidays,
    ))?;
    let warning = stored(WarningShare::new(
        u8::try_from(get::<i64>(&row, "warning_percent")?).unwrap_or(0),
    ))?;
    let name: String = get(&row, "name")?;
    let policy = stored(SlaPolicy::new(
        &name,
        targets_from_json(&get::<String>(&row, "targets")?)?,
        warning,
        calendar,
    ))?
    .in_force_from(get_time(&row, "terms_since")?);
    Ok(Some((PolicyId(get(&row, "id")?), policy)))
}

/// What the write that refreshes a ticket's clock did to the ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refresh {
    /// Created it in this transaction: it has no marks and no jobs yet.
    New,
    /// Created it in this transaction with no event the clock reads (no status change,
    /// no public reply): like [`Refresh::New`], and its history need not be read.
    Opened,
    /// Changed it.
    Changed,
}

/// Recomputes a ticket's stored clock at `now` and reschedules its jobs. Called by
/// every ticket write, in its transaction.
pub(crate) async fn refresh(conn: &mut DbConn, id: TicketId, now: Timestamp) -> StoreResult<()> {
    let ticket = tickets::get_ticket(conn, id).await?;
    refresh_ticket(conn, &ticket, Refresh::Changed, now).await
}

/// [`refresh`] for up to `limit` open tickets after `after`, in id order; the last id
/// done, `None` when none were left.
pub(crate) async fn refresh_open(
    conn: &mut DbConn,
    after: Option<TicketId>,
    limit: i64,
    now: Timestamp,
) -> StoreResult<Option<TicketId>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "select id from tickets where is_open = true and id > $1 order by id limit $2",
    )
    .bind(after.map_or(0, TicketId::get))
    .bind(limit)
    .fetch_all(&mut *conn)
    .await
    .map_err(error::plain)?;
    for id in &ids {
        refresh(conn, TicketId(*id), now).await?;
    }
    Ok(ids.last().copied().map(TicketId))
}

/// [`refresh`] for a write that holds the ticket as it now stands.
pub(crate) async fn refresh_ticket(
    conn: &mut DbConn,
    ticket: &Ticket,
    write: Refresh,
    now: Timestamp,
) -> StoreResult<()> {
    let policy = clock_policy(conn, ticket).await?;
    let (events, status_since) = clock_events(conn, ticket, write).await?;
    let marks = match write {
        Refresh::New | Refresh::Opened => Vec::new(),
        Refresh::Changed => marks_of(conn, ticket.id).await?,
    };
    let clock = StoredClock::of(ticket, policy.as_ref(), &events, &marks, now);
    let automation_due = next_automation_job(conn, ticket.status, status_since, &marks).await?;
    write_clocks(conn, std::slice::from_ref(&clock), now).await?;
    schedule(conn, JobKind::Sla, ticket.id, clock.sla_due, write, now).await?;
    schedule(
        conn,
        JobKind::Automation,
        ticket.id,
        automation_due,
        write,
        now,
    )
    .await
}

/// The stored clocks of tickets created in bulk, with their jobs, in a few multi-row
/// writes: the same rows [`refresh_ticket`] writes with [`Refresh::New`], but the
/// history comes from the events being written, the policy is read once per
/// (organization, service, category), and the settings and reply authors once.
pub(crate) async fn refresh_new_tickets(
    conn: &mut DbConn,
    tickets: &[(Ticket, &[NewEvent])],
    now: Timestamp,
) -> StoreResult<()> {
    let policies = Policies::read(conn, tickets.iter().map(|(ticket, _)| ticket)).await?;
    let repliers: BTreeSet<i64> = tickets
        .iter()
        .flat_map(|(_, events)| events.iter())
        .filter(|e| matches!(e.kind, EventKind::Reply { .. }) && e.visibility == Visibility::Public)
        .filter_map(|e| e.actor_id.map(UserId::get))
        .collect();
    let customers = customers_among(conn, &repliers).await?;
    let settings = if tickets.iter().any(|(t, _)| has_automation(t.status)) {
        Some(automation_settings(conn).await?)
    } else {
        None
    };
    let mut clocks = Vec::with_capacity(tickets.len());
    let mut jobs = Vec::new();
    for (ticket, events) in tickets {
        let policy = policies.of(ticket);
        let history = events.iter().filter_map(|e| match &e.kind {
            EventKind::StatusChanged { to, .. } => Some(History::Status {
                at: e.created_at,
                to: *to,
            }),
            EventKind::Reply { .. } if e.visibility == Visibility::Public => Some(History::Reply {
                at: e.created_at,
                by_customer: e
                    .actor_id
                    .is_some_and(|actor| customers.contains(&actor.get())),
            }),
            _ => None,
        });
        let (events, since) = clock_history(ticket, history);
        let clock = StoredClock::of(ticket, policy, &events, &[], now);
        if let Some(due) = clock.sla_due {
            jobs.push((JobKind::Sla, ticket.id, due));
        }
        if let Some(due) = settings
            .as_ref()
            .and_then(|settings| automation_due(settings, ticket.status, since, &[]))
        {
            jobs.push((JobKind::Automation, ticket.id, due));
        }
        clocks.push(clock);
    }
    write_clocks(conn, &clocks, now).await?;
    put_jobs(conn, &jobs, now).await
}

/// The policies covering some tickets, read once per (organization, service,
/// category): what chooses a ticket's policy (see [`clock_policy`]).
struct Policies(HashMap<PolicyKey, Option<(PolicyId, SlaPolicy)>>);

type PolicyKey = (
    Option<OrganizationId>,
    Option<ServiceId>,
    Option<CategoryId>,
);

impl Policies {
    fn key(ticket: &Ticket) -> PolicyKey {
        (
            ticket.organization_id,
            ticket.service_id,
            ticket.category_id,
        )
    }

    async fn read<'t>(
        conn: &mut DbConn,
        tickets: impl Iterator<Item = &'t Ticket>,
    ) -> StoreResult<Policies> {
        let mut policies = HashMap::new();
        for ticket in tickets {
            if let Entry::Vacant(slot) = policies.entry(Policies::key(ticket)) {
                slot.insert(clock_policy(conn, ticket).await?);
            }
        }
        Ok(Policies(policies))
    }

    fn of(&self, ticket: &Ticket) -> Option<&(PolicyId, SlaPolicy)> {
        self.0.get(&Policies::key(ticket)).and_then(Option::as_ref)
    }
}

/// [`refresh_ticket`] with [`Refresh::Changed`] for many tickets changed in this
/// transaction, each once, in a few statements for all: the same clocks and jobs, with
/// the policies read once per (organization, service, category), and the histories,
/// marks and settings once for all.
pub(crate) async fn refresh_changed_tickets(
    conn: &mut DbConn,
    tickets: &[&Ticket],
    now: Timestamp,
) -> StoreResult<()> {
    let policies = Policies::read(conn, tickets.iter().copied()).await?;
    let ids: Vec<i64> = tickets.iter().map(|t| t.id.get()).collect();
    let mut histories = histories(conn, &ids).await?;
    let mut marks = marks_of_tickets(conn, &ids).await?;
    let settings = if tickets.iter().any(|t| has_automation(t.status)) {
        Some(automation_settings(conn).await?)
    } else {
        None
    };
    let mut clocks = Vec::with_capacity(tickets.len());
    let mut due = Vec::new();
    let mut done = Vec::new();
    for ticket in tickets {
        let history = histories.remove(&ticket.id.get()).unwrap_or_default();
        let marks = marks.remove(&ticket.id.get()).unwrap_or_default();
        let (events, since) = clock_history(ticket, history);
        let clock = StoredClock::of(ticket, policies.of(ticket), &events, &marks, now);
        let automation = settings
            .as_ref()
            .and_then(|settings| automation_due(settings, ticket.status, since, &marks));
        for (kind, at) in [
            (JobKind::Sla, clock.sla_due),
            (JobKind::Automation, automation),
        ] {
            match at {
                Some(at) => due.push((kind, ticket.id, at)),
                None => done.push(job_key(kind, ticket.id)),
            }
        }
        clocks.push(clock);
    }
    write_clocks(conn, &clocks, now).await?;
    put_jobs(conn, &due, now).await?;
    for chunk in done.chunks(BULK_ROWS) {
        let mut query = QueryBuilder::<Db>::new("delete from jobs where job_key in (");
        {
            let mut list = query.separated(", ");
            for key in chunk {
                list.push_bind(key.as_str());
            }
        }
        query.push(")");
        query
            .build()
            .execute(&mut *conn)
            .await
            .map_err(error::plain)?;
    }
    Ok(())
}

/// Pushes `ids` as a comma-separated list of bound values.
fn push_list(query: &mut QueryBuilder<Db>, ids: &[i64]) {
    let mut list = query.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
}

/// The rows of `head`, a list of `ids`, then `tail`: one query per [`BULK_ROWS`] ids.
async fn rows_for_ids(
    conn: &mut DbConn,
    head: &'static str,
    ids: &[i64],
    tail: &'static str,
) -> StoreResult<Vec<DbRow>> {
    let mut rows = Vec::new();
    for chunk in ids.chunks(BULK_ROWS) {
        let mut query = QueryBuilder::<Db>::new(head);
        push_list(&mut query, chunk);
        query.push(tail);
        rows.extend(
            query
                .build()
                .fetch_all(&mut *conn)
                .await
                .map_err(error::plain)?,
        );
    }
    Ok(rows)
}

/// Which of `ids` are customers.
async fn customers_among(conn: &mut DbConn, ids: &BTreeSet<i64>) -> StoreResult<HashSet<i64>> {
    let mut customers = HashSet::new();
    let ids: Vec<i64> = ids.iter().copied().collect();
    for chunk in ids.chunks(BULK_ROWS) {
        let mut query =
            QueryBuilder::<Db>::new("select id from users where role = 'customer' and id in (");
        push_list(&mut query, chunk);
        query.push(")");
        let found: Vec<i64> = query
            .build_query_scalar()
            .fetch_all(&mut *conn)
            .await
            .map_err(error::plain)?;
        customers.extend(found);
    }
    Ok(customers)
}

/// Rows per multi-row write of clocks and jobs: well under both backends' limits on
/// bind parameters (17 per clock row).
const BULK_ROWS: usize = 500;

/// What `ticket_sla` stores for a ticket, and when its SLA job is due.
struct StoredClock {
    ticket_id: TicketId,
    policy_id: Option<PolicyId>,
    targets: [Option<StoredTarget>; 3],
    next_due: Option<Timestamp>,
    sla_due: Option<Timestamp>,
}

impl StoredClock {
    fn of(
        ticket: &Ticket,
        policy: Option<&(PolicyId, SlaPolicy)>,
        events: &[ClockEvent],
        marks: &[(String, Timestamp)],
        now: Timestamp,
    ) -> StoredClock {
        let clock = policy.and_then(|(_, policy)| {
            policy
                .clock(ticket.priority, ticket.created_at, events, now)
                .ok()
        });
        let clock = clock.as_ref();
        let targets = [
            stored_target(clock.and_then(|c| c.first_response.as_ref())),
            stored_target(clock.and_then(|c| c.next_update.as_ref())),
            stored_target(clock.and_then(|c| c.resolution.as_ref())),
        ];
        let next_due = targets
            .iter()
            .flatten()
            .filter(|t| t.phase == ClockPhase::Running)
            .filter_map(|t| t.due_at)
            .min();
        StoredClock {
            ticket_id: ticket.id,
            policy_id: policy.map(|(id, _)| *id),
            targets,
            next_due,
            sla_due: clock.and_then(|c| next_sla_job(c, marks)),
        }
    }
}

/// Stores clocks, replacing those the tickets had.
async fn write_clocks(
    conn: &mut DbConn,
    clocks: &[StoredClock],
    now: Timestamp,
) -> StoreResult<()> {
    for chunk in clocks.chunks(BULK_ROWS) {
        let mut query = QueryBuilder::<Db>::new(
            "insert into ticket_sla (ticket_id, policy_id, \
             first_response_phase, first_response_warn_at, first_response_due_at, first_response_started_at, \
             update_phase, update_warn_at, update_due_at, update_started_at, \
             resolution_phase, resolution_warn_at, resolution_due_at, resolution_started_at, \
             next_due_at, created_at, updated_at) ",
        );
        query.push_values(chunk, |mut values, clock| {
            values.push_bind(clock.ticket_id.get());
            values.push_bind(clock.policy_id.map(PolicyId::get));
            for target in &clock.targets {
                values.push_bind(target.map(|t| t.phase.as_str()));
                values.push_bind(target.and_then(|t| t.warn_at).map(micros));
                values.push_bind(target.and_then(|t| t.due_at).map(micros));
                values.push_bind(target.map(|t| micros(t.started_at)));
            }
            values.push_bind(clock.next_due.map(micros));
            values.push_bind(micros(now));
            values.push_bind(micros(now));
        });
        query.push(
            " on conflict (ticket_id) do update set policy_id = excluded.policy_id, \
             first_response_phase = excluded.first_response_phase, \
             first_response_warn_at = excluded.first_response_warn_at, \
             first_response_due_at = excluded.first_response_due_at, \
             first_response_started_at = excluded.first_response_started_at, \
             update_phase = excluded.update_phase, update_warn_at = excluded.update_warn_at, \
             update_due_at = excluded.update_due_at, update_started_at = excluded.update_started_at, \
             resolution_phase = excluded.resolution_phase, \
             resolution_warn_at = excluded.resolution_warn_at, \
             resolution_due_at = excluded.resolution_due_at, \
             resolution_started_at = excluded.resolution_started_at, \
             next_due_at = excluded.next_due_at, updated_at = excluded.updated_at",
        );
        query
            .build()
            .execute(&mut *conn)
            .await
            .map_err(error::plain)?;
    }
    Ok(())
}

/// The key of a ticket's job of `kind`: one job per ticket and kind.
fn job_key(kind: JobKind, ticket: TicketId) -> String {
    format!("{}:{}", kind.as_str(), ticket.get())
}

/// Puts jobs at their due times, replacing a ticket's job of the same kind (a moved
/// job starts over: no lease, no attempts).
async fn put_jobs(
    conn: &mut DbConn,
    jobs: &[(JobKind, TicketId, Timestamp)],
    now: Timestamp,
) -> StoreResult<()> {
    for chunk in jobs.chunks(BULK_ROWS) {
        let mut query = QueryBuilder::<Db>::new(
            "insert into jobs (job_key, kind, ticket_id, due_at, attempts, created_at, updated_at) ",
        );
        query.push_values(chunk, |mut values, (kind, ticket, due)| {
            values.push_bind(job_key(*kind, *ticket));
            values.push_bind(kind.as_str());
            values.push_bind(ticket.get());
            values.push_bind(micros(*due));
            values.push_bind(0_i64);
            values.push_bind(micros(now));
            values.push_bind(micros(now));
        });
        query.push(
            " on conflict (job_key) do update set due_at = excluded.due_at, \
             lease_until = null, lease_token = null, attempts = 0, \
             updated_at = excluded.updated_at where jobs.due_at <> excluded.due_at",
        );
        query
            .build()
            .execute(&mut *conn)
            .await
            .map_err(error::plain)?;
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
    {
        let mut list = query.separated(", ");
        for id in ids {
            list.push_bind(id.get());
        }
    }
    query.push(") order by ticket_id");
    let rows = query
        .build()
        .fetch_all(&mut *conn)
        .await
        .map_err(error::plain)?;
    rows.iter()
        .map(|row| {
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
        .collect()
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

// --- jobs -----------------------------------------------------------------------------------------

fn is_postgres() -> bool {
    <Db as sqlx::Database>::NAME == "PostgreSQL"
}

/// Claims due jobs for `lease_until` under `token`.
pub(crate) async fn claim_jobs(
    conn: &mut DbConn,
    now: Timestamp,
    lease_until: Timestamp,
    token: &str,
    limit: i64,
) -> StoreResult<Vec<Job>> {
    // PostgreSQL: concurrent claimers skip rows another transaction holds. SQLite has
    // one writer, so the claim is serialized anyway.
    let lock = if is_postgres() {
        " for update skip locked"
    } else {
        ""
    };
    let sql = format!(
        "update jobs set lease_until = $2, lease_token = $3, attempts = attempts + 1, \
         updated_at = $1 where id in (select id from jobs where due_at <= $1 and \
         (lease_until is null or lease_until <= $1) order by due_at, id limit $4{lock}) \
         returning id, kind, ticket_id, due_at, lease_token, attempts"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(micros(now))
        .bind(micros(lease_until))
        .bind(token)
        .bind(limit.clamp(1, 1000))
        .fetch_all(&mut *conn)
        .await
        .map_err(error::plain)?;
    let mut jobs = rows
        .iter()
        .map(|row| {
            let kind: String = get(row, "kind")?;
            let ticket: Option<i64> = get(row, "ticket_id")?;
            Ok(Job {
                id: JobId(get(row, "id")?),
                kind: JobKind::parse(&kind)
                    .ok_or_else(|| crate::sql::convert::damaged(format!("job kind {kind}")))?,
                ticket_id: ticket.map(TicketId),
                due_at: get_time(row, "due_at")?,
                lease_token: get(row, "lease_token")?,
                attempts: get(row, "attempts")?,
            })
        })
        .collect::<StoreResult<Vec<Job>>>()?;
    jobs.sort_by_key(|j| (j.due_at, j.id));
    Ok(jobs)
}

async fn release(conn: &mut DbConn, id: JobId, token: &str) -> StoreResult<()> {
    let done = sqlx::query("delete from jobs where id = $1 and lease_token = $2")
        .bind(id.get())
        .bind(token)
        .execute(&mut *conn)
        .await
        .map_err(error::plain)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::conflict(
            Conflict::Stale,
            format!("job {id} was rescheduled or taken over; its work is left to the new run"),
        ));
    }
    Ok(())
}

/// Finishes a job: its removal and everything it did, in one transaction.
pub(crate) async fn finish_job(conn: &mut DbConn, finish: &JobFinish) -> StoreResult<()> {
    release(conn, finish.job_id, &finish.lease_token).await?;
    if let Some(ticket) = finish.ticket_id {
        for (mark, cycle) in &finish.marks {
            let done = sqlx::query(
                "insert into ticket_marks (ticket_id, mark, cycle_start, created_at, updated_at) \
                 values ($1, $2, $3, $4, $4) on conflict (ticket_id, mark, cycle_start) do nothing",
            )
            .bind(ticket.get())
            .bind(mark)
            .bind(micros(*cycle))
            .bind(micros(finish.now))
            .execute(&mut *conn)
            .await
            .map_err(error::plain)?;
            if done.rows_affected() == 0 {
                return Err(StoreError::conflict(
                    Conflict::State,
                    format!("{mark} of ticket {ticket} was already recorded"),
                ));
            }
        }
        if let Some(change) = &finish.change {
            let write = TicketWrite {
                changes: vec![change.clone()],
                links: Vec::new(),
                idempotency: None,
                settings_version: None,
            };
            tickets::save_tickets(conn, &write).await?;
        } else if finish.events.is_empty() {
            refresh(conn, ticket, finish.now).await?;
        } else {
            for event in &finish.events {
                let append = EventAppend {
                    ticket_id: ticket,
                    event: event.clone(),
                    marks_first_response: false,
                    idempotency: None,
                };
                tickets::append_event(conn, &append).await?;
            }
        }
    }
    notify(conn, &finish.notifications, finish.now).await
}

/// Hands a job back to run at `at`.
pub(crate) async fn retry_job(
    conn: &mut DbConn,
    id: JobId,
    token: &str,
    at: Timestamp,
) -> StoreResult<()> {
    let done = sqlx::query(
        "update jobs set due_at = $3, lease_until = null, lease_token = null, updated_at = $3 \
         where id = $1 and lease_token = $2",
    )
    .bind(id.get())
    .bind(token)
    .bind(micros(at))
    .execute(&mut *conn)
    .await
    .map_err(error::plain)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::conflict(
            Conflict::Stale,
            format!("job {id} was taken over"),
        ));
    }
    Ok(())
}

/// The earliest due time in the jobs table (from its index).
pub(crate) async fn next_job_due(conn: &mut DbConn) -> StoreResult<Option<Timestamp>> {
    let due: Option<i64> = sqlx::query_scalar("select due_at from jobs order by due_at limit 1")
        .fetch_optional(&mut *conn)
        .await
        .map_err(error::plain)?;
    due.map(timestamp).transpose()
}

// --- notifications and settings ----------------------------------------------------------------

/// Writes notifications.
pub(crate) async fn notify(
    conn: &mut DbConn,
    notes: &[ferrodesk_store::NewNotification],
    now: Timestamp,
) -> StoreResult<()> {
    for note in notes {
        sqlx::query(
            "insert into notifications (user_id, ticket_id, message, created_at, updated_at) \
             values ($1, $2, $3, $4, $4)",
        )
        .bind(note.user_id.get())
        .bind(note.ticket_id.map(TicketId::get))
        .bind(&note.message)
        .bind(micros(now))
        .execute(&mut *conn)
        .await
        .map_err(error::plain)?;
    }
    Ok(())
}

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
    sqlx::query(
        "insert into automation_settings (id, pending_reminder_minutes, pending_resolve_minutes, \
         resolved_close_minutes, created_at, updated_at) values (1, $1, $2, $3, $4, $4) \
         on conflict (id) do update set pending_reminder_minutes = excluded.pending_reminder_minutes, \
         pending_resolve_minutes = excluded.pending_resolve_minutes, \
         resolved_close_minutes = excluded.resolved_close_minutes, updated_at = excluded.updated_at",
    )
    .bind(settings.pending_reminder_minutes)
    .bind(settings.pending_resolve_minutes)
    .bind(settings.resolved_close_minutes)
    .bind(micros(now))
    .execute(&mut *conn)
    .await
    .map_err(error::plain)?;
    Ok(())
}
