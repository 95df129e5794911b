//! Storage of due jobs: the SLA and automation steps ticket writes schedule, claimed
//! under a lease by whichever node runs them, and finished in one transaction with
//! what they wrote.

use crate::{JobId, NewNotification, StoreResult, TicketChange};
use async_trait::async_trait;
use ferrodesk_domain::{NewEvent, TicketId};
use jiff::Timestamp;

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// Look at a ticket's SLA clock: record warnings and breaches, run escalation rules
    /// and proactive communication.
    Sla,
    /// Run a ticket's time-based automation (pending reminder, auto-resolve, close).
    Automation,
}

impl JobKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Sla => "sla",
            JobKind::Automation => "automation",
        }
    }

    /// Reads the stored name.
    pub fn parse(text: &str) -> Option<JobKind> {
        match text {
            "sla" => Some(JobKind::Sla),
            "automation" => Some(JobKind::Automation),
            _ => None,
        }
    }
}

/// A claimed job: the claimer holds it until `lease_until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// Id.
    pub id: JobId,
    /// What to do.
    pub kind: JobKind,
    /// The ticket it is about.
    pub ticket_id: Option<TicketId>,
    /// When it was due.
    pub due_at: Timestamp,
    /// Proof of the claim; finishing needs it.
    pub lease_token: String,
    /// How often it was claimed (1 on the first claim).
    pub attempts: i64,
}

/// What a finished job wrote, all in one transaction with the job's removal.
#[derive(Debug, Clone)]
pub struct JobFinish {
    /// The job.
    pub job_id: JobId,
    /// Its lease; if another claimer took the job since, nothing is written.
    pub lease_token: String,
    /// The ticket it was about.
    pub ticket_id: Option<TicketId>,
    /// Marks to record: (mark, cycle start). If one exists already, nothing is
    /// written (someone else did this work).
    pub marks: Vec<(String, Timestamp)>,
    /// A change of the ticket (escalation, auto-resolve), guarded by its version.
    pub change: Option<TicketChange>,
    /// Events to append when there is no change (with a change, its own events).
    pub events: Vec<NewEvent>,
    /// Notifications to staff.
    pub notifications: Vec<NewNotification>,
    /// When.
    pub now: Timestamp,
}

/// The jobs table: claim, finish, retry.
#[async_trait]
pub trait JobStore: Send + Sync {
    /// Claims up to `limit` jobs due at `now` that nobody holds (or whose holder's
    /// lease ran out), holding them until `now + lease_seconds`. On PostgreSQL
    /// concurrent claimers skip each other's rows (`for update skip locked`).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn claim_jobs(
        &self,
        now: Timestamp,
        lease_seconds: i64,
        limit: i64,
    ) -> StoreResult<Vec<Job>>;

    /// Finishes a claimed job: removes it and writes what it did, atomically.
    ///
    /// # Errors
    /// `Conflict` when the lease was lost, a mark exists already or the ticket
    /// changed since it was read; nothing is written then.
    async fn finish_job(&self, finish: JobFinish) -> StoreResult<()>;

    /// Gives a claimed job back to run again at `at`.
    ///
    /// # Errors
    /// `Conflict` when the lease was lost.
    async fn retry_job(&self, id: JobId, lease_token: &str, at: Timestamp) -> StoreResult<()>;

    /// The earliest due time of any job, so a runner knows how long it may sleep.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn next_job_due(&self) -> StoreResult<Option<Timestamp>>;
}
