//! `.wow.yml`, parsed strictly: unknown keys, wrong types and bad values are errors naming
//! the key, the value, the line and what is allowed (SPEC "Configuration file").
//! Pure: `parse(&str, path)` takes the text; opening the file is the caller's business.
//! It must never panic, whatever the bytes (a proptest below feeds it garbage).

use super::config::{weekday_name, Config, Format, RuleName, KEYS};
use super::{ConfigError, Source};
use chrono::Weekday;
use chrono_tz::Tz;
use serde_yaml::Value;
use std::collections::BTreeMap;

pub use super::duration::parse_duration;
use super::duration::DURATION_HELP;

/// Parses the text of a configuration file. `path` is only used in messages and sources.
/// Returns the configuration (defaults for keys not set) and the source of every key in
/// `config::KEYS`: `Source::File` with its line when set, `Source::Default` otherwise.
pub fn parse(text: &str, path: &str) -> Result<(Config, BTreeMap<String, Source>), ConfigError> {
    let (lines, duplicates) = key_lines(text);
    let root: Value = serde_yaml::from_str(text).map_err(|e| syntax_error(&e, path, &duplicates))?;
    let mut parser = Parser {
        path,
        lines,
        config: Config::default(),
        set: BTreeMap::new(),
    };
    parser.root(&root)?;
    parser.check_titles()?;
    let sources = KEYS
        .iter()
        .map(|key| {
            let source = parser.set.get(*key).cloned().unwrap_or(Source::Default);
            (key.to_string(), source)
        })
        .collect();
    Ok((parser.config, sources))
}

struct Parser<'a> {
    path: &'a str,
    /// Line of each key found by `key_lines`, dotted.
    lines: BTreeMap<String, usize>,
    config: Config,
    /// Keys set in the file, with their source.
    set: BTreeMap<String, Source>,
}

impl Parser<'_> {
    /// The key's line, else its nearest ancestor's (keys inside a one-line `{...}` share
    /// their parent's line), else 1.
    fn line(&self, key: &str) -> usize {
        let mut key = key;
        loop {
            if let Some(line) = self.lines.get(key) {
                return *line;
            }
            match key.rfind('.') {
                Some(dot) => key = &key[..dot],
                None => return 1,
            }
        }
    }

    fn error(&self, key: &str, value: Option<&Value>, message: impl Into<String>) -> ConfigError {
        ConfigError {
            key: key.to_string(),
            value: value.filter(|v| !v.is_null()).map(render),
            location: Some((self.path.to_string(), self.line(key))),
            message: message.into(),
        }
    }

    fn root(&mut self, root: &Value) -> Result<(), ConfigError> {
        let map = match root {
            // An empty file, or one holding only comments.
            Value::Null => return Ok(()),
            Value::Mapping(map) => map,
            other => {
                return Err(ConfigError {
                    key: String::new(),
                    value: None,
                    location: Some((self.path.to_string(), 1)),
                    message: format!(
                        "the file must be a mapping of sections, found {}; allowed top-level \
                         keys: {}",
                        kind(other),
                        sections().join(", ")
                    ),
                })
            }
        };
        for (name, value) in map {
            let section = self.known_key(name, None)?;
            self.section(section, value)?;
        }
        Ok(())
    }

    fn section(&mut self, section: &'static str, value: &Value) -> Result<(), ConfigError> {
        let map = match value {
            // `audit:` with every child commented out: all defaults.
            Value::Null => return Ok(()),
            Value::Mapping(map) => map,
            other => {
                return Err(self.error(
                    section,
                    Some(other),
                    format!(
                        "expected a mapping, found {}; allowed keys in {section}: {}",
                        kind(other),
                        children(section).join(", ")
                    ),
                ))
            }
        };
        for (name, value) in map {
            let key = self.known_key(name, Some(section))?;
            if let Err(message) = set_value(&mut self.config, key, value) {
                return Err(self.error(key, Some(value), message));
            }
            let line = self.line(key);
            self.set.insert(
                key.to_string(),
                Source::File {
                    path: self.path.to_string(),
                    line,
                },
            );
        }
        Ok(())
    }

    /// The full dotted key for `name` under `section` (the top level when `None`), if allowed.
    fn known_key(&self, name: &Value, section: Option<&str>) -> Result<&'static str, ConfigError> {
        let allowed: Vec<&'static str> = match section {
            None => sections(),
            Some(section) => children(section),
        };
        let name_text = match name {
            Value::String(s) => s.clone(),
            other => render(other),
        };
        let full = match section {
            None => name_text.clone(),
            Some(section) => format!("{section}.{name_text}"),
        };
        if let Value::String(s) = name {
            let found = match section {
                None => allowed.iter().copied().find(|a| a == s),
                Some(_) => KEYS.iter().copied().find(|k| *k == full),
            };
            if let Some(key) = found {
                return Ok(key);
            }
        }
        let place = match section {
            None => "allowed top-level keys".to_string(),
            Some(section) => format!("allowed keys in {section}"),
        };
        let hint = match closest(&name_text, &allowed) {
            Some(best) => format!(" (did you mean {best:?}?)"),
            None => String::new(),
        };
        Err(self.error(
            &full,
            None,
            format!("unknown key{hint}; {place}: {}", allowed.join(", ")),
        ))
    }

    /// Checks across keys, after every key is read.
    fn check_titles(&self) -> Result<(), ConfigError> {
        let titles = &self.config.milestones;
        if titles.current == titles.next {
            let key = if self.set.contains_key("milestones.next") {
                "milestones.next"
            } else {
                "milestones.current"
            };
            return Err(self.error(
                key,
                Some(&Value::String(titles.next.clone())),
                "milestones.current and milestones.next must be different titles",
            ));
        }
        Ok(())
    }
}

