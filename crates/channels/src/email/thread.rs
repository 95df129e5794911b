//! Threading keys: what an inbound message says about the ticket it belongs to, and the
//! subject and `References` an outbound message needs so answers find their way back.
//!
//! Three keys, checked by the service layer in this order: message ids from
//! `In-Reply-To` and `References` (RFC 5322 §3.6.4) that match messages the desk sent
//! or received, the ticket tag in the subject (`[#10042]`), and a plus-address
//! (`support+10042@desk.example`). These functions only read the keys; whether the
//! sender may write to that ticket is decided where the ticket is known.

use ferrodesk_domain::{EmailAddress, TicketId};

use super::message::{InboundMessage, MessageId, domain_part, local_part};

/// How many ids an outbound `References` keeps: the thread's first message and the
/// most recent ones. Long threads would otherwise grow a header without bound.
const MAX_REFERENCES: usize = 20;

/// Reply and forward prefixes in the languages the desk meets, lowercase, without the
/// colon: English, German (AW, WG), Scandinavian (SV, VS, VB), Spanish and Portuguese
/// (RV, RES, ENC), French (TR, RÉF), Italian (R, RIF), Polish (ODP, PD), Hungarian (VÁ,
/// TOVÁBBÍTÁS), Dutch (ANTW, DOORST), Finnish (VL), Turkish (YNT), Czech (FWD), Greek,
/// Russian and Chinese clients.
const SUBJECT_PREFIXES: &[&str] = &[
    "re",
    "fw",
    "fwd",
    "aw",
    "wg",
    "sv",
    "vs",
    "vb",
    "vl",
    "rv",
    "res",
    "enc",
    "tr",
    "réf",
    "ref",
    "r",
    "rif",
    "odp",
    "pd",
    "vá",
    "továbbítás",
    "antw",
    "doorst",
    "ynt",
    "ilt",
    "απ",
    "σχετ",
    "πρθ",
    "отв",
    "ответ",
    "пересл",
    "回复",
    "回覆",
    "答复",
    "转发",
    "轉寄",
];

/// The keys an inbound message offers for finding its ticket.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ThreadingKeys {
    /// Ids to look up among stored messages, most specific first: `In-Reply-To`, then
    /// `References` newest first.
    pub message_ids: Vec<MessageId>,
    /// A ticket named by one of those ids that the desk itself generated
    /// (`ticket-10042.…@desk.example`), useful when the stored message is gone.
    pub message_id_ticket: Option<TicketId>,
    /// The ticket tag in the subject, `[#10042]`.
    pub subject_ticket: Option<TicketId>,
    /// The ticket named by a plus-address of one of the desk's addresses.
    pub plus_address_ticket: Option<TicketId>,
}

/// Reads every threading key from a message, given the desk's own addresses (their
/// domains are where the desk's Message-IDs live).
pub fn threading_keys(message: &InboundMessage, desk_addresses: &[EmailAddress]) -> ThreadingKeys {
    let message_ids = lookup_message_ids(message);
    let message_id_ticket = message_ids.iter().find_map(|id| {
        desk_addresses
            .iter()
            .find_map(|desk| ticket_from_message_id(id, domain_part(desk)))
    });
    ThreadingKeys {
        message_id_ticket,
        subject_ticket: ticket_from_subject(&message.subject),
        plus_address_ticket: message
            .recipient_addresses()
            .find_map(|address| ticket_from_plus_address(address, desk_addresses)),
        message_ids,
    }
}

/// The message ids to look up: `In-Reply-To` first (the message answered), then
/// `References` newest first (RFC 5322 §3.6.4 lists them oldest first), without repeats.
pub fn lookup_message_ids(message: &InboundMessage) -> Vec<MessageId> {
    let mut ids: Vec<MessageId> = Vec::new();
    for id in message
        .in_reply_to
        .iter()
        .chain(message.references.iter().rev())
    {
        if !ids.contains(id) {
            ids.push(id.clone());
        }
    }
    ids
}

/// Every `[#number]` tag in a subject with its byte range, in order.
fn ticket_tags(subject: &str) -> Vec<(usize, usize, TicketId)> {
    let mut tags = Vec::new();
    let mut from = 0;
    while let Some(open) = subject.get(from..).and_then(|rest| rest.find('[')) {
        let start = from + open;
        let Some(close) = subject.get(start..).and_then(|rest| rest.find(']')) else {
            break;
        };
        let end = start + close + 1;
        let inner = subject.get(start + 1..end - 1).unwrap_or_default().trim();
        match inner
            .strip_prefix('#')
            .and_then(|number| TicketId::parse_number(number.trim()))
        {
            Some(ticket) => {
                tags.push((start, end, ticket));
                from = end;
            }
            None => from = start + 1,
        }
    }
    tags
}

