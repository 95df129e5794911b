-- The first schema of the desk. Times are bigint microseconds since the Unix epoch,
-- enums are their stable text, tags are a JSON array as text. The PostgreSQL migration
-- of the same number and name holds the same tables, columns, constraint and index
-- names, so the shared queries in crates/store-sql run on both.

create table organizations (
    id integer primary key,
    name text not null,
    shares_tickets boolean not null default false,
    created_at bigint not null,
    updated_at bigint not null,
    constraint organizations_name_key unique (name)
);

create table groups (
    id integer primary key,
    name text not null,
    tier bigint not null,
    description text not null default '',
    escalates_to bigint,
    created_at bigint not null,
    updated_at bigint not null,
    constraint groups_name_key unique (name),
    constraint groups_escalates_to_fkey foreign key (escalates_to) references groups (id)
);

create table users (
    id integer primary key,
    email text not null,
    name text not null,
    -- lowercased "name email" (in Rust, Unicode-aware) for the people search
    search_text text not null,
    role text not null,
    organization_id bigint,
    phone text,
    location text,
    employee_id text,
    locale text not null,
    time_zone text not null,
    tier bigint,
    is_active boolean not null default true,
    password_hash text,
    created_at bigint not null,
    updated_at bigint not null,
    constraint users_email_key unique (email),
    constraint users_organization_id_fkey foreign key (organization_id) references organizations (id)
);
create index users_organization on users (organization_id, id);
create index users_role on users (role, id);

create table user_groups (
    user_id bigint not null,
    group_id bigint not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint user_groups_pkey primary key (user_id, group_id),
    constraint user_groups_user_id_fkey foreign key (user_id) references users (id),
    constraint user_groups_group_id_fkey foreign key (group_id) references groups (id)
);
create index user_groups_group on user_groups (group_id, user_id);

create table categories (
    id integer primary key,
    name text not null,
    parent_id bigint,
    created_at bigint not null,
    updated_at bigint not null,
    constraint categories_parent_id_fkey foreign key (parent_id) references categories (id)
);
-- siblings have distinct names; a root has parent 0 here so roots are siblings too
create unique index categories_parent_name_key on categories (coalesce(parent_id, 0), name);

create table services (
    id integer primary key,
    name text not null,
    description text not null default '',
    owner_group_id bigint,
    support_hours text not null default '',
    is_supported boolean not null default true,
    end_of_support text,
    created_at bigint not null,
    updated_at bigint not null,
    constraint services_name_key unique (name),
    constraint services_owner_group_id_fkey foreign key (owner_group_id) references groups (id)
);

create table api_tokens (
    id integer primary key,
    user_id bigint not null,
    name text not null,
    token_hash text not null,
    expires_at bigint,
    revoked_at bigint,
    created_at bigint not null,
    updated_at bigint not null,
    constraint api_tokens_token_hash_key unique (token_hash),
    constraint api_tokens_user_id_fkey foreign key (user_id) references users (id)
);
create index api_tokens_user on api_tokens (user_id, id);

create table sessions (
    session_hash text not null,
    user_id bigint not null,
    csrf_secret text not null,
    expires_at bigint not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint sessions_pkey primary key (session_hash),
    constraint sessions_user_id_fkey foreign key (user_id) references users (id)
);
create index sessions_user on sessions (user_id);
create index sessions_expires on sessions (expires_at);

create table login_failures (
    id integer primary key,
    throttle_key text not null,
    created_at bigint not null,
    updated_at bigint not null
);
create index login_failures_key on login_failures (throttle_key, created_at);

create table audit_log (
    id integer primary key,
    actor_id bigint,
    action text not null,
    subject text not null,
    address text,
    detail text not null,
    created_at bigint not null,
    updated_at bigint not null
);

