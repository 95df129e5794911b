-- Each ticket's tags as rows, so a queue filter on a rare tag reads the few tickets
-- that carry it instead of every ticket in the queue. The tickets' own `tags` column
-- stays the source; triggers keep these rows equal to it in the same transaction,
-- whichever statement writes the tickets.
create table ticket_tags (
    tag text not null,
    ticket_id bigint not null,
    constraint ticket_tags_pkey primary key (tag, ticket_id)
);

insert or ignore into ticket_tags (tag, ticket_id)
select j.value, t.id from tickets t, json_each(t.tags) j where t.tags <> '[]';

create trigger tickets_tags_insert after insert on tickets when new.tags <> '[]'
begin
    insert or ignore into ticket_tags (tag, ticket_id)
    select value, new.id from json_each(new.tags);
end;

create trigger tickets_tags_update after update of tags on tickets
when old.tags is not new.tags
begin
    delete from ticket_tags where ticket_id = old.id
        and tag in (select value from json_each(old.tags));
    insert or ignore into ticket_tags (tag, ticket_id)
    select value, new.id from json_each(new.tags);
end;

create trigger tickets_tags_delete after delete on tickets when old.tags <> '[]'
begin
    delete from ticket_tags where ticket_id = old.id
        and tag in (select value from json_each(old.tags));
end;
