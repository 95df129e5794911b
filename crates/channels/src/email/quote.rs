//! Reply-quote stripping: where the new text of a reply ends and the quoted history
//! begins, so the ticket view can fold the history.
//!
//! Nothing is thrown away: [`ReplyText`] keeps the full text and only records where the
//! quote starts. The history starts at the first of:
//!
//! - the desk's own marker line ([`REPLY_ABOVE_MARKER`]), quoted or not;
//! - an attribution line: "On Tue, 5 Mar 2024, Ana wrote:" and its forms in
//!   Portuguese, Spanish, Norwegian and the other Scandinavian languages, Hungarian,
//!   Polish, German, French, Dutch and Italian (possibly wrapped over three lines);
//! - Outlook's `-----Original Message-----` line (and its translations) or its header
//!   block (`From:` followed by `Sent:`/`Date:`, in the same languages);
//! - a run of `>` lines that ends the message. Quoted lines followed by more new text
//!   (an answer written between the quoted lines) are left unfolded.
//!
//! A quote that would leave no new text is not folded: the whole message is shown.

/// The line the desk puts above the quoted history in its own messages; whatever a
/// person writes above it is their answer.
pub const REPLY_ABOVE_MARKER: &str = "## Reply above this line ##";

/// Verbs of attribution lines, lowercase: "wrote" and its translations.
const ATTRIBUTION_VERBS: &[&str] = &[
    "wrote",
    "escreveu",
    "escribió",
    "escribio",
    "skrev",
    "írta",
    "napisał",
    "schrieb",
    "a écrit",
    "schreef",
    "ha scritto",
    "kirjoitti",
    "написал",
];

/// Words in Outlook's separator line, lowercase.
const ORIGINAL_MESSAGE_WORDS: &[&str] = &[
    "original message",
    "ursprüngliche nachricht",
    "mensaje original",
    "mensagem original",
    "message d'origine",
    "opprinnelig melding",
    "original meddelande",
    "oprindelig meddelelse",
    "eredeti üzenet",
    "oryginalna wiadomość",
    "wiadomość oryginalna",
    "messaggio originale",
    "oorspronkelijk bericht",
];

/// Outlook's header block: its first field ("From:" in the reader's language) …
const FROM_FIELDS: &[&str] = &[
    "from",
    "von",
    "de",
    "fra",
    "från",
    "od",
    "feladó",
    "van",
    "da",
    "lähettäjä",
    "от",
];

/// … followed within a few lines by its date field.
const SENT_FIELDS: &[&str] = &[
    "sent",
    "date",
    "gesendet",
    "datum",
    "enviado",
    "enviada em",
    "enviado em",
    "envoyé",
    "fecha",
    "sendt",
    "skickat",
    "wysłano",
    "data",
    "elküldve",
    "dátum",
    "küldve",
    "verzonden",
    "inviato",
    "lähetetty",
    "отправлено",
];

/// A reply's text with the position where its quoted history starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyText {
    full: String,
    quote_start: Option<usize>,
}

impl ReplyText {
    /// The whole text as received.
    pub fn full(&self) -> &str {
        &self.full
    }

    /// What the sender wrote this time: the text above the quoted history, without
    /// trailing blank lines. The full text when there is no quote.
    pub fn new_text(&self) -> &str {
        let head = match self.quote_start {
            Some(start) => self.full.get(..start).unwrap_or(&self.full),
            None => &self.full,
        };
        head.trim_end()
    }

    /// The quoted history, to be folded in the view; `None` when there is none.
    pub fn quoted(&self) -> Option<&str> {
        self.quote_start.and_then(|start| self.full.get(start..))
    }

    /// Whether the text holds quoted history.
    pub fn has_quote(&self) -> bool {
        self.quote_start.is_some()
    }
}

/// Splits a plain-text reply into new text and quoted history, recognizing the desk's
/// [`REPLY_ABOVE_MARKER`].
pub fn split_reply(text: &str) -> ReplyText {
    split_reply_with_markers(text, &[REPLY_ABOVE_MARKER])
}

/// Splits a plain-text reply, recognizing each of `markers` (the desk's marker line in
/// every language it writes) as the start of the quoted history.
pub fn split_reply_with_markers(text: &str, markers: &[&str]) -> ReplyText {
    let lines = lines_with_offsets(text);
    let start = first_quote_line(&lines, markers)
        .or_else(|| trailing_quote_block(&lines))
        .and_then(|index| lines.get(index).map(|&(offset, _)| offset))
        // A quote with nothing above it is not folded: show the whole message.
        .filter(|&offset| !text.get(..offset).unwrap_or_default().trim().is_empty());
    ReplyText {
        full: text.to_owned(),
        quote_start: start,
    }
}

/// Each line's byte offset and its text without the line ending.
fn lines_with_offsets(text: &str) -> Vec<(usize, &str)> {
    let mut offset = 0;
    text.split_inclusive('\n')
        .map(|line| {
            let start = offset;
            offset += line.len();
            (start, line.trim_end_matches(['\n', '\r']))
        })
        .collect()
}

