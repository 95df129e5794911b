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
use crate::sql::fetch;
use crate::sql::jobs::{delete_jobs, job_key, put_jobs};
use crate::sql::sla::{get_policy, targets_from_json};
use crate::sql::{error, tickets};
use crate::{Db, DbConn, DbRow};
use ferrodesk_domain::automation::{automation_due, waits_for_automation};
use ferrodesk_domain::schedule::calendar_from_text;
use ferrodesk_domain::sla::{Mark, clock_history, covering_policy, next_sla_job};
use ferrodesk_domain::{
    AutomationSettings, CategoryId, ClockEvent, ClockHistory, ClockPhase, Coverage, EventKind,
    NewEvent, OrganizationId, ServiceId, SlaPolicy, Ticket, TicketId, TicketStatus, UserId,
    WarningShare,
};
use ferrodesk_store::{JobKind, PolicyId, StoreResult, StoredTarget, TicketSlaNow};
use jiff::Timestamp;
use sqlx::QueryBuilder;
use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap, HashSet};

/// The clock-relevant history of a ticket (see [`histories`]), as clock events, plus
/// when its current status began.
async fn clock_events(
    conn: &mut DbConn,
    ticket: &Ticket,
) -> StoreResult<(Vec<ClockEvent>, Timestamp)> {
    let history = histories(conn, &[ticket.id.get()])
        .await?
        .remove(&ticket.id.get())
        .unwrap_or_default();
    Ok(clock_history(ticket, history))
}

