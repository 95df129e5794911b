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
for each row execute function move_settings_version();
create trigger notification_preferences_update_moves_settings after update of email_kinds, digest on notification_preferences
for each row execute function move_settings_version();
create trigger notification_preferences_delete_moves_settings after delete on notification_preferences
for each row execute function move_settings_version();

-- The outbox now also carries mail to staff: one notification (`notification_id`), or
-- a digest of a person's notifications (`digest_user_id`, over `digest_since` to
-- `digest_until`). Those rows announce no event, and a digest is about no one ticket.
alter table mail_outbox alter column event_id drop not null;
alter table mail_outbox alter column ticket_id drop not null;
alter table mail_outbox add column notification_id bigint;
alter table mail_outbox add column digest_user_id bigint;
alter table mail_outbox add column digest_since bigint;
alter table mail_outbox add column digest_until bigint;
alter table mail_outbox add constraint mail_outbox_notification_id_fkey
    foreign key (notification_id) references notifications (id);
alter table mail_outbox add constraint mail_outbox_digest_user_id_fkey
    foreign key (digest_user_id) references users (id);
alter table mail_outbox add constraint mail_outbox_one_purpose check (
    (event_id is not null and notification_id is null and digest_user_id is null)
    or (event_id is null and notification_id is not null and digest_user_id is null)
    or (event_id is null and notification_id is null and digest_user_id is not null));
create unique index mail_outbox_notification_key on mail_outbox (notification_id);
