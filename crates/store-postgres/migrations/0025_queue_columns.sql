-- The work queue's columns each person chose, in order: column keys joined with
-- commas (`priority,number,subject`), read by `QueueColumns::from_text`. No row means
-- the standard set.
create table queue_columns (
    user_id bigint primary key,
    columns text not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint queue_columns_user_id_fkey foreign key (user_id) references users (id)
);
