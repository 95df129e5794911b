//! `/agent/reports`: the dashboard for supervisors (every group) and agents (their own
//! groups): volume per day as a chart, response and resolution times with the trend
//! against the period before, breakdowns by channel, priority, group, category and
//! agent, and the backlog. Read from the same service as `/api/v1/reports/dashboard`.

use super::Sidebar;
use crate::UiState;
use crate::chrome::Chrome;
use crate::error::{PageError, PageResult, render};
use crate::session::Staff;
use crate::view::{Choice, Names, channel_label};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use ferrodesk_app::ReportRequest;
use ferrodesk_app::reports::{Dashboard, ReportRow, ReportTotals};
use ferrodesk_domain::{Channel, GroupId, UserId, format_minutes};
use serde::Deserialize;

pub(crate) fn routes() -> Router<UiState> {
    Router::new().route("/reports", get(reports_page))
}

/// The periods offered, in days.
const PERIODS: &[(i64, &str)] = &[
    (7, "Last 7 days"),
    (30, "Last 30 days"),
    (90, "Last 90 days"),
    (365, "Last 12 months"),
];

#[derive(Debug, Default, Deserialize)]
struct ReportsQuery {
    days: Option<String>,
    group: Option<String>,
    /// A period of one's own: first and last day, `YYYY-MM-DD`.
    from: Option<String>,
    to: Option<String>,
    /// The single-choice custom field counted by option.
    field: Option<String>,
}

/// A headline figure with its trend.
struct Figure {
    label: &'static str,
    value: String,
    /// "+12 % vs previous period", or empty.
    trend: String,
    /// `good`, `bad` or `neutral`: a rise in response time is bad news, a rise in
    /// resolved tickets good, a rise in created ones neither.
    tone: &'static str,
}

/// One row of a breakdown table.
struct Row {
    label: String,
    created: i64,
    resolved: i64,
    first_response: String,
    resolution: String,
}

/// A breakdown table.
struct Table {
    title: &'static str,
    column: &'static str,
    rows: Vec<Row>,
    /// Whether the created count means something here: a ticket has no assignee
    /// when it is created, so "by agent" leaves it out.
    has_created: bool,
}

/// One bar pair of the daily chart (SVG coordinates).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Bar {
    pub x: i64,
    pub created_y: i64,
    pub created_height: i64,
    pub resolved_y: i64,
    pub resolved_height: i64,
    pub title: String,
}

/// The daily chart.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Chart {
    pub width: i64,
    pub height: i64,
    pub bar_width: i64,
    pub bars: Vec<Bar>,
    pub max: i64,
    /// Day labels under the chart, each over the same number of days, so that
    /// they line up with the bars at any width: (x, text).
    pub labels: Vec<(i64, String)>,
}

const CHART_HEIGHT: i64 = 160;
const SLOT: i64 = 12;

impl Chart {
    /// Bars of created (left) and resolved (right) per day, scaled to the busiest day.
    pub(crate) fn daily(days: &[(String, i64, i64)]) -> Chart {
        let max = days
            .iter()
            .map(|(_, created, resolved)| (*created).max(*resolved))
            .max()
            .unwrap_or(0)
            .max(1);
        let scale = |n: i64| n * CHART_HEIGHT / max;
        let bar_width = SLOT / 2 - 1;
        // At most about eight labels, each over a whole number of days.
        let every = ((days.len() / 8).max(1)..=days.len().max(1))
            .find(|d| days.len().is_multiple_of(*d))
            .unwrap_or(1);
        let mut labels = Vec::new();
        let bars = days
            .iter()
            .enumerate()
            .map(|(index, (date, created, resolved))| {
                let x = i64::try_from(index).unwrap_or(0) * SLOT;
                if index % every == 0 {
                    labels.push((x, day_label(date)));
                }
                Bar {
                    x,
                    created_y: CHART_HEIGHT - scale(*created),
                    created_height: scale(*created),
                    resolved_y: CHART_HEIGHT - scale(*resolved),
                    resolved_height: scale(*resolved),
                    title: format!("{date}: {created} created, {resolved} resolved"),
                }
            })
            .collect();
        Chart {
            width: i64::try_from(days.len()).unwrap_or(0) * SLOT,
            height: CHART_HEIGHT,
            bar_width,
            bars,
            max,
            labels,
        }
    }
}

/// "1 Nov" for `2026-11-01`.
fn day_label(date: &str) -> String {
    date.parse::<jiff::civil::Date>()
        .map_or_else(|_| date.to_owned(), |d| d.strftime("%-d %b").to_string())
}

