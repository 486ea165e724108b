//! `.wow.yml`, parsed strictly: unknown keys, wrong types and bad values are errors naming
//! the key, the value, the line and what is allowed (SPEC "Configuration file"). Which keys
//! exist is `keys.rs`'s table; how one value is read is `values.rs`.
//! Pure: `parse(&str, path)` takes the text; opening the file is the caller's business.
//! It must never panic, whatever the bytes (a proptest below feeds it garbage), and its time
//! must grow linearly with the text (SPEC "Bounded inputs": a test feeds it 1 MiB of nesting).

use super::config::Config;
use super::keys::{self, KEYS};
use super::values::{kind, render};
use super::{ConfigError, Source};
use serde_yaml::Value;
use std::collections::BTreeMap;

/// The largest configuration file read (1 MiB). A `.wow.yml` needs a few hundred bytes; the
/// limit keeps a wrong file (a log, a binary) from costing memory and time.
pub(crate) const MAX_FILE_BYTES: usize = 1 << 20;

/// How deeply `[...]` and `{...}` may nest. A `.wow.yml` needs 3 at most
/// (`report: {publish: {issue_labels: [...]}}`). The limit keeps parsing linear: libyaml's
/// scanner walks its stack of open flow collections for every token, so depth d costs
/// O(size·d), and 200 KB of `[` took 21 s before this check.
pub(crate) const MAX_FLOW_DEPTH: usize = 32;

/// Paths deeper than this are not recorded by `key_lines`: no key is that deep, and building
/// ever longer dotted paths would cost quadratic time on a deeply indented file.
const MAX_KEY_DEPTH: usize = 8;

/// Parses the text of a configuration file. `path` is only used in messages and sources.
/// Returns the configuration (defaults for keys not set) and the source of every key in
/// `keys::KEYS`: `Source::File` with its line when set, `Source::Default` otherwise.
pub(crate) fn parse(text: &str, path: &str) -> Result<(Config, BTreeMap<String, Source>), ConfigError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(too_large(path));
    }
    if let Some(line) = too_deep(text) {
        return Err(ConfigError {
            key: String::new(),
            value: None,
            location: Some((path.to_string(), line)),
            message: format!(
                "[ ] or {{ }} nested more than {MAX_FLOW_DEPTH} levels deep; a .wow.yml needs 3 \
                 at most (report: {{publish: {{issue_labels: [...]}}}}); look for brackets that \
                 are not closed"
            ),
        });
    }
    let (lines, duplicates) = key_lines(text);
    let root: Value = serde_yaml::from_str(text).map_err(|e| syntax_error(&e, path, &duplicates))?;
    let mut parser = Parser {
        path,
        lines,
        config: Config::default(),
        set: BTreeMap::new(),
    };
    parser.mapping(None, &root)?;
    parser.check_titles()?;
    let sources = KEYS
        .iter()
        .map(|key| {
            let source = parser.set.get(key.name).cloned().unwrap_or(Source::Default);
            (key.name.to_string(), source)
        })
        .collect();
    Ok((parser.config, sources))
}

/// The error for a file over `MAX_FILE_BYTES`, naming the file and the limit.
pub(crate) fn too_large(path: &str) -> ConfigError {
    ConfigError {
        key: String::new(),
        value: None,
        location: None,
        message: format!(
            "{path}: the configuration file is larger than 1 MiB ({MAX_FILE_BYTES} bytes), the \
             limit; a .wow.yml needs a few hundred bytes: is this the right file?"
        ),
    }
}

struct Parser<'a> {
    path: &'a str,
    /// Line of each key found by `key_lines`, dotted.
    lines: BTreeMap<String, usize>,
    config: Config,
    /// Keys set in the file, with their source.
    set: BTreeMap<String, Source>,
}