/// The section names, in the file's order (`milestones`, `week`, ...).
fn sections() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for key in KEYS {
        let section = key.split('.').next().unwrap_or(key);
        if !out.contains(&section) {
            out.push(section);
        }
    }
    out
}

/// The keys allowed in one section, without the section prefix.
fn children(section: &str) -> Vec<&'static str> {
    KEYS.iter()
        .filter_map(|key| key.strip_prefix(section).and_then(|rest| rest.strip_prefix('.')))
        .collect()
}

/// Stores one value. The error says what was wrong and what is allowed.
fn set_value(config: &mut Config, key: &str, v: &Value) -> Result<(), String> {
    match key {
        "milestones.current" => config.milestones.current = title(v)?,
        "milestones.next" => config.milestones.next = title(v)?,
        "milestones.closed" => {
            let closed = title(v)?;
            if closed.matches("{date}").count() != 1 {
                return Err(
                    "must contain {date} exactly once (the last day of the week, YYYY-MM-DD), \
                     e.g. \"WoW ending {date}\""
                        .into(),
                );
            }
            config.milestones.closed = closed;
        }
        "week.starts_on" => config.week.starts_on = weekday(v)?,
        "week.timezone" => {
            let name = text(v, "an IANA timezone name like \"Europe/Berlin\"")?;
            config.week.timezone = name.trim().parse::<Tz>().map_err(|_| {
                "unknown timezone; use an IANA name like \"Europe/Berlin\", \"America/New_York\" \
                 or \"UTC\" (case matters)"
                    .to_string()
            })?;
        }
        "rotation.carry_over_open_issues" => config.rotation.carry_over_open_issues = boolean(v)?,
        "rotation.set_dates" => config.rotation.set_dates = boolean(v)?,
        "labels.unscheduled" => config.labels.unscheduled = label(v)?,
        "labels.outage" => config.labels.outage = label(v)?,
        "labels.data_loss" => config.labels.data_loss = label(v)?,
        "labels.priorities" => {
            let items = list(v, "label names, e.g. [\"priority::1\", \"priority::2\"]")?;
            let mut labels = Vec::new();
            for item in items {
                let name = label(item)?;
                if labels.contains(&name) {
                    return Err(format!("label {name:?} is listed twice"));
                }
                labels.push(name);
            }
            config.labels.priorities = labels;
        }
        "audit.fix" => config.audit.fix = boolean(v)?,
        "audit.grace" => config.audit.grace = duration(v)?,
        "audit.handoff_max_silence" => config.audit.handoff_max_silence = duration(v)?,
        "audit.rules" => {
            let allowed = RuleName::ALL.map(RuleName::as_str).join(", ");
            config.audit.rules = names(v, &allowed, RuleName::parse, "rule")?;
        }
        "report.formats" => {
            let allowed = Format::ALL.map(Format::as_str).join(", ");
            config.report.formats = names(v, &allowed, Format::parse, "format")?;
        }
        "report.fail_on_findings" => config.report.fail_on_findings = boolean(v)?,
        "report.history_weeks" => config.report.history_weeks = whole(v, 1, 520)? as u32,
        "api.concurrency" => config.api.concurrency = whole(v, 1, 64)? as usize,
        "api.timeout" => {
            let timeout = duration(v)?;
            if timeout.is_zero() {
                return Err(format!("must be longer than zero; expected {DURATION_HELP}"));
            }
            config.api.timeout = timeout;
        }
        "api.max_retries" => config.api.max_retries = whole(v, 0, 20)? as u32,
        // `known_key` only lets keys of `KEYS` through, and every one is handled above.
        other => return Err(format!("internal error: key {other} has no reader")),
    }
    Ok(())
}

