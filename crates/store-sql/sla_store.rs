//! The [`SlaStore`] trait for the backend, in terms of `reader()` and `write()` (see
//! `store`), over the queries in [`sla`](crate::sql::sla) and
//! [`rules`](crate::sql::rules).

use crate::Backend;
use crate::sql::{rules, sla};
use async_trait::async_trait;
use ferrodesk_domain::{GroupId, Ticket, TicketId, TicketScope, UserId};
use ferrodesk_store::{
    AgentLoad, AgentSettings, AssignmentMode, AutomationSettings, CalendarId, CalendarInput, Job,
    JobFinish, JobId, NewNotification, Notification, NotificationId, PageRequest, PolicyId,
    PolicyInput, RoutingRule, RoutingRuleInput, RuleId, SlaStore, StoreResult, StoredCalendar,
    StoredEscalationRule, StoredPolicy, TicketSla, TicketSlaNow,
};
use jiff::{SignedDuration, Timestamp};
use std::hash::{BuildHasher, Hasher};

/// A claim token no other claim (on any node) will draw.
fn claim_token(now: Timestamp) -> String {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_i64(now.as_microsecond());
    hasher.write_u32(std::process::id());
    format!("{:016x}{:08x}", hasher.finish(), std::process::id())
}

#[async_trait]
impl SlaStore for Backend {
    async fn create_calendar(&self, input: CalendarInput) -> StoreResult<StoredCalendar> {
        self.write(input, |c, input| Box::pin(sla::create_calendar(c, input)))
            .await
    }

    async fn update_calendar(
        &self,
        id: CalendarId,
        input: CalendarInput,
    ) -> StoreResult<StoredCalendar> {
        self.write((id, input), |c, (id, input)| {
            Box::pin(sla::update_calendar(c, *id, input))
        })
        .await
    }

    async fn get_calendar(&self, id: CalendarId) -> StoreResult<StoredCalendar> {
        sla::get_calendar(&mut *self.reader().await?, id).await
    }

    async fn list_calendars(&self) -> StoreResult<Vec<StoredCalendar>> {
        sla::list_calendars(&mut *self.reader().await?).await
    }

    async fn delete_calendar(&self, id: CalendarId) -> StoreResult<()> {
        self.write(id, |c, id| Box::pin(sla::delete_calendar(c, *id)))
            .await
    }

    async fn create_policy(&self, input: PolicyInput) -> StoreResult<StoredPolicy> {
        self.write(input, |c, input| Box::pin(sla::create_policy(c, input)))
            .await
    }

    async fn update_policy(&self, id: PolicyId, input: PolicyInput) -> StoreResult<StoredPolicy> {
        self.write((id, input), |c, (id, input)| {
            Box::pin(sla::update_policy(c, *id, input))
        })
        .await
    }

    async fn get_policy(&self, id: PolicyId) -> StoreResult<StoredPolicy> {
        sla::get_policy(&mut *self.reader().await?, id).await
    }

    async fn list_policies(&self) -> StoreResult<Vec<StoredPolicy>> {
        sla::list_policies(&mut *self.reader().await?).await
    }

    async fn delete_policy(&self, id: PolicyId) -> StoreResult<()> {
        self.write(id, |c, id| Box::pin(sla::delete_policy(c, *id)))
            .await
    }