/// The clock-relevant history of tickets, in id order: status changes and public
/// replies, without the replies' bodies, which the clock does not read.
async fn histories(conn: &mut DbConn, ids: &[i64]) -> StoreResult<HashMap<i64, Vec<ClockHistory>>> {
    let rows = fetch::rows_for_ids(
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
    let mut histories: HashMap<i64, Vec<ClockHistory>> = HashMap::new();
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
fn history_of_row(row: &DbRow) -> StoreResult<Option<ClockHistory>> {
    let at = get_time(row, "created_at")?;
    let kind: String = get(row, "kind")?;
    if kind == "status_changed" {
        Ok(match from_json(&get::<String>(row, "data")?)? {
            EventKind::StatusChanged { to, .. } => Some(ClockHistory::Status { at, to }),
            _ => None,
        })
    } else {
        let role: Option<String> = get(row, "role")?;
        Ok(Some(ClockHistory::Reply {
            at,
            by_customer: role.as_deref() == Some("customer"),
        }))
    }
}

/// The marks recorded for a ticket.
async fn marks_of(conn: &mut DbConn, id: TicketId) -> StoreResult<Vec<Mark>> {
    Ok(marks_of_tickets(conn, &[id.get()])
        .await?
        .remove(&id.get())
        .unwrap_or_default())
}

/// The marks recorded for tickets, by ticket.
async fn marks_of_tickets(conn: &mut DbConn, ids: &[i64]) -> StoreResult<HashMap<i64, Vec<Mark>>> {
    let rows = fetch::rows_for_ids(
        conn,
        "select ticket_id, mark, cycle_start from ticket_marks where ticket_id in (",
        ids,
        ")",
    )
    .await?;
    let mut marks: HashMap<i64, Vec<Mark>> = HashMap::new();
    for row in &rows {
        marks
            .entry(get(row, "ticket_id")?)
            .or_default()
            .push((get(row, "mark")?, timestamp(get(row, "cycle_start")?)?));
    }
    Ok(marks)
}

/// Everything about a ticket's clock at `now`.
pub(crate) async fn ticket_sla_now(
    conn: &mut DbConn,
    id: TicketId,
    now: Timestamp,
) -> StoreResult<TicketSlaNow> {
    let ticket = tickets::get_ticket(conn, id).await?;
    let found = clock_policy(conn, &ticket).await?;
    let (events, status_since) = clock_events(conn, &ticket).await?;
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

/// The columns a policy is read with for the clock, given policies `p` and calendars
/// `c`.
macro_rules! clock_policy_columns {
    () => {
        "p.id, p.name, p.targets, p.warning_percent, p.terms_since, \
         c.always_open, c.time_zone, c.hours, c.holidays"
    };
}

/// The policy covering a ticket as the clock needs it, with its calendar, in one read:
/// the policies assigned to its organization, service or category and the default, of
/// which the domain's [`covering_policy`] chooses.
async fn clock_policy(
    conn: &mut DbConn,
    ticket: &Ticket,
) -> StoreResult<Option<(PolicyId, SlaPolicy)>> {
    let rows = sqlx::query(concat!(
        "select a.kind as coverage, ",
        clock_policy_columns!(),
        " from sla_assignments a join sla_policies p on p.id = a.policy_id \
         join business_calendars c on c.id = p.calendar_id \
         where (a.kind = $1 and a.target_id = $2) or (a.kind = $3 and a.target_id = $4) \
         or (a.kind = $5 and a.target_id = $6) \
         union all select 'default' as coverage, ",
        clock_policy_columns!(),
        " from sla_policies p join business_calendars c on c.id = p.calendar_id \
         where p.id = (select min(id) from sla_policies where is_default)"
    ))
    .bind(Coverage::Organization.as_str())
    .bind(ticket.organization_id.map_or(0, OrganizationId::get))
    .bind(Coverage::Service.as_str())
    .bind(ticket.service_id.map_or(0, ServiceId::get))
    .bind(Coverage::Category.as_str())
    .bind(ticket.category_id.map_or(0, CategoryId::get))
    .fetch_all(&mut *conn)
    .await
    .map_err(error::plain)?;
    let mut candidates = Vec::with_capacity(rows.len());
    for row in &rows {
        candidates.push((
            stored(Coverage::parse(&get::<String>(row, "coverage")?))?,
            row,
        ));
    }
    covering_policy(candidates)
        .map(clock_policy_of_row)
        .transpose()
}

/// A row of [`clock_policy`] as the clock needs it.
fn clock_policy_of_row(row: &DbRow) -> StoreResult<(PolicyId, SlaPolicy)> {
    let hours: Vec<String> = from_json(&get::<String>(row, "hours")?)?;
    let holidays: Vec<String> = from_json(&get::<String>(row, "holidays")?)?;
    let zone: String = get(row, "time_zone")?;
    let calendar = stored(calendar_from_text(
        get(row, "always_open")?,
        &zone,
        &hours,
        &holidays,
    ))?;
    let warning = stored(WarningShare::new(
        u8::try_from(get::<i64>(row, "warning_percent")?).unwrap_or(0),
    ))?;
    let name: String = get(row, "name")?;
    let policy = stored(SlaPolicy::new(
        &name,
        targets_from_json(&get::<String>(row, "targets")?)?,
        warning,
        calendar,
    ))?
    .in_force_from(get_time(row, "terms_since")?);
    Ok((PolicyId(get(row, "id")?), policy))
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
    refresh_tickets(conn, &[&ticket], Refresh::Changed, now).await
}

/// [`refresh`] for up to `limit` open tickets after `after`, in id order; the last id
/// done, `None` when none were left.
pub(crate) async fn refresh_open(
    conn: &mut DbConn,
    after: Option<TicketId>,
    limit: i64,
    now: Timestamp,
) -> StoreResult<Option<TicketId>> {
    // The rows are locked (PostgreSQL) before their clocks are read: a write to one
    // of these tickets that commits meanwhile (a reply meeting the first response)
    // waits for this batch and then stores its own clock, instead of having it
    // overwritten by one computed from what was read before it. A ticket write locks
    // its ticket row before the clock and job rows too, so the two never wait on each
    // other the other way round.
    let ids: Vec<i64> = sqlx::query_scalar(concat!(
        "select id from tickets where is_open = true and id > $1 order by id limit $2",
        for_update!()
    ))
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

/// Recomputes the stored clocks of tickets written in this transaction at `now` and
/// reschedules their jobs, in a few statements for all: the policies are read once per
/// (organization, service, category), the histories, marks and settings once for all.
/// Every ticket write calls it in its transaction, a single write as a batch of one.
pub(crate) async fn refresh_tickets(
    conn: &mut DbConn,
    tickets: &[&Ticket],
    write: Refresh,
    now: Timestamp,
) -> StoreResult<()> {
    let policies = Policies::read(conn, tickets.iter().copied()).await?;
    let ids: Vec<i64> = tickets.iter().map(|t| t.id.get()).collect();
    // A ticket just opened has no history the clock reads; a new one has no marks and
    // no jobs yet.
    let mut histories = match write {
        Refresh::Opened => HashMap::new(),
        Refresh::New | Refresh::Changed => histories(conn, &ids).await?,
    };
    let mut marks = match write {
        Refresh::Changed => marks_of_tickets(conn, &ids).await?,
        Refresh::New | Refresh::Opened => HashMap::new(),
    };
    let settings = settings_for(conn, tickets.iter().map(|t| t.status)).await?;
    let mut clocks = Vec::with_capacity(tickets.len());
    let mut due = Vec::new();
    let mut done = Vec::new();
    for ticket in tickets {
        let history = histories.remove(&ticket.id.get()).unwrap_or_default();
        let marks = marks.remove(&ticket.id.get()).unwrap_or_default();
        let policy = policies.of(ticket);
        let (clock, jobs) = plan(ticket, policy, history, &marks, settings.as_ref(), now);
        for (kind, at) in jobs {
            match at {
                Some(at) => due.push((kind, ticket.id, at)),
                None => done.push(job_key(kind, ticket.id)),
            }
        }
        clocks.push(clock);
    }
    write_clocks(conn, &clocks, now).await?;
    put_jobs(conn, &due, now).await?;
    if write == Refresh::Changed {
        delete_jobs(conn, &done).await?;
    }
    Ok(())
}

/// The stored clocks of tickets created in bulk, with their jobs, in a few multi-row
/// writes: the same rows [`refresh_tickets`] writes with [`Refresh::New`], but the
/// history comes from the events being written instead of being read back, and the
/// reply authors are read once.
pub(crate) async fn refresh_new_tickets(
    conn: &mut DbConn,
    tickets: &[(Ticket, &[NewEvent])],
    now: Timestamp,
) -> StoreResult<()> {
    let policies = Policies::read(conn, tickets.iter().map(|(ticket, _)| ticket)).await?;
    let repliers: BTreeSet<i64> = tickets
        .iter()
        .flat_map(|(_, events)| events.iter())
        .filter(|e| ClockHistory::is_public_reply(&e.kind, e.visibility))
        .filter_map(|e| e.actor_id.map(UserId::get))
        .collect();
    let customers = customers_among(conn, &repliers).await?;
    let settings = settings_for(conn, tickets.iter().map(|(t, _)| t.status)).await?;
    let mut clocks = Vec::with_capacity(tickets.len());
    let mut due = Vec::new();
    for (ticket, events) in tickets {
        let history = events
            .iter()
            .filter_map(|e| ClockHistory::of_event(e, |actor| customers.contains(&actor.get())));
        let policy = policies.of(ticket);
        let (clock, jobs) = plan(ticket, policy, history, &[], settings.as_ref(), now);
        for (kind, at) in jobs {
            if let Some(at) = at {
                due.push((kind, ticket.id, at));
            }
        }
        clocks.push(clock);
    }
    write_clocks(conn, &clocks, now).await?;
    put_jobs(conn, &due, now).await
}

/// A ticket's stored clock and when its SLA and automation jobs are due (`None`: no
/// job), from what was read of it; the domain decides each.
fn plan(
    ticket: &Ticket,
    policy: Option<&(PolicyId, SlaPolicy)>,
    history: impl IntoIterator<Item = ClockHistory>,
    marks: &[Mark],
    settings: Option<&AutomationSettings>,
    now: Timestamp,
) -> (StoredClock, [(JobKind, Option<Timestamp>); 2]) {
    let (events, since) = clock_history(ticket, history);
    let clock = StoredClock::of(ticket, policy, &events, marks, now);
    let automation = settings.and_then(|s| automation_due(s, ticket.status, since, marks));
    let jobs = [
        (JobKind::Sla, clock.sla_due),
        (JobKind::Automation, automation),
    ];
    (clock, jobs)
}

/// The automation settings, read only when a ticket in one of `statuses` may wait for
/// a time-based step.
async fn settings_for(
    conn: &mut DbConn,
    mut statuses: impl Iterator<Item = TicketStatus>,
) -> StoreResult<Option<AutomationSettings>> {
    if statuses.any(waits_for_automation) {
        Ok(Some(automation_settings(conn).await?))
    } else {
        Ok(None)
    }
}

/// The policies covering some tickets, read once per (organization, service,
/// category) with [`clock_policy`].
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

/// Which of `ids` are customers.
async fn customers_among(conn: &mut DbConn, ids: &BTreeSet<i64>) -> StoreResult<HashSet<i64>> {
    let mut customers = HashSet::new();
    let ids: Vec<i64> = ids.iter().copied().collect();
    for chunk in ids.chunks(BULK_ROWS) {
        let mut query =
            QueryBuilder::<Db>::new("select id from users where role = 'customer' and id in (");
        fetch::push_list(&mut query, chunk.iter().copied());
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
        marks: &[Mark],
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
        fetch::execute(conn, query.build()).await?;
    }
    Ok(())
}
