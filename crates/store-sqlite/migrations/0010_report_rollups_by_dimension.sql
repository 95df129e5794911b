-- Report rollups, one row per UTC day, group and breakdown value: the day's total
-- ('total', value '0'), and per agent, channel, priority rank and category. A 30-day
-- dashboard reads each breakdown's few rows per day instead of aggregating every
-- combination of all five, which grows with the desk. Unset values are '0' (creations
-- count under agent '0').
create table report_rollups (
    dimension text not null,
    day bigint not null,
    group_id bigint not null,
    dimension_value text not null,
    created bigint not null,
    first_responses bigint not null,
    first_response_seconds bigint not null,
    resolved bigint not null,
    resolution_seconds bigint not null,
    reopened bigint not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint report_rollups_pkey primary key (dimension, day, group_id, dimension_value)
);

-- The rollups already on file, summed per breakdown.
insert into report_rollups (dimension, day, group_id, dimension_value, created,
    first_responses, first_response_seconds, resolved, resolution_seconds, reopened,
    created_at, updated_at)
select dimension, day, group_id, dimension_value, cast(sum(created) as bigint),
    cast(sum(first_responses) as bigint), cast(sum(first_response_seconds) as bigint),
    cast(sum(resolved) as bigint), cast(sum(resolution_seconds) as bigint),
    cast(sum(reopened) as bigint), max(created_at), max(updated_at)
from (
    select 'total' as dimension, day, group_id, '0' as dimension_value, created,
        first_responses, first_response_seconds, resolved, resolution_seconds, reopened,
        created_at, updated_at
    from report_daily
    union all
    select 'agent', day, group_id, cast(agent_id as text), created, first_responses,
        first_response_seconds, resolved, resolution_seconds, reopened, created_at, updated_at
    from report_daily
    union all
    select 'channel', day, group_id, channel, created, first_responses,
        first_response_seconds, resolved, resolution_seconds, reopened, created_at, updated_at
    from report_daily
    union all
    select 'priority', day, group_id, cast(priority_rank as text), created, first_responses,
        first_response_seconds, resolved, resolution_seconds, reopened, created_at, updated_at
    from report_daily
    union all
    select 'category', day, group_id, cast(category_id as text), created, first_responses,
        first_response_seconds, resolved, resolution_seconds, reopened, created_at, updated_at
    from report_daily
) as facts
group by dimension, day, group_id, dimension_value;

drop table report_daily;
