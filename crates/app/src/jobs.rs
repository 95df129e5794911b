//! The job runner: SLA timers, automatic escalation, proactive communication and
//! time-based automations, all as due jobs in the database (docs/ARCHITECTURE.md, "Data
//! and storage"; issue 4, "Jobs").
//!
//! Ticket writes schedule each ticket's next SLA deadline and automation step as due
//! jobs (see `ferrodesk_store::sla`); the runner claims due jobs with a lease (on
//! PostgreSQL with `for update skip locked`, so several nodes share the work), reads
//! the ticket's clock at the current time, and finishes the job in one transaction
//! with everything it decided: warning and breach marks, timeline events, an
//! escalation, notifications. A mark is unique per ticket, target and cycle, so a
//! warning or breach is recorded exactly once however many runners race, and a job
//! whose node crashed is claimed again once its lease runs out.

use crate::notifications::audience;
use crate::{App, AppError};
use ferrodesk_domain::{
    Channel, EscalationKind, EventKind, NewEvent, NotificationKind, Role, TargetKind, Ticket,
    TicketStatus, UserId, Visibility,
};
use ferrodesk_store::{
    Conflict, Job, JobFinish, JobKind, NewNotification, PageRequest, StoreError, TicketChange,
    TicketSlaNow, UserFilter,
};
use futures::StreamExt as _;
use jiff::{SignedDuration, Timestamp};
use std::time::Duration;

/// The marks the store keeps for automation steps (same names as the store uses).
const PENDING_REMINDER: &str = "pending_reminder";
const PENDING_RESOLVE: &str = "pending_resolve";
const RESOLVED_CLOSE: &str = "resolved_close";

/// Jobs of one pass that run at the same time.
const CONCURRENT_JOBS: usize = 16;

/// How the runner works.
#[derive(Debug, Clone)]
pub struct RunnerConfig {
    /// Longest sleep between looks at the jobs table (other nodes may have scheduled
    /// earlier work meanwhile).
    pub poll: Duration,
    /// How long a claim holds a job before another node may take it.
    pub lease_seconds: i64,
    /// Jobs claimed at once.
    pub batch: i64,
}

impl Default for RunnerConfig {
    fn default() -> Self {
        RunnerConfig {
            poll: Duration::from_secs(1),
            lease_seconds: 60,
            batch: 50,
        }
    }
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PassReport {
    /// Jobs claimed.
    pub claimed: usize,
    /// Jobs finished.
    pub finished: usize,
    /// Jobs another runner or a ticket change took over (their work is theirs).
    pub superseded: usize,
}

/// The job runner; get one from [`App::jobs`].
#[derive(Debug, Clone)]
pub struct Jobs {
    app: App,
    config: RunnerConfig,
}

fn desk_event(kind: EventKind, now: Timestamp) -> NewEvent {
    NewEvent::new(kind, None, Channel::Api, now)
}

fn public_reply(body: String, now: Timestamp) -> NewEvent {
    let mut event = desk_event(EventKind::Reply { body }, now);
    event.visibility = Visibility::Public;
    event
}

fn target_label(kind: TargetKind) -> &'static str {
    match kind {
        TargetKind::FirstResponse => "first response",
        TargetKind::Update => "update interval",
        TargetKind::Resolution => "resolution",
    }
}

/// What a job decided, before it is written.
#[derive(Debug, Default)]
struct Outcome {
    marks: Vec<(String, Timestamp)>,
    events: Vec<NewEvent>,
    after: Option<Ticket>,
    notify: Vec<(UserId, NotificationKind, String)>,
}

impl Jobs {
    pub(crate) fn new(app: App, config: RunnerConfig) -> Self {
        Jobs { app, config }
    }