/// The ticket named by the first `[#10042]` tag in a subject, wherever reply prefixes
/// (`Re:`, `AW:`, `SV:`, `Fwd:` …) put it.
pub fn ticket_from_subject(subject: &str) -> Option<TicketId> {
    ticket_tags(subject).first().map(|&(_, _, ticket)| ticket)
}

/// The ticket named by a plus-address of one of the desk's addresses:
/// `support+10042@desk.example` → 10042 when `support@desk.example` is the desk's.
pub fn ticket_from_plus_address(
    address: &EmailAddress,
    desk_addresses: &[EmailAddress],
) -> Option<TicketId> {
    let (base, detail) = local_part(address).split_once('+')?;
    let domain = domain_part(address);
    let is_desk = desk_addresses.iter().any(|desk| {
        let desk_local = local_part(desk);
        let desk_base = desk_local.split_once('+').map_or(desk_local, |(b, _)| b);
        domain_part(desk) == domain && desk_base.eq_ignore_ascii_case(base)
    });
    is_desk.then(|| TicketId::parse_number(detail)).flatten()
}

/// The ticket named by a Message-ID the desk generated for `domain`
/// (`ticket-10042.<random>@desk.example`, see [`super::new_message_id`]).
pub fn ticket_from_message_id(id: &MessageId, domain: &str) -> Option<TicketId> {
    let (local, id_domain) = id.as_str().rsplit_once('@')?;
    if !id_domain.eq_ignore_ascii_case(domain) {
        return None;
    }
    let number = local.strip_prefix("ticket-")?.split('.').next()?;
    TicketId::parse_number(number)
}

/// Strips one reply or forward prefix (`Re:`, `AW:`, `Re[2]:`, `Fwd :`), if any.
fn strip_prefix_once(subject: &str) -> Option<&str> {
    let trimmed = subject.trim_start();
    let colon = trimmed.find([':', '：'])?;
    let head = trimmed.get(..colon)?;
    let rest = trimmed.get(colon..)?;
    let rest = rest.strip_prefix(':').or_else(|| rest.strip_prefix('：'))?;
    // Drop a counter: "Re[2]" or "Re(2)" or "Re 2".
    let word = head
        .trim_end()
        .trim_end_matches(|c: char| c.is_ascii_digit() || "[]() ".contains(c))
        .trim();
    let lower = word.to_lowercase();
    SUBJECT_PREFIXES.contains(&lower.as_str()).then_some(rest)
}

/// The subject without reply/forward prefixes and ticket tags, whitespace collapsed:
/// `Re: AW: [#10042] Printer jam` → `Printer jam`.
pub fn normalized_subject(subject: &str) -> String {
    let without_tags = remove_ticket_tags(subject);
    let mut rest = without_tags.as_str();
    while let Some(stripped) = strip_prefix_once(rest) {
        rest = stripped;
    }
    collapse_whitespace(rest)
}

fn remove_ticket_tags(subject: &str) -> String {
    let mut out = String::with_capacity(subject.len());
    let mut last = 0;
    for (start, end, _) in ticket_tags(subject) {
        out.push_str(subject.get(last..start).unwrap_or_default());
        out.push(' ');
        last = end;
    }
    out.push_str(subject.get(last..).unwrap_or_default());
    out
}

fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Puts the ticket tag in front of a subject: `[#10042] Printer jam`.
///
/// A subject that already carries this ticket's tag (and no other) is returned as it
/// is, so tags never double; tags of other tickets are removed, so a reply never points
/// at two tickets.
pub fn tag_subject(subject: &str, ticket: TicketId) -> String {
    let tags = ticket_tags(subject);
    if !tags.is_empty() && tags.iter().all(|&(_, _, t)| t == ticket) && tags.len() == 1 {
        return collapse_whitespace(subject);
    }
    let rest = collapse_whitespace(&remove_ticket_tags(subject));
    let tag = format!("[{}]", ticket.display_number());
    if rest.is_empty() {
        tag
    } else {
        format!("{tag} {rest}")
    }
}

