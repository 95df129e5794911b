//! Time spent on a ticket, as an agent enters it: minutes ("45") or hours and minutes
//! ("1:30"), between one minute and a day per entry.

/// The longest time one entry records (a day).
pub const MAX_MINUTES_PER_ENTRY: i64 = 1440;

/// Why a time spent was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TimeSpentError {
    /// Not minutes or h:mm.
    #[error("enter minutes (45) or hours and minutes (1:30)")]
    Unreadable,
    /// Zero, negative or more than a day.
    #[error("must be between 1 and {MAX_MINUTES_PER_ENTRY} minutes")]
    OutOfRange,
}

/// Checks a number of minutes for one entry.
///
/// # Errors
/// [`TimeSpentError::OutOfRange`] outside 1..=1440.
pub fn check_minutes(minutes: i64) -> Result<i32, TimeSpentError> {
    if (1..=MAX_MINUTES_PER_ENTRY).contains(&minutes) {
        i32::try_from(minutes).map_err(|_| TimeSpentError::OutOfRange)
    } else {
        Err(TimeSpentError::OutOfRange)
    }
}

/// Reads "45" (minutes) or "1:30" (hours and minutes), then checks the range.
///
/// # Errors
/// [`TimeSpentError`].
pub fn parse_time_spent(text: &str) -> Result<i32, TimeSpentError> {
    let text = text.trim();
    let number = |part: &str| -> Result<i64, TimeSpentError> {
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) || part.len() > 6 {
            return Err(TimeSpentError::Unreadable);
        }
        part.parse::<i64>().map_err(|_| TimeSpentError::Unreadable)
    };
    let minutes = match text.split_once(':') {
        Some((hours, minutes)) => {
            let minutes_part = number(minutes)?;
            if minutes.len() != 2 || minutes_part >= 60 {
                return Err(TimeSpentError::Unreadable);
            }
            number(hours)? * 60 + minutes_part
        }
        None => number(text)?,
    };
    check_minutes(minutes)
}

/// Minutes for people: "45 min", "1 h 30 min", "2 h".
pub fn format_minutes(minutes: i64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_and_hours_are_read() {
        assert_eq!(parse_time_spent("45"), Ok(45));
        assert_eq!(parse_time_spent(" 1:30 "), Ok(90));
        assert_eq!(parse_time_spent("24:00"), Ok(1440));
        assert_eq!(parse_time_spent("0:05"), Ok(5));
    }

    #[test]
    fn nonsense_and_out_of_range_are_refused() {
        for text in [
            "", "abc", "1:5", "1:75", "-5", "1.5", ":30", "1:", "99999999",
        ] {
            assert_eq!(
                parse_time_spent(text),
                Err(TimeSpentError::Unreadable),
                "{text}"
            );
        }
        assert_eq!(parse_time_spent("0"), Err(TimeSpentError::OutOfRange));
        assert_eq!(parse_time_spent("1441"), Err(TimeSpentError::OutOfRange));
        assert_eq!(parse_time_spent("24:01"), Err(TimeSpentError::OutOfRange));
        assert_eq!(check_minutes(-1), Err(TimeSpentError::OutOfRange));
    }

    #[test]
    fn minutes_read_as_hours_and_minutes() {
        assert_eq!(format_minutes(45), "45 min");
        assert_eq!(format_minutes(120), "2 h");
        assert_eq!(format_minutes(95), "1 h 35 min");
    }
}
