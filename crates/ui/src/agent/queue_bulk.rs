//! Bulk work from the queue: tick rows, choose one action (assign, status, priority,
//! group, add or remove a tag, apply a macro, merge into the oldest ticket), apply.
//! `POST /agent/queues/bulk` calls the one bulk use case (`Tickets::bulk`: each ticket
//! its own write through the single-ticket rules) and shows what changed and what was
//! refused, and why. With htmx the result appears above the rows and the rows refresh;
//! without it, a page with the result and a link back.

use super::Sidebar;
use super::ticket::OptionGroup;
use crate::UiState;
use crate::chrome::Chrome;
use crate::error::{PageResult, render};
use crate::form::{Form, FormData};
use crate::session::{Staff, Viewer, is_htmx};
use crate::view::{Choice, Names};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse as _;
use ferrodesk_app::{BulkAction, BulkOutcome, BulkSelection, MAX_BULK_TICKETS, TicketQuery};
use ferrodesk_domain::{GroupId, MacroId, Priority, TicketId, TicketStatus};

/// The bulk bar's action menu.
pub(crate) struct BulkBar {
    /// The actions, grouped.
    pub(crate) actions: Vec<OptionGroup>,
    /// How many tickets the queue's filter matches, when the bar may offer them all
    /// (at most [`MAX_BULK_TICKETS`]; not for the breaching-soon queue).
    pub(crate) matching: Option<usize>,
}

/// How many tickets the view (`open?type=incident`) matches, counted no further than
/// one past [`MAX_BULK_TICKETS`]; `None` when that is too many to change at once or
/// the view is no filter.
///
/// # Errors
/// The ticket service's errors.
pub(crate) async fn matching(
    state: &UiState,
    viewer: &Viewer,
    view: &str,
) -> PageResult<Option<usize>> {
    let Some(filter) = super::queue::view_filter(state, &viewer.actor, view) else {
        return Ok(None);
    };
    let cap = i64::try_from(MAX_BULK_TICKETS).unwrap_or(i64::MAX);
    let count = state
        .app
        .tickets()
        .count_capped(&viewer.actor, &filter, cap + 1)
        .await?;
    Ok(usize::try_from(count)
        .ok()
        .filter(|count| *count <= MAX_BULK_TICKETS))
}

/// The view a bulk form's `back` address shows (`/agent/queues/open?…` → `open?…`).
fn back_view(form: &FormData) -> Option<&str> {
    form.get("back").strip_prefix("/agent/queues/")
}

/// The actions the bar offers this agent.
pub(crate) async fn bulk_bar(
    state: &UiState,
    viewer: &Viewer,
    names: &Names,
) -> PageResult<BulkBar> {
    let choice = |value: String, label: String| Choice::new(value, label, false);
    let mut actions = vec![OptionGroup {
        label: String::new(),
        choices: vec![Choice::new("", "Choose an action…", true)],
    }];
    actions.push(OptionGroup {
        label: "Assign".into(),
        choices: vec![
            choice("assign:me".into(), "Assign to me".into()),
            choice("assign:none".into(), "Unassign".into()),
        ],
    });
    let statuses = [
        TicketStatus::Open,
        TicketStatus::PendingCustomer,
        TicketStatus::PendingVendor,
        TicketStatus::Resolved,
        TicketStatus::Closed,
    ];
    actions.push(OptionGroup {
        label: "Set status".into(),
        choices: statuses
            .iter()
            .map(|s| {
                let label = crate::view::status_badge(*s).label;
                choice(format!("status:{}", s.as_str()), label.to_owned())
            })
            .collect(),
    });
    actions.push(OptionGroup {
        label: "Set priority".into(),
        choices: [Priority::P1, Priority::P2, Priority::P3, Priority::P4]
            .iter()
            .map(|p| {
                let label = crate::view::priority_badge(*p).label;
                choice(format!("priority:{}", p.as_str()), label.to_owned())
            })
            .collect(),
    });
    actions.push(OptionGroup {
        label: "Move to group".into(),
        choices: names
            .groups()
            .into_iter()
            .map(|g| choice(format!("group:{}", g.id), g.name.clone()))
            .collect(),
    });
    actions.push(OptionGroup {
        label: "Tags (type the tag)".into(),
        choices: vec![
            choice("tag-add".into(), "Add the tag".into()),
            choice("tag-remove".into(), "Remove the tag".into()),
        ],
    });
    let macros = state.app.macros().list(&viewer.actor).await?;
    if !macros.is_empty() {
        actions.push(OptionGroup {
            label: "Apply a macro".into(),
            choices: macros
                .iter()
                .map(|m| choice(format!("macro:{}", m.id.get()), m.fields.name.clone()))
                .collect(),
        });
    }
    actions.push(OptionGroup {
        label: "Merge".into(),
        choices: vec![choice(
            "merge".into(),
            "Merge into the oldest selected ticket".into(),
        )],
    });
    Ok(BulkBar {
        actions,
        matching: None,
    })
}

