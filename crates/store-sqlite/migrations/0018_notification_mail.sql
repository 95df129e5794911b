-- Staff hear of their notifications by mail too: each person chooses per kind which
-- ones are mailed, and whether they come one by one or gathered in a digest. Who is
-- mailed is decided when the ticket write decides who is told, with the settings
-- snapshot, so a change of preferences moves the settings' version like a change of
-- the staff does. People without a row have the defaults (the domain's
-- `Preferences::default`).
create table notification_preferences (
    user_id bigint not null,
    -- the kinds mailed, comma separated (`customer_replied,assigned,...`)
    email_kinds text not null,
    -- 'off', 'hourly' or 'daily'
    digest text not null,
    digest_period_micros bigint not null default 0,
    -- when the next digest is due, and the end of what the last one covered
    digest_due_at bigint,
    digest_since bigint,
    created_at bigint not null,
    updated_at bigint not null,
    constraint notification_preferences_pkey primary key (user_id),
    constraint notification_preferences_user_id_fkey foreign key (user_id) references users (id)
);
create index notification_preferences_digest_due on notification_preferences (digest_due_at)
where digest_due_at is not null;

create trigger notification_preferences_insert_moves_settings after insert on notification_preferences
begin update settings_version set version = version + 1 where id = 1; end;
create trigger notification_preferences_update_moves_settings after update of email_kinds, digest on notification_preferences
begin update settings_version set version = version + 1 where id = 1; end;
create trigger notification_preferences_delete_moves_settings after delete on notification_preferences
begin update settings_version set version = version + 1 where id = 1; end;

-- The outbox now also carries mail to staff: one notification (`notification_id`), or
-- a digest of a person's notifications (`digest_user_id`, over `digest_since` to
-- `digest_until`). Those rows announce no event, and a digest is about no one ticket,
-- so `event_id` and `ticket_id` may be null: SQLite cannot drop a `not null`, so the
-- table is rebuilt with its rows.
create table mail_outbox_new (
    id integer primary key autoincrement,
    event_id bigint,
    ticket_id bigint,
    notification_id bigint,
    digest_user_id bigint,
    digest_since bigint,
    digest_until bigint,
    -- 'pending', 'sent', 'skipped' or 'failed'
    state text not null,
    attempts bigint not null default 0,
    next_attempt_at bigint not null,
    message_id text,
    recipients text,
    raw blob,
    last_error text,
    sent_at bigint,
    created_at bigint not null,
    updated_at bigint not null,
    constraint mail_outbox_event_id_fkey foreign key (event_id) references ticket_events (id),
    constraint mail_outbox_notification_id_fkey foreign key (notification_id) references notifications (id),
    constraint mail_outbox_digest_user_id_fkey foreign key (digest_user_id) references users (id),
    constraint mail_outbox_one_purpose check (
        (event_id is not null and notification_id is null and digest_user_id is null)
        or (event_id is null and notification_id is not null and digest_user_id is null)
        or (event_id is null and notification_id is null and digest_user_id is not null))
);
insert into mail_outbox_new (id, event_id, ticket_id, state, attempts, next_attempt_at, message_id,
    recipients, raw, last_error, sent_at, created_at, updated_at)
select id, event_id, ticket_id, state, attempts, next_attempt_at, message_id,
    recipients, raw, last_error, sent_at, created_at, updated_at from mail_outbox;
drop table mail_outbox;
alter table mail_outbox_new rename to mail_outbox;
create unique index mail_outbox_event_key on mail_outbox (event_id);
create unique index mail_outbox_notification_key on mail_outbox (notification_id);
create index mail_outbox_due on mail_outbox (state, next_attempt_at, id);
create index mail_outbox_ticket on mail_outbox (ticket_id, id);
