//! Contract tests for [`SlaStore`](ferrodesk_store::SlaStore): calendars and policies, the stored
//! SLA clock kept by every ticket write, the jobs table, rules, settings and
//! notifications.

use super::*;
use ferrodesk_domain::schedule::calendar_from_text;
use ferrodesk_domain::{
    BusinessCalendar, BusinessMinutes, ClockEvent, ClockPhase, EscalationRule, EscalationTrigger,
    PriorityTargets, RuleActions, RuleConditions, SlaPolicy, SlaTargets, TargetKind, WarningShare,
};
use ferrodesk_store::{
    AgentSettings, AssignmentMode, AutomationSettings, CalendarId, CalendarInput, JobFinish,
    JobKind, NewNotification, PolicyInput, RoutingRule, RuleId, SlaCondition, StoredEscalationRule,
};

/// Expands to one test per SLA contract test (see [`store_contract_tests!`]).
#[macro_export]
macro_rules! sla_contract_tests {
    ($make:expr) => {
        $crate::contract_test_fns!(contract, $make;
            calendars_and_policies_are_stored_assigned_and_guarded,
            ticket_writes_keep_the_stored_clock_and_its_job,
            jobs_are_claimed_once_finished_under_their_lease_and_marks_fire_once,
            breaching_soon_lists_by_due_time_within_scope,
            the_queue_filters_by_sla_state,
            rules_settings_and_notifications_round_trip,
            open_tickets_get_new_due_times_when_refreshed_in_batches,
            tickets_created_in_bulk_get_the_clocks_and_jobs_of_single_creates,
            a_long_history_keeps_the_clock_of_every_event,
            routing_settings_move_their_version_and_stale_routed_writes_are_refused,
            a_call_logged_with_a_new_ticket_meets_its_first_response_target,
            a_policy_applies_to_older_tickets_from_when_its_terms_took_effect,
        );
    };
}

fn minutes(m: u32) -> Option<BusinessMinutes> {
    Some(BusinessMinutes::new(m).unwrap())
}

/// P4: first response 60 min, update 120 min, resolution 480 min; the rest 30/60/240.
fn targets() -> PriorityTargets {
    let fast = SlaTargets {
        first_response: minutes(30),
        update_interval: minutes(60),
        resolution: minutes(240),
    };
    PriorityTargets {
        p1: fast,
        p2: fast,
        p3: fast,
        p4: SlaTargets {
            first_response: minutes(60),
            update_interval: minutes(120),
            resolution: minutes(480),
        },
    }
}

pub(super) async fn calendar(
    store: &TestStore,
    name: &str,
    calendar: BusinessCalendar,
) -> CalendarId {
    store
        .create_calendar(CalendarInput {
            name: name.into(),
            calendar,
            now: at(0),
        })
        .await
        .unwrap()
        .id
}

pub(super) fn policy_input(name: &str, calendar_id: CalendarId, is_default: bool) -> PolicyInput {
    PolicyInput {
        name: name.into(),
        calendar_id,
        targets: targets(),
        warning: WarningShare::new(80).unwrap(),
        sends_progress_notes: false,
        is_default,
        organization_ids: vec![],
        service_ids: vec![],
        category_ids: vec![],
        now: at(0),
    }
}

async fn default_policy(store: &TestStore) {
    let always = calendar(store, "24/7", BusinessCalendar::always_open()).await;
    store
        .create_policy(policy_input("Standard", always, true))
        .await
        .unwrap();
}