    /// Runs until `shutdown` resolves: claims and runs due jobs, then sleeps until the
    /// next due time (at most [`RunnerConfig::poll`]).
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            let pause = match self.run_due().await {
                Ok(report) if report.claimed as i64 >= self.config.batch => Duration::ZERO,
                Ok(_) => self.sleep_time().await,
                Err(error) => {
                    tracing::warn!(%error, "job runner pass failed; retrying");
                    self.config.poll
                }
            };
            tokio::select! {
                () = &mut shutdown => return,
                () = tokio::time::sleep(pause) => {}
            }
        }
    }

    async fn sleep_time(&self) -> Duration {
        let now = self.app.now();
        match self.app.db().next_job_due().await {
            Ok(Some(due)) if due > now => {
                let wait = due.duration_since(now);
                Duration::try_from(wait)
                    .unwrap_or(self.config.poll)
                    .min(self.config.poll)
            }
            Ok(Some(_)) => Duration::from_millis(50).min(self.config.poll),
            _ => self.config.poll,
        }
    }

    /// Claims the jobs due now and runs them.
    ///
    /// # Errors
    /// `Unavailable` when the claim fails; a job that fails is retried later.
    pub async fn run_due(&self) -> Result<PassReport, AppError> {
        let now = self.app.now();
        let jobs = self
            .app
            .db()
            .claim_jobs(now, self.config.lease_seconds, self.config.batch)
            .await?;
        let mut report = PassReport {
            claimed: jobs.len(),
            ..PassReport::default()
        };
        // Each job is about one ticket; running several at once lets their writes share
        // a commit instead of waiting for one disk flush each.
        let mut runs = futures::stream::iter(jobs)
            .map(|job| async move {
                let result = self.run_one(&job, now).await;
                (job, result)
            })
            .buffer_unordered(CONCURRENT_JOBS);
        while let Some((job, result)) = runs.next().await {
            match result {
                Ok(()) => report.finished += 1,
                Err(AppError::Conflict { .. }) => report.superseded += 1,
                Err(error) => {
                    tracing::warn!(%error, job = job.id.get(), "job failed; retrying in a minute");
                    let retry = now.checked_add(SignedDuration::from_mins(1)).unwrap_or(now);
                    let _ = self
                        .app
                        .db()
                        .retry_job(job.id, &job.lease_token, retry)
                        .await;
                }
            }
        }
        Ok(report)
    }

    async fn run_one(&self, job: &Job, now: Timestamp) -> Result<(), AppError> {
        let db = self.app.db();
        let Some(ticket_id) = job.ticket_id else {
            return self.finish(job, None, Outcome::default(), now).await;
        };
        let state = match db.ticket_sla_now(ticket_id, now).await {
            Ok(state) => state,
            Err(StoreError::NotFound { .. }) => {
                return self.finish(job, None, Outcome::default(), now).await;
            }
            Err(other) => return Err(other.into()),
        };
        let outcome = match job.kind {
            JobKind::Sla => self.sla_outcome(&state, now).await?,
            JobKind::Automation => self.automation_outcome(&state, now).await?,
        };
        self.finish(job, Some(&state.ticket), outcome, now).await
    }

    async fn finish(
        &self,
        job: &Job,
        ticket: Option<&Ticket>,
        outcome: Outcome,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let change = match (&outcome.after, ticket) {
            (Some(after), Some(before)) => Some(TicketChange::new(
                before.clone(),
                after.clone(),
                outcome.events.clone(),
            )),
            _ => None,
        };
        let mut notify = outcome.notify;
        if let Some(before) = ticket {
            // Who the job's events concern is told as by any write (an SLA warning
            // or breach to the assignee, or the group while nobody is assigned).
            let after = outcome.after.as_ref().unwrap_or(before);
            let told = audience::notices(
                &self.app,
                None,
                Some(before),
                after,
                &outcome.events,
                Some(false),
            )
            .await?;
            for notice in told {
                if !notify.iter().any(|(user, _, _)| *user == notice.user_id) {
                    notify.push((notice.user_id, notice.kind, notice.message));
                }
            }
        }
        let settings = self.app.settings().await?;
        let notifications = notify
            .into_iter()
            .map(|(user_id, kind, message)| NewNotification {
                user_id,
                ticket_id: ticket.map(|t| t.id),
                kind,
                message,
                mail: settings.preferences(user_id).mails_at_once(kind),
            })
            .collect();
        let finish = JobFinish {
            job_id: job.id,
            lease_token: job.lease_token.clone(),
            ticket_id: ticket.map(|t| t.id),
            marks: outcome.marks,
            events: if change.is_some() {
                Vec::new()
            } else {
                outcome.events
            },
            change,
            notifications,
            now,
        };
        match self.app.db().finish_job(finish).await {
            Ok(()) => Ok(()),
            Err(StoreError::Conflict {
                kind: Conflict::Stale | Conflict::State,
                what,
            }) => Err(AppError::conflict("job_superseded", what)),
            Err(other) => Err(other.into()),
        }
    }

    /// Warnings and breaches not yet recorded, with the escalation rules they fire and
    /// proactive communication for a missed update.
    async fn sla_outcome(&self, state: &TicketSlaNow, now: Timestamp) -> Result<Outcome, AppError> {
        let mut outcome = Outcome::default();
        let Some(clock) = &state.clock else {
            return Ok(outcome);
        };
        if !state.ticket.status.is_open() {
            return Ok(outcome);
        }
        let mut fired: Vec<(bool, TargetKind)> = Vec::new();
        for target in clock.targets() {
            for (breached, passed, at) in [
                (false, target.is_warned(), target.warn_at),
                (true, target.is_breached(), target.due_at),
            ] {
                let mark = ferrodesk_domain::sla::sla_mark(breached, target.kind);
                let Some(due_at) = target.due_at else {
                    continue;
                };
                if !passed || at.is_none() || state.has_mark(&mark, target.started_at) {
                    continue;
                }
                outcome.marks.push((mark, target.started_at));
                let kind = if breached {
                    EventKind::SlaBreached {
                        target: target.kind,
                        due_at,
                    }
                } else {
                    EventKind::SlaWarning {
                        target: target.kind,
                        due_at,
                    }
                };
                outcome.events.push(desk_event(kind, now));
                fired.push((breached, target.kind));
            }
        }
        if fired.is_empty() {
            return Ok(outcome);
        }
        let number = state.ticket.id.display_number();
        // Proactive communication: the update interval passed without a public update.
        if fired.contains(&(true, TargetKind::Update)) {
            if let Some(owner) = state.ticket.owner_id.or(state.ticket.assignee_id) {
                outcome.notify.push((
                    owner,
                    NotificationKind::SlaBreached,
                    format!(
                        "{number} has had no public update within its update interval: {}",
                        state.ticket.subject
                    ),
                ));
            }
            if state
                .policy
                .as_ref()
                .is_some_and(|p| p.sends_progress_notes)
            {
                outcome.events.push(public_reply(
                    format!(
                        "We are still working on your request {number} and will keep you \
                         updated. Thank you for your patience."
                    ),
                    now,
                ));
            }
        }
        let rules = self.app.db().list_escalation_rules().await?;
        let mut escalate_reason = None;
        let mut notify_supervisors = None;
        for stored in rules.iter().filter(|r| r.is_enabled) {
            for (breached, kind) in &fired {
                if stored.rule.fires_on_sla(*breached, *kind) {
                    let what = format!(
                        "SLA {} of {}: rule '{}'",
                        if *breached { "breach" } else { "warning" },
                        target_label(*kind),
                        stored.name
                    );
                    if stored.rule.escalates && escalate_reason.is_none() {
                        escalate_reason = Some(what.clone());
                    }
                    if stored.rule.notifies_supervisor && notify_supervisors.is_none() {
                        notify_supervisors = Some(what);
                    }
                }
            }
        }
        self.apply_escalation(
            state,
            escalate_reason,
            notify_supervisors,
            &mut outcome,
            now,
        )
        .await?;
        Ok(outcome)
    }

    /// Moves the ticket to its group's escalation target (the next tier) and/or tells
    /// the group's supervisors, recording both on the timeline.
    async fn apply_escalation(
        &self,
        state: &TicketSlaNow,
        escalate_reason: Option<String>,
        notify_reason: Option<String>,
        outcome: &mut Outcome,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let ticket = &state.ticket;
        let number = ticket.id.display_number();
        if let Some(reason) = escalate_reason
            && let Some(target) = escalation_target(&self.app, ticket).await?
        {
            let mut after = ticket.clone();
            after.group_id = Some(target.id);
            after.tier = target.tier;
            after.escalation_level += 1;
            after.assignee_id = None;
            after.updated_at = now;
            outcome.events.push(desk_event(
                EventKind::Escalated {
                    kind: EscalationKind::Functional,
                    from_group: ticket.group_id,
                    to_group: Some(target.id),
                    from_tier: ticket.tier.get(),
                    to_tier: target.tier.get(),
                    reason: reason.clone(),
                    external_ref: None,
                },
                now,
            ));
            if let Some(owner) = ticket.owner_id {
                outcome.notify.push((
                    owner,
                    NotificationKind::Escalated,
                    format!("{number} was escalated to {}: {reason}", target.name),
                ));
            }
            outcome.after = Some(after);
        }
        if let Some(reason) = notify_reason {
            let supervisors = group_supervisors(&self.app, ticket).await?;
            if !supervisors.is_empty() {
                let message = format!("{number} needs attention ({reason}): {}", ticket.subject);
                outcome.events.push(desk_event(
                    EventKind::Notified {
                        user_ids: supervisors.clone(),
                        message: message.clone(),
                    },
                    now,
                ));
                for user in supervisors {
                    outcome
                        .notify
                        .push((user, NotificationKind::Rule, message.clone()));
                }
            }
        }
        Ok(())
    }

    /// Pending on the customer too long: remind, then resolve with a notice; resolved
    /// long enough: close. Each step once per stay in the status.
    async fn automation_outcome(
        &self,
        state: &TicketSlaNow,
        now: Timestamp,
    ) -> Result<Outcome, AppError> {
        let settings = self.app.db().automation_settings().await?;
        let mut outcome = Outcome::default();
        let since = state.status_since;
        let reached = |minutes: Option<i64>| {
            minutes.is_some_and(|m| {
                since
                    .checked_add(SignedDuration::from_mins(m))
                    .is_ok_and(|at| at <= now)
            })
        };
        let ticket = &state.ticket;
        let number = ticket.id.display_number();
        match ticket.status {
            TicketStatus::PendingCustomer => {
                let reminded = state.has_mark(PENDING_REMINDER, since);
                if settings.pending_reminder_minutes.is_some()
                    && !reminded
                    && reached(settings.pending_reminder_minutes)
                {
                    outcome.marks.push((PENDING_REMINDER.into(), since));
                    outcome.events.push(public_reply(
                        format!(
                            "We are waiting for your answer on {number}. Please reply so we \
                             can continue; without an answer the request will be resolved."
                        ),
                        now,
                    ));
                } else if (reminded || settings.pending_reminder_minutes.is_none())
                    && reached(settings.pending_resolve_minutes)
                    && !state.has_mark(PENDING_RESOLVE, since)
                {
                    outcome.marks.push((PENDING_RESOLVE.into(), since));
                    let mut after = ticket.clone();
                    let from = after.transition(TicketStatus::Resolved, now)?;
                    outcome.events.push(desk_event(
                        EventKind::StatusChanged {
                            from,
                            to: TicketStatus::Resolved,
                        },
                        now,
                    ));
                    outcome.events.push(public_reply(
                        format!(
                            "We resolved {number} because we did not hear back from you. \
                             If the problem remains, reply to reopen it."
                        ),
                        now,
                    ));
                    outcome.after = Some(after);
                }
            }
            TicketStatus::Resolved
                if reached(settings.resolved_close_minutes)
                    && !state.has_mark(RESOLVED_CLOSE, since) =>
            {
                outcome.marks.push((RESOLVED_CLOSE.into(), since));
                let mut after = ticket.clone();
                let from = after.transition(TicketStatus::Closed, now)?;
                outcome.events.push(desk_event(
                    EventKind::StatusChanged {
                        from,
                        to: TicketStatus::Closed,
                    },
                    now,
                ));
                outcome.after = Some(after);
            }
            _ => {}
        }
        Ok(outcome)
    }
}

