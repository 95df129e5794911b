-- Time spent on a ticket: minutes an agent logged, with the reply or note they were
-- logged with (event_id, written in the same transaction) or on their own.
create table time_entries (
    id integer primary key,
    ticket_id bigint not null,
    user_id bigint not null,
    minutes integer not null,
    event_id bigint,
    created_at bigint not null,
    constraint time_entries_ticket_id_fkey foreign key (ticket_id) references tickets (id),
    constraint time_entries_user_id_fkey foreign key (user_id) references users (id),
    constraint time_entries_event_id_fkey foreign key (event_id) references ticket_events (id),
    constraint time_entries_minutes_check check (minutes between 1 and 1440)
);
-- A ticket's entries, newest last.
create index time_entries_ticket on time_entries (ticket_id, id);
-- The reports' totals over a period.
create index time_entries_created on time_entries (created_at);
