//! The in-app notifications a ticket write causes: the people it may concern are
//! looked up (only those the change can reach, see `notify::wanted`), the domain's
//! `notify::recipients` decides who hears what, and the notices travel with the
//! write, so they commit in the ticket's transaction, with the mail of those whose
//! preferences ask for it at once (queued in the outbox by the store).

use crate::directory::staff_actor;
use crate::{App, AppError};
use ferrodesk_domain::notify::{self, Candidate, Change};
use ferrodesk_domain::{EventKind, NewEvent, Role, Ticket, User, UserId, Visibility};
use ferrodesk_store::{DeskSettings, Notice, PageRequest, StoreError, UserFilter};
use std::collections::BTreeSet;

/// People read per group or handle at most: a group larger than this hears through
/// its first members only.
const MAX_PEOPLE: i64 = 200;

/// The notices `events` cause when `before` (`None`: just opened) becomes `after`.
/// `by_customer` says whether the person who made the change is a customer; `None`
/// when the caller does not know, and it matters (a public reply): then the snapshot
/// or the store tells.
///
/// With `settings`, the staff come from the snapshot, which the write names: a staff
/// member's change of groups since refuses the write, so nobody is told about a ticket
/// they may no longer see. Without (an append or a job, which name no snapshot), the
/// people are read from the store.
///
/// # Errors
/// `Unavailable` when the people cannot be read.
pub(crate) async fn notices(
    app: &App,
    settings: Option<&DeskSettings>,
    before: Option<&Ticket>,
    after: &Ticket,
    events: &[NewEvent],
    by_customer: Option<bool>,
) -> Result<Vec<Notice>, AppError> {
    let by = events.iter().find_map(|e| e.actor_id);
    let by_customer = match (by_customer, by) {
        (Some(known), _) => known,
        (None, Some(by)) if has_public_reply(events) => match settings {
            Some(settings) => !settings.staff.iter().any(|u| u.id == by),
            None => is_customer(app, after, by).await?,
        },
        (None, _) => false,
    };
    let change = Change {
        before,
        after,
        events,
        by,
        by_customer,
    };
    let candidates = match settings {
        Some(settings) => from_snapshot(app, settings, &change).await?,
        None => candidates(app, &change).await?,
    };
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let told = notify::recipients(&change, &candidates);
    if told.is_empty() {
        return Ok(Vec::new());
    }
    // Who is mailed at once follows their preferences: from the write's snapshot, or
    // from the node's current one for a write that names none.
    let current;
    let settings = match settings {
        Some(settings) => settings,
        None => {
            current = app.settings().await?;
            &current
        }
    };
    Ok(told
        .into_iter()
        .map(|(user_id, kind)| Notice {
            user_id,
            kind,
            message: notify::message(kind, after),
            mail: settings.preferences(user_id).mails_at_once(kind),
        })
        .collect())
}

/// Marks the notices whose people want them mailed at once (their preferences in
/// `settings`), whoever decided to tell them.
pub(crate) fn mail_by_preferences(settings: &DeskSettings, notices: &mut [Notice]) {
    for notice in notices {
        notice.mail = settings
            .preferences(notice.user_id)
            .mails_at_once(notice.kind);
    }
}

fn has_public_reply(events: &[NewEvent]) -> bool {
    events
        .iter()
        .any(|e| matches!(e.kind, EventKind::Reply { .. }) && e.visibility == Visibility::Public)
}

async fn is_customer(app: &App, ticket: &Ticket, by: UserId) -> Result<bool, AppError> {
    if by == ticket.requester_id {
        return Ok(true);
    }
    Ok(app.db().get_user(by).await?.role == Role::Customer)
}

/// The ticket's watchers (none yet for a ticket being opened).
async fn watchers_of(app: &App, change: &Change<'_>) -> Result<BTreeSet<UserId>, AppError> {
    Ok(match change.before {
        Some(_) => app
            .db()
            .list_watchers(change.after.id)
            .await?
            .into_iter()
            .map(|w| w.user_id)
            .collect(),
        None => BTreeSet::new(),
    })
}

/// [`candidates`] from the settings snapshot's staff: only the watchers are read.
async fn from_snapshot(
    app: &App,
    settings: &DeskSettings,
    change: &Change<'_>,
) -> Result<Vec<Candidate>, AppError> {
    let ticket = change.after;
    let watchers = watchers_of(app, change).await?;
    let wanted = notify::wanted(change);
    let concerned = |user: &User| {
        watchers.contains(&user.id)
            || (wanted.assignee_and_owner
                && (ticket.assignee_id == Some(user.id) || ticket.owner_id == Some(user.id)))
            || wanted.group.is_some_and(|g| user.group_ids.contains(&g))
            || (!wanted.handles.is_empty() && wanted.handles.contains(&handle_of(user)))
    };
    Ok(settings
        .staff
        .iter()
        .filter(|u| concerned(u))
        .map(|u| candidate(u.clone(), &watchers))
        .collect())
}

/// The staff `change` may concern: its watchers, and the assignee, owner, group members
/// and mentioned people when the change can reach them.
async fn candidates(app: &App, change: &Change<'_>) -> Result<Vec<Candidate>, AppError> {
    let db = app.db();
    let ticket = change.after;
    let watchers = watchers_of(app, change).await?;
    let wanted = notify::wanted(change);
    let mut ids = watchers.clone();
    if wanted.assignee_and_owner {
        ids.extend(ticket.assignee_id);
        ids.extend(ticket.owner_id);
    }
    let mut people = Vec::new();
    for id in &ids {
        match db.get_user(*id).await {
            Ok(user) => people.push(user),
            // Nobody to tell: a person who is gone is passed over, not an error.
            Err(StoreError::NotFound { .. }) => {}
            Err(error) => return Err(error.into()),
        }
    }
    if let Some(group) = wanted.group {
        let filter = UserFilter {
            group_id: Some(group),
            ..UserFilter::default()
        };
        people.extend(
            db.list_users(&filter, &PageRequest::first(MAX_PEOPLE))
                .await?
                .items,
        );
    }
    for handle in &wanted.handles {
        let filter = UserFilter {
            text: Some(handle.clone()),
            ..UserFilter::default()
        };
        let found = db
            .list_users(&filter, &PageRequest::first(MAX_PEOPLE))
            .await?;
        people.extend(found.items.into_iter().filter(|u| &handle_of(u) == handle));
    }
    let mut seen = BTreeSet::new();
    Ok(people
        .into_iter()
        .filter(|u| u.role.is_staff() && seen.insert(u.id))
        .map(|u| candidate(u, &watchers))
        .collect())
}

/// The name a note mentions a person by: their address before the `@`, lower case.
pub(crate) fn handle_of(user: &User) -> String {
    let address = user.email.as_str();
    address
        .split_once('@')
        .map_or(address, |(local, _)| local)
        .to_lowercase()
}

fn candidate(user: User, watchers: &BTreeSet<UserId>) -> Candidate {
    Candidate {
        handle: handle_of(&user),
        watches: watchers.contains(&user.id),
        is_active: user.is_active,
        actor: staff_actor(&user),
    }
}
