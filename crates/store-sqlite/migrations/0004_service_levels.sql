-- Service levels, routing, escalation rules, notifications and the jobs table
-- (issue 4). Times are microseconds since the Unix epoch, as everywhere else.

-- Business calendars: weekly hours in a time zone with holidays, or 24/7.
create table business_calendars (
    id integer primary key,
    name text not null,
    always_open boolean not null,
    time_zone text not null,
    -- JSON array of {"weekday": "monday", "start": "08:00", "end": "16:00"}
    hours text not null,
    -- JSON array of "YYYY-MM-DD"
    holidays text not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint business_calendars_name_key unique (name)
);

-- SLA policies: targets per priority (JSON), warning share, calendar.
create table sla_policies (
    id integer primary key,
    name text not null,
    calendar_id bigint not null,
    -- JSON {"p1": {"first_response": 30, "update_interval": 60, "resolution": 240}, ...}
    targets text not null,
    warning_percent bigint not null,
    -- the desk posts a public progress note when the update interval passes
    sends_progress_notes boolean not null,
    is_default boolean not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint sla_policies_name_key unique (name),
    constraint sla_policies_calendar_id_fkey foreign key (calendar_id) references business_calendars (id)
);

-- Which policy covers an organization (contract), a service or a category.
create table sla_assignments (
    kind text not null,
    target_id bigint not null,
    policy_id bigint not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint sla_assignments_pkey primary key (kind, target_id),
    constraint sla_assignments_policy_id_fkey foreign key (policy_id) references sla_policies (id)
);
create index sla_assignments_policy on sla_assignments (policy_id);

-- Each ticket's SLA clock as of its last change, kept in the same transaction.
create table ticket_sla (
    ticket_id bigint not null,
    policy_id bigint,
    first_response_phase text,
    first_response_warn_at bigint,
    first_response_due_at bigint,
    first_response_started_at bigint,
    update_phase text,
    update_warn_at bigint,
    update_due_at bigint,
    update_started_at bigint,
    resolution_phase text,
    resolution_warn_at bigint,
    resolution_due_at bigint,
    resolution_started_at bigint,
    -- earliest due time of a running target: the "breaching soon" order
    next_due_at bigint,
    created_at bigint not null,
    updated_at bigint not null,
    constraint ticket_sla_pkey primary key (ticket_id),
    constraint ticket_sla_ticket_id_fkey foreign key (ticket_id) references tickets (id)
);
create index ticket_sla_next_due on ticket_sla (next_due_at, ticket_id);

-- Warnings, breaches and automation steps already recorded, so each fires once:
-- one row per (ticket, what, cycle start).
create table ticket_marks (
    ticket_id bigint not null,
    mark text not null,
    cycle_start bigint not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint ticket_marks_pkey primary key (ticket_id, mark, cycle_start),
    constraint ticket_marks_ticket_id_fkey foreign key (ticket_id) references tickets (id)
);

-- Due work. One row per job key ("sla:10042"); claimed with a lease so a crashed
-- node's job is taken again once the lease runs out.
create table jobs (
    id integer primary key,
    job_key text not null,
    kind text not null,
    ticket_id bigint,
    due_at bigint not null,
    lease_until bigint,
    lease_token text,
    attempts bigint not null default 0,
    created_at bigint not null,
    updated_at bigint not null,
    constraint jobs_job_key_key unique (job_key)
);
create index jobs_due on jobs (due_at, id);

-- Routing rules, applied in position order when a ticket is created or changed.
create table routing_rules (
    id integer primary key,
    name text not null,
    position bigint not null,
    is_enabled boolean not null,
    -- JSON object of conditions and of actions
    conditions text not null,
    actions text not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint routing_rules_name_key unique (name)
);

-- Automatic escalation rules.
create table escalation_rules (
    id integer primary key,
    name text not null,
    is_enabled boolean not null,
    -- sla_warning, sla_breach, reassigned, complaint
    trigger_kind text not null,
    -- for SLA triggers: first_response, update, resolution, or null for any
    target text,
    -- for reassigned: how many reassignments
    threshold bigint,
    escalates boolean not null,
    notifies_supervisor boolean not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint escalation_rules_name_key unique (name)
);

-- Desk-wide automation settings (one row).
create table automation_settings (
    id bigint not null,
    pending_reminder_minutes bigint,
    pending_resolve_minutes bigint,
    resolved_close_minutes bigint,
    created_at bigint not null,
    updated_at bigint not null,
    constraint automation_settings_pkey primary key (id)
);
insert into automation_settings (id, pending_reminder_minutes, pending_resolve_minutes,
    resolved_close_minutes, created_at, updated_at)
values (1, 10080, 20160, 4320, 0, 0);

-- Agents' availability, load limit and skills; groups' assignment mode.
create table agent_settings (
    user_id bigint not null,
    is_away boolean not null,
    load_limit bigint,
    -- JSON arrays of category and service ids
    skills text not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint agent_settings_pkey primary key (user_id),
    constraint agent_settings_user_id_fkey foreign key (user_id) references users (id)
);
create table group_assignment (
    group_id bigint not null,
    mode text not null,
    -- the last agent picked by round robin
    last_user_id bigint,
    created_at bigint not null,
    updated_at bigint not null,
    constraint group_assignment_pkey primary key (group_id),
    constraint group_assignment_group_id_fkey foreign key (group_id) references groups (id)
);

-- In-app notifications to staff.
create table notifications (
    id integer primary key,
    user_id bigint not null,
    ticket_id bigint,
    message text not null,
    read_at bigint,
    created_at bigint not null,
    updated_at bigint not null,
    constraint notifications_user_id_fkey foreign key (user_id) references users (id)
);
create index notifications_user on notifications (user_id, id);
