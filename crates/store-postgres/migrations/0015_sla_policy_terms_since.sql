-- When a policy's terms (targets, warning share, calendar) took effect: its creation,
-- or the last change of those. A ticket's clock counts from its creation or from this
-- instant, whichever is later, so a new or tightened policy never makes targets overdue
-- in the past. Existing policies took effect when they were created.
alter table sla_policies add column terms_since bigint not null default 0;
update sla_policies set terms_since = created_at;