/// A name found in the file, checked against `keys::KEYS`.
enum Known {
    Key(&'static keys::Key),
    Section(&'static str),
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

    /// Reads the mapping `value` found at `section` (the whole file when `None`): each
    /// entry is a key of the table or a section holding some, at any depth.
    fn mapping(&mut self, section: Option<&'static str>, value: &Value) -> Result<(), ConfigError> {
        let map = match (value, section) {
            // An empty file, one holding only comments, or `audit:` with every child
            // commented out: all defaults.
            (Value::Null, _) => return Ok(()),
            (Value::Mapping(map), _) => map,
            (other, None) => {
                return Err(ConfigError {
                    key: String::new(),
                    value: None,
                    location: Some((self.path.to_string(), 1)),
                    message: format!(
                        "the file must be a mapping of sections, found {}; allowed top-level \
                         keys: {}",
                        kind(other),
                        keys::children(None).join(", ")
                    ),
                })
            }
            (other, Some(section)) => {
                return Err(self.error(
                    section,
                    Some(other),
                    format!(
                        "expected a mapping, found {}; allowed keys in {section}: {}",
                        kind(other),
                        keys::children(Some(section)).join(", ")
                    ),
                ))
            }
        };
        for (name, value) in map {
            match self.known(name, section)? {
                Known::Section(inner) => self.mapping(Some(inner), value)?,
                Known::Key(key) => {
                    if let Err(message) = (key.read)(value, &mut self.config) {
                        return Err(self.error(key.name, Some(value), message));
                    }
                    let line = self.line(key.name);
                    self.set.insert(
                        key.name.to_string(),
                        Source::File {
                            path: self.path.to_string(),
                            line,
                        },
                    );
                }
            }
        }
        Ok(())
    }

    /// What `name` is under `section` (the top level when `None`), or an error naming the
    /// allowed names and the nearest one.
    fn known(&self, name: &Value, section: Option<&str>) -> Result<Known, ConfigError> {
        let name_text = match name {
            Value::String(s) => s.clone(),
            other => render(other),
        };
        let full = match section {
            None => name_text.clone(),
            Some(section) => format!("{section}.{name_text}"),
        };
        if let Value::String(_) = name {
            if let Some(key) = keys::find(&full) {
                return Ok(Known::Key(key));
            }
            if let Some(inner) = keys::section(&full) {
                return Ok(Known::Section(inner));
            }
        }
        let allowed = keys::children(section);
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

/// The allowed name nearest to `name` (edit distance at most 2), for "did you mean".
fn closest<'a>(name: &str, allowed: &[&'a str]) -> Option<&'a str> {
    allowed
        .iter()
        .map(|a| (strsim::levenshtein(name, a), *a))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, a)| a)
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

/// The line of the first `[` or `{` nested deeper than `MAX_FLOW_DEPTH`, if any. One pass,
/// before serde_yaml sees the text. It follows YAML far enough not to count brackets inside
/// quoted text, comments, block scalars (`|`, `>`) or a plain value (`Sprint [1]`); where it
/// is unsure it counts, so at worst a strange file is refused with a clear message.
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    // Inside a quoted value, which may span lines: its quote character.
    let mut quote: Option<char> = None;
    // Indentation of the line that opened a block scalar: deeper lines are its text.
    let mut block_scalar: Option<usize> = None;
    for (index, raw) in text.split('\n').enumerate() {
        let content = raw.trim_start_matches(' ');
        let indent = raw.len() - content.len();
        if let (None, Some(scalar_indent)) = (quote, block_scalar) {
            if content.trim().is_empty() || indent > scalar_indent {
                continue;
            }
            block_scalar = None;
        }
        // The next character starts a value: the line start, or after `: `, `- `, `? `,
        // `[`, `{`, `,`. Only there does a bracket or a quote open something.
        let mut value_start = true;
        // A `#` after a space (or at the line start) starts a comment.
        let mut after_space = true;
        let mut chars = content.chars().peekable();
        while let Some(c) = chars.next() {
            match quote {
                Some('"') => {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => {
                            quote = None;
                            value_start = false;
                        }
                        _ => {}
                    }
                    continue;
                }
                Some(_) => {
                    if c == '\'' {
                        if chars.peek() == Some(&'\'') {
                            chars.next();
                        } else {
                            quote = None;
                            value_start = false;
                        }
                    }
                    continue;
                }
                None => {}
            }
            let blank_follows = chars.peek().is_none_or(|n| n.is_whitespace());
            match c {
                ' ' | '\t' | '\r' => {
                    after_space = true;
                    continue;
                }
                '#' if after_space => break,
                '[' | '{' if depth > 0 || value_start => {
                    depth += 1;
                    if depth > MAX_FLOW_DEPTH {
                        return Some(index + 1);
                    }
                    value_start = true;
                }
                ']' | '}' if depth > 0 => {
                    depth -= 1;
                    value_start = false;
                }
                ',' if depth > 0 => value_start = true,
                '"' | '\'' if value_start => quote = Some(c),
                ':' if blank_follows || depth > 0 => value_start = true,
                '-' | '?' if blank_follows => value_start = true,
                '|' | '>' if value_start && depth == 0 => {
                    block_scalar = Some(indent);
                    break;
                }
                _ => value_start = false,
            }
            after_space = false;
        }
    }
    None
}

