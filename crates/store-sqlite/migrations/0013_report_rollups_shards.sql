-- Rollups, like the queue counts, are spread over shard rows that reports sum. On
-- PostgreSQL every ticket created in a group on one day updated the same rollup rows,
-- so concurrent creates waited for each other's commits. SQLite's single writer never
-- contends and always writes shard 0; the column keeps both schemas alike.
create table report_rollups_sharded (
    dimension text not null,
    day bigint not null,
    group_id bigint not null,
    dimension_value text not null,
    shard bigint not null default 0,
    created bigint not null,
    first_responses bigint not null,
    first_response_seconds bigint not null,
    resolved bigint not null,
    resolution_seconds bigint not null,
    reopened bigint not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint report_rollups_pkey primary key (dimension, day, group_id, dimension_value, shard)
);
insert into report_rollups_sharded (dimension, day, group_id, dimension_value, shard, created,
    first_responses, first_response_seconds, resolved, resolution_seconds, reopened,
    created_at, updated_at)
select dimension, day, group_id, dimension_value, 0, created, first_responses,
    first_response_seconds, resolved, resolution_seconds, reopened, created_at, updated_at
from report_rollups;
drop table report_rollups;
alter table report_rollups_sharded rename to report_rollups;