    async fn ticket_slas(&self, ids: &[TicketId]) -> StoreResult<Vec<TicketSla>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        sla::ticket_slas(&mut *self.reader().await?, ids).await
    }

    async fn list_breaching(
        &self,
        scope: &TicketScope,
        before: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<Ticket>> {
        sla::list_breaching(&mut *self.reader().await?, scope, before, limit).await
    }

    async fn ticket_sla_now(&self, id: TicketId, now: Timestamp) -> StoreResult<TicketSlaNow> {
        sla::ticket_sla_now(&mut *self.reader().await?, id, now).await
    }

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
                Box::pin(sla::claim_jobs(c, *now, *lease_until, token, *limit))
            },
        )
        .await
    }

    async fn finish_job(&self, finish: JobFinish) -> StoreResult<()> {
        self.write(finish, |c, finish| Box::pin(sla::finish_job(c, finish)))
            .await
    }

    async fn retry_job(&self, id: JobId, lease_token: &str, at: Timestamp) -> StoreResult<()> {
        let token = lease_token.to_owned();
        self.write((id, token, at), |c, (id, token, at)| {
            Box::pin(sla::retry_job(c, *id, token, *at))
        })
        .await
    }

    async fn next_job_due(&self) -> StoreResult<Option<Timestamp>> {
        sla::next_job_due(&mut *self.reader().await?).await
    }

    async fn list_routing_rules(&self) -> StoreResult<Vec<RoutingRule>> {
        rules::list_routing_rules(&mut *self.reader().await?).await
    }

    async fn desk_settings(&self) -> StoreResult<ferrodesk_store::DeskSettings> {
        rules::desk_settings(&mut *self.reader().await?).await
    }

    async fn create_routing_rule(
        &self,
        rule: RoutingRuleInput,
        now: Timestamp,
    ) -> StoreResult<RoutingRule> {
        self.write((rule, now), |c, (rule, now)| {
            Box::pin(rules::create_routing_rule(c, rule, *now))
        })
        .await
    }

    async fn update_routing_rule(
        &self,
        rule: RoutingRuleInput,
        now: Timestamp,
    ) -> StoreResult<RoutingRule> {
        self.write((rule, now), |c, (rule, now)| {
            Box::pin(rules::update_routing_rule(c, rule, *now))
        })
        .await
    }

    async fn delete_routing_rule(&self, id: RuleId) -> StoreResult<()> {
        self.write(id, |c, id| Box::pin(rules::delete_routing_rule(c, *id)))
            .await
    }

    async fn list_escalation_rules(&self) -> StoreResult<Vec<StoredEscalationRule>> {
        rules::list_escalation_rules(&mut *self.reader().await?).await
    }

    async fn create_escalation_rule(
        &self,
        rule: StoredEscalationRule,
        now: Timestamp,
    ) -> StoreResult<StoredEscalationRule> {
        self.write((rule, now), |c, (rule, now)| {
            Box::pin(rules::create_escalation_rule(c, rule, *now))
        })
        .await
    }

    async fn update_escalation_rule(
        &self,
        rule: StoredEscalationRule,
        now: Timestamp,
    ) -> StoreResult<StoredEscalationRule> {
        self.write((rule, now), |c, (rule, now)| {
            Box::pin(rules::update_escalation_rule(c, rule, *now))
        })
        .await
    }

    async fn delete_escalation_rule(&self, id: RuleId) -> StoreResult<()> {
        self.write(id, |c, id| Box::pin(rules::delete_escalation_rule(c, *id)))
            .await
    }

    async fn automation_settings(&self) -> StoreResult<AutomationSettings> {
        sla::automation_settings(&mut *self.reader().await?).await
    }

    async fn set_automation_settings(
        &self,
        settings: AutomationSettings,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.write((settings, now), |c, (settings, now)| {
            Box::pin(sla::set_automation_settings(c, settings, *now))
        })
        .await
    }

    async fn refresh_open_ticket_slas(
        &self,
        after: Option<TicketId>,
        limit: i64,
        now: Timestamp,
    ) -> StoreResult<Option<TicketId>> {
        self.write((after, limit, now), |c, (after, limit, now)| {
            Box::pin(sla::refresh_open(c, *after, *limit, *now))
        })
        .await
    }

    async fn agent_settings(&self, user_id: UserId) -> StoreResult<AgentSettings> {
        rules::agent_settings(&mut *self.reader().await?, user_id).await
    }

    async fn set_agent_settings(
        &self,
        user_id: UserId,
        settings: AgentSettings,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.write((user_id, settings, now), |c, (user_id, settings, now)| {
            Box::pin(rules::set_agent_settings(c, *user_id, settings, *now))
        })
        .await
    }

    async fn assignment_mode(&self, group_id: GroupId) -> StoreResult<AssignmentMode> {
        rules::assignment_mode(&mut *self.reader().await?, group_id).await
    }

    async fn set_assignment_mode(
        &self,
        group_id: GroupId,
        mode: AssignmentMode,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.write((group_id, mode, now), |c, (group_id, mode, now)| {
            Box::pin(rules::set_assignment_mode(c, *group_id, *mode, *now))
        })
        .await
    }

    async fn group_agents(
        &self,
        group_id: GroupId,
    ) -> StoreResult<(Vec<AgentLoad>, Option<UserId>)> {
        rules::group_agents(&mut *self.reader().await?, group_id).await
    }

    async fn set_round_robin_last(
        &self,
        group_id: GroupId,
        user_id: UserId,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.write((group_id, user_id, now), |c, (group_id, user_id, now)| {
            Box::pin(rules::set_round_robin_last(c, *group_id, *user_id, *now))
        })
        .await
    }

    async fn notify(&self, notes: Vec<NewNotification>, now: Timestamp) -> StoreResult<()> {
        self.write((notes, now), |c, (notes, now)| {
            Box::pin(sla::notify(c, notes, *now))
        })
        .await
    }

    async fn list_notifications(
        &self,
        user_id: UserId,
        page: &PageRequest,
    ) -> StoreResult<Vec<Notification>> {
        rules::list_notifications(&mut *self.reader().await?, user_id, page).await
    }

    async fn mark_notifications_read(
        &self,
        user_id: UserId,
        ids: &[NotificationId],
        now: Timestamp,
    ) -> StoreResult<u64> {
        let ids = ids.to_vec();
        self.write((user_id, ids, now), |c, (user_id, ids, now)| {
            Box::pin(rules::mark_notifications_read(c, *user_id, ids, *now))
        })
        .await
    }
}
