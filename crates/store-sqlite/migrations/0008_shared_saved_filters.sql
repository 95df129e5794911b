-- Saved queue filters shared with a group: its members see them in their sidebar.
-- Null keeps a filter private to its owner.
alter table saved_filters add column group_id bigint constraint saved_filters_group_id_fkey references groups (id);
create index saved_filters_group on saved_filters (group_id, name);
