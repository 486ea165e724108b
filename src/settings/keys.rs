//! The one table of `.wow.yml` keys: for each dotted key, how it is read from the file into
//! `Config` and how `config check` shows it. The file's reader (which keys and sections exist,
//! what "allowed keys" lists), `config check`'s listing and the record of where each value came
//! from all walk this table; a new key is one line here plus its field in `config.rs`. Sections
//! nest to any depth (`report.publish.issue`). Pure: no I/O, no parsing of its own.

use super::config::{Config, Format, RuleName};
use serde_yaml::Value;

/// One key of the configuration file.
pub(crate) struct Key {
    /// Dotted path, e.g. `report.publish.issue_title`.
    pub name: &'static str,
    /// Reads the key's value into the configuration, or says what is allowed.
    pub read: fn(&Value, &mut Config) -> Result<(), String>,
    /// The value as it would be written in the file (free text quoted, lists in brackets).
    pub show: fn(&Config) -> String,
}

/// `key!(name, field.path, reader, shower)`: the name and the field side by side, so a key
/// cannot be read into one field and shown from another.
macro_rules! key {
    ($name:literal, $($field:ident).+, $read:expr, $show:expr) => {
        Key {
            name: $name,
            read: |v, c| {
                c.$($field).+ = $read(v)?;
                Ok(())
            },
            show: |c| $show(&c.$($field).+),
        }
    };
}

/// Every key, in the file's order (the SPEC's, then wowctl's own `report.history_weeks` and
/// `api.*` tuning). `config check` lists them in this order.
#[rustfmt::skip] // one key a line: the table reads as a list
pub(crate) static KEYS: &[Key] = &[
    key!("milestones.current", milestones.current, read::title, show::quoted),
    key!("milestones.next", milestones.next, read::title, show::quoted),
    key!("milestones.closed", milestones.closed, read::closed_title, show::quoted),
    key!("week.starts_on", week.starts_on, read::weekday, show::weekday),
    key!("week.timezone", week.timezone, read::timezone, show::plain),
    key!("rotation.carry_over_open_issues", rotation.carry_over_open_issues, read::boolean, show::plain),
    key!("rotation.set_dates", rotation.set_dates, read::boolean, show::plain),
    key!("labels.unscheduled", labels.unscheduled, read::label, show::quoted),
    key!("labels.outage", labels.outage, read::label, show::quoted),
    key!("labels.data_loss", labels.data_loss, read::label, show::quoted),
    key!("labels.priorities", labels.priorities, read::labels, show::quoted_list),
    key!("audit.fix", audit.fix, read::boolean, show::plain),
    key!("audit.grace", audit.grace, read::duration, show::duration),
    key!("audit.handoff_max_silence", audit.handoff_max_silence, read::duration, show::duration),
    key!("audit.rules", audit.rules, read::rules, show::rules),
    key!("report.formats", report.formats, read::formats, show::formats),
    key!("report.fail_on_findings", report.fail_on_findings, read::boolean, show::plain),
    key!("report.history_weeks", report.history_weeks, read::history_weeks, show::plain),
    key!("report.confidential_titles", report.confidential_titles, read::boolean, show::plain),
    key!("report.publish.milestone_summary", report.publish.milestone_summary, read::boolean, show::plain),
    key!("report.publish.issue", report.publish.issue, read::boolean, show::plain),
    key!("report.publish.issue_title", report.publish.issue_title, read::issue_title, show::quoted),
    key!("report.publish.issue_labels", report.publish.issue_labels, read::labels, show::quoted_list),
    key!("report.publish.handoff_comment", report.publish.handoff_comment, read::boolean, show::plain),
    key!("report.publish.handoff_mentions", report.publish.handoff_mentions, read::mentions, show::quoted_list),
    key!("report.publish.explain_fixes", report.publish.explain_fixes, read::boolean, show::plain),
    key!("api.concurrency", api.concurrency, read::concurrency, show::plain),
    key!("api.timeout", api.timeout, read::positive_duration, show::duration),
    key!("api.max_retries", api.max_retries, read::max_retries, show::plain),
    key!("api.token_expiry_warning", api.token_expiry_warning, read::duration, show::duration),
];

/// The key named `name` (dotted), if there is one.
pub(crate) fn find(name: &str) -> Option<&'static Key> {
    KEYS.iter().find(|k| k.name == name)
}

/// `name` (dotted) as a section holding keys (`report`, `report.publish`), if it is one.
pub(crate) fn section(name: &str) -> Option<&'static str> {
    KEYS.iter().find_map(|k| {
        let rest = k.name.strip_prefix(name)?;
        rest.starts_with('.').then(|| &k.name[..name.len()])
    })
}