#[derive(Template)]
#[template(path = "agent/reports.html")]
struct ReportsPage {
    chrome: Chrome,
    sidebar: Sidebar,
    periods: Vec<Choice>,
    groups: Vec<Choice>,
    from: String,
    to: String,
    figures: Vec<Figure>,
    chart: Chart,
    tables: Vec<Table>,
    backlog_open: i64,
    backlog_unassigned: i64,
    load: Vec<(String, i64)>,
    /// Time spent in the period: (agent, time, entries) and (group, time, entries).
    time_by_agent: Vec<(String, String, i64)>,
    time_by_group: Vec<(String, String, i64)>,
    by_field: FieldReport,
    /// The period as the query named it, kept by the custom field's form.
    query: Vec<(&'static str, String)>,
}

/// "By custom field": tickets created in the period per option of one single-choice
/// field (`fields` to choose from; empty when the desk has none).
struct FieldReport {
    fields: Vec<Choice>,
    rows: Vec<(String, i64)>,
}

/// The "By custom field" section for the field chosen (the first single-choice one
/// when none is).
async fn field_report(
    state: &UiState,
    viewer: &crate::session::Viewer,
    request: &ReportRequest,
    chosen: Option<&str>,
) -> PageResult<FieldReport> {
    let fields: Vec<ferrodesk_domain::CustomField> = state
        .app
        .custom_fields()
        .list(&viewer.actor)
        .await?
        .into_iter()
        .filter(|f| f.spec.kind == ferrodesk_domain::FieldKind::SingleChoice)
        .collect();
    let key = chosen
        .filter(|k| fields.iter().any(|f| f.spec.key == *k))
        .or_else(|| fields.first().map(|f| f.spec.key.as_str()))
        .map(str::to_owned);
    let rows = match &key {
        Some(key) => state
            .app
            .reports()
            .by_custom_field(&viewer.actor, request, key)
            .await?
            .options
            .into_iter()
            .map(|o| (o.option, o.tickets))
            .collect(),
        None => Vec::new(),
    };
    Ok(FieldReport {
        fields: fields
            .iter()
            .map(|f| {
                let selected = key.as_deref() == Some(f.spec.key.as_str());
                Choice::new(&f.spec.key, f.spec.label.clone(), selected)
            })
            .collect(),
        rows,
    })
}

/// "3 h 20 min", "2 d 4 h", "45 s".
pub(crate) fn duration(seconds: Option<i64>) -> String {
    let Some(s) = seconds else {
        return "–".to_owned();
    };
    match s {
        s if s < 60 => format!("{s} s"),
        s if s < 3_600 => format!("{} min", s / 60),
        s if s < 86_400 => format!("{} h {} min", s / 3_600, s % 3_600 / 60),
        s => format!("{} d {} h", s / 86_400, s % 86_400 / 3_600),
    }
}

/// Whether more of a figure is good news.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Better {
    /// More is better (resolved tickets).
    More,
    /// Less is better (response and resolution times).
    Less,
    /// Neither (created tickets).
    Neither,
}

/// The change against the period before, and its tone.
fn trend(now: f64, before: f64, better: Better) -> (String, &'static str) {
    if before <= 0.0 {
        return (String::new(), "neutral");
    }
    let change = ((now - before) / before * 100.0).round();
    let tone = if better == Better::Neither || change == 0.0 {
        "neutral"
    } else if (change > 0.0) == (better == Better::More) {
        "good"
    } else {
        "bad"
    };
    (format!("{change:+} % vs previous period"), tone)
}

#[allow(
    clippy::cast_precision_loss,
    reason = "counts and seconds are far below 2^52"
)]
fn figures(now: &ReportTotals, before: &ReportTotals) -> Vec<Figure> {
    let count = |label, now: i64, before: i64, better| {
        let (trend, tone) = trend(now as f64, before as f64, better);
        Figure {
            label,
            value: now.to_string(),
            trend,
            tone,
        }
    };
    let time = |label, now: Option<i64>, before: Option<i64>| {
        let (trend, tone) = match (now, before) {
            (Some(n), Some(b)) => trend(n as f64, b as f64, Better::Less),
            _ => (String::new(), "neutral"),
        };
        Figure {
            label,
            value: duration(now),
            trend,
            tone,
        }
    };
    vec![
        count("Created", now.created, before.created, Better::Neither),
        count("Resolved", now.resolved, before.resolved, Better::More),
        time(
            "Mean first response",
            now.avg_first_response_seconds,
            before.avg_first_response_seconds,
        ),
        time(
            "Mean resolution time",
            now.avg_resolution_seconds,
            before.avg_resolution_seconds,
        ),
        Figure {
            label: "Reopen rate",
            value: now
                .reopen_rate_percent
                .map_or("–".to_owned(), |p| format!("{p} %")),
            trend: String::new(),
            tone: "neutral",
        },
    ]
}

