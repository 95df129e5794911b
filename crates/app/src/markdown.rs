//! Article bodies are Markdown: rendered with pulldown-cmark, then sanitized with
//! ammonia, so an author can never put a script or an event handler in front of a
//! reader. Also the plain text the search index reads.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS
}

/// The body as safe HTML: Markdown rendered, then every tag and attribute not on
/// ammonia's allow list removed (links get `rel="noopener noreferrer"`).
pub fn render(markdown: &str) -> String {
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options()));
    ammonia::clean(&unsafe_html)
}

/// A message written in the agent's composer as safe HTML: like [`render`], but a line
/// break is kept as a line break, as the writer saw it in the text box. The composer's
/// preview and the timeline both use this, so the preview is what is sent.
pub fn render_message(markdown: &str) -> String {
    let events = Parser::new_ext(markdown, options()).map(|event| match event {
        Event::SoftBreak => Event::HardBreak,
        other => other,
    });
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, events);
    ammonia::clean(&unsafe_html)
}

/// The body's words without Markdown syntax, blocks separated by newlines.
pub fn plain_text(markdown: &str) -> String {
    let mut text = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::CodeBlock,
            )
            | Event::Start(Tag::Item) => text.push('\n'),
            _ => {}
        }
    }
    text.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_rendered_and_scripts_are_removed() {
        let html = render(
            "# Fix\n\n**Bold** <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>",
        );
        assert!(html.contains("<h1>Fix</h1>"), "{html}");
        assert!(html.contains("<strong>Bold</strong>"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
    }

    #[test]
    fn a_message_keeps_its_line_breaks_and_loses_its_scripts() {
        let html =
            render_message("Hello Maria,\nplease **restart**.\n\n- one\n- two <script>x</script>");
        assert!(html.contains("Hello Maria,<br>"), "{html}");
        assert!(html.contains("<strong>restart</strong>"), "{html}");
        assert!(html.contains("<li>one</li>"), "{html}");
        assert!(!html.contains("<script"), "{html}");
    }

    #[test]
    fn plain_text_drops_the_syntax() {
        let text = plain_text("# Printer\n\n1. Open **tray** 2\n2. Pull `paper`");
        for word in ["Printer", "Open tray 2", "Pull paper"] {
            assert!(text.contains(word), "{text}");
        }
        assert!(!text.contains(['#', '*', '`']), "{text}");
    }
}