/// The names allowed directly inside `section` (the top level when `None`), without the
/// section's prefix, in the table's order: keys and sub-sections alike.
pub(crate) fn children(section: Option<&str>) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for key in KEYS {
        let rest = match section {
            None => Some(key.name),
            Some(section) => key.name.strip_prefix(section).and_then(|r| r.strip_prefix('.')),
        };
        let Some(rest) = rest else { continue };
        let child = rest.split('.').next().unwrap_or(rest);
        if !out.contains(&child) {
            out.push(child);
        }
    }
    out
}

/// Readers for keys whose bounds are this table's business; the rest are `values`'s.
mod read {
    pub(super) use super::super::values::*;
    use super::{Format, RuleName};
    use serde_yaml::Value;

    pub(super) fn rules(v: &Value) -> Result<Vec<RuleName>, String> {
        names(v, &RuleName::ALL, RuleName::as_str, "rule")
    }

    pub(super) fn formats(v: &Value) -> Result<Vec<Format>, String> {
        names(v, &Format::ALL, Format::as_str, "format")
    }

    pub(super) fn history_weeks(v: &Value) -> Result<u32, String> {
        whole(v, 1, 520).map(|n| n as u32)
    }

    pub(super) fn concurrency(v: &Value) -> Result<usize, String> {
        whole(v, 1, 64).map(|n| n as usize)
    }

    pub(super) fn max_retries(v: &Value) -> Result<u32, String> {
        whole(v, 0, 20).map(|n| n as u32)
    }
}

/// A value as it would be written in the file: free text quoted, lists in brackets.
mod show {
    use super::super::config::{weekday_name, Format, RuleName};
    use super::super::duration::format_duration;

    pub(super) fn plain(v: &impl ToString) -> String {
        v.to_string()
    }

    pub(super) fn quoted(s: &str) -> String {
        format!("{s:?}")
    }

    pub(super) fn quoted_list(items: &[String]) -> String {
        list(items.iter().map(|s| quoted(s)))
    }

    pub(super) fn weekday(d: &chrono::Weekday) -> String {
        weekday_name(*d).to_string()
    }

    pub(super) fn duration(d: &std::time::Duration) -> String {
        format_duration(*d)
    }

    pub(super) fn rules(rules: &[RuleName]) -> String {
        list(rules.iter().map(|r| r.as_str().to_string()))
    }

    pub(super) fn formats(formats: &[Format]) -> String {
        list(formats.iter().map(|f| f.as_str().to_string()))
    }

    fn list(items: impl Iterator<Item = String>) -> String {
        format!("[{}]", items.collect::<Vec<_>>().join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_and_children_follow_the_table() {
        assert_eq!(
            children(None),
            [
                "milestones",
                "week",
                "rotation",
                "labels",
                "audit",
                "report",
                "api"
            ]
        );
        assert_eq!(
            children(Some("report")),
            [
                "formats",
                "fail_on_findings",
                "history_weeks",
                "confidential_titles",
                "publish"
            ]
        );
        assert_eq!(
            children(Some("report.publish")),
            [
                "milestone_summary",
                "issue",
                "issue_title",
                "issue_labels",
                "handoff_comment",
                "handoff_mentions",
                "explain_fixes"
            ]
        );
        assert_eq!(children(Some("week.starts_on")), Vec::<&str>::new());
        let cases = [
            ("report", Some("report")),
            ("report.publish", Some("report.publish")),
            ("report.publish.issue", None),
            ("report.pub", None),
            ("week.starts_on", None),
            ("", None),
        ];
        for (name, expected) in cases {
            assert_eq!(section(name), expected, "{name:?}");
        }
    }

    #[test]
    fn every_key_is_unique_and_shows_its_default() {
        let config = Config::default();
        let mut names: Vec<&str> = KEYS.iter().map(|k| k.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), KEYS.len(), "a key is listed twice");
        let shown: Vec<(&str, String)> = KEYS.iter().map(|k| (k.name, (k.show)(&config))).collect();
        let expected = [
            ("report.confidential_titles", "false"),
            ("report.publish.milestone_summary", "true"),
            ("report.publish.issue", "false"),
            ("report.publish.issue_title", "\"WoW report: {start} – {end}\""),
            ("report.publish.issue_labels", "[]"),
            ("report.publish.handoff_comment", "false"),
            ("report.publish.handoff_mentions", "[]"),
            ("report.publish.explain_fixes", "false"),
            ("api.token_expiry_warning", "30d"),
        ];
        for (name, text) in expected {
            assert!(shown.contains(&(name, text.to_string())), "{name}: {shown:?}");
        }
    }

    #[test]
    fn reading_a_shown_default_gives_the_default_back() {
        // `show` writes what `read` accepts: every line of `config check` could be pasted
        // into a .wow.yml.
        let defaults = Config::default();
        for key in KEYS {
            let text = (key.show)(&defaults);
            let value: Value = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", key.name));
            let mut config = Config::default();
            config.audit.rules.clear();
            config.report.formats.clear();
            (key.read)(&value, &mut config).unwrap_or_else(|e| panic!("{} = {text}: {e}", key.name));
            assert_eq!((key.show)(&config), text, "{}", key.name);
        }
    }
}
