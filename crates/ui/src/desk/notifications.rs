//! In-app notifications: the bell in the top bar with the unread count (refreshed live
//! when a ticket the viewer may see changes), `/agent/notifications` with the list,
//! and marking them read: one by opening it, or all at once; and
//! `/agent/notifications/preferences`, where each person chooses which kinds are also
//! mailed to them, at once or gathered in a digest.

use crate::UiState;
use crate::agent::Sidebar;
use crate::chrome::Chrome;
use crate::error::{PageResult, render};
use crate::form::Form;
use crate::session::Staff;
use crate::view::{Names, Times, When};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Redirect};
use axum::routing::{get, post};
use ferrodesk_app::PageRequest;
use ferrodesk_domain::NotificationKind;
use ferrodesk_domain::notify::{Digest, Preferences};
use serde::Deserialize;

/// Notifications the list shows, newest first.
const SHOWN: i64 = 100;

pub(super) fn routes() -> Router<UiState> {
    Router::new()
        .route("/notifications", get(notifications_page))
        .route("/notifications/bell", get(bell))
        .route("/notifications/read", post(read_all))
        .route(
            "/notifications/preferences",
            get(preferences_page).post(save_preferences),
        )
        .route("/notifications/{id}", get(open))
}

#[derive(Template)]
#[template(path = "agent/bell.html")]
struct Bell {
    unread: i64,
}

/// `GET /agent/notifications/bell`: the bell with the unread count, for the top bar.
async fn bell(State(state): State<UiState>, Staff(viewer): Staff) -> PageResult {
    let unread = state
        .app
        .service_levels()
        .unread_notifications(&viewer.actor)
        .await?;
    Ok(render(StatusCode::OK, &Bell { unread }))
}

/// One notification as the list shows it.
struct Row {
    id: i64,
    kind: &'static str,
    message: String,
    when: When,
    is_unread: bool,
}

#[derive(Template)]
#[template(path = "agent/notifications.html")]
struct NotificationsPage {
    chrome: Chrome,
    sidebar: Sidebar,
    rows: Vec<Row>,
    unread: i64,
}

/// `GET /agent/notifications`: the viewer's notifications, newest first.
async fn notifications_page(State(state): State<UiState>, Staff(viewer): Staff) -> PageResult {
    let service = state.app.service_levels();
    let notifications = service
        .notifications(&viewer.actor, &PageRequest::first(SHOWN))
        .await?;
    let unread = service.unread_notifications(&viewer.actor).await?;
    let names = Names::load(&state, &viewer.actor).await?;
    let sidebar = Sidebar::load(&state, &viewer.actor, &names, "notifications").await?;
    let times = Times::new(&viewer.user, state.app.now());
    let rows = notifications
        .into_iter()
        .map(|n| Row {
            id: n.id.get(),
            kind: kind_label(n.kind),
            message: n.message,
            when: times.at(n.created_at),
            is_unread: n.read_at.is_none(),
        })
        .collect();
    let page = NotificationsPage {
        chrome: Chrome::new(&viewer, "agent", "Notifications"),
        sidebar,
        rows,
        unread,
    };
    Ok(render(StatusCode::OK, &page))
}

/// `GET /agent/notifications/{id}`: marks the notification read and opens its ticket
/// (or the list, when it is about none).
async fn open(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
) -> PageResult {
    let Ok(id) = raw.parse::<i64>() else {
        return Ok(Redirect::to("/agent/notifications").into_response());
    };
    let service = state.app.service_levels();
    let ticket = service.notification_ticket(&viewer.actor, id).await?;
    service.mark_read(&viewer.actor, &[id]).await?;
    let target = match ticket {
        Some(ticket) => format!("/agent/tickets/{}", ticket.get()),
        None => "/agent/notifications".to_owned(),
    };
    Ok(Redirect::to(&target).into_response())
}

/// `POST /agent/notifications/read`: marks every notification of the viewer read.
async fn read_all(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Form(_form): Form,
) -> PageResult {
    state
        .app
        .service_levels()
        .mark_read(&viewer.actor, &[])
        .await?;
    Ok(Redirect::to("/agent/notifications").into_response())
}