/// The `References` for a message answering the last message of `thread` (given oldest
/// first): every id once, at most 20, always keeping the first (RFC 5322 §3.6.4 builds
/// `References` from the parent's `References` plus the parent's own id).
pub fn references_for_reply(thread: &[MessageId]) -> Vec<MessageId> {
    let mut unique: Vec<MessageId> = Vec::new();
    for id in thread {
        if !unique.contains(id) {
            unique.push(id.clone());
        }
    }
    if unique.len() > MAX_REFERENCES {
        let keep_from = unique.len() - (MAX_REFERENCES - 1);
        let mut kept = Vec::with_capacity(MAX_REFERENCES);
        kept.extend(unique.first().cloned());
        kept.extend(unique.get(keep_from..).unwrap_or_default().iter().cloned());
        return kept;
    }
    unique
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> MessageId {
        MessageId::parse(text).unwrap()
    }

    #[test]
    fn ticket_tag_is_found_behind_reply_prefixes() {
        for subject in [
            "[#10042] Printer jam",
            "Re: [#10042] Printer jam",
            "AW: WG: [#10042] Printer jam",
            "SV: Re[2]: Printer jam [#10042]",
            "Fwd: [ #10042 ] Printer jam",
        ] {
            assert_eq!(
                ticket_from_subject(subject),
                Some(TicketId(10042)),
                "{subject}"
            );
        }
        assert_eq!(ticket_from_subject("[#42] too small"), None);
        assert_eq!(ticket_from_subject("[scr] list tag"), None);
        assert_eq!(ticket_from_subject("[#10042abc]"), None);
    }

    #[test]
    fn subject_is_normalized_in_several_languages() {
        assert_eq!(
            normalized_subject("Re: AW: [#10042] Printer jam"),
            "Printer jam"
        );
        assert_eq!(normalized_subject("SV: VS: Skriver"), "Skriver");
        assert_eq!(normalized_subject("RES: ENC: Impressora"), "Impressora");
        assert_eq!(normalized_subject("Odp: PD: Drukarka"), "Drukarka");
        assert_eq!(normalized_subject("Vá: Továbbítás: Nyomtató"), "Nyomtató");
        assert_eq!(normalized_subject("RE : TR : Imprimante"), "Imprimante");
        assert_eq!(normalized_subject("Re[3]: Fwd(2): Printer"), "Printer");
        assert_eq!(normalized_subject("Meeting: agenda"), "Meeting: agenda");
    }

    #[test]
    fn tagging_never_doubles_a_tag() {
        let ticket = TicketId(10042);
        assert_eq!(tag_subject("Printer jam", ticket), "[#10042] Printer jam");
        assert_eq!(
            tag_subject("Re: [#10042] Printer jam", ticket),
            "Re: [#10042] Printer jam"
        );
        assert_eq!(
            tag_subject(&tag_subject("Printer jam", ticket), ticket),
            "[#10042] Printer jam"
        );
        assert_eq!(
            tag_subject("Re: [#10001] Printer jam", ticket),
            "[#10042] Re: Printer jam"
        );
        assert_eq!(tag_subject("", ticket), "[#10042]");
    }

    #[test]
    fn plus_address_names_a_ticket_only_on_desk_addresses() {
        let desk = [EmailAddress::parse("support@desk.example").unwrap()];
        let plus = EmailAddress::parse("support+10042@desk.example").unwrap();
        assert_eq!(
            ticket_from_plus_address(&plus, &desk),
            Some(TicketId(10042))
        );
        let foreign = EmailAddress::parse("support+10042@other.example").unwrap();
        assert_eq!(ticket_from_plus_address(&foreign, &desk), None);
        let not_a_number = EmailAddress::parse("support+urgent@desk.example").unwrap();
        assert_eq!(ticket_from_plus_address(&not_a_number, &desk), None);
    }

    #[test]
    fn our_message_ids_name_their_ticket() {
        let ours = id("<ticket-10042.abc123@desk.example>");
        assert_eq!(
            ticket_from_message_id(&ours, "desk.example"),
            Some(TicketId(10042))
        );
        assert_eq!(ticket_from_message_id(&ours, "other.example"), None);
        assert_eq!(
            ticket_from_message_id(&id("<x@desk.example>"), "desk.example"),
            None
        );
    }

    #[test]
    fn references_keep_the_root_and_the_newest_ids() {
        let thread: Vec<MessageId> = (0..30).map(|n| id(&format!("m{n}@x.example"))).collect();
        let references = references_for_reply(&thread);
        assert_eq!(references.len(), MAX_REFERENCES);
        assert_eq!(references[0], thread[0]);
        assert_eq!(references.last(), thread.last());
        let short =
            references_for_reply(&[id("a@x.example"), id("b@x.example"), id("a@x.example")]);
        assert_eq!(short, vec![id("a@x.example"), id("b@x.example")]);
    }
}
