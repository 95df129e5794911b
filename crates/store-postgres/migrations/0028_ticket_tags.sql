-- Each ticket's tags as rows, so a queue filter on a rare tag reads the few tickets
-- that carry it instead of every ticket in the queue. The tickets' own `tags` column
-- stays the source; triggers keep these rows equal to it in the same transaction,
-- whichever statement writes the tickets.
create table ticket_tags (
    tag text not null,
    ticket_id bigint not null,
    constraint ticket_tags_pkey primary key (tag, ticket_id)
);

insert into ticket_tags (tag, ticket_id)
select distinct j.value, t.id from tickets t, jsonb_array_elements_text(t.tags::jsonb) j
where t.tags <> '[]'
on conflict do nothing;

create function ticket_tags_sync() returns trigger language plpgsql as $$
begin
    if tg_op in ('UPDATE', 'DELETE') then
        delete from ticket_tags where ticket_id = old.id
            and tag in (select jsonb_array_elements_text(old.tags::jsonb));
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        insert into ticket_tags (tag, ticket_id)
        select value, new.id from jsonb_array_elements_text(new.tags::jsonb) value
        on conflict do nothing;
    end if;
    return null;
end;
$$;

create trigger tickets_tags_insert after insert on tickets
for each row when (new.tags <> '[]') execute function ticket_tags_sync();
create trigger tickets_tags_update after update of tags on tickets
for each row when (old.tags is distinct from new.tags) execute function ticket_tags_sync();
create trigger tickets_tags_delete after delete on tickets
for each row when (old.tags <> '[]') execute function ticket_tags_sync();
