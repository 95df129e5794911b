//! Small validation helpers shared by the services: trimming optional text, checking
//! lengths, time zones and language tags.

use crate::AppError;
use ferrodesk_domain::NonEmpty;

/// Required text: trimmed, non-empty, at most `max` characters.
pub(crate) fn required(field: &'static str, text: &str, max: usize) -> Result<String, AppError> {
    Ok(NonEmpty::parse(field, text, max)?.into_string())
}

/// Optional text: trimmed; blank becomes `None`; at most `max` characters.
pub(crate) fn optional(
    field: &'static str,
    text: Option<&str>,
    max: usize,
) -> Result<Option<String>, AppError> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => Ok(Some(required(field, text, max)?)),
    }
}

/// Text that may be long but not unbounded (descriptions, message bodies).
pub(crate) fn body(field: &'static str, text: &str, max: usize) -> Result<String, AppError> {
    let count = text.chars().count();
    if count > max {
        return Err(AppError::invalid(
            field,
            format!("is {count} characters long; at most {max} are allowed"),
        ));
    }
    Ok(text.trim().to_owned())
}

/// An IANA time zone name that this build knows.
pub(crate) fn time_zone(text: &str) -> Result<String, AppError> {
    let text = text.trim();
    jiff::tz::TimeZone::get(text)
        .map(|_| text.to_owned())
        .map_err(|_| AppError::invalid("time_zone", format!("'{text}' is not a known time zone")))
}

/// A BCP 47 language tag, checked for shape only (`en`, `pt-BR`, `zh-Hant-TW`).
pub(crate) fn locale(text: &str) -> Result<String, AppError> {
    let text = text.trim();
    let well_formed = !text.is_empty()
        && text.len() <= 35
        && text.split('-').all(|part| {
            !part.is_empty() && part.len() <= 8 && part.chars().all(|c| c.is_ascii_alphanumeric())
        });
    if well_formed {
        Ok(text.to_owned())
    } else {
        Err(AppError::invalid(
            "locale",
            format!("'{text}' is not a language tag like 'en' or 'pt-BR'"),
        ))
    }
}

/// Tags: trimmed, lowercased, without blanks and duplicates, order kept.
pub(crate) fn tags(tags: &[String]) -> Result<Vec<String>, AppError> {
    const MAX_TAGS: usize = 30;
    let mut out: Vec<String> = Vec::with_capacity(tags.len());
    for tag in tags {
        let tag = required("tags", tag, 50)?.to_lowercase();
        if !out.contains(&tag) {
            out.push(tag);
        }
    }
    if out.len() > MAX_TAGS {
        return Err(AppError::invalid(
            "tags",
            format!("at most {MAX_TAGS} tags are allowed"),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_optional_text_becomes_none() {
        assert_eq!(optional("location", Some("  "), 10).unwrap(), None);
        assert_eq!(
            optional("location", Some(" B2 "), 10).unwrap().as_deref(),
            Some("B2")
        );
        assert!(optional("location", Some("12345678901"), 10).is_err());
    }

    #[test]
    fn time_zones_and_locales_are_checked() {
        assert!(time_zone("Europe/Lisbon").is_ok());
        assert!(time_zone("Mars/Olympus").is_err());
        assert!(locale("pt-BR").is_ok());
        assert!(locale("pt_BR").is_err());
    }

    #[test]
    fn tags_are_normalized_and_deduplicated() {
        let tags = tags(&["VPN".into(), " vpn ".into(), "laptop".into()]).unwrap();
        assert_eq!(tags, vec!["vpn", "laptop"]);
    }
}
