-- The knowledge base: articles, every version kept, helpfulness votes, and the
-- portal's deflection records (a customer opened a suggested article while writing a
-- request). Related services are a JSON array of ids, checked by the service layer.
create table kb_articles (
    id integer primary key,
    title text not null,
    body text not null,
    kind text not null,
    status text not null,
    visibility text not null,
    language text not null,
    category_id bigint,
    service_ids text not null default '[]',
    version bigint not null,
    author_id bigint,
    helpful_votes bigint not null default 0,
    unhelpful_votes bigint not null default 0,
    created_at bigint not null,
    updated_at bigint not null,
    constraint kb_articles_category_id_fkey foreign key (category_id) references categories (id),
    constraint kb_articles_author_id_fkey foreign key (author_id) references users (id)
);
create index kb_articles_status on kb_articles (status, visibility, id);
create index kb_articles_category on kb_articles (category_id, id);

-- The id increases with every saved version across articles: the search index's feed.
create table kb_article_versions (
    id integer primary key,
    article_id bigint not null,
    version bigint not null,
    title text not null,
    body text not null,
    kind text not null,
    status text not null,
    visibility text not null,
    language text not null,
    category_id bigint,
    service_ids text not null,
    actor_id bigint,
    changed_fields text not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint kb_article_versions_article_id_fkey foreign key (article_id) references kb_articles (id),
    constraint kb_article_versions_actor_id_fkey foreign key (actor_id) references users (id)
);
create unique index kb_article_versions_key on kb_article_versions (article_id, version);

create table kb_votes (
    article_id bigint not null,
    user_id bigint not null,
    is_helpful boolean not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint kb_votes_pkey primary key (article_id, user_id),
    constraint kb_votes_article_id_fkey foreign key (article_id) references kb_articles (id),
    constraint kb_votes_user_id_fkey foreign key (user_id) references users (id)
);

create table kb_deflections (
    id integer primary key,
    user_id bigint not null,
    article_id bigint not null,
    query text not null,
    -- the request the customer submitted afterwards; null while deflected
    ticket_id bigint,
    created_at bigint not null,
    updated_at bigint not null,
    constraint kb_deflections_user_id_fkey foreign key (user_id) references users (id),
    constraint kb_deflections_article_id_fkey foreign key (article_id) references kb_articles (id)
);
create index kb_deflections_user on kb_deflections (user_id, created_at);
create index kb_deflections_created on kb_deflections (created_at);

-- The search index reads people changed since its last look.
create index users_updated on users (updated_at, id);