/// What a notification's kind says, in a word or two.
pub(crate) fn kind_label(kind: NotificationKind) -> &'static str {
    match kind {
        NotificationKind::CustomerReplied => "Customer replied",
        NotificationKind::Assigned => "Assigned to you",
        NotificationKind::GroupQueued => "New in your group",
        NotificationKind::Mentioned => "Mentioned",
        NotificationKind::Reopened => "Reopened",
        NotificationKind::Escalated => "Escalated",
        NotificationKind::VendorAnswered => "Vendor answered",
        NotificationKind::SlaWarning => "SLA warning",
        NotificationKind::SlaBreached => "SLA breached",
        NotificationKind::WatchedChanged => "Watched ticket",
        NotificationKind::Rule => "Rule",
    }
}

/// One kind in the preferences form.
struct KindChoice {
    value: &'static str,
    label: &'static str,
    about: &'static str,
    mailed: bool,
}

/// One digest choice in the preferences form.
struct DigestChoice {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

#[derive(Template)]
#[template(path = "agent/notification_preferences.html")]
struct PreferencesPage {
    chrome: Chrome,
    sidebar: Sidebar,
    kinds: Vec<KindChoice>,
    digests: Vec<DigestChoice>,
}

/// `?done=` after saving.
#[derive(Debug, Deserialize)]
struct Done {
    done: Option<String>,
}

/// `GET /agent/notifications/preferences`: which kinds are mailed, and how.
async fn preferences_page(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Query(query): Query<Done>,
) -> PageResult {
    let preferences = state
        .app
        .service_levels()
        .notification_preferences(&viewer.actor)
        .await?;
    let names = Names::load(&state, &viewer.actor).await?;
    let sidebar = Sidebar::load(&state, &viewer.actor, &names, "notifications").await?;
    let kinds = NotificationKind::ALL
        .iter()
        .map(|kind| KindChoice {
            value: kind.as_str(),
            label: kind_label(*kind),
            about: kind_about(*kind),
            mailed: preferences.email.contains(kind),
        })
        .collect();
    let digests = Digest::ALL
        .iter()
        .map(|digest| DigestChoice {
            value: digest.as_str(),
            label: digest_label(*digest),
            selected: *digest == preferences.digest,
        })
        .collect();
    let page = PreferencesPage {
        chrome: Chrome::new(&viewer, "agent", "Notification preferences")
            .notice(query.done.as_deref()),
        sidebar,
        kinds,
        digests,
    };
    Ok(render(StatusCode::OK, &page))
}

/// `POST /agent/notifications/preferences`: stores the choice. An unknown kind or
/// digest is a forged form: 400, nothing stored.
async fn save_preferences(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Form(form): Form,
) -> PageResult {
    let kinds: Result<Vec<NotificationKind>, _> = form
        .all("email")
        .into_iter()
        .map(NotificationKind::parse)
        .collect();
    let (Ok(kinds), Ok(digest)) = (kinds, Digest::parse(form.get("digest"))) else {
        return Err(crate::error::PageError::BadRequest(
            "unknown notification kind or digest".to_owned(),
        ));
    };
    state
        .app
        .service_levels()
        .set_notification_preferences(&viewer.actor, Preferences::new(&kinds, digest))
        .await?;
    Ok(Redirect::to("/agent/notifications/preferences?done=preferences").into_response())
}

/// What each kind means, for the preferences form.
fn kind_about(kind: NotificationKind) -> &'static str {
    match kind {
        NotificationKind::CustomerReplied => {
            "A customer answered on a ticket you are assigned, own or watch."
        }
        NotificationKind::Assigned => "A ticket was assigned to you.",
        NotificationKind::GroupQueued => "A ticket waits unassigned in one of your groups.",
        NotificationKind::Mentioned => "An internal note names you (@handle).",
        NotificationKind::Reopened => "A ticket you work or watch was reopened.",
        NotificationKind::Escalated => "A ticket was escalated to you or your group.",
        NotificationKind::SlaWarning => {
            "A ticket of yours (or your group's) nears its service level."
        }
        NotificationKind::SlaBreached => {
            "A ticket of yours (or your group's) breached its service level."
        }
        NotificationKind::WatchedChanged => "Anything else changed on a ticket you watch.",
        NotificationKind::VendorAnswered => {
            "An outside vendor answered on your ticket (or your group's, unassigned)."
        }
        NotificationKind::Rule => "A routing or escalation rule asks for you.",
    }
}

fn digest_label(digest: Digest) -> &'static str {
    match digest {
        Digest::Off => "Mail each one as it happens",
        Digest::Hourly => "Gather them in one mail an hour",
        Digest::Daily => "Gather them in one mail a day",
    }
}
