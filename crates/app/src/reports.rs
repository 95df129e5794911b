//! Reports for supervisors and agents: ticket volume, response and resolution times,
//! reopen rate, trends against the period before, the breakdown by channel, group,
//! priority, category and agent, and the live backlog.
//!
//! Everything is read from the report rollups (per-day sums kept by every ticket
//! write) and the queue counts, so a report costs the same at a thousand tickets and
//! at a million. Days are UTC days.

use crate::{App, AppError};
use ferrodesk_domain::{Actor, GroupId, Role, UserId};
use ferrodesk_store::{ReportDay, ReportDimension, ReportQuery};
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use std::collections::BTreeMap;

/// The longest period one report covers.
pub const MAX_REPORT_DAYS: i64 = 366;

/// Microseconds in a day (report days are UTC days since the Unix epoch).
const MICROS_PER_DAY: i64 = 86_400_000_000;

/// Which period and which tickets a report covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRequest {
    /// First day, inclusive; defaults to `days - 1` days before `to`.
    pub from: Option<Date>,
    /// Last day, inclusive; defaults to today.
    pub to: Option<Date>,
    /// How many days when `from` is not given (default 30).
    pub days: Option<i64>,
    /// Only this group.
    pub group: Option<GroupId>,
}

/// Sums over a period (or over one day, or one breakdown value).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ReportTotals {
    /// Tickets created.
    pub created: i64,
    /// Tickets resolved.
    pub resolved: i64,
    /// Resolved tickets opened again.
    pub reopened: i64,
    /// Tickets that got their first response.
    pub first_responses: i64,
    /// Mean seconds from creation to first response, over those answered in the period.
    pub avg_first_response_seconds: Option<i64>,
    /// Mean seconds from creation to resolution, over those resolved in the period.
    pub avg_resolution_seconds: Option<i64>,
    /// Reopened per resolved, in percent.
    pub reopen_rate_percent: Option<f64>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Sums {
    created: i64,
    resolved: i64,
    reopened: i64,
    first_responses: i64,
    first_response_seconds: i64,
    resolution_seconds: i64,
}

impl Sums {
    fn add(&mut self, day: &ReportDay) {
        self.created += day.created;
        self.resolved += day.resolved;
        self.reopened += day.reopened;
        self.first_responses += day.first_responses;
        self.first_response_seconds += day.first_response_seconds;
        self.resolution_seconds += day.resolution_seconds;
    }

    fn totals(&self) -> ReportTotals {
        let mean = |sum: i64, n: i64| (n > 0).then(|| sum / n);
        ReportTotals {
            created: self.created,
            resolved: self.resolved,
            reopened: self.reopened,
            first_responses: self.first_responses,
            avg_first_response_seconds: mean(self.first_response_seconds, self.first_responses),
            avg_resolution_seconds: mean(self.resolution_seconds, self.resolved),
            #[allow(
                clippy::cast_precision_loss,
                reason = "ticket counts are far below 2^52"
            )]
            reopen_rate_percent: (self.resolved > 0)
                .then(|| (self.reopened as f64 * 1000.0 / self.resolved as f64).round() / 10.0),
        }
    }
}

/// One day of the period.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReportDayTotals {
    /// The day.
    pub date: Date,
    /// Its sums.
    #[serde(flatten)]
    pub totals: ReportTotals,
}

/// One value of a breakdown (a channel, a group...).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReportRow {
    /// The value: a channel name, a priority (`p1`), a group, user or category id, or
    /// `none`.
    pub key: String,
    /// Its sums over the period.
    #[serde(flatten)]
    pub totals: ReportTotals,
}

/// Open tickets now.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Backlog {
    /// Open tickets (in the report's groups).
    pub open: i64,
    /// Of those, not assigned to anyone.
    pub unassigned: i64,
    /// Open tickets per group id (`none` for no group).
    pub by_group: BTreeMap<String, i64>,
    /// Open tickets per assignee id: each agent's current load.
    pub by_agent: BTreeMap<String, i64>,
}

