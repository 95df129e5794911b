//! Service levels in the agent workspace: SLA countdown badges for the ticket header
//! and queue rows (ok, warning, breached, paused, met), read from each ticket's
//! stored clock in one indexed read per page.

use crate::UiState;
use crate::error::PageResult;
use crate::view::TicketRow;
use ferrodesk_app::{SlaState, StoredTarget};
use ferrodesk_domain::{Actor, TargetKind, TicketId};
use jiff::Timestamp;

/// The name of a target as agents read it.
pub(crate) fn target_name(kind: TargetKind) -> &'static str {
    match kind {
        TargetKind::FirstResponse => "first response",
        TargetKind::Update => "update",
        TargetKind::Resolution => "resolution",
    }
}

/// One SLA countdown badge.
#[derive(Debug, Clone)]
pub(crate) struct SlaBadge {
    /// `Resolution · 2 h 5 min left`.
    pub label: String,
    /// `ok`, `warning`, `breached`, `paused` or `met` (also the CSS class suffix).
    pub state: &'static str,
    /// The due time, spelled out for the tooltip.
    pub title: String,
}

fn span(seconds: i64) -> String {
    let minutes = seconds.abs() / 60;
    match minutes {
        0 => "under a minute".to_owned(),
        1..60 => format!("{minutes} min"),
        60..1440 => format!("{} h {} min", minutes / 60, minutes % 60),
        _ => format!("{} d {} h", minutes / 1440, (minutes % 1440) / 60),
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The badge of one target at `now`.
pub(crate) fn badge(target: &StoredTarget, now: Timestamp) -> SlaBadge {
    let state = target.state_at(now);
    let name = capitalized(target_name(target.kind));
    let left = target.due_at.map(|due| due.duration_since(now).as_secs());
    let label = match (state, left) {
        (SlaState::Met, _) => format!("{name} · met"),
        (SlaState::Paused, _) => format!("{name} · paused"),
        (SlaState::Breached, Some(left)) => format!("{name} · {} overdue", span(left)),
        (_, Some(left)) => format!("{name} · {} left", span(left)),
        (_, None) => name.clone(),
    };
    let title = match target.due_at {
        Some(due) => format!("{name} due {due} (business time)"),
        None => format!("{name}: the clock is not running"),
    };
    SlaBadge {
        label,
        state: state.as_str(),
        title,
    }
}

/// Every target's badge for a ticket's header (staff).
pub(crate) async fn ticket_badges(
    state: &UiState,
    actor: &Actor,
    id: TicketId,
) -> PageResult<Vec<SlaBadge>> {
    let now = state.app.now();
    let slas = state.app.service_levels().ticket_slas(actor, &[id]).await?;
    Ok(slas
        .iter()
        .flat_map(|sla| sla.targets().map(|t| badge(t, now)))
        .collect())
}

/// Puts each row's most urgent target on it.
pub(crate) async fn add_row_badges(
    state: &UiState,
    actor: &Actor,
    rows: &mut [TicketRow],
) -> PageResult<()> {
    let ids: Vec<TicketId> = rows.iter().map(|r| TicketId(r.id)).collect();
    let now = state.app.now();
    let slas = state.app.service_levels().ticket_slas(actor, &ids).await?;
    for sla in &slas {
        if let Some(row) = rows.iter_mut().find(|r| r.id == sla.ticket_id.get()) {
            row.sla = sla.most_urgent(now).map(|t| badge(t, now));
        }
    }
    Ok(())
}
