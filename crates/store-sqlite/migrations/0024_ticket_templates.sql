-- Ticket templates: prefilled forms for recurring requests. A template touches no
-- ticket, so nothing refers to it. The category is not a foreign key: deleting a
-- category leaves the template without one (the forms ignore an unknown category).
-- Custom values are a JSON object of field key to stored value.
create table ticket_templates (
    id integer primary key,
    name text not null,
    description text not null,
    subject text not null,
    body text not null,
    category_id bigint,
    ticket_type text,
    priority text,
    custom_values text not null,
    audience text not null,
    active boolean not null default true,
    position bigint not null,
    created_at bigint not null,
    updated_at bigint not null
);
