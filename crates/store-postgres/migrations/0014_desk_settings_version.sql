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

create function move_settings_version() returns trigger language plpgsql as $$
begin
    update settings_version set version = version + 1 where id = 1;
    return null;
end;
$$;

create trigger groups_move_settings after insert or update or delete or truncate on groups
for each statement execute function move_settings_version();
create trigger routing_rules_move_settings after insert or update or delete or truncate on routing_rules
for each statement execute function move_settings_version();
create trigger categories_move_settings after insert or update or delete or truncate on categories
for each statement execute function move_settings_version();
create trigger services_move_settings after insert or update or delete or truncate on services
for each statement execute function move_settings_version();

-- Round robin's last pick is not a setting: only the mode moves the counter.
create trigger group_assignment_move_settings
after insert or update of mode or delete on group_assignment
for each statement execute function move_settings_version();
