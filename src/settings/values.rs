//! Readers of single YAML values from `.wow.yml` (a title, a label list, a duration...):
//! each returns the typed value or a short reason that says what is allowed; `file.rs` adds
//! the key, the value and the line. Pure. No reader may panic or take more than linear time
//! in its input, whatever the file holds (SPEC "Bounded inputs").

use super::config::{weekday_name, WEEKDAYS};
use super::duration::{parse_duration, DURATION_HELP};
use chrono::Weekday;
use chrono_tz::Tz;
use serde_yaml::Value;
use std::collections::BTreeSet;
use std::time::Duration;

/// GitLab's limit on a milestone title, an issue title and a label name (in characters).
pub(crate) const MAX_TITLE_CHARS: usize = 255;

/// Text, with a hint at what it should look like.
pub(crate) fn text<'v>(v: &'v Value, expected: &str) -> Result<&'v str, String> {
    match v {
        Value::String(s) => Ok(s),
        Value::Null => Err(format!("no value; expected {expected}")),
        other => Err(format!("expected {expected}, found {}", kind(other))),
    }
}

/// Free text (a title, a label): a bare number or `true` is most likely meant as text.
fn free_text<'v>(v: &'v Value, expected: &str) -> Result<&'v str, String> {
    match v {
        Value::Bool(_) | Value::Number(_) => Err(format!(
            "expected {expected}, found {}; put it in quotes",
            kind(v)
        )),
        _ => text(v, expected),
    }
}

/// Non-empty free text of at most `MAX_TITLE_CHARS` characters once each placeholder of
/// `grows` (placeholder, characters it adds) is expanded.
fn bounded_text(v: &Value, what: &str, grows: &[(&str, usize)]) -> Result<String, String> {
    let s = free_text(v, &format!("{what} (text)"))?;
    if s.trim().is_empty() {
        return Err(format!("must not be empty; expected {what}"));
    }
    let expanded = s.chars().count()
        + grows
            .iter()
            .map(|(placeholder, extra)| s.matches(placeholder).count() * extra)
            .sum::<usize>();
    if expanded > MAX_TITLE_CHARS {
        let once = if grows.is_empty() { "" } else { " once expanded" };
        return Err(format!(
            "{expanded} characters long{once}; GitLab allows at most {MAX_TITLE_CHARS} in {what}"
        ));
    }
    Ok(s.to_string())
}

pub(crate) fn title(v: &Value) -> Result<String, String> {
    bounded_text(v, "a milestone title", &[])
}

/// `milestones.closed`: `{date}` exactly once; it becomes `YYYY-MM-DD` (4 characters more).
pub(crate) fn closed_title(v: &Value) -> Result<String, String> {
    let closed = bounded_text(v, "a milestone title", &[("{date}", 4)])?;
    if closed.matches("{date}").count() != 1 {
        return Err(
            "must contain {date} exactly once (the last day of the week, YYYY-MM-DD), \
             e.g. \"WoW ending {date}\""
                .into(),
        );
    }
    Ok(closed)
}

/// `report.publish.issue_title`: any text; `{start}` and `{end}` become dates (YYYY-MM-DD,
/// 3 and 5 characters more).
pub(crate) fn issue_title(v: &Value) -> Result<String, String> {
    bounded_text(v, "an issue title", &[("{start}", 3), ("{end}", 5)])
}

pub(crate) fn label(v: &Value) -> Result<String, String> {
    let s = bounded_text(v, "a label name", &[])?;
    // gitlab-api.md §1: label lists are comma-separated, so such a label cannot be added.
    if s.contains(',') {
        return Err(format!(
            "label {s:?} contains a comma, which GitLab's label lists cannot express; rename the label"
        ));
    }
    Ok(s)
}

/// A list of label names, each at most once.
pub(crate) fn labels(v: &Value) -> Result<Vec<String>, String> {
    let items = list(v, "label names, e.g. [\"priority::1\", \"priority::2\"]")?;
    unique(items, label, "label")
}

/// `@name` mentions (a user or a group), each at most once.
pub(crate) fn mentions(v: &Value) -> Result<Vec<String>, String> {
    let items = list(v, "mentions, e.g. [\"@production-oncall\"]")?;
    unique(items, mention, "mention")
}

