//! Delivery status notifications: bounces (RFC 3464) inside `multipart/report` (RFC 6522).
//!
//! A bounce must be recorded on the ticket whose message bounced, not filed as a new
//! ticket, so the report names the bounced message's Message-ID (from the returned
//! `message/rfc822` part or its `text/rfc822-headers`), and per recipient the action
//! and status code (RFC 3463 enhanced codes: `5.x.x` permanent, `4.x.x` transient).

use mail_parser::{Message, MessageParser, MimeHeaders, PartType};

use super::message::MessageId;

/// What the reporting server did with the message for one recipient (RFC 3464 §2.3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryAction {
    /// The message could not be delivered and will not be retried.
    Failed,
    /// Delivery is delayed; the server keeps trying.
    Delayed,
    /// The message was delivered.
    Delivered,
    /// The message was passed on to a system that sends no reports.
    Relayed,
    /// The message was delivered and forwarded to several addresses.
    Expanded,
    /// The report did not say, or said something unknown.
    Unknown,
}

impl DeliveryAction {
    fn parse(text: &str) -> Self {
        let word = text.split([' ', '(', ';']).next().unwrap_or_default();
        match word.to_ascii_lowercase().as_str() {
            "failed" => DeliveryAction::Failed,
            "delayed" => DeliveryAction::Delayed,
            "delivered" => DeliveryAction::Delivered,
            "relayed" => DeliveryAction::Relayed,
            "expanded" => DeliveryAction::Expanded,
            _ => DeliveryAction::Unknown,
        }
    }

    /// The stable lowercase name, as RFC 3464 writes it (`unknown` when absent).
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryAction::Failed => "failed",
            DeliveryAction::Delayed => "delayed",
            DeliveryAction::Delivered => "delivered",
            DeliveryAction::Relayed => "relayed",
            DeliveryAction::Expanded => "expanded",
            DeliveryAction::Unknown => "unknown",
        }
    }
}

/// The outcome for one recipient of the bounced message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientStatus {
    /// The address delivery was attempted to (`Final-Recipient`, type prefix removed).
    pub final_recipient: String,
    /// The address as the sender wrote it (`Original-Recipient`), when reported.
    pub original_recipient: Option<String>,
    /// What happened.
    pub action: DeliveryAction,
    /// The enhanced status code (RFC 3463), `5.1.1`, without its comment.
    pub status: Option<String>,
    /// The remote server's own words (`Diagnostic-Code`), when reported.
    pub diagnostic_code: Option<String>,
}

impl RecipientStatus {
    /// Whether delivery to this recipient failed for good: action `failed`, or a
    /// `5.x.x` status when the action is missing.
    pub fn is_permanent_failure(&self) -> bool {
        match self.action {
            DeliveryAction::Failed => true,
            DeliveryAction::Unknown => self.status.as_deref().is_some_and(|s| s.starts_with('5')),
            _ => false,
        }
    }
}

/// A delivery status notification (bounce or delay warning).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeliveryReport {
    /// The Message-ID of the message that bounced, when the report returned its headers.
    pub original_message_id: Option<MessageId>,
    /// The subject of the message that bounced, when returned.
    pub original_subject: Option<String>,
    /// The server that wrote the report (`Reporting-MTA`, type prefix removed).
    pub reporting_mta: Option<String>,
    /// One entry per recipient the report speaks about.
    pub recipients: Vec<RecipientStatus>,
}

impl DeliveryReport {
    /// The recipients whose delivery failed for good.
    pub fn failed_recipients(&self) -> impl Iterator<Item = &RecipientStatus> {
        self.recipients
            .iter()
            .filter(|recipient| recipient.is_permanent_failure())
    }

    /// Whether any recipient failed for good (a bounce, not only a delay warning).
    pub fn is_permanent_failure(&self) -> bool {
        self.failed_recipients().next().is_some()
    }
}

/// Reads the delivery report a parsed message is, if it is one.
///
/// A message is a delivery report when its top level is `multipart/report` with
/// `report-type=delivery-status`, or any `multipart/report` that carries a
/// `message/delivery-status` part (some servers omit the parameter). When the MIME
/// structure is broken (a lost boundary), the text is scanned for the same fields.
pub(crate) fn read_delivery_report(message: &Message<'_>) -> Option<DeliveryReport> {
    let root_type = message.root_part().content_type()?;
    let is_report = root_type.ctype().eq_ignore_ascii_case("multipart")
        && root_type
            .subtype()
            .is_some_and(|s| s.eq_ignore_ascii_case("report"));
    if !is_report {
        return None;
    }
    let declared = root_type
        .attribute("report-type")
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("delivery-status"));

    let mut report = DeliveryReport::default();
    let mut has_status_part = false;
    for part in message.parts.iter().skip(1) {
        let (main, sub) = part
            .content_type()
            .map(|ct| {
                (
                    ct.ctype().to_ascii_lowercase(),
                    ct.subtype().unwrap_or_default().to_ascii_lowercase(),
                )
            })
            .unwrap_or_default();
        match (main.as_str(), sub.as_str(), &part.body) {
            ("message", "delivery-status" | "global-delivery-status", _) => {
                has_status_part = true;
                let text = String::from_utf8_lossy(part.contents());
                read_status_fields(&text, &mut report);
            }
            (_, _, PartType::Message(returned)) if report.original_message_id.is_none() => {
                report.original_message_id = returned.message_id().and_then(parse_id);
                report.original_subject = returned.subject().map(str::to_owned);
            }
            ("text" | "message", "rfc822-headers", _) | ("message", "rfc822" | "global", _)
                if report.original_message_id.is_none() =>
            {
                if let Some(headers) = MessageParser::new().parse_headers(part.contents()) {
                    report.original_message_id = headers.message_id().and_then(parse_id);
                    report.original_subject = headers.subject().map(str::to_owned);
                }
            }
            _ => {}
        }
    }

    if !has_status_part && message.parts.len() <= 1 {
        // The boundary was lost, so the whole report arrived as one text body.
        if let Some(root) = message.parts.first() {
            let text = String::from_utf8_lossy(root.contents());
            scan_unstructured_report(&text, &mut report);
            has_status_part = !report.recipients.is_empty();
        }
    }

    (declared || has_status_part).then_some(report)
}

