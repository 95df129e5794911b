-- Who has which ticket open: one row per ticket and member of staff, overwritten by the
-- page's report every few seconds ("Ola is viewing", "Ola is replying"). A report
-- counts while it is younger than the domain's PRESENCE_TIMEOUT; reading a page of
-- queue rows is one lookup by the primary key's leading ticket id. Kept in the
-- database so every node sees the others' agents. `user_seen` serves forgetting a
-- person's stale reports when they leave a ticket.
create table ticket_presence (
    ticket_id bigint not null,
    user_id bigint not null,
    activity text not null,
    seen_at bigint not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint ticket_presence_pkey primary key (ticket_id, user_id),
    constraint ticket_presence_ticket_id_fkey foreign key (ticket_id) references tickets (id),
    constraint ticket_presence_user_id_fkey foreign key (user_id) references users (id),
    constraint ticket_presence_activity_check check (activity in ('viewing', 'replying'))
);
create index ticket_presence_user_seen on ticket_presence (user_id, seen_at);