/// Calendars and policies are stored, listed and replaced; a policy's assignments
/// move, one default remains, and a used calendar cannot be deleted.
pub async fn calendars_and_policies_are_stored_assigned_and_guarded(store: TestStore) {
    let office = calendar_from_text(
        false,
        "Europe/Oslo",
        &["monday 08:00-16:00", "friday 08:00-16:00"],
        &["2025-12-25"],
    )
    .unwrap();
    let office_id = calendar(&store, "Office", office.clone()).await;
    assert_eq!(
        store.get_calendar(office_id).await.unwrap().calendar,
        office
    );
    let always = calendar(&store, "24/7", BusinessCalendar::always_open()).await;
    let dup = store
        .create_calendar(CalendarInput {
            name: "Office".into(),
            calendar: BusinessCalendar::always_open(),
            now: at(0),
        })
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict { .. })), "{dup:?}");

    let acme = organization(&store, "Acme", false).await;
    let first = store
        .create_policy(policy_input("Standard", office_id, true))
        .await
        .unwrap();
    let mut gold_input = policy_input("Gold", always, true);
    gold_input.organization_ids = vec![acme.id];
    let gold = store.create_policy(gold_input.clone()).await.unwrap();
    assert_eq!(gold.organization_ids, vec![acme.id]);
    assert!(gold.is_default);
    assert!(!store.get_policy(first.id).await.unwrap().is_default);
    assert_eq!(store.get_policy(gold.id).await.unwrap().targets, targets());

    // The organization moves to the policy that lists it last.
    let mut standard_input = policy_input("Standard", office_id, false);
    standard_input.organization_ids = vec![acme.id];
    store.update_policy(first.id, standard_input).await.unwrap();
    assert!(
        store
            .get_policy(gold.id)
            .await
            .unwrap()
            .organization_ids
            .is_empty()
    );
    let names: Vec<String> = store
        .list_policies()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, vec!["Gold", "Standard"]);

    let missing = store
        .create_policy(policy_input("Broken", CalendarId(999_999), false))
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound { .. })),
        "{missing:?}"
    );
    let used = store.delete_calendar(office_id).await;
    assert!(matches!(used, Err(StoreError::Conflict { .. })), "{used:?}");
    store.delete_policy(first.id).await.unwrap();
    store.delete_calendar(office_id).await.unwrap();
    assert!(matches!(
        store.get_calendar(office_id).await,
        Err(StoreError::NotFound { .. })
    ));
}

/// Every ticket write recomputes the stored clock in its transaction: creation
/// starts it, pending on the customer pauses it and resuming moves the due times by
/// the pause; a staff reply meets the first response; the SLA job follows.
pub async fn ticket_writes_keep_the_stored_clock_and_its_job(store: TestStore) {
    default_policy(&store).await;
    let customer = user(&store, "c@example.com", Role::Customer).await;
    let agent = user(&store, "a@example.com", Role::Agent).await;
    let created = create(&store, ticket(&customer, "Printer", at(0))).await;
    let sla = store.ticket_slas(&[created.id]).await.unwrap().remove(0);
    let first = sla.first_response.unwrap();
    assert_eq!(first.phase, ClockPhase::Running);
    assert_eq!(first.due_at, Some(at(3600)));
    assert_eq!(first.warn_at, Some(at(2880)));
    assert_eq!(sla.resolution.unwrap().due_at, Some(at(8 * 3600)));
    assert_eq!(sla.next_due_at, Some(at(3600)));
    assert_eq!(store.next_job_due().await.unwrap(), Some(at(2880)));

    let pending = change(
        &created,
        |t| t.status = TicketStatus::PendingCustomer,
        vec![NewEvent::new(
            EventKind::StatusChanged {
                from: TicketStatus::New,
                to: TicketStatus::PendingCustomer,
            },
            Some(agent.id),
            Channel::Agent,
            at(1000),
        )],
    );
    let mut paused_ticket = pending.after.clone();
    let mut pending = pending;
    pending.after.updated_at = at(1000);
    paused_ticket.updated_at = at(1000);
    store.save_tickets(write(vec![pending])).await.unwrap();
    let sla = store.ticket_slas(&[created.id]).await.unwrap().remove(0);
    assert_eq!(sla.first_response.unwrap().phase, ClockPhase::Paused);
    assert_eq!(sla.first_response.unwrap().due_at, None);
    assert_eq!(sla.next_due_at, None);
    // Paused: no SLA job, but the pending reminder (7 days by default) is scheduled.
    assert_eq!(
        store.next_job_due().await.unwrap(),
        Some(at(1000 + 7 * 24 * 3600))
    );

    paused_ticket.version += 1;
    let resumed = change(
        &paused_ticket,
        |t| {
            t.status = TicketStatus::Open;
            t.updated_at = at(2000);
        },
        vec![NewEvent::new(
            EventKind::StatusChanged {
                from: TicketStatus::PendingCustomer,
                to: TicketStatus::Open,
            },
            Some(agent.id),
            Channel::Agent,
            at(2000),
        )],
    );
    store.save_tickets(write(vec![resumed])).await.unwrap();
    let sla = store.ticket_slas(&[created.id]).await.unwrap().remove(0);
    assert_eq!(sla.first_response.unwrap().due_at, Some(at(4600)));
    assert_eq!(store.next_job_due().await.unwrap(), Some(at(3880)));

    // A customer's reply meets nothing; the agent's does.
    let answer = |actor: &User, seconds| EventAppend {
        ticket_id: created.id,
        event: reply(actor, "hello", at(seconds)),
        marks_first_response: actor.role.is_staff(),
        idempotency: None,
        notices: Vec::new(),
    };
    store.append_event(answer(&customer, 2500)).await.unwrap();
    let sla = store.ticket_slas(&[created.id]).await.unwrap().remove(0);
    assert_eq!(sla.first_response.unwrap().phase, ClockPhase::Running);
    store.append_event(answer(&agent, 3000)).await.unwrap();
    let sla = store.ticket_slas(&[created.id]).await.unwrap().remove(0);
    assert_eq!(sla.first_response.unwrap().phase, ClockPhase::Met);
    let update = sla.next_update.unwrap();
    assert_eq!(update.started_at, at(3000));
    assert_eq!(update.due_at, Some(at(3000 + 7200)));
}