fn parse_id(text: &str) -> Option<MessageId> {
    MessageId::parse(text).ok()
}

/// Splits `Name: value` fields, joining folded continuation lines (RFC 5322 §2.2.3);
/// a blank line ends a group (RFC 3464 §2.1: per-message fields, then one group per
/// recipient).
fn field_groups(text: &str) -> Vec<Vec<(String, String)>> {
    let mut groups: Vec<Vec<(String, String)>> = vec![Vec::new()];
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            if groups.last().is_some_and(|g| !g.is_empty()) {
                groups.push(Vec::new());
            }
            continue;
        }
        let Some(group) = groups.last_mut() else {
            continue;
        };
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = group.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            group.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    groups.retain(|g| !g.is_empty());
    groups
}

/// `rfc822; a@b` → `a@b`; the address type (RFC 3464 §2.3.2) is dropped.
fn typed_address(value: &str) -> String {
    let address = value.split_once(';').map_or(value, |(_, rest)| rest).trim();
    address
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_owned()
}

fn read_status_fields(text: &str, report: &mut DeliveryReport) {
    for group in field_groups(text) {
        let field = |name: &str| {
            group
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        if let Some(mta) = field("reporting-mta")
            && report.reporting_mta.is_none()
        {
            report.reporting_mta = Some(typed_address(mta));
        }
        let Some(final_recipient) = field("final-recipient") else {
            continue;
        };
        report.recipients.push(RecipientStatus {
            final_recipient: typed_address(final_recipient),
            original_recipient: field("original-recipient").map(typed_address),
            action: field("action").map_or(DeliveryAction::Unknown, DeliveryAction::parse),
            status: field("status")
                .and_then(|s| s.split_whitespace().next())
                .map(str::to_owned),
            diagnostic_code: field("diagnostic-code").map(str::to_owned),
        });
    }
}

/// Recovers a report from text whose MIME boundary was lost: the status fields start
/// at the first `Reporting-MTA:`/`Final-Recipient:` line and run to the next boundary
/// line; the returned headers' `Message-ID` follows them.
fn scan_unstructured_report(text: &str, report: &mut DeliveryReport) {
    let lines: Vec<&str> = text.lines().collect();
    let starts_with = |line: &str, prefix: &str| {
        line.get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    };
    let Some(start) = lines
        .iter()
        .position(|l| starts_with(l, "reporting-mta:") || starts_with(l, "final-recipient:"))
    else {
        return;
    };
    let end = lines
        .iter()
        .skip(start)
        .position(|l| l.starts_with("--"))
        .map_or(lines.len(), |offset| start + offset);
    let block = lines.get(start..end).unwrap_or_default().join("\n");
    read_status_fields(&block, report);
    let rest = lines.get(end..).unwrap_or_default();
    if let Some(line) = rest.iter().find(|l| starts_with(l, "message-id:")) {
        let value = line.get("message-id:".len()..).unwrap_or_default();
        report.original_message_id = parse_id(value);
    }
    if let Some(line) = rest.iter().find(|l| starts_with(l, "subject:")) {
        let value = line.get("subject:".len()..).unwrap_or_default().trim();
        report.original_subject = Some(value.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_fields_are_read_per_recipient() {
        let mut report = DeliveryReport::default();
        read_status_fields(
            "Reporting-MTA: dns; mx.example.com\r\n\r\nFinal-Recipient: rfc822; a@example.com\r\nAction: failed\r\nStatus: 5.1.1 (no such user)\r\nDiagnostic-Code: smtp; 550 5.1.1\r\n  user unknown\r\n\r\nFinal-Recipient: rfc822;<b@example.com>\r\nAction: delayed\r\nStatus: 4.4.1\r\n",
            &mut report,
        );
        assert_eq!(report.reporting_mta.as_deref(), Some("mx.example.com"));
        assert_eq!(report.recipients.len(), 2);
        let first = &report.recipients[0];
        assert_eq!(first.final_recipient, "a@example.com");
        assert_eq!(first.action, DeliveryAction::Failed);
        assert_eq!(first.status.as_deref(), Some("5.1.1"));
        assert_eq!(
            first.diagnostic_code.as_deref(),
            Some("smtp; 550 5.1.1 user unknown")
        );
        assert_eq!(report.recipients[1].final_recipient, "b@example.com");
        assert!(!report.recipients[1].is_permanent_failure());
        assert_eq!(report.failed_recipients().count(), 1);
    }
}
