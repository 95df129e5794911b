-- The routing settings' version. Servers keep the groups, routing rules, assignment
-- modes, categories and services in memory; a write routed with them names the
-- version it saw and is refused when this counter has moved since. Triggers move it,
-- so a change made by any process or node counts.
create table settings_version (
    id bigint not null,
    version bigint not null,
    constraint settings_version_pkey primary key (id)
);
insert into settings_version (id, version) values (1, 1);

create trigger groups_insert_moves_settings after insert on groups
begin update settings_version set version = version + 1 where id = 1; end;
create trigger groups_update_moves_settings after update on groups
begin update settings_version set version = version + 1 where id = 1; end;
create trigger groups_delete_moves_settings after delete on groups
begin update settings_version set version = version + 1 where id = 1; end;
create trigger routing_rules_insert_moves_settings after insert on routing_rules
begin update settings_version set version = version + 1 where id = 1; end;
create trigger routing_rules_update_moves_settings after update on routing_rules
begin update settings_version set version = version + 1 where id = 1; end;
create trigger routing_rules_delete_moves_settings after delete on routing_rules
begin update settings_version set version = version + 1 where id = 1; end;
create trigger categories_insert_moves_settings after insert on categories
begin update settings_version set version = version + 1 where id = 1; end;
create trigger categories_update_moves_settings after update on categories
begin update settings_version set version = version + 1 where id = 1; end;
create trigger categories_delete_moves_settings after delete on categories
begin update settings_version set version = version + 1 where id = 1; end;
create trigger services_insert_moves_settings after insert on services
begin update settings_version set version = version + 1 where id = 1; end;
create trigger services_update_moves_settings after update on services
begin update settings_version set version = version + 1 where id = 1; end;
create trigger services_delete_moves_settings after delete on services
begin update settings_version set version = version + 1 where id = 1; end;

-- Round robin's last pick is not a setting: only the mode moves the counter.
create trigger group_assignment_insert_moves_settings after insert on group_assignment
begin update settings_version set version = version + 1 where id = 1; end;
create trigger group_assignment_update_moves_settings after update of mode on group_assignment
begin update settings_version set version = version + 1 where id = 1; end;
create trigger group_assignment_delete_moves_settings after delete on group_assignment
begin update settings_version set version = version + 1 where id = 1; end;
