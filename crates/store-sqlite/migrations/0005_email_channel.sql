-- The email channel: the desk's mailboxes, every message id it received or sent (for
-- threading and deduplication), who takes part in a ticket's mail thread, messages that
-- could not be filed (quarantine), and the outbox of notifications.

create table mailboxes (
    id integer primary key autoincrement,
    name text not null,
    -- the desk's address for this mailbox; also one of "our own addresses"
    address text not null,
    is_default boolean not null default false,
    group_id bigint,
    category_id bigint,
    -- 'allow' creates unknown senders as customers; 'hold' quarantines their mail
    unknown_senders text not null default 'allow',
    imap_host text,
    imap_port bigint,
    -- 'tls' (implicit, port 993) or 'starttls' (port 143)
    imap_security text not null default 'tls',
    imap_user text,
    imap_password text,
    imap_folder text not null default 'INBOX',
    -- what happens on the server once a message is stored: 'flag', 'move' or 'delete'
    after_import text not null default 'flag',
    move_to text,
    is_enabled boolean not null default true,
    uid_validity bigint,
    last_uid bigint not null default 0,
    failure_count bigint not null default 0,
    last_error text,
    last_error_at bigint,
    last_success_at bigint,
    created_at bigint not null,
    updated_at bigint not null,
    constraint mailboxes_group_id_fkey foreign key (group_id) references groups (id),
    constraint mailboxes_category_id_fkey foreign key (category_id) references categories (id)
);
create unique index mailboxes_address_key on mailboxes (address);
create unique index mailboxes_name_key on mailboxes (name);

create table mail_messages (
    id integer primary key autoincrement,
    -- without angle brackets
    message_id text not null,
    -- 'in' or 'out'
    direction text not null,
    ticket_id bigint not null,
    event_id bigint,
    mailbox_id bigint,
    sender text not null,
    subject text not null default '',
    -- sanitized HTML body (inbound), safe to show
    html_body text,
    -- the full plain text, quoted history included (inbound)
    full_text text,
    may_auto_reply boolean not null default false,
    created_at bigint not null,
    updated_at bigint not null,
    constraint mail_messages_ticket_id_fkey foreign key (ticket_id) references tickets (id),
    constraint mail_messages_event_id_fkey foreign key (event_id) references ticket_events (id)
);
create unique index mail_messages_message_id_key on mail_messages (message_id, direction);
create index mail_messages_ticket on mail_messages (ticket_id, id);
create index mail_messages_event on mail_messages (event_id);
create index mail_messages_sender on mail_messages (sender, created_at);

create table mail_participants (
    ticket_id bigint not null,
    email text not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint mail_participants_pkey primary key (ticket_id, email),
    constraint mail_participants_ticket_id_fkey foreign key (ticket_id) references tickets (id)
);

create table mail_quarantine (
    id integer primary key autoincrement,
    mailbox_id bigint,
    reason text not null,
    -- a stable machine code for the reason: parse_error, unknown_sender, not_participant ...
    code text not null,
    sender text,
    subject text,
    message_id text,
    raw blob not null,
    created_at bigint not null,
    updated_at bigint not null
);
create index mail_quarantine_created on mail_quarantine (created_at, id);

create table mail_outbox (
    id integer primary key autoincrement,
    event_id bigint not null,
    ticket_id bigint not null,
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
    constraint mail_outbox_event_id_fkey foreign key (event_id) references ticket_events (id)
);
create unique index mail_outbox_event_key on mail_outbox (event_id);
create index mail_outbox_due on mail_outbox (state, next_attempt_at, id);
create index mail_outbox_ticket on mail_outbox (ticket_id, id);
