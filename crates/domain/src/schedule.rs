//! The text form of business calendars, shared by storage, the API and the admin
//! screens: one opening interval per line as `monday 08:00-16:00`, holidays as ISO
//! dates, so a calendar reads the same everywhere it is shown or typed.

use crate::calendar::{BusinessCalendar, OpeningInterval};
use crate::value::InvalidValue;
use jiff::civil::{Date, Weekday};

/// The weekdays from Monday, with their names.
pub const WEEKDAYS: [(Weekday, &str); 7] = [
    (Weekday::Monday, "monday"),
    (Weekday::Tuesday, "tuesday"),
    (Weekday::Wednesday, "wednesday"),
    (Weekday::Thursday, "thursday"),
    (Weekday::Friday, "friday"),
    (Weekday::Saturday, "saturday"),
    (Weekday::Sunday, "sunday"),
];

/// The lowercase English name of a weekday.
pub fn weekday_name(day: Weekday) -> &'static str {
    WEEKDAYS
        .iter()
        .find(|(d, _)| *d == day)
        .map_or("monday", |(_, name)| name)
}

/// Reads a weekday name (full or its first three letters, any case).
///
/// # Errors
/// [`InvalidValue`] naming the accepted names.
pub fn parse_weekday(text: &str) -> Result<Weekday, InvalidValue> {
    let lower = text.trim().to_lowercase();
    WEEKDAYS
        .iter()
        .find(|(_, name)| *name == lower || (lower.len() == 3 && name.starts_with(&lower)))
        .map(|(day, _)| *day)
        .ok_or_else(|| {
            InvalidValue::new(
                "opening_hours",
                format!("'{text}' is not a weekday such as monday"),
            )
        })
}

/// One opening interval in text form: `monday 08:00-16:00`.
///
/// # Errors
/// [`InvalidValue`] for an unknown weekday or a malformed interval.
pub fn parse_opening_line(line: &str) -> Result<(Weekday, OpeningInterval), InvalidValue> {
    let (day, interval) = line.trim().split_once(char::is_whitespace).ok_or_else(|| {
        InvalidValue::new(
            "opening_hours",
            format!("'{line}' is not a line like 'monday 08:00-16:00'"),
        )
    })?;
    Ok((parse_weekday(day)?, OpeningInterval::parse(interval)?))
}

/// Reads an ISO date (`2026-12-25`) as a holiday.
///
/// # Errors
/// [`InvalidValue`] for anything else.
pub fn parse_holiday(text: &str) -> Result<Date, InvalidValue> {
    text.trim().parse::<Date>().map_err(|_| {
        InvalidValue::new(
            "holidays",
            format!("'{text}' is not a date like 2026-12-25"),
        )
    })
}

/// Builds a calendar from its text form: 24/7, or opening lines and holidays in a zone.
///
/// # Errors
/// [`InvalidValue`] naming the first bad line, an unknown zone, overlapping intervals
/// or an empty week.
pub fn calendar_from_text<S: AsRef<str>>(
    always_open: bool,
    time_zone: &str,
    opening_lines: &[S],
    holidays: &[S],
) -> Result<BusinessCalendar, InvalidValue> {
    if always_open {
        return Ok(BusinessCalendar::always_open());
    }
    let intervals = opening_lines
        .iter()
        .map(|l| l.as_ref())
        .filter(|l| !l.trim().is_empty())
        .map(parse_opening_line)
        .collect::<Result<Vec<_>, _>>()?;
    let holidays = holidays
        .iter()
        .map(|l| l.as_ref())
        .filter(|l| !l.trim().is_empty())
        .map(parse_holiday)
        .collect::<Result<Vec<_>, _>>()?;
    BusinessCalendar::weekly(time_zone, intervals, holidays)
}

/// The text form of a calendar: (zone, opening lines, holidays); 24/7 gives
/// `("UTC", [], [])`.
pub fn calendar_to_text(calendar: &BusinessCalendar) -> (String, Vec<String>, Vec<String>) {
    match calendar {
        BusinessCalendar::AlwaysOpen => ("UTC".to_owned(), Vec::new(), Vec::new()),
        BusinessCalendar::Weekly(hours) => {
            let lines = WEEKDAYS
                .iter()
                .flat_map(|(day, name)| {
                    hours
                        .intervals(*day)
                        .iter()
                        .map(move |interval| format!("{name} {interval}"))
                })
                .collect();
            let holidays = hours.holidays().map(|d| d.to_string()).collect();
            (hours.zone_name().to_owned(), lines, holidays)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_form_round_trips() {
        let calendar = calendar_from_text(
            false,
            "Europe/Oslo",
            &[
                "fri 08:00-16:00",
                "monday 08:00-12:00",
                "monday 13:00-16:00",
            ],
            &["2026-12-25"],
        )
        .unwrap();
        let (zone, lines, holidays) = calendar_to_text(&calendar);
        assert_eq!(zone, "Europe/Oslo");
        assert_eq!(
            lines,
            vec![
                "monday 08:00-12:00",
                "monday 13:00-16:00",
                "friday 08:00-16:00"
            ]
        );
        assert_eq!(holidays, vec!["2026-12-25"]);
        let again = calendar_from_text(false, &zone, &lines, &holidays).unwrap();
        assert_eq!(again, calendar);
    }

    #[test]
    fn bad_lines_name_the_problem() {
        let err = calendar_from_text(false, "UTC", &["funday 08:00-16:00"], &[]).unwrap_err();
        assert!(err.to_string().contains("funday"), "{err}");
        let err = calendar_from_text(false, "Mars/Base", &["monday 08:00-16:00"], &[]).unwrap_err();
        assert!(err.to_string().contains("Mars/Base"), "{err}");
        assert!(calendar_from_text(false, "UTC", &["2026-01-01"], &[]).is_err());
    }
}
