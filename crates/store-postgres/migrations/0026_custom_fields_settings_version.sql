-- Checking a new ticket's custom values reads the field definitions from the settings
-- snapshot servers keep in memory, so a change to a definition moves the settings'
-- version: a write checked against older definitions is refused and checked again.
create trigger custom_fields_move_settings after insert or update or delete or truncate on custom_fields
for each statement execute function move_settings_version();