/// The line (1-based) of every block-mapping key, by dotted path, found by indentation.
/// serde_yaml's `Value` keeps no positions, so this scan over the text supplies them (and
/// the line of a duplicate key, which serde_yaml reports without one). Paths deeper than
/// `MAX_KEY_DEPTH` are skipped. Keys inside a one-line flow mapping
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
        if stack.len() <= MAX_KEY_DEPTH {
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
    use crate::settings::config::{Format, RuleName};
    use chrono::Weekday;
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
  confidential_titles: false       # titles of confidential issues
  publish:                         # what the run writes into GitLab itself
    milestone_summary: true
    issue: false
    issue_title: \"WoW report: {start} – {end}\"
    issue_labels: []
    handoff_comment: false
    handoff_mentions: []           # e.g. [\"@production-oncall\"]
    explain_fixes: false
api:
  concurrency: 8
  timeout: \"30s\"
  max_retries: 5
  token_expiry_warning: \"30d\"
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
            ("report.confidential_titles", 26),
            ("report.publish.milestone_summary", 28),
            ("report.publish.explain_fixes", 34),
            ("api.max_retries", 38),
            ("api.token_expiry_warning", 39),
        ];
        for (key, line) in expected_lines {
            assert_eq!(sources[key], file(line), "{key}");
        }
        let unset: Vec<&str> = KEYS
            .iter()
            .filter(|k| !matches!(sources[k.name], Source::File { .. }))
            .map(|k| k.name)
            .collect();
        assert_eq!(unset, Vec::<&str>::new());
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
                 timeout, max_retries, token_expiry_warning",
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
    fn publish_is_a_nested_section_with_lines_and_errors() {
        let text = "\
report:
  confidential_titles: true
  publish:
    issue: true
    issue_title: \"Week {start} to {end}\"
    issue_labels: [\"wow::report\", team]
    handoff_mentions:
      - \"@production-oncall\"
  publish_x: 1
";
        let e = err(text);
        assert_eq!(
            e,
            ".wow.yml:9: report.publish_x: unknown key (did you mean \"publish\"?); allowed keys \
             in report: formats, fail_on_findings, history_weeks, confidential_titles, publish"
        );
        let text = text.replace("  publish_x: 1\n", "api: {token_expiry_warning: 7d}\n");
        let (config, sources) = ok(&text);
        let publish = &config.report.publish;
        assert!(config.report.confidential_titles);
        assert!(publish.issue && publish.milestone_summary && !publish.handoff_comment);
        assert_eq!(publish.issue_title, "Week {start} to {end}");
        assert_eq!(publish.issue_labels, ["wow::report", "team"]);
        assert_eq!(publish.handoff_mentions, ["@production-oncall"]);
        assert_eq!(config.api.token_expiry_warning, Duration::from_secs(7 * 86_400));
        let expected = [
            ("report.confidential_titles", file(2)),
            ("report.publish.issue", file(4)),
            ("report.publish.issue_labels", file(6)),
            ("report.publish.handoff_mentions", file(7)),
            ("report.publish.explain_fixes", Source::Default),
            ("api.token_expiry_warning", file(9)),
        ];
        for (key, source) in expected {
            assert_eq!(sources[key], source, "{key}");
        }
    }

    #[test]
    fn new_keys_name_key_value_and_what_is_allowed() {
        let long = "x".repeat(300);
        let cases = [
            (
                "report:\n  publish: true\n".to_string(),
                ".wow.yml:2: report.publish = \"true\": expected a mapping, found true/false; \
                 allowed keys in report.publish: milestone_summary, issue, issue_title, \
                 issue_labels, handoff_comment, handoff_mentions, explain_fixes"
                    .to_string(),
            ),
            (
                "report:\n  publish:\n    isue: true\n".into(),
                ".wow.yml:3: report.publish.isue: unknown key (did you mean \"issue\"?); allowed \
                 keys in report.publish: milestone_summary, issue, issue_title, issue_labels, \
                 handoff_comment, handoff_mentions, explain_fixes"
                    .into(),
            ),
            (
                "report:\n  publish:\n    issue: yes\n".into(),
                ".wow.yml:3: report.publish.issue = \"yes\": expected true or false, found text".into(),
            ),
            (
                "report:\n  confidential_titles: 1\n".into(),
                ".wow.yml:2: report.confidential_titles = \"1\": expected true or false, found a number"
                    .into(),
            ),
            (
                "report:\n  publish:\n    handoff_mentions: [\"production-oncall\"]\n".into(),
                ".wow.yml:3: report.publish.handoff_mentions = \"[production-oncall]\": mention \
                 \"production-oncall\" must be @ and a user or group name, e.g. \"@production-oncall\""
                    .into(),
            ),
            (
                "report:\n  publish:\n    handoff_mentions: \"@oncall\"\n".into(),
                ".wow.yml:3: report.publish.handoff_mentions = \"@oncall\": expected a list of \
                 mentions, e.g. [\"@production-oncall\"], found text"
                    .into(),
            ),
            (
                "report:\n  publish:\n    issue_labels: [a, a]\n".into(),
                ".wow.yml:3: report.publish.issue_labels = \"[a, a]\": label \"a\" is listed twice".into(),
            ),
            (
                format!("report:\n  publish:\n    issue_title: \"{long}\"\n"),
                format!(
                    ".wow.yml:3: report.publish.issue_title = \"{}…\": 300 characters long once \
                     expanded; GitLab allows at most 255 in an issue title",
                    "x".repeat(80)
                ),
            ),
            (
                "api:\n  token_expiry_warning: 30\n".into(),
                ".wow.yml:2: api.token_expiry_warning = \"30\": expected a duration like \"30m\", \
                 \"24h\", \"2d\" or \"1h30m\" (units d, h, m, s, largest first), found a number"
                    .into(),
            ),
            (
                format!("milestones:\n  next: {long}\n"),
                format!(
                    ".wow.yml:2: milestones.next = \"{}…\": 300 characters long; GitLab allows at \
                     most 255 in a milestone title",
                    "x".repeat(80)
                ),
            ),
            (
                format!("labels:\n  priorities: [p1, {long}]\n"),
                format!(
                    ".wow.yml:2: labels.priorities = \"[p1, {}…\": 300 characters long; GitLab \
                     allows at most 255 in a label name",
                    "x".repeat(75)
                ),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(err(&text), expected, "{text:?}");
        }
    }

    #[test]
    fn a_file_over_one_mib_is_refused_naming_file_and_limit() {
        let text = format!("# {}\n", "x".repeat(MAX_FILE_BYTES));
        let e = parse(&text, "ci/big.yml").unwrap_err();
        assert_eq!(
            e.to_string(),
            "ci/big.yml: the configuration file is larger than 1 MiB (1048576 bytes), the limit; \
             a .wow.yml needs a few hundred bytes: is this the right file?"
        );
        // Just under the limit, a comment is fine.
        let text = format!("# {}\n", "x".repeat(MAX_FILE_BYTES - 3));
        assert!(parse(&text, ".wow.yml").is_ok());
    }

    #[test]
    fn a_mib_of_nesting_is_an_error_naming_the_line() {
        // 200 KB of `[` took 21 s when serde_yaml saw it; the check stops it first.
        let nesting = "[".repeat(MAX_FILE_BYTES - 30);
        for (text, line) in [
            (format!("week:\n  starts_on: {nesting}\n"), 2),
            (format!("\n\n{nesting}"), 3),
            (format!("labels: {{priorities: {}", "{a: ".repeat(200_000)), 1),
        ] {
            assert!(text.len() <= MAX_FILE_BYTES);
            assert_eq!(
                err(&text),
                format!(
                    ".wow.yml:{line}: [ ] or {{ }} nested more than 32 levels deep; a .wow.yml \
                     needs 3 at most (report: {{publish: {{issue_labels: [...]}}}}); look for \
                     brackets that are not closed"
                ),
            );
        }
    }

    #[test]
    fn nesting_check_skips_quotes_comments_block_scalars_and_plain_text() {
        let deep = "[".repeat(40);
        let cases = [
            (format!("milestones:\n  current: \"{deep}\"\n"), None),
            (format!("milestones:\n  current: '{deep} '' {deep}'\n"), None),
            (format!("milestones:\n  current: \"a \\\" {deep}\"\n"), None),
            (format!("milestones:  # {deep}\n  current: x\n"), None),
            (format!("milestones:\n  current: Sprint {deep}\n"), None),
            (
                format!("milestones:\n  closed: |\n    {deep}\n    {deep}\n  next: x\n"),
                None,
            ),
            (
                format!("milestones:\n  closed: >-\n\n    {deep}\nweek: {deep}\n"),
                Some(5),
            ),
            (format!("a: \"x\ny\"\nb: {deep}\n"), Some(3)),
            (format!("a: [{}]\n", "[]".repeat(1000)), None),
            (format!("a: [\n{}\n]", "[\n".repeat(40)), Some(33)),
            ("a: [[[[1]]]]\n".to_string(), None),
        ];
        for (text, expected) in cases {
            assert_eq!(too_deep(&text), expected, "{text:?}");
        }
    }

    #[test]
    fn key_lines_skip_paths_deeper_than_any_key() {
        let text: String = (0..12).map(|n| format!("{}k{n}:\n", " ".repeat(n))).collect();
        let (lines, _) = key_lines(&text);
        assert_eq!(lines.len(), MAX_KEY_DEPTH);
        assert_eq!(lines["k0.k1.k2"], 3);
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
