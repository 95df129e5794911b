//! Making API responses and mail stable for snapshot tests (`insta`): what varies from
//! run to run or between the backends (ids the database generates, times, Message-IDs,
//! MIME boundaries, signed tokens) is replaced by a placeholder that still shows its
//! shape.

use jiff::Timestamp;
use serde_json::Value;

/// `value` with generated ids and times replaced: a number under a key `id` or
/// `*_id` becomes `"[id]"` (each number of a `*_ids` array too), and a string that is
/// an RFC 3339 instant becomes `"[start + 1h30m]"`: its distance from the fixtures'
/// [`START`](crate::fixtures::START), which the manual clock makes stable.
pub fn redact_json(value: &Value) -> Value {
    redact_value(None, value)
}

fn redact_value(key: Option<&str>, value: &Value) -> Value {
    let is_id = key.is_some_and(|k| k == "id" || k.ends_with("_id"));
    let is_ids = key.is_some_and(|k| k.ends_with("_ids"));
    match value {
        Value::Number(_) if is_id => Value::String("[id]".into()),
        Value::Array(items) if is_ids => items
            .iter()
            .map(|item| match item {
                Value::Number(_) => Value::String("[id]".into()),
                other => redact_value(None, other),
            })
            .collect(),
        Value::String(text) => match text.parse::<Timestamp>() {
            Ok(instant) => Value::String(relative_to_start(instant)),
            Err(_) => value.clone(),
        },
        Value::Array(items) => items.iter().map(|item| redact_value(None, item)).collect(),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), redact_value(Some(k), v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// `[start]`, `[start + 1h]`, `[start - 30m]`...
fn relative_to_start(instant: Timestamp) -> String {
    let distance = instant.duration_since(crate::fixtures::start());
    if distance.is_zero() {
        return "[start]".into();
    }
    let sign = if distance.is_negative() { '-' } else { '+' };
    let seconds = distance.as_secs().unsigned_abs();
    let (days, hours, minutes, seconds) = (
        seconds / 86_400,
        seconds / 3_600 % 24,
        seconds / 60 % 60,
        seconds % 60,
    );
    let mut text = String::new();
    for (amount, unit) in [(days, "d"), (hours, "h"), (minutes, "m"), (seconds, "s")] {
        if amount > 0 {
            text.push_str(&format!("{amount}{unit}"));
        }
    }
    format!("[start {sign} {text}]")
}

/// A raw message with what varies replaced: the `Date`, the ids in `Message-ID`,
/// `In-Reply-To` and `References`, each MIME boundary, and signed tokens in links
/// (`/rate/TOKEN`). Line ends become `\n`, and quoted-printable soft line breaks are
/// joined so that a link stays on one line.
pub fn redact_mail(raw: &str) -> String {
    let mut text = raw.replace("\r\n", "\n");
    for boundary in boundaries(&text) {
        text = text.replace(&boundary, "[boundary]");
    }
    let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
    let body = if head.to_ascii_lowercase().contains("quoted-printable") {
        body.replace("=\n", "")
    } else {
        body.to_owned()
    };
    let mut out = String::with_capacity(text.len());
    let mut ids = false;
    for line in head.split('\n') {
        if !line.starts_with([' ', '\t']) {
            let name = line
                .split(':')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            ids = matches!(name.as_str(), "message-id" | "in-reply-to" | "references");
            if name == "date" {
                out.push_str("Date: [date]\n");
                continue;
            }
        }
        let line = if ids {
            redact_message_ids(line)
        } else {
            line.to_owned()
        };
        out.push_str(&line);
        out.push('\n');
    }
    out.push('\n');
    for line in body.split('\n') {
        out.push_str(&redact_tokens(line));
        out.push('\n');
    }
    out.truncate(out.trim_end_matches('\n').len());
    out.push('\n');
    out
}

/// The boundaries a message declares (`boundary="..."` or `boundary=...`).
fn boundaries(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("boundary=") {
        let after = &rest[at + "boundary=".len()..];
        let value: String = match after.strip_prefix('"') {
            Some(quoted) => quoted.chars().take_while(|c| *c != '"').collect(),
            None => after
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != ';')
                .collect(),
        };
        if !value.is_empty() && !found.contains(&value) {
            found.push(value);
        }
        rest = after;
    }
    found
}

/// `<local@domain>` becomes `<[message-id]@domain>`.
fn redact_message_ids(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        match after.find('>') {
            Some(close) if after[..close].contains('@') && !after[..close].contains(' ') => {
                let id = &after[1..close];
                let domain = id.rsplit_once('@').map_or("", |(_, d)| d);
                out.push_str(&format!("<[message-id]@{domain}>"));
                rest = &after[close + 1..];
            }
            _ => {
                out.push('<');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// `/rate/TOKEN` becomes `/rate/[token]`.
fn redact_tokens(line: &str) -> String {
    match line.find("/rate/") {
        Some(at) => {
            let start = at + "/rate/".len();
            let end = line[start..]
                .find(|c: char| c.is_whitespace())
                .map_or(line.len(), |n| start + n);
            format!("{}[token]{}", &line[..start], &line[end..])
        }
        None => line.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_and_instants_are_replaced_and_the_rest_kept() {
        let value = json!({
            "id": 7, "number": 10001, "group_ids": [1, 2], "subject": "Printer",
            "created_at": "2026-03-02T09:00:00Z", "due_at": "2026-03-02T10:30:00Z",
            "items": [{"requester_id": 3, "at": "2026-03-01T09:00:00Z"}]
        });
        assert_eq!(
            redact_json(&value),
            json!({
                "id": "[id]", "number": 10001, "group_ids": ["[id]", "[id]"],
                "subject": "Printer", "created_at": "[start]",
                "due_at": "[start + 1h30m]",
                "items": [{"requester_id": "[id]", "at": "[start - 1d]"}]
            })
        );
    }

    #[test]
    fn mail_loses_its_date_ids_boundaries_and_tokens() {
        let raw = "Date: Mon, 2 Mar 2026 09:00:00 +0000\r\nMessage-ID: <abc.123@desk.example>\r\n\
                   From: Desk <support@desk.example>\r\nReferences: <a@x>\r\n <b@y>\r\n\
                   Content-Type: multipart/alternative; boundary=\"xyz\"\r\n\r\n--xyz\r\n\
                   Rate: http://h/rate/SECRET now\r\n--xyz--\r\n";
        assert_eq!(
            redact_mail(raw),
            "Date: [date]\nMessage-ID: <[message-id]@desk.example>\n\
             From: Desk <support@desk.example>\nReferences: <[message-id]@x>\n \
             <[message-id]@y>\n\
             Content-Type: multipart/alternative; boundary=\"[boundary]\"\n\n--[boundary]\n\
             Rate: http://h/rate/[token] now\n--[boundary]--\n"
        );
    }

    #[test]
    fn quoted_printable_soft_breaks_are_joined_before_tokens_are_redacted() {
        let raw = "Content-Transfer-Encoding: quoted-printable\r\n\r\n\
                   Rate: http://h/rate/SEC=\r\nRET\r\nbye\r\n";
        assert_eq!(
            redact_mail(raw),
            "Content-Transfer-Encoding: quoted-printable\n\nRate: http://h/rate/[token]\nbye\n"
        );
    }
}