/// A due job is claimed by one claimer until its lease runs out, finishing needs the
/// lease, and a mark recorded once refuses a second finish.
pub async fn jobs_are_claimed_once_finished_under_their_lease_and_marks_fire_once(
    store: TestStore,
) {
    default_policy(&store).await;
    let customer = user(&store, "c@example.com", Role::Customer).await;
    let created = create(&store, ticket(&customer, "Printer", at(0))).await;
    assert!(store.claim_jobs(at(2879), 60, 10).await.unwrap().is_empty());
    let jobs = store.claim_jobs(at(2880), 60, 10).await.unwrap();
    assert_eq!(jobs.len(), 1);
    let job = jobs[0].clone();
    assert_eq!(job.kind, JobKind::Sla);
    assert_eq!(job.ticket_id, Some(created.id));
    assert_eq!(job.attempts, 1);
    assert!(store.claim_jobs(at(2900), 60, 10).await.unwrap().is_empty());
    // The lease ran out (the claimer crashed): the job is claimed again.
    let again = store.claim_jobs(at(2941), 60, 10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 2);

    let finish = |token: &str| JobFinish {
        job_id: job.id,
        lease_token: token.into(),
        ticket_id: Some(created.id),
        marks: vec![("warning:first_response".into(), at(0))],
        change: None,
        events: vec![NewEvent::new(
            EventKind::SlaWarning {
                target: TargetKind::FirstResponse,
                due_at: at(3600),
            },
            None,
            Channel::Api,
            at(2950),
        )],
        notifications: vec![],
        now: at(2950),
    };
    let stale = store.finish_job(finish(&job.lease_token)).await;
    assert!(
        matches!(stale, Err(StoreError::Conflict { .. })),
        "{stale:?}"
    );
    store
        .finish_job(finish(&again[0].lease_token))
        .await
        .unwrap();
    let events = store
        .list_events(created.id, true, &EventPage::default())
        .await
        .unwrap();
    assert_eq!(
        events
            .iter()
            .filter(|e| e.kind.name() == "sla_warning")
            .count(),
        1
    );
    // The warning is recorded: the next job waits for the due time.
    assert_eq!(store.next_job_due().await.unwrap(), Some(at(3600)));
    let breach_job = store.claim_jobs(at(3600), 60, 10).await.unwrap().remove(0);
    let mut twice = finish(&breach_job.lease_token);
    twice.job_id = breach_job.id;
    let refused = store.finish_job(twice).await;
    assert!(
        matches!(refused, Err(StoreError::Conflict { .. })),
        "{refused:?}"
    );
    // Refused as a whole: the job is still held, not lost.
    store
        .retry_job(breach_job.id, &breach_job.lease_token, at(3600))
        .await
        .unwrap();
    assert_eq!(store.claim_jobs(at(3600), 60, 10).await.unwrap().len(), 1);
}

/// The breaching-soon queue lists open tickets by their earliest running due time,
/// within the reader's scope.
pub async fn breaching_soon_lists_by_due_time_within_scope(store: TestStore) {
    default_policy(&store).await;
    let customer = user(&store, "c@example.com", Role::Customer).await;
    let agent = user(&store, "a@example.com", Role::Agent).await;
    let team = group(&store, "Service desk").await;
    let late = create(&store, ticket(&customer, "Late", at(0))).await;
    let mut urgent = ticket(&customer, "Urgent", at(600));
    urgent.priority = Priority::P1;
    urgent.group_id = Some(team.id);
    let urgent = create(&store, urgent).await;
    let listed = store
        .list_breaching(&TicketScope::All, at(4000), 10)
        .await
        .unwrap();
    let ids: Vec<TicketId> = listed.iter().map(|t| t.id).collect();
    assert_eq!(ids, vec![urgent.id, late.id]);
    let soon = store
        .list_breaching(&TicketScope::All, at(3000), 10)
        .await
        .unwrap();
    assert_eq!(soon.len(), 1);
    let scoped = store
        .list_breaching(
            &TicketScope::Agent {
                user_id: agent.id,
                group_ids: vec![team.id],
            },
            at(4000),
            10,
        )
        .await
        .unwrap();
    assert_eq!(scoped.len(), 1);
    assert_eq!(scoped[0].id, urgent.id);
}

