-- An agent's queue is read as one index range per branch of their scope (their groups,
-- their assignments, their ownerships), filtered by status. With the status at the end
-- of each branch's index, the filter and the sort keys come from the index alone: a
-- queue page reads whole rows only for the tickets it shows.
drop index tickets_group_queue;
create index tickets_group_queue on tickets (group_id, is_open, updated_at, id, status);
drop index tickets_group_priority;
create index tickets_group_priority on tickets (group_id, is_open, priority_rank, created_at, id, status);
drop index tickets_group_created;
create index tickets_group_created on tickets (group_id, is_open, created_at, id, status);
drop index tickets_assignee_queue;
create index tickets_assignee_queue on tickets (assignee_id, is_open, updated_at, id, status);
drop index tickets_assignee_priority;
create index tickets_assignee_priority on tickets (assignee_id, is_open, priority_rank, created_at, id, status);
drop index tickets_owner_queue;
create index tickets_owner_queue on tickets (owner_id, is_open, updated_at, id, status);
drop index tickets_owner_priority;
create index tickets_owner_priority on tickets (owner_id, is_open, priority_rank, created_at, id, status);