/// Text, with a hint at what it should look like.
fn text<'v>(v: &'v Value, expected: &str) -> Result<&'v str, String> {
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

fn title(v: &Value) -> Result<String, String> {
    let s = free_text(v, "a milestone title (text)")?;
    if s.trim().is_empty() {
        return Err("must not be empty; expected a milestone title".into());
    }
    Ok(s.to_string())
}

fn label(v: &Value) -> Result<String, String> {
    let s = free_text(v, "a label name (text)")?;
    if s.trim().is_empty() {
        return Err("must not be empty; expected a label name".into());
    }
    // gitlab-api.md §1: label lists are comma-separated, so such a label cannot be added.
    if s.contains(',') {
        return Err(format!(
            "label {s:?} contains a comma, which GitLab's label lists cannot express; rename the label"
        ));
    }
    Ok(s.to_string())
}

fn boolean(v: &Value) -> Result<bool, String> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::Null => Err("no value; expected true or false".into()),
        other => Err(format!("expected true or false, found {}", kind(other))),
    }
}

fn weekday(v: &Value) -> Result<Weekday, String> {
    let allowed = || {
        [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ]
        .map(weekday_name)
        .join(", ")
    };
    let s = text(v, &format!("a weekday ({})", allowed()))?;
    let wanted = s.trim().to_ascii_lowercase();
    [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ]
    .into_iter()
    .find(|d| weekday_name(*d) == wanted)
    .ok_or_else(|| format!("unknown weekday; allowed: {}", allowed()))
}

fn duration(v: &Value) -> Result<std::time::Duration, String> {
    let s = text(v, DURATION_HELP)?;
    parse_duration(s).map_err(|reason| format!("{reason}; expected {DURATION_HELP}"))
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

/// A list of names from a fixed set (rules, formats), each at most once.
fn names<T: PartialEq>(
    v: &Value,
    allowed: &str,
    parse: impl Fn(&str) -> Option<T>,
    what: &str,
) -> Result<Vec<T>, String> {
    let items = list(v, &format!("{what}s ({allowed})"))?;
    let mut out = Vec::new();
    for item in items {
        let name = match item {
            Value::String(s) => s.as_str(),
            other => {
                return Err(format!(
                    "expected {what} names, found {}; allowed: {allowed}",
                    kind(other)
                ))
            }
        };
        let parsed = parse(name).ok_or_else(|| format!("unknown {what} {name:?}; allowed: {allowed}"))?;
        if out.contains(&parsed) {
            return Err(format!("{what} {name:?} is listed twice"));
        }
        out.push(parsed);
    }
    Ok(out)
}

fn whole(v: &Value, min: u64, max: u64) -> Result<u64, String> {
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
fn kind(v: &Value) -> &'static str {
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
fn render(v: &Value) -> String {
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

/// The allowed name nearest to `name` (edit distance at most 2), for "did you mean".
fn closest<'a>(name: &str, allowed: &[&'a str]) -> Option<&'a str> {
    allowed
        .iter()
        .map(|a| (edit_distance(name, a), *a))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, a)| a)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(current + 1);
            prev = current;
        }
    }
    row[b.len()]
}