fn table(
    (title, column): (&'static str, &'static str),
    rows: &[ReportRow],
    label: impl Fn(&str) -> String,
) -> Table {
    Table {
        title,
        column,
        rows: rows
            .iter()
            .map(|row| Row {
                label: label(&row.key),
                created: row.totals.created,
                resolved: row.totals.resolved,
                first_response: duration(row.totals.avg_first_response_seconds),
                resolution: duration(row.totals.avg_resolution_seconds),
            })
            .collect(),
        has_created: true,
    }
}

/// A `from`/`to` day of the query: absent or a `YYYY-MM-DD` date; anything else is
/// refused rather than read as the default period.
fn report_day(name: &str, text: Option<&str>) -> PageResult<Option<jiff::civil::Date>> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => text.parse().map(Some).map_err(|_| {
            PageError::BadRequest(format!("{name} '{text}' is not a date like 2026-11-30"))
        }),
    }
}

fn id_of(key: &str) -> Option<i64> {
    key.parse().ok()
}

async fn reports_page(
    State(state): State<UiState>,
    staff: Staff,
    Query(query): Query<ReportsQuery>,
) -> PageResult {
    let viewer = &staff.0;
    let days = match query.days.as_deref().map(str::trim) {
        None | Some("") => 30,
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|d| PERIODS.iter().any(|(p, _)| p == d))
            .ok_or_else(|| {
                PageError::BadRequest(format!(
                    "the period '{text}' is not one of 7, 30, 90 or 365 days"
                ))
            })?,
    };
    let from = report_day("the first day", query.from.as_deref())?;
    let to = report_day("the last day", query.to.as_deref())?;
    let group = query
        .group
        .as_deref()
        .and_then(|g| g.trim().parse::<i64>().ok())
        .map(GroupId);
    let request = ReportRequest {
        from,
        to,
        days: from.is_none().then_some(days),
        group,
    };
    let dashboard: Dashboard = state
        .app
        .reports()
        .dashboard(&viewer.actor, &request)
        .await?;
    let mut names = Names::load(&state, &viewer.actor).await?;
    let agents: Vec<UserId> = dashboard
        .by_agent
        .iter()
        .filter_map(|row| id_of(&row.key))
        .chain(dashboard.backlog.by_agent.keys().filter_map(|k| id_of(k)))
        .map(UserId)
        .collect();
    names.add_users(&state, &viewer.actor, agents).await?;
    let time = state
        .app
        .time_entries()
        .report(&viewer.actor, &request)
        .await?;
    names
        .add_users(&state, &viewer.actor, time.by_agent.iter().map(|t| t.key))
        .await?;
    let sidebar = Sidebar::load(&state, &viewer.actor, &names, "reports").await?;
    let time_by_agent = (time.by_agent.iter())
        .map(|t| (names.user_name(t.key), format_minutes(t.minutes), t.entries))
        .collect();
    let time_by_group = (time.by_group.iter())
        .map(|t| {
            let group = t.key.map_or("No group".to_owned(), |g| names.group_name(g));
            (group, format_minutes(t.minutes), t.entries)
        })
        .collect();

    let chart = Chart::daily(
        &dashboard
            .daily
            .iter()
            .map(|d| (d.date.to_string(), d.totals.created, d.totals.resolved))
            .collect::<Vec<_>>(),
    );
    let group_label = |key: &str| match id_of(key) {
        Some(id) => names.group_name(GroupId(id)),
        None => "No group".to_owned(),
    };
    let agent_label = |key: &str| match id_of(key) {
        Some(id) => names.user_name(UserId(id)),
        None => key.to_owned(),
    };
    let tables = vec![
        table(("By channel", "Channel"), &dashboard.by_channel, |key| {
            Channel::parse(key).map_or(key.to_owned(), |c| channel_label(c).to_owned())
        }),
        table(("By priority", "Priority"), &dashboard.by_priority, |key| {
            key.to_uppercase()
        }),
        table(("By group", "Group"), &dashboard.by_group, group_label),
        table(("By category", "Category"), &dashboard.by_category, |key| {
            names.category_or(id_of(key).map(ferrodesk_domain::CategoryId), "No category")
        }),
        Table {
            has_created: false,
            ..table(("By agent", "Agent"), &dashboard.by_agent, agent_label)
        },
    ];
    let mut load: Vec<(String, i64)> = dashboard
        .backlog
        .by_agent
        .iter()
        .map(|(key, open)| (agent_label(key), *open))
        .collect();
    load.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let groups = std::iter::once(Choice::new("", "All my groups", group.is_none()))
        .chain(
            names
                .groups()
                .iter()
                .filter(|g| {
                    viewer.actor.ticket_scope() == ferrodesk_domain::TicketScope::All
                        || viewer.actor.group_ids.contains(&g.id)
                })
                .map(|g| Choice::new(g.id, g.name.clone(), Some(g.id) == group)),
        )
        .collect();
    let by_field = field_report(&state, viewer, &request, query.field.as_deref()).await?;
    let kept = [
        ("days", &query.days),
        ("group", &query.group),
        ("from", &query.from),
        ("to", &query.to),
    ];
    let page = ReportsPage {
        by_field,
        query: kept
            .into_iter()
            .filter_map(|(name, value)| Some((name, value.clone()?)))
            .collect(),
        chrome: Chrome::new(viewer, "agent", "Reports").nav("reports".to_owned()),
        sidebar,
        periods: PERIODS
            .iter()
            .map(|(d, label)| Choice::new(d, *label, *d == days))
            .collect(),
        groups,
        from: dashboard.from.to_string(),
        to: dashboard.to.to_string(),
        figures: figures(&dashboard.totals, &dashboard.previous),
        chart,
        tables,
        backlog_open: dashboard.backlog.open,
        backlog_unassigned: dashboard.backlog.unassigned,
        load,
        time_by_agent,
        time_by_group,
    };
    Ok(render(StatusCode::OK, &page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_scales_bars_to_the_busiest_day() {
        let chart = Chart::daily(&[
            ("2026-11-01".to_owned(), 10, 5),
            ("2026-11-02".to_owned(), 0, 20),
        ]);
        assert_eq!(chart.max, 20);
        assert_eq!(chart.width, 2 * SLOT);
        let first = &chart.bars[0];
        assert_eq!(
            (first.x, first.created_height, first.resolved_height),
            (0, 80, 40)
        );
        assert_eq!(first.created_y, CHART_HEIGHT - 80);
        let second = &chart.bars[1];
        assert_eq!(
            (second.x, second.created_height, second.resolved_height),
            (SLOT, 0, 160)
        );
        assert_eq!(second.title, "2026-11-02: 0 created, 20 resolved");
        assert_eq!(chart.labels[0], (0, "1 Nov".to_owned()));
    }

    #[test]
    fn an_empty_period_draws_no_bars_and_divides_by_nothing() {
        let chart = Chart::daily(&[("2026-11-01".to_owned(), 0, 0)]);
        assert_eq!(chart.bars[0].created_height, 0);
        assert_eq!(chart.max, 1);
    }

    #[test]
    fn durations_read_like_people_say_them() {
        assert_eq!(duration(None), "–");
        assert_eq!(duration(Some(45)), "45 s");
        assert_eq!(duration(Some(600)), "10 min");
        assert_eq!(duration(Some(3 * 3_600 + 20 * 60)), "3 h 20 min");
        assert_eq!(duration(Some(2 * 86_400 + 4 * 3_600)), "2 d 4 h");
    }

    #[test]
    fn trends_compare_with_the_period_before() {
        assert_eq!(
            trend(120.0, 100.0, Better::More),
            ("+20 % vs previous period".to_owned(), "good")
        );
        assert_eq!(
            trend(50.0, 100.0, Better::More),
            ("-50 % vs previous period".to_owned(), "bad")
        );
        assert_eq!(trend(5.0, 0.0, Better::More), (String::new(), "neutral"));
    }

    #[test]
    fn a_rise_in_response_time_is_bad_news_and_in_created_tickets_neither() {
        assert_eq!(trend(120.0, 100.0, Better::Less).1, "bad");
        assert_eq!(trend(80.0, 100.0, Better::Less).1, "good");
        assert_eq!(trend(120.0, 100.0, Better::Neither).1, "neutral");
        assert_eq!(trend(100.0, 100.0, Better::Less).1, "neutral");
    }

    #[test]
    fn day_labels_each_cover_the_same_number_of_days() {
        let days: Vec<(String, i64, i64)> = (1..=30)
            .map(|d| (format!("2026-11-{d:02}"), 0, 0))
            .collect();
        let chart = Chart::daily(&days);
        assert_eq!(chart.labels.len(), 10);
        assert_eq!(chart.labels[1], (3 * SLOT, "4 Nov".to_owned()));
        let days: Vec<(String, i64, i64)> = (0..90).map(|_| ("2026-11-01".into(), 0, 0)).collect();
        assert_eq!(Chart::daily(&days).labels.len(), 6);
    }
}