/// The dashboard of one period.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Dashboard {
    /// First day, inclusive (UTC).
    pub from: Date,
    /// Last day, inclusive (UTC).
    pub to: Date,
    /// The group it is limited to, if any.
    pub group: Option<GroupId>,
    /// Sums over the period.
    pub totals: ReportTotals,
    /// Sums over the period of the same length just before: the trend.
    pub previous: ReportTotals,
    /// Every day of the period, including quiet ones.
    pub daily: Vec<ReportDayTotals>,
    /// By channel.
    pub by_channel: Vec<ReportRow>,
    /// By priority.
    pub by_priority: Vec<ReportRow>,
    /// By group.
    pub by_group: Vec<ReportRow>,
    /// By category.
    pub by_category: Vec<ReportRow>,
    /// By agent (the assignee when the ticket was answered or resolved).
    pub by_agent: Vec<ReportRow>,
    /// Open tickets now.
    pub backlog: Backlog,
}

/// Reports. Supervisors and admins see every group; agents see their own groups;
/// customers see none.
pub struct Reports<'a> {
    app: &'a App,
}

fn day_number(date: Date) -> Result<i64, AppError> {
    let at = date
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map_err(|e| AppError::invalid("from", e.to_string()))?
        .timestamp();
    Ok(at.as_microsecond().div_euclid(MICROS_PER_DAY))
}

fn date_of(day: i64) -> Result<Date, AppError> {
    let at = Timestamp::from_microsecond(day.saturating_mul(MICROS_PER_DAY))
        .map_err(|e| AppError::invalid("from", e.to_string()))?;
    Ok(at.to_zoned(jiff::tz::TimeZone::UTC).date())
}

impl<'a> Reports<'a> {
    pub(crate) fn new(app: &'a App) -> Self {
        Reports { app }
    }

    /// The groups `actor` may report on (`None`: all), limited to `group` when asked.
    fn groups(actor: &Actor, group: Option<GroupId>) -> Result<Option<Vec<GroupId>>, AppError> {
        match actor.role {
            Role::Supervisor | Role::Admin => Ok(group.map(|g| vec![g])),
            Role::Agent => match group {
                Some(g) if actor.group_ids.contains(&g) => Ok(Some(vec![g])),
                Some(g) => Err(AppError::not_found("group", g.to_string())),
                None => Ok(Some(actor.group_ids.clone())),
            },
            Role::Customer => Err(AppError::forbidden("reports are for staff")),
        }
    }

    /// The period a request names, checked.
    pub(crate) fn period(&self, request: &ReportRequest) -> Result<(Date, Date), AppError> {
        let today = self.app.now().to_zoned(jiff::tz::TimeZone::UTC).date();
        let to = request.to.unwrap_or(today);
        let from = match (request.from, request.days) {
            (Some(from), _) => from,
            (None, days) => {
                let days = days.unwrap_or(30);
                if !(1..=MAX_REPORT_DAYS).contains(&days) {
                    return Err(AppError::invalid(
                        "days",
                        format!("must be between 1 and {MAX_REPORT_DAYS}"),
                    ));
                }
                to.checked_sub((days - 1).days())
                    .map_err(|e| AppError::invalid("days", e.to_string()))?
            }
        };
        if from > to {
            return Err(AppError::invalid("from", "must not be after `to`"));
        }
        if day_number(to)? - day_number(from)? >= MAX_REPORT_DAYS {
            return Err(AppError::invalid(
                "from",
                format!("a report covers at most {MAX_REPORT_DAYS} days"),
            ));
        }
        Ok((from, to))
    }

    async fn read(
        &self,
        first_day: i64,
        last_day: i64,
        groups: &Option<Vec<GroupId>>,
        by: ReportDimension,
    ) -> Result<Vec<ReportDay>, AppError> {
        self.app
            .db()
            .report_days(&ReportQuery {
                first_day,
                last_day,
                groups: groups.clone(),
                by,
            })
            .await
            .map_err(AppError::from)
    }

