//! The job log: GitLab's collapsible sections, colour, and the closing summary
//! that says in a few lines what happened and where the report is.
//!
//! Pure: every function returns text and the caller prints it; the environment
//! and the time are arguments (no `std::env`, no clock). Section markers are
//! written only inside GitLab CI (gitlab-api.md §10, Collapsible log sections);
//! elsewhere a section is a plain header line. Never log the token.

use super::{AuditStatus, Report};
use crate::report::markdown::{fix_counts, headline, plural, status_word};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Log {
    /// Inside GitLab CI: section markers on.
    pub in_ci: bool,
    /// ANSI colour on.
    pub color: bool,
    /// `-q`: only errors and the summary.
    pub quiet: bool,
    /// `-v` count.
    pub verbose: u8,
}

/// A colour for `Log::paint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Bold,
    Ok,
    Warn,
    Error,
    Dim,
}

impl Style {
    fn code(self) -> &'static str {
        match self {
            Style::Bold => "1",
            Style::Ok => "32",
            Style::Warn => "33",
            Style::Error => "1;31",
            Style::Dim => "2",
        }
    }
}

fn set(env: &BTreeMap<String, String>, key: &str) -> bool {
    env.get(key).is_some_and(|v| !v.is_empty())
}

impl Log {
    /// Colour when stdout is a terminal, or `FORCE_COLOR` is set (not `0`/`false`),
    /// or `CI=true` (GitLab's log viewer renders ANSI colour); `NO_COLOR` (any
    /// non-empty value, no-color.org) turns it off whatever else is set.
    pub fn from_env(
        env: &BTreeMap<String, String>,
        in_ci: bool,
        quiet: bool,
        verbose: u8,
        is_terminal: bool,
    ) -> Log {
        let forced = env
            .get("FORCE_COLOR")
            .is_some_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"));
        let ci = env.get("CI").is_some_and(|v| v.eq_ignore_ascii_case("true"));
        let color = !set(env, "NO_COLOR") && (is_terminal || forced || ci);
        Log {
            in_ci,
            color,
            quiet,
            verbose,
        }
    }

    /// `text` in `style` when colour is on, else `text` unchanged.
    pub fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("\x1b[{}m{text}\x1b[0m", style.code())
        } else {
            text.to_string()
        }
    }

    /// The start of a section, a whole line with its `\n` (print it with `print!`),
    /// or `""` when quiet outside CI. In CI: GitLab's marker,
    /// `ESC[0Ksection_start:<unix>:<name>[collapsed=true]\rESC[0K<header>`.
    pub fn section_start(&self, name: &str, header: &str, collapsed: bool, unix_secs: i64) -> String {
        let header = one_line(header);
        if self.in_ci {
            let opts = if collapsed { "[collapsed=true]" } else { "" };
            format!(
                "\x1b[0Ksection_start:{unix_secs}:{}{opts}\r\x1b[0K{}\n",
                section_name(name),
                self.paint(Style::Bold, &header)
            )
        } else if self.quiet {
            String::new()
        } else {
            format!("{}\n", self.paint(Style::Bold, &format!("== {header}")))
        }
    }

    /// The end of a section (with its `\n`) in CI; `""` elsewhere.
    pub fn section_end(&self, name: &str, unix_secs: i64) -> String {
        if self.in_ci {
            format!("\x1b[0Ksection_end:{unix_secs}:{}\r\x1b[0K\n", section_name(name))
        } else {
            String::new()
        }
    }
}

/// A section name GitLab accepts: letters, digits, `_`, `.`, `-`; anything else
/// becomes `_` (a name that does not match would print the marker as text).
pub fn section_name(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() {
        "wowctl".to_string()
    } else {
        s
    }
}