/// The queue's SLA filter: breached is a running target past due, "due within" a
/// window from now; either combines with the other filters and the reader's scope.
pub async fn the_queue_filters_by_sla_state(store: TestStore) {
    default_policy(&store).await;
    let customer = user(&store, "c@example.com", Role::Customer).await;
    let agent = user(&store, "a@example.com", Role::Agent).await;
    let team = group(&store, "Service desk").await;
    let late = create(&store, ticket(&customer, "Late", at(0))).await;
    let mut urgent = ticket(&customer, "Urgent", at(600));
    urgent.priority = Priority::P1;
    urgent.group_id = Some(team.id);
    let urgent = create(&store, urgent).await;
    let list = |scope: TicketScope, filter: TicketFilter| {
        let store = store.clone();
        async move {
            let query = TicketQuery {
                filter,
                ..TicketQuery::default()
            };
            let page = store.list_tickets(&scope, &query).await.unwrap();
            page.items.iter().map(|t| t.id).collect::<Vec<TicketId>>()
        }
    };
    let sla = |condition: SlaCondition| TicketFilter {
        sla: Some(condition),
        ..TicketFilter::default()
    };
    let breached = sla(SlaCondition::Breached { now: at(3000) });
    assert_eq!(
        list(TicketScope::All, breached.clone()).await,
        vec![urgent.id]
    );
    let soon = sla(SlaCondition::DueBefore {
        now: at(3000),
        until: at(4000),
    });
    assert_eq!(list(TicketScope::All, soon).await, vec![late.id]);
    let both_soon = sla(SlaCondition::DueBefore {
        now: at(0),
        until: at(4000),
    });
    assert_eq!(
        list(TicketScope::All, both_soon).await,
        vec![urgent.id, late.id]
    );
    assert!(
        list(
            TicketScope::All,
            sla(SlaCondition::Breached { now: at(600) })
        )
        .await
        .is_empty()
    );
    let scoped = TicketScope::Agent {
        user_id: agent.id,
        group_ids: vec![team.id],
    };
    assert_eq!(list(scoped, breached.clone()).await, vec![urgent.id]);
    let other_group = TicketFilter {
        group_id: Some(group(&store, "Network").await.id),
        ..breached
    };
    assert!(list(TicketScope::All, other_group).await.is_empty());
}

