//! The work queue's filter as people and programs write it: the parameters a queue URL
//! and `GET /api/v1/tickets` share for type, tag, SLA state and date ranges, read
//! into a [`TicketFilter`]. A value that does not read is refused with the name of
//! its parameter.

use ferrodesk_domain::TicketType;
use ferrodesk_store::{SlaCondition, TicketFilter};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp, tz::TimeZone};
use thiserror::Error;

/// The longest "breaching within" window, in hours (a month).
pub const MAX_SLA_HOURS: i64 = 24 * 31;

/// A filter parameter that does not read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{parameter}: {message}")]
pub struct FilterError {
    /// The parameter's name as written in the URL.
    pub parameter: &'static str,
    /// What is wrong, in words.
    pub message: String,
}

fn refuse(parameter: &'static str, message: impl Into<String>) -> FilterError {
    FilterError {
        parameter,
        message: message.into(),
    }
}

/// The SLA states a queue can be filtered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaState {
    /// A running target is past due.
    Breached,
    /// A running target falls due within the given hours.
    DueWithin(i64),
}

/// The queue parameters beyond the store's plain columns, as text.
#[derive(Debug, Clone, Copy, Default)]
pub struct QueueFilterText<'a> {
    /// `incident`, `service_request`, `question`, `complaint` or `problem`.
    pub ticket_type: Option<&'a str>,
    /// A tag, exactly as written.
    pub tag: Option<&'a str>,
    /// `breached` or `due_within`.
    pub sla: Option<&'a str>,
    /// The window of `due_within`, in hours (default 4).
    pub sla_hours: Option<&'a str>,
    /// `YYYY-MM-DD` (or an RFC 3339 moment): created on or after.
    pub created_from: Option<&'a str>,
    /// `YYYY-MM-DD` (or an RFC 3339 moment): created on or before that day.
    pub created_to: Option<&'a str>,
    /// Updated on or after.
    pub updated_from: Option<&'a str>,
    /// Updated on or before that day.
    pub updated_to: Option<&'a str>,
}

fn given(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

/// Reads an SLA state: `breached`, or `due_within` with its hours.
///
/// # Errors
/// [`FilterError`] naming `sla` or `sla_hours`.
pub fn sla_state(sla: Option<&str>, hours: Option<&str>) -> Result<Option<SlaState>, FilterError> {
    match given(sla) {
        None => Ok(None),
        Some("breached") => Ok(Some(SlaState::Breached)),
        Some("due_within") => {
            let hours = match given(hours) {
                None => 4,
                Some(text) => text
                    .parse::<i64>()
                    .ok()
                    .filter(|h| (1..=MAX_SLA_HOURS).contains(h))
                    .ok_or_else(|| {
                        refuse(
                            "sla_hours",
                            format!("give a whole number of hours from 1 to {MAX_SLA_HOURS}, not '{text}'"),
                        )
                    })?,
            };
            Ok(Some(SlaState::DueWithin(hours)))
        }
        Some(other) => Err(refuse(
            "sla",
            format!("give 'breached' or 'due_within', not '{other}'"),
        )),
    }
}

/// Reads a day (`YYYY-MM-DD`, the start of that day in UTC, or the start of the next
/// one for an upper bound) or an exact RFC 3339 moment.
fn moment(
    parameter: &'static str,
    text: Option<&str>,
    end_of_day: bool,
) -> Result<Option<Timestamp>, FilterError> {
    let Some(text) = given(text) else {
        return Ok(None);
    };
    if let Ok(at) = text.parse::<Timestamp>() {
        return Ok(Some(at));
    }
    let day: Date = text.parse().map_err(|_| {
        refuse(
            parameter,
            format!("give a date like 2026-03-31, not '{text}'"),
        )
    })?;
    let day = if end_of_day {
        day.tomorrow()
            .map_err(|_| refuse(parameter, "that date is out of range"))?
    } else {
        day
    };
    day.to_zoned(TimeZone::UTC)
        .map(|z| Some(z.timestamp()))
        .map_err(|_| refuse(parameter, "that date is out of range"))
}

impl QueueFilterText<'_> {
    /// Adds these parameters to `filter`, reading the SLA window from `now`.
    ///
    /// # Errors
    /// [`FilterError`] naming the first parameter that does not read.
    pub fn apply(&self, filter: &mut TicketFilter, now: Timestamp) -> Result<(), FilterError> {
        filter.ticket_type = given(self.ticket_type)
            .map(|text| {
                TicketType::parse(text).map_err(|_| {
                    refuse(
                        "type",
                        format!(
                            "give incident, service_request, question, complaint or problem, not '{text}'"
                        ),
                    )
                })
            })
            .transpose()?;
        filter.tag = given(self.tag).map(str::to_owned);
        filter.sla = sla_state(self.sla, self.sla_hours)?.map(|state| match state {
            SlaState::Breached => SlaCondition::Breached { now },
            SlaState::DueWithin(hours) => SlaCondition::DueBefore {
                now,
                until: now
                    .saturating_add(SignedDuration::from_hours(hours))
                    .unwrap_or(now),
            },
        });
        filter.created_from = moment("created_from", self.created_from, false)?;
        filter.created_before = moment("created_to", self.created_to, true)?;
        filter.updated_from = moment("updated_from", self.updated_from, false)?;
        filter.updated_before = moment("updated_to", self.updated_to, true)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: QueueFilterText<'_>) -> Result<TicketFilter, FilterError> {
        let mut filter = TicketFilter::default();
        text.apply(&mut filter, Timestamp::UNIX_EPOCH)?;
        Ok(filter)
    }

    #[test]
    fn dates_are_whole_days_and_the_upper_one_is_included() {
        let filter = read(QueueFilterText {
            created_from: Some("2026-03-01"),
            created_to: Some("2026-03-31"),
            ..QueueFilterText::default()
        })
        .unwrap();
        assert_eq!(
            filter.created_from,
            Some("2026-03-01T00:00:00Z".parse().unwrap())
        );
        assert_eq!(
            filter.created_before,
            Some("2026-04-01T00:00:00Z".parse().unwrap())
        );
    }

    #[test]
    fn the_sla_window_starts_now() {
        let filter = read(QueueFilterText {
            sla: Some("due_within"),
            sla_hours: Some("2"),
            ..QueueFilterText::default()
        })
        .unwrap();
        assert_eq!(
            filter.sla,
            Some(SlaCondition::DueBefore {
                now: Timestamp::UNIX_EPOCH,
                until: "1970-01-01T02:00:00Z".parse().unwrap(),
            })
        );
    }

    #[test]
    fn a_bad_value_names_its_parameter() {
        let cases = [
            (
                QueueFilterText {
                    ticket_type: Some("bug"),
                    ..Default::default()
                },
                "type",
            ),
            (
                QueueFilterText {
                    sla: Some("late"),
                    ..Default::default()
                },
                "sla",
            ),
            (
                QueueFilterText {
                    sla: Some("due_within"),
                    sla_hours: Some("0"),
                    ..Default::default()
                },
                "sla_hours",
            ),
            (
                QueueFilterText {
                    created_from: Some("31.03.2026"),
                    ..Default::default()
                },
                "created_from",
            ),
            (
                QueueFilterText {
                    updated_to: Some("yesterday"),
                    ..Default::default()
                },
                "updated_to",
            ),
        ];
        for (text, parameter) in cases {
            assert_eq!(read(text).unwrap_err().parameter, parameter);
        }
    }
}