/// The action a form names, or the field error that says what is missing.
fn read_action(
    form: &FormData,
    viewer: &Viewer,
    ids: &[TicketId],
) -> Result<BulkAction, (&'static str, &'static str)> {
    let action = form.get("action").trim();
    let tag = form.get("tag").trim();
    let (kind, value) = action.split_once(':').unwrap_or((action, ""));
    let id = || {
        value
            .parse::<i64>()
            .map_err(|_| ("action", "choose an action from the list"))
    };
    let tags = || {
        if tag.is_empty() {
            Err(("tag", "type the tag to add or remove"))
        } else {
            Ok(vec![tag.to_owned()])
        }
    };
    Ok(match kind {
        "assign" if value == "me" => BulkAction::Assign(Some(viewer.actor.user_id)),
        "assign" if value == "none" => BulkAction::Assign(None),
        "status" => BulkAction::SetStatus(
            TicketStatus::parse(value).map_err(|_| ("action", "choose a status from the list"))?,
        ),
        "priority" => BulkAction::SetPriority {
            priority: Priority::parse(value)
                .map_err(|_| ("action", "choose a priority from the list"))?,
            reason: Some("Set for several tickets at once".into()),
        },
        "group" => BulkAction::SetGroup(GroupId(id()?)),
        "macro" => BulkAction::ApplyMacro(MacroId(id()?)),
        "tag-add" => BulkAction::AddTags(tags()?),
        "tag-remove" => BulkAction::RemoveTags(tags()?),
        "merge" => match ids.iter().min() {
            Some(oldest) if ids.len() > 1 => BulkAction::MergeInto(*oldest),
            _ => return Err(("ticket", "select two or more tickets to merge")),
        },
        "" => return Err(("action", "choose an action")),
        _ => return Err(("action", "choose an action from the list")),
    })
}

/// One refused ticket, in words.
pub(crate) struct Refusal {
    id: i64,
    number: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "agent/bulk_result.html")]
struct ResultFragment {
    summary: String,
    refusals: Vec<Refusal>,
    error: Option<String>,
    is_error: bool,
}

#[derive(Template)]
#[template(path = "agent/bulk_page.html")]
struct ResultPage {
    chrome: Chrome,
    sidebar: Sidebar,
    result: ResultFragment,
    back: String,
}

/// The first letter of an error's sentence in capitals.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

async fn outcome(state: &UiState, viewer: &Viewer, form: &FormData) -> PageResult<ResultFragment> {
    let mut ids = Vec::new();
    for raw in form.all("ticket") {
        if let Ok(id) = raw.trim().parse::<i64>() {
            ids.push(TicketId(id));
        }
    }
    let failed = |message: &str| ResultFragment {
        summary: String::new(),
        refusals: Vec::new(),
        error: Some(message.to_owned()),
        is_error: true,
    };
    let by_filter = form.get("scope") == "filter";
    if ids.is_empty() && !by_filter {
        return Ok(failed("Select one or more tickets first."));
    }
    if by_filter && form.get("action").trim() == "merge" {
        return Ok(failed(
            "Tick the tickets to merge; merging goes by ticked tickets only.",
        ));
    }
    let action = match read_action(form, viewer, &ids) {
        Ok(action) => action,
        Err((_, message)) => return Ok(failed(&sentence(message))),
    };
    let selection = if by_filter {
        let filter =
            back_view(form).and_then(|view| super::queue::view_filter(state, &viewer.actor, view));
        let Some(filter) = filter else {
            return Ok(failed(
                "This queue cannot be changed by its filter; tick the tickets instead.",
            ));
        };
        BulkSelection::Filter(Box::new(TicketQuery {
            filter,
            ..TicketQuery::default()
        }))
    } else {
        BulkSelection::Ids(ids)
    };
    let report = match state
        .app
        .tickets()
        .bulk(&viewer.actor, selection, &action)
        .await
    {
        Ok(report) => report,
        Err(ferrodesk_app::AppError::Invalid { message, .. }) => {
            return Ok(failed(&sentence(&message)));
        }
        Err(error) => return Err(error.into()),
    };
    let mut summary = format!(
        "{} changed",
        crate::view::count_of(report.changed(), "ticket", "tickets")
    );
    if report.unchanged() > 0 {
        summary.push_str(&format!(", {} already so", report.unchanged()));
    }
    if report.refused() > 0 {
        summary.push_str(&format!(", {} refused", report.refused()));
    }
    summary.push('.');
    let refusals = report
        .items
        .into_iter()
        .filter_map(|item| match item.outcome {
            BulkOutcome::Refused(error) => Some(Refusal {
                id: item.ticket_id.get(),
                number: crate::view::TicketRef::new(item.ticket_id).number,
                reason: sentence(&error.to_string()),
            }),
            _ => None,
        })
        .collect::<Vec<_>>();
    Ok(ResultFragment {
        is_error: !refusals.is_empty(),
        summary,
        refusals,
        error: None,
    })
}

/// `POST /agent/queues/bulk`.
pub(crate) async fn apply(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    headers: HeaderMap,
    Form(form): Form,
) -> PageResult {
    let result = outcome(&state, &viewer, &form).await?;
    let status = if result.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    if is_htmx(&headers) {
        // htmx swaps only 2xx answers: a refused request is shown in place too.
        let mut response = render(StatusCode::OK, &result);
        response.headers_mut().insert(
            "hx-trigger",
            axum::http::HeaderValue::from_static("fd:queue"),
        );
        return Ok(response.into_response());
    }
    let back = form.get("back");
    let back = if back.starts_with("/agent/queues/") {
        back.to_owned()
    } else {
        "/agent/queues/mine".to_owned()
    };
    let names = Names::load(&state, &viewer.actor).await?;
    let page = ResultPage {
        chrome: Chrome::new(&viewer, "agent", "Bulk action"),
        sidebar: Sidebar::load(&state, &viewer.actor, &names, "").await?,
        result,
        back,
    };
    Ok(render(status, &page))
}
