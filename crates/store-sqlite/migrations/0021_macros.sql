-- Canned responses (macros): a reply body with placeholders and the changes applied
-- with it. A personal macro has an owner; a shared one has none and lists the groups
-- it is shared with (JSON array of ids, empty for the whole desk).
create table macros (
    id integer primary key,
    owner_id bigint,
    name text not null,
    body text not null,
    internal boolean not null default false,
    actions text not null,
    group_ids text not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint macros_owner_id_fkey foreign key (owner_id) references users (id) on delete cascade
);
-- A person's own macros, and the shared ones (owner_id null), by name.
create index macros_owner_name on macros (owner_id, name);