/// Where a ticket goes when it escalates: its group's escalation target, else the
/// first group (by name) of the next tier.
pub(crate) async fn escalation_target(
    app: &App,
    ticket: &Ticket,
) -> Result<Option<ferrodesk_domain::Group>, AppError> {
    let db = app.db();
    let groups = db.list_groups().await?;
    if let Some(current) = ticket
        .group_id
        .and_then(|g| groups.iter().find(|x| x.id == g))
        && let Some(to) = current
            .escalates_to
            .and_then(|to| groups.iter().find(|g| g.id == to))
    {
        return Ok(Some(to.clone()));
    }
    let Some(next) = ticket.tier.next() else {
        return Ok(None);
    };
    let mut candidates: Vec<_> = groups.into_iter().filter(|g| g.tier == next).collect();
    candidates.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    Ok(candidates.into_iter().next())
}

/// The supervisors of the ticket's group.
pub(crate) async fn group_supervisors(app: &App, ticket: &Ticket) -> Result<Vec<UserId>, AppError> {
    let Some(group) = ticket.group_id else {
        return Ok(Vec::new());
    };
    let filter = UserFilter {
        role: Some(Role::Supervisor),
        group_id: Some(group),
        ..UserFilter::default()
    };
    let page = app
        .db()
        .list_users(&filter, &PageRequest::first(100))
        .await?;
    Ok(page
        .items
        .into_iter()
        .filter(|u| u.is_active)
        .map(|u| u.id)
        .collect())
}

/// Whether an escalation rule fires for this trigger on the ticket (used by the
/// ticket service for complaints and reassignments).
pub(crate) async fn rules_for(
    app: &App,
    fires: impl Fn(&ferrodesk_domain::EscalationRule) -> bool,
) -> Result<(Option<String>, Option<String>), AppError> {
    let mut escalate = None;
    let mut notify = None;
    for stored in app.db().list_escalation_rules().await? {
        if !stored.is_enabled || !fires(&stored.rule) {
            continue;
        }
        let why = format!("rule '{}'", stored.name);
        if stored.rule.escalates && escalate.is_none() {
            escalate = Some(why.clone());
        }
        if stored.rule.notifies_supervisor && notify.is_none() {
            notify = Some(why);
        }
    }
    Ok((escalate, notify))
}