-- The id is the ticket number: autoincrement never reuses one, and the sequence row
-- below makes the first ticket #10001.
create table tickets (
    id integer primary key autoincrement,
    version bigint not null,
    subject text not null,
    -- lowercased in Rust (Unicode-aware) for case-insensitive subject search
    subject_search text not null,
    description text not null,
    ticket_type text not null,
    status text not null,
    -- status before resolved, kept beside it so open queues read one index range in order
    is_open boolean not null,
    impact text not null,
    urgency text not null,
    priority text not null,
    -- 1 for p1 .. 4 for p4, for the priority sort
    priority_rank bigint not null,
    priority_reason text,
    category_id bigint,
    service_id bigint,
    location text,
    device text,
    requester_id bigint not null,
    organization_id bigint,
    channel text not null,
    group_id bigint,
    tier bigint not null,
    owner_id bigint,
    assignee_id bigint,
    tags text not null default '[]',
    escalation_level bigint not null default 0,
    external_ref text,
    merged_into bigint,
    created_at bigint not null,
    updated_at bigint not null,
    first_response_at bigint,
    resolved_at bigint,
    closed_at bigint,
    constraint tickets_category_id_fkey foreign key (category_id) references categories (id),
    constraint tickets_service_id_fkey foreign key (service_id) references services (id),
    constraint tickets_requester_id_fkey foreign key (requester_id) references users (id),
    constraint tickets_organization_id_fkey foreign key (organization_id) references organizations (id),
    constraint tickets_group_id_fkey foreign key (group_id) references groups (id),
    constraint tickets_owner_id_fkey foreign key (owner_id) references users (id),
    constraint tickets_assignee_id_fkey foreign key (assignee_id) references users (id),
    constraint tickets_merged_into_fkey foreign key (merged_into) references tickets (id)
);
insert into sqlite_sequence (name, seq) values ('tickets', 10000);

-- One index per queue view; each ends with the sort key and the id so a keyset page is
-- one ordered range read. Open queues use is_open; a status filter narrows within it.
create index tickets_group_queue on tickets (group_id, is_open, updated_at, id);
create index tickets_group_priority on tickets (group_id, is_open, priority_rank, created_at, id);
create index tickets_group_created on tickets (group_id, is_open, created_at, id);
create index tickets_assignee_queue on tickets (assignee_id, is_open, updated_at, id);
create index tickets_owner_queue on tickets (owner_id, is_open, updated_at, id);
create index tickets_requester on tickets (requester_id, updated_at, id);
create index tickets_organization on tickets (organization_id, updated_at, id);
create index tickets_status on tickets (status, updated_at, id);
create index tickets_open_updated on tickets (is_open, updated_at, id);
create index tickets_open_created on tickets (is_open, created_at, id);
create index tickets_open_priority on tickets (is_open, priority_rank, created_at, id);
create index tickets_updated on tickets (updated_at, id);
create index tickets_created on tickets (created_at, id);
create index tickets_merged_into on tickets (merged_into);

create table ticket_events (
    id integer primary key,
    ticket_id bigint not null,
    kind text not null,
    data text not null,
    actor_id bigint,
    channel text not null,
    visibility text not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint ticket_events_ticket_id_fkey foreign key (ticket_id) references tickets (id),
    constraint ticket_events_actor_id_fkey foreign key (actor_id) references users (id)
);
create index ticket_events_ticket on ticket_events (ticket_id, id);

create table ticket_links (
    source_id bigint not null,
    kind text not null,
    target_id bigint not null,
    actor_id bigint,
    created_at bigint not null,
    updated_at bigint not null,
    constraint ticket_links_pkey primary key (source_id, target_id, kind),
    constraint ticket_links_source_id_fkey foreign key (source_id) references tickets (id),
    constraint ticket_links_target_id_fkey foreign key (target_id) references tickets (id),
    constraint ticket_links_actor_id_fkey foreign key (actor_id) references users (id)
);
create index ticket_links_target on ticket_links (target_id, source_id);

-- A retried request with the same key and fingerprint gets the first answer back.
create table idempotency_keys (
    actor_id bigint not null,
    idempotency_key text not null,
    fingerprint text not null,
    operation text not null,
    -- JSON array of the ids the first request produced
    result text not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint idempotency_keys_pkey primary key (actor_id, idempotency_key)
);

-- Live queue counts, changed by every ticket write in the same transaction. Unassigned
-- and ungrouped tickets are counted under 0. PostgreSQL spreads hot counters over
-- shards; SQLite has one writer and always uses shard 0.
create table queue_counts (
    group_id bigint not null,
    assignee_id bigint not null,
    status text not null,
    shard bigint not null,
    ticket_count bigint not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint queue_counts_pkey primary key (group_id, assignee_id, status, shard)
);
