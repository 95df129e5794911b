//! Each ticket's stored SLA clock and its due jobs.
//!
//! [`refresh`] is called by every ticket write in `tickets` inside the same
//! transaction: it reads the ticket's policy and clock-relevant history, computes the
//! clock with `ferrodesk_domain::SlaPolicy::clock`, stores the due times in
//! `ticket_sla`, and keeps exactly one `sla:{ticket}` job at the next warning or due
//! time not yet recorded and one `automation:{ticket}` job at the next time-based step.
//! Timers therefore never scan tickets: a runner reads the `jobs_due` index.

use crate::sql::automation::automation_settings;
use crate::sql::convert::{from_json, get, get_time, micros, stored, timestamp};
use crate::sql::jobs::{job_key, put_jobs};
use crate::sql::sla::{CATEGORY, ORGANIZATION, SERVICE, get_policy, targets_from_json};
use crate::sql::{error, tickets};
use crate::{Db, DbConn, DbRow};
use ferrodesk_domain::schedule::calendar_from_text;
use ferrodesk_domain::{
    CategoryId, ClockEvent, ClockPhase, EventKind, NewEvent, OrganizationId, ServiceId, SlaClock,
    SlaPolicy, TargetKind, Ticket, TicketId, TicketStatus, UserId, Visibility, WarningShare,
};
use ferrodesk_store::{
    AutomationSettings, JobKind, PolicyId, StoreResult, StoredTarget, TicketSlaNow,
};
use jiff::Timestamp;
use sqlx::QueryBuilder;
use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap, HashSet};

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
pub(crate) const BULK_ROWS: usize = 500;

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
