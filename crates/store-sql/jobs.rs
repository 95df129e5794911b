//! The jobs table: jobs put by the clocks, claimed under a lease, finished with what
//! they wrote, or retried; [`JobStore`] for the backend.

use crate::sql::clocks::{BULK_ROWS, refresh};
use crate::sql::convert::{get, get_time, micros, timestamp};
use crate::sql::fetch;
use crate::sql::notifications::notify;
use crate::sql::{convert, error, tickets};
use crate::{Backend, Db, DbConn};
use async_trait::async_trait;
use ferrodesk_domain::TicketId;
use ferrodesk_store::{
    Conflict, EventAppend, Job, JobFinish, JobId, JobKind, JobStore, StoreError, StoreResult,
    TicketWrite,
};
use jiff::{SignedDuration, Timestamp};
use sqlx::QueryBuilder;
use std::hash::{BuildHasher, Hasher};

/// The key of a ticket's job of `kind`: one job per ticket and kind.
pub(crate) fn job_key(kind: JobKind, ticket: TicketId) -> String {
    format!("{}:{}", kind.as_str(), ticket.get())
}

/// Puts jobs at their due times, replacing a ticket's job of the same kind (a moved
/// job starts over: no lease, no attempts).
pub(crate) async fn put_jobs(
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
        fetch::execute(conn, query.build()).await?;
    }
    Ok(())
}

/// Removes the jobs with these keys (those of tickets with nothing left to do).
pub(crate) async fn delete_jobs(conn: &mut DbConn, keys: &[String]) -> StoreResult<()> {
    for chunk in keys.chunks(BULK_ROWS) {
        let mut query = QueryBuilder::<Db>::new("delete from jobs where job_key in (");
        fetch::push_list(&mut query, chunk.iter().map(|key| key.as_str()));
        query.push(")");
        fetch::execute(conn, query.build()).await?;
    }
    Ok(())
}

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
                    .ok_or_else(|| convert::damaged(format!("job kind {kind}")))?,
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
    let query = sqlx::query("delete from jobs where id = $1 and lease_token = $2")
        .bind(id.get())
        .bind(token);
    if fetch::execute(conn, query).await? == 0 {
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
            let query = sqlx::query(
                "insert into ticket_marks (ticket_id, mark, cycle_start, created_at, updated_at) \
                 values ($1, $2, $3, $4, $4) on conflict (ticket_id, mark, cycle_start) do nothing",
            )
            .bind(ticket.get())
            .bind(mark)
            .bind(micros(*cycle))
            .bind(micros(finish.now));
            if fetch::execute(conn, query).await? == 0 {
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
                    notices: Vec::new(),
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
    let query = sqlx::query(
        "update jobs set due_at = $3, lease_until = null, lease_token = null, updated_at = $3 \
         where id = $1 and lease_token = $2",
    )
    .bind(id.get())
    .bind(token)
    .bind(micros(at));
    if fetch::execute(conn, query).await? == 0 {
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

/// A claim token no other claim (on any node) will draw.
fn claim_token(now: Timestamp) -> String {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_i64(now.as_microsecond());
    hasher.write_u32(std::process::id());
    format!("{:016x}{:08x}", hasher.finish(), std::process::id())
}

#[async_trait]
impl JobStore for Backend {
    async fn claim_jobs(
        &self,
        now: Timestamp,
        lease_seconds: i64,
        limit: i64,
    ) -> StoreResult<Vec<Job>> {
        let lease_until = now
            .checked_add(SignedDuration::from_secs(lease_seconds.max(1)))
            .unwrap_or(now);
        let token = claim_token(now);
        self.write(
            (now, lease_until, token, limit),
            |c, (now, lease_until, token, limit)| {
                Box::pin(claim_jobs(c, *now, *lease_until, token, *limit))
            },
        )
        .await
    }

    async fn finish_job(&self, finish: JobFinish) -> StoreResult<()> {
        self.write(finish, |c, finish| Box::pin(finish_job(c, finish)))
            .await
    }

    async fn retry_job(&self, id: JobId, lease_token: &str, at: Timestamp) -> StoreResult<()> {
        let token = lease_token.to_owned();
        self.write((id, token, at), |c, (id, token, at)| {
            Box::pin(retry_job(c, *id, token, *at))
        })
        .await
    }

    async fn next_job_due(&self) -> StoreResult<Option<Timestamp>> {
        next_job_due(&mut *self.reader().await?).await
    }
}