fn mention(v: &Value) -> Result<String, String> {
    let s = free_text(v, "a mention like \"@production-oncall\"")?;
    if !s.starts_with('@') || s.len() < 2 {
        return Err(format!(
            "mention {s:?} must be @ and a user or group name, e.g. \"@production-oncall\""
        ));
    }
    if s.chars().any(char::is_whitespace) {
        return Err(format!(
            "mention {s:?} contains a space; write one user or group per entry"
        ));
    }
    if s.chars().count() > MAX_TITLE_CHARS {
        return Err(format!(
            "mention of {} characters; GitLab names have at most {MAX_TITLE_CHARS}",
            s.chars().count()
        ));
    }
    Ok(s.to_string())
}

/// Each item read with `read`, none twice. A set, not `Vec::contains`: a 1 MiB list must
/// not cost quadratic time.
fn unique(
    items: &[Value],
    read: fn(&Value) -> Result<String, String>,
    what: &str,
) -> Result<Vec<String>, String> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let name = read(item)?;
        if !seen.insert(name.clone()) {
            return Err(format!("{what} {name:?} is listed twice"));
        }
        out.push(name);
    }
    Ok(out)
}

pub(crate) fn boolean(v: &Value) -> Result<bool, String> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::Null => Err("no value; expected true or false".into()),
        other => Err(format!("expected true or false, found {}", kind(other))),
    }
}

pub(crate) fn weekday(v: &Value) -> Result<Weekday, String> {
    let allowed = || WEEKDAYS.map(weekday_name).join(", ");
    let s = text(v, &format!("a weekday ({})", allowed()))?;
    let wanted = s.trim().to_ascii_lowercase();
    WEEKDAYS
        .into_iter()
        .find(|d| weekday_name(*d) == wanted)
        .ok_or_else(|| format!("unknown weekday; allowed: {}", allowed()))
}

pub(crate) fn timezone(v: &Value) -> Result<Tz, String> {
    let name = text(v, "an IANA timezone name like \"Europe/Berlin\"")?;
    name.trim().parse::<Tz>().map_err(|_| {
        "unknown timezone; use an IANA name like \"Europe/Berlin\", \"America/New_York\" \
         or \"UTC\" (case matters)"
            .to_string()
    })
}

pub(crate) fn duration(v: &Value) -> Result<Duration, String> {
    let s = text(v, DURATION_HELP)?;
    parse_duration(s).map_err(|reason| format!("{reason}; expected {DURATION_HELP}"))
}

/// A duration that is not zero (a timeout).
pub(crate) fn positive_duration(v: &Value) -> Result<Duration, String> {
    let d = duration(v)?;
    if d.is_zero() {
        return Err(format!("must be longer than zero; expected {DURATION_HELP}"));
    }
    Ok(d)
}

fn list<'v>(v: &'v Value, expected: &str) -> Result<&'v [Value], String> {
    match v {
        Value::Sequence(items) => Ok(items),
        Value::Null => Err(format!(
            "no value; expected a list of {expected} (write [] for none)"
        )),
        other => Err(format!("expected a list of {expected}, found {}", kind(other))),
    }
}

/// A list of names from a fixed set (rules, formats), each at most once. `all` is the set
/// in its documented order; `name` spells one.
pub(crate) fn names<T: PartialEq + Copy>(
    v: &Value,
    all: &[T],
    name: fn(T) -> &'static str,
    what: &str,
) -> Result<Vec<T>, String> {
    let allowed = all.iter().map(|t| name(*t)).collect::<Vec<_>>().join(", ");
    let items = list(v, &format!("{what}s ({allowed})"))?;
    let mut out: Vec<T> = Vec::new();
    for item in items {
        let text = match item {
            Value::String(s) => s.as_str(),
            other => {
                return Err(format!(
                    "expected {what} names, found {}; allowed: {allowed}",
                    kind(other)
                ))
            }
        };
        let parsed = all
            .iter()
            .copied()
            .find(|t| name(*t) == text)
            .ok_or_else(|| format!("unknown {what} {text:?}; allowed: {allowed}"))?;
        // At most `all.len()` items get here, so `contains` stays cheap.
        if out.contains(&parsed) {
            return Err(format!("{what} {text:?} is listed twice"));
        }
        out.push(parsed);
    }
    Ok(out)
}

