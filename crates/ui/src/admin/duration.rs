//! Durations typed and shown as hours and minutes: "4h", "1h 30m", "90m". A plain
//! number still reads as minutes, so forms filled in before keep working.

use crate::form::{FieldErrors, FormData};

/// The most minutes a duration field accepts (a year of round-the-clock minutes).
const MAX_MINUTES: i64 = 525_600;

/// Why a duration could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DurationError {
    /// Not hours and minutes.
    Unreadable,
    /// Zero, or more than a year.
    OutOfRange,
}

impl DurationError {
    /// What the form says next to the field.
    pub(crate) fn message(self) -> &'static str {
        match self {
            DurationError::Unreadable => {
                "give hours and minutes, like 4h, 1h 30m or 90m, or leave it blank"
            }
            DurationError::OutOfRange => "give at least 1 minute and at most a year",
        }
    }
}

/// One optional duration field of a form, in minutes; an error next to the field when
/// it cannot be read.
pub(crate) fn duration_field(
    form: &FormData,
    errors: &mut FieldErrors,
    field: &str,
) -> Option<i64> {
    let text = form.opt(field)?;
    match parse_minutes(text) {
        Ok(minutes) => Some(minutes),
        Err(error) => {
            errors.add(field, error.message());
            None
        }
    }
}

/// Reads "4h", "1h 30m", "1h30m", "90m", "90 min", "2 hours" or "90" (minutes).
pub(crate) fn parse_minutes(text: &str) -> Result<i64, DurationError> {
    let text = text.trim().to_ascii_lowercase();
    if text.is_empty() {
        return Err(DurationError::Unreadable);
    }
    if let Ok(minutes) = text.parse::<i64>() {
        return in_range(minutes);
    }
    let mut total: i64 = 0;
    let mut rest = text.as_str();
    let mut seen_hours = false;
    let mut seen_minutes = false;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(DurationError::Unreadable);
        }
        let number: i64 = rest[..digits]
            .parse()
            .map_err(|_| DurationError::OutOfRange)?;
        rest = rest[digits..].trim_start();
        let unit_end = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let unit = &rest[..unit_end];
        rest = rest[unit_end..].trim_start();
        let factor = match unit {
            "h" | "hr" | "hrs" | "hour" | "hours" if !seen_hours && !seen_minutes => {
                seen_hours = true;
                60
            }
            "m" | "min" | "mins" | "minute" | "minutes" if !seen_minutes => {
                seen_minutes = true;
                1
            }
            _ => return Err(DurationError::Unreadable),
        };
        total = number
            .checked_mul(factor)
            .and_then(|m| total.checked_add(m))
            .ok_or(DurationError::OutOfRange)?;
    }
    in_range(total)
}

fn in_range(minutes: i64) -> Result<i64, DurationError> {
    if (1..=MAX_MINUTES).contains(&minutes) {
        Ok(minutes)
    } else {
        Err(DurationError::OutOfRange)
    }
}

/// Minutes as the form reads them back: "4h", "1h 30m", "45m".
pub(crate) fn format_minutes(minutes: i64) -> String {
    let (hours, rest) = (minutes / 60, minutes % 60);
    match (hours, rest) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h {m}m"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_and_minutes_are_read_in_every_usual_spelling() {
        assert_eq!(parse_minutes("4h"), Ok(240));
        assert_eq!(parse_minutes("1h 30m"), Ok(90));
        assert_eq!(parse_minutes("1h30m"), Ok(90));
        assert_eq!(parse_minutes("90m"), Ok(90));
        assert_eq!(parse_minutes(" 90 min "), Ok(90));
        assert_eq!(parse_minutes("2 hours"), Ok(120));
        assert_eq!(parse_minutes("45"), Ok(45));
        assert_eq!(parse_minutes("1H 5M"), Ok(65));
    }

    #[test]
    fn nonsense_zero_and_huge_durations_are_refused() {
        for text in ["", "soon", "h", "4x", "30m 1h", "1h 1h", "4h -"] {
            assert_eq!(
                parse_minutes(text),
                Err(DurationError::Unreadable),
                "{text}"
            );
        }
        assert_eq!(parse_minutes("0"), Err(DurationError::OutOfRange));
        assert_eq!(parse_minutes("-5"), Err(DurationError::OutOfRange));
        assert_eq!(parse_minutes("0h"), Err(DurationError::OutOfRange));
        assert_eq!(
            parse_minutes("99999999999999999999m"),
            Err(DurationError::OutOfRange)
        );
        assert_eq!(parse_minutes("9000h"), Err(DurationError::OutOfRange));
    }

    #[test]
    fn minutes_are_shown_as_they_are_typed() {
        assert_eq!(format_minutes(240), "4h");
        assert_eq!(format_minutes(90), "1h 30m");
        assert_eq!(format_minutes(45), "45m");
        assert_eq!(format_minutes(1440), "24h");
        for minutes in [1, 59, 60, 61, 1439, 2880] {
            assert_eq!(parse_minutes(&format_minutes(minutes)), Ok(minutes));
        }
    }
}
