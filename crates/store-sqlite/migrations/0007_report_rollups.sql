-- Report rollups: per UTC day (days since the epoch), group, agent, channel, priority
-- and category, the tickets created, first answered, resolved and reopened, with summed
-- seconds to first response and to resolution. Every ticket write changes them in its
-- own transaction; reports read them by day and never scan tickets. Unset dimensions
-- are 0; creations are counted under agent 0.
create table report_daily (
    day bigint not null,
    group_id bigint not null,
    agent_id bigint not null,
    channel text not null,
    priority_rank bigint not null,
    category_id bigint not null,
    created bigint not null,
    first_responses bigint not null,
    first_response_seconds bigint not null,
    resolved bigint not null,
    resolution_seconds bigint not null,
    reopened bigint not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint report_daily_pkey
        primary key (day, group_id, agent_id, channel, priority_rank, category_id)
);

-- The history already on file.
insert into report_daily (day, group_id, agent_id, channel, priority_rank, category_id,
    created, first_responses, first_response_seconds, resolved, resolution_seconds,
    reopened, created_at, updated_at)
select day, group_id, agent_id, channel, priority_rank, category_id,
    cast(sum(created) as bigint), cast(sum(first_responses) as bigint),
    cast(sum(first_response_seconds) as bigint), cast(sum(resolved) as bigint),
    cast(sum(resolution_seconds) as bigint), 0, max(updated_at), max(updated_at)
from (
    select created_at / 86400000000 as day, coalesce(group_id, 0) as group_id,
        0 as agent_id, channel, priority_rank, coalesce(category_id, 0) as category_id,
        1 as created, 0 as first_responses, 0 as first_response_seconds, 0 as resolved,
        0 as resolution_seconds, updated_at
    from tickets
    union all
    select first_response_at / 86400000000, coalesce(group_id, 0), coalesce(assignee_id, 0),
        channel, priority_rank, coalesce(category_id, 0), 0, 1,
        max(first_response_at - created_at, 0) / 1000000, 0, 0, updated_at
    from tickets where first_response_at is not null
    union all
    select resolved_at / 86400000000, coalesce(group_id, 0), coalesce(assignee_id, 0),
        channel, priority_rank, coalesce(category_id, 0), 0, 0, 0, 1,
        max(resolved_at - created_at, 0) / 1000000, updated_at
    from tickets where resolved_at is not null
) as facts
group by day, group_id, agent_id, channel, priority_rank, category_id;
