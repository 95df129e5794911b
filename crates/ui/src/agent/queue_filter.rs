//! The queue page's filter bar: the filter as URL parameters (so a queue view is a
//! link to share, the back button works and a saved filter keeps all of it), read into
//! a [`TicketFilter`] and offered back as compact selects.

use crate::error::PageError;
use crate::form::url_encode;
use crate::view::{Choice, Names};
use ferrodesk_app::TicketFilter;
use ferrodesk_app::queue_filter::QueueFilterText;
use ferrodesk_domain::{
    CategoryId, Channel, GroupId, Priority, TicketStatus, TicketType, User, UserId,
};
use jiff::Timestamp;
use serde::Deserialize;

/// The filter parameters of a queue URL; empty ones are as good as absent.
#[derive(Debug, Default, Clone, Deserialize)]
pub(crate) struct FilterParams {
    pub status: Option<String>,
    pub priority: Option<String>,
    pub group: Option<String>,
    /// A user id, `me` or `none`.
    pub assignee: Option<String>,
    /// A user id or `me`.
    pub owner: Option<String>,
    pub category: Option<String>,
    #[serde(rename = "type")]
    pub ticket_type: Option<String>,
    pub channel: Option<String>,
    pub tag: Option<String>,
    pub sla: Option<String>,
    pub sla_hours: Option<String>,
    pub created_from: Option<String>,
    pub created_to: Option<String>,
    pub updated_from: Option<String>,
    pub updated_to: Option<String>,
    pub q: Option<String>,
}

fn given(value: Option<&String>) -> Option<&str> {
    value.map(|v| v.trim()).filter(|v| !v.is_empty())
}

fn bad(parameter: &str, value: &str) -> PageError {
    PageError::BadRequest(format!("The filter “{parameter}” cannot be “{value}”."))
}

fn id_param(parameter: &str, value: Option<&String>) -> Result<Option<i64>, PageError> {
    given(value)
        .map(|v| v.parse::<i64>().map_err(|_| bad(parameter, v)))
        .transpose()
}

fn person(parameter: &str, value: Option<&str>, me: UserId) -> Result<Option<UserId>, PageError> {
    match value {
        None => Ok(None),
        Some("me") => Ok(Some(me)),
        Some(other) => other
            .parse()
            .map(|id| Some(UserId(id)))
            .map_err(|_| bad(parameter, other)),
    }
}

impl FilterParams {
    /// The parameters in URL order, empty ones left out.
    pub(crate) fn pairs(&self) -> Vec<(&'static str, &str)> {
        [
            ("q", &self.q),
            ("status", &self.status),
            ("priority", &self.priority),
            ("group", &self.group),
            ("assignee", &self.assignee),
            ("owner", &self.owner),
            ("category", &self.category),
            ("type", &self.ticket_type),
            ("channel", &self.channel),
            ("tag", &self.tag),
            ("sla", &self.sla),
            ("sla_hours", &self.sla_hours),
            ("created_from", &self.created_from),
            ("created_to", &self.created_to),
            ("updated_from", &self.updated_from),
            ("updated_to", &self.updated_to),
        ]
        .into_iter()
        .filter_map(|(name, value)| given(value.as_ref()).map(|v| (name, v)))
        .collect()
    }

    /// `&name=value` for each given parameter.
    pub(crate) fn query_string(&self) -> String {
        self.pairs()
            .into_iter()
            .map(|(name, value)| format!("&{name}={}", url_encode(value)))
            .collect()
    }

    /// Whether anything beyond the text search narrows the queue.
    pub(crate) fn narrows(&self) -> bool {
        self.pairs().iter().any(|(name, _)| *name != "q")
    }

    /// The group the filter names.
    pub(crate) fn group(&self) -> Result<Option<GroupId>, PageError> {
        Ok(id_param("group", self.group.as_ref())?.map(GroupId))
    }

    /// The subject text.
    pub(crate) fn text(&self) -> String {
        given(self.q.as_ref()).unwrap_or("").to_owned()
    }