fn syntax_error(e: &serde_yaml::Error, path: &str, duplicates: &[Duplicate]) -> ConfigError {
    // serde_yaml gives no line for a duplicate key; the scan has it.
    if e.to_string().contains("duplicate entry") {
        if let Some(dup) = duplicates.first() {
            return ConfigError {
                key: dup.key.clone(),
                value: None,
                location: Some((path.to_string(), dup.line)),
                message: format!("set twice (first on line {}); keep one", dup.first_line),
            };
        }
    }
    let line = e.location().map_or(1, |l| l.line());
    let mut message = e.to_string();
    // The location is already in front of the message.
    if let Some(at) = message.find(" at line ") {
        message.truncate(at);
    }
    ConfigError {
        key: String::new(),
        value: None,
        location: Some((path.to_string(), line)),
        message: format!("not valid YAML: {message}"),
    }
}

/// The line (1-based) of every block-mapping key, by dotted path, found by indentation.
/// serde_yaml's `Value` keeps no positions, so this scan over the text supplies them; it
/// runs after serde_yaml accepted the text. Keys inside a one-line flow mapping
/// (`api: {timeout: 10s}`) are not found: `Parser::line` falls back to the parent's line,
/// which is the same line.
fn key_lines(text: &str) -> (BTreeMap<String, usize>, Vec<Duplicate>) {
    let mut lines: BTreeMap<String, usize> = BTreeMap::new();
    let mut duplicates = Vec::new();
    let mut stack: Vec<(usize, String)> = Vec::new();
    // Indentation of a key whose value is a block scalar (`|`, `>`): more-indented lines
    // are its text, not keys.
    let mut block_scalar: Option<usize> = None;
    for (index, raw) in text.lines().enumerate() {
        let content = raw.trim_start_matches(' ');
        let indent = raw.len() - content.len();
        if let Some(scalar_indent) = block_scalar {
            if content.trim().is_empty() || indent > scalar_indent {
                continue;
            }
            block_scalar = None;
        }
        let content = strip_comment(content).trim_end();
        if content.is_empty() {
            continue;
        }
        if content == "---" || content.starts_with("--- ") || content == "..." {
            stack.clear();
            continue;
        }
        let Some((key, rest)) = split_key(content) else {
            continue;
        };
        while stack.last().is_some_and(|(top, _)| *top >= indent) {
            stack.pop();
        }
        stack.push((indent, key));
        let path: Vec<&str> = stack.iter().map(|(_, k)| k.as_str()).collect();
        let key = path.join(".");
        match lines.get(&key) {
            Some(first_line) => duplicates.push(Duplicate {
                key,
                line: index + 1,
                first_line: *first_line,
            }),
            None => {
                lines.insert(key, index + 1);
            }
        }
        let rest = rest.trim_start();
        if rest.starts_with('|') || rest.starts_with('>') {
            block_scalar = Some(indent);
        }
    }
    (lines, duplicates)
}

/// A key found twice in the same mapping.
struct Duplicate {
    key: String,
    line: usize,
    first_line: usize,
}

/// `key: rest` → (key, rest), for plain, single- and double-quoted keys. `None` for list
/// items, flow collections and lines that are not a key.
fn split_key(content: &str) -> Option<(String, &str)> {
    let (key, after) = if let Some(inner) = content.strip_prefix('"') {
        let mut escaped = false;
        let end = inner.char_indices().find(|&(_, c)| {
            let stop = c == '"' && !escaped;
            escaped = c == '\\' && !escaped;
            stop
        })?;
        (inner[..end.0].replace("\\\"", "\""), &inner[end.0 + 1..])
    } else if let Some(inner) = content.strip_prefix('\'') {
        let end = inner.find('\'')?;
        (inner[..end].to_string(), &inner[end + 1..])
    } else {
        if content.starts_with(['-', '[', '{', '?', '#', '&', '*', '!', '|', '>']) {
            return None;
        }
        let colon = content
            .match_indices(':')
            .map(|(i, _)| i)
            .find(|&i| content[i + 1..].is_empty() || content[i + 1..].starts_with([' ', '\t']))?;
        (content[..colon].trim_end().to_string(), &content[colon..])
    };
    let rest = after.trim_start().strip_prefix(':')?;
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    Some((key, rest))
}