    async fn breakdown(
        &self,
        first_day: i64,
        last_day: i64,
        groups: &Option<Vec<GroupId>>,
        by: ReportDimension,
    ) -> Result<Vec<ReportRow>, AppError> {
        let mut sums: BTreeMap<String, Sums> = BTreeMap::new();
        for day in self.read(first_day, last_day, groups, by).await? {
            sums.entry(day.dimension.clone()).or_default().add(&day);
        }
        let mut rows: Vec<ReportRow> = sums
            .into_iter()
            .map(|(key, sums)| ReportRow {
                key: breakdown_key(by, key),
                totals: sums.totals(),
            })
            .collect();
        // The busiest first.
        rows.sort_by(|a, b| {
            (b.totals.created + b.totals.resolved)
                .cmp(&(a.totals.created + a.totals.resolved))
                .then_with(|| a.key.cmp(&b.key))
        });
        Ok(rows)
    }

    /// The dashboard of a period: totals, the trend, the days, the breakdowns and the
    /// backlog.
    ///
    /// # Errors
    /// `Forbidden` for customers, `NotFound` for a group an agent is not in, `Invalid`
    /// for a bad period.
    pub async fn dashboard(
        &self,
        actor: &Actor,
        request: &ReportRequest,
    ) -> Result<Dashboard, AppError> {
        let groups = Self::groups(actor, request.group)?;
        if let Some(group) = request.group {
            // An unknown group is a 404, not an empty report.
            match self.app.db().get_group(group).await {
                Ok(_) => {}
                Err(ferrodesk_store::StoreError::NotFound { .. }) => {
                    return Err(AppError::not_found("group", group));
                }
                Err(e) => return Err(e.into()),
            }
        }
        let (from, to) = self.period(request)?;
        let (first, last) = (day_number(from)?, day_number(to)?);
        let length = last - first + 1;

        let days = self
            .read(first, last, &groups, ReportDimension::None)
            .await?;
        let mut total = Sums::default();
        let mut per_day: BTreeMap<i64, Sums> = BTreeMap::new();
        for day in &days {
            total.add(day);
            per_day.entry(day.day).or_default().add(day);
        }
        let daily = (first..=last)
            .map(|day| {
                Ok(ReportDayTotals {
                    date: date_of(day)?,
                    totals: per_day.get(&day).copied().unwrap_or_default().totals(),
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        let mut previous = Sums::default();
        for day in self
            .read(first - length, first - 1, &groups, ReportDimension::None)
            .await?
        {
            previous.add(&day);
        }

        Ok(Dashboard {
            from,
            to,
            group: request.group,
            totals: total.totals(),
            previous: previous.totals(),
            daily,
            by_channel: self
                .breakdown(first, last, &groups, ReportDimension::Channel)
                .await?,
            by_priority: self
                .breakdown(first, last, &groups, ReportDimension::Priority)
                .await?,
            by_group: self
                .breakdown(first, last, &groups, ReportDimension::Group)
                .await?,
            by_category: self
                .breakdown(first, last, &groups, ReportDimension::Category)
                .await?,
            by_agent: self
                .breakdown(first, last, &groups, ReportDimension::Agent)
                .await?
                .into_iter()
                .filter(|row| row.key != "none")
                .collect(),
            backlog: self.backlog(&groups).await?,
        })
    }

    async fn backlog(&self, groups: &Option<Vec<GroupId>>) -> Result<Backlog, AppError> {
        let counts = self.app.db().queue_counts().await.map_err(AppError::from)?;
        let wanted = |group: &Option<GroupId>| match groups {
            None => true,
            Some(list) => group.is_some_and(|g| list.contains(&g)),
        };
        let mut backlog = Backlog::default();
        for (group, open) in &counts.open_by_group {
            if wanted(group) {
                backlog.open += open;
                backlog
                    .by_group
                    .insert(group.map_or("none".to_owned(), |g| g.to_string()), *open);
            }
        }
        for (group, unassigned) in &counts.unassigned_by_group {
            if wanted(group) {
                backlog.unassigned += unassigned;
            }
        }
        // Agents' load counts all their open tickets; with a group filter, only the
        // report's agents are listed.
        let agents: Option<Vec<UserId>> = match groups {
            None => None,
            Some(list) => Some(self.agents_in(list).await?),
        };
        for (agent, open) in &counts.open_by_assignee {
            if agents.as_ref().is_none_or(|a| a.contains(agent)) {
                backlog.by_agent.insert(agent.to_string(), *open);
            }
        }
        Ok(backlog)
    }

    async fn agents_in(&self, groups: &[GroupId]) -> Result<Vec<UserId>, AppError> {
        let mut agents = Vec::new();
        for group in groups {
            let filter = ferrodesk_store::UserFilter {
                group_id: Some(*group),
                ..ferrodesk_store::UserFilter::default()
            };
            let mut page = ferrodesk_store::PageRequest::first(ferrodesk_store::MAX_PAGE_SIZE);
            loop {
                let found = self
                    .app
                    .db()
                    .list_users(&filter, &page)
                    .await
                    .map_err(AppError::from)?;
                agents.extend(found.items.iter().map(|u| u.id));
                match found.next_cursor {
                    Some(next) => page.cursor = Some(next),
                    None => break,
                }
            }
        }
        Ok(agents)
    }
}

/// How many tickets created in a period have each option of a single-choice custom
/// field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CustomFieldReport {
    /// First day.
    pub from: Date,
    /// Last day.
    pub to: Date,
    /// The field's key.
    pub key: String,
    /// The field's label.
    pub label: String,
    /// Per option, in the field's order.
    pub options: Vec<OptionCount>,
}

/// Tickets with one option.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OptionCount {
    /// The option.
    pub option: String,
    /// How many tickets created in the period have it.
    pub tickets: i64,
}

impl Reports<'_> {
    /// Tickets created in the period per option of the single-choice field `key`,
    /// within the groups the actor may report on.
    ///
    /// # Errors
    /// `Forbidden` for customers; `NotFound` (`custom_field`, or a group an agent is
    /// not in); `Invalid` (`key`) for a field that is not a single choice, or a bad
    /// period.
    pub async fn by_custom_field(
        &self,
        actor: &Actor,
        request: &ReportRequest,
        key: &str,
    ) -> Result<CustomFieldReport, AppError> {
        let groups = Self::groups(actor, request.group)?;
        let (from, to) = self.period(request)?;
        let field = self
            .app
            .db()
            .list_custom_fields()
            .await?
            .into_iter()
            .find(|f| f.spec.key == key)
            .ok_or_else(|| AppError::not_found("custom_field", key))?;
        if field.spec.kind != ferrodesk_domain::FieldKind::SingleChoice {
            return Err(AppError::invalid(
                "key",
                "only a single-choice field is counted by option",
            ));
        }
        let start = day_start(from)?;
        let end = day_start(
            to.tomorrow()
                .map_err(|e| AppError::invalid("to", e.to_string()))?,
        )?;
        let counts = self
            .app
            .db()
            .count_custom_values(field.id, start, end)
            .await?;
        let wanted = |group: Option<GroupId>| match &groups {
            None => true,
            Some(list) => group.is_some_and(|g| list.contains(&g)),
        };
        let options = field
            .spec
            .options
            .iter()
            .map(|option| OptionCount {
                option: option.clone(),
                tickets: counts
                    .iter()
                    .filter(|c| &c.value == option && wanted(c.group_id))
                    .map(|c| c.tickets)
                    .sum(),
            })
            .collect();
        Ok(CustomFieldReport {
            from,
            to,
            key: field.spec.key,
            label: field.spec.label,
            options,
        })
    }
}

/// The first instant of a UTC day.
fn day_start(date: Date) -> Result<Timestamp, AppError> {
    Ok(date
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map_err(|e| AppError::invalid("from", e.to_string()))?
        .timestamp())
}

/// A breakdown value as clients see it: channels as they are, priorities as `p1`..,
/// ids as they are, `0` as `none`.
fn breakdown_key(by: ReportDimension, key: String) -> String {
    match by {
        _ if key == "0" => "none".to_owned(),
        ReportDimension::Priority => format!("p{key}"),
        _ => key,
    }
}
