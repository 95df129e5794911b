//! Mail HTML made safe to show, and turned into text.
//!
//! Mail HTML is hostile input: it is shown inside the desk's pages, next to an agent's
//! session. Sanitizing is ammonia's job (an allow-list over a real HTML5 parser), never
//! a regular expression. The policy is strict: basic formatting, lists, tables, links
//! and images that point at attachments (`cid:`, RFC 2392). No scripts, styles, event
//! handlers, forms, frames, classes or ids; remote images are dropped, so opening a
//! message does not tell the sender (a tracking pixel) and the alt text remains.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

/// Width that text converted from HTML wraps at: readable in a mail client or a page.
const TEXT_WIDTH: usize = 80;

/// Tags mail formatting needs; everything else is removed, keeping its text.
const ALLOWED_TAGS: &[&str] = &[
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "tt",
    "u",
    "ul",
];

/// Tags removed together with their content: their text is code or noise, not prose.
const REMOVED_WITH_CONTENT: &[&str] = &["script", "style", "title", "head", "noscript"];

/// The only URL schemes a link or image may use; `cid:` names an attachment.
const URL_SCHEMES: &[&str] = &["http", "https", "mailto", "cid"];

static MAIL_POLICY: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let tag_attributes: HashMap<&'static str, HashSet<&'static str>> = [
        ("a", HashSet::from(["href", "title"])),
        (
            "img",
            HashSet::from(["src", "alt", "title", "width", "height"]),
        ),
        ("td", HashSet::from(["colspan", "rowspan"])),
        ("th", HashSet::from(["colspan", "rowspan"])),
        ("ol", HashSet::from(["start"])),
        ("abbr", HashSet::from(["title"])),
    ]
    .into_iter()
    .collect();
    let mut builder = ammonia::Builder::empty();
    builder
        .tags(ALLOWED_TAGS.iter().copied().collect())
        .clean_content_tags(REMOVED_WITH_CONTENT.iter().copied().collect())
        .tag_attributes(tag_attributes)
        .generic_attributes(HashSet::new())
        .url_schemes(URL_SCHEMES.iter().copied().collect())
        .url_relative(ammonia::UrlRelative::Deny)
        .link_rel(Some("noopener noreferrer nofollow"))
        .strip_comments(true)
        .attribute_filter(|element, attribute, value| {
            // Remote images are dropped: loading one tells the sender the message was
            // opened. Images that point at an attachment of this message stay.
            if element == "img" && attribute == "src" {
                let is_attachment = value
                    .get(..4)
                    .is_some_and(|scheme| scheme.eq_ignore_ascii_case("cid:"));
                return is_attachment.then(|| value.into());
            }
            Some(value.into())
        });
    builder
});

/// Removes everything from mail HTML that could run, track or restyle the page around
/// it, keeping formatting, links and `cid:` images (see the module docs for the policy).
pub fn sanitize_html(html: &str) -> String {
    MAIL_POLICY.clean(html).to_string()
}

/// Renders HTML as plain text, wrapped at 80 columns, without markup decoration.
pub fn html_to_text(html: &str) -> String {
    let rendered = html2text::config::plain_no_decorate()
        .allow_width_overflow()
        .no_link_wrapping()
        .string_from_read(html.as_bytes(), TEXT_WIDTH);
    match rendered {
        Ok(text) => text.trim_end().to_owned(),
        // html2text failed (it reports rather than panics); keep the words at least,
        // with every tag stripped by the sanitizer, and undo its entity escaping.
        Err(_) => unescape_basic(&ammonia::Builder::empty().clean(html).to_string()),
    }
}

/// Reverses the escaping the sanitizer applies to text, for the plain-text fallback.
fn unescape_basic(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_styles_and_event_handlers_never_survive() {
        let dirty = r#"<p onclick="steal()">Hi<script>alert(1)</script></p>
            <style>body{display:none}</style>
            <img src="x" onerror="alert(2)">
            <a href="javascript:alert(3)">click</a>
            <iframe src="https://evil.example"></iframe>
            <form action="https://evil.example"><input name="p"></form>"#;
        let clean = sanitize_html(dirty);
        for forbidden in [
            "script",
            "alert",
            "onclick",
            "onerror",
            "style",
            "javascript",
            "iframe",
            "form",
            "input",
        ] {
            assert!(
                !clean.contains(forbidden),
                "{forbidden} survived in {clean}"
            );
        }
        assert!(clean.contains("Hi"));
        assert!(clean.contains("click"));
    }

    #[test]
    fn remote_images_are_dropped_and_attachment_images_kept() {
        let clean = sanitize_html(
            r#"<img src="https://tracker.example/p.gif" alt="pixel"><img src="cid:logo@x" alt="logo">"#,
        );
        assert!(!clean.contains("tracker.example"));
        assert!(clean.contains(r#"src="cid:logo@x""#));
        assert!(clean.contains("pixel"));
    }

    #[test]
    fn links_keep_their_target_and_cannot_reach_the_opener() {
        let clean = sanitize_html(r#"<a href="https://example.com/a">docs</a>"#);
        assert!(clean.contains(r#"href="https://example.com/a""#));
        assert!(clean.contains("noopener"));
    }

    #[test]
    fn html_becomes_readable_text() {
        let text = html_to_text("<p>Hello <b>world</b></p><ul><li>one</li><li>two</li></ul>");
        assert!(text.contains("Hello"));
        assert!(text.contains("world"));
        assert!(text.contains("one"));
        assert!(!text.contains('<'));
    }
}
