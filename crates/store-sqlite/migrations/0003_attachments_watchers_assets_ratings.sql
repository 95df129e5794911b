-- Attachments, watchers, assets, satisfaction ratings and saved queue filters.

-- Files on timeline events: a JSON array of {sha256, filename, content_type, size};
-- null when the event has none. The bytes live in the blob store under their SHA-256.
alter table ticket_events add column attachments text;

-- Files uploaded through the API before a ticket or reply cites them; only the uploader
-- may cite an upload.
create table uploads (
    id integer primary key,
    uploader_id bigint not null,
    sha256 text not null,
    filename text not null,
    content_type text not null,
    size bigint not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint uploads_uploader_id_fkey foreign key (uploader_id) references users (id)
);
create index uploads_uploader on uploads (uploader_id, id);

-- People following a ticket (CC).
create table ticket_watchers (
    ticket_id bigint not null,
    user_id bigint not null,
    added_by bigint,
    created_at bigint not null,
    updated_at bigint not null,
    constraint ticket_watchers_pkey primary key (ticket_id, user_id),
    constraint ticket_watchers_ticket_id_fkey foreign key (ticket_id) references tickets (id),
    constraint ticket_watchers_user_id_fkey foreign key (user_id) references users (id),
    constraint ticket_watchers_added_by_fkey foreign key (added_by) references users (id)
);
create index ticket_watchers_user on ticket_watchers (user_id, ticket_id);

create table assets (
    id integer primary key,
    tag text not null,
    serial text,
    asset_type text not null,
    manufacturer text,
    model text,
    location text,
    assigned_to bigint,
    -- civil dates as YYYY-MM-DD text
    purchase_date text,
    warranty_end text,
    contract text,
    created_at bigint not null,
    updated_at bigint not null,
    constraint assets_tag_key unique (tag),
    constraint assets_assigned_to_fkey foreign key (assigned_to) references users (id)
);
create index assets_assigned_to on assets (assigned_to, id);
create index assets_type on assets (asset_type, id);

create table ticket_assets (
    ticket_id bigint not null,
    asset_id bigint not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint ticket_assets_pkey primary key (ticket_id, asset_id),
    constraint ticket_assets_ticket_id_fkey foreign key (ticket_id) references tickets (id),
    constraint ticket_assets_asset_id_fkey foreign key (asset_id) references assets (id)
);
create index ticket_assets_asset on ticket_assets (asset_id, ticket_id);

-- One rating per resolution: a ticket resolved, reopened and resolved again may be
-- rated again (resolved_at differs). Group and agent are kept as they were when rated,
-- for reports.
create table ticket_ratings (
    id integer primary key,
    ticket_id bigint not null,
    resolved_at bigint not null,
    requester_id bigint not null,
    score bigint not null,
    comment text,
    group_id bigint,
    agent_id bigint,
    created_at bigint not null,
    updated_at bigint not null,
    constraint ticket_ratings_resolution_key unique (ticket_id, resolved_at),
    constraint ticket_ratings_ticket_id_fkey foreign key (ticket_id) references tickets (id)
);
create index ticket_ratings_created on ticket_ratings (created_at, id);

-- Secrets the desk generates for itself once (the key that signs rating links), shared
-- by every node through the database.
create table desk_secrets (
    name text primary key,
    value text not null,
    created_at bigint not null,
    updated_at bigint not null
);

-- An agent's named queue filters (the queue's query string).
create table saved_filters (
    id integer primary key,
    user_id bigint not null,
    name text not null,
    query text not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint saved_filters_user_name_key unique (user_id, name),
    constraint saved_filters_user_id_fkey foreign key (user_id) references users (id)
);

-- Deleting a category checks whether any ticket uses it.
create index tickets_category on tickets (category_id);
