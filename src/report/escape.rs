//! Escaping for the report formats: text from GitLab (titles, messages, label
//! names, URLs) goes through one of these before it is written, so a title cannot
//! break a table, smuggle markup, or make an XML parser fail. Pure.

use std::fmt::Write as _;

/// Escapes text for inline Markdown (GitLab-flavoured): characters that start
/// emphasis, links, HTML, tables, label (`~`) and heading syntax get a backslash;
/// `&` becomes `&amp;` so a title cannot smuggle an entity; line breaks become spaces.
pub(crate) fn markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '#' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '&' => out.push_str("&amp;"),
            '\r' | '\n' => out.push(' '),
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// A URL made safe for `[text](url)`: spaces and parentheses percent-encoded.
pub(crate) fn markdown_url(u: &str) -> String {
    u.chars()
        .filter(|c| !c.is_control())
        .map(|c| match c {
            ' ' => "%20".to_string(),
            '(' => "%28".to_string(),
            ')' => "%29".to_string(),
            '<' => "%3C".to_string(),
            '>' => "%3E".to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// Escapes text for XML content and attribute values. Control characters that
/// XML 1.0 does not allow (all but tab, LF, CR) become U+FFFD; in attributes tab,
/// LF and CR are written as character references so they survive normalisation.
pub(crate) fn xml(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' if attribute => {
                let _ = write!(out, "&#{};", c as u32);
            }
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// `<a href>` only for http(s) and site-relative URLs: a `javascript:` URL from a
/// title or a bad setting must not become a link.
pub(crate) fn html_link(text: &str, href: Option<&str>) -> String {
    match href {
        Some(h) if h.starts_with("https://") || h.starts_with("http://") || h.starts_with('/') => {
            format!("<a href=\"{}\">{}</a>", xml(h, true), xml(text, false))
        }
        _ => xml(text, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_handles_markup_and_forbidden_characters() {
        let cases = [
            ("a < b & c > d", false, "a &lt; b &amp; c &gt; d"),
            ("say \"hi\" 'x'", false, "say &quot;hi&quot; &apos;x&apos;"),
            ("line\nbreak", false, "line\nbreak"),
            ("line\nbreak\ttab", true, "line&#10;break&#9;tab"),
            ("bell\u{7}esc\u{1b}", false, "bell\u{FFFD}esc\u{FFFD}"),
            ("nul\u{0}", true, "nul\u{FFFD}"),
        ];
        for (input, attribute, want) in cases {
            assert_eq!(xml(input, attribute), want, "input {input:?}");
        }
    }
}
