//! Service-level policies and the SLA clock of one ticket.
//!
//! This module owns the targets (per priority: first response, update interval,
//! resolution, in business minutes), the warning share, and one pure function,
//! [`SlaPolicy::clock`], that turns a ticket's history into due times, warning
//! instants and breaches at a given `now`. It stores nothing and schedules nothing:
//! callers keep the due times on the ticket and run jobs for warnings and breaches.
//! Rule sources: docs/ARCHITECTURE.md, "SLA policy" ("the clock pauses while pending on the
//! customer or vendor; warnings before breach"); issue 4, "Service levels" (business
//! time only, pause while pending, restart on reopen, warnings at a share of the
//! target) and "Proactive communication" (the update interval).
//!
//! # The model
//!
//! The clock reads two kinds of [`ClockEvent`]: status changes and public replies to
//! the requester. A ticket is created `new` at `created_at`. Three target clocks count
//! business time (see [`crate::calendar`]) while the ticket is unresolved and not
//! pending on the customer or a vendor (`pending_scheduled` keeps counting: the desk
//! chose the date):
//!
//! - **First response** runs from creation until the first public reply. Resolving
//!   also meets it (the resolution notice answers the requester). Met once, it stays
//!   met, also after a reopen.
//! - **Update interval** runs from the last public reply and restarts at each one, so
//!   its due time is when the requester must next hear from the desk. It starts with
//!   the first public reply (before that the first-response target governs; without a
//!   first-response target it starts at creation), restarts on reopen, and is met when
//!   the ticket is resolved.
//! - **Resolution** runs from creation until the ticket is resolved or closed. A
//!   reopen restarts it: a fresh cycle with the full target from the reopen instant.
//!
//! A logged call or visit can be the first response too: the ticket records when it
//! was first answered (`first_response_at`), and that instant, given to the clock as
//! [`ClockEvent::FirstResponse`], counts like a public reply.
//!
//! A policy applies from the instant its terms took effect ([`SlaPolicy::in_force_from`]:
//! when it was created, or its targets, warning share or calendar last changed), never
//! to the time before: a ticket older than that is measured as if it had been opened
//! then, in the state its history had reached (answered, pending, resolved). A desk
//! that sets up its first policy, or tightens one, therefore gets no targets that were
//! already overdue when the policy was saved, and no warnings or breaches dated in the
//! past.
//!
//! A target's due time is the instant its business time reaches the target; its
//! warning instant is when it reaches the policy's share (e.g. 80 %) of the target.
//! A target is breached at `now` when its due time is at or before `now` and it was
//! not met before that. A priority change is handled by computing the clock again
//! with the new priority: targets then apply from creation.
//!
//! # What the store asks of this module
//!
//! The store persists a ticket's clock but decides nothing about it: which policy
//! covers the ticket ([`covering_policy`]), which of its events the clock reads
//! ([`ClockHistory`], [`clock_history`]) and when its next SLA job is due given the
//! warnings and breaches already marked ([`next_sla_job`], [`sla_mark`]) are decided
//! here; the time-based steps are in [`crate::automation`].
//!
//! The module is cut by concept: `policy` (targets, warning share, the policy and its
//! clock function), `clock` (clock events and each target's clock), `coverage`,
//! `history` and `marks`.

mod clock;
mod coverage;
mod history;
mod marks;
mod policy;

pub use clock::{ClockEvent, ClockPhase, SlaClock, TargetClock, TargetKind};
pub use coverage::{Coverage, covering_policy};
pub use history::{ClockHistory, clock_history};
pub use marks::{Mark, has_mark, next_sla_job, sla_mark};
pub use policy::{BusinessMinutes, PriorityTargets, SlaPolicy, SlaTargets, WarningShare};

#[cfg(test)]
mod properties;
#[cfg(test)]
mod start_tests;
#[cfg(test)]
mod tests;
