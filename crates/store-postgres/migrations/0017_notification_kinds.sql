-- Why each in-app notification was sent (`customer_replied`, `assigned`, `mentioned`...),
-- so the desk can show and filter them by reason; those written before were all sent
-- by a routing or escalation rule, or by the SLA job. The partial index serves the
-- unread count shown on every staff page.
alter table notifications add column kind text not null default 'rule';
create index notifications_unread on notifications (user_id) where read_at is null;

-- Who is told about a ticket write is decided with the settings snapshot, which now
-- holds the staff and their groups: a change to a staff member's role, name, address,
-- activity or groups moves the settings' version, so a write that told someone who
-- has since left a group is refused and decided again. Customers do not move it.
create trigger staff_insert_moves_settings after insert on users
for each row when (new.role <> 'customer') execute function move_settings_version();
create trigger staff_update_moves_settings after update of role, email, name, is_active on users
for each row when (old.role <> 'customer' or new.role <> 'customer')
execute function move_settings_version();
create trigger staff_delete_moves_settings after delete on users
for each row when (old.role <> 'customer') execute function move_settings_version();
create trigger user_groups_move_settings after insert or update or delete or truncate on user_groups
for each statement execute function move_settings_version();
