//! The calendar form's own check, before the service is asked: every mistake at once
//! (the name, the time zone, each bad opening line, each bad holiday), each next to its
//! field, where the service stops at the first. The service checks again on save.

use crate::form::{FieldErrors, FormData};
use ferrodesk_domain::schedule::{parse_holiday, parse_opening_line};
use jiff::tz::TimeZone;
use std::sync::LazyLock;

/// The IANA time zone names of jiff's zone database, sorted, for the form's list.
pub(super) static ZONE_NAMES: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut names: Vec<String> = jiff::tz::db()
        .available()
        .map(|name| name.as_str().to_owned())
        .filter(|name| name.contains('/') || name == "UTC")
        .collect();
    names.sort();
    names.dedup();
    names
});

/// Every mistake in a calendar form.
pub(super) fn check_calendar(form: &FormData) -> FieldErrors {
    let mut errors = FieldErrors::new();
    if form.get("name").trim().is_empty() {
        errors.add("name", "give the calendar a name");
    }
    if form.checked("always_open") {
        return errors;
    }
    let zone = form.get("time_zone").trim();
    if zone.is_empty() {
        errors.add("time_zone", "choose a time zone from the list");
    } else if TimeZone::get(zone).is_err() {
        errors.add(
            "time_zone",
            format!("'{zone}' is not a time zone; choose one from the list"),
        );
    }
    let bad_lines: Vec<String> = lines_of(form.get("hours"))
        .filter_map(|line| parse_opening_line(line).err().map(|e| e.message))
        .collect();
    if !bad_lines.is_empty() {
        errors.add("hours", bad_lines.join("; "));
    } else if lines_of(form.get("hours")).next().is_none() {
        errors.add("hours", "give at least one opening interval, or tick 24/7");
    }
    let bad_days: Vec<String> = lines_of(form.get("holidays"))
        .filter_map(|line| parse_holiday(line).err().map(|e| e.message))
        .collect();
    if !bad_days.is_empty() {
        errors.add("holidays", bad_days.join("; "));
    }
    errors
}

fn lines_of(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mistake_is_reported_at_once() {
        let form = FormData::parse(
            b"name=&time_zone=Mars%2FOlympus&hours=moonday+08%3A00-16%3A00%0Atuesday+9-5&holidays=christmas%0A2026-13-01",
        );
        let errors = check_calendar(&form);
        for field in ["name", "time_zone", "hours", "holidays"] {
            assert!(errors.has(field), "{field}");
        }
        let hours = errors.get("hours").unwrap_or_default();
        assert!(
            hours.contains("moonday") && hours.contains("9-5"),
            "{hours}"
        );
        let holidays = errors.get("holidays").unwrap_or_default();
        assert!(
            holidays.contains("christmas") && holidays.contains("2026-13-01"),
            "{holidays}"
        );
    }

    #[test]
    fn a_right_calendar_has_no_mistakes_and_the_zone_list_has_iana_names() {
        let form = FormData::parse(
            b"name=Oslo&time_zone=Europe%2FOslo&hours=monday+08%3A00-16%3A00&holidays=2026-12-25",
        );
        assert!(check_calendar(&form).is_empty());
        assert!(ZONE_NAMES.iter().any(|z| z == "Europe/Oslo"));
        assert!(ZONE_NAMES.iter().any(|z| z == "America/Sao_Paulo"));
    }
}