pub(crate) fn whole(v: &Value, min: u64, max: u64) -> Result<u64, String> {
    let expected = format!("a whole number from {min} to {max}");
    match v {
        Value::Number(n) => match n.as_u64() {
            Some(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(format!("out of range; expected {expected}")),
        },
        Value::Null => Err(format!("no value; expected {expected}")),
        other => Err(format!("expected {expected}, found {}", kind(other))),
    }
}

/// "a number", "text", ...: the YAML type found, for messages.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

/// A value as it appears in the file, short enough for a one-line message.
pub(crate) fn render(v: &Value) -> String {
    const MAX: usize = 80;
    let mut s = render_full(v);
    if s.chars().count() > MAX {
        s = s.chars().take(MAX).collect::<String>() + "…";
    }
    s
}

fn render_full(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Sequence(items) => {
            format!(
                "[{}]",
                items.iter().map(render_full).collect::<Vec<_>>().join(", ")
            )
        }
        Value::Mapping(map) => {
            let entries: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", render_full(k), render_full(v)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
        Value::Tagged(tagged) => format!("{} {}", tagged.tag, render_full(&tagged.value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Value {
        Value::String(text.into())
    }

    #[test]
    fn titles_and_labels_are_bounded_by_gitlabs_limit() {
        let long = |n: usize| "x".repeat(n);
        type Reader = fn(&Value) -> Result<String, String>;
        let cases: [(Reader, String, Result<(), &str>); 10] = [
            (title, long(255), Ok(())),
            (
                title,
                long(256),
                Err("256 characters long; GitLab allows at most 255 in a milestone title"),
            ),
            (label, long(255), Ok(())),
            (
                label,
                long(300),
                Err("300 characters long; GitLab allows at most 255 in a label name"),
            ),
            // `{date}` (6) becomes YYYY-MM-DD (10).
            (closed_title, format!("{}{{date}}", long(245)), Ok(())),
            (
                closed_title,
                format!("{}{{date}}", long(246)),
                Err("256 characters long once expanded; GitLab allows at most 255 in a milestone title"),
            ),
            // `{start}` (7) and `{end}` (5) become YYYY-MM-DD.
            (issue_title, format!("{}{{start}}{{end}}", long(235)), Ok(())),
            (
                issue_title,
                format!("{}{{start}}{{end}}", long(236)),
                Err("256 characters long once expanded; GitLab allows at most 255 in an issue title"),
            ),
            (issue_title, "Weekly report".into(), Ok(())),
            (
                issue_title,
                " ".into(),
                Err("must not be empty; expected an issue title"),
            ),
        ];
        for (read, text, expected) in cases {
            let got = read(&s(&text)).map(|_| ());
            assert_eq!(got, expected.map_err(str::to_string), "{} chars", text.len());
        }
    }

    #[test]
    fn mentions_start_with_at_and_hold_no_space() {
        let cases: [(&str, Result<Vec<&str>, &str>); 6] = [
            ("[\"@production-oncall\", \"@alice\"]", Ok(vec!["@production-oncall", "@alice"])),
            ("[]", Ok(vec![])),
            (
                "[production-oncall]",
                Err("mention \"production-oncall\" must be @ and a user or group name, e.g. \"@production-oncall\""),
            ),
            ("[\"@\"]", Err("mention \"@\" must be @ and a user or group name, e.g. \"@production-oncall\"")),
            ("[\"@a b\"]", Err("mention \"@a b\" contains a space; write one user or group per entry")),
            ("[\"@a\", \"@a\"]", Err("mention \"@a\" is listed twice")),
        ];
        for (yaml, expected) in cases {
            let v: Value = serde_yaml::from_str(yaml).unwrap();
            let expected = expected
                .map(|names| names.into_iter().map(String::from).collect())
                .map_err(String::from);
            assert_eq!(mentions(&v), expected, "{yaml}");
        }
    }

    #[test]
    fn long_label_lists_are_read_in_linear_time() {
        // 100,000 distinct labels: `Vec::contains` would be 5·10⁹ comparisons.
        let items: Vec<Value> = (0..100_000).map(|n| s(&format!("label-{n}"))).collect();
        let read = labels(&Value::Sequence(items)).unwrap();
        assert_eq!(read.len(), 100_000);
    }
}
