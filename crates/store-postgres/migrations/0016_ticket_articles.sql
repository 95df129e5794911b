-- Which articles solved a ticket ("solved by this article"): one row per ticket and
-- article, with the `article_linked` event that recorded the link. The key keeps a
-- second click, or two racing ones, from adding a second event.
create table ticket_articles (
    ticket_id bigint not null,
    article_id bigint not null,
    event_id bigint,
    created_at bigint not null,
    updated_at bigint not null,
    constraint ticket_articles_pkey primary key (ticket_id, article_id),
    constraint ticket_articles_ticket_id_fkey foreign key (ticket_id) references tickets (id),
    constraint ticket_articles_article_id_fkey foreign key (article_id) references kb_articles (id),
    constraint ticket_articles_event_id_fkey foreign key (event_id) references ticket_events (id)
);

-- Links made before: the first event of each ticket and article.
insert into ticket_articles (ticket_id, article_id, event_id, created_at, updated_at)
select e.ticket_id, (e.data::jsonb ->> 'article_id')::bigint, min(e.id), min(e.created_at),
    min(e.created_at)
from ticket_events e
where e.kind = 'article_linked'
    and (e.data::jsonb ->> 'article_id')::bigint in (select id from kb_articles)
group by e.ticket_id, (e.data::jsonb ->> 'article_id')::bigint;
