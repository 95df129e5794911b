-- Checking a new ticket's custom values reads the field definitions from the settings
-- snapshot servers keep in memory, so a change to a definition moves the settings'
-- version: a write checked against older definitions is refused and checked again.
create trigger custom_fields_insert_moves_settings after insert on custom_fields
begin update settings_version set version = version + 1 where id = 1; end;
create trigger custom_fields_update_moves_settings after update on custom_fields
begin update settings_version set version = version + 1 where id = 1; end;
create trigger custom_fields_delete_moves_settings after delete on custom_fields
begin update settings_version set version = version + 1 where id = 1; end;