/// The line without a trailing `# comment` (a `#` at the start or after a space, outside quotes).
fn strip_comment(line: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut previous = ' ';
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' && (previous == ' ' || previous == '\t') => return &line[..i],
            None => {}
        }
        previous = c;
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::time::Duration;

    fn err(text: &str) -> String {
        match parse(text, ".wow.yml") {
            Ok(_) => panic!("expected an error for {text:?}"),
            Err(e) => e.to_string(),
        }
    }

    fn ok(text: &str) -> (Config, BTreeMap<String, Source>) {
        match parse(text, ".wow.yml") {
            Ok(parsed) => parsed,
            Err(e) => panic!("unexpected error for {text:?}: {e}"),
        }
    }

    fn file(line: usize) -> Source {
        Source::File {
            path: ".wow.yml".into(),
            line,
        }
    }

    #[test]
    fn empty_files_give_defaults() {
        for text in [
            "",
            "\n",
            "# only a comment\n",
            "{}",
            "---\n",
            "milestones:\n",
            "audit: {}\n",
        ] {
            let (config, sources) = ok(text);
            assert_eq!(config, Config::default(), "{text:?}");
            assert_eq!(sources.len(), KEYS.len());
            assert!(sources.values().all(|s| *s == Source::Default), "{text:?}");
        }
    }

    #[test]
    fn the_spec_example_parses_with_lines() {
        let text = "\
# the SPEC's defaults, written out
milestones:
  current: \"WoW\"
  next: \"Next WoW\"
  closed: \"WoW ending {date}\"      # {date} = last day
week:
  starts_on: wednesday
  timezone: \"UTC\"
rotation:
  carry_over_open_issues: true
  set_dates: true
labels:
  unscheduled: \"unscheduled\"
  outage: \"outage\"
  data_loss: \"(perceived) data loss\"
  priorities: []
audit:
  fix: true
  grace: \"0m\"
  handoff_max_silence: \"24h\"
  rules: [unscheduled, priority, handoff, label_definitions, stray_milestones]
report:
  formats: [markdown, json, junit, dotenv]
  fail_on_findings: false
  history_weeks: 8
api:
  concurrency: 8
  timeout: \"30s\"
  max_retries: 5
";
        let (config, sources) = ok(text);
        assert_eq!(config, Config::default());
        let expected_lines = [
            ("milestones.current", 3),
            ("milestones.closed", 5),
            ("week.timezone", 8),
            ("labels.priorities", 16),
            ("audit.rules", 21),
            ("report.history_weeks", 25),
            ("api.max_retries", 29),
        ];
        for (key, line) in expected_lines {
            assert_eq!(sources[key], file(line), "{key}");
        }
        assert!(KEYS.iter().all(|k| matches!(sources[*k], Source::File { .. })));
    }

    #[test]
    fn values_are_read_and_sources_mark_what_was_set() {
        let text = "\
week:
  starts_on: Monday
  timezone: Europe/Berlin
labels:
  priorities:
    - \"priority::1\"
    - \"priority::2\"
audit:
  grace: 1h30m
  rules: [priority]
report: {formats: [html, json], history_weeks: 12}
api:
  concurrency: 2
";
        let (config, sources) = ok(text);
        assert_eq!(config.week.starts_on, Weekday::Mon);
        assert_eq!(config.week.timezone, chrono_tz::Europe::Berlin);
        assert_eq!(config.labels.priorities, vec!["priority::1", "priority::2"]);
        assert_eq!(config.audit.grace, Duration::from_secs(5_400));
        assert_eq!(config.audit.rules, vec![RuleName::Priority]);
        assert_eq!(config.report.formats, vec![Format::Html, Format::Json]);
        assert_eq!(config.report.history_weeks, 12);
        assert_eq!(config.api.concurrency, 2);
        let expected = [
            ("week.starts_on", file(2)),
            ("week.timezone", file(3)),
            ("labels.priorities", file(5)),
            ("audit.grace", file(9)),
            ("audit.rules", file(10)),
            ("report.formats", file(11)),
            ("report.history_weeks", file(11)),
            ("api.concurrency", file(13)),
            ("api.timeout", Source::Default),
            ("milestones.current", Source::Default),
        ];
        for (key, source) in expected {
            assert_eq!(sources[key], source, "{key}");
        }
    }

    #[test]
    fn errors_name_key_line_value_and_what_is_allowed() {
        let cases = [
            (
                "audit:\n  grac: 5m\n",
                ".wow.yml:2: audit.grac: unknown key (did you mean \"grace\"?); allowed keys in \
                 audit: fix, grace, handoff_max_silence, rules",
            ),
            (
                "# c\nmilestone:\n  current: x\n",
                ".wow.yml:2: milestone: unknown key (did you mean \"milestones\"?); allowed \
                 top-level keys: milestones, week, rotation, labels, audit, report, api",
            ),
            (
                "colour: blue\n",
                ".wow.yml:1: colour: unknown key; allowed top-level keys: milestones, week, \
                 rotation, labels, audit, report, api",
            ),
            (
                "api: {timeout: 5s, retries: 3}\n",
                ".wow.yml:1: api.retries: unknown key; allowed keys in api: concurrency, \
                 timeout, max_retries",
            ),
            (
                "week:\n  starts_on: wensday\n",
                ".wow.yml:2: week.starts_on = \"wensday\": unknown weekday; allowed: monday, \
                 tuesday, wednesday, thursday, friday, saturday, sunday",
            ),
            (
                "week:\n  starts_on: 3\n",
                ".wow.yml:2: week.starts_on = \"3\": expected a weekday (monday, tuesday, \
                 wednesday, thursday, friday, saturday, sunday), found a number",
            ),
            (
                "week:\n  timezone: Mars/Olympus\n",
                ".wow.yml:2: week.timezone = \"Mars/Olympus\": unknown timezone; use an IANA \
                 name like \"Europe/Berlin\", \"America/New_York\" or \"UTC\" (case matters)",
            ),
            (
                "audit:\n  fix: true\n  grace: 5 minutes\n",
                ".wow.yml:3: audit.grace = \"5 minutes\": unknown unit ' '; expected a duration \
                 like \"30m\", \"24h\", \"2d\" or \"1h30m\" (units d, h, m, s, largest first)",
            ),
            (
                "audit:\n  handoff_max_silence: 24\n",
                ".wow.yml:2: audit.handoff_max_silence = \"24\": expected a duration like \
                 \"30m\", \"24h\", \"2d\" or \"1h30m\" (units d, h, m, s, largest first), found \
                 a number",
            ),
            (
                "audit:\n  rules: [unscheduled, prio]\n",
                ".wow.yml:2: audit.rules = \"[unscheduled, prio]\": unknown rule \"prio\"; \
                 allowed: unscheduled, priority, handoff, label_definitions, stray_milestones",
            ),
            (
                "audit:\n  rules: unscheduled\n",
                ".wow.yml:2: audit.rules = \"unscheduled\": expected a list of rules \
                 (unscheduled, priority, handoff, label_definitions, stray_milestones), found text",
            ),
            (
                "audit:\n  rules: [handoff, handoff]\n",
                ".wow.yml:2: audit.rules = \"[handoff, handoff]\": rule \"handoff\" is listed twice",
            ),
            (
                "report:\n  formats: [markdown, pdf]\n",
                ".wow.yml:2: report.formats = \"[markdown, pdf]\": unknown format \"pdf\"; \
                 allowed: markdown, json, junit, dotenv, html",
            ),
            (
                "report:\n  fail_on_findings: yes\n",
                ".wow.yml:2: report.fail_on_findings = \"yes\": expected true or false, found text",
            ),
            (
                "report:\n  history_weeks: 0\n",
                ".wow.yml:2: report.history_weeks = \"0\": out of range; expected a whole number \
                 from 1 to 520",
            ),
            (
                "api:\n  concurrency: two\n",
                ".wow.yml:2: api.concurrency = \"two\": expected a whole number from 1 to 64, \
                 found text",
            ),
            (
                "api:\n  timeout: 0s\n",
                ".wow.yml:2: api.timeout = \"0s\": must be longer than zero; expected a duration \
                 like \"30m\", \"24h\", \"2d\" or \"1h30m\" (units d, h, m, s, largest first)",
            ),
            (
                "milestones:\n  closed: WoW ending\n",
                ".wow.yml:2: milestones.closed = \"WoW ending\": must contain {date} exactly \
                 once (the last day of the week, YYYY-MM-DD), e.g. \"WoW ending {date}\"",
            ),
            (
                "milestones:\n  closed: \"{date} to {date}\"\n",
                ".wow.yml:2: milestones.closed = \"{date} to {date}\": must contain {date} \
                 exactly once (the last day of the week, YYYY-MM-DD), e.g. \"WoW ending {date}\"",
            ),
            (
                "milestones:\n  current: \"  \"\n",
                ".wow.yml:2: milestones.current = \"  \": must not be empty; expected a milestone title",
            ),
            (
                "milestones:\n  current:\n",
                ".wow.yml:2: milestones.current: no value; expected a milestone title (text)",
            ),
            (
                "milestones:\n  current: This week\n  next: This week\n",
                ".wow.yml:3: milestones.next = \"This week\": milestones.current and \
                 milestones.next must be different titles",
            ),
            (
                "milestones:\n  current: Next WoW\n",
                ".wow.yml:2: milestones.current = \"Next WoW\": milestones.current and \
                 milestones.next must be different titles",
            ),
            (
                "labels:\n  priorities: [\"p1\", \"p1\"]\n",
                ".wow.yml:2: labels.priorities = \"[p1, p1]\": label \"p1\" is listed twice",
            ),
            (
                "labels:\n  outage: \"a,b\"\n",
                ".wow.yml:2: labels.outage = \"a,b\": label \"a,b\" contains a comma, which \
                 GitLab's label lists cannot express; rename the label",
            ),
            (
                "week: monday\n",
                ".wow.yml:1: week = \"monday\": expected a mapping, found text; allowed keys in \
                 week: starts_on, timezone",
            ),
            (
                "- a\n- b\n",
                ".wow.yml:1: the file must be a mapping of sections, found a list; allowed \
                 top-level keys: milestones, week, rotation, labels, audit, report, api",
            ),
            (
                "week:\n  starts_on: [\n",
                ".wow.yml:3: not valid YAML: did not find expected node content",
            ),
            (
                "week:\n  timezone: UTC\nweek:\n  starts_on: monday\n",
                ".wow.yml:3: week: set twice (first on line 1); keep one",
            ),
            (
                "audit:\n  fix: true\n  rules: []\n  fix: false\n",
                ".wow.yml:4: audit.fix: set twice (first on line 2); keep one",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(err(text), expected, "{text:?}");
        }
    }

    #[test]
    fn key_lines_follow_nesting_quotes_comments_and_block_scalars() {
        let text = "\
# comment: not a key
\"milestones\":   # quoted key
  'current': \"a: b\"
  closed: |
    next: not a key
    still text
  next: x # trailing
week:

    starts_on: monday
";
        let (lines, duplicates) = key_lines(text);
        assert!(duplicates.is_empty());
        let expected: BTreeMap<String, usize> = [
            ("milestones", 2),
            ("milestones.current", 3),
            ("milestones.closed", 4),
            ("milestones.next", 7),
            ("week", 8),
            ("week.starts_on", 10),
        ]
        .into_iter()
        .map(|(k, l)| (k.to_string(), l))
        .collect();
        assert_eq!(lines, expected);
    }

    #[test]
    fn weekday_is_case_insensitive() {
        for (text, day) in [
            ("MONDAY", Weekday::Mon),
            ("Sunday", Weekday::Sun),
            ("friday", Weekday::Fri),
        ] {
            let (config, _) = ok(&format!("week:\n  starts_on: {text}\n"));
            assert_eq!(config.week.starts_on, day);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn parse_never_panics_on_any_text(s in "\\PC{0,200}") {
            let _ = parse(&s, ".wow.yml");
        }

        #[test]
        fn parse_never_panics_on_yaml_like_text(s in "[a-z_:{}\\[\\], \\-#'\"|>\n]{0,200}") {
            let _ = parse(&s, ".wow.yml");
        }

        #[test]
        fn parse_never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let text = String::from_utf8_lossy(&bytes);
            let _ = parse(&text, ".wow.yml");
        }
    }
}
