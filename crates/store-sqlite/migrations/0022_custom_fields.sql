-- Custom fields: the definitions admins add, and each ticket's values in a table of
-- their own, so adding a field never rewrites a ticket. Options, ticket types and
-- categories are JSON arrays (empty ticket types or categories: all).
create table custom_fields (
    id integer primary key,
    field_key text not null,
    label text not null,
    kind text not null,
    options text not null,
    required boolean not null default false,
    customer_visible boolean not null default false,
    ticket_types text not null,
    category_ids text not null,
    position bigint not null,
    active boolean not null default true,
    created_at bigint not null,
    updated_at bigint not null,
    constraint custom_fields_key_unique unique (field_key)
);
-- A ticket's value of a field, as text (see ferrodesk_domain::FieldValue::to_stored).
create table ticket_custom_values (
    ticket_id bigint not null,
    field_id bigint not null,
    value text not null,
    primary key (ticket_id, field_id),
    constraint ticket_custom_values_ticket_id_fkey foreign key (ticket_id) references tickets (id),
    constraint ticket_custom_values_field_id_fkey foreign key (field_id) references custom_fields (id)
);
-- Filters by a field's value (cf.<key>=value), and whether a field is in use.
create index ticket_custom_values_filter on ticket_custom_values (field_id, value, ticket_id);