    /// Narrows a queue's own filter by these parameters. A chosen status replaces the
    /// queue's own status condition.
    pub(crate) fn apply(
        &self,
        filter: &mut TicketFilter,
        me: UserId,
        now: Timestamp,
    ) -> Result<(), PageError> {
        if let Some(status) = given(self.status.as_ref()) {
            filter.statuses = vec![TicketStatus::parse(status).map_err(|_| bad("status", status))?];
            filter.open_only = false;
        }
        if let Some(priority) = given(self.priority.as_ref()) {
            filter.priorities =
                vec![Priority::parse(priority).map_err(|_| bad("priority", priority))?];
        }
        if let Some(group) = self.group()? {
            filter.group_id = Some(group);
        }
        match given(self.assignee.as_ref()) {
            Some("none") => filter.unassigned = true,
            other => {
                if let Some(assignee) = person("assignee", other, me)? {
                    filter.assignee_id = Some(assignee);
                }
            }
        }
        if let Some(owner) = person("owner", given(self.owner.as_ref()), me)? {
            filter.owner_id = Some(owner);
        }
        if let Some(category) = id_param("category", self.category.as_ref())? {
            filter.category_id = Some(CategoryId(category));
        }
        if let Some(channel) = given(self.channel.as_ref()) {
            filter.channel = Some(Channel::parse(channel).map_err(|_| bad("channel", channel))?);
        }
        let text = self.text();
        filter.subject_contains = Some(text).filter(|t| !t.is_empty());
        QueueFilterText {
            ticket_type: self.ticket_type.as_deref(),
            tag: self.tag.as_deref(),
            sla: self.sla.as_deref(),
            sla_hours: self.sla_hours.as_deref(),
            created_from: self.created_from.as_deref(),
            created_to: self.created_to.as_deref(),
            updated_from: self.updated_from.as_deref(),
            updated_to: self.updated_to.as_deref(),
        }
        .apply(filter, now)
        .map_err(|e| PageError::BadRequest(format!("The filter “{}”: {}.", e.parameter, e.message)))
    }
}

/// One select of the filter bar.
pub(crate) struct FilterSelect {
    pub name: &'static str,
    pub label: &'static str,
    pub choices: Vec<Choice>,
    /// Whether a value other than "any" is chosen.
    pub is_set: bool,
}

fn select(
    name: &'static str,
    label: &'static str,
    any: &str,
    current: Option<&str>,
    options: Vec<(String, String)>,
) -> FilterSelect {
    let current = current.unwrap_or("");
    let mut choices = vec![Choice::new("", any, current.is_empty())];
    choices.extend(
        options
            .into_iter()
            .map(|(value, label)| Choice::new(&value, label, value == current)),
    );
    FilterSelect {
        name,
        label,
        choices,
        is_set: !current.is_empty(),
    }
}

fn words<T: Copy>(
    all: &[T],
    value: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|v| (value(*v).to_owned(), label(*v).to_owned()))
        .collect()
}

/// The selects of the filter bar, each showing the current value.
pub(crate) fn selects(params: &FilterParams, names: &Names, staff: &[User]) -> Vec<FilterSelect> {
    let people: Vec<(String, String)> = staff
        .iter()
        .map(|u| (u.id.to_string(), u.name.clone()))
        .collect();
    let mut assignees = vec![
        ("me".to_owned(), "Me".to_owned()),
        ("none".to_owned(), "Unassigned".to_owned()),
    ];
    assignees.extend(people.iter().cloned());
    let mut owners = vec![("me".to_owned(), "Me".to_owned())];
    owners.extend(people);
    let groups = names
        .groups()
        .into_iter()
        .map(|g| (g.id.to_string(), g.name.clone()))
        .collect();
    let categories = names
        .categories()
        .into_iter()
        .map(|(id, name)| (id.to_string(), name))
        .collect();
    let sla = vec![
        ("breached".to_owned(), "Breached".to_owned()),
        ("due_within".to_owned(), "Due soon".to_owned()),
    ];
    vec![
        select(
            "status",
            "Status",
            "Any status",
            params.status.as_deref(),
            words(
                TicketStatus::ALL,
                TicketStatus::as_str,
                crate::view::status_word,
            ),
        ),
        select(
            "priority",
            "Priority",
            "Any priority",
            params.priority.as_deref(),
            words(Priority::ALL, Priority::as_str, |p| {
                crate::view::priority_badge(p).label
            }),
        ),
        select(
            "group",
            "Group",
            "Any group",
            params.group.as_deref(),
            groups,
        ),
        select(
            "assignee",
            "Assignee",
            "Any assignee",
            params.assignee.as_deref(),
            assignees,
        ),
        select(
            "owner",
            "Owner",
            "Any owner",
            params.owner.as_deref(),
            owners,
        ),
        select(
            "category",
            "Category",
            "Any category",
            params.category.as_deref(),
            categories,
        ),
        select(
            "type",
            "Type",
            "Any type",
            params.ticket_type.as_deref(),
            words(TicketType::ALL, TicketType::as_str, crate::view::type_label),
        ),
        select(
            "channel",
            "Channel",
            "Any channel",
            params.channel.as_deref(),
            words(Channel::ALL, Channel::as_str, crate::view::channel_label),
        ),
        select("sla", "SLA", "Any SLA state", params.sla.as_deref(), sla),
    ]
}
