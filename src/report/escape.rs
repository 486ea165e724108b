//! Escaping for the report formats: text from GitLab (titles, messages, label
//! names, URLs) goes through one of these before it is written, so a title cannot
//! break a table, smuggle markup, or make an XML parser fail. Pure.

use std::fmt::Write as _;

/// Escapes text from GitLab (a title, an error's text) for inline Markdown
/// (GitLab-flavoured): characters that start emphasis, links, HTML, tables, label
/// (`~`) and heading syntax get a backslash; `&` becomes `&amp;` so a title cannot
/// smuggle an entity; line breaks become spaces; an `@mention` is put in a code
/// span, where GitLab neither links nor notifies it.
pub(crate) fn markdown(s: &str) -> String {
    escape_markdown(s, "\\`*_[]<>|~#{}")
}

/// Escapes wowctl's own sentences, which carry GitLab references on purpose
/// (`#12`, `~"priority::1"`, `%"WoW"`): only what could break a table or make
/// markup is escaped, so the references render as links and label chips.
pub(crate) fn markdown_text(s: &str) -> String {
    escape_markdown(s, "\\`*_[]<>|{}")
}

fn escape_markdown(s: &str, special: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.char_indices().peekable();
    let mut prev: Option<char> = None;
    while let Some((i, c)) = chars.next() {
        if c == '@' && starts_mention(prev, s[i + 1..].chars().next()) {
            // The whole `@name` in a code span: GitLab makes no mention of it.
            let len = s[i + 1..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/')))
                .unwrap_or(s.len() - i - 1);
            let name = s[i + 1..i + 1 + len].trim_end_matches('.');
            out.push_str("`@");
            out.push_str(name);
            out.push('`');
            for _ in 0..name.chars().count() {
                chars.next();
            }
            prev = name.chars().last();
            continue;
        }
        match c {
            c if special.contains(c) => {
                out.push('\\');
                out.push(c);
            }
            '&' => out.push_str("&amp;"),
            '\r' | '\n' => out.push(' '),
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
        prev = Some(c);
    }
    out
}

/// An `@` that GitLab would read as a mention: not inside a word (an e-mail
/// address is not a mention), followed by a name.
fn starts_mention(prev: Option<char>, next: Option<char>) -> bool {
    !prev.is_some_and(|p| p.is_alphanumeric() || p == '_' || p == '`')
        && next.is_some_and(|n| n.is_ascii_alphanumeric() || n == '_')
}

/// An issue reference (`#12`, `group/project#12`) as GitLab links it, or the
/// escaped text when it does not look like one.
pub(crate) fn markdown_issue(reference: &str) -> String {
    let plain = reference.rsplit_once('#').is_some_and(|(path, n)| {
        !n.is_empty()
            && n.chars().all(|c| c.is_ascii_digit())
            && path
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
    });
    if plain {
        reference.to_string()
    } else {
        markdown(reference)
    }
}

/// A label as a GitLab reference, `~"priority::1"` (a chip where GitLab renders
/// it), or escaped text when the name cannot be quoted.
pub(crate) fn markdown_label(name: &str) -> String {
    quoted_reference('~', name)
}

/// A milestone as a GitLab reference, `%"WoW"`, or escaped text when the title
/// cannot be quoted.
pub(crate) fn markdown_milestone(title: &str) -> String {
    quoted_reference('%', title)
}

fn quoted_reference(sigil: char, name: &str) -> String {
    let quotable = !name.is_empty()
        && !name.contains('"')
        && !name.chars().any(char::is_control)
        && !name.contains(['|', '<', '>', '`', '\\']);
    if quotable {
        format!("{sigil}\"{name}\"")
    } else {
        format!("\\{sigil}\"{}\"", markdown(name))
    }
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
    match href.filter(|h| safe_href(h)) {
        Some(h) => format!("<a href=\"{}\">{}</a>", xml(h, true), xml(text, false)),
        None => xml(text, false),
    }
}

/// A URL a report may link to: http(s) or site-relative.
pub(crate) fn safe_href(h: &str) -> bool {
    h.starts_with("https://") || h.starts_with("http://") || h.starts_with('/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escapes_user_text_and_keeps_our_references() {
        // (input, as user text, as wowctl's own sentence)
        let cases = [
            ("plain title", "plain title", "plain title"),
            ("a | b", "a \\| b", "a \\| b"),
            ("*bold* _it_", "\\*bold\\* \\_it\\_", "\\*bold\\* \\_it\\_"),
            ("[x](y)", "\\[x\\](y)", "\\[x\\](y)"),
            ("<script>", "\\<script\\>", "\\<script\\>"),
            (
                "~\"label\" #12 %\"WoW\"",
                "\\~\"label\" \\#12 %\"WoW\"",
                "~\"label\" #12 %\"WoW\"",
            ),
            ("a\nb\r\nc", "a b  c", "a b  c"),
            ("R&D", "R&amp;D", "R&amp;D"),
            (
                "back\\slash `code`",
                "back\\\\slash \\`code\\`",
                "back\\\\slash \\`code\\`",
            ),
            (
                "assigned to @dave.db.",
                "assigned to `@dave.db`.",
                "assigned to `@dave.db`.",
            ),
            (
                "ask @ops-team/oncall now",
                "ask `@ops-team/oncall` now",
                "ask `@ops-team/oncall` now",
            ),
            (
                "mail ops@example.com",
                "mail ops@example.com",
                "mail ops@example.com",
            ),
            ("a lone @ sign", "a lone @ sign", "a lone @ sign"),
        ];
        for (input, user, ours) in cases {
            assert_eq!(markdown(input), user, "user text {input:?}");
            assert_eq!(markdown_text(input), ours, "our text {input:?}");
        }
    }

    #[test]
    fn references_render_as_gitlab_references() {
        let cases = [
            (markdown_issue("#12"), "#12"),
            (markdown_issue("group/sub.x/app-1#7"), "group/sub.x/app-1#7"),
            (markdown_issue("#12 <b>"), "\\#12 \\<b\\>"),
            (markdown_label("priority::1"), "~\"priority::1\""),
            (
                markdown_label("(perceived) data loss"),
                "~\"(perceived) data loss\"",
            ),
            (markdown_label("say \"hi\""), "\\~\"say \"hi\"\""),
            (markdown_milestone("WoW"), "%\"WoW\""),
            (markdown_milestone("a|b"), "\\%\"a\\|b\""),
        ];
        for (got, want) in cases {
            assert_eq!(got, want);
        }
    }

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