fn is_quoted(line: &str) -> bool {
    line.trim_start().starts_with('>')
}

/// Text without `#` decoration or surrounding space, lowercase: how marker lines compare.
fn marker_key(text: &str) -> String {
    text.trim_start_matches(|c: char| c == '>' || c.is_whitespace())
        .trim_matches(|c: char| c == '#' || c.is_whitespace())
        .to_lowercase()
}

fn first_quote_line(lines: &[(usize, &str)], markers: &[&str]) -> Option<usize> {
    let marker_keys: Vec<String> = markers
        .iter()
        .map(|m| marker_key(m))
        .filter(|k| !k.is_empty())
        .collect();
    for (index, &(_, line)) in lines.iter().enumerate() {
        let key = marker_key(line);
        if !key.is_empty() && marker_keys.contains(&key) {
            return Some(index);
        }
        if is_quoted(line) || line.trim().is_empty() {
            continue;
        }
        if starts_attribution(lines, index) || is_original_message_line(line) {
            return Some(index);
        }
        if starts_outlook_header(lines, index) {
            // Outlook draws a line of underscores above the block.
            let above = index
                .checked_sub(1)
                .filter(|&i| lines.get(i).is_some_and(|&(_, l)| is_underscore_rule(l)));
            return Some(above.unwrap_or(index));
        }
    }
    None
}

/// Whether an attribution line ("On …, Ana wrote:") starts at `index`, wrapped over up
/// to three lines as clients do with long names and dates.
fn starts_attribution(lines: &[(usize, &str)], index: usize) -> bool {
    let mut candidate = String::new();
    for &(_, line) in lines.iter().skip(index).take(3) {
        if line.trim().is_empty() || is_quoted(line) {
            break;
        }
        if !candidate.is_empty() {
            candidate.push(' ');
        }
        candidate.push_str(line.trim());
        if is_attribution(&candidate) {
            return true;
        }
    }
    false
}

fn is_attribution(candidate: &str) -> bool {
    if candidate.chars().count() > 400 || !candidate.ends_with(':') {
        return false;
    }
    // A date or an address: "Here is what Ana wrote:" is prose, not an attribution.
    if !candidate.chars().any(|c| c.is_ascii_digit() || c == '@') {
        return false;
    }
    let lower = candidate.to_lowercase();
    ATTRIBUTION_VERBS.iter().any(|verb| lower.contains(verb))
}

fn is_original_message_line(line: &str) -> bool {
    let trimmed = line.trim();
    if !(trimmed.starts_with("---") && trimmed.ends_with("---")) {
        return false;
    }
    let lower = trimmed.to_lowercase();
    ORIGINAL_MESSAGE_WORDS
        .iter()
        .any(|words| lower.contains(words))
}

fn is_underscore_rule(line: &str) -> bool {
    let trimmed = line.trim();
    trimmed.len() >= 10 && trimmed.chars().all(|c| c == '_')
}

/// The field name of a `Name: value` line, lowercase, when it looks like one.
fn field_name(line: &str) -> Option<String> {
    let (name, _) = line.trim_start().trim_start_matches('*').split_once(':')?;
    let name = name.trim().trim_end_matches('*').trim();
    (!name.is_empty() && name.chars().count() <= 20).then(|| name.to_lowercase())
}

fn starts_outlook_header(lines: &[(usize, &str)], index: usize) -> bool {
    let is_from = lines
        .get(index)
        .and_then(|&(_, line)| field_name(line))
        .is_some_and(|name| FROM_FIELDS.contains(&name.as_str()));
    is_from
        && lines.iter().skip(index + 1).take(4).any(|&(_, line)| {
            field_name(line).is_some_and(|name| SENT_FIELDS.contains(&name.as_str()))
        })
}

/// The first line of a run of `>` lines (blank lines allowed) that ends the text.
fn trailing_quote_block(lines: &[(usize, &str)]) -> Option<usize> {
    let mut start = None;
    for (index, &(_, line)) in lines.iter().enumerate().rev() {
        if is_quoted(line) {
            start = Some(index);
        } else if !line.trim().is_empty() {
            break;
        }
    }
    start
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interleaved_answers_are_not_folded() {
        let text = "> Is it plugged in?\nYes.\n> Is it on?\nNo.\n";
        assert!(!split_reply(text).has_quote());
    }

    #[test]
    fn a_message_that_is_only_quote_is_shown_whole() {
        let reply = split_reply("> only quoted\n> lines\n");
        assert!(!reply.has_quote());
        assert_eq!(reply.new_text(), "> only quoted\n> lines");
    }

    #[test]
    fn prose_mentioning_writing_is_not_an_attribution() {
        let text = "Here is what my colleague wrote:\nthe printer is broken\n";
        assert!(!split_reply(text).has_quote());
    }

    #[test]
    fn localized_markers_are_recognized() {
        let text = "Obrigado!\n\n## Responda acima desta linha ##\nOld text\n";
        let reply = split_reply_with_markers(
            text,
            &[REPLY_ABOVE_MARKER, "## Responda acima desta linha ##"],
        );
        assert_eq!(reply.new_text(), "Obrigado!");
    }
}