/// Routing and escalation rules, automation settings, agents' settings, assignment
/// modes and notifications read back as written.
pub async fn rules_settings_and_notifications_round_trip(store: TestStore) {
    let agent = user(&store, "a@example.com", Role::Agent).await;
    let team = group(&store, "Service desk").await;
    let rule = RoutingRule {
        id: RuleId(0),
        name: "Printers".into(),
        position: 10,
        is_enabled: true,
        conditions: RuleConditions {
            text: vec!["printer".into()],
            ..RuleConditions::default()
        },
        actions: RuleActions {
            group_id: Some(team.id),
            ..RuleActions::default()
        },
    };
    let created = store
        .create_routing_rule(rule.clone(), at(0))
        .await
        .unwrap();
    assert_eq!(created.conditions, rule.conditions);
    let mut renamed = created.clone();
    renamed.name = "Printer queue".into();
    store.update_routing_rule(renamed, at(1)).await.unwrap();
    assert_eq!(
        store.list_routing_rules().await.unwrap()[0].name,
        "Printer queue"
    );
    let dup = store.create_routing_rule(rule, at(2)).await;
    assert!(dup.is_ok());
    store.delete_routing_rule(created.id).await.unwrap();
    assert!(matches!(
        store.delete_routing_rule(created.id).await,
        Err(StoreError::NotFound { .. })
    ));

    let escalation = StoredEscalationRule {
        id: RuleId(0),
        name: "Breach to tier 2".into(),
        is_enabled: true,
        rule: EscalationRule {
            trigger: EscalationTrigger::SlaBreach,
            target: Some(TargetKind::Resolution),
            threshold: None,
            escalates: true,
            notifies_supervisor: true,
        },
    };
    let stored_rule = store
        .create_escalation_rule(escalation.clone(), at(0))
        .await
        .unwrap();
    assert_eq!(stored_rule.rule, escalation.rule);
    assert_eq!(store.list_escalation_rules().await.unwrap().len(), 1);

    let defaults = store.automation_settings().await.unwrap();
    assert_eq!(defaults.pending_reminder_minutes, Some(7 * 24 * 60));
    let off = AutomationSettings {
        pending_reminder_minutes: None,
        pending_resolve_minutes: Some(60),
        resolved_close_minutes: None,
    };
    store.set_automation_settings(off, at(1)).await.unwrap();
    assert_eq!(store.automation_settings().await.unwrap(), off);

    let away = AgentSettings {
        is_away: true,
        load_limit: Some(5),
        category_skills: vec![],
        service_skills: vec![],
    };
    store
        .set_agent_settings(agent.id, away.clone(), at(1))
        .await
        .unwrap();
    assert_eq!(store.agent_settings(agent.id).await.unwrap(), away);
    store
        .set_assignment_mode(team.id, AssignmentMode::RoundRobin, at(1))
        .await
        .unwrap();
    assert_eq!(
        store.assignment_mode(team.id).await.unwrap(),
        AssignmentMode::RoundRobin
    );

    store
        .notify(
            vec![NewNotification {
                user_id: agent.id,
                ticket_id: None,
                kind: ferrodesk_domain::NotificationKind::Rule,
                message: "first".into(),
                mail: false,
            }],
            at(1),
        )
        .await
        .unwrap();
    store
        .notify(
            vec![NewNotification {
                user_id: agent.id,
                ticket_id: None,
                kind: ferrodesk_domain::NotificationKind::Mentioned,
                message: "second".into(),
                mail: false,
            }],
            at(2),
        )
        .await
        .unwrap();
    let listed = store
        .list_notifications(agent.id, &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(listed[0].message, "second");
    assert_eq!(
        (listed[0].kind, listed[1].kind),
        (
            ferrodesk_domain::NotificationKind::Mentioned,
            ferrodesk_domain::NotificationKind::Rule
        )
    );
    assert_eq!(store.count_unread_notifications(agent.id).await.unwrap(), 2);
    let found = store
        .find_notification(agent.id, listed[0].id)
        .await
        .unwrap();
    assert_eq!(found.as_ref(), Some(&listed[0]));
    let other = user(&store, "other@example.com", Role::Agent).await;
    assert_eq!(
        store
            .find_notification(other.id, listed[0].id)
            .await
            .unwrap(),
        None,
        "a notification is only its own person's"
    );
    assert_eq!(
        store
            .mark_notifications_read(agent.id, &[listed[1].id], at(3))
            .await
            .unwrap(),
        1
    );
    assert_eq!(store.count_unread_notifications(agent.id).await.unwrap(), 1);
    assert_eq!(
        store
            .mark_notifications_read(agent.id, &[], at(3))
            .await
            .unwrap(),
        1
    );
    assert_eq!(store.count_unread_notifications(agent.id).await.unwrap(), 0);
    assert_eq!(
        store
            .mark_notifications_read(agent.id, &[], at(4))
            .await
            .unwrap(),
        0
    );
}

/// Tickets opened before any policy existed get due times once their clocks are
/// refreshed, in id-ordered batches that end with `None`.
pub async fn open_tickets_get_new_due_times_when_refreshed_in_batches(store: TestStore) {
    let customer = user(&store, "c@example.com", Role::Customer).await;
    let mut ids = Vec::new();
    for n in 0..3 {
        ids.push(
            create(&store, ticket(&customer, &format!("Printer {n}"), at(0)))
                .await
                .id,
        );
    }
    let slas = store.ticket_slas(&ids).await.unwrap();
    assert!(
        slas.iter().all(|s| s.first_response.is_none()),
        "no policy, no due times: {slas:?}"
    );
    default_policy(&store).await;

    let first = store
        .refresh_open_ticket_slas(None, 2, at(60))
        .await
        .unwrap();
    assert_eq!(first, Some(ids[1]));
    let slas = store.ticket_slas(&ids).await.unwrap();
    assert_eq!(slas[0].first_response.unwrap().due_at, Some(at(3600)));
    assert_eq!(slas[1].first_response.unwrap().due_at, Some(at(3600)));
    assert!(slas[2].first_response.is_none(), "not in the first batch");
    let second = store
        .refresh_open_ticket_slas(first, 2, at(60))
        .await
        .unwrap();
    assert_eq!(second, Some(ids[2]));
    let slas = store.ticket_slas(&ids).await.unwrap();
    assert_eq!(slas[2].first_response.unwrap().due_at, Some(at(3600)));
    assert_eq!(store.next_job_due().await.unwrap(), Some(at(2880)));
    assert_eq!(
        store
            .refresh_open_ticket_slas(second, 2, at(60))
            .await
            .unwrap(),
        None
    );
}

/// The bulk path stores the clock and the jobs a ticket created on its own would get:
/// the policy of its category or the default, its history (a staff reply meets the
/// first response, a customer's does not, a status change pauses or stops the clock),
/// and the automation step of a resolved ticket. A create computes the clock at the
/// ticket's creation, so the history here happens at that instant.
pub async fn tickets_created_in_bulk_get_the_clocks_and_jobs_of_single_creates(store: TestStore) {
    default_policy(&store).await;
    let office = calendar(&store, "Office", BusinessCalendar::always_open()).await;
    let printers = store
        .create_category(ferrodesk_store::NewCategory {
            name: "Printers".into(),
            parent_id: None,
            now: at(0),
        })
        .await
        .unwrap();
    let mut strict = policy_input("Printers", office, false);
    strict.targets.p4.first_response = minutes(15);
    strict.category_ids = vec![printers.id];
    store.create_policy(strict).await.unwrap();
    let customer = user(&store, "c@example.com", Role::Customer).await;
    let agent = user(&store, "a@example.com", Role::Agent).await;
    let status = |from, to, seconds| {
        NewEvent::new(
            EventKind::StatusChanged { from, to },
            Some(agent.id),
            Channel::Agent,
            at(seconds),
        )
    };
    let public = |mut event: NewEvent| {
        event.visibility = Visibility::Public;
        event
    };
    let shapes = |offset: i64| -> Vec<(Ticket, Vec<NewEvent>)> {
        let base = |subject: &str| ticket(&customer, subject, at(offset));
        let mut printer = base("Printer jam");
        printer.category_id = Some(printers.id);
        let mut answered = base("Answered");
        answered.status = TicketStatus::Open;
        let mut asked_again = base("Customer wrote again");
        asked_again.status = TicketStatus::Open;
        let mut waiting = base("Waiting on the customer");
        waiting.status = TicketStatus::PendingCustomer;
        let mut solved = base("Solved");
        solved.status = TicketStatus::Resolved;
        solved.resolved_at = Some(at(offset));
        let mut bare_status = base("Status without history");
        bare_status.status = TicketStatus::PendingCustomer;
        vec![
            (printer.clone(), vec![created_event(&printer)]),
            (
                answered.clone(),
                vec![
                    created_event(&answered),
                    status(TicketStatus::New, TicketStatus::Open, offset),
                    public(reply(&agent, "On it", at(offset))),
                ],
            ),
            (
                asked_again.clone(),
                vec![
                    created_event(&asked_again),
                    status(TicketStatus::New, TicketStatus::Open, offset),
                    public(reply(&customer, "Any news?", at(offset))),
                ],
            ),
            (
                waiting.clone(),
                vec![
                    created_event(&waiting),
                    status(TicketStatus::New, TicketStatus::PendingCustomer, offset),
                ],
            ),
            (
                solved.clone(),
                vec![
                    created_event(&solved),
                    public(reply(&agent, "Fixed", at(offset))),
                    status(TicketStatus::New, TicketStatus::Resolved, offset),
                ],
            ),
            (bare_status.clone(), vec![created_event(&bare_status)]),
        ]
    };
    let mut single = Vec::new();
    for (ticket, events) in shapes(0) {
        single.push(create_with_events(&store, ticket, events).await.id);
    }
    let bulk = store.bulk_create_tickets(shapes(0)).await.unwrap();
    let clocks = |ids: &[TicketId]| {
        let store = &store;
        let ids = ids.to_vec();
        async move {
            let slas = store.ticket_slas(&ids).await.unwrap();
            slas.into_iter()
                .map(|sla| {
                    (
                        sla.policy_id,
                        sla.first_response,
                        sla.next_update,
                        sla.resolution,
                        sla.next_due_at,
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let single_clocks = clocks(&single).await;
    assert_eq!(single_clocks.len(), single.len());
    assert_eq!(clocks(&bulk).await, single_clocks);
    assert_ne!(
        single_clocks[0].0, single_clocks[1].0,
        "the printer ticket follows its category's policy"
    );
    let jobs = store
        .claim_jobs(at(100 * 24 * 3600), 60, 100)
        .await
        .unwrap();
    let of = |ids: &[TicketId]| {
        let mut found: Vec<(usize, JobKind, Timestamp)> = jobs
            .iter()
            .filter_map(|job| {
                let index = ids.iter().position(|id| Some(*id) == job.ticket_id)?;
                Some((index, job.kind, job.due_at))
            })
            .collect();
        found.sort_by_key(|(index, kind, _)| (*index, kind.as_str()));
        found
    };
    let single_jobs = of(&single);
    assert!(
        single_jobs
            .iter()
            .any(|(index, kind, _)| *index == 4 && *kind == JobKind::Automation),
        "the resolved ticket waits to be closed: {single_jobs:?}"
    );
    assert_eq!(of(&bulk), single_jobs);
}

/// One write of [`a_long_history_keeps_the_clock_of_every_event`].
enum Step<'u> {
    /// A public reply by this person.
    Reply(&'u User),
    /// A status change by the agent.
    Status(TicketStatus),
}

/// The clock read and stored after each write of a long history (answers before,
/// during and after a pause, the requester's replies between them) is the clock the
/// policy gives for the whole history.
pub async fn a_long_history_keeps_the_clock_of_every_event(store: TestStore) {
    default_policy(&store).await;
    let policy = SlaPolicy::new(
        "Standard",
        targets(),
        WarningShare::new(80).unwrap(),
        BusinessCalendar::always_open(),
    )
    .unwrap();
    let customer = user(&store, "c@example.com", Role::Customer).await;
    let agent = user(&store, "a@example.com", Role::Agent).await;
    let created = create(&store, ticket(&customer, "Printer", at(0))).await;
    let mut history = Vec::new();
    let steps = [
        (100, Step::Reply(&customer)),
        (200, Step::Reply(&agent)),
        (300, Step::Reply(&agent)),
        (400, Step::Reply(&agent)),
        (450, Step::Reply(&customer)),
        (500, Step::Status(TicketStatus::PendingCustomer)),
        (600, Step::Reply(&agent)),
        (700, Step::Reply(&customer)),
        (800, Step::Status(TicketStatus::Open)),
        (900, Step::Reply(&agent)),
        (1000, Step::Reply(&agent)),
        (1100, Step::Reply(&agent)),
        (1150, Step::Reply(&customer)),
        (1200, Step::Reply(&agent)),
    ];
    for (seconds, step) in steps {
        let now = at(seconds);
        match step {
            Step::Reply(actor) => {
                store
                    .append_event(EventAppend {
                        ticket_id: created.id,
                        event: reply(actor, "more on the printer", now),
                        marks_first_response: actor.role.is_staff(),
                        idempotency: None,
                        notices: Vec::new(),
                    })
                    .await
                    .unwrap();
                if actor.role.is_staff() {
                    history.push(ClockEvent::PublicReply { at: now });
                }
            }
            Step::Status(to) => {
                let before = store.get_ticket(created.id).await.unwrap();
                let moved = change(
                    &before,
                    |t| {
                        t.status = to;
                        t.updated_at = now;
                    },
                    vec![NewEvent::new(
                        EventKind::StatusChanged {
                            from: before.status,
                            to,
                        },
                        Some(agent.id),
                        Channel::Agent,
                        now,
                    )],
                );
                store.save_tickets(write(vec![moved])).await.unwrap();
                history.push(ClockEvent::Status {
                    at: now,
                    status: to,
                });
            }
        }
        let ticket = store.get_ticket(created.id).await.unwrap();
        let expected = policy
            .clock(ticket.priority, ticket.created_at, &history, now)
            .unwrap();
        let read = store.ticket_sla_now(created.id, now).await.unwrap();
        assert_eq!(
            read.clock.as_ref(),
            Some(&expected),
            "the clock read after the step at {seconds} s"
        );
        let stored = store.ticket_slas(&[created.id]).await.unwrap().remove(0);
        for (kind, stored, expected) in [
            (
                TargetKind::FirstResponse,
                stored.first_response,
                expected.first_response,
            ),
            (TargetKind::Update, stored.next_update, expected.next_update),
            (
                TargetKind::Resolution,
                stored.resolution,
                expected.resolution,
            ),
        ] {
            let stored = stored.map(|t| (t.phase, t.started_at, t.warn_at, t.due_at));
            let expected = expected.map(|t| (t.phase, t.started_at, t.warn_at, t.due_at));
            assert_eq!(stored, expected, "{kind:?} after the step at {seconds} s");
        }
    }
}

/// Every change to the routing settings moves their version, round robin's picks do
/// not, and a write routed with an older version is refused whole.
pub async fn routing_settings_move_their_version_and_stale_routed_writes_are_refused(
    store: TestStore,
) {
    let requester = user(&store, "r@example.com", Role::Customer).await;
    let agent = user(&store, "a@example.com", Role::Agent).await;
    let start = store.desk_settings().await.unwrap();
    assert!(start.groups.is_empty() && start.routing_rules.is_empty());

    // Each kind of change moves the version and shows in the snapshot.
    let mut seen = start.version;
    let mut moved = async |what: &str| {
        let now = store.desk_settings().await.unwrap();
        assert!(
            now.version > seen,
            "{what} did not move the settings version"
        );
        seen = now.version;
        now
    };
    let team = group(&store, "Service desk").await;
    assert_eq!(moved("a new group").await.groups, vec![team.clone()]);
    store
        .update_group(
            team.id,
            ferrodesk_store::GroupPatch {
                description: Some("First line".into()),
                ..ferrodesk_store::GroupPatch::default()
            },
            at(1),
        )
        .await
        .unwrap();
    assert_eq!(
        moved("a changed group").await.groups[0].description,
        "First line"
    );
    let rule = store
        .create_routing_rule(
            RoutingRule {
                id: RuleId(0),
                name: "Printers".into(),
                position: 1,
                is_enabled: true,
                conditions: RuleConditions::default(),
                actions: RuleActions::default(),
            },
            at(1),
        )
        .await
        .unwrap();
    assert_eq!(
        moved("a new routing rule").await.routing_rules,
        vec![rule.clone()]
    );
    store.delete_routing_rule(rule.id).await.unwrap();
    assert!(
        moved("a deleted routing rule")
            .await
            .routing_rules
            .is_empty()
    );
    store
        .set_assignment_mode(team.id, AssignmentMode::RoundRobin, at(2))
        .await
        .unwrap();
    let snapshot = moved("a new assignment mode").await;
    assert_eq!(
        snapshot.assignment_mode(team.id),
        AssignmentMode::RoundRobin
    );
    let printers = store
        .create_category(ferrodesk_store::NewCategory {
            name: "Printers".into(),
            parent_id: None,
            now: at(2),
        })
        .await
        .unwrap();
    assert!(
        moved("a new category")
            .await
            .category(printers.id)
            .is_some()
    );
    let mail = store
        .create_service(ferrodesk_store::NewService {
            name: "Mail".into(),
            description: String::new(),
            owner_group_id: Some(team.id),
            support_hours: "24/7".into(),
            is_supported: true,
            end_of_support: None,
            now: at(2),
        })
        .await
        .unwrap();
    let current = moved("a new service").await;
    assert_eq!(
        current.service(mail.id).and_then(|s| s.owner_group_id),
        Some(team.id)
    );

    // A create or a change routed with the current version is written; with an older
    // one it is refused and leaves nothing behind.
    let routed = |version: i64, subject: &str| ferrodesk_store::NewTicket {
        settings_version: Some(version),
        notices: Vec::new(),
        round_robin: None,
        ..new_ticket(ticket(&requester, subject, at(4)))
    };
    // Round robin's pick, remembered with the ticket, is bookkeeping, not a setting.
    let written = store
        .create_ticket(ferrodesk_store::NewTicket {
            round_robin: Some(ferrodesk_store::RoundRobinPick {
                group_id: team.id,
                user_id: agent.id,
            }),
            ..routed(current.version, "Paper jam")
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        store.desk_settings().await.unwrap().version,
        current.version
    );
    let stale = store
        .create_ticket(routed(start.version, "Toner low"))
        .await
        .unwrap_err();
    assert!(stale.is_settings_changed(), "{stale:?}");
    assert!(
        !all_tickets(&store)
            .await
            .iter()
            .any(|t| t.subject == "Toner low"),
        "a refused create was written"
    );
    let change = |version: i64| TicketWrite {
        settings_version: Some(version),
        ..write(vec![change(
            &written,
            |t| t.group_id = Some(team.id),
            vec![note(&agent, "to the desk", at(5))],
        )])
    };
    let refused = store.save_tickets(change(start.version)).await.unwrap_err();
    assert!(refused.is_settings_changed(), "{refused:?}");
    let unchanged = store.get_ticket(written.id).await.unwrap();
    assert_eq!(
        (unchanged.version, unchanged.group_id),
        (written.version, None)
    );
    store.save_tickets(change(current.version)).await.unwrap();
    assert_eq!(
        store.get_ticket(written.id).await.unwrap().group_id,
        Some(team.id)
    );
}
