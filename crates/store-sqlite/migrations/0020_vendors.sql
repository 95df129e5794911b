-- Outside vendors the desk hands tickets off to, each with its own promise of a
-- response time, and the cases a hand-off opens: written in the transaction of the
-- hand-off's event, marked answered in that of the vendor's answer.
create table vendors (
    id integer primary key,
    name text not null,
    email text not null,
    contract_ref text,
    response_hours bigint not null,
    notes text,
    is_active boolean not null default true,
    created_at bigint not null,
    updated_at bigint not null,
    constraint vendors_name_key unique (name)
);

create table vendor_cases (
    id integer primary key,
    ticket_id bigint not null,
    vendor_id bigint not null,
    reference text not null,
    opened_at bigint not null,
    answered_at bigint,
    due_at bigint not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint vendor_cases_reference_key unique (reference),
    constraint vendor_cases_ticket_id_fkey foreign key (ticket_id) references tickets (id),
    constraint vendor_cases_vendor_id_fkey foreign key (vendor_id) references vendors (id)
);
-- A ticket's cases (the ticket page, the next reference, an answer's thread).
create index vendor_cases_ticket on vendor_cases (ticket_id, id);