fn one_line(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// The closing lines of the job log (3 to 6, plain text, no newline at the end of
/// each): what happened and where the report is. `files` are the written file names.
pub fn summary(report: &Report, report_dir: &str, files: &[String]) -> Vec<String> {
    let r = report;
    let mut lines = Vec::new();
    let prefix = if r.dry_run {
        "wowctl (dry run, nothing changed): "
    } else {
        "wowctl: "
    };
    lines.push(format!("{prefix}{}", one_line(&headline(r))));

    let rot = &r.rotation;
    let mut rotation = format!("Rotation: {}", status_word(rot.status));
    let titles: Vec<String> = [
        ("closed", &rot.closed_milestone),
        ("current", &rot.current_milestone),
        ("next", &rot.next_milestone),
    ]
    .iter()
    .filter_map(|(role, m)| m.as_ref().map(|m| format!("{role} \"{}\"", one_line(&m.title))))
    .collect();
    if !titles.is_empty() {
        rotation.push_str(&format!("; {}", titles.join(", ")));
    }
    if !rot.carried_over.is_empty() {
        let verb = if r.dry_run {
            "to carry over"
        } else {
            "carried over"
        };
        rotation.push_str(&format!(
            "; {} {verb}",
            plural(rot.carried_over.len(), "issue", "issues")
        ));
    }
    if rot.weeks_missed > 0 {
        rotation.push_str(&format!(
            "; WoW was {} late",
            plural(rot.weeks_missed as usize, "week", "weeks")
        ));
    }
    lines.push(rotation);

    match r.audit.status {
        AuditStatus::Skipped => lines.push("Audit: skipped.".to_string()),
        AuditStatus::Failed => lines.push(format!(
            "Audit: failed after {} ({} checked).",
            plural(r.audit.findings.len(), "finding", "findings"),
            plural(r.audit.issues_checked, "issue", "issues")
        )),
        AuditStatus::Done => {
            let (fixed, planned, failed, person) = fix_counts(r);
            let n = r.audit.findings.len();
            let mut s = format!(
                "Audit: {} in {} checked",
                if n == 0 {
                    "no findings".to_string()
                } else {
                    plural(n, "finding", "findings")
                },
                plural(r.audit.issues_checked, "issue", "issues")
            );
            if n > 0 {
                s.push_str(&format!(
                    " ({fixed} fixed, {planned} planned, {failed} fix failed, {person} need a person)"
                ));
            }
            s.push('.');
            lines.push(s);
        }
    }

    if let Some(first) = r.errors.first() {
        let more = if r.errors.len() > 1 {
            format!(" (and {} more)", r.errors.len() - 1)
        } else {
            String::new()
        };
        lines.push(format!("Error: {}{more}", one_line(first)));
    }

    let dir = report_dir.trim_end_matches('/');
    if files.is_empty() {
        lines.push(format!("Report: no files written to {dir}/."));
    } else {
        lines.push(format!("Report: {dir}/ ({})", files.join(", ")));
    }
    lines.truncate(6);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn colour_decision() {
        // (env, is_terminal, want colour)
        /// (environment, stdout is a terminal, colour wanted)
        type Case<'a> = (&'a [(&'a str, &'a str)], bool, bool);
        let cases: &[Case] = &[
            (&[], false, false),
            (&[], true, true),
            (&[("FORCE_COLOR", "1")], false, true),
            (&[("FORCE_COLOR", "0")], false, false),
            (&[("FORCE_COLOR", "false")], false, false),
            (&[("CI", "true")], false, true),
            (&[("CI", "false")], false, false),
            (&[("NO_COLOR", "1")], true, false),
            (
                &[("NO_COLOR", "1"), ("FORCE_COLOR", "1"), ("CI", "true")],
                true,
                false,
            ),
            (&[("NO_COLOR", "")], true, true),
        ];
        for (pairs, tty, want) in cases {
            let log = Log::from_env(&env(pairs), false, false, 0, *tty);
            assert_eq!(log.color, *want, "env {pairs:?} tty {tty}");
        }
    }

    #[test]
    fn sections_in_ci_use_gitlab_markers() {
        let log = Log {
            in_ci: true,
            color: false,
            quiet: false,
            verbose: 0,
        };
        assert_eq!(
            log.section_start("rotation", "Rotating milestones", true, 1_700_000_000),
            "\x1b[0Ksection_start:1700000000:rotation[collapsed=true]\r\x1b[0KRotating milestones\n"
        );
        assert_eq!(
            log.section_start("audit", "Audit", false, 5),
            "\x1b[0Ksection_start:5:audit\r\x1b[0KAudit\n"
        );
        assert_eq!(
            log.section_end("rotation", 1_700_000_009),
            "\x1b[0Ksection_end:1700000009:rotation\r\x1b[0K\n"
        );
    }

    #[test]
    fn sections_outside_ci_are_plain() {
        let log = Log {
            in_ci: false,
            color: false,
            quiet: false,
            verbose: 0,
        };
        assert_eq!(
            log.section_start("rotation", "Rotating", true, 1),
            "== Rotating\n"
        );
        assert_eq!(log.section_end("rotation", 2), "");
        let quiet = Log { quiet: true, ..log };
        assert_eq!(quiet.section_start("rotation", "Rotating", true, 1), "");
        let coloured = Log { color: true, ..log };
        assert_eq!(coloured.section_start("x", "H", false, 1), "\x1b[1m== H\x1b[0m\n");
    }

    #[test]
    fn section_names_and_headers_are_sanitised() {
        assert_eq!(section_name("audit rules/2"), "audit_rules_2");
        assert_eq!(section_name("ok.name-1_x"), "ok.name-1_x");
        assert_eq!(section_name(""), "wowctl");
        let log = Log {
            in_ci: true,
            color: false,
            quiet: false,
            verbose: 0,
        };
        let s = log.section_start("a", "two\nlines\r", false, 1);
        assert_eq!(s.matches('\n').count(), 1, "{s:?}");
        assert_eq!(s.matches('\r').count(), 1, "{s:?}");
    }
}
