-- Agents' queues sorted by priority read their assigned and owned tickets through these
-- ranges in order, instead of sorting every open ticket the agent owns or works on.
create index tickets_assignee_priority on tickets (assignee_id, is_open, priority_rank, created_at, id);
create index tickets_owner_priority on tickets (owner_id, is_open, priority_rank, created_at, id);
