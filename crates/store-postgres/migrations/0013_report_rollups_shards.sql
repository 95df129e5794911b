-- Rollups, like the queue counts, are spread over shard rows that reports sum: every
-- ticket created in a group on one day updated the same rollup rows, so concurrent
-- creates waited for each other's commits.
alter table report_rollups add column shard bigint not null default 0;
alter table report_rollups drop constraint report_rollups_pkey;
alter table report_rollups add constraint report_rollups_pkey
    primary key (dimension, day, group_id, dimension_value, shard);
