-- Which node polls a mailbox, and until when (microseconds since the epoch): several
-- nodes share the mailboxes and each one is read by one node at a time.
alter table mailboxes add column lease_holder text;
alter table mailboxes add column lease_until bigint;
