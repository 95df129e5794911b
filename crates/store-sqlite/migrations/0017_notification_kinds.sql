-- Why each in-app notification was sent (`customer_replied`, `assigned`, `mentioned`...),
-- so the desk can show and filter them by reason; those written before were all sent
-- by a routing or escalation rule, or by the SLA job. The partial index serves the
-- unread count shown on every staff page.
alter table notifications add column kind text not null default 'rule';
create index notifications_unread on notifications (user_id) where read_at is null;
